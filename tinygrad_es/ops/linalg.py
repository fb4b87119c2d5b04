"""Álgebra lineal básica: inversa, determinante y resolución de sistemas (con lotes), y las normas de
``torch.linalg`` (``vector_norm`` y las normas matriciales espectrales).

Los errores de numpy (matriz singular) se traducen a ``RuntimeError`` en castellano, como el
``torch.linalg.LinAlgError`` de PyTorch (que también es un ``RuntimeError``).
"""
import numpy as np

from ..autograd import ArrayFunction
from ._namespace import namespace
from ._util import IGNORE_FP_ERRORS as _ERR

__all__ = ["Inv", "Det", "Solve", "singular_error", "VectorNorm", "SpectralNorm"]


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


def _sgn(xp, a):
    """sgn de PyTorch: 0 en nan (``np.sign`` da nan); con tensores, ``Tensor.sign`` ya lo hace."""
    if isinstance(a, np.ndarray):
        return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)
    return xp.sign(a)


class VectorNorm(ArrayFunction):
    """‖x‖_p = (Σ|xᵢ|^p)^(1/p) sobre ``axis`` (p = ±inf: máx./mín. de |x|; p = 0: cuántos ≠ 0).
    Derivadas (las de PyTorch, con 0 donde la norma es 0):
    p = 2: x/‖x‖;  p = 1: sign(x);  p = ±inf: sign(x)·[|x| = ‖x‖]/#empates;  p = 0: 0;
    p < 1: sign(x)·|x|^(p−1)·‖x‖^(1−p) (0 donde x = 0);  resto: x·|x|^(p−2)/‖x‖^(p−1)."""

    differentiable = True

    reads = ((0, -1),)

    @staticmethod
    def forward(ctx, a, ord=2.0, axis=(), keepdims=False):
        ab = np.abs(a)
        with np.errstate(**_ERR):
            if ord == np.inf:
                out = ab.max(axis=axis, keepdims=True)
            elif ord == -np.inf:
                out = ab.min(axis=axis, keepdims=True)
            elif ord == 0:
                out = (a != 0).sum(axis=axis, keepdims=True).astype(a.dtype)
            elif ord == 1:
                out = ab.sum(axis=axis, keepdims=True)
            elif ord == 2:
                out = np.sqrt((a * a).sum(axis=axis, keepdims=True))
            else:
                out = np.power(np.power(ab, ord).sum(axis=axis, keepdims=True), 1.0 / ord)
        out = np.asarray(out, dtype=a.dtype)
        ctx.kshape = out.shape
        res = out if keepdims else (np.squeeze(out, axis=axis) if a.ndim else out.reshape(()))
        ctx.save_for_backward(a, res)
        ctx.ord, ctx.axes = ord, axis
        return res

    @staticmethod
    def backward(ctx, g):
        a, norm = ctx.saved_tensors
        xp = namespace(g)
        p = ctx.ord
        g = g.reshape(ctx.kshape)
        norm = norm.reshape(ctx.kshape)
        with np.errstate(**_ERR):
            if p == 0:
                return None  # PyTorch no da gradiente (queda .grad = None)
            if p == 1:
                return _sgn(xp, a) * g
            if p == 2:
                return g * xp.where(norm == 0, 0, a / xp.where(norm == 0, 1, norm))
            if np.isinf(p):
                ab = xp.abs(a)
                mask = (ab == norm) | (ab != ab)  # los nan también cuentan
                if not isinstance(mask, np.ndarray):  # un Tensor (orden superior) o un np.bool_ (0-D)
                    mask = mask._data if hasattr(mask, "_data") else np.asarray(mask)
                return _sgn(xp, a) * (g / mask.sum(axis=ctx.axes, keepdims=True)) * mask
            ab = xp.abs(a)
            if p < 1:
                scaled = _sgn(xp, a) * xp.where(a == 0, 0, ab ** (p - 1))
                return scaled * g * norm ** (1 - p)
            scaled = _sgn(xp, a) * ab ** (p - 1) if p < 2 else a * ab ** (p - 2)
            scale = xp.where(norm == 0, 0, g / norm ** (p - 1))
            return scaled * scale


class SpectralNorm(ArrayFunction):
    """Normas matriciales de los valores singulares (A = U·diag(σ)·Vᵀ) sobre los dos últimos ejes:
    ``2`` (σ máx.), ``-2`` (σ mín.), ``"nuc"`` (Σσ). Derivadas: u₁v₁ᵀ, uₙvₙᵀ y U·Vᵀ (válidas
    cuando los valores singulares son distintos, como en PyTorch)."""

    @staticmethod
    def forward(ctx, a, ord=2):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        ctx.ord = ord
        if ord == "nuc":
            return np.asarray(s.sum(axis=-1), dtype=a.dtype)
        pick = 0 if ord == 2 else -1
        ctx.pick = pick
        return np.asarray(s[..., pick], dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        u, vh = ctx.saved_tensors
        g = np.asarray(g)[..., None, None]
        if ctx.ord == "nuc":
            return g * (u @ vh)
        sl = slice(0, 1) if ctx.pick == 0 else slice(-1, None)
        return g * (u[..., :, sl] @ vh[..., sl, :])
