"""``tinygrad_es.linalg`` (como ``torch.linalg``): lo básico de álgebra lineal de las derivaciones de
los apuntes, con gradiente: ``inv``, ``det``, ``solve``, ``norm``, ``vector_norm``, ``matrix_norm``,
``cross``, ``matmul``.

Todas admiten lotes de matrices (forma (..., n, n)) y exigen coma flotante, como PyTorch.
"""
from __future__ import annotations

import numpy as np

from ._tensor import Tensor
from ._tensor_reduce import linalg_norm as norm, matrix_norm, vector_norm
from .autograd import TensorBase
from .ops import linalg as LA

__all__ = ["inv", "det", "solve", "norm", "vector_norm", "matrix_norm", "cross", "matmul", "LinAlgError"]


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


def inv(A) -> Tensor:
    """A⁻¹ (lanza ``LinAlgError`` si A es singular)."""
    _square(A, "inv")
    return _run(LA.Inv, A)


def det(A) -> Tensor:
    """det(A); el gradiente es adj(A)ᵀ, correcto también si A es singular."""
    _square(A, "det")
    return LA.Det.apply(A)


def solve(A, B, *, left=True) -> Tensor:
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


def cross(input, other, *, dim=-1) -> Tensor:
    """Producto vectorial a lo largo de ``dim`` (por defecto el último eje)."""
    return input.cross(other, dim=dim)


def matmul(input, other) -> Tensor:
    """Producto matricial (``@``)."""
    return input @ other
