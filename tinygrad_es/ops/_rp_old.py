"""La LSTM float32 repartida entre hilos por bloques de unidades (el camino de ``LSTMLayer`` con ≥ 2 hilos).

Un paso de la LSTM es una GEMM (``h_{t−1}·W_hhᵀ``) y la celda. Repartir sólo la GEMM entre hilos
(lo que hace ``gemm.matmul``) deja la celda en un hilo y cuesta un reparto por GEMM: con 2 hilos el
paso del zoo apenas bajaba (74 ms frente a 81 con uno, PyTorch 36 frente a 66). Aquí cada hilo k se
queda con un bloque de H/K unidades **con sus cuatro puertas**: las filas de W_ih, W_hh y los
sesgos se reordenan una vez por llamada (``block_rows``) para que las puertas (i, f, g, o) de las
unidades del bloque k sean contiguas, y el hilo k hace en cada paso su GEMM (``h_{t−1}·W_kᵀ``, B × 4H/K)
y su celda (la misma ``lstm_step_f32``, sobre arrays contiguos): un solo reparto por paso.

Hacia atrás, el hilo k hace la celda de sus unidades y su parte de ∂L/∂h_{t−1} = Σ_k ∂(puertas)_k·W_k
(una suma de K productos, en un búfer por hilo; dos búferes alternos para que nadie lea lo que otro
escribe). Los gradientes de los pesos, al final, como en ``ops/rnn.py`` pero por bloques, y sus filas
vuelven al orden de PyTorch. Con un hilo (o sin BLAS que se pueda poner a un hilo) no se usa.

Mismas operaciones que el camino de un hilo salvo ∂L/∂h_{t−1} y ∂x, que suman K productos parciales
(igual de exactas; no el mismo redondeo bit a bit).
"""
import numba
import numpy as np

from ..kernels import _parallel, blas
from ..kernels import _gemm_old as gemm
from ..kernels import rnn as K

__all__ = ["lstm_blocks", "block_rows", "lstm_forward_blocks", "lstm_backward_blocks"]

MIN_UNITS = 32  # unidades por bloque como mínimo (filas de la celda que caben en L1 y GEMM que rinde)
# ∂W_ih y ∂W_hh suman T·B filas: ``gemm.matmul_rows`` las suma por bloques de como mucho 128 filas
# (``gemm.MAX_ROWS``), por la exactitud.


def lstm_blocks(x, w_hh, w_hr, batch_sizes) -> int:
    """Cuántos bloques (hilos) usar: 1 si no compensa o no se puede (float64, ``proj_size``,
    secuencias empaquetadas, un hilo, GEMM pequeña)."""
    if x.dtype != np.float32 or w_hr is not None or batch_sizes is not None:
        return 1
    G, P = w_hh.shape
    H = G // 4
    if 2.0 * x.shape[1] * G * P < gemm.MIN_SPLIT_FLOPS or not blas.can_single_thread():
        return 1
    k = min(numba.get_num_threads(), H // MIN_UNITS)
    while k > 1 and H % k:
        k -= 1
    return max(k, 1)


def block_rows(H: int, nk: int) -> np.ndarray:
    """Orden de las 4H filas de las puertas por bloques: bloque k = (i, f, g, o) de las unidades
    ``[k·H/nk, (k+1)·H/nk)``."""
    return np.arange(4 * H).reshape(4, nk, H // nk).transpose(1, 0, 2).reshape(-1)


def _run(fn, nk):
    _parallel._POOL.run(fn, (), nk)  # fn(k, nk): el trozo 0 en este hilo, el resto en la reserva


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
    gx = np.empty((nk, T * B, gb), dt)
    for k in range(nk):
        gemm.matmul(x2, wi[k].T, out=gx[k])
        if bias is not None:
            gx[k] += bias[rows[k * gb:(k + 1) * gb]]
    gx = gx.reshape(nk, T, B, gb)
    flat = np.empty(T * B * P + B * P + B * H, dt)
    Y = flat[:T * B * P].reshape(T, B, P)
    h = flat[T * B * P:T * B * P + B * P].reshape(B, P)
    c = flat[T * B * P + B * P:].reshape(B, H)
    ck = np.ascontiguousarray(c0.reshape(B, nk, hb).transpose(1, 0, 2))
    nt = T if save else 1
    act, cprev, tc = np.empty((nk, nt, B, gb), dt), np.empty((nk, nt, B, hb), dt), np.empty((nk, nt, B, hb), dt)
    gh, mk = np.empty((nk, B, gb), dt), np.empty((nk, B, hb), dt)
    u, bits = np.empty((nk, 5 * H)), np.empty((nk, 4 * H), np.int64)
    order = list(range(T - 1, -1, -1) if reverse else range(T))
    state = {"h": h0, "t": 0}

    def step(k, _nk):
        t = state["t"]
        s = t if save else 0
        np.matmul(state["h"], wh[k].T, out=gh[k])
        K.lstm_step_f32(gx[k, t], gh[k], ck[k], act[k, s], cprev[k, s], tc[k, s], mk[k], u[k], bits[k])
        Y[t, :, k * hb:(k + 1) * hb] = mk[k]

    with blas.single_thread():
        for t in order:
            state["t"] = t
            _run(step, nk)
            state["h"] = Y[t]
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
    gY = g[:ny].reshape(T, B, P)
    parts = np.zeros((2, nk, B, P), dt)  # ∂L/∂h por bloque: [búfer de lectura, de escritura]
    parts[0, 0] = g[ny:ny + B * P].reshape(B, P)
    dck = np.ascontiguousarray(g[ny + B * P:].reshape(B, nk, hb).transpose(1, 0, 2))
    # ∂(puertas) de todos los pasos en el orden por bloques, (T·B, 4H) contiguo: ∂x sale de UNA GEMM (sumar
    # K productos parciales de 4H/K términos quedaba más lejos de float64: 1,09× PyTorch frente a 0,83×)
    dgates = np.empty((T, B, nk, gb), dt)
    dm, dgk = np.empty((nk, B, hb), dt), np.empty((nk, B, gb), dt)
    order = list(range(T) if reverse else range(T - 1, -1, -1))
    state = {"t": 0, "i": 0}

    def step(k, _nk):
        t, i = state["t"], state["i"]
        cols = slice(k * hb, (k + 1) * hb)
        d = dm[k]
        acc = parts[i, 0, :, cols].astype(np.float64)
        for j in range(1, nk):
            acc += parts[i, j, :, cols]
        acc += gY[t, :, cols]
        d[...] = acc
        K.lstm_backward(d, act[k, t], cprev[k, t], tc[k, t], dck[k], dgk[k])
        np.matmul(dgk[k], wh[k], out=parts[1 - i, k])
        dgates[t, :, k] = dgk[k]

    with blas.single_thread():
        for n, t in enumerate(order):
            state["t"], state["i"] = t, n % 2
            _run(step, nk)
    last = parts[len(order) % 2]
    dh = last.sum(axis=0) if nk > 1 else last[0].copy()
    dc = dck.transpose(1, 0, 2).reshape(B, H).copy()
    dg = dgates.reshape(T * B, G)
    dx = gemm.matmul(dg, wi.reshape(G, In)).reshape(T, B, In) if need[0] else None

    def unblock(a):  # filas por bloques → orden de PyTorch
        out = np.empty_like(a)
        out[rows] = a
        return out

    dw_ih = unblock(gemm.matmul_rows(dg, x.reshape(T * B, In))) if need[3] else None
    dw_hh = unblock(gemm.matmul_rows(dg, hprev.reshape(T * B, P))) if need[4] else None
    out = (dx, dh if need[1] else None, dc if need[2] else None, dw_ih, dw_hh)
    if has_bias:
        db = unblock(dg.sum(axis=0, dtype=np.float64).astype(dt))
        out += (db, db.copy())
    return out
