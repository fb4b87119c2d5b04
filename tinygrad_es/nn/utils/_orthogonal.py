"""``parametrizations.orthogonal``: un peso que es siempre una matriz ortogonal (QᵀQ = I), o
semiortogonal si no es cuadrada (columnas ortonormales si es alta, filas si es ancha).

Tres mapas de una matriz libre X (la que se entrena) a una ortogonal Q, como en PyTorch:

* ``"matrix_exp"``: A = tril(X) − tril(X)ᵀ es antisimétrica y Q = exp(A) es ortogonal;
* ``"cayley"``: Q = (I − A/2)⁻¹ (I + A/2), la retracción de Cayley (más barata que la exponencial);
* ``"householder"``: Q = H₁ H₂ ⋯ H_k con reflexiones Hᵢ = I − τᵢ vᵢ vᵢᵀ formadas con las columnas de
  tril(X, −1) (el producto de ``linalg.householder_product``), con los signos de la diagonal de X.

Con ``use_trivialization=True`` (por defecto) Q se multiplica por una matriz ortogonal fija
``base`` (un buffer): asignar ``modulo.weight = Q₀`` guarda Q₀ en ``base`` y pone X en el punto
que da la identidad, así el optimizador se mueve "alrededor" de Q₀ (Lezcano-Casado, 2019).

Derivada: Q es una composición de operaciones de ``Tensor`` (``matrix_exp``, ``solve``, productos),
así que ∂L/∂X sale del motor.
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import cat
from ...autograd import no_grad
from ...linalg import matrix_exp, solve
from ..module import Module

__all__ = ["orthogonal_forward", "_Orthogonal", "MAPS"]

MAPS = ("matrix_exp", "cayley", "householder")


def _householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """Las k primeras columnas de H₁⋯H_k, Hᵢ = I − τᵢ vᵢ vᵢᵀ, vᵢ = (0,…,0, 1, A[i+1:, i])
    (A: ``(…, n, k)``). Se compone con operaciones de ``Tensor`` (derivable respecto de A y τ)."""
    n, k = A.shape[-2], A.shape[-1]
    eye = np.eye(n, k, dtype=A._data.dtype)
    q = Tensor._wrap(np.broadcast_to(eye, tuple(A.shape[:-2]) + (n, k)).copy())
    unit = np.zeros((n, k), dtype=A._data.dtype)
    below = np.tril(np.ones((n, k), dtype=A._data.dtype), -1)
    unit[np.arange(k), np.arange(k)] = 1
    V = A * Tensor._wrap(below) + Tensor._wrap(unit)        # columnas vᵢ
    for i in reversed(range(k)):                              # Q ← Hᵢ Q, de la última a la primera
        v = V[..., :, i:i + 1]
        q = q - tau[..., i:i + 1].unsqueeze(-1) * (v @ (v.mT @ q))
    return q


def _make_orthogonal(A: Tensor) -> Tensor:
    """El factor Q de A = QR con diag(R) ≥ 0 (A alta), sin grafo."""
    q, r = np.linalg.qr(A._data)
    s = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    s[s == 0] = 1
    return Tensor._wrap(q * s[..., None, :])


def _is_orthogonal(Q: Tensor) -> bool:
    n, k = Q.shape[-2], Q.shape[-1]
    eps = 10.0 * n * np.finfo(Q._data.dtype).eps
    q = Q._data
    return bool(np.allclose(np.swapaxes(q, -1, -2) @ q, np.eye(k), atol=eps, rtol=1e-5))


def orthogonal_forward(X: Tensor, orthogonal_map: str, base) -> Tensor:
    """La matriz (semi)ortogonal que da ``X`` con el mapa ``orthogonal_map`` (y ``base`` si no es ``None``)."""
    n, k = X.shape[-2], X.shape[-1]
    transposed = n < k
    if transposed:
        X = X.mT
        n, k = k, n
    if orthogonal_map in ("matrix_exp", "cayley"):
        X = X.tril()
        if n != k:
            X = cat([X, X.new_zeros(tuple(X.shape[:-2]) + (n, n - k))], dim=-1)
        A = X - X.mH
        if orthogonal_map == "matrix_exp":
            Q = matrix_exp(A)
        else:
            eye = Tensor._wrap(np.eye(n, dtype=A._data.dtype))
            Q = solve(eye - 0.5 * A, eye + 0.5 * A)
        if n != k:
            Q = Q[..., :k]
    else:
        A = X.tril(diagonal=-1)
        tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
        Q = _householder_product(A, tau)
        Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
    if base is not None:
        Q = base @ Q
    return Q.mT if transposed else Q


class _Orthogonal(Module):
    """La parametrización de ``orthogonal`` (el mismo nombre que en PyTorch, también en el ``repr``)."""

    def __init__(self, weight: Tensor, orthogonal_map: str, *, use_trivialization: bool = True):
        super().__init__()
        if weight.dtype.is_complex and orthogonal_map == "householder":
            raise ValueError("la parametrización householder no admite tensores complejos")
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        return orthogonal_forward(X, self.orthogonal_map, self.__dict__.get("base"))

    def right_inverse(self, Q):
        if tuple(Q.shape) != self.shape:
            raise ValueError(f"se esperaba una matriz (o lote de matrices) de forma {self.shape}, no {tuple(Q.shape)}")
        with no_grad():
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if "base" not in self.__dict__:
                if self.orthogonal_map != "householder":
                    raise NotImplementedError("con use_trivialization=False no se puede asignar el peso en los mapas "
                                              "matrix_exp y cayley")
                h, tau = np.linalg.qr(Q._data, mode="raw") if Q.dim() == 2 else (None, None)
                if h is None:
                    raise NotImplementedError("householder sin trivialización: sólo matrices 2-D")
                a = np.ascontiguousarray(h.T)
                d = np.sign(np.diagonal(a)).copy()
                d[tau == 0.0] *= -1
                a[np.arange(k), np.arange(k)] = d
                a = Tensor._wrap(a.astype(Q._data.dtype))
                return a.mT if transpose else a
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                N = Q.new_empty(tuple(Q.shape[:-2]) + (n, n - k)).normal_()
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            neg_id = np.zeros(tuple(Q_init.shape), dtype=Q_init._data.dtype)
            idx = np.arange(min(neg_id.shape[-2:]))
            neg_id[..., idx, idx] = -1.0
            return Tensor._wrap(neg_id)
