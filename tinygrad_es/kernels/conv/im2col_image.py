"""Convolución general (stride, dilatación, grupos) por im2col **imagen a imagen**.

El im2col de todo el lote escribía ``cols`` (C·kh·kw, N·OH·OW) en memoria principal:
14 MB para el caso (e) del benchmark (64×32→64, 3×3, stride 2, 28²), 3,4 ms sólo en
escribirlo y otros 3 ms en el col2im del backward, más que la propia GEMM. Aquí cada
hilo toma sus imágenes y, para cada una, hace el im2col en un buffer que cabe en la
caché L2, la GEMM (BLAS de un hilo) y, en el backward, ``dcols = Wᵀ·g`` y el col2im de
esa imagen. No se guarda ``cols`` para el backward: se vuelve a calcular (barato, desde
la caché) y la memoria que retiene el grafo es sólo la entrada.

El sesgo va dentro de la GEMM: cada grupo lleva una fila de unos al final de sus filas
de ``cols`` y una columna con el sesgo al final de sus pesos (1/(C·kh·kw) más de
cuentas, ninguna pasada más sobre la salida).

Reparto fijo: las imágenes se dividen en ``PARTS`` partes consecutivas y cada parte
acumula su ``dW`` en orden (en float64); las partes se suman en orden al final, así que el resultado
no depende de qué hilo haga cada parte ni de cuántos hilos haya.
"""
import numba
import numpy as np
from numba import njit

from .. import blas
from ..gemm import _executor
from .direct import _pad_plane, phase_shape

PARTS = 4


# Índices sin signo: con enteros con signo numba comprueba en cada acceso si el índice es
# negativo (para contar desde el final) y LLVM no vectoriza; medido 2-3× más lento en estas
# filas cortas.


@njit(nogil=True, cache=True, inline="always")
def _zero(a, start, count):
    s = np.uint64(start)
    for t in range(np.uint64(count)):
        a[s + t] = 0


@njit(nogil=True, cache=True, inline="always")
def _copy_in(dst, d, src, s, count, stride):
    """dst[d + t] = src[s + t·stride] para t < count (d, s ≥ 0)."""
    du, su, n = np.uint64(d), np.uint64(s), np.uint64(count)
    if stride == 1:
        for t in range(n):
            dst[du + t] = src[su + t]
    else:  # sin caso aparte para 2: con índices sin signo iba más lento (medido)
        st = np.uint64(stride)
        for t in range(n):
            dst[du + t] = src[su + st * t]


@njit(nogil=True, cache=True, inline="always")
def _add_out(dst, d, src, s, count, stride):
    """dst[d + t·stride] += src[s + t] para t < count (adjunto de ``_copy_in``)."""
    du, su, n = np.uint64(d), np.uint64(s), np.uint64(count)
    if stride == 1:
        for t in range(n):
            dst[du + t] += src[su + t]
    else:
        st = np.uint64(stride)
        for t in range(n):
            dst[du + st * t] += src[su + t]


@njit(nogil=True, cache=True)
def im2col_image(x, n, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, groups, cols):
    """``cols`` (G·(C/G·kh·kw + 1), OH·OW) de la imagen ``n``: fila ``g·(K + 1) + (c·kh + i)·kw + j``
    = ``x[n, g·C/G + c, y·sh − ph + i·dh, x·sw − pw + j·dw]`` (0 fuera) y una fila de unos
    al final de cada grupo (el sesgo). Índices planos y bucles sin cortes: las filas son
    cortas (OW) y crear cortes costaba más que copiar."""
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    cg = c_in // groups
    k = cg * kh * kw
    L = oh * ow
    xf = x[n].reshape(c_in * h * w)
    cf = cols.reshape(cols.shape[0] * L)
    for c in range(c_in):
        r0 = (c // cg) * (k + 1) + (c % cg) * kh * kw
        for i in range(kh):
            for j in range(kw):
                off = j * dw - pw
                lo = min(ow, max(0, -(off // sw)))
                hi = max(lo, min(ow, -((off - w) // sw)))
                d = (r0 + i * kw + j) * L
                for y in range(oh):
                    iy = y * sh - ph + i * dh
                    if iy < 0 or iy >= h:
                        _zero(cf, d, ow)
                    else:
                        _zero(cf, d, lo)
                        if hi > lo:  # entonces el inicio es ≥ 0
                            _copy_in(cf, d + lo, xf, (c * h + iy) * w + off + lo * sw, hi - lo, sw)
                        _zero(cf, d + hi, ow - hi)
                    d += ow
    for g in range(groups):
        r = (g * (k + 1) + k) * L
        cf[r:r + L] = 1


@njit(nogil=True, cache=True)
def im2col_image_phases(x, n, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, groups, xq, cols):
    """``im2col_image`` con stride: primero las ``sh·sw`` fases de la imagen ``n`` rellenada en ``xq``
    (C·sh·sw, hq, wq) (``direct._pad_plane``, como el forward directo), y cada fila de ``cols`` es una
    copia contigua de una fila de una fase (el tap ``(i, j)`` lee la fase ``(i·dh mod sh, j·dw mod sw)``
    desde la fila ``i·dh // sh`` y la columna ``j·dw // sw``). Leer las filas de la entrada con stride
    (8-16 elementos de cada 16-32) era ~40 % del ∂L/∂w de las 3×3 de stride 2 de ResNet. Los mismos
    valores que ``im2col_image`` (ceros del relleno incluidos): la misma GEMM, el mismo resultado."""
    c_in = x.shape[1]
    cg = c_in // groups
    k = cg * kh * kw
    L = oh * ow
    hq, wq = xq.shape[1], xq.shape[2]
    nph = sh * sw
    for c in range(c_in):
        _pad_plane(x[n, c], ph, pw, sh, sw, xq, c)
    qf = xq.reshape(xq.shape[0] * hq * wq)
    cf = cols.reshape(cols.shape[0] * L)
    for c in range(c_in):
        r0 = (c // cg) * (k + 1) + (c % cg) * kh * kw
        for i in range(kh):
            di = i * dh
            for j in range(kw):
                dj = j * dw
                s = ((c * nph + (di % sh) * sw + dj % sw) * hq + di // sh) * wq + dj // sw
                d = (r0 + i * kw + j) * L
                for y in range(oh):
                    _copy_in(cf, d, qf, s, ow, 1)
                    s += wq
                    d += ow
    for g in range(groups):
        r = (g * (k + 1) + k) * L
        cf[r:r + L] = 1


@njit(nogil=True, cache=True)
def col2im_image(dcols, n, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, groups, dx):
    """Adjunto de ``im2col_image`` (sin la fila de unos): ``dx[n]`` = suma de cada fila de
    ``dcols`` en su posición."""
    c_in, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    cg = c_in // groups
    k = cg * kh * kw
    L = oh * ow
    xf = dx[n].reshape(c_in * h * w)
    cf = dcols.reshape(dcols.shape[0] * L)
    xf[:] = 0
    for c in range(c_in):
        r0 = (c // cg) * (k + 1) + (c % cg) * kh * kw
        for i in range(kh):
            for j in range(kw):
                off = j * dw - pw
                lo = min(ow, max(0, -(off // sw)))
                hi = max(lo, min(ow, -((off - w) // sw)))
                d = (r0 + i * kw + j) * L
                for y in range(oh):
                    iy = y * sh - ph + i * dh
                    if iy >= 0 and iy < h and hi > lo:
                        _add_out(xf, (c * h + iy) * w + off + lo * sw, cf, d + lo, hi - lo, sw)
                    d += ow


def _parts(n, parts):
    step = -(-n // parts)
    return [(i, min(n, i + step)) for i in range(0, n, step)]


def _run(parts, fn):
    """``fn(parte)`` para cada parte, repartidas entre los hilos de numba (hilos de Python:
    los núcleos ``nogil`` y la GEMM sueltan el GIL); OpenBLAS a un hilo mientras tanto."""
    threads = max(1, min(numba.get_num_threads(), len(parts)))
    with blas.single_thread():
        if threads == 1:
            return [fn(p) for p in parts]
        ex = _executor(threads - 1)
        futures = [ex.submit(lambda t=t: [fn(p) for p in parts[t::threads]]) for t in range(1, threads)]
        mine = [fn(p) for p in parts[0::threads]]
        done = {0: mine}
        for t, f in enumerate(futures, 1):
            done[t] = f.result()
    out = [None] * len(parts)
    for t, res in done.items():
        out[t::threads] = res
    return out


def _geometry(x_shape, w_shape, groups, out_hw):
    n, c = x_shape[:2]
    o, cg, kh, kw = w_shape
    return n, c, o, cg * kh * kw, out_hw[0] * out_hw[1]


def forward(x, w, bias, stride, padding, dilation, groups, out_hw):
    """Salida (N, O, OH, OW) con el sesgo, imagen a imagen."""
    n, c, o, k, L = _geometry(x.shape, w.shape, groups, out_hw)
    og = o // groups
    w_ext = np.empty((groups, og, k + 1), x.dtype)  # [W | b] por grupo
    w_ext[:, :, :k] = w.reshape(groups, og, k)
    w_ext[:, :, k] = bias.reshape(groups, og)
    out = np.empty((n, o) + tuple(out_hw), x.dtype)
    out3 = out.reshape(n, groups, og, L)
    args = (w.shape[2], w.shape[3]) + tuple(stride) + tuple(padding) + tuple(dilation) + tuple(out_hw) + (groups,)

    def part(bounds):
        cols = np.empty((groups, k + 1, L), x.dtype)
        for i in range(*bounds):
            im2col_image(x, i, *args, cols.reshape(groups * (k + 1), L))
            np.matmul(w_ext, cols, out=out3[i])

    _run(_parts(n, PARTS), part)
    return out


def backward(g, x, w, stride, padding, dilation, groups, need_x, need_w):
    """``(dx, dw)`` imagen a imagen (``None`` donde no se piden); ``g`` contiguo (N, O, OH, OW)."""
    n, c, o, k, L = _geometry(x.shape, w.shape, groups, g.shape[2:])
    og = o // groups
    g4 = g.reshape(n, groups, og, L)
    wt = np.ascontiguousarray(w.reshape(groups, og, k).transpose(0, 2, 1)) if need_x else None
    dx = np.empty(x.shape, g.dtype) if need_x else None
    args = (w.shape[2], w.shape[3]) + tuple(stride) + tuple(padding) + tuple(dilation) + tuple(g.shape[2:]) + (groups,)
    phases = tuple(stride) != (1, 1)  # im2col por las fases de la entrada (filas contiguas)
    pshape, (hq, wq) = phase_shape(x.shape, padding, stride)

    def part(bounds):
        cols = np.empty((groups, k + 1, L), g.dtype)
        xq = np.empty((pshape[1], hq, wq), x.dtype) if need_w and phases else None
        dcols = np.zeros((groups, k + 1, L), g.dtype) if need_x else None  # la fila de unos queda a 0
        # ∂L/∂w de cada imagen con la GEMM (K = OH·OW en float32) y la suma de las imágenes en float64:
        # N·OH·OW sumandos en float32 perdían más que PyTorch en las primeras capas (N·OH·OW ~ 10⁵)
        acc = np.zeros((groups, og, k + 1), np.float64) if need_w else None
        tmp = np.empty((groups, og, k + 1), g.dtype) if need_w else None
        for i in range(*bounds):
            if need_w:
                if phases:
                    im2col_image_phases(x, i, *args, xq, cols.reshape(groups * (k + 1), L))
                else:
                    im2col_image(x, i, *args, cols.reshape(groups * (k + 1), L))
                np.matmul(g4[i], cols.transpose(0, 2, 1), out=tmp)
                acc += tmp
            if need_x:
                np.matmul(wt, g4[i], out=dcols[:, :k])
                col2im_image(dcols.reshape(groups * (k + 1), L), i, *args, dx)
        return acc

    accs = _run(_parts(n, PARTS), part)
    dw = None
    if need_w:
        dw = accs[0]
        for a in accs[1:]:
            dw = dw + a
        dw = np.ascontiguousarray(dw[:, :, :k], dtype=g.dtype).reshape(w.shape)
    return dx, dw
