"""Las reflexiones de Householder de ``torch``: ``geqrf`` (la QR compacta de LAPACK, sin derivada),
``linalg.householder_product`` (= ``orgqr``: las n primeras columnas de Q = H₁·…·Hₖ) y ``ormqr``
(Q·C, Qᵀ·C, C·Q o C·Qᵀ sin formar Q).

Con vᵢ = (0, …, 0, 1, A[i+1:, i]) y Hᵢ = I − τᵢ·vᵢ·vᵢᵀ, aplicar Hᵢ a una matriz X es
X − vᵢ·(τᵢ·(vᵢᵀ·X)) (por la izquierda) o X − ((X·vᵢ)·τᵢ)·vᵢᵀ (por la derecha): un producto matriz-vector
y uno exterior, sin construir Hᵢ. Todo con operaciones de ``Tensor``: las derivadas respecto de A, τ
y C (y las segundas) salen de la regla de la cadena. Sólo reales (como el resto de ``linalg`` aquí).
Con float32 se calcula en float64 y se redondea al final: la cadena de k reflexiones acumula redondeos
(medido: 2·10⁻⁵ relativo en el gradiente de una 5×4 en float32, fuera de la tolerancia de PyTorch).

    >>> a, tau = torch.geqrf(A)
    >>> Q = torch.linalg.householder_product(a, tau)      # = torch.linalg.qr(A).Q
"""
from __future__ import annotations

import numpy as np

from .. import return_types as RT
from ..autograd import TensorBase
from ..ops import householder as H
from .decompositions import _matrix
from .joins import where
from .out import write_out

__all__ = ["geqrf", "householder_product", "ormqr"]


def _true(like):
    return TensorBase._wrap(np.ones((), bool))


def _eye(m, n, like):
    return TensorBase._wrap(np.eye(m, n, dtype=like._data.dtype))


def geqrf(input, *, out=None):
    """``(a, tau)``: la QR de ``input`` (..., m, n) en la forma compacta de LAPACK (R en y sobre la
    diagonal de ``a``; debajo, los vectores de Householder; ``tau`` (..., min(m, n)) sus
    coeficientes). Sin derivada, como en PyTorch (``NotImplementedError`` en el backward). En
    PyTorch: ``torch.geqrf`` / ``Tensor.geqrf``.

    >>> torch.geqrf(torch.tensor([[3., 1.], [4., 2.]])).tau   # tensor([1.6000, 0.0000])
    """
    _matrix(input, "geqrf")
    a, tau = H.geqrf_array(input._data)
    if input.requires_grad:
        res = RT.geqrf(H.NoDerivative.apply(input, value=a, name="geqrf"),
                       H.NoDerivative.apply(input, value=tau, name="geqrf"))
    else:
        res = RT.geqrf(TensorBase._wrap(a), TensorBase._wrap(tau))
    return res if out is None else write_out("geqrf", out, res)


def _reflectors(A, tau, op):
    """Los vᵢ en columnas (..., m, k), con el 1 de cada uno en la diagonal, tras comprobar τ."""
    _matrix(A, op)
    if not isinstance(tau, TensorBase):
        raise TypeError(f"{op}: tau debe ser un Tensor, no {type(tau).__name__}")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(f"{op}: tau debe tener una dimensión menos que la entrada, pero tau.ndim = {tau.ndim} "
                           f"y input.ndim = {A.ndim}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{op}: las dimensiones de lote de tau {tuple(tau.shape[:-1])} deben ser las de la "
                           f"entrada {tuple(A.shape[:-2])}")
    if tau._data.dtype != A._data.dtype:
        raise RuntimeError(f"{op}: tau ({tau.dtype}) y la entrada ({A.dtype}) deben tener el mismo dtype")
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    if k > n:
        raise RuntimeError(f"{op}: input.shape[-1] ({n}) debe ser ≥ tau.shape[-1] ({k})")
    return A[..., :, :k].tril(-1) + _eye(m, k, A), k


def _apply(V, tau, X, order, left):
    for i in order:
        v = V[..., :, i:i + 1]
        t = tau[..., i:i + 1].unsqueeze(-1)
        X = X - v @ (t * (v.mT @ X)) if left else X - ((X @ v) * t) @ v.mT
    return X


def householder_product(A, tau, *, out=None):
    """Las n primeras columnas de Q = H₁·H₂·…·Hₖ, Hᵢ = I − τᵢ·vᵢ·vᵢᵀ, con los vᵢ bajo la diagonal de
    ``A`` (..., m, n), m ≥ n ≥ k = ``tau.shape[-1]`` (el ``orgqr`` de LAPACK; con ``geqrf`` da la Q
    de la QR). Se aplican las Hᵢ de la última a la primera a I (m×n). Derivadas respecto de A y τ:
    las de esos productos. En PyTorch: ``torch.linalg.householder_product`` / ``torch.orgqr``.

    >>> a, tau = torch.geqrf(torch.tensor([[3., 1.], [4., 2.]]))
    >>> torch.linalg.householder_product(a, tau)   # tensor([[-0.6000, -0.8000], [-0.8000, 0.6000]])
    """
    op = "linalg.householder_product"
    _matrix(A, op)
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] ({m}) debe ser ≥ input.shape[-1] ({n})")
    V, k = _reflectors(A, tau, op)
    # I (m×n) atada a A con derivada 0 (where), para que el resultado tenga grafo también con k = 0
    X = where(_true(A), _eye(m, n, A), A)
    res = _apply(V.double(), tau.double(), X.double(), range(k - 1, -1, -1), True).to(A.dtype)
    return res if out is None else write_out("householder_product", out, res)


def ormqr(input, input2, input3, left=True, transpose=False, *, out=None):
    """Q·C (``left``), Qᵀ·C (``transpose``), C·Q o C·Qᵀ (``left=False``) con Q = H₁·…·Hₖ (m×m) dada en
    la forma de ``geqrf`` (``input`` (..., m, n), τ = ``input2``) y C = ``input3``, sin formar Q: cada
    Hᵢ se aplica con un producto matriz-vector. Derivadas respecto de A, τ y C: las de esos
    productos. En PyTorch: ``torch.ormqr`` / ``Tensor.ormqr``.

    >>> a, tau = torch.geqrf(A);  torch.ormqr(a, tau, B, transpose=True)   # = Qᵀ·B
    """
    op = "ormqr"
    V, k = _reflectors(input, input2, op)
    C = input3
    if not isinstance(C, TensorBase):
        raise TypeError(f"{op}: other debe ser un Tensor, no {type(C).__name__}")
    if C.ndim < 2:
        raise RuntimeError(f"{op}: other debe tener al menos 2 dimensiones, y tiene {C.ndim}")
    if C._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}: other ({C.dtype}) y la entrada ({input.dtype}) deben tener el mismo dtype")
    m = input.shape[-2]
    side = C.shape[-2] if left else C.shape[-1]
    if side != m:
        raise RuntimeError(f"{op}: other.shape[{-2 if left else -1}] ({side}) debe ser igual a input.shape[-2] ({m})")
    if k > m:
        raise RuntimeError(f"{op}: tau.shape[-1] ({k}) debe ser ≤ input.shape[-2] ({m})")
    forward = range(k)            # H₁ primero: Qᵀ·C = Hₖ·…·H₁·C y C·Q = C·H₁·…·Hₖ
    backward = range(k - 1, -1, -1)
    res = _apply(V.double(), input2.double(), C.double(), (forward if transpose else backward) if left else (backward if transpose else forward),
                 left).to(C.dtype)
    return res if out is None else write_out("ormqr", out, res)
