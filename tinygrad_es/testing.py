"""``torch.testing``: ``assert_close`` compara tensores (o números, listas, diccionarios) con las
tolerancias por defecto de PyTorch para cada dtype, y falla con un mensaje que dice cuántos
elementos no coinciden, la mayor diferencia y dónde.

    >>> import tinygrad_es as torch
    >>> torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0000001]))

Tolerancias por defecto (``|actual − esperado| ≤ atol + rtol·|esperado|``): float16 (1e-3, 1e-5),
bfloat16 (1.6e-2, 1e-5), float32 (1.3e-6, 1e-5), float64 (1e-7, 1e-7); enteros y bool, igualdad
exacta. Con dtypes distintos (y ``check_dtype=False``) se usa la mayor de las dos.
"""
from __future__ import annotations

import collections.abc
import numbers

import numpy as np

from . import _dtype as D
from ._tensor import Tensor

__all__ = ["assert_close", "assert_allclose"]

_TOL = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
        "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


def _tol(name):
    return _TOL.get(name, (0.0, 0.0))


def _fail(msg, user_msg, what):
    if callable(user_msg):
        user_msg = user_msg(msg)
    raise AssertionError(user_msg if user_msg is not None else (f"{msg}\n{what}" if what else msg))


def _is_tensor_like(x):
    return isinstance(x, (Tensor, np.ndarray)) or (isinstance(x, numbers.Number) and not isinstance(x, bool)) \
        or isinstance(x, (bool, np.bool_, np.number))


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, msg, where):
    a_is_t, e_is_t = isinstance(actual, (Tensor, np.ndarray)), isinstance(expected, (Tensor, np.ndarray))
    if a_is_t != e_is_t:
        raise TypeError(f"assert_close: no se puede comparar un {type(actual).__name__} con un "
                        f"{type(expected).__name__}{where} (convierte los dos a tensores)")
    if not a_is_t and type(actual) is not type(expected) and not (
            isinstance(actual, numbers.Number) and isinstance(expected, numbers.Number) and not check_dtype):
        _fail(f"Los tipos no coinciden{where}: {type(actual).__name__} != {type(expected).__name__}.", msg, "")
    a = np.asarray(actual._data if isinstance(actual, Tensor) else actual)
    e = np.asarray(expected._data if isinstance(expected, Tensor) else expected)
    if a.shape != e.shape:
        _fail(f"El atributo 'shape' no coincide{where}: torch.Size({list(a.shape)}) != torch.Size({list(e.shape)}).",
              msg, "")
    an, en = D._BY_NP[a.dtype].name if a.dtype in D._BY_NP else str(a.dtype), \
        D._BY_NP[e.dtype].name if e.dtype in D._BY_NP else str(e.dtype)
    if check_dtype and a_is_t and an != en:
        _fail(f"El atributo 'dtype' no coincide{where}: torch.{an} != torch.{en}.", msg, "")
    if rtol is None:
        ra, aa = _tol(an)
        rb, ab = _tol(en)
        rtol, atol = max(ra, rb), max(aa, ab)
    if a.size == 0:
        return
    if a.dtype.kind in "biu" and e.dtype.kind in "biu" and rtol == 0 and atol == 0:
        ok = a == e
        diff = np.abs(a.astype(np.int64) - e.astype(np.int64)) if a.dtype.kind != "b" else (a != e).astype(np.int64)
    else:
        a64 = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
        e64 = e.astype(np.complex128 if e.dtype.kind == "c" else np.float64)
        with np.errstate(all="ignore"):
            diff = np.abs(a64 - e64)
            ok = (diff <= atol + rtol * np.abs(e64)) | (a64 == e64)
            if equal_nan:
                ok |= np.isnan(a64) & np.isnan(e64)
    if ok.all():
        return
    bad = int((~ok).sum())
    kind = "Los escalares" if a.ndim == 0 and not a_is_t else "Los tensores"
    with np.errstate(all="ignore"):
        d = np.where(np.isnan(diff), np.inf, diff).astype(np.float64)
        rel = d / np.abs(e.astype(np.float64) if e.dtype.kind != "c" else np.abs(e))
    i = np.unravel_index(int(np.argmax(np.where(ok, -1, d))), a.shape) if a.ndim else ()
    j = np.unravel_index(int(np.argmax(np.where(ok, -1, np.nan_to_num(rel, nan=np.inf)))), a.shape) if a.ndim else ()
    lines = [f"{kind} no están cerca{where}!", "",
             f"Elementos distintos: {bad} / {a.size} ({100 * bad / a.size:.1f}%)",
             f"Mayor diferencia absoluta: {d[i]} en el índice {tuple(int(k) for k in i)} (se admite hasta {atol})",
             f"Mayor diferencia relativa: {rel[j]} en el índice {tuple(int(k) for k in j)} (se admite hasta {rtol})"]
    _fail("\n".join(lines), msg, "")


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Lanza ``AssertionError`` si ``actual`` y ``expected`` no están cerca elemento a elemento
    (misma forma, mismo dtype salvo ``check_dtype=False``, ``|a − e| ≤ atol + rtol·|e|``).

    Args:
        actual, expected: tensores, arrays, números, o listas/tuplas/diccionarios de ellos (se
            comparan elemento a elemento y la ruta sale en el mensaje).
        rtol, atol: las dos o ninguna; por defecto, las del dtype (véase el módulo).
        equal_nan: dos ``nan`` en la misma posición cuentan como iguales.
        msg: otro mensaje de error (o una función que recibe el nuestro y devuelve otro).
    Ejemplo: ``torch.testing.assert_close(y, y_esperada, rtol=1e-4, atol=1e-6)``.
    En PyTorch: ``torch.testing.assert_close``.
    """
    if (rtol is None) != (atol is None):
        raise ValueError(f"assert_close: hay que dar rtol y atol a la vez (o ninguna); se dio "
                         f"{'rtol' if atol is None else 'atol'}")
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, "")


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, path):
    where = f" en {path}" if path else ""
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            _fail(f"Las claves no coinciden{where}: {sorted(map(str, actual))} != {sorted(map(str, expected))}.",
                  msg, "")
        for k in actual:
            _compare(actual[k], expected[k], rtol, atol, equal_nan, check_dtype, msg, f"{path}[{k!r}]")
        return
    seq = (list, tuple)
    if isinstance(actual, seq) and isinstance(expected, seq):
        if len(actual) != len(expected):
            _fail(f"La longitud no coincide{where}: {len(actual)} != {len(expected)}.", msg, "")
        for k, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, f"{path}[{k}]")
        return
    if not (_is_tensor_like(actual) and _is_tensor_like(expected)):
        raise TypeError(f"assert_close: no se pueden comparar {type(actual).__name__} y "
                        f"{type(expected).__name__}{where}")
    _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, msg, where)


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """El nombre antiguo (``torch.testing.assert_allclose``): ``assert_close`` sin comprobar el
    dtype y con ``equal_nan=True``."""
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 msg=msg or None)
