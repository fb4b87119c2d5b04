"""Funciones que crean tensores, con los nombres, argumentos y dtypes de PyTorch.

``tensor([1, 2])`` es int64, ``tensor([1., 2.])`` float32, ``arange(4)`` int64, ``arange(0., 1, .25)``
float32; todas aceptan ``dtype=`` y ``requires_grad=``; las aleatorias, ``generator=``.
"""
from __future__ import annotations

import math
import numbers
import os

import numpy as np

from .. import _dtype as D
from .._random import default_rng
from ..autograd import TensorBase
from ..device import check_device
from ._args import check_fits, to_array
from .tensor import Tensor

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange", "linspace",
           "logspace", "eye", "rand", "randn", "randint", "randperm", "zeros_like", "ones_like", "full_like",
           "empty_like", "rand_like", "randn_like", "randint_like", "is_tensor", "typename", "numel", "tril_indices",
           "triu_indices"]


def _finish(arr: np.ndarray, requires_grad: bool, device=None) -> Tensor:
    check_device(device)
    t = TensorBase._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (numbers.Integral, np.integer)) or isinstance(s, bool):
            raise TypeError(f"forma no válida {tuple(size)}: cada dimensión debe ser un entero, no "
                            f"{type(s).__name__} ({s!r})")
        if s < 0:
            raise RuntimeError(f"forma no válida {tuple(size)}: cada dimensión debe ser un entero ≥ 0")
    size = tuple(int(s) for s in size)
    need = math.prod(size) * 8  # float64 en el peor caso (randn genera en float64 y luego convierte)
    if need > _physical_memory():
        raise RuntimeError(f"no hay memoria: un tensor de forma {size} ocupa {need / 2**30:.1f} GiB y el equipo "
                           f"tiene {_physical_memory() / 2**30:.1f} GiB (¿una forma equivocada?)")
    return size


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # sin sysconf (Windows): sólo se descartan tamaños absurdos
        return 1 << 50


def _float_dtype(dtype) -> np.dtype:
    return D.np_dtype(dtype) if dtype is not None else D.get_default_dtype().np


def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Crea un tensor **copiando** ``data`` y deduciendo el dtype como PyTorch: enteros → int64,
    números con decimales → float32, bool → bool; un ndarray conserva el suyo (float64 sigue float64)."""
    return _finish(to_array(data, dtype, copy=True), requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Como ``tensor`` pero sin copiar cuando se puede (un tensor o ndarray del mismo dtype)."""
    if isinstance(data, TensorBase) and (dtype is None or D.np_dtype(dtype) == data._data.dtype):
        return data
    return _finish(to_array(data, dtype), False, device)


def from_numpy(a: np.ndarray) -> Tensor:
    """Tensor que **comparte memoria** con el ndarray ``a`` (cambiar uno cambia el otro)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy espera un numpy.ndarray, no {type(a).__name__}")
    return _finish(to_array(a), False)


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.zeros(_size(size), _float_dtype(dtype)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.ones(_size(size), _float_dtype(dtype)), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Como PyTorch, pero con ceros (un tensor "sin inicializar" sería irreproducible)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Tensor de forma ``size`` lleno de ``fill_value``; el dtype se deduce del valor (int → int64)."""
    if isinstance(fill_value, TensorBase):
        fill_value = fill_value.item()
    npd = D.np_dtype(dtype) if dtype is not None else D.infer_dtype(fill_value)
    size = _size((size,) if isinstance(size, (numbers.Integral, np.integer)) else (tuple(size),))
    check_fits(fill_value, npd)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finish(np.full(size, np.asarray(fill_value).astype(npd), dtype=npd), requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``arange(n)`` = 0..n−1. Con argumentos enteros el resultado es int64; con alguno decimal, float32.
    Con un dtype entero y argumentos decimales, como PyTorch: start y step se truncan (y para int64
    también end, antes de contar los elementos)."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, TensorBase) else v for v in (start, end, step)]
    if dtype is not None:
        npd = D.np_dtype(dtype)
    elif all(isinstance(v, (numbers.Integral, np.integer)) for v in vals):
        npd = np.dtype(np.int64)
    else:
        npd = D.get_default_dtype().np
    if npd == np.bool_:
        raise NotImplementedError("arange no está definida para el dtype bool (tampoco en PyTorch)")
    a, b, s = vals
    if s == 0:
        raise RuntimeError("arange: step debe ser distinto de 0")
    if (b - a) * s < 0:
        raise RuntimeError(f"arange: el límite superior y el paso no son coherentes "
                           f"(start={vals[0]}, end={vals[1]}, step={vals[2]})")
    if npd == np.int64:  # PyTorch trunca los tres antes de contar
        a, b, s = int(a), int(b), int(s)
        if s == 0:
            raise ValueError(f"arange: step = {vals[2]} truncado a int64 vale 0")
    n = max(int(np.ceil((b - a) / s)), 0)
    if npd.kind in "iu":
        out = int(a) + np.arange(n, dtype=np.int64) * int(s)
    else:
        out = np.arange(*vals, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finish(out.astype(npd), requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` valores equiespaciados de ``start`` a ``end`` (incluidos); con un dtype entero, como
    PyTorch: start y end se convierten antes al dtype (se truncan; un negativo da la vuelta en uint8 y lo
    que no cabe es un error) y cada valor se calcula en coma flotante desde el extremo más cercano."""
    if int(steps) < 0:
        raise RuntimeError(f"linspace: steps debe ser ≥ 0, no {steps}")
    npd = _float_dtype(dtype)
    if npd == np.bool_:
        raise NotImplementedError("linspace no está definida para el dtype bool (tampoco en PyTorch)")
    start, end = (v.item() if isinstance(v, TensorBase) else v for v in (start, end))
    if npd.kind in "iu":
        return _finish(_int_linspace(start, end, int(steps), npd), requires_grad, device)
    with np.errstate(over="ignore", invalid="ignore"):
        return _finish(np.linspace(start, end, int(steps)).astype(npd), requires_grad, device)


def _int_linspace(start, end, steps: int, npd: np.dtype) -> np.ndarray:
    """El algoritmo de PyTorch para dtypes enteros: extremos en el dtype, paso en float64, la primera
    mitad desde start y la segunda desde end."""
    check_fits([start, end], npd)
    a, b = (np.asarray(int(v)).astype(npd).item() for v in (start, end))  # int(): trunca hacia 0
    if steps <= 1:
        return np.full(steps, a, dtype=npd)
    step = (float(b) - float(a)) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    vals = np.where(i < steps // 2, a + step * i, b - step * (steps - 1 - i))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.trunc(vals).astype(np.int64).astype(npd)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.logspace(start, end, int(steps), base=base).astype(_float_dtype(dtype)),
                   requires_grad, device)


def _tri_indices(np_fn, op, row, col, offset, dtype, device):
    for name, v in (("row", row), ("col", col)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise RuntimeError(f"{op}: {name} debe ser un entero ≥ 0, no {v!r}")
    npd = np.dtype(np.int64) if dtype is None else D.np_dtype(dtype)
    if npd.kind not in "iu":
        raise RuntimeError(f"{op}: dtype debe ser entero, no {D.as_dtype(dtype)}")
    return _finish(np.stack(np_fn(int(row), int(offset), int(col))).astype(npd).reshape(2, -1), False, device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None) -> Tensor:
    """Índices (2, N) (filas y columnas, en orden de filas) del triángulo inferior de una matriz
    ``row``×``col`` (con ``offset``, la diagonal de referencia se desplaza). Ejemplo: la máscara
    causal de la atención. En PyTorch: ``torch.tril_indices``."""
    return _tri_indices(np.tril_indices, "tril_indices", row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None) -> Tensor:
    """Índices (2, N) del triángulo superior de una matriz ``row``×``col``. En PyTorch:
    ``torch.triu_indices``."""
    return _tri_indices(np.triu_indices, "triu_indices", row, col, offset, dtype, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def _random_float(dtype, op) -> np.dtype:
    npd = _float_dtype(dtype)
    if npd.kind not in "fc":  # PyTorch: "normal_kernel_cpu" not implemented for 'Long'
        raise NotImplementedError(f"{op} sólo genera números de coma flotante, no {D.as_dtype(dtype)}; para "
                                  f"enteros usa randint")
    return npd


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniforme en [0, 1)."""
    r = default_rng(generator)
    npd = _random_float(dtype, "rand")
    return _finish(r.random(_size(size)).astype(npd), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Normal estándar N(0, 1)."""
    r = default_rng(generator)
    npd = _random_float(dtype, "randn")
    return _finish(r.standard_normal(_size(size)).astype(npd), requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Enteros uniformes en [low, high) (int64); ``randint(high, size)`` también vale."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint necesita high y size: randint(low, high, size) o randint(high, size)")
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"randint: se necesita low < high (low={low}, high={high})")
    r = default_rng(generator)
    npd = D.np_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    return _finish(r.integers(low, high, _size((size,) if isinstance(size, int) else (tuple(size),)))
                   .astype(npd), requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    r = default_rng(generator)
    npd = D.np_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    return _finish(r.permutation(int(n)).astype(npd), requires_grad, device)


def _like(t, dtype):
    a = t._data if isinstance(t, TensorBase) else np.asarray(t)
    return a.shape, (D.np_dtype(dtype) if dtype is not None else a.dtype)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape, npd = _like(input, dtype)
    return _finish(np.zeros(shape, npd), requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape, npd = _like(input, dtype)
    return _finish(np.ones(shape, npd), requires_grad, device)


empty_like = zeros_like


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape, npd = _like(input, dtype)
    return _finish(np.full(shape, fill_value, npd), requires_grad, device)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape, npd = _like(input, dtype)
    return _finish(default_rng(generator).random(shape).astype(npd), requires_grad, device)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    shape, npd = _like(input, dtype)
    return _finish(default_rng(generator).standard_normal(shape).astype(npd), requires_grad, device)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None) -> Tensor:
    if high is None:
        low, high = 0, low
    shape, npd = _like(input, dtype)
    return _finish(default_rng(generator).integers(low, high, shape).astype(npd), False, device)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def typename(obj, /) -> str:
    """El nombre de tipo de ``obj``, como ``torch.typename``: ``'torch.FloatTensor'`` para un tensor float32
    (lo mismo que ``x.type()``), ``'módulo.Clase'`` para otros objetos (``'int'`` para los de Python).

    Ejemplo:
        >>> torch.typename(torch.zeros(2)), torch.typename(3)
        ('torch.FloatTensor', 'int')
    """
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if qualname is None:
        module, qualname = obj.__class__.__module__ or "", obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def numel(input) -> int:
    return input.numel()
