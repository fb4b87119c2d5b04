"""Gradiente de los pesos de la convolución directa (``direct.py``) sobre planos aplanados.

El gradiente de los pesos ``dW[o, k] = Σ_t g[o, t] · x[t + s_k]`` es una reducción
sobre las posiciones, y LLVM no vectoriza reducciones en coma flotante sin
``fastmath``. Dos formas de evitarlo: con pocos taps (depthwise, una sola entrada)
``flat_dw`` acumula en vectores por posición y suma al final; con más taps
``flat_dw_gemm`` copia un trozo de posiciones traspuesto (``XT[t, k]``, en L1) y hace
una GEMM con el bucle interno sobre los taps (sin reducción), 4 salidas × 3
posiciones por pasada. Ninguna materializa ``cols`` entero (medido en el caso (c):
5 ms frente a 10 ms de im2col + BLAS, cuya GEMM de 16×65 536×75 es poco eficiente).
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel

TD = 512  # posiciones por trozo de flat_dw: acumuladores de TD float64 por tap


@parallel_kernel
@njit(parallel=True, cache=True)
def flat_dw(gf, src, cg, og, sh, ch, thi, dw_out):
    """``dw_out[o, k] = Σ_n Σ_{t<thi} gf[n, o, t] · src[n, g·cg + ch[k], t + sh[k]]``.

    ``gf`` es el gradiente de la salida en la rejilla (ceros fuera de las columnas
    válidas). Cada trabajo (un canal de salida) acumula en vectores por posición y
    reduce al final: el bucle interno no tiene reducciones y se vectoriza."""
    n_img, c_out = gf.shape[0], gf.shape[1]
    ntap = sh.shape[0]
    for o in prange(c_out):
        cbase = (o // og) * cg
        acc = np.zeros((ntap, TD + 16), dtype=dw_out.dtype)
        for n in range(n_img):
            for t0 in range(0, thi, TD):
                L = min(TD, thi - t0)
                gv = gf[n, o, t0:t0 + L]
                for k in range(0, ntap, 3):
                    s0 = t0 + sh[k]
                    s1 = t0 + sh[k + 1]
                    s2 = t0 + sh[k + 2]
                    x0 = src[n, cbase + ch[k], s0:s0 + L]
                    x1 = src[n, cbase + ch[k + 1], s1:s1 + L]
                    x2 = src[n, cbase + ch[k + 2], s2:s2 + L]
                    b0 = acc[k]
                    b1 = acc[k + 1]
                    b2 = acc[k + 2]
                    for t in range(L):
                        gt = gv[t]
                        b0[t] += gt * x0[t]
                        b1[t] += gt * x1[t]
                        b2[t] += gt * x2[t]
        for k in range(ntap):
            s = 0.0
            a = acc[k]
            for t in range(TD):
                s += a[t]
            dw_out[o, k] = s


@njit(cache=True)
def _gemm_taps(A, G, XT, o0, o1, o2, o3, r1, r2, r3, t0, tb):
    """A[o, :] += Σ_{t<tb} G[o, t0 + t] · XT[t, :] para las 4 filas o0..o3 de G, que se
    acumulan en las filas o0, r1, r2, r3 de A (distintas: en un bloque incompleto las
    que sobran van a filas de desecho)."""
    a0 = A[o0]
    a1 = A[r1]
    a2 = A[r2]
    a3 = A[r3]
    g0 = G[o0]
    g1 = G[o1]
    g2 = G[o2]
    g3 = G[o3]
    nk = XT.shape[1]
    t3 = tb - tb % 3
    for t in range(0, t3, 3):
        b0 = XT[t]
        b1 = XT[t + 1]
        b2 = XT[t + 2]
        u = t0 + t
        w00, w01, w02 = g0[u], g0[u + 1], g0[u + 2]
        w10, w11, w12 = g1[u], g1[u + 1], g1[u + 2]
        w20, w21, w22 = g2[u], g2[u + 1], g2[u + 2]
        w30, w31, w32 = g3[u], g3[u + 1], g3[u + 2]
        for k in range(nk):
            v0 = b0[k]
            v1 = b1[k]
            v2 = b2[k]
            a0[k] += w00 * v0 + w01 * v1 + w02 * v2
            a1[k] += w10 * v0 + w11 * v1 + w12 * v2
            a2[k] += w20 * v0 + w21 * v1 + w22 * v2
            a3[k] += w30 * v0 + w31 * v1 + w32 * v2
    for t in range(t3, tb):
        b0 = XT[t]
        u = t0 + t
        w0, w1, w2, w3 = g0[u], g1[u], g2[u], g3[u]
        for k in range(nk):
            v0 = b0[k]
            a0[k] += w0 * v0
            a1[k] += w1 * v0
            a2[k] += w2 * v0
            a3[k] += w3 * v0


TB = 96  # posiciones por trozo traspuesto: XT (96 × taps) cabe en L1


@parallel_kernel
@njit(parallel=True, cache=True)
def flat_dw_gemm(gf, src, cg, og, sh, ch, ntap, thi, dw_parts):
    """``dw_parts[part, o, k]`` = Σ sobre las imágenes n ≡ part (mód partes) de
    ``Σ_{t<thi} gf[n, o, t] · src[n, g·cg + ch[k], t + sh[k]]``. El llamador suma las
    partes (orden fijo: el resultado no depende del número de hilos). ``dw_parts`` tiene
    3 filas de desecho al final (C_out + 3) para los bloques incompletos."""
    n_img, c_out = gf.shape[0], gf.shape[1]
    parts = dw_parts.shape[0]
    groups = c_out // og
    for p in prange(parts * groups):
        part = p // groups
        g = p - part * groups
        A = dw_parts[part]
        XT = np.zeros((TB, dw_parts.shape[2]), dtype=gf.dtype)  # columnas de relleno a 0
        cbase = g * cg
        obase = g * og
        for n in range(part, n_img, parts):
            G = gf[n]
            for t0 in range(0, thi, TB):
                L = min(TB, thi - t0)
                for k in range(ntap):
                    s = t0 + sh[k]
                    col = src[n, cbase + ch[k], s:s + L]
                    for t in range(L):
                        XT[t, k] = col[t]
                for ob in range(0, og, 4):
                    o1 = obase + min(ob + 1, og - 1)
                    o2 = obase + min(ob + 2, og - 1)
                    o3 = obase + min(ob + 3, og - 1)
                    r1 = obase + ob + 1 if ob + 1 < og else c_out
                    r2 = obase + ob + 2 if ob + 2 < og else c_out + 1
                    r3 = obase + ob + 3 if ob + 3 < og else c_out + 2
                    _gemm_taps(A, G, XT, obase + ob, o1, o2, o3, r1, r2, r3, t0, L)


# ---- ∂L/∂w de las capas con pocos canales (LeNet, primeras capas) sobre la rejilla ancha ----------
# ``reassoc``: la reducción sobre las posiciones se vectoriza (8 sumas parciales por acumulador, más
# exacta que la suma en serie de la GEMM); ``contract``: FMA.
_FM_DW = {"reassoc", "contract"}


@njit(nogil=True, cache=True, fastmath=_FM_DW, inline="always")
def _dw_block(P, p0, p1, p2, p3, Q, q0, q1, q2, T, acc, r, k, swap, zero):
    """Los 12 productos escalares ``s_ab = Σ_{t<T} P[p_a + t] · Q[q_b + t]`` (a < 4, b < 3) en
    registros (en el dtype de ``zero``, 8 sumas parciales cada uno), sumados a ``acc[r + a, k + b]``
    (o a ``acc[r + b, k + a]`` con ``swap``) en float64. La forma 4×3 importa: medido, 0,2 ns por FMA
    de 8 floats (el pico) frente a 0,4 ns con 3×4 (LLVM reordena sus registros en cada vuelta)."""
    u0, u1, u2, u3 = P[p0:p0 + T], P[p1:p1 + T], P[p2:p2 + T], P[p3:p3 + T]
    v0, v1, v2 = Q[q0:q0 + T], Q[q1:q1 + T], Q[q2:q2 + T]
    a00 = a01 = a02 = zero
    a10 = a11 = a12 = zero
    a20 = a21 = a22 = zero
    a30 = a31 = a32 = zero
    for t in range(T):
        x0 = u0[t]
        x1 = u1[t]
        x2 = u2[t]
        x3 = u3[t]
        y0 = v0[t]
        y1 = v1[t]
        y2 = v2[t]
        a00 += x0 * y0
        a01 += x0 * y1
        a02 += x0 * y2
        a10 += x1 * y0
        a11 += x1 * y1
        a12 += x1 * y2
        a20 += x2 * y0
        a21 += x2 * y1
        a22 += x2 * y2
        a30 += x3 * y0
        a31 += x3 * y1
        a32 += x3 * y2
    if swap:  # acc[r + b, k + a]: se traspone el bloque
        a01, a02, a10, a12, a20, a21 = a10, a20, a01, a21, a02, a12
        a30, a31, a32, a03, a13, a23 = zero, zero, zero, a30, a31, a32
    else:
        a03 = a13 = a23 = zero
    acc[r, k] += a00
    acc[r, k + 1] += a01
    acc[r, k + 2] += a02
    acc[r, k + 3] += a03
    acc[r + 1, k] += a10
    acc[r + 1, k + 1] += a11
    acc[r + 1, k + 2] += a12
    acc[r + 1, k + 3] += a13
    acc[r + 2, k] += a20
    acc[r + 2, k + 1] += a21
    acc[r + 2, k + 2] += a22
    acc[r + 2, k + 3] += a23
    acc[r + 3, k] += a30
    acc[r + 3, k + 1] += a31
    acc[r + 3, k + 2] += a32


def dw_blocking(o, ntap):
    """``(swap, filas, columnas)`` de ``acc`` para ``wide_dw``: bloques de 4 canales de salida × 3 taps
    o (``swap``) de 3 canales × 4 taps, el que menos rellena (LeNet: 6 canales → 3×4; 16 → 4×3)."""
    def up(v, m):
        return -(-v // m) * m
    swap = up(o, 3) * up(ntap, 4) < up(o, 4) * up(ntap, 3)
    # + 1: cada bloque escribe 4 × 4 (la fila o la columna de más con ceros)
    return swap, max(up(o, 3), up(o, 4)) + 1, max(up(ntap, 3), up(ntap, 4)) + 1


@njit(nogil=True, cache=True, fastmath=_FM_DW)  # el de _dw_block, que va en línea
def wide_dw(x, g, n0, n1, kh, kw, ph, pw, swap, acc):
    """``acc[o, (c·kh + i)·kw + j] += Σ_{n0≤n<n1} Σ_{y,x} g[n, o, y, x] · xr[n, c, y + i, x + j]``
    (``xr``: ``x`` con ``ph``, ``pw`` ceros alrededor; stride y dilatación 1, sin grupos).

    Sin im2col: sobre la **rejilla ancha** (posición ``t = y·Wr + x`` con ``Wr`` el ancho rellenado)
    cada tap lee un tramo contiguo de la imagen, ``xr[c].flat[(i·Wr + j) + t]``, y ``g`` se copia a
    esa rejilla con ceros en las columnas ``x ≥ OW`` (que no suman nada si la entrada es finita; el
    llamador lo comprueba). ``acc`` (float64, forma de ``dw_blocking``) tiene filas y columnas de
    sobra para los bloques incompletos. Cada imagen suma en su dtype y se añade en float64."""
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    o_out, oh, ow = g.shape[1], g.shape[2], g.shape[3]
    hr, wr = h + 2 * ph, w + 2 * pw
    T = (oh - 1) * wr + ow
    ntap = c_in * kh * kw
    gw = np.zeros(acc.shape[0] * T, g.dtype)  # filas de sobra a 0
    zero = gw[0]
    xr = np.zeros(c_in * hr * wr, x.dtype)
    off = np.empty(acc.shape[1], np.int64)
    for k in range(off.size):
        kk = min(k, ntap - 1)
        off[k] = ((kk // (kh * kw)) * hr + (kk // kw) % kh) * wr + kk % kw
    ob_step, kb_step = (3, 4) if swap else (4, 3)
    po = np.empty(4, np.int64)  # desplazamientos de los 4 tramos de P y los 3 de Q en un bloque
    qo = np.empty(3, np.int64)
    for n in range(n0, n1):
        if ph == 0 and pw == 0:
            xf = x[n].reshape(c_in * h * w)
        else:
            for c in range(c_in):
                for y in range(h):
                    d = (c * hr + y + ph) * wr + pw
                    for u in range(w):
                        xr[d + u] = x[n, c, y, u]
            xf = xr
        # bucles en vez de asignaciones de cortes: compilan en menos tiempo (5,1 → 2,8 s de CPU)
        for o in range(o_out):
            for y in range(oh):
                d = o * T + y * wr
                for u in range(ow):
                    gw[d + u] = g[n, o, y, u]
        # un solo sitio de llamada (el bloque va en línea: dos copias costaban tiempo de compilación)
        P, Q = (xf, gw) if swap else (gw, xf)
        for ob in range(0, o_out, ob_step):
            for kb in range(0, ntap, kb_step):
                for a in range(4):
                    if swap:
                        po[a] = off[kb + a]
                    elif a < 3:
                        qo[a] = off[kb + a]
                for a in range(4 if not swap else 3):
                    if swap:
                        qo[a] = (ob + a) * T
                    else:
                        po[a] = (ob + a) * T
                _dw_block(P, po[0], po[1], po[2], po[3], Q, qo[0], qo[1], qo[2], T, acc, ob, kb, swap, zero)
