"""Reducciones: sum, mean, var, amax/amin, logsumexp, softmax, log_softmax.

Los ejes llegan ya normalizados (tupla de ejes positivos) desde la fachada."""
import numpy as np

from ..autograd import Function


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


def _spread(g, shape, axes, keepdims):
    """``g`` copiado (como vista de solo lectura) en cada elemento reducido: forma ``shape``."""
    if g.__class__ is not np.ndarray:
        g = np.asarray(g)
    if g.ndim == 0 and shape:  # reducción total (la pérdida): vista con pasos 0, ~4× más barata
        v = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
        v.flags.writeable = False
        return v
    return np.broadcast_to(_expand_back(g, shape, axes, keepdims), shape)


class Sum(Function):
    """Σ a sobre los ejes: ∂/∂aᵢ = 1 (el gradiente se copia a todo el eje)."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = norm_axes(axis, a.ndim)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        # numpy suma int32 en int64; PyTorch conserva el dtype pedido (sum(dtype=int32) → int32)
        return np.asarray(a.sum(axis=axes, keepdims=keepdims, dtype=a.dtype if a.dtype.kind in "iu" else None))

    @staticmethod
    def backward(ctx, g):
        return _spread(g, ctx.shape, ctx.axes, ctx.keepdims)


class Mean(Function):
    """media sobre los ejes (N elementos): ∂/∂aᵢ = 1/N."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = norm_axes(axis, a.ndim)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        ctx.n = int(np.prod([a.shape[i] for i in axes])) if a.ndim else 1
        return np.asarray(a.mean(axis=axes, keepdims=keepdims), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        return _spread(np.asarray(g / g.dtype.type(ctx.n)), ctx.shape, ctx.axes, ctx.keepdims)


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
        with np.errstate(divide="ignore", invalid="ignore"):  # N − corrección ≤ 0: nan, como PyTorch
            dof = np.float64(dof) if dof > 0 else np.float64(np.nan)
            ctx.dof = dof
            return np.asarray((centered * centered).sum(axis=axes, keepdims=keepdims) / dof, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * c * (2.0 / ctx.dof)  # ctx.dof es np.float64: nan en lugar de ZeroDivisionError


class Amax(Function):
    """Máximo sobre ``axis`` (reducción total con ``max()``). Empates: el gradiente se reparte
    por igual entre los máximos, como ``torch.amax``: ∂/∂a_i = [a_i = m] / #{j: a_j = m}."""

    reducer = staticmethod(np.max)

    @classmethod
    def _fwd(cls, ctx, a, axis, keepdims):
        axes = axis if axis is not None else tuple(range(a.ndim))
        if a.size == 0 and (not a.ndim or any(a.shape[i] == 0 for i in axes)):
            raise IndexError("max/min de un tensor vacío no está definido (el eje a reducir tiene tamaño 0)")
        m = np.asarray(cls.reducer(a, axis=axes, keepdims=True))
        mask = (a == m) | (np.isnan(a) & np.isnan(m)) if a.dtype.kind == "f" else (a == m)
        ctx.save_for_backward(mask / mask.sum(axis=axes, keepdims=True).astype(a.dtype)
                              if a.dtype.kind == "f" else mask)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        if a.ndim == 0:
            return m.reshape(())
        return m if keepdims else np.squeeze(m, axis=axes)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return Amax._fwd(ctx, a, axis, keepdims)

    @staticmethod
    def backward(ctx, g):
        (w,) = ctx.saved_tensors
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        return g * w


class Amin(Amax):
    """Mínimo; empates como ``Amax``."""

    reducer = staticmethod(np.min)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        return Amin._fwd(ctx, a, axis, keepdims)


def _safe_max(a, axis):
    m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)  # initial: también vale vacío
    return np.where(np.isfinite(m), m, 0)


def _lse(a, axis):
    m = _safe_max(a, axis)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


class LogSumExp(Function):
    """log Σ eᵃ: ∂/∂aᵢ = softmax(a)ᵢ."""

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
    """pᵢ = eᵃⁱ/Σeᵃ: ∂L/∂a = p ⊙ (g − Σ g·p)."""

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
    """a − logΣeᵃ: ∂L/∂a = g − softmax(a)·Σg."""

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
