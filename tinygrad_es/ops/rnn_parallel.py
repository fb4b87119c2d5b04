"""La LSTM float32 por bloques de unidades, repartida entre hilos (el camino de ``LSTMLayer`` en float32).

Un paso de la LSTM es una GEMM (``h_{t−1}·W_hhᵀ``) y la celda. Las unidades se parten en ``BLOCKS``
bloques, cada uno **con sus cuatro puertas**: las filas de W_ih, W_hh y los sesgos se reordenan una vez
por llamada (``block_rows``) para que las puertas (i, f, g, o) de las unidades del bloque k sean
contiguas. Cada hilo recorre los T pasos con sus bloques dentro de un núcleo ``nogil``
(``kernels/rnn_blocks.py``): en cada paso, su GEMM (``h_{t−1}·W_kᵀ``, B × 4H/K, la SGEMM de OpenBLAS
llamada desde numba), su celda (``lstm_step_f32``) y una barrera. Un solo reparto por llamada: antes
cada paso volvía a Python y se repartía (despertar al otro hilo, el GIL), 128 veces por paso de
entrenamiento, y con 2 hilos el paso apenas bajaba.

Hacia atrás, cada bloque hace su celda y su parte de ∂L/∂h_{t−1} = Σ_k ∂(puertas)_k·W_k (un búfer por
bloque, dos alternos para que nadie lea lo que otro escribe; la suma de las K partes en float64). Los
gradientes de los pesos, al final, como en ``ops/rnn.py`` pero por bloques, y sus filas vuelven al orden
de PyTorch.

**Los mismos bits con 1 o con 2 hilos**: el número de bloques no depende de los hilos (con uno, el hilo
hace los dos bloques), y cada GEMM tiene la misma forma con cualquier número de hilos (la proyección de
la entrada y ∂x por lotes de bloques, ∂W con ``gemm.matmul_rows(fixed=True)``): la SGEMM de OpenBLAS da
otros bits si se le parten filas o columnas. Frente al camino de ``ops/rnn.py`` (float64, ``proj_size``,
secuencias empaquetadas, GEMM pequeñas) cambia el redondeo de ∂L/∂h_{t−1} y de ∂x (igual de exactos).
"""
import numba
import numpy as np

from ..kernels import _parallel, _pool, blas, gemm
from ..kernels import rnn_blocks as RB

__all__ = ["lstm_blocks", "block_rows", "lstm_forward_blocks", "lstm_backward_blocks"]

BLOCKS = 2  # bloques de unidades: fijo (no según los hilos), así 1 o 2 hilos dan los mismos bits
MIN_UNITS = 32  # unidades por bloque como mínimo (filas de la celda que caben en L1 y GEMM que rinde)
# ∂W_ih y ∂W_hh suman T·B filas: ``gemm.matmul_rows`` las suma por bloques sumados por parejas, por la
# exactitud: ∂W_hh de 128 filas (``gemm.MAX_ROWS``); ∂W_ih de 64 (``IH_ROWS``: su GEMM es 4 veces menor y con
# 128 quedaba a 0,96-0,98 de la distancia de PyTorch a float64 con el lote del zoo; con 64, 0,83-0,85).
IH_ROWS = 64
# La GEMM recurrente con W_k empaquetado una vez por llamada (las piezas de OpenBLAS, ``blas.sgemm_packed_addresses``)
# en vez de la SGEMM entera (que lo empaqueta en cada paso)
PACKED = True
_addr = {}


def _addresses():
    if not _addr:  # sin JIT (NUMBA_DISABLE_JIT=1, para depurar) los núcleos con intrínsecos no se pueden usar
        ok = blas.can_single_thread() and not numba.config.DISABLE_JIT
        _addr.update(sgemm=blas.sgemm_address() if ok else 0, yld=blas.yield_address())
        pk = blas.sgemm_packed_addresses() if ok and PACKED else {}
        _addr.update(packed_n=_packed(pk, "incopy"), packed_t=_packed(pk, "itcopy"))
    return _addr


def _packed(pk, icopy):
    """Las direcciones que reciben los núcleos: (copia de A, copia de B, micronúcleo, K máximo) o ceros."""
    if not pk:
        return np.zeros(4, np.int64)
    return np.array([pk[icopy], pk["oncopy"], pk["kernel"], blas.PACKED_MAX_K], np.int64)


def _packed_buffers(key, nk, a_size, b_size):
    """Búferes de W empaquetado (``nk`` × ``a_size``) y de la otra matriz (por bloque), si hay piezas."""
    pk = _addresses()[key]
    if not pk[2]:
        return pk, np.empty((nk, 1), np.float32), np.empty((nk, 1), np.float32)
    return pk, np.empty((nk, a_size + 64), np.float32), np.empty((nk, b_size + 64), np.float32)


def lstm_blocks(x, w_hh, w_hr, batch_sizes) -> int:
    """Cuántos bloques de unidades usar: ``BLOCKS``, o 1 (el camino de ``ops/rnn.py``) si no compensa o no se
    puede (float64, ``proj_size``, secuencias empaquetadas, GEMM pequeña, sin la SGEMM de OpenBLAS)."""
    if x.dtype != np.float32 or w_hr is not None or batch_sizes is not None:
        return 1
    G, P = w_hh.shape
    H = G // 4
    if 2.0 * x.shape[1] * G * P < gemm.MIN_SPLIT_FLOPS or H % BLOCKS or H // BLOCKS < MIN_UNITS:
        return 1
    return BLOCKS if _addresses()["sgemm"] else 1


def block_rows(H: int, nk: int) -> np.ndarray:
    """Orden de las 4H filas de las puertas por bloques: bloque k = (i, f, g, o) de las unidades
    ``[k·H/nk, (k+1)·H/nk)``."""
    return np.arange(4 * H).reshape(4, nk, H // nk).transpose(1, 0, 2).reshape(-1)


def _spin():
    if not _pool._spins:
        _pool._calibrate()
    return max(_pool._spins["caller"], 1)


def _run(kernel, args, nk):
    """``kernel(sgemm, yld, spin, j, nth, *args, ctl)`` en ``nth`` hilos (cada uno sus bloques; el 0 en
    este), una sola vez para los T pasos. Si uno falla, su barrera se abre para que los demás acaben."""
    nth = 1 if _pool._state["serial"] else max(1, min(nk, _pool._num_threads()))
    a = _addresses()
    ctl = np.zeros(1, np.int64)
    spin = _spin()

    def part(j, n):
        try:
            kernel(a["sgemm"], a["yld"], spin, j, n, *args, ctl)
        except BaseException:
            ctl[0] = 1 << 62  # que nadie espere a este hilo
            raise

    with blas.single_thread():
        if nth == 1:
            part(0, 1)
        else:
            _parallel._POOL.run(part, (), nth)


def lstm_forward_blocks(x, h0, c0, w_ih, w_hh, bias, reverse, nk, save):
    """Forward de ``LSTMLayer`` (sin proyección ni empaquetado) con ``nk`` bloques. Devuelve el vector
    plano ``[Y, h_T, c_T]`` y, si ``save``, lo que necesita el backward."""
    T, B, In = x.shape
    G, P = w_hh.shape
    H, hb = G // 4, G // 4 // nk
    gb = 4 * hb
    dt = x.dtype
    rows = block_rows(H, nk)
    wi = w_ih[rows].reshape(nk, gb, In)
    wh = w_hh[rows].reshape(nk, gb, P)
    x2 = x.reshape(T * B, In)
    gx = gemm.matmul(x2, wi.transpose(0, 2, 1), by_batch=True)  # (nk, T·B, 4h), un bloque por hilo (mismos bits)
    bk = bias[rows].reshape(nk, gb) if bias is not None else np.zeros((nk, gb), dt)  # se suma paso a paso en el núcleo
    gx = gx.reshape(nk, T, B, gb)
    flat = np.empty(T * B * P + B * P + B * H, dt)
    Y = flat[:T * B * P].reshape(T, B, P)
    h = flat[T * B * P:T * B * P + B * P].reshape(B, P)
    c = flat[T * B * P + B * P:].reshape(B, H)
    ck = np.ascontiguousarray(c0.reshape(B, nk, hb).transpose(1, 0, 2), dtype=dt)
    nt = T if save else 1
    act, cprev, tc = np.empty((nk, nt, B, gb), dt), np.empty((nk, nt, B, hb), dt), np.empty((nk, nt, B, hb), dt)
    gh, mk = np.empty((nk, B, gb), dt), np.empty((nk, B, hb), dt)
    u, bits = np.empty((nk, 5 * H)), np.empty((nk, 4 * H), np.int64)
    order = np.arange(T - 1, -1, -1) if reverse else np.arange(T)
    h0c = np.ascontiguousarray(h0, dtype=dt)
    pk, sa, sb = _packed_buffers("packed_n", nk, gb * P, B * P)
    _run(RB.lstm_forward_run, (gx, bk, bias is not None, wh, h0c, Y, ck, act, cprev, tc, gh, mk, u, bits, order, save,
                               pk, sa, sb), nk)
    del sa, sb  # W empaquetado (1 MB con H = 256): no retenerlo más allá de la recurrencia
    h[...] = Y[order[-1]]
    c[...] = ck.transpose(1, 0, 2).reshape(B, H)
    if not save:
        return flat, None
    hprev = np.empty((T, B, P), dt)  # h_{t−1} de cada paso, para ∂W_hh
    prev = h0
    for t in order:
        hprev[t] = prev
        prev = Y[t]
    return flat, (rows, wi, wh, act, cprev, tc, hprev)


def lstm_backward_blocks(g, x, saved, reverse, need, has_bias):
    """Backward de ``lstm_forward_blocks``: ``(dx, dh0, dc0, dW_ih, dW_hh[, db_ih, db_hh])``."""
    rows, wi, wh, act, cprev, tc, hprev = saved
    nk, T, B, gb = act.shape
    hb = gb // 4
    H, P = nk * hb, wh.shape[2]
    G = 4 * H
    In = x.shape[2]
    dt = g.dtype
    ny = T * B * P
    gY = np.ascontiguousarray(g[:ny].reshape(T, B, P))  # (los núcleos, para arrays contiguos)
    parts = np.zeros((2, nk, B, P), dt)  # ∂L/∂h por bloque: [búfer de lectura, de escritura]
    parts[0, 0] = g[ny:ny + B * P].reshape(B, P)
    dck = np.ascontiguousarray(g[ny + B * P:].reshape(B, nk, hb).transpose(1, 0, 2))
    # ∂(puertas) de todos los pasos en el orden por bloques, (T·B, 4H) contiguo: ∂x sale de UNA GEMM (sumar
    # K productos parciales de 4H/K términos quedaba más lejos de float64: 1,09× PyTorch frente a 0,83×)
    dgates = np.empty((T, B, nk, gb), dt)
    dm, dgk = np.empty((nk, B, hb), dt), np.empty((nk, B, gb), dt)
    order = np.arange(T) if reverse else np.arange(T - 1, -1, -1)
    pk, sa, sb = _packed_buffers("packed_t", nk, gb * P, B * gb)
    _run(RB.lstm_backward_run, (gY, parts, act, cprev, tc, dck, dm, dgk, wh, dgates, order, pk, sa, sb), nk)
    del sa, sb  # que no sume al pico de memoria de ∂W
    last = parts[len(order) % 2]
    dh = last.sum(axis=0) if nk > 1 else last[0].copy()
    dc = dck.transpose(1, 0, 2).reshape(B, H).copy()
    dg = dgates.reshape(T * B, G)
    dx = None
    if need[0]:  # las filas en ``nk`` trozos fijos, una GEMM por lotes (los mismos bits con 1 o 2 hilos)
        n = nk if (T * B) % nk == 0 else 1
        dx = gemm.matmul(dg.reshape(n, T * B // n, G), wi.reshape(G, In), by_batch=True).reshape(T, B, In)

    def unblock(a):  # filas por bloques → orden de PyTorch
        out = np.empty_like(a)
        out[rows] = a
        return out

    dw_ih = unblock(gemm.matmul_rows(dg, x.reshape(T * B, In), max_rows=IH_ROWS, fixed=True)) if need[3] else None
    dw_hh = unblock(gemm.matmul_rows(dg, hprev.reshape(T * B, P), fixed=True)) if need[4] else None
    out = (dx, dh if need[1] else None, dc if need[2] else None, dw_ih, dw_hh)
    if has_bias:
        db = unblock(dg.sum(axis=0, dtype=np.float64).astype(dt))
        out += (db, db.copy())
    return out
