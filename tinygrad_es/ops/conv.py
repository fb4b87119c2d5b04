"""Convolución y convolución traspuesta diferenciables sobre los núcleos numba.

Aquí sólo hay lógica de autograd (qué se guarda y qué se devuelve); el cálculo (y la
elección de algoritmo: Winograd, directo, 1×1, im2col) vive en
``tinygrad_es.kernels``. Las comprobaciones de argumentos con mensajes en español
están en ``nn/functional/conv.py``.
"""
import numpy as np

from .. import kernels as K
from ..autograd import ArrayFunction
from ..autograd.higher_order import input_tensor
from .movement import Cat


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


def _empty_forward(ctx, x, w, b, out_shape):
    """Sin elementos en la entrada (lote vacío N = 0, o C = 0): la salida es sólo el sesgo (suma
    vacía = 0), como en PyTorch; el backward da ceros con las formas de ``x`` y ``w``."""
    ctx.state, ctx.has_b, ctx.empty = None, b is not None, (x.shape, w.shape)
    if ctx.requires_grad:
        ctx.x_in, ctx.w_in = x, w  # también para el backward con grafo (orden superior)
    out = np.zeros(out_shape, x.dtype)
    if b is not None:
        out += b[None, :, None, None]
    return out


def _empty_backward(ctx, g):
    (xs, ws), dt = ctx.empty, g.dtype
    grads = (np.zeros(xs, dt), np.zeros(ws, dt))
    return grads + (g.sum(axis=(0, 2, 3)),) if ctx.has_b else grads


class Conv2d(ArrayFunction):
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

    bilinear = True  # forward_ad: J·(ȧ, ḃ) = f(ȧ, b) + f(a, ḃ), dos forwards
    takes_tensors = True  # orden superior: backward con Conv2d/ConvTranspose2d (véase _graph_backward)

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
        x, w, b = _common_float(x, w, b)
        if x.size == 0:
            hw = [K.conv_output_size(x.shape[2 + i], w.shape[2 + i], stride[i], padding[i], dilation[i])
                  for i in range(2)]
            return _empty_forward(ctx, x, w, b, (x.shape[0], w.shape[0], *hw))
        # Winograd y las tomas de relleno del núcleo directo multiplican 0·inf o restan inf − inf:
        # con entradas no finitas se usa im2col, que da lo mismo que PyTorch (una suma: barata)
        with np.errstate(over="ignore", invalid="ignore"):
            finite = np.isfinite(x.sum()) and np.isfinite(w.sum())
        out, state = K.conv2d_forward(x, w, b, stride, padding, dilation, groups, save=ctx.requires_grad,
                                      algo=None if finite else "im2col")
        ctx.state, ctx.has_b = state, b is not None
        _watch(ctx, state)
        if ctx.requires_grad:
            ctx.x_in, ctx.w_in = x, w  # para el grafo del gradiente (arrays: release los suelta)
        return out

    @staticmethod
    def backward(ctx, g):
        if not isinstance(g, np.ndarray):
            return _graph_backward(ctx, g, transpose=False)
        if getattr(ctx, "empty", None):
            return _empty_backward(ctx, g)
        need = ctx.needs_input_grad
        dx, dw, db = K.conv2d_backward(g, ctx.state, need_x=need[0], need_w=need[1],
                                       need_b=ctx.has_b and need[2])
        return (dx, dw, db) if ctx.has_b else (dx, dw)

    @staticmethod
    def release(ctx):
        K.conv_release(getattr(ctx, "state", None))


class ConvTranspose2d(ArrayFunction):
    """Convolución traspuesta 2-D (el adjunto de ``Conv2d`` respecto de su entrada), con
    ``w`` de forma (C_in, C_out/G, kh, kw) como en PyTorch:

        y[n, g·Co/G + o, i·s − p + u·d, j·s − p + v·d] += x[n, ci, i, j] · w[ci, o, u, v]   (ci ∈ grupo g)

    más el sesgo; la salida mide (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1. Derivadas:

        ∂L/∂x = conv2d(∂L/∂y, w)   (mismos s, p, d, G)
        ∂L/∂w[ci, o, u, v] = Σ_{n,i,j} x[n, ci, i, j] · ∂L/∂y[n, g·Co/G + o, i·s − p + u·d, j·s − p + v·d]
        ∂L/∂b[o] = Σ_{n,a,b'} ∂L/∂y[n, o, a, b']
    """

    bilinear = True  # forward_ad: J·(ȧ, ḃ) = f(ȧ, b) + f(a, ḃ), dos forwards
    takes_tensors = True

    @staticmethod
    def forward(ctx, x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1),
                groups=1):
        x, w, b = _common_float(x, w, b)
        if x.size == 0:
            hw = [K.conv_transpose_output_size(x.shape[2 + i], w.shape[2 + i], stride[i], padding[i], dilation[i],
                                               output_padding[i]) for i in range(2)]
            return _empty_forward(ctx, x, w, b, (x.shape[0], w.shape[1] * groups, *hw))
        out, state = K.conv_transpose2d_forward(x, w, b, stride, padding, output_padding, dilation, groups,
                                                save=ctx.requires_grad)
        ctx.state, ctx.has_b = state, b is not None
        _watch(ctx, state)
        if ctx.requires_grad:
            ctx.x_in, ctx.w_in = x, w
        return out

    @staticmethod
    def backward(ctx, g):
        if not isinstance(g, np.ndarray):
            return _graph_backward(ctx, g, transpose=True)
        if getattr(ctx, "empty", None):
            return _empty_backward(ctx, g)
        need = ctx.needs_input_grad
        dx, dw, db = K.conv_transpose2d_backward(g, ctx.state, need_x=need[0], need_w=need[1],
                                                 need_b=ctx.has_b and need[2])
        return (dx, dw, db) if ctx.has_b else (dx, dw)


# --------------------------------------------------------------------------
# orden superior: las mismas derivadas como convoluciones registradas
# --------------------------------------------------------------------------
def _weight_grad(inp, gout, wshape, stride, padding, dilation, groups):
    """Σ_{n,i,j} gout[n, o, i, j]·inp[n, c, i·s − p + u·d, j·s − p + v·d] (forma ``wshape``) como una
    convolución de ``inp`` con ``gout`` (lote y canales intercambiados; stride y dilatación también),
    recortada a kh×kw; con grupos, una por grupo."""
    o_all, cg, kh, kw = wshape
    og = o_all // groups
    parts = []
    for k in range(groups):
        xi = inp if groups == 1 else inp[:, k * cg:(k + 1) * cg]
        gi = gout if groups == 1 else gout[:, k * og:(k + 1) * og]
        r = Conv2d.apply(xi.transpose(0, 1), gi.transpose(0, 1), stride=dilation, padding=padding,
                         dilation=stride, groups=1)
        parts.append(r[:, :, :kh, :kw].transpose(0, 1))
    return parts[0] if groups == 1 else Cat.apply(*parts, axis=0)


def _graph_backward(ctx, g, transpose):
    """El backward con tensores: ∂L/∂x, ∂L/∂w y ∂L/∂b con ``Conv2d``/``ConvTranspose2d`` (que a su vez
    son derivables), así que la derivada de la convolución se deriva cuantas veces haga falta."""
    x_data, w_data = ctx.x_in, ctx.w_in
    x, w = input_tensor(ctx, 0, x_data), input_tensor(ctx, 1, w_data)
    kw = ctx.kwargs
    s, p, d, groups = kw.get("stride", (1, 1)), kw.get("padding", (0, 0)), kw.get("dilation", (1, 1)), \
        kw.get("groups", 1)
    need = ctx.needs_input_grad
    gx = gw = gb = None
    kh, kw_ = w.shape[2:]
    if not transpose:
        if need[0]:
            oh, ow = g.shape[2:]
            op = tuple(int(n - ((o - 1) * st - 2 * pd + dl * (k - 1) + 1))
                       for n, o, st, pd, dl, k in zip(x.shape[2:], (oh, ow), s, p, d, (kh, kw_)))
            gx = ConvTranspose2d.apply(g, w, stride=s, padding=p, output_padding=op, dilation=d, groups=groups)
        if need[1]:
            gw = _weight_grad(x, g, tuple(w.shape), s, p, d, groups)
    else:
        if need[0]:
            gx = Conv2d.apply(g, w, stride=s, padding=p, dilation=d, groups=groups)
        if need[1]:
            gw = _weight_grad(g, x, tuple(w.shape), s, p, d, groups)
    if ctx.has_b and need[2]:
        gb = g.sum(axis=(0, 2, 3))
    return (gx, gw, gb) if ctx.has_b else (gx, gw)
