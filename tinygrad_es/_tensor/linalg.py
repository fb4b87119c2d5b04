"""Reducciones de ``Tensor`` que añade el issue de operadores: ``prod``, ``aminmax``, ``norm`` y las
normas de ``linalg`` (``vector_norm``, ``matrix_norm``, ``norm``), que ``tinygrad_es.linalg`` reexporta.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _dtype as D
from . import return_types as RT
from ._tensor_shape import norm_dims
from .ops import reduce_more as RM

__all__ = ["ReduceMixin", "vector_norm", "matrix_norm", "linalg_norm"]


def _float_input(x, op, dtype=None):
    if dtype is not None:
        x = x.type(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: se esperaba un tensor de coma flotante, y es {x.dtype} (usa .float())")
    return x


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """‖x‖_ord sobre ``dim`` (todos los elementos si es ``None``): ``ord`` = 2, 1, ∞, −∞, 0
    (cuántos ≠ 0) o cualquier real."""
    x = _float_input(x, "linalg.vector_norm", dtype)
    if not isinstance(ord, numbers.Real) or isinstance(ord, bool):
        raise RuntimeError(f"linalg.vector_norm: ord debe ser un número, no {ord!r}")
    axes = norm_dims(dim, x.ndim)
    if x.ndim and any(x.shape[a] == 0 for a in axes) and (ord < 0 or np.isinf(ord)):
        raise RuntimeError(f"linalg.vector_norm: no se puede calcular la norma {ord} de un tensor vacío "
                           f"(la operación no tiene elemento neutro)")
    return RM.VectorNorm.apply(x, ord=float(ord), axis=axes, keepdims=bool(keepdim))


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
    A = _float_input(A, "linalg.matrix_norm", dtype)
    d0, d1 = _two_dims(A, dim, "linalg.matrix_norm")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        moved = A.movedim((d0, d1), (-2, -1))
        out = RM.SpectralNorm.apply(moved, ord=ord)
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


class ReduceMixin:
    __slots__ = ()

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """Producto de los elementos (o a lo largo de ``dim``). Enteros y bool → int64. El
        gradiente es exacto también con ceros."""
        x = self
        if dtype is not None:
            x = x.type(dtype)
        elif x._data.dtype.kind in "biu":
            x = x.type(D.int64)
        if dim is None:
            return RM.Prod.apply(x, axis=norm_dims(None, x.ndim), keepdims=False)
        return RM.Prod.apply(x, axis=(x._dim(dim),) if x.ndim else (), keepdims=bool(keepdim))

    def aminmax(self, *, dim=None, keepdim=False):
        """``(min, max)`` a la vez (tupla con nombre)."""
        if self.numel() == 0:
            raise RuntimeError("aminmax(): no se puede reducir un tensor vacío")
        d = () if dim is None else dim
        return RT.aminmax(self.amin(d, keepdim), self.amax(d, keepdim))

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """``torch.norm``: ``p`` numérico → norma vectorial sobre ``dim`` (todo si es ``None``);
        ``"fro"`` → la de Frobenius; ``"nuc"`` → la nuclear (suma de valores singulares)."""
        if isinstance(dim, numbers.Integral):
            dim = (dim,)
        if p == "fro":
            if dim is not None and len(dim) > 2:
                raise RuntimeError("norm: la norma de Frobenius admite como mucho 2 ejes")
            return vector_norm(self, 2, dim, keepdim, dtype=dtype)
        if p == "nuc":
            return matrix_norm(self, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
        if p is None:
            p = 2
        return vector_norm(self, p, dim, keepdim, dtype=dtype)

    def det(self):
        """Determinante (``torch.linalg.det``)."""
        from .linalg import det
        return det(self)

    def inverse(self):
        """Matriz inversa (``torch.linalg.inv``)."""
        from .linalg import inv
        return inv(self)
