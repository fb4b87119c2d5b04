"""Copias y conversiones: ``Cast`` (cambio de dtype), ``Clone`` (memoria propia) y ``Contiguous``
(orden C). Las tres dejan pasar el gradiente tal cual (∂/∂x = 1)."""
import numpy as np

from ..autograd import Function

__all__ = ["Cast", "Clone", "Contiguous"]


class Cast(Function):
    """Conversión de dtype: ∂/∂a = 1 (el gradiente vuelve al dtype de la entrada)."""

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.src = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.src)


class Clone(Function):
    """Copia con memoria propia; ∂/∂a = 1."""

    @staticmethod
    def forward(ctx, a):
        return np.array(a, copy=True)

    @staticmethod
    def backward(ctx, g):
        return g


class Contiguous(Function):
    """Copia con memoria contigua en orden C (``x.contiguous()``); ∂/∂x = g."""

    @staticmethod
    def forward(ctx, a):
        return np.ascontiguousarray(a) if not a.flags.c_contiguous else a.copy()

    @staticmethod
    def backward(ctx, g):
        return g
