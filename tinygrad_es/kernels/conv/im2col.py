"""im2col / col2im con stride y dilatación, relleno de la entrada y cambios de disposición.

Disposición de ``cols``: (C·kh·kw, N·OH·OW); fila ``(c·kh + i)·kw + j``, columna
``n·L + y·OW + x`` = ``xp[n, c, y·sh + i·dh, x·sw + j·dw]`` (``xp`` ya rellenada). Con
esa disposición las filas de un grupo de canales son contiguas, así que una
convolución agrupada es una GEMM por lotes sobre ``cols.reshape(G, C/G·kh·kw, N·L)``.

Todos los núcleos reparten el trabajo con ``prange`` sobre imágenes (o canales) y cada
iteración escribe sólo en su parte: sin carreras.
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel
from .._slices import copy1, fill1


@parallel_kernel
@njit(parallel=True, cache=True)
def pad_input(x, ph, pw, out):
    """Copia ``x`` (N, C, H, W) en ``out`` a partir de (ph, pw) y pone a cero el resto de
    ``out`` (que puede tener más filas o columnas al final que H + 2·ph, W + 2·pw)."""
    n_img, c_in, h, w = x.shape
    hp = out.shape[2]
    for p in prange(n_img * c_in):
        n = p // c_in
        c = p % c_in
        o = out[n, c]
        for y in range(ph):
            fill1(o[y], 0)
        for y in range(h):
            row = o[y + ph]
            fill1(row[:pw], 0)
            copy1(row[pw:pw + w], x[n, c, y])
            fill1(row[pw + w:], 0)
        for y in range(ph + h, hp):
            fill1(o[y], 0)


@parallel_kernel
@njit(parallel=True, cache=True)
def im2col(xp, kh, kw, sh, sw, dh, dw, oh, ow, cols):
    """Rellena ``cols`` (C·kh·kw, N·OH·OW) desde la entrada rellenada ``xp``. Con stride 1
    cada fila de salida es una copia contigua (asignación de cortes, que se vectoriza)."""
    n_img, c_in = xp.shape[0], xp.shape[1]
    L = oh * ow
    for n in prange(n_img):
        base = n * L
        for c in range(c_in):
            plane = xp[n, c]
            for i in range(kh):
                for j in range(kw):
                    dst = cols[(c * kh + i) * kw + j]
                    for y in range(oh):
                        d = base + y * ow
                        src = plane[y * sh + i * dh]
                        o = j * dw
                        if sw == 1:
                            copy1(dst[d:d + ow], src[o:o + ow])
                        elif sw == 2:  # constante a la vista de LLVM: cargas intercaladas, no gathers
                            for xo in range(ow):
                                dst[d + xo] = src[2 * xo + o]
                        else:
                            for xo in range(ow):
                                dst[d + xo] = src[xo * sw + o]


@parallel_kernel
@njit(parallel=True, cache=True)
def col2im(dcols, n_img, c_in, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    """Adjunto exacto de ``im2col``: suma cada columna en su posición. Acumula en un
    buffer propio de la iteración (la imagen con relleno) y recorta al final."""
    L = oh * ow
    hp = max(h + 2 * ph, (oh - 1) * sh + (kh - 1) * dh + 1)
    wp = max(w + 2 * pw, (ow - 1) * sw + (kw - 1) * dw + 1)
    dx = np.empty((n_img, c_in, h, w), dtype=dcols.dtype)
    for n in prange(n_img):
        acc = np.empty((hp, wp), dtype=dcols.dtype)
        base = n * L
        for c in range(c_in):
            acc[:, :] = 0
            for i in range(kh):
                for j in range(kw):
                    src = dcols[(c * kh + i) * kw + j, base:base + L]
                    for y in range(oh):
                        dst = acc[y * sh + i * dh]
                        s = y * ow
                        o = j * dw
                        if sw == 1:
                            for xo in range(ow):
                                dst[o + xo] += src[s + xo]
                        elif sw == 2:
                            for xo in range(ow):
                                dst[2 * xo + o] += src[s + xo]
                        else:
                            for xo in range(ow):
                                dst[xo * sw + o] += src[s + xo]
            for y in range(h):
                for xx in range(w):
                    dx[n, c, y, xx] = acc[y + ph, xx + pw]
    return dx


@parallel_kernel
@njit(parallel=True, cache=True)
def ol_to_nol(y, n_img, o, L, bias, out):
    """(O, N·L) -> (N, O, L) sumando el sesgo, en paralelo por imagen."""
    for n in prange(n_img):
        for k in range(o):
            b = bias[k]
            src = y[k, n * L:(n + 1) * L]
            dst = out[n, k]
            for l in range(L):
                dst[l] = src[l] + b


@parallel_kernel
@njit(parallel=True, cache=True)
def nol_to_ol(g, n_img, o, L, out):
    """(N, O, L) -> (O, N·L), en paralelo por canal de salida."""
    for k in prange(o):
        for n in range(n_img):
            copy1(out[k, n * L:(n + 1) * L], g[n, k])
