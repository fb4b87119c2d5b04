"""Convolución directa por bloques de canales (NCHW8c) para las 3×3 con muchos canales y pocas posiciones.

Las capas de la 2.ª y 3.ª etapas de ResNet y de la CNN de CIFAR (32-64 canales de entrada, 8×8) hacen
mucho cálculo sobre planos diminutos. El núcleo general (``direct.flat_corr_pad``) lleva el vector
sobre las posiciones y 4 canales de salida × 3 taps por pasada, con los acumuladores en memoria: ~50
GFLOP/s en un hilo. Aquí, como en oneDNN, el vector va sobre los **canales de salida**:

* la entrada de cada trabajo (``per_job`` imágenes apiladas con el relleno compartido de
  ``direct.compact_pitch``) se copia **entrelazada por bloques de 8 canales**: ``xq[cb, t, c]`` con ``t``
  la posición de la rejilla aplanada (la copia que ``flat_corr_pad`` ya hacía para rellenar);
* los pesos se reordenan una vez por llamada en ``(bloque de 16 salidas, bloque de 8 entradas, canal,
  tap, salida)``: los 16 pesos de un tap y un canal de entrada son contiguos (2 vectores);
* un bloque de registros de 5 posiciones × 16 canales de salida (10 vectores de 8) recorre los 8 canales
  de un bloque de entrada y sus taps: por tap, 2 cargas de pesos, 5 difusiones de la entrada y 10 FMA;
* por trozos de ``CHUNK`` posiciones: los pesos de un par de bloques (4,6 KiB con 3×3), la entrada del
  trozo y el acumulador ``buf`` (posiciones × 16) caben en L1.

**Orden de la suma** (el mismo en cada posición: equivariante por traslación bit a bit, y el mismo con
1 o 2 hilos, que sólo cambian qué imágenes van juntas): ``buf = sesgo``; para cada bloque de 8 canales
de entrada y, dentro, cada grupo de ``GC`` = 2 canales, un grupo de ``GC``·K productos (18 con 3×3;
canal a canal, tap a tap) sumado desde 0 con FMA y luego ``buf += grupo`` (cadenas de 18 + C/2 sumas).
Con grupos de 72 (los 8 canales del bloque) o de 36 (4 canales, como ``direct.GS``) la CNN de CIFAR
(lote 32, semilla 2, mismas ramas) dejaba ∂b de la última lineal a 1,015× y 1,027× la distancia de
PyTorch a float64; con 18, 0,553× (semillas 0-19: peor parámetro 0,50-0,88; lote 64, semillas 0-3,
0,48-0,55; ``notes/27-blk36.md``). El error de la salida frente a float64 queda por debajo del núcleo
general (grupos de 9-27 taps: 0,4-0,5× el de PyTorch, ``notes/27-fwd.md``).

**Vectorizar**: numba no tiene tipos vectoriales; el bloque está escrito en escalares (``g{p}_{o}``) para
el vectorizador SLP de LLVM, que numba trae apagado (``NUMBA_SLP_VECTORIZE=0``). ``forward`` lo enciende
sólo mientras compila (o carga de la caché) este núcleo (``_slp``; la clave de la caché no incluye esa
opción, y éste es el único núcleo que se compila con ella). Índices sin signo (``np.uint64``): con
índices con signo numba añade el código de los negativos y SLP no ve cargas consecutivas. Sin SLP el
resultado es el mismo (las mismas operaciones), sólo más lento.

Medido (lote 128, un hilo, tiempo de CPU, frente a ``flat_corr_pad`` en el mismo proceso, carga 8-11):
64→64 a 8² 0,83×, 64→128 a 8² 0,85×, 32→64 a 13² 0,92×, 32→32 a 16² 0,98×, 32→64 a 16² 1,02×; por eso
``dispatch`` lo usa sólo con ≤ ``MAX_POSITIONS`` posiciones (véase ``applies``).
Los grupos de 18 en vez de 72 cuestan ~5 % (lote 128, un hilo, tiempo de CPU, alternados en el mismo
proceso, carga 0,8: 64→64 a 8² 1,055×, 64→128 a 8² 1,045×; con 36, 1,033× y 1,034×); con 18, frente a
``flat_corr_pad`` en la misma tanda: 64→64 0,80×, 64→128 0,84×.
"""
import os
import threading

import numpy as np
from numba import njit, prange
from numba.core import config

from .._parallel import parallel_kernel

OB = 16  # canales de salida por bloque (2 vectores de 8 float32)
CB = 8  # canales de entrada por bloque (la disposición NCHW8c de la copia)
GC = 2  # canales de entrada por grupo: con 3×3, 2 × 9 = 18 productos sumados desde 0 antes de ``buf``
P = 5  # posiciones por bloque de registros (5 × 2 = 10 acumuladores vectoriales; 6 × 2 igual, 12 × 1 peor)
CHUNK = 128  # posiciones por trozo (96 y 192, igual)
MAX_POSITIONS = 144  # planos de hasta 12×12 (a 13² 0,92× pero es la CNN del curso: no añade compilación)
MIN_CHANNELS = 32
_FM = {"contract"}


def applies(x, w_shape, stride, dilation, groups, keep):
    """Si este núcleo hace el forward: 3×3 float32, stride 1, sin grupos ni dilatación, ≥ 32 canales de
    entrada múltiplo de 8, salidas múltiplo de 16 y planos de ≤ ``MAX_POSITIONS`` posiciones (lo medido)."""
    o, c = w_shape[0], w_shape[1]
    return (x.dtype == np.float32 and not keep and groups == 1 and tuple(stride) == (1, 1) and w_shape[2:] == (3, 3)
            and tuple(dilation) == (1, 1) and c >= MIN_CHANNELS and c % CB == 0 and o % OB == 0
            and x.shape[2] * x.shape[3] <= MAX_POSITIONS)


@njit(cache=True, fastmath=_FM, inline="always")
def _block(src, xb, w, wb, buf, npos, sh):
    """``buf[t·16 + o] += Σ_c Σ_k w[wb + (c·K + k)·16 + o] · src[xb + (t + sh[k])·8 + c]`` para las ``npos``
    posiciones ``t`` (múltiplo de 5) y los 16 canales de salida ``o`` de un bloque, sobre los ``GC`` canales
    ``c`` de un grupo (``xb`` y ``wb`` ya apuntan a su primer canal) y los ``K`` taps: un grupo de ``GC``·K
    productos sumado desde 0 en registros (5×16 acumuladores: 10 vectores de 8) y luego al acumulador
    ``buf``. Escrito en escalares para el vectorizador SLP de LLVM (véase ``_slp``): cada tap, 2 cargas de
    los pesos, 5 difusiones de la entrada y 10 FMA."""
    ntap = sh.shape[0]
    for t in range(0, npos, 5):
        g0_0 = g0_1 = g0_2 = g0_3 = g0_4 = g0_5 = g0_6 = g0_7 = np.float32(0.0)
        g0_8 = g0_9 = g0_10 = g0_11 = g0_12 = g0_13 = g0_14 = g0_15 = np.float32(0.0)
        g1_0 = g1_1 = g1_2 = g1_3 = g1_4 = g1_5 = g1_6 = g1_7 = np.float32(0.0)
        g1_8 = g1_9 = g1_10 = g1_11 = g1_12 = g1_13 = g1_14 = g1_15 = np.float32(0.0)
        g2_0 = g2_1 = g2_2 = g2_3 = g2_4 = g2_5 = g2_6 = g2_7 = np.float32(0.0)
        g2_8 = g2_9 = g2_10 = g2_11 = g2_12 = g2_13 = g2_14 = g2_15 = np.float32(0.0)
        g3_0 = g3_1 = g3_2 = g3_3 = g3_4 = g3_5 = g3_6 = g3_7 = np.float32(0.0)
        g3_8 = g3_9 = g3_10 = g3_11 = g3_12 = g3_13 = g3_14 = g3_15 = np.float32(0.0)
        g4_0 = g4_1 = g4_2 = g4_3 = g4_4 = g4_5 = g4_6 = g4_7 = np.float32(0.0)
        g4_8 = g4_9 = g4_10 = g4_11 = g4_12 = g4_13 = g4_14 = g4_15 = np.float32(0.0)
        for c in range(GC):
            for k in range(ntap):
                xo = xb + np.uint64((t + sh[k]) * 8 + c)
                x0, x1, x2 = src[xo], src[xo + np.uint64(8)], src[xo + np.uint64(16)]
                x3, x4 = src[xo + np.uint64(24)], src[xo + np.uint64(32)]
                wo = wb + np.uint64((c * ntap + k) * 16)
                w0, w1, w2, w3 = w[wo], w[wo + np.uint64(1)], w[wo + np.uint64(2)], w[wo + np.uint64(3)]
                w4, w5, w6, w7 = w[wo + np.uint64(4)], w[wo + np.uint64(5)], w[wo + np.uint64(6)], w[wo + np.uint64(7)]
                w8, w9, w10, w11 = w[wo + np.uint64(8)], w[wo + np.uint64(9)], w[wo + np.uint64(10)], w[wo + np.uint64(11)]
                w12, w13, w14, w15 = w[wo + np.uint64(12)], w[wo + np.uint64(13)], w[wo + np.uint64(14)], w[wo + np.uint64(15)]
                g0_0 += x0 * w0
                g0_1 += x0 * w1
                g0_2 += x0 * w2
                g0_3 += x0 * w3
                g0_4 += x0 * w4
                g0_5 += x0 * w5
                g0_6 += x0 * w6
                g0_7 += x0 * w7
                g0_8 += x0 * w8
                g0_9 += x0 * w9
                g0_10 += x0 * w10
                g0_11 += x0 * w11
                g0_12 += x0 * w12
                g0_13 += x0 * w13
                g0_14 += x0 * w14
                g0_15 += x0 * w15
                g1_0 += x1 * w0
                g1_1 += x1 * w1
                g1_2 += x1 * w2
                g1_3 += x1 * w3
                g1_4 += x1 * w4
                g1_5 += x1 * w5
                g1_6 += x1 * w6
                g1_7 += x1 * w7
                g1_8 += x1 * w8
                g1_9 += x1 * w9
                g1_10 += x1 * w10
                g1_11 += x1 * w11
                g1_12 += x1 * w12
                g1_13 += x1 * w13
                g1_14 += x1 * w14
                g1_15 += x1 * w15
                g2_0 += x2 * w0
                g2_1 += x2 * w1
                g2_2 += x2 * w2
                g2_3 += x2 * w3
                g2_4 += x2 * w4
                g2_5 += x2 * w5
                g2_6 += x2 * w6
                g2_7 += x2 * w7
                g2_8 += x2 * w8
                g2_9 += x2 * w9
                g2_10 += x2 * w10
                g2_11 += x2 * w11
                g2_12 += x2 * w12
                g2_13 += x2 * w13
                g2_14 += x2 * w14
                g2_15 += x2 * w15
                g3_0 += x3 * w0
                g3_1 += x3 * w1
                g3_2 += x3 * w2
                g3_3 += x3 * w3
                g3_4 += x3 * w4
                g3_5 += x3 * w5
                g3_6 += x3 * w6
                g3_7 += x3 * w7
                g3_8 += x3 * w8
                g3_9 += x3 * w9
                g3_10 += x3 * w10
                g3_11 += x3 * w11
                g3_12 += x3 * w12
                g3_13 += x3 * w13
                g3_14 += x3 * w14
                g3_15 += x3 * w15
                g4_0 += x4 * w0
                g4_1 += x4 * w1
                g4_2 += x4 * w2
                g4_3 += x4 * w3
                g4_4 += x4 * w4
                g4_5 += x4 * w5
                g4_6 += x4 * w6
                g4_7 += x4 * w7
                g4_8 += x4 * w8
                g4_9 += x4 * w9
                g4_10 += x4 * w10
                g4_11 += x4 * w11
                g4_12 += x4 * w12
                g4_13 += x4 * w13
                g4_14 += x4 * w14
                g4_15 += x4 * w15
        bo = np.uint64(t * 16)
        buf[bo + np.uint64(0)] += g0_0
        buf[bo + np.uint64(1)] += g0_1
        buf[bo + np.uint64(2)] += g0_2
        buf[bo + np.uint64(3)] += g0_3
        buf[bo + np.uint64(4)] += g0_4
        buf[bo + np.uint64(5)] += g0_5
        buf[bo + np.uint64(6)] += g0_6
        buf[bo + np.uint64(7)] += g0_7
        buf[bo + np.uint64(8)] += g0_8
        buf[bo + np.uint64(9)] += g0_9
        buf[bo + np.uint64(10)] += g0_10
        buf[bo + np.uint64(11)] += g0_11
        buf[bo + np.uint64(12)] += g0_12
        buf[bo + np.uint64(13)] += g0_13
        buf[bo + np.uint64(14)] += g0_14
        buf[bo + np.uint64(15)] += g0_15
        buf[bo + np.uint64(16)] += g1_0
        buf[bo + np.uint64(17)] += g1_1
        buf[bo + np.uint64(18)] += g1_2
        buf[bo + np.uint64(19)] += g1_3
        buf[bo + np.uint64(20)] += g1_4
        buf[bo + np.uint64(21)] += g1_5
        buf[bo + np.uint64(22)] += g1_6
        buf[bo + np.uint64(23)] += g1_7
        buf[bo + np.uint64(24)] += g1_8
        buf[bo + np.uint64(25)] += g1_9
        buf[bo + np.uint64(26)] += g1_10
        buf[bo + np.uint64(27)] += g1_11
        buf[bo + np.uint64(28)] += g1_12
        buf[bo + np.uint64(29)] += g1_13
        buf[bo + np.uint64(30)] += g1_14
        buf[bo + np.uint64(31)] += g1_15
        buf[bo + np.uint64(32)] += g2_0
        buf[bo + np.uint64(33)] += g2_1
        buf[bo + np.uint64(34)] += g2_2
        buf[bo + np.uint64(35)] += g2_3
        buf[bo + np.uint64(36)] += g2_4
        buf[bo + np.uint64(37)] += g2_5
        buf[bo + np.uint64(38)] += g2_6
        buf[bo + np.uint64(39)] += g2_7
        buf[bo + np.uint64(40)] += g2_8
        buf[bo + np.uint64(41)] += g2_9
        buf[bo + np.uint64(42)] += g2_10
        buf[bo + np.uint64(43)] += g2_11
        buf[bo + np.uint64(44)] += g2_12
        buf[bo + np.uint64(45)] += g2_13
        buf[bo + np.uint64(46)] += g2_14
        buf[bo + np.uint64(47)] += g2_15
        buf[bo + np.uint64(48)] += g3_0
        buf[bo + np.uint64(49)] += g3_1
        buf[bo + np.uint64(50)] += g3_2
        buf[bo + np.uint64(51)] += g3_3
        buf[bo + np.uint64(52)] += g3_4
        buf[bo + np.uint64(53)] += g3_5
        buf[bo + np.uint64(54)] += g3_6
        buf[bo + np.uint64(55)] += g3_7
        buf[bo + np.uint64(56)] += g3_8
        buf[bo + np.uint64(57)] += g3_9
        buf[bo + np.uint64(58)] += g3_10
        buf[bo + np.uint64(59)] += g3_11
        buf[bo + np.uint64(60)] += g3_12
        buf[bo + np.uint64(61)] += g3_13
        buf[bo + np.uint64(62)] += g3_14
        buf[bo + np.uint64(63)] += g3_15
        buf[bo + np.uint64(64)] += g4_0
        buf[bo + np.uint64(65)] += g4_1
        buf[bo + np.uint64(66)] += g4_2
        buf[bo + np.uint64(67)] += g4_3
        buf[bo + np.uint64(68)] += g4_4
        buf[bo + np.uint64(69)] += g4_5
        buf[bo + np.uint64(70)] += g4_6
        buf[bo + np.uint64(71)] += g4_7
        buf[bo + np.uint64(72)] += g4_8
        buf[bo + np.uint64(73)] += g4_9
        buf[bo + np.uint64(74)] += g4_10
        buf[bo + np.uint64(75)] += g4_11
        buf[bo + np.uint64(76)] += g4_12
        buf[bo + np.uint64(77)] += g4_13
        buf[bo + np.uint64(78)] += g4_14
        buf[bo + np.uint64(79)] += g4_15


@parallel_kernel
@njit(parallel=True, cache=True, fastmath=_FM)
def blocked_corr(x, ph, pw, hq, wq, per_job, sh, wpk, bias, out):
    """``out[n, o, y, x] = bias[o] + Σ_c Σ_k w[o, c, k] · xp[n, c, y + i_k, x + j_k]`` (stride 1) con la
    entrada rellenada (``ph``, ``pw``) copiada por trabajos de ``per_job`` imágenes en un buffer NCHW8c
    apilado con los pasos compactos ``hq``, ``wq`` de ``direct.compact_pitch``; ``sh`` los
    desplazamientos de los taps en esa rejilla y ``wpk`` los pesos de ``pack_weights``."""
    n_img, c_in, h, wd = x.shape[0], x.shape[1], x.shape[2], x.shape[3]
    c_out, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    ncb = c_in // CB
    nob = c_out // OB
    ntap = sh.shape[0]
    jobs = (n_img + per_job - 1) // per_job
    extra = max(0, h + 2 * ph - hq)  # filas de ceros tras la última imagen (el relleno de abajo)
    tail = -(-(P + wd) // wq) + 1  # las posiciones de más del último bloque de registros leen aquí
    for j in prange(jobs):
        n0 = j * per_job
        nb = min(per_job, n_img - n0)
        T = (nb * hq + extra + tail) * wq
        xq = np.zeros(ncb * T * CB, dtype=x.dtype)
        for b in range(nb):
            for c in range(c_in):
                base = (c // CB) * T * CB + c % CB
                for y in range(h):
                    r = base + ((b * hq + ph + y) * wq + pw) * CB
                    src = x[n0 + b, c, y]
                    for xx in range(wd):
                        xq[r + xx * CB] = src[xx]
        thi = ((nb - 1) * hq + oh - 1) * wq + ow
        nch = -(-thi // CHUNK)
        step = -(-(-(-thi // nch)) // P) * P  # trozos iguales, múltiplos de P
        buf = np.empty(step * OB, dtype=x.dtype)
        for t0 in range(0, thi, step):
            L = min(step, thi - t0)
            Lr = -(-L // P) * P  # posiciones de más: se descartan
            for ob in range(nob):
                for i in range(Lr):
                    for o in range(OB):
                        buf[i * OB + o] = bias[ob * OB + o]
                for cb in range(ncb):
                    for c0 in range(0, CB, GC):  # grupos de GC canales (GC·K productos), siempre en este orden
                        _block(xq, np.uint64((cb * T + t0) * CB + c0), wpk,
                               np.uint64(((ob * ncb + cb) * CB + c0) * ntap * OB), buf, Lr, sh)
                for yy in range(t0 // wq, (t0 + L - 1) // wq + 1):
                    b = yy // hq
                    y = yy - b * hq
                    rs = yy * wq
                    xs = max(rs, t0)
                    xe = min(rs + ow, t0 + L)
                    if y >= oh or xe <= xs:
                        continue
                    d = out[n0 + b]
                    for o in range(OB):
                        dr = d[ob * OB + o, y]
                        for t in range(xs, xe):
                            dr[t - rs] = buf[(t - t0) * OB + o]


def pack_weights(w):
    """Pesos (O, C, kh, kw) → vector ``[bloque de 16 salidas, bloque de 8 entradas, canal, tap, salida]``."""
    o, c, kh, kw = w.shape
    blocks = w.reshape(o // OB, OB, c // CB, CB, kh * kw).transpose(0, 2, 3, 4, 1)
    return np.ascontiguousarray(blocks, dtype=np.float32).ravel()


def tap_shifts(kh, kw, wq):
    """Desplazamiento de cada tap en la rejilla aplanada de ancho ``wq``."""
    i, j = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    return (i * wq + j).ravel().astype(np.int64)


class _slp:
    """Enciende el vectorizador SLP de numba mientras se compila (o se carga) ``blocked_corr``. numba
    vuelve a leer su configuración del entorno al compilar (``reload_config``): hay que cambiar la
    variable de entorno, no sólo ``config``."""

    def __enter__(self):
        self.old = os.environ.get("NUMBA_SLP_VECTORIZE")
        os.environ["NUMBA_SLP_VECTORIZE"] = "1"
        config.reload_config()

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop("NUMBA_SLP_VECTORIZE", None)
        else:
            os.environ["NUMBA_SLP_VECTORIZE"] = self.old
        config.reload_config()


_ready = False
# dos hilos en la primera llamada: uno compila con SLP y el otro espera (y el entorno vuelve a su valor)
_first = threading.Lock()


def forward(x, w, bias, padding, hq, wq, per_job, out):
    """``out`` (N, O, OH, OW) ← la convolución de stride 1 de ``x`` (float32, contiguo) con ``w`` y
    ``bias`` (float32), relleno ``padding`` y pasos compactos ``hq``, ``wq``."""
    global _ready
    kh, kw = w.shape[2], w.shape[3]
    args = (np.ascontiguousarray(x), padding[0], padding[1], hq, wq, per_job, tap_shifts(kh, kw, wq),
            pack_weights(w), np.ascontiguousarray(bias, dtype=np.float32), out)
    if not _ready:
        with _first:
            if not _ready:
                with _slp():
                    blocked_corr(*args)
                _ready = True
                return
    blocked_corr(*args)
