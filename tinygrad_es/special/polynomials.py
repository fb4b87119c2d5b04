"""Los polinomios ortogonales de ``torch.special``: Chebyshev (T, U, V, W y sus versiones desplazadas a
[0, 1]), Hermite (H de los físicos, He de los probabilistas), Laguerre y Legendre, evaluados en ``x``
con grado ``n`` (tensores o números, con broadcasting).

Cada uno por su recurrencia de tres términos (la de los libros), en float64, y redondeado al dtype del
resultado. Como en PyTorch: grado negativo → 0, y no tienen derivada (pedirla es un error).

    T₀ = 1, T₁ = x,  Tₖ₊₁ = 2x·Tₖ − Tₖ₋₁          Hₖ₊₁ = 2x·Hₖ − 2k·Hₖ₋₁ (H₁ = 2x)
    U₁ = 2x,  V₁ = 2x − 1,  W₁ = 2x + 1 (misma recurrencia que T)
    Heₖ₊₁ = x·Heₖ − k·Heₖ₋₁         (k+1)·Lₖ₊₁ = (2k + 1 − x)·Lₖ − k·Lₖ₋₁ (L₁ = 1 − x)
    (k+1)·Pₖ₊₁ = (2k + 1)·x·Pₖ − k·Pₖ₋₁
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from .._tensor.out import write_out

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
           "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"]


def _chebyshev_first(x):
    return {"t": x, "u": 2 * x, "v": 2 * x - 1, "w": 2 * x + 1}


def _step(kind, k, x, p, q):
    """El término k + 1 a partir de p = (k − 1) y q = k."""
    if kind in ("t", "u", "v", "w"):
        return 2 * x * q - p
    if kind == "h":
        return 2 * x * q - 2 * k * p
    if kind == "he":
        return x * q - k * p
    if kind == "l":
        return ((2 * k + 1 - x) * q - k * p) / (k + 1)
    return ((2 * k + 1) * x * q - k * p) / (k + 1)   # Legendre


def _first(kind, x):
    if kind in ("t", "u", "v", "w"):
        return _chebyshev_first(x)[kind]
    return {"h": 2 * x, "he": x, "l": 1 - x, "p": x}[kind]


def _evaluate(kind, x, n):
    x, n = np.broadcast_arrays(x, np.trunc(np.asarray(n, dtype=np.float64)))
    out = np.where(n == 0, 1.0, 0.0)
    if out.size == 0 or not (n >= 1).any():
        return out
    prev, cur = np.ones_like(x), _first(kind, x)
    out = np.where(n == 1, cur, out)
    for k in range(1, int(n.max())):
        prev, cur = cur, _step(kind, k, x, prev, cur)
        out = np.where(n == k + 1, cur, out)
    return out


def _polynomial(name, kind, shift=False):
    def fn(input, n, *, out=None):
        if not (isinstance(input, TensorBase) or isinstance(n, TensorBase)):
            raise TypeError(f"special.{name}(): al menos uno de los dos argumentos debe ser un Tensor (como en "
                            f"PyTorch), y son {type(input).__name__} y {type(n).__name__}")
        xs = input._data if isinstance(input, TensorBase) else np.asarray(input)
        ns = n._data if isinstance(n, TensorBase) else np.asarray(n)
        if xs.dtype.kind not in "fiub" or ns.dtype.kind not in "fiub":
            raise RuntimeError(f"special.{name}: se esperaban números reales, no {xs.dtype} y {ns.dtype}")
        dtype = D.result_type(input, n) if isinstance(input, TensorBase) or isinstance(n, TensorBase) else xs.dtype
        dtype = D.float_result(np.dtype(dtype))
        x = xs.astype(np.float64)
        res = _evaluate(kind, 2 * x - 1 if shift else x, ns)
        t = TensorBase._wrap(np.asarray(res, dtype=dtype))
        return t if out is None else write_out(name, out, t)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"``{name}(input, n)``: el polinomio {'desplazado a [0, 1] ' if shift else ''}de grado ``n`` en "
                  f"``input`` (véase el docstring del módulo). En PyTorch: ``torch.special.{name}``.")
    return fn


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", "t")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", "u")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", "v")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", "w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t", "t", shift=True)
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u", "u", shift=True)
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v", "v", shift=True)
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w", "w", shift=True)
hermite_polynomial_h = _polynomial("hermite_polynomial_h", "h")
hermite_polynomial_he = _polynomial("hermite_polynomial_he", "he")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", "l")
legendre_polynomial_p = _polynomial("legendre_polynomial_p", "p")
