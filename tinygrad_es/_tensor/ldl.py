"""La factorización LDLᵀ de ``torch.linalg`` para matrices simétricas (indefinidas también, donde
Cholesky no vale): ``ldl_factor_ex``, ``ldl_factor`` y ``ldl_solve``. El algoritmo (Bunch-Kaufman,
el de LAPACK ``sytrf``/``sytrs`` que usa PyTorch) está en ``ops/ldl.py``. Como en PyTorch, no
tienen derivada (pedirla es ``RuntimeError``) y sólo se lee el triángulo inferior de A.

    >>> LD, piv = torch.linalg.ldl_factor(A)          # A simétrica
    >>> X = torch.linalg.ldl_solve(LD, piv, B)         # A·X = B
"""
from __future__ import annotations

import numpy as np

from .. import return_types as RT
from ..autograd import TensorBase
from ..ops import householder as H
from ..ops import ldl as K
from .decompositions import _matrix
from .out import write_out

__all__ = ["ldl_factor_ex", "ldl_factor", "ldl_solve"]


def _result(value, inputs, op):
    """``value`` como tensor; si alguna entrada pide gradiente, con un nodo cuyo backward es el error de PyTorch."""
    grad = [t for t in inputs if isinstance(t, TensorBase) and t.requires_grad]
    if not grad:
        return TensorBase._wrap(value)
    return H.NoDerivative.apply(grad[0], value=value, name=op, error=RuntimeError)


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """``(LD, pivots, info)``: A = P·L·D·Lᵀ·Pᵀ con L triangular inferior de diagonal 1 y D diagonal por
    bloques 1×1 y 2×2 (pivoteo de Bunch-Kaufman). ``LD`` guarda L bajo la diagonal y D en ella;
    ``pivots`` (int32, base 1) como LAPACK (negativos los de un bloque 2×2); ``info`` el primer
    pivote nulo (0 si no hay). ``hermitian`` sólo cambia algo con complejos (aquí, reales). En
    PyTorch: ``torch.linalg.ldl_factor_ex``."""
    op = "linalg.ldl_factor_ex"
    _matrix(A, "ldl_factor_ex")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A debe ser un (lote de) matrices cuadradas, y son {A.shape[-2]}×{A.shape[-1]}")
    LD, piv, info = K.ldl_factor_array(A._data)
    if check_errors and (info != 0).any():
        raise RuntimeError(f"{op}: la matriz es singular: el pivote {int(info.reshape(-1)[info.reshape(-1) != 0][0])} "
                           f"de D es 0 (usa check_errors=False y mira info)")
    res = RT.linalg_ldl_factor_ex(_result(LD, (A,), "ldl_factor"), TensorBase._wrap(piv), TensorBase._wrap(info))
    return res if out is None else write_out("ldl_factor_ex", out, res)


def ldl_factor(A, *, hermitian=False, out=None):
    """``(LD, pivots)`` de ``ldl_factor_ex``; si D tiene un pivote nulo (A singular), ``RuntimeError``.
    En PyTorch: ``torch.linalg.ldl_factor``.

    >>> torch.linalg.ldl_factor(torch.tensor([[0., 1.], [1., 0.]])).pivots   # tensor([-2, -2]): un bloque 2×2
    """
    LD, piv, info = ldl_factor_ex(A, hermitian=hermitian, check_errors=True)
    res = RT.linalg_ldl_factor(LD, piv)
    return res if out is None else write_out("ldl_factor", out, res)


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """X con A·X = B, dada la LDLᵀ de A de ``ldl_factor`` (lotes con broadcasting). Sin derivada, como
    en PyTorch. En PyTorch: ``torch.linalg.ldl_solve``."""
    op = "torch.linalg.ldl_solve"
    _matrix(LD, "ldl_solve")
    _matrix(B, "ldl_solve")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"{op}: tamaños incompatibles: cada matriz A es {n}×{n} y cada B tiene {B.shape[-2]} filas")
    if B._data.dtype != LD._data.dtype:
        raise RuntimeError(f"{op}: B ({B.dtype}) y A ({LD.dtype}) deben tener el mismo dtype")
    if not isinstance(pivots, TensorBase) or pivots._data.dtype != np.int32:
        raise RuntimeError(f"{op}: pivots debe ser un tensor int32 (el de ldl_factor)")
    X = K.ldl_solve_array(LD._data, pivots._data, B._data)
    res = _result(X, (LD, B), "ldl_solve")
    return res if out is None else write_out("ldl_solve", out, res)
