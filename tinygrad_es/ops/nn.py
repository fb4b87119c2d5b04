"""Operaciones de redes sobre los núcleos numba: convolución y pooling.

Aquí sólo hay lógica de autograd (qué se guarda y qué se devuelve); el
cálculo vive en ``tinygrad_es.kernels``.
"""
import numpy as np

from .. import kernels as K
from ..tensor import Function


def pair(v, name="valor"):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{name} debe ser un entero o un par, no {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _as_float(a):
    # los núcleos trabajan en float32 o float64
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float32)


class Conv2d(Function):
    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
        dt = np.result_type(x.dtype, w.dtype)
        x, w = _as_float(x.astype(dt, copy=False)), _as_float(w.astype(dt, copy=False))
        if b is not None:
            b = b.astype(x.dtype, copy=False)
        out, state = K.conv2d_forward(x, w, b, stride, padding, dilation, groups, save=ctx.requires_grad)
        ctx.state = state
        ctx.has_b = b is not None
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        dx, dw, db = K.conv2d_backward(g, ctx.state, need_x=need[0], need_w=need[1],
                                       need_b=ctx.has_b and need[2])
        return (dx, dw, db) if ctx.has_b else (dx, dw)

    @staticmethod
    def release(ctx):
        K.conv_release(getattr(ctx, "state", None))


class MaxPool2d(Function):
    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), out_hw=None):
        x = np.ascontiguousarray(_as_float(x))
        ctx.fast = kernel == (2, 2) and stride == (2, 2) and padding == (0, 0)
        if ctx.fast:
            out, idx = K.max_pool2x2_forward(x, out_hw[0], out_hw[1])
        else:
            out, idx = K.max_pool2d_forward(x, kernel[0], kernel[1], stride[0], stride[1],
                                            padding[0], padding[1], 1, 1, out_hw[0], out_hw[1])
        ctx.save_for_backward(idx)
        ctx.hw = x.shape[2:]
        return out

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        backward = K.max_pool2x2_backward if ctx.fast else K.max_pool2d_backward
        return backward(np.ascontiguousarray(g), idx, ctx.hw[0], ctx.hw[1])


class AvgPool2d(Function):
    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), out_hw=None):
        x = np.ascontiguousarray(_as_float(x))
        ctx.args = (x.shape[2], x.shape[3], kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                    True, 0)
        return K.avg_pool2d_forward(x, kernel[0], kernel[1], stride[0], stride[1],
                                    padding[0], padding[1], out_hw[0], out_hw[1], True, 0)

    @staticmethod
    def backward(ctx, g):
        return K.avg_pool2d_backward(np.ascontiguousarray(g), *ctx.args)


class AdaptiveAvgPool2d(Function):
    @staticmethod
    def forward(ctx, x, out_hw=(1, 1)):
        x = np.ascontiguousarray(_as_float(x))
        ctx.hw = x.shape[2:]
        if out_hw == (1, 1):  # media global: numpy ya es óptimo
            return x.mean(axis=(2, 3), keepdims=True)
        return K.adaptive_avg_pool2d_forward(x, out_hw[0], out_hw[1])

    @staticmethod
    def backward(ctx, g):
        h, w = ctx.hw
        if g.shape[2:] == (1, 1):
            return np.broadcast_to(g / (h * w), g.shape[:2] + (h, w))
        return K.adaptive_avg_pool2d_backward(np.ascontiguousarray(g), h, w)


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
