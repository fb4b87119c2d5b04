"""Convolución directa de stride 1 sobre planos aplanados (sin ``cols``).

Idea: con la entrada rellenada de ancho ``wg`` y aplanada por plano, la salida en la
posición ``t = y·wg + x`` de la rejilla es ``Σ_k w_k · src[t + s_k]`` con un
desplazamiento fijo por tap ``s_k = i·dh·wg + j·dw``. Cada tap es una suma desplazada
de un vector largo y contiguo: el bucle interno lo vectoriza LLVM. Se calculan también
las ``wg − OW`` columnas sobrantes de cada fila (se descartan al copiar), a cambio de
bucles largos sin ramas.

Bloqueo de registros: 4 canales de salida × 3 taps por pasada (12 productos por cada
3 cargas de la entrada y 4 lecturas/escrituras del acumulador), sobre trozos de
``TC`` posiciones que caben en la caché L1. Mismo núcleo para el forward (taps sobre
la entrada) y para el gradiente de la entrada (taps volteados sobre el gradiente de la
salida rellenado). Los grupos (``groups``) se recorren como trabajos independientes.

Stride > 1: la entrada se parte en sus ``sh·sw`` fases (``phase_pad``: el canal ``c·sh·sw + a·sw + b``
es ``xp[c, a::sh, b::sw]``) y la convolución con stride pasa a ser una de stride 1 sobre las fases,
con los taps repartidos entre ellas (``tap_table``): el mismo núcleo para todos los casos.

Equivariante por traslación, bit a bit: cada posición de salida hace exactamente las mismas
operaciones en el mismo orden (el bucle interno recorre posiciones; su longitud se redondea a
un múltiplo de ``ROUND`` leyendo filas de ceros de más al final de la entrada, así que no hay
cola escalar que calcule distinto). Dos ventanas iguales de la entrada dan la misma salida, y
un empate exacto del max-pooling de después sigue siendo un empate, como en float64 y en
PyTorch. Winograd (las posiciones de una tesela usan coeficientes distintos) y la GEMM de
OpenBLAS (sus núcleos de borde acumulan en otro orden) no lo son (medido: 4-95 % de las
posiciones repetidas difieren en el último bit), y con imágenes reales, con zonas planas, eso
mandaba el gradiente del max-pooling a otro elemento (error relativo 2·10⁻² en la CNN de
CIFAR frente a 3·10⁻³ de PyTorch). Se compila con ``fastmath={"contract"}`` (FMA: ~20 % más
rápido, y más exacto); las FMA se aplican igual en todas las posiciones.

El gradiente de los pesos directo (depthwise, dilatadas) está en ``direct_weight_grad.py``.
"""
import numpy as np
from numba import njit, prange

from .._parallel import parallel_kernel
from .._slices import copy1, fill1

TC = 1024  # posiciones por trozo: 4 acumuladores de 4 KiB (float32); medido frente a 512: 5-10 % menos (AlexNet 13², 8×8 apiladas) y 256 peor
# taps por suma parcial de _acc4 (múltiplo de 3): con 36, el error del forward float32 frente a float64 baja
# de ~0,6× el de PyTorch a 0,26-0,41× (3×3 con 16-192 canales) al mismo coste (1 hilo, CPU: 0,97-1,01×)
GS = 36
ROUND = 32  # el bucle interno recorre un múltiplo de ROUND posiciones (sin cola escalar)
_FM = {"contract"}


def tail_rows(wg):
    """Filas de ceros que necesita al final cada plano de ancho ``wg`` para el redondeo."""
    return -(-ROUND // wg) + 1


def tap_table(cg, kh, kw, dh, dw, wg, sh=1, sw=1):
    """Tablas ``(shift, ch)`` de desplazamiento y canal (dentro del grupo) de cada tap, rellenas
    con taps nulos hasta un múltiplo de 3. Con stride ``(sh, sw)`` los canales son los de las
    fases de ``phase_pad`` (``c·sh·sw + fase``) y los desplazamientos, en la rejilla de las fases."""
    c, i, j = np.meshgrid(np.arange(cg), np.arange(kh), np.arange(kw), indexing="ij")
    di, dj = i * dh, j * dw
    shift = ((di // sh) * wg + dj // sw).ravel()
    chan = (c * (sh * sw) + (di % sh) * sw + dj % sw).ravel()
    n = shift.size
    m = -(-n // 3) * 3
    sh_p = np.zeros(m, np.int64)
    ch_p = np.zeros(m, np.int64)
    sh_p[:n] = shift
    ch_p[:n] = chan
    return sh_p, ch_p


def phase_shape(x_shape, padding, stride):
    """Forma de la entrada partida en fases (N, C·sh·sw, hq + cola, wq) y ``(hq, wq)``."""
    n, c, h, w = x_shape
    (ph, pw), (s_h, s_w) = padding, stride
    hq, wq = -(-(h + 2 * ph) // s_h), -(-(w + 2 * pw) // s_w)
    return (n, c * s_h * s_w, hq + tail_rows(wq), wq), (hq, wq)


def compact_pitch(x_shape, padding, dilation, k_shape):
    """Paso ``(hs, ws)`` de filas y columnas de la rejilla de ``flat_corr_pad`` con stride 1 cuando las
    imágenes apiladas (y las filas de cada plano) **comparten** su relleno: ``H + ph`` y ``W + pw`` en vez
    de ``H + 2·ph`` y ``W + 2·pw``. Las lecturas de una posición válida llegan como mucho ``ph`` filas
    antes o después de su imagen (``pw`` columnas a cada lado), y ésas caen en los ceros de arriba de la
    imagen siguiente (la columna de ceros a la izquierda de la fila siguiente): los mismos ceros que con
    el relleno completo, así que cada salida hace las mismas operaciones (el mismo resultado bit a bit),
    con menos posiciones de más calculadas y descartadas: 3×3 de relleno 1 a 8×8, 9² en vez de 10² por
    imagen (−19 %); a 16², −11 %; a 32², −6 %. Sólo si la salida cabe en el paso (``p ≤ d·(k − 1)``)."""
    (h, w), (ph, pw), (dh, dw), (kh, kw) = x_shape[2:], padding, dilation, k_shape
    hs = h + ph if ph <= dh * (kh - 1) else h + 2 * ph
    ws = w + pw if pw <= dw * (kw - 1) else w + 2 * pw
    return hs, ws


@njit(cache=True, inline="always")
def _pad_plane(xc, ph, pw, s_h, s_w, o, c):
    """Las ``s_h·s_w`` fases del plano ``xc`` (H, W) rellenado, en los planos ``c·s_h·s_w + fase``
    de ``o`` (planos, hq + cola, wq); bordes y filas de cola a cero."""
    h, w = xc.shape
    hq, wq = o.shape[1], o.shape[2]
    nph = s_h * s_w
    for a in range(s_h):
        for b in range(s_w):
            op = o[c * nph + a * s_w + b]
            # columnas de la fase: v con 0 ≤ v·s_w + b − pw < w
            v0 = max(0, -(-(pw - b) // s_w))
            v1 = min(wq, (w - 1 + pw - b) // s_w + 1) if w - 1 + pw - b >= 0 else 0
            for u in range(hq):
                row = op[u]
                y = u * s_h + a - ph
                if y < 0 or y >= h or v1 <= v0:
                    fill1(row, 0)
                    continue
                fill1(row[:v0], 0)
                src = xc[y]
                xs = v0 * s_w + b - pw
                if s_w == 1:
                    copy1(row[v0:v1], src[xs:xs + v1 - v0])
                else:
                    for v in range(v0, v1):
                        row[v] = src[xs + (v - v0) * s_w]
                fill1(row[v1:], 0)


@parallel_kernel
@njit(parallel=True, cache=True)
def phase_pad(x, ph, pw, s_h, s_w, out):
    """``out[n, c·s_h·s_w + a·s_w + b, u, v] = xp[n, c, u·s_h + a, v·s_w + b]`` con ``xp`` la entrada
    rellenada con (ph, pw) ceros; el resto de ``out`` (bordes y filas de cola) a cero. Con stride 1
    es el relleno con filas de cola."""
    n_img, c_in = x.shape[0], x.shape[1]
    for p in prange(n_img * c_in):
        n = p // c_in
        c = p - n * c_in
        _pad_plane(x[n, c], ph, pw, s_h, s_w, out[n], c)


def pad_taps(wmat):
    """Pesos (salidas, taps) con columnas de ceros hasta un múltiplo de 3."""
    o, n = wmat.shape
    m = -(-n // 3) * 3
    out = np.zeros((o, m), dtype=wmat.dtype)
    out[:, :n] = wmat
    return out


@njit(cache=True, fastmath=_FM, inline="always")
def _taps3(src, cbase, o0, o1, o2, o3, sh, ch, wt, t0, Lr, k, d0, d1, d2, d3):
    """Los taps ``k, k+1, k+2`` de los canales ``o0..o3``: ``d_r[:Lr] += Σ wt[o_r, k+i]·x_i``."""
    s0 = t0 + sh[k]
    s1 = t0 + sh[k + 1]
    s2 = t0 + sh[k + 2]
    x0 = src[cbase + ch[k], s0:s0 + Lr]
    x1 = src[cbase + ch[k + 1], s1:s1 + Lr]
    x2 = src[cbase + ch[k + 2], s2:s2 + Lr]
    w00, w01, w02 = wt[o0, k], wt[o0, k + 1], wt[o0, k + 2]
    w10, w11, w12 = wt[o1, k], wt[o1, k + 1], wt[o1, k + 2]
    w20, w21, w22 = wt[o2, k], wt[o2, k + 1], wt[o2, k + 2]
    w30, w31, w32 = wt[o3, k], wt[o3, k + 1], wt[o3, k + 2]
    for t in range(Lr):
        v0 = x0[t]
        v1 = x1[t]
        v2 = x2[t]
        d0[t] += w00 * v0 + w01 * v1 + w02 * v2
        d1[t] += w10 * v0 + w11 * v1 + w12 * v2
        d2[t] += w20 * v0 + w21 * v1 + w22 * v2
        d3[t] += w30 * v0 + w31 * v1 + w32 * v2


@njit(cache=True, fastmath=_FM, inline="always")
def _acc4(src, cbase, o0, o1, o2, o3, sh, ch, wt, bias, t0, Lr, acc):
    """``acc[r, :Lr]`` = sesgo + Σ_k wt[o_r, k] · src[cbase + ch[k], t0 + sh[k] : … + Lr]`` para los
    canales de salida ``o0..o3`` (4 acumuladores × 3 taps por pasada), siempre en el mismo orden.
    Con más de ``GS`` taps, cada bloque de ``GS`` se suma aparte desde 0 (filas ``acc[4:8]``) y luego al
    acumulador: cadenas de ``GS/3 + taps/GS`` sumas en vez de ``taps/3`` (error de redondeo menor;
    el orden sigue siendo el mismo en cada posición). Un solo bucle de taps (``_taps3`` en un sitio):
    cada copia del bucle vectorizado es compilación de más en el arranque en frío del curso."""
    ntap = sh.shape[0]
    a0 = acc[0]
    a1 = acc[1]
    a2 = acc[2]
    a3 = acc[3]
    a0[:Lr] = bias[o0]
    a1[:Lr] = bias[o1]
    a2[:Lr] = bias[o2]
    a3[:Lr] = bias[o3]
    big = ntap > GS
    d0, d1, d2, d3 = (acc[4], acc[5], acc[6], acc[7]) if big else (a0, a1, a2, a3)
    for kb in range(0, ntap, GS):
        if big:
            d0[:Lr] = 0
            d1[:Lr] = 0
            d2[:Lr] = 0
            d3[:Lr] = 0
        for k in range(kb, min(kb + GS, ntap), 3):
            _taps3(src, cbase, o0, o1, o2, o3, sh, ch, wt, t0, Lr, k, d0, d1, d2, d3)
        if big:
            for t in range(Lr):
                a0[t] += d0[t]
                a1[t] += d1[t]
                a2[t] += d2[t]
                a3[t] += d3[t]


@njit(cache=True, fastmath=_FM)
def _corr4(src, cbase, o0, o1, o2, o3, sh, ch, wt, bias, out, wg, cy, cx, acc):
    """Los canales de salida ``o0..o3`` de una imagen: ``src`` (Cin, largo del plano), ``out``
    (Cout, OH, OW), ``acc`` (4, ≥ TC + ROUND) de trabajo."""
    oh, ow = out.shape[1], out.shape[2]
    tlo = cy * wg + cx
    thi = (cy + oh - 1) * wg + cx + ow
    for t0 in range(tlo, thi, TC):
        L = min(TC, thi - t0)
        Lr = (L + ROUND - 1) // ROUND * ROUND  # posiciones de más: se descartan
        _acc4(src, cbase, o0, o1, o2, o3, sh, ch, wt, bias, t0, Lr, acc)
        _copy_rows(acc[0], acc[1], acc[2], acc[3], out[o0], out[o1], out[o2], out[o3], t0, L, wg, cy, cx)


@njit(cache=True, fastmath=_FM, inline="always")
def _corr4_stack(src, cbase, o0, o1, o2, o3, sh, ch, wt, bias, out, n0, nb, hq, wg, acc):
    """``_corr4`` sobre ``nb`` imágenes apiladas en vertical (la imagen ``b`` en las filas
    ``b·hq…`` de cada plano de ``src``): ``out[n0 + b]`` (Cout, OH, OW). Las filas entre dos imágenes
    se calculan y se descartan, como las columnas sobrantes."""
    oh, ow = out.shape[2], out.shape[3]
    thi = ((nb - 1) * hq + oh - 1) * wg + ow
    # trozos iguales (múltiplos de ROUND, ≤ TC) en vez de TC y un resto: un trozo final de pocas
    # posiciones recorre todos los taps para casi nada (32² con relleno compartido: 1 055 = 1 024 + 31)
    nch = -(-thi // TC)
    step = -(-(-(-thi // nch)) // ROUND) * ROUND
    for t0 in range(0, thi, step):
        L = min(step, thi - t0)
        Lr = (L + ROUND - 1) // ROUND * ROUND
        _acc4(src, cbase, o0, o1, o2, o3, sh, ch, wt, bias, t0, Lr, acc)
        _store4_stack(acc, out, o0, o1, o2, o3, n0, hq, wg, t0, L)


@njit(cache=True, inline="always")
def _store4_stack(acc, out, o0, o1, o2, o3, n0, hq, wg, t0, L):
    """Las posiciones ``t0 … t0 + L`` de la rejilla de imágenes apiladas (paso ``hq`` filas de ancho ``wg``)
    de ``acc[0..3]`` a los canales ``o0..o3`` de ``out[n0 + b]``: sólo las filas y columnas válidas."""
    oh, ow = out.shape[2], out.shape[3]
    a0 = acc[0]
    a1 = acc[1]
    a2 = acc[2]
    a3 = acc[3]
    for yy in range(t0 // wg, (t0 + L - 1) // wg + 1):
        b = yy // hq
        y = yy - b * hq
        rs = yy * wg
        xs = max(rs, t0)
        xe = min(rs + ow, t0 + L)
        if y >= oh or xe <= xs:
            continue
        d = out[n0 + b]
        copy1(d[o0, y, xs - rs:xe - rs], a0[xs - t0:xe - t0])
        copy1(d[o1, y, xs - rs:xe - rs], a1[xs - t0:xe - t0])
        copy1(d[o2, y, xs - rs:xe - rs], a2[xs - t0:xe - t0])
        copy1(d[o3, y, xs - rs:xe - rs], a3[xs - t0:xe - t0])


@njit(cache=True, inline="always")
def _block_channels(obase, ob, og):
    # bloques incompletos: se repite el último canal (mismo valor escrito dos veces)
    return (obase + min(ob, og - 1), obase + min(ob + 1, og - 1), obase + min(ob + 2, og - 1),
            obase + min(ob + 3, og - 1))


@parallel_kernel
@njit(parallel=True, cache=True, fastmath=_FM)
def flat_corr(src, cg, og, sh, ch, wt, bias, out, wg, cy, cx):
    """``out[n, o, y, x] = bias[o] + Σ_k wt[o, k] · src[n, g·cg + ch[k], (y+cy)·wg + x + cx + sh[k]]``
    con ``g = o // og``. ``src`` (N, Cin, largo del plano); ``out`` (N, Cout, OH, OW)."""
    n_img = src.shape[0]
    c_out = out.shape[1]
    groups = c_out // og
    nob = (og + 3) // 4
    per_img = groups * nob
    for p in prange(n_img * per_img):
        n = p // per_img
        r = p - n * per_img
        g = r // nob
        o0, o1, o2, o3 = _block_channels(g * og, 4 * (r - g * nob), og)
        acc = np.empty((8, TC + ROUND + 16), dtype=wt.dtype)  # filas de 2 KiB + 192 B: sin alias en L1
        _corr4(src[n], g * cg, o0, o1, o2, o3, sh, ch, wt, bias, out[n], wg, cy, cx, acc)


@parallel_kernel
@njit(parallel=True, cache=True, fastmath=_FM)
def flat_corr_pad(x, ph, pw, s_h, s_w, hq, wq, per_job, cg, og, sh, ch, wt, bias, wt64, bias64, out):
    """``flat_corr`` con el relleno (y las fases de ``phase_pad``) hecho dentro, por trabajos de
    ``per_job`` imágenes, en un buffer propio de cada trabajo: las imágenes apiladas en vertical en
    cada plano (``C·s_h·s_w`` planos de ``per_job·hq`` filas más las de cola, de ancho ``wq``; con
    stride 1, ``hq``/``wq`` pueden ser los pasos compactos de ``compact_pitch``: la imagen ``b`` en las
    filas ``b·hq + ph…`` y las columnas ``pw…``, relleno compartido con la vecina). Sin el
    buffer rellenado del lote entero ni su pasada aparte; las imágenes rellenadas siguen en la caché
    mientras se calculan todos sus canales de salida; y con planos pequeños (8×8) el bucle interno
    recorre varias imágenes seguidas en vez de unas pocas decenas de posiciones por tap. Mismas
    operaciones en el mismo orden que ``phase_pad`` + ``flat_corr`` en cada posición: el mismo
    resultado bit a bit.

    Acumula en el dtype de ``wt``/``bias``; si ``wt64`` (float64, del mismo ancho que ``wt``) tiene
    filas, con ``wt64``/``bias64`` y acumuladores float64 (las capas con pocos taps, véase
    ``dispatch.ACC64_TAPS``) y ``wt`` no se lee (puede tener 0 filas). Los dos casos en una sola
    especialización para la entrada float32 (primera capa y siguientes de una misma red): numba
    compila el bucle de fuera una vez, no una por firma (medido con la caché vacía, las dos capas de la
    CNN del curso, tiempo de CPU: 7,9 → 7,3 s)."""
    n_img, c_in = x.shape[0], x.shape[1]
    c_out = out.shape[1]
    groups = c_out // og
    nph = s_h * s_w
    tail = -(-ROUND // wq) + 1  # tail_rows(wq)
    jobs = (n_img + per_job - 1) // per_job
    # filas de ceros tras la última imagen más allá de su paso ``hq`` (0 con el paso normal; ``ph`` con
    # el compacto de stride 1, véase ``compact_pitch``)
    extra = max(0, -(-(x.shape[2] + 2 * ph) // s_h) - hq)
    acc64 = wt64.shape[0] > 0
    n32 = 0 if acc64 else TC + ROUND + 16
    n64 = TC + ROUND + 16 if acc64 else 0
    for j in prange(jobs):
        n0 = j * per_job
        nb = min(per_job, n_img - n0)
        xq = np.empty((c_in * nph, nb * hq + extra + tail, wq), dtype=x.dtype)
        for b in range(nb):
            for c in range(c_in):
                _pad_plane(x[n0 + b, c], ph, pw, s_h, s_w, xq[:, b * hq:(b + 1) * hq], c)
        xq[:, nb * hq:, :] = 0
        src = xq.reshape(c_in * nph, (nb * hq + extra + tail) * wq)
        acc = np.empty((8, n32), dtype=wt.dtype)
        acc_d = np.empty((8, n64), dtype=wt64.dtype)
        for g in range(groups):
            for ob in range(0, og, 4):
                o0, o1, o2, o3 = _block_channels(g * og, ob, og)
                if acc64:
                    _corr4_stack(src, g * cg, o0, o1, o2, o3, sh, ch, wt64, bias64, out, n0, nb, hq, wq, acc_d)
                else:
                    _corr4_stack(src, g * cg, o0, o1, o2, o3, sh, ch, wt, bias, out, n0, nb, hq, wq, acc)


@njit(cache=True)
def _copy_rows(a0, a1, a2, a3, d0, d1, d2, d3, t0, L, wg, cy, cx):
    # de la rejilla (ancho wg) a los planos de salida: sólo las columnas válidas
    oh, ow = d0.shape
    for yy in range(max(t0 // wg, cy), min((t0 + L - 1) // wg, cy + oh - 1) + 1):
        rs = yy * wg + cx
        xs = max(rs, t0)
        xe = min(rs + ow, t0 + L)
        if xe <= xs:
            continue
        y = yy - cy
        copy1(d0[y, xs - rs:xe - rs], a0[xs - t0:xe - t0])
        copy1(d1[y, xs - rs:xe - rs], a1[xs - t0:xe - t0])
        copy1(d2[y, xs - rs:xe - rs], a2[xs - t0:xe - t0])
        copy1(d3[y, xs - rs:xe - rs], a3[xs - t0:xe - t0])


@njit(cache=True)
def _copy_rows1(a0, d0, t0, L, wg, cy, cx):
    oh, ow = d0.shape
    for yy in range(max(t0 // wg, cy), min((t0 + L - 1) // wg, cy + oh - 1) + 1):
        rs = yy * wg + cx
        xs = max(rs, t0)
        xe = min(rs + ow, t0 + L)
        if xe > xs:
            copy1(d0[yy - cy, xs - rs:xe - rs], a0[xs - t0:xe - t0])


@parallel_kernel
@njit(parallel=True, cache=True, fastmath=_FM)
def flat_corr1(src, cg, sh, ch, wt, bias, out, wg, cy, cx):
    """Como ``flat_corr`` con un canal de salida por grupo (depthwise): un acumulador."""
    n_img = src.shape[0]
    c_out, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    ntap = sh.shape[0]
    tlo = cy * wg + cx
    thi = (cy + oh - 1) * wg + cx + ow
    for p in prange(n_img * c_out):
        n = p // c_out
        o = p - n * c_out
        cbase = o * cg
        acc = np.empty(TC + ROUND, dtype=wt.dtype)
        d = out[n, o]
        for t0 in range(tlo, thi, TC):
            L = min(TC, thi - t0)
            Lr = (L + ROUND - 1) // ROUND * ROUND
            acc[:Lr] = bias[o]
            for k in range(0, ntap, 3):
                s0 = t0 + sh[k]
                s1 = t0 + sh[k + 1]
                s2 = t0 + sh[k + 2]
                x0 = src[n, cbase + ch[k], s0:s0 + Lr]
                x1 = src[n, cbase + ch[k + 1], s1:s1 + Lr]
                x2 = src[n, cbase + ch[k + 2], s2:s2 + Lr]
                w0, w1, w2 = wt[o, k], wt[o, k + 1], wt[o, k + 2]
                for t in range(Lr):
                    acc[t] += w0 * x0[t] + w1 * x1[t] + w2 * x2[t]
            _copy_rows1(acc, d, t0, L, wg, cy, cx)
