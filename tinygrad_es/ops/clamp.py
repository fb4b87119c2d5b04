"""Recortes y máximos elemento a elemento: ``clamp`` con límites números (``Clip``) o tensores
(``ClampTensor``), ``maximum`` y ``minimum``. Son funciones a trozos: cada salida es una de las
entradas (o un límite), así que la derivada **elige** el gradiente (``where``) en vez de multiplicar
(un gradiente inf o nan que llega de arriba da 0 donde la derivada es 0, como PyTorch) y su jacobiano
no depende de las entradas (casi en todas partes): la derivada segunda es 0 y basta
``elementwise_tangent``.
"""
import numpy as np

from ..autograd import ArrayFunction, broadcast_shape
from ._util import check_broadcast as _check2, elementwise_tangent

__all__ = ["Clip", "ClampTensor", "Maximum", "Minimum"]


def _select(mask, g):
    """``g`` donde ``mask`` y 0 donde no, **eligiendo** (no multiplicando): un gradiente inf o nan
    de arriba da 0 donde la derivada es 0, como PyTorch."""
    return np.where(mask, g, g.dtype.type(0))


class Clip(ArrayFunction):
    """clip(a, lo, hi) con números ``lo``/``hi``; ∂/∂a = [lo ≤ a ≤ hi] (bordes incluidos, 0 en nan,
    como torch.clamp)."""

    tangent = staticmethod(elementwise_tangent)

    @staticmethod
    def forward(ctx, a, lo=None, hi=None):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            mask = np.ones(a.shape, dtype=bool)
            if ctx.lo is not None:
                mask &= a >= ctx.lo
            if ctx.hi is not None:
                mask &= a <= ctx.hi
        return _select(mask, g)


class ClampTensor(ArrayFunction):
    """clamp(a, lo, hi) con límites tensor (``lo`` o ``hi`` pueden faltar: ``bounds`` dice cuáles
    hay). Los empates van a la entrada. Derivadas (las de PyTorch):
    ∂/∂a = [lo ≤ a ≤ hi];  ∂/∂lo = [a < lo y lo < hi];  ∂/∂hi = [a > hi o hi < lo]."""

    tangent = staticmethod(elementwise_tangent)
    reads = ((0, 1, 2),)

    @staticmethod
    def forward(ctx, a, *lims, bounds=(True, True)):
        it = iter(lims)
        lo = next(it) if bounds[0] else None
        hi = next(it) if bounds[1] else None
        broadcast_shape(a.shape, *(x.shape for x in lims), op="clamp")
        ctx.save_for_backward(a, lo, hi)
        out = a if lo is None else np.maximum(a, lo)
        out = out if hi is None else np.minimum(out, hi)
        return np.asarray(out, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            ok = np.ones(a.shape, dtype=bool)
            if lo is not None:
                ok = ok & (a >= lo)
            if hi is not None:
                ok = ok & (a <= hi)
            grads = [_select(ok, g)]
            if lo is not None:
                grads.append(_select((a < lo) & (lo < hi) if hi is not None else a < lo, g))
            if hi is not None:
                grads.append(_select((a > hi) | (hi < lo) if lo is not None else a > hi, g))
        return tuple(grads)


class Maximum(ArrayFunction):
    """max elemento a elemento (nan se propaga). Derivadas (las de torch.maximum): cada entrada
    recibe g salvo donde es la menor (0); en un empate, g/2 cada una."""

    tangent = staticmethod(elementwise_tangent)
    reads = ((0, 1),)

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "maximum")
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            half = np.where(a == b, g / 2, g)
            return _select(~(a < b), half), _select(~(a > b), half)


class Minimum(ArrayFunction):
    """min elemento a elemento (nan se propaga). Derivadas: cada entrada recibe g salvo donde es la
    mayor (0); en un empate, g/2 cada una (como torch.minimum)."""

    tangent = staticmethod(elementwise_tangent)
    reads = ((0, 1),)

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "minimum")
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            half = np.where(a == b, g / 2, g)
            return _select(~(a > b), half), _select(~(a < b), half)
