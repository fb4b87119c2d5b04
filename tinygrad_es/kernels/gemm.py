"""Las GEMM de los núcleos: BLAS de un hilo, repartidas entre hilos de Python.

Con los hilos de OpenBLAS, cada GEMM es un reparto y una espera entre hilos; Winograd
hace 16 (o 36) GEMM pequeñas seguidas por pasada. Medido en esta máquina de 2 núcleos
con otro proceso ocupando parte de un núcleo: las 16 GEMM de Winograd con 2 hilos de
OpenBLAS bajaban a 1-20 GFLOP/s (cada espera aguarda a que el planificador devuelva la
CPU al hilo ayudante), frente a 60-80 con OpenBLAS de un hilo. Aquí OpenBLAS trabaja
con un hilo y el reparto lo hacemos nosotros, una sola vez por llamada: el lote (o las
columnas) en tantas partes como hilos de numba, una en el hilo que llama y el resto en
un grupo de hilos de Python (numpy suelta el GIL durante la GEMM).
"""
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _pool as _numba_pool, blas

MIN_SPLIT_FLOPS = 4e6  # por debajo, repartir cuesta más que lo que se gana (~20-50 µs por reparto)
# Hasta 2¹⁶ multiplicaciones OpenBLAS calcula siempre en un hilo (su umbral SMP_THRESHOLD_MIN; en
# 0.3.31 lo hace hasta 2¹⁸): ponerlo a un hilo y devolverlo (dos llamadas a openblas_set_num_threads,
# ~9 µs medidos con la máquina cargada) cuesta más que la GEMM (64·64·10: ~4 µs).
SERIAL_MACS = 1 << 16
# Trozos de una GEMM repartida, también con un hilo (los mismos bits con 1 o con 2 hilos). Partir las
# columnas cuesta con un hilo (medido, CPU: 2 048·128·384 en dos mitades de columnas 1,05×, 2 048·512·128
# 1,21×) y partir las filas de una matriz alta no (0,92-1,01×); con pocas filas, al revés (64·784·128 por
# filas 1,16×, por columnas 1,03×). Por filas desde ``ROW_SPLIT`` filas.
SPLIT_PIECES = 2
ROW_SPLIT = 1024
_pool = {"exec": None, "pid": None, "size": 0}
_pool_lock = threading.Lock()


def _executor(size):
    with _pool_lock:
        if _pool["exec"] is None or _pool["pid"] != os.getpid() or _pool["size"] < size:
            # tras un fork los hilos del grupo no existen en el hijo: se crea otro
            _pool.update(exec=ThreadPoolExecutor(max_workers=size, thread_name_prefix="tinygrad_es-gemm"),
                         pid=os.getpid(), size=size)
        return _pool["exec"]


def _parts(n, k):
    step = -(-n // k)
    return [(i, min(n, i + step)) for i in range(0, n, step)]


def matmul(a, b, out=None, by_batch=False):
    """``out[...] = a @ b`` (2-D, o por lotes 3-D; ``a`` o ``b`` pueden ser 2-D con ``out`` 3-D). Los mismos
    bits con 1 o con 2 hilos: la SGEMM de OpenBLAS no da los mismos bits si se le parten las filas o las
    columnas, así que una GEMM que se reparte (≥ ``MIN_SPLIT_FLOPS``) se parte en los mismos
    ``max(SPLIT_PIECES, hilos)`` trozos también con un hilo (uno tras otro); un lote 3-D se reparte por
    matrices enteras (cada GEMM, la misma con cualquier número de hilos). Con ``by_batch`` (3-D) sólo se
    reparten lotes enteros."""
    shape = None
    if out is None:
        if a.ndim == 2 and b.ndim == 2:  # el caso de las capas lineales, sin broadcast_shapes (~10 µs)
            macs = a.shape[0] * a.shape[1] * b.shape[1]
            if macs <= SERIAL_MACS or (2.0 * macs < MIN_SPLIT_FLOPS and blas.one_thread()):
                return np.matmul(a, b)  # sin reparto y con OpenBLAS ya en un hilo: nada que cambiar
            shape = (a.shape[0], b.shape[1])
        elif a.ndim == 3 and (b.ndim == 2 or b.shape[0] == a.shape[0]):  # mismo lote (sin broadcast_shapes, ~5 µs)
            shape = (a.shape[0], a.shape[1], b.shape[-1])
        else:
            shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    if not blas.can_single_thread():  # otra BLAS: que reparta ella
        return np.matmul(a, b, out=out)
    oshape = shape if out is None else out.shape
    flops = 2.0 * math.prod(oshape) * a.shape[-1]
    threads = 1 if flops < MIN_SPLIT_FLOPS else max(1, _numba_pool._num_threads())  # (numba.get_num_threads: ~3 µs)
    whole = len(oshape) == 3 and (by_batch or oshape[0] >= 2)  # por matrices enteras: bits fijos
    if whole:
        threads = min(threads, oshape[0])
    if threads == 1 and (whole or flops < MIN_SPLIT_FLOPS):
        # sin reparto, la salida la crea np.matmul (mismos bits que con out=)
        if blas.one_thread():  # OpenBLAS ya en un hilo: ni cerrojo ni cambio
            return np.matmul(a, b, out=out)
        with blas.single_thread():
            return np.matmul(a, b, out=out)
    if out is None:
        out = np.empty(shape, dtype=a.dtype if a.dtype == b.dtype else np.result_type(a, b))
    with blas.single_thread():
        if whole:
            pieces = [(a[i:j] if a.ndim == 3 else a, b[i:j] if b.ndim == 3 else b, out[i:j])
                      for i, j in _parts(out.shape[0], threads)]
        elif out.shape[-2] >= ROW_SPLIT and a.ndim == 2 and out.ndim == 2:  # alta (una secuencia): por filas
            pieces = [(a[i:j], b, out[i:j]) for i, j in _parts(out.shape[0], max(SPLIT_PIECES, threads))]
        else:  # columnas de b y de out
            pieces = [(a, b[..., i:j], out[..., i:j]) for i, j in _parts(out.shape[-1], max(SPLIT_PIECES, threads))]
        if threads == 1:
            for pa, pb, po in pieces:
                np.matmul(pa, pb, out=po)
            return out
        ex = _executor(len(pieces) - 1)
        futures = [ex.submit(np.matmul, pa, pb, out=po) for pa, pb, po in pieces[1:]]
        np.matmul(*pieces[0][:2], out=pieces[0][2])
        for f in futures:
            f.result()
    return out


# Las sumas largas de un gradiente de pesos (∂W = Σ_filas gᵀ·x, con N·T filas en una LSTM o una
# lineal sobre una secuencia) en float32: la SGEMM de OpenBLAS acumula cada elemento de una vez a lo
# largo de todas las filas, y su error crece con ellas; la de PyTorch (MKL/oneDNN) quedaba ~1,2×
# más cerca de float64 en los pesos de la LSTM de caracteres (6 semillas, todas). Por bloques de
# al menos ``SUM_ROWS`` filas (y como mucho ``SUM_BLOCKS`` bloques, salvo que ``max_rows`` limite el
# tamaño del bloque: cada bloque es una GEMM y una suma de la salida más), sumados por parejas (un
# contador binario: log₂(bloques) búferes), el error de redondeo de la acumulación baja ~√bloques.
SUM_ROWS = 64
SUM_BLOCKS = 4
# Bloques de como mucho 128 filas en toda ∂W larga (LSTM, lineales sobre secuencias): con los de n/4
# (512 filas con T·B = 2 048) la cabeza lineal de la LSTM de caracteres y las lineales del MiniGPT
# quedaban a 1,01-1,07× la distancia de PyTorch a float64 con los lotes del zoo; la LSTM, a 1,2-1,27×.
MAX_ROWS = 128
BATCH_BLOCKS = 4  # bloques por GEMM por lotes en ``matmul_rows`` (memoria: 4 salidas parciales)


def matmul_rows(a, b, rows=SUM_ROWS, max_rows=MAX_ROWS, blocks=SUM_BLOCKS, fixed=False):
    """``aᵀ @ b`` (``a`` (N, M), ``b`` (N, K)) sumando las N filas por bloques de ``rows`` o más (sólo
    en float32 y con N > rows; si no, una GEMM), ``blocks`` bloques como mucho; con ``max_rows``,
    bloques de ese tamaño como mucho. Los bloques dan los mismos bits con 1 o con varios hilos; con
    ``fixed``, también la GEMM única (N ≤ rows), que entonces no se reparte."""
    n = a.shape[0]
    if n <= rows or a.dtype != np.float32 or b.dtype != np.float32:
        return matmul(a.T[None], b[None], by_batch=True)[0] if fixed else matmul(a.T, b)
    rows = max(rows, -(-n // blocks))
    if max_rows is not None:
        rows = min(rows, max_rows)
    levels = []  # levels[i]: la suma de 2^i bloques seguidos (o None); arrays propios, no vistas de una tanda

    def push(p, j=0):  # una suma de 2^j bloques más, sumada por parejas con las anteriores (contador binario)
        levels.extend([None] * (j - len(levels)))
        while j < len(levels) and levels[j] is not None:
            levels[j] += p  # los más antiguos a la izquierda: el orden de las filas
            p, levels[j] = levels[j], None
            j += 1
        if p.base is not None and p.base.size > p.size:  # una vista de la tanda: se copia (la tanda se reutiliza)
            p = p.copy()
        if j == len(levels):
            levels.append(p)
        else:
            levels[j] = p

    # Los bloques enteros, de ``BATCH_BLOCKS`` en ``BATCH_BLOCKS`` en una GEMM por lotes (un reparto entre
    # hilos por tanda, por bloques: cada bloque, la misma SGEMM con 1 o con 2 hilos, los mismos bits). Una
    # tanda de 4 se suma por parejas dentro de ella ((b0 + b1) + (b2 + b3): lo mismo que haría el contador) y
    # sale como una sola suma copiada: la tanda siguiente reutiliza su memoria (antes cada tanda quedaba
    # retenida por las vistas del contador: ~8 MB con ∂W_hh de la LSTM de caracteres).
    full = n // rows
    buf = None
    for c0 in range(0, full, BATCH_BLOCKS):
        c = min(BATCH_BLOCKS, full - c0)
        lo, hi = c0 * rows, (c0 + c) * rows
        out = buf if buf is not None and buf.shape[0] == c else None
        parts = matmul(a[lo:hi].reshape(c, rows, a.shape[1]).transpose(0, 2, 1),
                       b[lo:hi].reshape(c, rows, b.shape[1]), out=out, by_batch=True)
        if c == 4 and c0 % 4 == 0:
            parts[0] += parts[1]
            parts[2] += parts[3]
            parts[0] += parts[2]
            push(parts[0], 2)
            buf = parts
        else:
            for p in parts:
                push(p)
    if full * rows < n:
        push(matmul(a[full * rows:].T[None], b[full * rows:][None], by_batch=True)[0])
    out = None
    for p in reversed(levels):  # de los bloques más antiguos a los más recientes
        if p is not None:
            if out is None:
                out = p
            else:
                out += p
    if out.base is not None and out.base.size > out.size:  # no retener la tanda entera con el resultado
        out = out.copy()
    return out


# La misma regla en la dimensión de contracción K de una capa lineal (forward x·Wᵀ y ∂L/∂x = G·W): la
# SGEMM de OpenBLAS acumula cada salida en cadenas de hasta 256 FMA (su bloque de K; con bloques de 512
# o de 256 da los mismos bits), y su error quedaba a 1,10-1,22× el de PyTorch (MKL) en las lineales
# 64·784·128 (el MLP), 8·9 216·4 096 y 8·4 096·4 096 (AlexNet, lote 8): en el MLP, ∂W de la capa
# siguiente llegaba a 1,09× PyTorch (6 semillas); en AlexNet, el ∂b de la primera lineal a 1,08×. Con K
# en bloques iguales de como mucho 128 sumados por parejas: 0,73-0,80×.
MAX_K = 128
# Con muchas filas la GEMM es de cálculo y los bloques cortos cuestan: el paso del MLP (64 filas,
# 7 bloques de 112), +6,6 % de CPU con 1 hilo; con 2 bloques de 392, +1,6 % (su salida queda a
# 0,97-1,01× PyTorch y los gradientes del MLP a 0,81-0,96×, 6 semillas). Con pocas filas (AlexNet,
# lote 8) la GEMM lee W una vez de todos modos: el paso, 0,98× (ruido) con bloques de 128.
FEW_ROWS = 32
MAX_K_WIDE = 512
BATCHED_ELEMS = 1 << 22  # 16 MB de salidas parciales en float32


def matmul_k(a, b, max_k=None):
    """``a @ b`` (2-D, (M, K)·(K, N)) con K en ``nb`` bloques iguales de como mucho ``max_k`` (``MAX_K``
    con M ≤ ``FEW_ROWS``, si no ``MAX_K_WIDE``) sumados por parejas; sólo en float32 (si no, o con
    K ≤ max_k, una GEMM). Los bloques son una GEMM por lotes de vistas, (nb, M, K/nb)·(nb, K/nb, N): una
    llamada, repartida por bloques entre los hilos; si K no se parte en bloques iguales o las nb salidas
    ocuparían más de ``BATCHED_ELEMS`` elementos, GEMM seguidas (``matmul_rows``, log₂ nb búferes)."""
    k = a.shape[1]
    max_k = max_k or (MAX_K if a.shape[0] <= FEW_ROWS else MAX_K_WIDE)
    if k <= max_k or a.dtype != np.float32 or b.dtype != np.float32:
        return matmul(a, b)
    nb = -(-k // max_k)
    if k % nb or nb * a.shape[0] * b.shape[1] > BATCHED_ELEMS:
        return matmul_rows(a.T, b, rows=1, max_rows=None, blocks=nb)
    kb = k // nb
    parts = matmul(a.reshape(a.shape[0], nb, kb).transpose(1, 0, 2), b.reshape(nb, kb, b.shape[1]))
    while len(parts) > 2:  # por parejas, en orden
        half = len(parts) // 2
        s = parts[0:2 * half:2] + parts[1:2 * half:2]
        parts = np.concatenate([s, parts[2 * half:]]) if len(parts) % 2 else s
    return parts[0] + parts[1]  # un array nuevo, no una vista
