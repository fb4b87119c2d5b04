"""Reducciones: ``sum``, ``mean``, ``var``/``std``, ``amax``/``amin``, ``logsumexp``, ``softmax``,
``log_softmax`` y ``prod`` (las normas de ``torch.linalg`` están en ``linalg.py``).

Los ejes llegan ya normalizados (tupla ordenada de ejes positivos, ``_tensor/_args.norm_dims``):
aquí no se vuelven a comprobar.
"""
import math

import numpy as np

from ..autograd import ArrayFunction
from ._namespace import namespace
from ._util import IGNORE_FP_ERRORS as _ERR

__all__ = ["Sum", "Mean", "Var", "Std", "Amax", "Amin", "LogSumExp", "Softmax", "LogSoftmax", "Prod"]


def _expand_back(g, shape, axes, keepdims):
    """Devuelve ``g`` (forma reducida) a una forma que hace broadcasting con ``shape``."""
    if not keepdims and shape:
        g = namespace(g).expand_dims(g, axes) if axes else g
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


class Sum(ArrayFunction):
    """Σ a sobre los ejes: ∂/∂aᵢ = 1 (el gradiente se copia a todo el eje)."""

    linear = True

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = tuple(range(a.ndim)) if axis is None else axis
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        # numpy suma int32 en int64; PyTorch conserva el dtype pedido (sum(dtype=int32) → int32)
        return np.asarray(a.sum(axis=axes, keepdims=keepdims, dtype=a.dtype if a.dtype.kind in "iu" else None))

    @staticmethod
    def backward(ctx, g):
        return _spread(g, ctx.shape, ctx.axes, ctx.keepdims)


class Mean(ArrayFunction):
    """media sobre los ejes (N elementos): ∂/∂aᵢ = 1/N."""

    linear = True

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = tuple(range(a.ndim)) if axis is None else axis
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        ctx.n = math.prod([a.shape[i] for i in axes]) if a.ndim else 1
        return np.asarray(a.mean(axis=axes, keepdims=keepdims), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        return _spread(np.asarray(g / g.dtype.type(ctx.n)), ctx.shape, ctx.axes, ctx.keepdims)


def _centered(ctx, a, axis, correction):
    """(ejes, a − ā, divisor) y lo que necesita ``_var_backward``. ``axis=None`` es la reducción total."""
    axes = tuple(range(a.ndim)) if axis is None else axis
    n = math.prod([a.shape[i] for i in axes]) if a.ndim else 1
    ctx.full, ctx.dof = axis is None or a.ndim == 0, np.float64(n - correction)
    return axes, a - a.mean(axis=axes, keepdims=True), np.float64(max(0, n - correction))


def _centered_of(ctx, a, g):
    """a − ā: el guardado en el forward (primer orden) o recalculado con su grafo (orden superior)."""
    return ctx.centered if isinstance(g, np.ndarray) else a - a.mean(axis=ctx.axes, keepdims=True)


def _var_backward(ctx, g, c):
    """2(a − ā)/(N − corrección)·g, con los casos degenerados de PyTorch: en la reducción total con
    N − corrección ≤ 0, g·inf (nan donde a = ā); por ejes, el divisor sin recortar (puede ser < 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if ctx.full and ctx.dof <= 0:
            return g * np.where(c == 0, np.nan, np.inf).astype(c.dtype)
        return g * c * (2.0 / ctx.dof)


class Var(ArrayFunction):
    """Varianza con corrección de Bessel: Σ(a − ā)²/(N − corrección) (``correction=1`` por defecto,
    como torch.var; con N − corrección ≤ 0 el divisor es 0: inf, o nan si todo es igual).
    ∂/∂aᵢ = 2(aᵢ − ā)/(N − corrección) (los casos degenerados, en ``_var_backward``)."""

    differentiable = True

    reads = ((0,),)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        axes, centered, div = _centered(ctx, a, axis, correction)
        ctx.save_for_backward(a)
        ctx.centered = centered  # a − ā para el primer orden (un array: release lo suelta)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray((centered * centered).sum(axis=axes, keepdims=keepdims) / div, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _var_backward(ctx, _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims), _centered_of(ctx, a, g))


class Std(ArrayFunction):
    """Desviación típica s = √var (``Var``). ∂/∂aᵢ = (aᵢ − ā)/((N − corrección)·s), y 0 donde s = 0
    (como PyTorch: la std de un solo elemento con ``unbiased=False`` tiene gradiente 0, no nan)."""

    differentiable = True

    reads = ((0, -1),)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, correction=1):
        axes, centered, div = _centered(ctx, a, axis, correction)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.sqrt((centered * centered).sum(axis=axes, keepdims=True) / div).astype(a.dtype, copy=False)
        res = out if keepdims else (np.squeeze(out, axis=axes) if a.ndim else out.reshape(()))
        ctx.centered, ctx.axes, ctx.kshape = centered, axes, out.shape
        ctx.save_for_backward(a, res)
        return res

    @staticmethod
    def backward(ctx, g):
        a, s = ctx.saved_tensors
        xp = namespace(g)
        s = s.reshape(ctx.kshape)
        g = g.reshape(ctx.kshape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _var_backward(ctx, xp.where(s == 0, 0, g / (2 * s)), _centered_of(ctx, a, g))


class Amax(ArrayFunction):
    """Máximo sobre ``axis``. Empates: el gradiente se reparte por igual entre los máximos, como
    ``torch.amax``: ∂/∂a_i = [a_i = m] / #{j: a_j = m} (con la multiplicación de PyTorch: si el
    máximo es nan, ningún elemento es igual y el gradiente es nan).

    ``evenly=True`` es la reducción total de ``max()``/``min()``: PyTorch elige (no multiplica) los
    elementos iguales al resultado (los nan si el resultado es nan) y deja 0 en el resto, también si
    el gradiente que llega es nan o inf."""

    reads = ((0, -1),)

    reducer = staticmethod(np.max)

    @classmethod
    def _fwd(cls, ctx, a, axis, keepdims, evenly=False):
        axes = axis if axis is not None else tuple(range(a.ndim))
        if a.size == 0 and (not a.ndim or any(a.shape[i] == 0 for i in axes)):
            # como PyTorch: la reducción total de un vacío es RuntimeError; un eje vacío, IndexError
            raise (RuntimeError if len(axes) == a.ndim else IndexError)(
                "max/min de un tensor vacío no está definido (el eje a reducir tiene tamaño 0)")
        m = np.asarray(cls.reducer(a, axis=axes, keepdims=True))
        if evenly and a.dtype.kind == "f" and np.isnan(m).any():
            mask = np.isnan(a)
        else:
            mask = a == m
        ctx.save_for_backward(mask, mask.sum(axis=axes, keepdims=True).astype(a.dtype))
        ctx.shape, ctx.axes, ctx.keepdims, ctx.evenly = a.shape, axes, keepdims, evenly
        if a.ndim == 0:
            return m.reshape(())
        return m if keepdims else np.squeeze(m, axis=axes)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, evenly=False):
        return Amax._fwd(ctx, a, axis, keepdims, evenly)

    @staticmethod
    def backward(ctx, g):
        mask, count = ctx.saved_tensors
        g = _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = g / count
            if ctx.evenly:
                return np.where(mask, share, np.zeros((), share.dtype))
            return share * mask

    @staticmethod
    def tangent(ctx, dx):  # el jacobiano (los pesos del empate) no depende de x: J·dx = Σ w·dx
        mask, count = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            w = mask / count
            if ctx.evenly:
                return np.sum(np.where(mask, w * dx, np.zeros((), w.dtype)), axis=ctx.axes, keepdims=ctx.keepdims)
            return np.sum(w * dx, axis=ctx.axes, keepdims=ctx.keepdims)


class Amin(Amax):
    """Mínimo; empates como ``Amax``."""

    reducer = staticmethod(np.min)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, evenly=False):
        return Amin._fwd(ctx, a, axis, keepdims, evenly)


def _safe_max(a, axis):
    m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)  # initial: también vale vacío
    return np.where(np.isfinite(m), m, 0)


def _lse(a, axis):
    m = _safe_max(a, axis)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


class LogSumExp(ArrayFunction):
    """log Σ eᵃ: ∂/∂aᵢ = softmax(a)ᵢ."""

    differentiable = True

    reads = ((0, -1),)

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axes = tuple(range(a.ndim)) if axis is None else axis
        lse = _lse(a, axes)
        out = np.asarray(lse if keepdims else np.squeeze(lse, axis=axes), dtype=a.dtype)
        ctx.p = np.exp(a - lse)  # softmax: la derivada (primer orden; un array: release lo suelta)
        ctx.save_for_backward(a, out)
        ctx.shape, ctx.axes, ctx.keepdims = a.shape, axes, keepdims
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        if isinstance(g, np.ndarray):
            p = ctx.p
        else:  # orden superior: softmax(a) = exp(a − lse) con su grafo
            p = namespace(g).exp(a - _expand_back(out, ctx.shape, ctx.axes, ctx.keepdims))
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdims) * p


def _wide(a):
    """float64 para los cálculos internos de float32/float16 (se redondea una vez al final)."""
    return a.astype(np.float64) if a.dtype.kind == "f" and a.dtype.itemsize < 8 else a


class Softmax(ArrayFunction):
    """pᵢ = e^(aᵢ − m)/Σe^(a − m) con m = máx a (como PyTorch: con un +inf o una fila de −inf el
    resultado es nan). ∂L/∂a = p ⊙ (g − Σ g·p). En primer orden, en float64 por dentro (un
    redondeo por elemento)."""

    differentiable = True

    reads = ((-1,),)

    @staticmethod
    def forward(ctx, a, axis=-1):
        w = _wide(a)
        with np.errstate(invalid="ignore", over="ignore"):
            e = np.exp(w - np.max(w, axis=axis, keepdims=True, initial=-np.inf))
            p = (e / e.sum(axis=axis, keepdims=True)).astype(a.dtype, copy=False)
        ctx.save_for_backward(p)
        ctx.axis = axis
        return p

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        if isinstance(g, np.ndarray):  # primer orden: la suma Σ g·p y el producto en float64
            w, q = _wide(g), _wide(p)
            return (q * (w - (w * q).sum(axis=ctx.axis, keepdims=True))).astype(g.dtype, copy=False)
        return p * (g - (g * p).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(ArrayFunction):
    """a − m − log Σe^(a − m) con m = máx a (restar el máximo: precisión en float32 con logits de
    ±1e4; con un +inf o una fila de −inf, nan como PyTorch). ∂L/∂a = g − softmax(a)·Σg. En primer
    orden, en float64 por dentro (un redondeo por elemento)."""

    differentiable = True

    reads = ((-1,),)

    @staticmethod
    def forward(ctx, a, axis=-1):
        w = _wide(a)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            shifted = w - np.max(w, axis=axis, keepdims=True, initial=-np.inf)
            out = (shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if isinstance(g, np.ndarray):
            w = _wide(g)
            return (w - np.exp(_wide(out)) * w.sum(axis=ctx.axis, keepdims=True)).astype(g.dtype, copy=False)
        return g - namespace(g).exp(out) * g.sum(axis=ctx.axis, keepdims=True)


def _to_last(a, axes):
    """``a`` con los ejes ``axes`` al final, aplanados en uno: forma (resto..., n)."""
    rest = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, rest + list(axes))
    lead = moved.shape[:len(rest)]
    return moved.reshape(lead + (-1,)), rest, moved.shape


class Prod(ArrayFunction):
    """Producto sobre ``axis``. ∂/∂xᵢ = g·Π_{j≠i} xⱼ, con el mismo cálculo que PyTorch: sin ceros,
    g·prod/xᵢ; con ceros, (producto exclusivo por la izquierda)·(por la derecha), exacto sin dividir;
    en la reducción total (``whole``) con dos o más ceros, 0."""

    differentiable = True  # (orden superior sin ceros: véase backward)

    reads = ((0, -1),)

    @staticmethod
    def forward(ctx, a, axis=(), keepdims=False, whole=False):
        ctx.axes, ctx.keepdims, ctx.whole = axis, keepdims, whole
        with np.errstate(**_ERR):
            out = np.asarray(np.prod(a, axis=axis, keepdims=keepdims, dtype=a.dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        axes = ctx.axes
        if not isinstance(g, np.ndarray):  # orden superior: g·prod/x (sin ceros), registrado
            if bool((a._data == 0).any()):
                raise RuntimeError("la derivada segunda de 'Prod' con ceros en la entrada no está implementada")
            return _expand_back(g, a.shape, axes, ctx.keepdims) * _expand_back(out, a.shape, axes, ctx.keepdims) / a
        if a.ndim == 0:
            return g * np.ones_like(a)
        zeros = int(np.count_nonzero(a == 0))
        if zeros == 0:
            with np.errstate(**_ERR):
                return _expand_back(g, a.shape, axes, ctx.keepdims) * (_expand_back(out, a.shape, axes, ctx.keepdims) / a)
        if ctx.whole and zeros > 1:
            return np.zeros_like(a)
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
