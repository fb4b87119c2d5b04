"""Reducciones: sum, mean, var, max, min, logsumexp, softmax, log_softmax."""
import numpy as np

from ..tensor import Function


def norm_axes(axis, ndim: int):
    """Normaliza ``axis`` (None, int o tupla) a una tupla ordenada de ejes positivos."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    out = []
    for a in axis:
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"eje {a} fuera de rango para un tensor de {ndim} dimensiones")
        out.append(a % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"ejes repetidos: {axis}")
    return tuple(sorted(out))


def _expand_back(g, shape, axes, keepdims):
    """Devuelve ``g`` (forma reducida) a una forma que hace broadcasting con ``shape``."""
    if not keepdims and shape:
        g = np.expand_dims(g, axes) if axes else g
    return g


class Sum(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = norm_axes(axis, a.ndim)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        return np.asarray(a.sum(axis=axes, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        return np.broadcast_to(g, ctx.shape)


class Mean(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = norm_axes(axis, a.ndim)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        ctx.n = int(np.prod([a.shape[i] for i in axes])) if a.ndim else 1
        return np.asarray(a.mean(axis=axes, keepdims=keepdims), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        return np.broadcast_to(g / g.dtype.type(ctx.n), ctx.shape)


class Var(Function):
    """Varianza con corrección de Bessel ``correction`` (1 por defecto, como torch.var)."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        axes = norm_axes(axis, a.ndim)
        n = int(np.prod([a.shape[i] for i in axes])) if a.ndim else 1
        dof = n - correction
        centered = a - a.mean(axis=axes, keepdims=True)
        ctx.save_for_backward(centered)
        ctx.shape, ctx.axes, ctx.keepdims, ctx.dof = a.shape, axes, keepdims, dof
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((centered * centered).sum(axis=axes, keepdims=keepdims) / dof, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * c * (2.0 / ctx.dof)


def _first_extreme_mask(a, axes, argfn):
    """Máscara booleana con un único True por grupo reducido: el primer extremo
    (en orden de índice plano de los ejes reducidos), como los índices de torch.max(dim)."""
    keep = [i for i in range(a.ndim) if i not in axes]
    perm = keep + list(axes)
    t = np.transpose(a, perm)
    kshape = t.shape[:len(keep)]
    flat = t.reshape(kshape + (-1,))
    idx = argfn(flat, axis=-1)
    mask = np.zeros(flat.shape, dtype=bool)
    np.put_along_axis(mask, idx[..., None], True, axis=-1)
    mask = mask.reshape(t.shape)
    return np.transpose(mask, np.argsort(perm))


class _Extreme(Function):
    """max/min sobre ``axis``. Regla de empates: todo el gradiente va al **primer**
    elemento extremo (orden de índices), el que devolvería argmax/argmin."""

    reducer = staticmethod(np.max)
    argfn = staticmethod(np.argmax)

    @classmethod
    def _fwd(cls, ctx, a, axis, keepdims):
        if a.size == 0:
            raise ValueError("max/min de un tensor vacío no está definido")
        axes = norm_axes(axis, a.ndim)
        ctx.save_for_backward(_first_extreme_mask(a, axes, cls.argfn) if a.ndim else np.ones((), bool))
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        return np.asarray(cls.reducer(a, axis=axes, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        return np.where(mask, g, g.dtype.type(0))


class Max(_Extreme):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return Max._fwd(ctx, a, axis, keepdims)


class Min(_Extreme):
    reducer = staticmethod(np.min)
    argfn = staticmethod(np.argmin)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return Min._fwd(ctx, a, axis, keepdims)


def _safe_max(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


def _lse(a, axis):
    m = _safe_max(a, axis)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


class LogSumExp(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = norm_axes(axis, a.ndim)
        lse = _lse(a, axes)
        ctx.save_for_backward(np.exp(a - lse))  # softmax: la derivada
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        return np.asarray(lse if keepdims else np.squeeze(lse, axis=axes), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims) * p


class Softmax(Function):
    @staticmethod
    def forward(ctx, a, axis=-1):
        e = np.exp(a - _safe_max(a, axis))
        p = (e / e.sum(axis=axis, keepdims=True)).astype(a.dtype, copy=False)
        ctx.save_for_backward(p)
        ctx.axis = axis
        return p

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        return p * (g - (g * p).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, a, axis=-1):
        # restar el máximo antes de sumar: precisión en float32 con logits de ±1e4
        shifted = a - _safe_max(a, axis)
        out = (shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - np.exp(out) * g.sum(axis=ctx.axis, keepdims=True)
