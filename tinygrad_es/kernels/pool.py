"""Pooling 2-D en numba, en paralelo por plano (imagen, canal): cada iteración
del ``prange`` lee y escribe sólo su propio plano."""
import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def max_pool2d_forward(x, kh, kw, sh, sw, ph, pw, oh, ow):
    """Máximo por ventana; el relleno cuenta como −inf. Devuelve ``(out, idx)`` con
    ``idx`` = índice plano (y·W + x) del **primer** máximo de cada ventana."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    idx = np.empty((n_img, c, oh, ow), dtype=np.int32)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        for y in range(oh):
            y0 = y * sh - ph
            for xo in range(ow):
                x0 = xo * sw - pw
                best = -np.inf
                bi = -1
                for i in range(kh):
                    iy = y0 + i
                    if iy < 0 or iy >= h:
                        continue
                    for j in range(kw):
                        ix = x0 + j
                        if ix < 0 or ix >= w:
                            continue
                        v = x[n, ch, iy, ix]
                        # estrictamente mayor: gana el primero; NaN se propaga
                        if bi < 0 or v > best or (v != v and best == best):
                            best = v
                            bi = iy * w + ix
                out[n, ch, y, xo] = best
                idx[n, ch, y, xo] = bi
    return out, idx


@njit(parallel=True, cache=True)
def max_pool2d_backward(gout, idx, h, w):
    n_img, c, oh, ow = gout.shape
    dx = np.zeros((n_img, c, h * w), dtype=gout.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        for y in range(oh):
            for xo in range(ow):
                k = idx[n, ch, y, xo]
                if k >= 0:
                    dx[n, ch, k] += gout[n, ch, y, xo]
    return dx.reshape(n_img, c, h, w)


@njit(parallel=True, cache=True)
def avg_pool2d_forward(x, kh, kw, sh, sw, ph, pw, oh, ow):
    """Media por ventana dividiendo siempre por kh·kw (count_include_pad=True de PyTorch)."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    inv = 1.0 / (kh * kw)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        for y in range(oh):
            for xo in range(ow):
                s = 0.0
                for i in range(kh):
                    iy = y * sh - ph + i
                    if iy < 0 or iy >= h:
                        continue
                    for j in range(kw):
                        ix = xo * sw - pw + j
                        if ix >= 0 and ix < w:
                            s += x[n, ch, iy, ix]
                out[n, ch, y, xo] = s * inv
    return out


@njit(parallel=True, cache=True)
def avg_pool2d_backward(gout, h, w, kh, kw, sh, sw, ph, pw):
    n_img, c, oh, ow = gout.shape
    dx = np.zeros((n_img, c, h, w), dtype=gout.dtype)
    inv = 1.0 / (kh * kw)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        for y in range(oh):
            for xo in range(ow):
                g = gout[n, ch, y, xo] * inv
                for i in range(kh):
                    iy = y * sh - ph + i
                    if iy < 0 or iy >= h:
                        continue
                    for j in range(kw):
                        ix = xo * sw - pw + j
                        if ix >= 0 and ix < w:
                            dx[n, ch, iy, ix] += g
    return dx


@njit(cache=True)
def _adaptive_window(i, size, osize):
    """Ventana i del pooling adaptativo (regla de PyTorch): [⌊i·size/osize⌋, ⌈(i+1)·size/osize⌉)."""
    return (i * size) // osize, -((-(i + 1) * size) // osize)


@njit(parallel=True, cache=True)
def adaptive_avg_pool2d_forward(x, oh, ow):
    """Regla de PyTorch: ventana i = [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉)."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
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


@njit(parallel=True, cache=True)
def adaptive_avg_pool2d_backward(gout, h, w):
    n_img, c, oh, ow = gout.shape
    dx = np.zeros((n_img, c, h, w), dtype=gout.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        for y in range(oh):
            y0, y1 = _adaptive_window(y, h, oh)
            for xo in range(ow):
                x0, x1 = _adaptive_window(xo, w, ow)
                g = gout[n, ch, y, xo] / ((y1 - y0) * (x1 - x0))
                for iy in range(y0, y1):
                    for ix in range(x0, x1):
                        dx[n, ch, iy, ix] += g
    return dx


@njit(parallel=True, cache=True)
def max_pool2x2_forward(x, oh, ow):
    """Camino rápido para núcleo 2×2, stride 2 y sin relleno (el de las CNN del curso):
    sin ramas (selecciones que LLVM vectoriza), misma regla que el caso general: gana el
    primer máximo en orden de filas y un NaN se propaga."""
    n_img, c, h, w = x.shape
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    idx = np.empty((n_img, c, oh, ow), dtype=np.int32)
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        plane = x[n, ch]
        o = out[n, ch]
        ii = idx[n, ch]
        for y in range(oh):
            r0 = plane[2 * y]
            r1 = plane[2 * y + 1]
            orow = o[y]
            irow = ii[y]
            base = 2 * y * w
            for xo in range(ow):
                a = r0[2 * xo]
                b = r0[2 * xo + 1]
                cc = r1[2 * xo]
                d = r1[2 * xo + 1]
                t1 = (a >= b) | (a != a)
                m1 = a if t1 else b
                k1 = 0 if t1 else 1
                t2 = (cc >= d) | (cc != cc)
                m2 = cc if t2 else d
                k2 = w if t2 else w + 1
                t3 = ((m1 >= m2) | (m1 != m1)) & ~((m2 != m2) & (m1 == m1))
                orow[xo] = m1 if t3 else m2
                irow[xo] = base + 2 * xo + (k1 if t3 else k2)
    return out, idx


@njit(parallel=True, cache=True)
def max_pool2x2_backward(gout, idx, h, w):
    """Adjunto del camino rápido: las ventanas no se solapan, así que cada elemento de
    ``dx`` se escribe una sola vez (sin pasada previa de ceros)."""
    n_img, c, oh, ow = gout.shape
    dx = np.empty((n_img, c, h, w), dtype=gout.dtype)
    zero = 0
    for p in prange(n_img * c):
        n = p // c
        ch = p % c
        d = dx[n, ch]
        g = gout[n, ch]
        ii = idx[n, ch]
        for y in range(oh):
            d0 = d[2 * y]
            d1 = d[2 * y + 1]
            base = 2 * y * w
            for xo in range(ow):
                k = ii[y, xo] - base - 2 * xo
                gv = g[y, xo]
                d0[2 * xo] = gv if k == 0 else zero
                d0[2 * xo + 1] = gv if k == 1 else zero
                d1[2 * xo] = gv if k == w else zero
                d1[2 * xo + 1] = gv if k == w + 1 else zero
            for xx in range(2 * ow, w):
                d0[xx] = zero
                d1[xx] = zero
        for y in range(2 * oh, h):
            for xx in range(w):
                d[y, xx] = zero
    return dx
