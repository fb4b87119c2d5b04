"""La factorización LU con pivoteo parcial (la de LAPACK ``getrf``, la que usa PyTorch) y su derivada,
y la exponencial de una matriz.

``lu_factor`` recorre las columnas: en cada una elige como pivote la fila de mayor |valor| (la primera
si hay empate, como ``idamax``), la sube, divide la columna por el pivote y resta el producto exterior
al resto (Gauss). El resultado es ``LU`` (L estrictamente por debajo de la diagonal, con unos
implícitos; U en y sobre ella) y los ``pivots`` de LAPACK (base 1: en el paso i se cambió la fila i por
la ``pivots[i]``). Un pivote 0 no se divide: ``info`` dice el primero (base 1), como LAPACK.
"""
import numpy as np

from ..autograd import ArrayFunction

__all__ = ["lu_factor_array", "LUFactor", "MatrixExp", "expm"]


def _t(a):
    return np.swapaxes(a, -1, -2)


def lu_factor_array(a):
    """``(LU, pivots, info)`` de ``a`` (..., m, n) con pivoteo parcial; ``pivots`` int32 de base 1."""
    *batch, m, n = a.shape
    k = min(m, n)
    nb = int(np.prod(batch))
    lu = np.array(a, dtype=a.dtype).reshape(nb, m, n)
    piv = np.zeros((nb, k), np.int32)
    info = np.zeros(nb, np.int32)
    b = np.arange(nb)
    with np.errstate(all="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            row = lu[b, j].copy()
            lu[b, j] = lu[b, p]
            lu[b, p] = row
            pivot = lu[:, j, j]
            zero = pivot == 0
            info[(info == 0) & zero] = j + 1
            lu[:, j + 1:, j] /= np.where(zero, 1, pivot)[:, None]
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, None, j, j + 1:]
    return lu.reshape(a.shape), piv.reshape(tuple(batch) + (k,)), info.reshape(tuple(batch))


def permutation(piv, m):
    """La permutación de filas de los ``pivots``: ``A[perm] = L·U``."""
    *batch, k = piv.shape
    nb = int(np.prod(batch))   # no -1: con m = 0 o k = 0 reshape no sabría deducirlo
    perm = np.broadcast_to(np.arange(m), tuple(batch) + (m,)).copy().reshape(nb, m)
    p = piv.reshape(nb, k) - 1
    b = np.arange(perm.shape[0])
    for i in range(k):
        a, c = perm[b, i].copy(), perm[b, p[:, i]].copy()
        perm[b, i], perm[b, p[:, i]] = c, a
    return perm.reshape(tuple(batch) + (m,))


def _square_backward(l, u, gl, gu):
    """Ā de A = L·U cuadrada (sin P): L⁻ᵀ·[tril(Lᵀ·L̄, −1) + triu(Ū·Uᵀ)]·U⁻ᵀ."""
    phi = np.tril(_t(l) @ gl, -1) + np.triu(gu @ _t(u))
    x = np.linalg.solve(_t(l), phi)
    return _t(np.linalg.solve(u, _t(x)))


class LUFactor(ArrayFunction):
    """``LU`` (L y U en una matriz) de A = P·L·U (``lu``/``pivots``: los de ``lu_factor_array`` si ya se
    calcularon).

    Derivada (con L̄ = tril(Ḡ, −1), Ū = triu(Ḡ)): cuadrada, Ā = P·L⁻ᵀ·[tril(LᵀL̄, −1) + triu(ŪUᵀ)]·U⁻ᵀ;
    ancha (U = [U₁ U₂]): Ā₂ = P·L⁻ᵀ·Ū₂ y la parte cuadrada con L̄ − L⁻ᵀŪ₂U₂ᵀ; alta (L = [L₁; L₂]):
    Ā₂ = L̄₂·U⁻ᵀ y la parte cuadrada con Ū − L₂ᵀL̄₂U⁻ᵀ."""

    @staticmethod
    def forward(ctx, a, lu=None, pivots=None):
        if lu is None:
            lu, pivots, _ = lu_factor_array(a)
        ctx.pivots = pivots
        ctx.save_for_backward(lu)
        return lu

    @staticmethod
    def backward(ctx, g):
        (lu,) = ctx.saved_tensors
        m, n = lu.shape[-2:]
        k = min(m, n)
        eye = np.eye(m, k, dtype=lu.dtype)
        l = np.tril(lu[..., :, :k], -1) + eye
        u = np.triu(lu[..., :k, :])
        gl, gu = np.tril(g[..., :, :k], -1), np.triu(g[..., :k, :])
        if m < n:
            u1, u2, gu1, gu2 = u[..., :, :m], u[..., :, m:], gu[..., :, :m], gu[..., :, m:]
            g2 = np.linalg.solve(_t(l), gu2)                       # L⁻ᵀ·Ū₂
            ga = np.concatenate([_square_backward(l, u1, gl - np.tril(g2 @ _t(u2), -1), gu1), g2], axis=-1)
        elif m > n:
            l1, l2, gl1, gl2 = l[..., :n, :], l[..., n:, :], gl[..., :n, :], gl[..., n:, :]
            g2 = _t(np.linalg.solve(u, _t(gl2)))                   # L̄₂·U⁻ᵀ
            ga = np.concatenate([_square_backward(l1, u, gl1, gu - np.triu(_t(l2) @ g2)), g2], axis=-2)
        else:
            ga = _square_backward(l, u, gl, gu)
        perm = permutation(ctx.pivots, m)
        out = np.empty_like(ga)
        np.put_along_axis(out, np.broadcast_to(perm[..., :, None], ga.shape), ga, axis=-2)   # P·(filas de Ā en el orden de LU)
        return out


def expm(a):
    """e^A por escalado y cuadrados con la serie de Taylor (‖A/2ˢ‖₁ ≤ ½, 18 términos: error < ε)."""
    norm = np.abs(a).sum(axis=-2).max(axis=-1, initial=0.0) if a.size else np.zeros(a.shape[:-2])
    s = int(max(0, np.ceil(np.log2(max(float(np.max(norm, initial=0.0)), 1e-300) / 0.5)))) if a.size else 0
    x = a / (2.0 ** s)
    n = a.shape[-1]
    term = np.broadcast_to(np.eye(n, dtype=a.dtype), a.shape).copy()
    out = term.copy()
    for i in range(1, 19):
        term = term @ x / i
        out += term
    for _ in range(s):
        out = out @ out
    return out


class MatrixExp(ArrayFunction):
    """e^A = Σ Aᵏ/k!. Derivada (Fréchet, como PyTorch): Ā es el bloque de arriba a la derecha de
    exp([[Aᵀ, Ḡ], [0, Aᵀ]])."""

    @staticmethod
    def forward(ctx, a):
        out = expm(a.astype(np.float64)).astype(a.dtype)  # float32: en float64 y redondeado una vez
        ctx.save_for_backward(a)
        return out

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        at = _t(a).astype(np.float64)
        big = np.zeros(a.shape[:-2] + (2 * n, 2 * n))
        big[..., :n, :n] = at
        big[..., n:, n:] = at
        big[..., :n, n:] = g
        return expm(big)[..., :n, n:].astype(a.dtype)
