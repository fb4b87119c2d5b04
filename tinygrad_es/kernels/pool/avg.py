"""Pooling medio 2-D (fijo y adaptativo) en numba, en paralelo por plano (imagen, canal).

Divisor de cada ventana, regla de PyTorch (``avg_pool2d``): con ``divisor > 0`` (el
``divisor_override``) se divide por él; si no, con ``count_include_pad`` por el tamaño
de la ventana recortada a la entrada *con relleno* (en ``ceil_mode`` la última ventana
puede ser más pequeña que kh·kw) y sin él por el número de elementos reales.
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel
from .window import _adaptive_window


@njit(cache=True)
def _window(o, s, p, k, size):
    # [a0, a1) recortada a la entrada y tamaño de la ventana contando el relleno
    a = o * s - p
    b = min(a + k, size + p)
    return max(a, 0), min(b, size), b - a


@njit(cache=True)
def _divisor(h0, h1, ph_size, w0, w1, pw_size, count_include_pad, divisor):
    if divisor > 0:
        return divisor
    if count_include_pad:
        return ph_size * pw_size
    return (h1 - h0) * (w1 - w0)


@parallel_kernel
@njit(parallel=True, cache=True)
def avg_pool2d_forward(x, kh, kw, sh, sw, ph, pw, oh, ow, count_include_pad, divisor):
    """Media por ventana; una ventana sin elementos reales da 0."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        plane = x[n, ch]
        for y in range(oh):
            h0, h1, hsz = _window(y, sh, ph, kh, h)
            for xo in range(ow):
                w0, w1, wsz = _window(xo, sw, pw, kw, w)
                if h0 >= h1 or w0 >= w1:
                    out[n, ch, y, xo] = 0
                    continue
                s = 0.0
                for iy in range(h0, h1):
                    row = plane[iy]
                    for ix in range(w0, w1):
                        s += row[ix]
                out[n, ch, y, xo] = s / _divisor(h0, h1, hsz, w0, w1, wsz, count_include_pad, divisor)
    return out


@parallel_kernel
@njit(parallel=True, cache=True)
def avg_pool2d_backward(gout, h, w, kh, kw, sh, sw, ph, pw, count_include_pad, divisor):
    n_img, c, oh, ow = gout.shape
    dx = np.zeros((n_img, c, h, w), dtype=gout.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        d = dx[n, ch]
        for y in range(oh):
            h0, h1, hsz = _window(y, sh, ph, kh, h)
            for xo in range(ow):
                w0, w1, wsz = _window(xo, sw, pw, kw, w)
                if h0 >= h1 or w0 >= w1:
                    continue
                g = gout[n, ch, y, xo] / _divisor(h0, h1, hsz, w0, w1, wsz, count_include_pad, divisor)
                for iy in range(h0, h1):
                    row = d[iy]
                    for ix in range(w0, w1):
                        row[ix] += g
    return dx


@parallel_kernel
@njit(parallel=True, cache=True)
def avg_pool2x2_forward(x, oh, ow, inv_div):
    """Camino rápido para 2×2, stride 2, sin relleno (ventanas completas): sin ramas.
    ``inv_div`` es un array de un elemento con 1/divisor en el dtype de ``x`` (así el
    producto no pasa a float64)."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    inv = inv_div[0]
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        plane = x[n, ch]
        o = out[n, ch]
        for y in range(oh):
            r0 = plane[2 * y]
            r1 = plane[2 * y + 1]
            orow = o[y]
            for xo in range(ow):
                orow[xo] = (r0[2 * xo] + r0[2 * xo + 1] + r1[2 * xo] + r1[2 * xo + 1]) * inv
    return out


@parallel_kernel
@njit(parallel=True, cache=True)
def avg_pool2x2_backward(gout, h, w, inv_div):
    """Adjunto del camino rápido: cada elemento de ``dx`` se escribe una vez."""
    n_img, c, oh, ow = gout.shape
    dx = np.empty((n_img, c, h, w), dtype=gout.dtype)
    inv = inv_div[0]
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        d = dx[n, ch]
        g = gout[n, ch]
        for y in range(oh):
            d0 = d[2 * y]
            d1 = d[2 * y + 1]
            grow = g[y]
            for xo in range(ow):
                v = grow[xo] * inv
                d0[2 * xo] = v
                d0[2 * xo + 1] = v
                d1[2 * xo] = v
                d1[2 * xo + 1] = v
            d0[2 * ow:] = 0
            d1[2 * ow:] = 0
        for y in range(2 * oh, h):
            d[y, :] = 0
    return dx


@parallel_kernel
@njit(parallel=True, cache=True)
def adaptive_avg_pool2d_forward(x, oh, ow):
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        for y in range(oh):
            y0, y1 = _adaptive_window(y, h, oh)
            for xo in range(ow):
                x0, x1 = _adaptive_window(xo, w, ow)
                s = 0.0
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        s += x[n, ch, iy, ix]
                out[n, ch, y, xo] = s / ((y1 - y0) * (x1 - x0))
    return out


@parallel_kernel
@njit(parallel=True, cache=True)
def adaptive_avg_pool2d_backward(gout, h, w):
    n_img, c, oh, ow = gout.shape
    dx = np.zeros((n_img, c, h, w), dtype=gout.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        for y in range(oh):
            y0, y1 = _adaptive_window(y, h, oh)
            for xo in range(ow):
                x0, x1 = _adaptive_window(xo, w, ow)
                g = gout[n, ch, y, xo] / ((y1 - y0) * (x1 - x0))
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        dx[n, ch, iy, ix] += g
    return dx
