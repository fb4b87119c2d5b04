"""Más reducciones: ``prod`` y las normas (``vector_norm`` y las normas matriciales espectrales).

Los ejes llegan normalizados (tupla ordenada de ejes positivos) desde la fachada.
"""
import numpy as np

from ..autograd import Function

__all__ = ["Prod", "VectorNorm", "SpectralNorm"]

_ERR = dict(divide="ignore", invalid="ignore", over="ignore")


def _to_last(a, axes):
    """``a`` con los ejes ``axes`` al final, aplanados en uno: forma (resto..., n)."""
    rest = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, rest + list(axes))
    lead = moved.shape[:len(rest)]
    return moved.reshape(lead + (-1,)), rest, moved.shape


def _expand(g, shape, axes, keepdims):
    if not keepdims and len(shape):
        g = np.expand_dims(g, axes)
    return g


class Prod(Function):
    """Producto sobre ``axis``. ∂/∂xᵢ = g·Π_{j≠i} xⱼ, calculado como (producto exclusivo por la
    izquierda)·(producto exclusivo por la derecha): exacto aunque haya ceros (sin dividir por xᵢ)."""

    @staticmethod
    def forward(ctx, a, axis=(), keepdims=False):
        ctx.save_for_backward(a)
        ctx.axes, ctx.keepdims = axis, keepdims
        with np.errstate(**_ERR):
            return np.asarray(np.prod(a, axis=axis, keepdims=keepdims, dtype=a.dtype))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        axes = ctx.axes
        if a.ndim == 0:
            return g * np.ones_like(a)
        flat, rest, moved_shape = _to_last(a, axes)
        with np.errstate(**_ERR):
            left = np.ones_like(flat)
            right = np.ones_like(flat)
            if flat.shape[-1] > 1:
                left[..., 1:] = np.cumprod(flat[..., :-1], axis=-1)
                right[..., :-1] = np.flip(np.cumprod(np.flip(flat[..., 1:], -1), axis=-1), -1)
            others = (left * right).reshape(moved_shape)
        inv = np.argsort(rest + list(axes))
        others = np.transpose(others, inv)
        return _expand(g, a.shape, axes, ctx.keepdims) * others


class VectorNorm(Function):
    """‖x‖_p = (Σ|xᵢ|^p)^(1/p) sobre ``axis`` (p = ±inf: máx./mín. de |x|; p = 0: cuántos ≠ 0).
    Derivadas (las de PyTorch, con 0 donde la norma es 0):
    p = 2: x/‖x‖;  p = 1: sign(x);  p = ±inf: sign(x)·[|x| = ‖x‖]/#empates;  p = 0: 0;
    p < 1: sign(x)·|x|^(p−1)·‖x‖^(1−p) (0 donde x = 0);  resto: x·|x|^(p−2)/‖x‖^(p−1)."""

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
        ctx.save_for_backward(a, out)
        ctx.ord, ctx.axes = ord, axis
        return out if keepdims else (np.squeeze(out, axis=axis) if a.ndim else out.reshape(()))

    @staticmethod
    def backward(ctx, g):
        a, norm = ctx.saved_tensors
        p = ctx.ord
        g = g.reshape(norm.shape)
        with np.errstate(**_ERR):
            if p == 0:
                return None  # PyTorch no da gradiente (queda .grad = None)
            if p == 1:
                return np.sign(a) * g
            if p == 2:
                return g * np.where(norm == 0, 0, a / np.where(norm == 0, 1, norm))
            if np.isinf(p):
                ab = np.abs(a)
                mask = (ab == norm) | np.isnan(ab)
                return np.sign(a) * (g / mask.sum(axis=ctx.axes, keepdims=True)) * mask
            ab = np.abs(a)
            if p < 1:
                scaled = np.sign(a) * np.where(a == 0, 0, np.power(ab, p - 1))
                return scaled * g * np.power(norm, 1 - p)
            scaled = np.sign(a) * np.power(ab, p - 1) if p < 2 else a * np.power(ab, p - 2)
            scale = np.where(norm == 0, 0, g / np.power(norm, p - 1))
            return scaled * scale


class SpectralNorm(Function):
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
