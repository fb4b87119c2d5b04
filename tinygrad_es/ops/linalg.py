"""Álgebra lineal básica: inversa, determinante y resolución de sistemas (con lotes).

Los errores de numpy (matriz singular) se traducen a ``RuntimeError`` en castellano, como el
``torch.linalg.LinAlgError`` de PyTorch (que también es un ``RuntimeError``).
"""
import numpy as np

from ..autograd import Function

__all__ = ["Inv", "Det", "Solve", "singular_error"]


def singular_error(op):
    return RuntimeError(f"linalg.{op}: la matriz es singular (no invertible); no se puede completar la "
                        f"operación")


class Inv(Function):
    """X = A⁻¹. ∂L/∂A = −Xᵀ·G·Xᵀ."""

    @staticmethod
    def forward(ctx, a):
        try:
            x = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise singular_error("inv") from None
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xt = np.swapaxes(x, -1, -2)
        return -(xt @ g @ xt)


def _adjugate_t(a):
    """adj(A)ᵀ = ∂det(A)/∂A, válida también para matrices singulares: con A = U·diag(s)·Vᵀ,
    adj(A)ᵀ = det(U)·det(V)·U·diag(Π_{j≠i} s_j)·Vᵀ."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    left = np.ones_like(s)
    right = np.ones_like(s)
    if n > 1:
        left[..., 1:] = np.cumprod(s[..., :-1], axis=-1)
        right[..., :-1] = np.flip(np.cumprod(np.flip(s[..., 1:], -1), axis=-1), -1)
    others = left * right
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * ((u * others[..., None, :]) @ vh)


class Det(Function):
    """det(A). ∂det/∂A = adj(A)ᵀ (= det(A)·A⁻ᵀ si A es invertible); se calcula con la SVD para que
    también sea correcta en matrices singulares."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.det(a), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        if a.shape[-1] == 0:
            return np.zeros_like(a)
        return np.asarray(g)[..., None, None] * _adjugate_t(a)


class Solve(Function):
    """X = A⁻¹·B (``B`` con forma (..., n, k); los vectores llegan como (..., n, 1)).
    ∂L/∂B = A⁻ᵀ·G;  ∂L/∂A = −(∂L/∂B)·Xᵀ."""

    @staticmethod
    def forward(ctx, a, b):
        try:
            x = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise singular_error("solve") from None
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
        ga = -(gb @ np.swapaxes(x, -1, -2)) if ctx.needs_input_grad[0] else None
        return ga, gb
