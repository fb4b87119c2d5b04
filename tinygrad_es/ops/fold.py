"""``im2col`` y su adjunto, como funciones de arrays: ``Unfold`` (``F.unfold``) saca cada bloque
deslizante de una imagen como una columna, y ``Fold`` (``F.fold``) suma las columnas de vuelta en
su sitio. Son lineales y cada una es la traspuesta de la otra, así que la derivada de una es la
otra (también con ``create_graph=True``: el ``backward`` recibe entonces tensores y aplica la otra
``Function``).

Formas (2-D espaciales): ``Unfold``: (N, C, H, W) → (N, C·kh·kw, L) con L = OH·OW bloques;
``Fold``: (N, C·kh·kw, L) → (N, C, H, W). Son bucles de numpy de kh·kw cortes (sin núcleo numba:
para lo que se usan, explicar la convolución como un producto de matrices, bastan).
"""
import numpy as np

from ..autograd import ArrayFunction, TensorBase

__all__ = ["Unfold", "Fold", "blocks"]


def blocks(size, k, d, p, s):
    """Número de posiciones del bloque en un eje: ⌊(size + 2p − d·(k − 1) − 1) / s⌋ + 1."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _unfold(x, k, d, p, s):
    n, c, h, w = x.shape
    oh, ow = blocks(h, k[0], d[0], p[0], s[0]), blocks(w, k[1], d[1], p[1], s[1])
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    out = np.empty((n, c, k[0], k[1], oh, ow), dtype=x.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            r, q = i * d[0], j * d[1]
            out[:, :, i, j] = xp[:, :, r:r + s[0] * (oh - 1) + 1:s[0], q:q + s[1] * (ow - 1) + 1:s[1]]
    return out.reshape(n, c * k[0] * k[1], oh * ow)


def _fold(cols, size, k, d, p, s):
    n = cols.shape[0]
    c = cols.shape[1] // (k[0] * k[1])
    h, w = size
    oh, ow = blocks(h, k[0], d[0], p[0], s[0]), blocks(w, k[1], d[1], p[1], s[1])
    cols = cols.reshape(n, c, k[0], k[1], oh, ow)
    hp = max(h + 2 * p[0], (oh - 1) * s[0] + (k[0] - 1) * d[0] + 1)
    wp = max(w + 2 * p[1], (ow - 1) * s[1] + (k[1] - 1) * d[1] + 1)
    out = np.zeros((n, c, hp, wp), dtype=cols.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            r, q = i * d[0], j * d[1]
            out[:, :, r:r + s[0] * (oh - 1) + 1:s[0], q:q + s[1] * (ow - 1) + 1:s[1]] += cols[:, :, i, j]
    return out[:, :, p[0]:p[0] + h, p[1]:p[1] + w]


class Unfold(ArrayFunction):
    """y[n, (c·kh + i)·kw + j, oy·OW + ox] = x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] (0 fuera).
    ∂L/∂x = Fold(∂L/∂y): cada columna suma en las posiciones de las que salió."""

    linear = True

    @staticmethod
    def forward(ctx, x, kernel=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
        ctx.args = (kernel, dilation, padding, stride)
        ctx.size = x.shape[2:]
        return _unfold(x, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, g):
        k, d, p, s = ctx.args
        if isinstance(g, TensorBase):
            return Fold.apply(g, size=ctx.size, kernel=k, dilation=d, padding=p, stride=s)
        return _fold(g, ctx.size, k, d, p, s)


class Fold(ArrayFunction):
    """y[n, c, Y, X] = Σ de las columnas que caen en (Y, X) (la traspuesta de ``Unfold``).
    ∂L/∂cols = Unfold(∂L/∂y)."""

    linear = True

    @staticmethod
    def forward(ctx, cols, size=(1, 1), kernel=(1, 1), dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
        ctx.args = (kernel, dilation, padding, stride)
        return _fold(cols, size, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, g):
        k, d, p, s = ctx.args
        if isinstance(g, TensorBase):
            return Unfold.apply(g, kernel=k, dilation=d, padding=p, stride=s)
        return _unfold(g, k, d, p, s)
