"""∂L/∂x de una 3×3 de stride 1 con el núcleo directo volteado y **sumas parciales** por tandas de taps.

``dx[c] = Σ_o Σ_ij w[o, c, i, j] · g[o, y + p − i, x + p − j]``: el forward directo (``direct.py``) de
``g`` con los pesos volteados y traspuestos y relleno ``k − 1 − p``, sin ``dcols`` ni col2im. El forward
directo suma sus ``O·9`` términos uno tras otro en float32 (3 taps por pasada): con 32 o más canales de
salida se alejaba del float64 hasta 1,1-1,5× lo que PyTorch. Aquí cada tanda de ``GS`` taps (dos canales
de ``g`` × 9) se suma aparte (``p``, empezando de cero) y se añade entera al acumulador: sumas más cortas
y de términos parecidos, el error baja a lo del im2col o menos (medido, peor de 3 semillas, error frente
a float64 dividido por el de PyTorch, ``g`` normal / ``g ≥ 0``: 32→32 a 16² 0,47/0,63 frente a 0,56/0,64
del im2col; 64→64 a 8² 0,42/0,58 frente a 0,53/0,58; 32→64 a 16² 0,57/0,78 frente a 0,72/0,77).

Mismo recorrido que ``direct.flat_corr_pad`` con stride 1: trabajos de varias imágenes apiladas con el
relleno compartido (``direct.compact_pitch``), cada una escrita entera por su trabajo y con las mismas
operaciones en el mismo orden sea cual sea el hilo: el mismo resultado bit a bit con 1 o 2 hilos.
Núcleo aparte (no un parámetro de ``direct._acc4``): el forward de la CNN del curso no compila nada más
en su arranque en frío; éste sólo se compila cuando se usa (``backward._partial_dx_applies``).
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel
# posiciones por trozo: las de direct.TC (medido con 512, nuevo/im2col: 32→32 a 16² 0,78 frente a 0,80;
# 64→128 a 8² 1,29 frente a 1,11)
from .direct import ROUND, TC, _block_channels, _pad_plane, _store4_stack

GS = 18  # taps por suma parcial (múltiplo de 3): dos canales de g × 9 taps


@njit(cache=True, fastmath={"contract"}, inline="always")
def _acc4_partial(src, o0, o1, o2, o3, sh, ch, wt, t0, Lr, acc):
    """``acc[r, :Lr] = Σ_tandas (Σ_{k en la tanda} wt[o_r, k] · src[ch[k], t0 + sh[k] : … + Lr])``: cada
    tanda de ``GS`` taps en ``acc[4 + r]`` (3 taps por pasada), sumada a ``acc[r]`` en su última pasada."""
    ntap = sh.shape[0]
    a0, a1, a2, a3 = acc[0], acc[1], acc[2], acc[3]
    p0, p1, p2, p3 = acc[4], acc[5], acc[6], acc[7]
    for t in range(Lr):
        a0[t] = 0
        a1[t] = 0
        a2[t] = 0
        a3[t] = 0
    for k in range(0, ntap, 3):
        s0 = t0 + sh[k]
        s1 = t0 + sh[k + 1]
        s2 = t0 + sh[k + 2]
        x0 = src[ch[k], s0:s0 + Lr]
        x1 = src[ch[k + 1], s1:s1 + Lr]
        x2 = src[ch[k + 2], s2:s2 + Lr]
        w00, w01, w02 = wt[o0, k], wt[o0, k + 1], wt[o0, k + 2]
        w10, w11, w12 = wt[o1, k], wt[o1, k + 1], wt[o1, k + 2]
        w20, w21, w22 = wt[o2, k], wt[o2, k + 1], wt[o2, k + 2]
        w30, w31, w32 = wt[o3, k], wt[o3, k + 1], wt[o3, k + 2]
        r = k % GS
        first = r == 0
        last = r + 3 >= GS or k + 3 >= ntap
        if first and last:
            for t in range(Lr):
                v0 = x0[t]
                v1 = x1[t]
                v2 = x2[t]
                a0[t] += w00 * v0 + w01 * v1 + w02 * v2
                a1[t] += w10 * v0 + w11 * v1 + w12 * v2
                a2[t] += w20 * v0 + w21 * v1 + w22 * v2
                a3[t] += w30 * v0 + w31 * v1 + w32 * v2
        elif first:
            for t in range(Lr):
                v0 = x0[t]
                v1 = x1[t]
                v2 = x2[t]
                p0[t] = w00 * v0 + w01 * v1 + w02 * v2
                p1[t] = w10 * v0 + w11 * v1 + w12 * v2
                p2[t] = w20 * v0 + w21 * v1 + w22 * v2
                p3[t] = w30 * v0 + w31 * v1 + w32 * v2
        elif last:
            for t in range(Lr):
                v0 = x0[t]
                v1 = x1[t]
                v2 = x2[t]
                a0[t] += p0[t] + (w00 * v0 + w01 * v1 + w02 * v2)
                a1[t] += p1[t] + (w10 * v0 + w11 * v1 + w12 * v2)
                a2[t] += p2[t] + (w20 * v0 + w21 * v1 + w22 * v2)
                a3[t] += p3[t] + (w30 * v0 + w31 * v1 + w32 * v2)
        else:
            for t in range(Lr):
                v0 = x0[t]
                v1 = x1[t]
                v2 = x2[t]
                p0[t] += w00 * v0 + w01 * v1 + w02 * v2
                p1[t] += w10 * v0 + w11 * v1 + w12 * v2
                p2[t] += w20 * v0 + w21 * v1 + w22 * v2
                p3[t] += w30 * v0 + w31 * v1 + w32 * v2


@parallel_kernel
@njit(parallel=True, cache=True, fastmath={"contract"})
def partial_corr_pad(g, ph, pw, hq, wq, per_job, sh, ch, wt, out):
    """``out[n, c] = Σ_k wt[c, k] · gq[n, ch[k]]`` desplazado ``sh[k]`` (la correlación de stride 1 de
    ``direct.flat_corr_pad``, sin grupos ni sesgo) con ``gq`` = ``g`` rellenado con ``(ph, pw)`` y los
    pasos ``(hq, wq)`` de ``direct.compact_pitch``; las sumas por tandas de ``GS`` taps de arriba."""
    n_img, c_in = g.shape[0], g.shape[1]
    c_out, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    tail = -(-ROUND // wq) + 1  # direct.tail_rows(wq)
    jobs = (n_img + per_job - 1) // per_job
    extra = max(0, g.shape[2] + 2 * ph - hq)  # filas de ceros tras la última imagen (paso compacto)
    for j in prange(jobs):
        n0 = j * per_job
        nb = min(per_job, n_img - n0)
        gq = np.empty((c_in, nb * hq + extra + tail, wq), dtype=g.dtype)
        for b in range(nb):
            for c in range(c_in):
                _pad_plane(g[n0 + b, c], ph, pw, 1, 1, gq[:, b * hq:(b + 1) * hq], c)
        gq[:, nb * hq:, :] = 0
        src = gq.reshape(c_in, (nb * hq + extra + tail) * wq)
        acc = np.empty((8, TC + ROUND + 16), dtype=wt.dtype)
        thi = ((nb - 1) * hq + oh - 1) * wq + ow
        nch = -(-thi // TC)  # trozos iguales, múltiplos de ROUND (como direct._corr4_stack)
        step = -(-(-(-thi // nch)) // ROUND) * ROUND
        for ob in range(0, c_out, 4):
            o0, o1, o2, o3 = _block_channels(0, ob, c_out)
            for t0 in range(0, thi, step):
                L = min(step, thi - t0)
                Lr = (L + ROUND - 1) // ROUND * ROUND
                _acc4_partial(src, o0, o1, o2, o3, sh, ch, wt, t0, Lr, acc)
                _store4_stack(acc, out, o0, o1, o2, o3, n0, hq, wq, t0, L)
