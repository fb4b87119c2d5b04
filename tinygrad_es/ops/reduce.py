"""Reducciones: ``sum``, ``mean``, ``var``/``std``, ``amax``/``amin``, ``logsumexp``, ``softmax``,
``log_softmax``, ``prod`` y las normas (``vector_norm`` y las normas matriciales espectrales).

Los ejes llegan ya normalizados (tupla ordenada de ejes positivos, ``_tensor/_args.norm_dims``):
aquí no se vuelven a comprobar.
"""
import numpy as np

from ..autograd import Function
from ._util import IGNORE_FP_ERRORS as _ERR

__all__ = ["Sum", "Mean", "Var", "Std", "Amax", "Amin", "LogSumExp", "Softmax", "LogSoftmax", "Prod",
           "VectorNorm", "SpectralNorm"]


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
        axes = tuple(range(a.ndim)) if axis is None else axis
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
        axes = tuple(range(a.ndim)) if axis is None else axis
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        ctx.n = int(np.prod([a.shape[i] for i in axes])) if a.ndim else 1
        return np.asarray(a.mean(axis=axes, keepdims=keepdims), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        return _spread(np.asarray(g / g.dtype.type(ctx.n)), ctx.shape, ctx.axes, ctx.keepdims)


def _centered(ctx, a, axis, correction):
    """(ejes, a − ā, divisor) y lo que necesita ``_var_backward``. ``axis=None`` es la reducción total."""
    axes = tuple(range(a.ndim)) if axis is None else axis
    n = int(np.prod([a.shape[i] for i in axes])) if a.ndim else 1
    ctx.full, ctx.dof = axis is None or a.ndim == 0, np.float64(n - correction)
    return axes, a - a.mean(axis=axes, keepdims=True), np.float64(max(0, n - correction))


def _var_backward(ctx, g, c):
    """2(a − ā)/(N − corrección)·g, con los casos degenerados de PyTorch: en la reducción total con
    N − corrección ≤ 0, g·inf (nan donde a = ā); por ejes, el divisor sin recortar (puede ser < 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if ctx.full and ctx.dof <= 0:
            return g * np.where(c == 0, np.nan, np.inf).astype(c.dtype)
        return g * c * (2.0 / ctx.dof)


class Var(Function):
    """Varianza con corrección de Bessel: Σ(a − ā)²/(N − corrección) (``correction=1`` por defecto,
    como torch.var; con N − corrección ≤ 0 el divisor es 0: inf, o nan si todo es igual).
    ∂/∂aᵢ = 2(aᵢ − ā)/(N − corrección) (los casos degenerados, en ``_var_backward``)."""

    reads = ((0,),)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        axes, centered, div = _centered(ctx, a, axis, correction)
        ctx.save_for_backward(centered)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((centered * centered).sum(axis=axes, keepdims=keepdims) / div, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        return _var_backward(ctx, _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims), c)


class Std(Function):
    """Desviación típica s = √var (``Var``). ∂/∂aᵢ = (aᵢ − ā)/((N − corrección)·s), y 0 donde s = 0
    (como PyTorch: la std de un solo elemento con ``unbiased=False`` tiene gradiente 0, no nan)."""

    reads = ((0, -1),)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        axes, centered, div = _centered(ctx, a, axis, correction)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.sqrt((centered * centered).sum(axis=axes, keepdims=True) / div).astype(a.dtype, copy=False)
        ctx.save_for_backward(centered, out)
        return out if keepdims else (np.squeeze(out, axis=axes) if a.ndim else out.reshape(()))

    @staticmethod
    def backward(ctx, g):
        c, s = ctx.saved_tensors
        g = np.asarray(g).reshape(s.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _var_backward(ctx, np.where(s == 0, 0, g / (2 * s)).astype(s.dtype, copy=False), c)


class Amax(Function):
    """Máximo sobre ``axis`` (reducción total con ``max()``). Empates: el gradiente se reparte
    por igual entre los máximos, como ``torch.amax``: ∂/∂a_i = [a_i = m] / #{j: a_j = m}."""

    reads = ((0, -1),)

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

    reads = ((0, -1),)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = tuple(range(a.ndim)) if axis is None else axis
        lse = _lse(a, axes)
        ctx.save_for_backward(np.exp(a - lse))  # softmax: la derivada
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        return np.asarray(lse if keepdims else np.squeeze(lse, axis=axes), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims) * p


class Softmax(Function):
    """pᵢ = e^(aᵢ − m)/Σe^(a − m) con m = máx a (como PyTorch: con un +inf o una fila de −inf el
    resultado es nan). ∂L/∂a = p ⊙ (g − Σ g·p)."""

    reads = ((-1,),)

    @staticmethod
    def forward(ctx, a, axis=-1):
        with np.errstate(invalid="ignore", over="ignore"):
            e = np.exp(a - np.max(a, axis=axis, keepdims=True, initial=-np.inf))
            p = (e / e.sum(axis=axis, keepdims=True)).astype(a.dtype, copy=False)
        ctx.save_for_backward(p)
        ctx.axis = axis
        return p

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        return p * (g - (g * p).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """a − m − log Σe^(a − m) con m = máx a (restar el máximo: precisión en float32 con logits de
    ±1e4; con un +inf o una fila de −inf, nan como PyTorch). ∂L/∂a = g − softmax(a)·Σg."""

    reads = ((-1,),)

    @staticmethod
    def forward(ctx, a, axis=-1):
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            shifted = a - np.max(a, axis=axis, keepdims=True, initial=-np.inf)
            out = (shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - np.exp(out) * g.sum(axis=ctx.axis, keepdims=True)


def _to_last(a, axes):
    """``a`` con los ejes ``axes`` al final, aplanados en uno: forma (resto..., n)."""
    rest = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, rest + list(axes))
    lead = moved.shape[:len(rest)]
    return moved.reshape(lead + (-1,)), rest, moved.shape


class Prod(Function):
    """Producto sobre ``axis``. ∂/∂xᵢ = g·Π_{j≠i} xⱼ, calculado como (producto exclusivo por la
    izquierda)·(producto exclusivo por la derecha): exacto aunque haya ceros (sin dividir por xᵢ)."""

    reads = ((0, -1),)

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
        return _expand_back(g, a.shape, axes, ctx.keepdims) * others


class VectorNorm(Function):
    """‖x‖_p = (Σ|xᵢ|^p)^(1/p) sobre ``axis`` (p = ±inf: máx./mín. de |x|; p = 0: cuántos ≠ 0).
    Derivadas (las de PyTorch, con 0 donde la norma es 0):
    p = 2: x/‖x‖;  p = 1: sign(x);  p = ±inf: sign(x)·[|x| = ‖x‖]/#empates;  p = 0: 0;
    p < 1: sign(x)·|x|^(p−1)·‖x‖^(1−p) (0 donde x = 0);  resto: x·|x|^(p−2)/‖x‖^(p−1)."""

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
