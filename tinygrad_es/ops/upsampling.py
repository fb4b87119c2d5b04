"""Reescalado separable para ``F.interpolate``: ``Resample`` aplica, eje por eje, una tabla de
tomas (índices y pesos, ``kernels/upsample.resample_taps``): así salen ``linear`` (1-D),
``trilinear`` (3-D), ``bicubic``, ``nearest-exact``, ``area`` y el vecino más cercano en 3-D. El
caso 2-D más usado (``nearest`` y ``bilinear``) tiene núcleos numba propios (``ops/pooling.Upsample``).

El orden de los ejes es el de PyTorch (primero el último eje, W; luego H; luego D), y cada salida
multiplica todas sus tomas aunque el peso sea 0, como PyTorch (un inf vecino da nan).
"""
import numpy as np

from ..autograd import ArrayFunction

__all__ = ["Resample"]


def _along(x, axis, idx, w, valid):
    """y[..., i, ...] = Σ_k w[i, k]·x[..., idx[i, k], ...] en el eje ``axis``."""
    xm = np.moveaxis(x, axis, -1)
    taps = xm[..., idx] * w  # (..., salida, tomas)
    if valid is not None:
        taps = np.where(valid, taps, taps.dtype.type(0))
    return np.moveaxis(taps.sum(axis=-1), -1, axis)


def _along_t(g, axis, idx, w, valid, n_in):
    """La traspuesta de ``_along``: cada g[i] vuelve a sus tomas con su peso (las repetidas suman)."""
    gm = np.moveaxis(g, axis, -1)
    contrib = gm[..., None] * w
    if valid is not None:
        contrib = np.where(valid, contrib, contrib.dtype.type(0))
    out = np.zeros(gm.shape[:-1] + (n_in,), dtype=g.dtype)
    np.add.at(out, (Ellipsis, idx), contrib)
    return np.moveaxis(out, -1, axis)


class Resample(ArrayFunction):
    """Reescalado separable: para cada ``(eje, idx, w, valid)`` de ``tables`` (en ese orden),
    y[..., i, ...] = Σ_k w[i, k]·x[..., idx[i, k], ...] (``valid`` marca las tomas que cuentan).
    ∂/∂x: lo mismo al revés, eje por eje: ∂L/∂x[j] += w[i, k]·∂L/∂y[i] para cada idx[i, k] = j."""

    linear = True

    @staticmethod
    def forward(ctx, x, tables=()):
        sizes = []
        with np.errstate(invalid="ignore", over="ignore"):
            for axis, idx, w, valid in tables:
                sizes.append(x.shape[axis])
                x = _along(x, axis, idx, w.astype(x.dtype, copy=False), valid)
        ctx.tables, ctx.sizes = tables, sizes
        return x

    @staticmethod
    def backward(ctx, g):
        with np.errstate(invalid="ignore", over="ignore"):
            for (axis, idx, w, valid), n in zip(reversed(ctx.tables), reversed(ctx.sizes)):
                g = _along_t(g, axis, idx, w.astype(g.dtype, copy=False), valid, n)
        return g
