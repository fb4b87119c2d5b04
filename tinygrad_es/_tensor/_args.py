"""Los argumentos de ``torch.x``/``Tensor.x``, en un solo sitio.

* datos → ndarray con el dtype de PyTorch (``to_array``);
* ejes (``norm_dim``, ``norm_dims``: los de ``ops/`` llegan ya normalizados), listas de enteros (``int_list``, ``kw_arg``) e índices (``as_index``);
* entradas de coma flotante: ``float_in`` (enteros → el flotante por defecto), ``floats_only`` y
  ``float_input`` (errores de PyTorch para las funciones que no admiten enteros);
* la promoción de tipos de PyTorch entre operandos: ``promote`` (con ``dtype_of``, que deduce el
  dtype de una lista o un ndarray como ``tensor()``, y ``as_operand``, que convierte).
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..ops.copy import Cast

__all__ = ["to_array", "norm_dim", "norm_dims", "int_list", "kw_arg", "as_index", "float_in", "floats_only", "float_input",
           "is_scalar", "as_operand", "dtype_of", "promote"]


# -- datos ---------------------------------------------------------------------------------
def to_array(data, dtype=None, copy=False) -> np.ndarray:
    """ndarray para ``tensor(data)``: deduce el dtype como PyTorch (int → int64, float → float32,
    bool → bool; un ndarray conserva el suyo) y rechaza lo que no es numérico."""
    if isinstance(data, TensorBase):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
    else:
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError) as e:
            raise TypeError(f"no se puede crear un tensor a partir de {type(data).__name__}: {e}") from None
        if arr.dtype == np.float64 and not isinstance(data, np.generic):
            arr = arr.astype(D.get_default_dtype().np)  # los float de Python son float32
    if arr.dtype.kind == "c":
        raise TypeError(f"los números complejos no están soportados (dtype {arr.dtype})")
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"un tensor necesita datos numéricos; se recibió {type(data).__name__} "
                        f"con dtype {arr.dtype}")
    if dtype is not None:
        npd = D.np_dtype(dtype)
        if arr.dtype != npd:
            return arr.astype(npd)
    elif arr.dtype not in D._BY_NP:
        target = np.int64 if arr.dtype.kind in "iu" else np.float64
        arr = arr.astype(target)
    return np.array(arr, copy=True) if copy else arr



# -- ejes, listas de enteros e índices -----------------------------------------------------
def norm_dim(dim, ndim: int) -> int:
    """Un eje como entero positivo, con la regla y los errores de PyTorch (un 0-D admite 0 y −1)."""
    n = max(ndim, 1)
    if not isinstance(dim, (numbers.Integral, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"el eje debe ser un entero, no {dim!r}")
    if not -n <= dim < n:
        raise IndexError(f"eje fuera de rango: se esperaba uno en [{-n}, {n - 1}], pero se recibió {dim}")
    return int(dim) % n


def norm_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, int o tupla) como tupla ordenada de ejes positivos, con los errores de PyTorch."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (numbers.Integral, np.integer)) and not isinstance(dim, bool):
        dim = (int(dim),)
    out = [norm_dim(d, ndim) for d in dim]
    if len(set(out)) != len(out):
        raise RuntimeError(f"el eje {dim} aparece repetido en la lista de ejes")
    return tuple(sorted(out)) if ndim else ()


def int_list(args, op):
    """``f(1, 2)``, ``f((1, 2))`` o ``f([1, 2])`` como tupla de enteros."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if len(args) == 1 and isinstance(args[0], TensorBase):
        args = tuple(int(v) for v in args[0]._data.reshape(-1))
    out = []
    for a in args:
        if not isinstance(a, (numbers.Integral, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: se esperaban enteros, no {a!r}")
        out.append(int(a))
    return tuple(out)


def kw_arg(args, kw, name, op):
    """``f(1, 2)``, ``f((1, 2))`` o ``f(name=(1, 2))`` (como PyTorch) → tupla de argumentos."""
    if kw:
        if set(kw) != {name} or args:
            raise TypeError(f"{op}() recibió argumentos no válidos: {sorted(kw)} (se esperaba {name}=...)")
        return (kw[name],)
    return args


def as_index(index, op, allow_bool=False) -> np.ndarray:
    """``index`` (Tensor, lista, ndarray o entero) como ndarray de enteros."""
    a = index._data if isinstance(index, TensorBase) else np.asarray(index)
    if a.dtype.kind not in "iu" and not (allow_bool and a.dtype == np.bool_):
        if a.size == 0 and not isinstance(index, TensorBase):
            return a.astype(np.int64)
        raise RuntimeError(f"{op}(): el índice debe ser un tensor de enteros (int64 o int32), no "
                           f"{a.dtype}")
    return a



# -- coma flotante -------------------------------------------------------------------------
def float_in(t):
    """Las funciones trascendentes de enteros/bool dan el flotante por defecto (``exp(int)`` → float32)."""
    if t._data.dtype.kind == "f":
        return t
    return Cast.apply(t, dtype=D.get_default_dtype().np)


def floats_only(t, op):
    """``NotImplementedError`` si ``t`` no es de coma flotante: el error de PyTorch cuando una función
    elemento a elemento o una activación no tiene núcleo para enteros ("not implemented for 'Long'").
    (Las de ``torch.linalg`` dan ``RuntimeError``: ``float_input``.)"""
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f"'{op}' sólo está definida para tensores de coma flotante, no para "
                                  f"{D._BY_NP[t._data.dtype]} (convierte con .float())")


def float_input(x, op, dtype=None):
    """``x`` (convertido a ``dtype`` si se da) o ``RuntimeError`` (como PyTorch) si no es de coma flotante (normas)."""
    if dtype is not None:
        x = x.type(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: se esperaba un tensor de coma flotante, y es {x.dtype} (usa .float())")
    return x



# -- promoción de tipos --------------------------------------------------------------------
def is_scalar(x) -> bool:
    """Un número real de Python o de numpy (o un bool): un complejo no lo es (se rechaza al convertirlo)."""
    return (isinstance(x, (numbers.Real, np.number, np.bool_))
            and not isinstance(x, (np.ndarray, np.complexfloating)))


def as_operand(x, npd: np.dtype):
    """``x`` (Tensor, número, lista o ndarray) como tensor de dtype ``npd`` (convertir un tensor
    es una operación diferenciable)."""
    if isinstance(x, TensorBase):
        if x._data.dtype == npd:
            return x
        return Cast.apply(x, dtype=npd)
    if is_scalar(x):  # astype: un entero fuera de rango da la vuelta, como en PyTorch (uint8 + -1 → 255)
        return TensorBase._wrap(np.asarray(x).astype(npd))
    return TensorBase._wrap(to_array(x, npd))


def dtype_of(x):
    """``x`` tal cual si es un tensor o un número; si no (lista, ndarray), su ndarray (para ``result_type``)."""
    if isinstance(x, TensorBase) or is_scalar(x):
        return x
    return to_array(x)


def promote(*xs, float_out=False):
    """Los operandos (tensores, números, listas o ndarrays) convertidos al dtype común de PyTorch
    (``float_out``: enteros y bool → el flotante por defecto, como ``/`` o ``atan2``)."""
    xs = [dtype_of(x) for x in xs]
    npd = D.result_type(*xs)
    if float_out:
        npd = D.float_result(npd)
    return [as_operand(x, npd) for x in xs]
