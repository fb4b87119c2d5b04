"""Copias y conversiones: ``Cast`` (cambio de dtype), ``Clone`` (memoria propia), ``Contiguous``
(orden C), que dejan pasar el gradiente tal cual (∂/∂x = 1), y ``Overwrite`` (el valor viejo se
sustituye por otro: ``fill_``, ``copy_``, ``zero_``).

``Cast`` a un tipo entero o bool corta el grafo (como PyTorch): eso lo decide ``_tensor/convert.py``.
"""
import numpy as np

from ..autograd import ArrayFunction

__all__ = ["Cast", "Clone", "Contiguous", "Overwrite"]


class Cast(ArrayFunction):
    """Conversión de dtype: ∂/∂a = 1 (el gradiente vuelve al dtype de la entrada; de complejo a real,
    su parte real: la convención de ``ops/complex.py``)."""

    linear = True

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.src = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.src.kind != "c" and g.dtype.kind == "c":
            g = g.real
        return g.astype(ctx.src)


class Clone(ArrayFunction):
    """Copia con memoria propia; ∂/∂a = 1."""

    linear = True

    @staticmethod
    def forward(ctx, a):
        return np.array(a, copy=True)

    @staticmethod
    def backward(ctx, g):
        return g


class Contiguous(ArrayFunction):
    """Copia con memoria contigua en orden C (``x.contiguous()``); ∂/∂x = g."""

    linear = True

    @staticmethod
    def forward(ctx, a):
        return np.ascontiguousarray(a) if not a.flags.c_contiguous else a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class Overwrite(ArrayFunction):
    """El valor de ``old`` sustituido por ``new`` (con broadcasting y el dtype de ``old``): lo que
    hacen ``fill_``, ``zero_``, ``copy_``... sobre un tensor con historia. La salida ya no depende
    de ``old``: ∂/∂old = 0 (el tensor sigue en el grafo, como en PyTorch); ∂/∂new = g."""

    linear = True

    @staticmethod
    def forward(ctx, old, new):
        ctx.shape = old.shape
        return np.array(np.broadcast_to(new, old.shape), dtype=old.dtype)

    @staticmethod
    def backward(ctx, g):
        return np.zeros(ctx.shape, dtype=g.dtype), g
