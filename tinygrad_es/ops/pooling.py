"""Pooling y reescalado diferenciables sobre los núcleos numba (sólo autograd aquí).

Las operaciones que devuelven índices (``return_indices``) los dejan en ``holder``
(un dict que pasa la función de ``nn/functional/pooling.py``): los índices no son
diferenciables y el motor sólo devuelve un tensor por operación.
"""
import numpy as np

from .. import kernels as K
from ..autograd import ArrayFunction
from .conv import as_float


def _c(x):
    return np.ascontiguousarray(as_float(x))


def gather_planes(dx, idx):
    """``dx[n, c].flat[idx[n, c, i, j]]``: la derivada hacia delante del max-pooling (el valor de
    cada ventana viene de su máximo, que no se mueve). Su traspuesta es el backward (sumar en los
    índices); así la derivada doble del pooling pasa por sus índices."""
    n, c = idx.shape[:2]
    flat = dx.reshape(n, c, -1)
    out = np.take_along_axis(flat, np.maximum(idx, 0).reshape(n, c, -1).astype(np.int64), axis=2)
    return np.where(idx.reshape(n, c, -1) >= 0, out, 0).reshape(idx.shape).astype(dx.dtype, copy=False)


class MaxPool2d(ArrayFunction):
    """Máximo por ventana ``kh×kw`` con stride, relleno (−∞) y dilatación:

        y[n, c, i, j] = max_{u,v} x[n, c, i·s − p + u·d, j·s − p + v·d]

    Derivada: ∂L/∂x[n, c, a, b] = Σ_{(i,j): argmax(i,j) = (a,b)} ∂L/∂y[n, c, i, j]; el
    gradiente va entero al primer máximo de cada ventana (en orden de filas; si hay NaN,
    al último NaN), como en PyTorch; las ventanas solapadas suman."""

    tangent = staticmethod(lambda ctx, dx: gather_planes(dx, ctx.saved_tensors[0]))

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), out_hw=None, dilation=(1, 1), holder=None):
        x = _c(x)
        oh, ow = out_hw
        out, idx = K.max_pool2d_forward(x, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                                        dilation[0], dilation[1], oh, ow)
        if holder is not None:
            holder["indices"] = idx.astype(np.int64, copy=False)
        ctx.save_for_backward(idx)
        ctx.hw = x.shape[2:]
        return out

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        # ceros + suma en el índice de cada ventana (más rápido que escribir cada elemento de
        # dx, también en el caso 2×2: 0,15 frente a 0,34 ms en (64, 64, 11, 11), medido)
        return K.max_pool2d_backward(np.ascontiguousarray(g), idx, ctx.hw[0], ctx.hw[1])


class AdaptiveMaxPool2d(ArrayFunction):
    """Máximo en las ventanas adaptativas [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) × (lo mismo en W);
    derivada como ``MaxPool2d``: el gradiente va al primer máximo de cada ventana."""

    tangent = staticmethod(lambda ctx, dx: gather_planes(dx, ctx.saved_tensors[0]))

    @staticmethod
    def forward(ctx, x, out_hw=(1, 1), holder=None):
        x = _c(x)
        out, idx = K.adaptive_max_pool2d_forward(x, out_hw[0], out_hw[1])
        if holder is not None:
            holder["indices"] = idx
        ctx.save_for_backward(idx)
        ctx.hw = x.shape[2:]
        return out

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return K.max_pool2d_backward(np.ascontiguousarray(g), idx, ctx.hw[0], ctx.hw[1])


class MaxUnpool2d(ArrayFunction):
    """Inversa parcial del max-pooling: ``y`` (OH×OW) a cero salvo ``y.flat[idx[i, j]] = x[i, j]``
    en cada plano. Derivada: ∂L/∂x[n, c, i, j] = ∂L/∂y[n, c].flat[idx[n, c, i, j]]."""

    linear = True

    @staticmethod
    def forward(ctx, x, indices=None, out_hw=None):
        x = _c(x)
        ctx.idx = np.ascontiguousarray(indices, dtype=np.int64)
        return K.max_unpool2d_forward(x, ctx.idx, out_hw[0], out_hw[1])

    @staticmethod
    def backward(ctx, g):
        return K.max_unpool2d_backward(np.ascontiguousarray(g), ctx.idx)


class AvgPool2d(ArrayFunction):
    """Media por ventana: ``y[n, c, i, j] = Σ_{u,v} x[n, c, i·s − p + u, j·s − p + v] / D(i, j)``
    con el divisor ``D`` de PyTorch (``divisor_override``; o la ventana recortada a la
    entrada con relleno si ``count_include_pad``; o sólo los elementos reales).
    Derivada: cada ∂L/∂y[i, j] / D(i, j) se reparte por igual en su ventana."""

    linear = True

    @staticmethod
    def forward(ctx, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0), out_hw=None, count_include_pad=True,
                divisor=0):
        x = _c(x)
        oh, ow = out_hw
        h, w = x.shape[2:]
        ctx.fast = kernel == (2, 2) and stride == (2, 2) and padding == (0, 0) and oh <= h // 2 and ow <= w // 2
        if ctx.fast:
            ctx.inv = np.array([1.0 / (divisor or 4)], dtype=x.dtype)
            ctx.hw = (h, w)
            return K.avg_pool2x2_forward(x, oh, ow, ctx.inv)
        ctx.args = (h, w, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
                    bool(count_include_pad), int(divisor))
        return K.avg_pool2d_forward(x, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], oh, ow,
                                    bool(count_include_pad), int(divisor))

    @staticmethod
    def backward(ctx, g):
        g = np.ascontiguousarray(g)
        if ctx.fast:
            return K.avg_pool2x2_backward(g, ctx.hw[0], ctx.hw[1], ctx.inv)
        return K.avg_pool2d_backward(g, *ctx.args)


class AdaptiveAvgPool2d(ArrayFunction):
    """Media en las ventanas adaptativas [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) × (lo mismo en W).
    Derivada: cada ∂L/∂y[i, j] se reparte por igual entre los elementos de su ventana
    (dividido por su tamaño)."""

    linear = True

    @staticmethod
    def forward(ctx, x, out_hw=(1, 1)):
        x = _c(x)
        ctx.hw = x.shape[2:]
        if tuple(out_hw) == (1, 1):  # media global: numpy, sumando en float64 (un redondeo)
            return x.mean(axis=(2, 3), keepdims=True, dtype=np.float64).astype(x.dtype, copy=False)
        return K.adaptive_avg_pool2d_forward(x, out_hw[0], out_hw[1])

    @staticmethod
    def backward(ctx, g):
        h, w = ctx.hw
        if g.shape[2:] == (1, 1):
            return np.broadcast_to(g / (h * w), g.shape[:2] + (h, w))
        return K.adaptive_avg_pool2d_backward(np.ascontiguousarray(g), h, w)


class Upsample(ArrayFunction):
    """Reescalado 2-D a (OH, OW).

    ``nearest``: ``y[i, j] = x[h(i), w(j)]`` con ``h(i) = min(⌊i·escala⌋, H − 1)``; derivada:
    ∂L/∂x[a, b] = Σ_{h(i)=a, w(j)=b} ∂L/∂y[i, j].

    ``bilinear``: ``y[i, j] = Σ_{r∈{0,1}} Σ_{q∈{0,1}} λ_r(i) μ_q(j) x[h_r(i), w_q(j)]`` con los
    vecinos y pesos de PyTorch (``align_corners`` y ``scale_factor`` cambian la
    coordenada de origen); derivada: ∂L/∂x[h_r(i), w_q(j)] += λ_r(i) μ_q(j) ∂L/∂y[i, j].
    """

    linear = True

    @staticmethod
    def forward(ctx, x, out_hw=None, mode="nearest", align_corners=False, scales=(None, None)):
        x = _c(x)
        h, w = x.shape[2:]
        oh, ow = out_hw
        ctx.hw, ctx.mode = (h, w), mode
        if mode == "nearest":
            ctx.tabs = (K.nearest_indices(h, oh, scales[0], x.dtype), K.nearest_indices(w, ow, scales[1], x.dtype))
            return K.upsample_nearest2d_forward(x, *ctx.tabs)
        ctx.tabs = (K.linear_weights(h, oh, align_corners, scales[0], x.dtype)
                    + K.linear_weights(w, ow, align_corners, scales[1], x.dtype))
        return K.upsample_bilinear2d_forward(x, *ctx.tabs)

    @staticmethod
    def backward(ctx, g):
        g = np.ascontiguousarray(g)
        if ctx.mode == "nearest":
            return K.upsample_nearest2d_backward(g, ctx.hw[0], ctx.hw[1], *ctx.tabs)
        return K.upsample_bilinear2d_backward(g, ctx.hw[0], ctx.hw[1], *ctx.tabs)
