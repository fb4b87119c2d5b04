"""Álgebra lineal de ``torch.linalg`` (``tinygrad_es.linalg`` la reexporta): lo básico de las
derivaciones de los apuntes, con gradiente: ``inv``, ``det``, ``solve``, ``norm``, ``vector_norm``,
``matrix_norm``, ``cross``, ``matmul``.

Todas admiten lotes de matrices (forma (..., n, n)) y exigen coma flotante, como PyTorch.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import TensorBase
from ..ops import linalg as LA, reduce as R
from ._args import float_input, norm_dims
from .joins import where
from .out import write_out

__all__ = ["inv", "det", "solve", "norm", "vector_norm", "matrix_norm", "linalg_norm", "cross", "matmul",
           "LinAlgError", "matrix_power", "multi_dot", "vecdot"]


class LinAlgError(RuntimeError):
    """Error de álgebra lineal (matriz singular...), como ``torch.linalg.LinAlgError``."""


def _square(A, op):
    if not isinstance(A, TensorBase):
        raise TypeError(f"linalg.{op}: la entrada debe ser un Tensor, no {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{op}: la entrada debe tener al menos 2 dimensiones, y tiene {A.ndim}")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{op}: la entrada debe ser (un lote de) matrices cuadradas, y las "
                           f"matrices son {A.shape[-2]}×{A.shape[-1]}")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.{op}: se esperaba un tensor de coma flotante, y es {A.dtype} (usa .float())")


def _run(fn, *args, **kw):
    try:
        return fn.apply(*args, **kw)
    except RuntimeError as e:
        if "singular" in str(e):
            raise LinAlgError(str(e)) from None
        raise


def inv(A):
    """A⁻¹ (lanza ``LinAlgError`` si A es singular)."""
    _square(A, "inv")
    return _run(LA.Inv, A)


def det(A):
    """det(A); el gradiente es adj(A)ᵀ, correcto también si A es singular."""
    _square(A, "det")
    return LA.Det.apply(A)


def solve(A, B, *, left=True):
    """La X de A·X = B (con ``left=False``, la de X·A = B). ``B`` puede ser un vector (n,) o un
    lote de vectores (..., n) si coincide con la forma de A sin el último eje."""
    _square(A, "solve")
    if not isinstance(B, TensorBase):
        raise TypeError(f"linalg.solve: B debe ser un Tensor, no {type(B).__name__}")
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(f"linalg.solve: A y B deben tener el mismo dtype ({A.dtype} y {B.dtype})")
    if not left:
        return solve(A.mT, B.mT).mT
    n = A.shape[-1]
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.ndim < 2 or Bm.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: B de forma {tuple(B.shape)} no encaja con A de forma "
                           f"{tuple(A.shape)} (se esperaba (..., {n}) o (..., {n}, k))")
    try:
        np.broadcast_shapes(A.shape[:-2], Bm.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: los lotes de A {tuple(A.shape)} y B {tuple(B.shape)} no hacen "
                           f"broadcasting") from None
    X = _run(LA.Solve, A, Bm)
    return X.squeeze(-1) if vector else X


def cross(input, other, *, dim=-1):
    """Producto vectorial a lo largo de ``dim`` (por defecto el último eje)."""
    return input.cross(other, dim=dim)


def matmul(input, other):
    """Producto matricial (``@``)."""
    return input @ other


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """‖x‖_ord sobre ``dim`` (todos los elementos si es ``None``): ``ord`` = 2, 1, ∞, −∞, 0
    (cuántos ≠ 0) o cualquier real."""
    x = float_input(x, "linalg.vector_norm", dtype)
    if not isinstance(ord, numbers.Real) or isinstance(ord, bool):
        raise RuntimeError(f"linalg.vector_norm: ord debe ser un número, no {ord!r}")
    axes = norm_dims(dim, x.ndim)
    if x.ndim and any(x.shape[a] == 0 for a in axes) and (ord < 0 or np.isinf(ord)):
        raise RuntimeError(f"linalg.vector_norm: no se puede calcular la norma {ord} de un tensor vacío "
                           f"(la operación no tiene elemento neutro)")
    return LA.VectorNorm.apply(x, ord=float(ord), axis=axes, keepdims=bool(keepdim))


def _two_dims(x, dim, op):
    if x.ndim < 2:
        raise RuntimeError(f"{op}: la entrada debe tener al menos 2 dimensiones, y tiene {x.ndim}")
    if len(dim) != 2:
        raise RuntimeError(f"{op}: dim debe ser una pareja de ejes, no {dim!r}")
    d0, d1 = x._dim(dim[0]), x._dim(dim[1])
    if d0 == d1:
        raise RuntimeError(f"{op}: los dos ejes de dim deben ser distintos ({dim})")
    return d0, d1


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Norma matricial sobre los ejes ``dim``: ``"fro"``, ``"nuc"``, ∞/−∞ (máx./mín. suma de
    filas), 1/−1 (de columnas), 2/−2 (mayor/menor valor singular)."""
    A = float_input(A, "linalg.matrix_norm", dtype)
    d0, d1 = _two_dims(A, dim, "linalg.matrix_norm")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        out = LA.SpectralNorm.apply(moved, ord=ord)
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    if ord in (1, -1, np.inf, -np.inf):
        red, keep = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = A.abs().sum(red, keepdim=True)
        out = s.amax(keep, keepdim=True) if ord > 0 else s.amin(keep, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: ord {ord!r} no válido (usa 'fro', 'nuc', inf, -inf, 1, -1, 2 o -2)")


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: norma vectorial si ``dim`` es un eje, matricial si son dos; sin
    ``dim``, la vectorial 2 de todo (con ``ord``, la entrada debe ser 1-D o 2-D)."""
    if isinstance(dim, numbers.Integral):
        dim = (dim,)
    if dim is not None and len(dim) == 1:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is not None:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: con ord={ord!r} y sin dim la entrada debe ser 1-D o 2-D, y tiene "
                       f"{A.ndim} dimensiones")


norm = linalg_norm


def matrix_power(A, n):
    """Aⁿ para un entero ``n`` (por cuadrados sucesivos; n = 0: la identidad; n < 0: (A⁻¹)^|n|).

    Args:
        A: (lote de) matrices cuadradas ``(..., m, m)``.
        n: entero.

    Derivada: la de los productos de matrices que la componen. En PyTorch:
    ``torch.linalg.matrix_power`` / ``torch.matrix_power``.

    >>> torch.linalg.matrix_power(torch.tensor([[1., 1.], [0., 1.]]), 3)   # tensor([[1., 3.], [0., 1.]])
    """
    if not isinstance(n, (numbers.Integral, np.integer)) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power: n debe ser un entero, no {type(n).__name__}")
    if not isinstance(A, TensorBase):
        raise TypeError(f"linalg.matrix_power: la entrada debe ser un Tensor, no {type(A).__name__}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: la entrada debe ser (un lote de) matrices cuadradas, y tiene "
                           f"forma {tuple(A.shape)}")
    if n == 0:
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), tuple(A.shape)).copy()
        # la identidad, en el grafo de A con derivada 0 (como PyTorch)
        return where(TensorBase._wrap(np.ones(eye.shape, bool)), TensorBase._wrap(eye), A)
    if n < 0:
        A, n = inv(A), -int(n)
    result, base, n = None, A, int(n)
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def multi_dot(tensors, *, out=None):
    """El producto de varias matrices ``A₁ @ A₂ @ … @ Aₖ`` (el primero puede ser un vector fila 1-D y
    el último un vector columna 1-D). Derivada: la de cada producto. En PyTorch:
    ``torch.linalg.multi_dot``.

    >>> torch.linalg.multi_dot([torch.ones(2), torch.eye(2), torch.ones(2)])   # tensor(2.)
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): se esperan al menos 2 tensores, y hay {len(ts)}")
    for i, t in enumerate(ts):
        if t.ndim not in ((1, 2) if i in (0, len(ts) - 1) else (2,)):
            raise RuntimeError(f"multi_dot(): el tensor {i} debe ser 2-D (el primero y el último pueden ser 1-D), "
                               f"y tiene {t.ndim} dimensiones")
    if len({t._data.dtype for t in ts}) > 1:
        raise RuntimeError("multi_dot(): todos los tensores deben tener el mismo dtype")
    res = ts[0]
    for t in ts[1:]:
        res = res @ t
    return res if out is None else write_out("multi_dot", out, res)


def vecdot(x, y, *, dim=-1):
    """El producto escalar de vectores a lo largo de ``dim`` (con broadcasting): Σ xᵢ·yᵢ.
    Derivadas: ∂/∂x = g·y, ∂/∂y = g·x. En PyTorch: ``torch.linalg.vecdot``.

    >>> torch.linalg.vecdot(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([1., 1.]))   # tensor([3., 7.])
    """
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: los dos tensores deben tener el mismo dtype, y son {x.dtype} e {y.dtype}")
    return (x * y).sum(dim)
