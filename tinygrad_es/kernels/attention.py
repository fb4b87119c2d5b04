"""El softmax de la atención en float32, fila a fila y en un núcleo (forward y backward).

Con numpy, ``softmax(escala·S + sesgo)`` son seis pasadas sobre (N, L, S) (escala, sesgo, máximo, resta,
exp, suma, división) y su backward cinco. Aquí, por fila: escala + sesgo + máximo, la exponencial float32
vectorizada de ``special.exp_block_f32`` (≤ 1 ulp, como ``np.exp``), la suma en float64 y la división; y
el backward ``∂S = escala·P ⊙ (∂P − Σ_j ∂P ⊙ P)`` con la suma en float64. Las columnas del final de la
fila que el sesgo prohíbe (−∞: la máscara causal deja así la mitad) no se calculan: P = 0 y ∂S = 0 allí,
como da el camino entero (e^(−∞) = 0). Una fila sin ninguna columna permitida queda a 0 (como
``ops/attention.softmax_rows``); un NaN de la fila la vuelve NaN entera (como numpy y PyTorch).
"""
import numpy as np
from numba import njit

from .special import TWO_M64, exp_block_f32

__all__ = ["row_ends", "softmax_rows_f32", "softmax_backward_rows_f32"]

_NEG_INF = np.float32(-np.inf)
_W_MIN = np.float32(-104.0)  # e^−104 ya es 0 en float32


@njit(cache=True, nogil=True)
def row_ends(bias):
    """Para cada fila del sesgo (B, S): 1 + la última columna que no es −∞ (0 si todas lo son)."""
    B, S = bias.shape
    ends = np.empty(B, np.int64)
    for r in range(B):
        e = S
        while e > 0 and bias[r, e - 1] == _NEG_INF:
            e -= 1
        ends[r] = e
    return ends


@njit(cache=True, fastmath={"contract"}, error_model="numpy", nogil=True)
def softmax_rows_f32(sc, bias, ends, scale, first, stop):
    """Filas [first, stop) de ``sc`` (R, S) in situ ← softmax(escala·sc + sesgo); la fila r usa la fila
    r % B del sesgo (B, S) y de ``ends`` (B = 0: sin sesgo)."""
    R, S = sc.shape
    B = bias.shape[0]
    w = np.empty(S, np.float32)
    lo = np.zeros(S, np.float32)
    e = np.empty(S, np.float32)
    for r in range(first, stop):
        rb = r % B if B > 0 else 0
        end = ends[rb] if B > 0 else S
        m = _NEG_INF
        if B > 0:
            for j in range(np.uint64(end)):  # índices sin signo: con signo numba no vectoriza
                w[j] = sc[r, j] * scale + bias[rb, j]
        else:
            for j in range(np.uint64(end)):
                w[j] = sc[r, j] * scale
        for j in range(end):
            v = w[j]
            if v > m or v != v:  # un NaN se queda (y la fila sale NaN, como con numpy)
                m = v
        if m == _NEG_INF:  # ninguna columna permitida: P = 0
            end = 0
        else:
            for j in range(np.uint64(end)):
                x = w[j] - m
                w[j] = x if x > _W_MIN else _W_MIN
            exp_block_f32(w, lo, e, end)
            s = 0.0
            for j in range(np.uint64(end)):
                t = (w[j] * e[j]) * TWO_M64
                w[j] = t
                s += np.float64(t)
            inv = 1.0 / s
            for j in range(np.uint64(end)):
                sc[r, j] = np.float32(w[j] * inv)
        for j in range(end, S):
            sc[r, j] = 0


@njit(cache=True, fastmath={"contract"}, error_model="numpy", nogil=True)
def softmax_backward_rows_f32(dp, p, ends, scale, first, stop):
    """Filas [first, stop) de ``dp`` in situ ← escala·P ⊙ (dp − Σ_j dp ⊙ P); fuera de ``ends`` (P = 0), 0."""
    R, S = dp.shape
    B = ends.shape[0]
    for r in range(first, stop):
        end = ends[r % B] if B > 0 else S
        s = 0.0
        for j in range(np.uint64(end)):
            s += np.float64(dp[r, j]) * np.float64(p[r, j])
        sf = np.float32(s)
        for j in range(np.uint64(end)):
            dp[r, j] = scale * (p[r, j] * (dp[r, j] - sf))
        for j in range(end, S):
            dp[r, j] = 0
