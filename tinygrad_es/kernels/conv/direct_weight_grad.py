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
