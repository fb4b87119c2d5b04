"""Pérdidas fusionadas (entropía cruzada desde logits). La convolución y el pooling
viven en ``conv.py`` y ``pool.py``; se reexportan aquí por compatibilidad.
"""
import numpy as np

from ..autograd import Function
from .conv import Conv2d, ConvTranspose2d, as_float, pair  # noqa: F401
from .pool import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d, MaxUnpool2d,  # noqa: F401
                   Upsample)


class CrossEntropyIdx(Function):
    """Entropía cruzada desde logits (N, C) e índices de clase (N,), fusionada y estable:
    ``loss = logsumexp(z) − z[y]``; gradiente ``(softmax(z) − onehot(y)) · peso``."""

    @staticmethod
    def forward(ctx, z, target=None, reduction="mean", ignore_index=-100):
        m = z.max(axis=1, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        e = np.exp(z - m)
        s = e.sum(axis=1, keepdims=True)
        valid = target != ignore_index
        t = np.where(valid, target, 0)
        rows = np.arange(z.shape[0])
        losses = (np.log(s[:, 0]) + m[:, 0] - z[rows, t]) * valid
        n_valid = max(int(valid.sum()), 1)
        ctx.save_for_backward(e / s, t, valid)
        ctx.reduction, ctx.n = reduction, n_valid
        if reduction == "mean":
            return np.asarray(losses.sum() / n_valid, dtype=z.dtype)
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype=z.dtype)
        return losses.astype(z.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        p, t, valid = ctx.saved_tensors
        d = p.copy()
        d[np.arange(len(t)), t] -= 1
        d *= valid[:, None]
        if ctx.reduction == "mean":
            return d * (g / ctx.n)
        if ctx.reduction == "sum":
            return d * g
        return d * g[:, None]
