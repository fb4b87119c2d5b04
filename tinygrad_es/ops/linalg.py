"""Álgebra lineal básica: inversa, determinante y resolución de sistemas (con lotes).

Los errores de numpy (matriz singular) se traducen a ``RuntimeError`` en castellano, como el
``torch.linalg.LinAlgError`` de PyTorch (que también es un ``RuntimeError``).
"""
import numpy as np

from ..autograd import ArrayFunction
from ._namespace import namespace

__all__ = ["Inv", "Det", "Solve", "singular_error"]


def singular_error(op):
    return RuntimeError(f"linalg.{op}: la matriz es singular (no invertible); no se puede completar la "
                        f"operación")


class Inv(ArrayFunction):
    """X = A⁻¹. ∂L/∂A = −Xᵀ·G·Xᵀ."""

    differentiable = True

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
        xt = namespace(g).swapaxes(x, -1, -2)
        return -(xt @ g @ xt)


class Det(ArrayFunction):
    """det(A). ∂det/∂A = adj(A)ᵀ = det(A)·A⁻ᵀ. Como PyTorch, se calcula resolviendo Aᵀ·X = det·g·I;
    si el determinante sale exactamente 0 (matriz singular) el gradiente que da PyTorch es 0, y
    aquí también (aunque la adjunta de una matriz de rango n−1 no sea nula)."""

    differentiable = True

    @staticmethod
    def forward(ctx, a):
        d = np.asarray(np.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        if a.shape[-1] == 0:
            return namespace(g).zeros_like(a)
        if not isinstance(g, np.ndarray):  # orden superior: det·A⁻ᵀ con la inversa registrada
            xp = namespace(g)
            n = a.shape[-1]
            singular = (d == 0)._data[..., None, None]
            safe = xp.where(singular, np.eye(n, dtype=a._data.dtype), a)
            inv_t = xp.swapaxes(Inv.apply(safe), -1, -2)
            return xp.where(singular, 0, (g * d).reshape(tuple(d.shape) + (1, 1)) * inv_t)
        scale = np.asarray(g * d)[..., None, None]
        safe = np.where(d[..., None, None] == 0, np.eye(a.shape[-1], dtype=a.dtype), a)
        with np.errstate(all="ignore"):
            try:
                inv_t = np.swapaxes(np.linalg.inv(safe), -1, -2)
            except np.linalg.LinAlgError:  # casi singular sin ser 0 exacto: como el LU perturbado
                inv_t = np.swapaxes(np.linalg.pinv(safe), -1, -2)
            return np.where(d[..., None, None] == 0, 0, scale * inv_t)


class Solve(ArrayFunction):
    """X = A⁻¹·B (``B`` con forma (..., n, k); los vectores llegan como (..., n, 1)).
    ∂L/∂B = A⁻ᵀ·G;  ∂L/∂A = −(∂L/∂B)·Xᵀ."""

    differentiable = True

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
        xp = namespace(g)
        at = xp.swapaxes(a, -1, -2)
        gb = np.linalg.solve(at, g) if isinstance(g, np.ndarray) else Solve.apply(at, g)
        ga = -(gb @ xp.swapaxes(x, -1, -2)) if ctx.needs_input_grad[0] else None
        return ga, gb
