"""Reescalado (``F.interpolate``): núcleos 2-D de vecino más cercano y bilineal (forward y backward) y
las tablas de índices y pesos por eje de todos los modos (``resample_taps``).

Las tablas de índices y pesos de cada eje se calculan una vez en numpy con las
fórmulas de PyTorch (``UpSample.h``), en la precisión del dtype (float32 para float32,
como hace PyTorch en la CPU); los núcleos recorren en paralelo los planos (imagen,
canal). El backward suma en el plano de cada iteración: sin carreras.
"""
import numpy as np
from numba import njit, prange

from ._parallel import parallel_kernel


def _scale(in_size, out_size, scale_factor, dtype):
    # compute_scales_value: 1/scale_factor si se dio, si no entrada/salida
    if scale_factor is not None and scale_factor > 0:
        return dtype.type(1.0 / scale_factor)
    return dtype.type(in_size) / dtype.type(out_size)


def nearest_indices(in_size, out_size, scale_factor=None, dtype=np.float32):
    """Índice de origen de cada posición de salida (``nearest_idx`` de PyTorch)."""
    dtype = np.dtype(dtype)
    if out_size == in_size:
        return np.arange(out_size, dtype=np.int64)
    if out_size == 2 * in_size:
        return np.arange(out_size, dtype=np.int64) >> 1
    s = _scale(in_size, out_size, scale_factor, dtype)
    src = np.floor(np.arange(out_size, dtype=dtype) * s).astype(np.int64)
    return np.minimum(src, in_size - 1)


def linear_weights(in_size, out_size, align_corners, scale_factor=None, dtype=np.float32):
    """``(i0, i1, l0, l1)``: vecinos y pesos de la interpolación lineal en un eje
    (``area_pixel_compute_source_index`` + ``guard_index_and_lambda`` de PyTorch)."""
    dtype = np.dtype(dtype)
    dst = np.arange(out_size, dtype=dtype)
    if align_corners:
        s = dtype.type(in_size - 1) / dtype.type(out_size - 1) if out_size > 1 else dtype.type(0)
        src = s * dst
    else:
        s = _scale(in_size, out_size, scale_factor, dtype)
        src = s * (dst + dtype.type(0.5)) - dtype.type(0.5)
        src = np.where(src < 0, dtype.type(0), src).astype(dtype)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    l1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    l0 = (dtype.type(1) - l1).astype(dtype)
    i1 = i0 + (i0 < in_size - 1)
    return i0, i1, l0, l1


def nearest_exact_indices(in_size, out_size, scale_factor=None, dtype=np.float32):
    """Índice de origen de ``nearest-exact``: ⌊(i + ½)·escala⌋ (``nearest_neighbor_exact_compute_source_index``)."""
    dtype = np.dtype(dtype)
    s = _scale(in_size, out_size, scale_factor, dtype)
    src = np.floor((np.arange(out_size, dtype=dtype) + dtype.type(0.5)) * s).astype(np.int64)
    return np.minimum(src, in_size - 1)


def _cubic_coefficients(t):
    """Los 4 pesos de la convolución cúbica de PyTorch (A = −0,75) para la fracción ``t``."""
    a = t.dtype.type(-0.75)

    def c1(x):  # |x| ≤ 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def c2(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one = t.dtype.type(1)
    return np.stack([c2(t + one), c1(t), c1(one - t), c2(one - t + one)], axis=-1)


def resample_taps(mode, in_size, out_size, align_corners=False, scale_factor=None, dtype=np.float32):
    """Tabla de un eje para ``F.interpolate``: ``(idx, w, valid)`` de forma (salida, tomas): la salida
    ``i`` es Σ_k w[i, k]·x[idx[i, k]] sobre las tomas válidas (``valid`` es ``None`` si lo son todas).
    Fórmulas de PyTorch (``UpSample.h``): ``nearest``, ``nearest-exact``, ``linear`` (2 tomas),
    ``cubic`` (4 tomas, índices recortados al borde) y ``area`` (la media de la ventana adaptativa
    [⌊i·n/m⌋, ⌈(i+1)·n/m⌉))."""
    dtype = np.dtype(dtype)
    if mode == "nearest":
        return nearest_indices(in_size, out_size, scale_factor, dtype)[:, None], np.ones((out_size, 1), dtype), None
    if mode == "nearest-exact":
        idx = nearest_exact_indices(in_size, out_size, scale_factor, dtype)
        return idx[:, None], np.ones((out_size, 1), dtype), None
    if mode == "linear":
        i0, i1, l0, l1 = linear_weights(in_size, out_size, align_corners, scale_factor, dtype)
        return np.stack([i0, i1], -1), np.stack([l0, l1], -1), None
    if mode == "cubic":
        dst = np.arange(out_size, dtype=dtype)
        if align_corners:
            s = dtype.type(in_size - 1) / dtype.type(out_size - 1) if out_size > 1 else dtype.type(0)
            src = s * dst
        else:
            src = _scale(in_size, out_size, scale_factor, dtype) * (dst + dtype.type(0.5)) - dtype.type(0.5)
        i = np.floor(src).astype(np.int64)
        t = (src - i.astype(dtype)).astype(dtype)
        idx = np.clip(i[:, None] + np.arange(-1, 3), 0, in_size - 1)
        return idx, _cubic_coefficients(t).astype(dtype), None
    if mode == "area":
        o = np.arange(out_size)
        start = (o * in_size) // out_size
        end = -((-(o + 1) * in_size) // out_size)
        k = int((end - start).max()) if out_size else 1
        idx = np.minimum(start[:, None] + np.arange(k), in_size - 1)
        valid = np.arange(k) < (end - start)[:, None]
        w = np.broadcast_to((dtype.type(1) / (end - start).astype(dtype))[:, None], idx.shape).astype(dtype)
        return idx, w, valid
    raise ValueError(f"modo de reescalado desconocido: {mode!r}")


def resample_uint8(x, tables):
    """Reescalado de imágenes uint8 como PyTorch: eje a eje (los de ``tables``, ``(eje, idx, w)``),
    con los pesos en coma fija de 16 bits (la mayor precisión que cabe) y redondeo y recorte a
    [0, 255] tras cada eje."""
    for axis, idx, w in tables:
        wmax = float(np.abs(w).max())
        p = 0
        while p < 22 and int(0.5 + wmax * (1 << (p + 1))) < (1 << 15):
            p += 1
        wi = np.where(w < 0, (-0.5 + w * (1 << p)).astype(np.int64), (0.5 + w * (1 << p)).astype(np.int64))
        xm = np.moveaxis(x.astype(np.int64), axis, -1)
        acc = (xm[..., idx] * wi).sum(axis=-1) + (1 << (p - 1))
        x = np.moveaxis(np.clip(acc >> p, 0, 255).astype(np.uint8), -1, axis)
    return x


@parallel_kernel
@njit(parallel=True, cache=True)
def upsample_nearest2d_forward(x, hi, wi):
    n_img, c = x.shape[0], x.shape[1]
    oh, ow = hi.shape[0], wi.shape[0]
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        plane = x[n, ch]
        for y in range(oh):
            row = plane[hi[y]]
            o = out[n, ch, y]
            for xo in range(ow):
                o[xo] = row[wi[xo]]
    return out


@parallel_kernel
@njit(parallel=True, cache=True)
def upsample_nearest2d_backward(g, h, w, hi, wi):
    n_img, c, oh, ow = g.shape
    dx = np.zeros((n_img, c, h, w), dtype=g.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        d = dx[n, ch]
        for y in range(oh):
            row = d[hi[y]]
            gr = g[n, ch, y]
            for xo in range(ow):
                row[wi[xo]] += gr[xo]
    return dx


@parallel_kernel
@njit(parallel=True, cache=True)
def upsample_bilinear2d_forward(x, h0, h1, lh0, lh1, w0, w1, lw0, lw1):
    """out[y, x] = (a·lw0 + b·lw1)·lh0 + (c·lw0 + d·lw1)·lh1 con a, b (fila h0) y c, d
    (fila h1) en las columnas w0, w1: el mismo orden de operaciones que PyTorch, en float64 y
    con un solo redondeo (los pesos, en el dtype de la entrada como en PyTorch)."""
    n_img, c = x.shape[0], x.shape[1]
    oh, ow = h0.shape[0], w0.shape[0]
    out = np.empty((n_img, c, oh, ow), dtype=x.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        plane = x[n, ch]
        for y in range(oh):
            ra = plane[h0[y]]
            rb = plane[h1[y]]
            a = np.float64(lh0[y])
            b = np.float64(lh1[y])
            o = out[n, ch, y]
            for xo in range(ow):
                i0 = w0[xo]
                i1 = w1[xo]
                u = np.float64(lw0[xo])
                v = np.float64(lw1[xo])
                o[xo] = (ra[i0] * u + ra[i1] * v) * a + (rb[i0] * u + rb[i1] * v) * b
    return out


@parallel_kernel
@njit(parallel=True, cache=True)
def upsample_bilinear2d_backward(g, h, w, h0, h1, lh0, lh1, w0, w1, lw0, lw1):
    """Adjunto: cada gradiente de salida se reparte en sus 4 vecinos con los mismos pesos (sumas de
    cada plano en float64, un redondeo al final)."""
    n_img, c, oh, ow = g.shape
    dx = np.empty((n_img, c, h, w), dtype=g.dtype)
    for p in prange(n_img * c):
        n = p // c
        ch = p - n * c
        d = np.zeros((h, w))
        for y in range(oh):
            ra = d[h0[y]]
            rb = d[h1[y]]
            a = np.float64(lh0[y])
            b = np.float64(lh1[y])
            gr = g[n, ch, y]
            for xo in range(ow):
                i0 = w0[xo]
                i1 = w1[xo]
                gv = gr[xo]
                ra[i0] += a * lw0[xo] * gv
                ra[i1] += a * lw1[xo] * gv
                rb[i0] += b * lw0[xo] * gv
                rb[i1] += b * lw1[xo] * gv
        dx[n, ch] = d
    return dx
