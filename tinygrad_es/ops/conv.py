"""Convolución y convolución traspuesta diferenciables sobre los núcleos numba.

Aquí sólo hay lógica de autograd (qué se guarda y qué se devuelve); el cálculo (y la
elección de algoritmo: Winograd, directo, 1×1, im2col) vive en
``tinygrad_es.kernels``. Las comprobaciones de argumentos con mensajes en español
están en ``nn/functional/conv.py``.
"""
import numpy as np

from .. import kernels as K
from ..autograd import Function


def as_float(a):
    """Los núcleos trabajan en float32 o float64 (los enteros pasan a float32)."""
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float32)


def _common_float(x, w, b):
    dt = np.result_type(x.dtype, w.dtype)
    x, w = as_float(x.astype(dt, copy=False)), as_float(w.astype(dt, copy=False))
    return x, w, (None if b is None else b.astype(x.dtype, copy=False))


def _watch(ctx, state):
    """Lo que el backward leerá de las entradas (los pesos y, según el algoritmo, la propia
    entrada) pasa por ``save_for_backward``: así el contador de versiones detecta si se
    modifican in situ antes del backward (como en PyTorch). Los buffers propios no
    comparten memoria con ninguna entrada y el motor los ignora."""
    if state is not None:
        ctx.save_for_backward(state.w, *state.saved)


class Conv2d(Function):
    """Convolución 2-D (correlación cruzada, como PyTorch) con stride ``s``, relleno ``p``,
    dilatación ``d`` y ``G`` grupos; ``x`` (N, C, H, W), ``w`` (O, C/G, kh, kw):

        y[n, o, i, j] = b[o] + Σ_{c,u,v} w[o, c, u, v] · x[n, g·C/G + c, i·s − p + u·d, j·s − p + v·d]

    con ``g = o // (O/G)`` y ``x`` = 0 fuera de la imagen. Derivadas (de ``y`` lineal en
    ``x`` y en ``w``):

        ∂L/∂x[n, g·C/G + c, a, b'] = Σ_{o∈g, u, v} w[o, c, u, v] · ∂L/∂y[n, o, i, j]
                                      (sobre i·s − p + u·d = a, j·s − p + v·d = b'):
                                      la convolución traspuesta de ∂L/∂y con w
        ∂L/∂w[o, c, u, v] = Σ_{n,i,j} ∂L/∂y[n, o, i, j] · x[n, g·C/G + c, i·s − p + u·d, j·s − p + v·d]
        ∂L/∂b[o] = Σ_{n,i,j} ∂L/∂y[n, o, i, j]
    """

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
        x, w, b = _common_float(x, w, b)
        # Winograd y las tomas de relleno del núcleo directo multiplican 0·inf o restan inf − inf:
        # con entradas no finitas se usa im2col, que da lo mismo que PyTorch (una suma: barata)
        with np.errstate(over="ignore", invalid="ignore"):
            finite = np.isfinite(x.sum()) and np.isfinite(w.sum())
        out, state = K.conv2d_forward(x, w, b, stride, padding, dilation, groups, save=ctx.requires_grad,
                                      algo=None if finite else "im2col")
        ctx.state, ctx.has_b = state, b is not None
        _watch(ctx, state)
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


class ConvTranspose2d(Function):
    """Convolución traspuesta 2-D (el adjunto de ``Conv2d`` respecto de su entrada), con
    ``w`` de forma (C_in, C_out/G, kh, kw) como en PyTorch:

        y[n, g·Co/G + o, i·s − p + u·d, j·s − p + v·d] += x[n, ci, i, j] · w[ci, o, u, v]   (ci ∈ grupo g)

    más el sesgo; la salida mide (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1. Derivadas:

        ∂L/∂x = conv2d(∂L/∂y, w)   (mismos s, p, d, G)
        ∂L/∂w[ci, o, u, v] = Σ_{n,i,j} x[n, ci, i, j] · ∂L/∂y[n, g·Co/G + o, i·s − p + u·d, j·s − p + v·d]
        ∂L/∂b[o] = Σ_{n,a,b'} ∂L/∂y[n, o, a, b']
    """

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1),
                groups=1):
        x, w, b = _common_float(x, w, b)
        out, state = K.conv_transpose2d_forward(x, w, b, stride, padding, output_padding, dilation, groups,
                                                save=ctx.requires_grad)
        ctx.state, ctx.has_b = state, b is not None
        _watch(ctx, state)
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        dx, dw, db = K.conv_transpose2d_backward(g, ctx.state, need_x=need[0], need_w=need[1],
                                                 need_b=ctx.has_b and need[2])
        return (dx, dw, db) if ctx.has_b else (dx, dw)
