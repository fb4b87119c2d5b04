"""Las celdas recurrentes fusionadas (RNN, LSTM, GRU): la parte elemento a elemento de un paso.

Un paso de una capa recurrente es una GEMM (``h_{t-1} · W_hhᵀ``, la hace BLAS desde
``ops/rnn.py``) y después unas pocas decenas de operaciones por elemento: sumar las dos
preactivaciones, sigmoides y tangentes hiperbólicas, el estado de la celda. Con numpy son
~10 pasadas y otros tantos temporales por paso; aquí son tres pasadas sin temporales.

Las funciones trascendentes las hace numpy: ``np.exp`` y ``np.tanh`` sobre el bloque entero van
con SIMD (~1,3 y ~2,7 ns por elemento en float32), mientras que ``exp``/``tanh`` escalares dentro
de numba (sin SVML) cuestan 15-25 ns por elemento (medido con una celda LSTM de 32×256: 570-920 µs
por paso frente a ~60 µs así). Por eso el forward de cada celda va en tres tiempos:

1. ``*_pre``: el argumento de la exponencial de las sigmoides, ``−(a + b)``, recortado a ``lim``
   (``np.exp`` no desborda ni avisa), y la preactivación ``a + b`` de las tanh;
2. ``np.exp`` y ``np.tanh`` in situ (en ``ops/rnn.py``);
3. ``*_cell``/``*_out``: σ(x) = 1/(1 + e^(−x)) y el estado.

En float32 la LSTM usa ``lstm_step_f32``: el paso entero en un núcleo, con una exponencial propia en
float64 que LLVM sí vectoriza (ver su comentario); los tres tiempos quedan para float64.

La tanh no se saca de la exponencial: 2/(1 + e^(−2x)) − 1 cancela cerca de 0 (en float32, con
x = 0,01 el error relativo es ~10⁻⁵, cien veces el de ``np.tanh``), y esos valores pequeños son
los más frecuentes en c_t y en la puerta g: el gradiente de los pesos de una LSTM quedaba más lejos
de float64 que el de PyTorch. La sigmoide no cancela. El recorte no cambia nada visible: con
x < −lim la sigmoide es ~e^(−lim) (lim = 80 en float32, 700 en float64). Un NaN pasa (como en
PyTorch).

Los backward no tienen funciones trascendentes (usan las activaciones guardadas): una
pasada que LLVM vectoriza. Todos trabajan sobre filas ``[0, n)`` de bloques (n, k) con
la disposición de PyTorch: puertas (i, f, g, o) en la LSTM y (r, z, n) en la GRU, cada una
de ancho H, una tras otra en el eje 1.
"""
import numpy as np
from numba import njit

from .special import exp_inplace_f64 as _exp_inplace

__all__ = ["exp_limit", "rnn_relu_out", "rnn_backward",
           "lstm_pre", "lstm_cell", "lstm_out", "lstm_step_f32", "lstm_backward",
           "gru_pre", "gru_mid", "gru_out", "gru_backward"]


def exp_limit(dtype) -> float:
    """Mayor argumento de ``exp`` que no desborda en ``dtype`` (con margen)."""
    return 80.0 if np.dtype(dtype) == np.float32 else 700.0


# ---- RNN (tanh o ReLU) ----------------------------------------------------------------------
@njit(cache=True)
def rnn_relu_out(gx, gh, out):
    """out = max(gx + gh, 0) (un NaN pasa)."""
    n, h = out.shape
    for b in range(n):
        for j in range(h):
            v = gx[b, j] + gh[b, j]
            out[b, j] = 0.0 if v < 0 else v


@njit(cache=True)
def rnn_backward(dh, h, relu, dpre):
    """dpre = dh·(1 − h²) (tanh) o dh·[h > 0] (ReLU)."""
    n, k = dh.shape
    for b in range(n):
        if relu:
            for j in range(k):
                dpre[b, j] = dh[b, j] if h[b, j] > 0 else 0.0
        else:
            for j in range(k):
                y = h[b, j]
                dpre[b, j] = dh[b, j] * (1.0 - y * y)


# ---- LSTM -------------------------------------------------------------------------------------
@njit(cache=True)
def lstm_pre(gx, gh, e, lim):
    """Argumentos de la exponencial de las puertas i, f, o (−x) y la preactivación x de g (su tanh)."""
    n, g4 = e.shape
    h = g4 // 4
    for b in range(n):
        for k in range(2 * h):
            v = -(gx[b, k] + gh[b, k])
            e[b, k] = lim if v > lim else v
        for k in range(2 * h, 3 * h):
            e[b, k] = gx[b, k] + gh[b, k]
        for k in range(3 * h, g4):
            v = -(gx[b, k] + gh[b, k])
            e[b, k] = lim if v > lim else v


@njit(cache=True, error_model="numpy", inline="always")
def _sigmoid_from(e):
    """σ(x) a partir de e = e^(−x)."""
    return 1.0 / (1.0 + e)


@njit(cache=True, error_model="numpy", inline="always")
def _cell(i, f, g, cp):
    """El estado nuevo c = f·c_{t−1} + i·g."""
    return f * cp + i * g


@njit(cache=True, error_model="numpy", inline="always")
def _gates(ei, ef, g, eo, cp):
    """La regla del paso, en un solo sitio (``lstm_cell``; ``lstm_step_f32`` usa las mismas dos piezas): las
    puertas i, f, o a partir de e^(−x) y el estado nuevo c = f·c_{t−1} + i·g. Devuelve (i, f, o, c)."""
    i = _sigmoid_from(ei)
    f = _sigmoid_from(ef)
    o = _sigmoid_from(eo)
    return i, f, o, _cell(i, f, g, cp)


@njit(cache=True)
def lstm_cell(e, c, act, cprev, cnew):
    """Puertas i, f, o a partir de las exponenciales ``e`` (g llega ya con su tanh); c ← f·c + i·g
    (in situ; el anterior va a ``cprev`` y el nuevo también a ``cnew``, donde se le aplicará tanh)."""
    n, g4 = e.shape
    h = g4 // 4
    for b in range(n):
        for j in range(h):
            g = e[b, 2 * h + j]
            cp = c[b, j]
            i, f, o, cn = _gates(e[b, j], e[b, h + j], g, e[b, 3 * h + j], cp)
            act[b, j] = i
            act[b, h + j] = f
            act[b, 2 * h + j] = g
            act[b, 3 * h + j] = o
            cprev[b, j] = cp
            c[b, j] = cn
            cnew[b, j] = cn


@njit(cache=True)
def lstm_out(tc, act, m):
    """m = o ⊙ tanh(c) (``tc`` llega con tanh(c))."""
    n, h = tc.shape
    for b in range(n):
        for j in range(h):
            m[b, j] = act[b, 3 * h + j] * tc[b, j]


# ---- LSTM float32 en una pasada: exp vectorizable propia --------------------------------------
# En float32 las cinco funciones trascendentes del paso (σ de i, f, o; tanh de g y de c) se calculan
# en float64 con ``special.exp_inplace_f64`` (LLVM la vectoriza; la exp escalar de numba sin SVML
# cuesta 15-25 ns). tanh(v) = (E − 1)/(E + 1) con E = e^(2|v|); si |v| < 0,1, donde E − 1
# cancelaría, la serie de Taylor hasta v⁹ (error relativo < 10⁻¹²). Redondeado a float32 el resultado
# queda a ≤ 1 ulp del exacto (np.exp/np.tanh en float32 llegaban a ~10 ulp en σ).
@njit(cache=True, error_model="numpy", inline="always")
def _tanh_from(v, e):
    """tanh(v) dada e = e^(2|v|) (recortado)."""
    a = abs(v)
    a2 = a * a
    small = a * (1.0 + a2 * (-1.0 / 3 + a2 * (2.0 / 15 + a2 * (-17.0 / 315 + a2 * (62.0 / 2835)))))
    t = small if a < 0.1 else (e - 1.0) / (e + 1.0)
    return -t if v < 0 else t


@njit(cache=True, error_model="numpy", nogil=True)  # sin la comprobación de /0, que impide vectorizar
def lstm_step_f32(gx, gh, c, act, cprev, tc, m, u, bits):
    """Un paso entero de la celda en float32 (lo que hacen ``lstm_pre`` + exp/tanh + ``lstm_cell`` +
    tanh + ``lstm_out``): puertas en ``act``, c in situ (el anterior a ``cprev``), tanh(c) en ``tc``,
    m = o ⊙ tanh(c) en ``m``. ``u`` (float64) y ``bits`` (int64), de tamaño ≥ 5H, son auxiliares:
    se trabaja fila a fila para que todo quede en la caché L1.

    Cada bucle lee o escribe pocos arrays: con muchos (el paso entero en un bucle por unidad), LLVM no
    vectorizaba (no puede descartar que se solapen) y la celda costaba 1,2× (mismos bits)."""
    n, g4 = gx.shape
    h = g4 // 4
    w = u[:g4]
    z = u[g4:g4 + h]  # la preactivación de g; luego 2|c|
    for b in range(n):
        gxb, ghb, ab, cb, cpb, tcb, mb = gx[b], gh[b], act[b], c[b], cprev[b], tc[b], m[b]
        for k in range(g4):  # −(gx + gh) de i, f, o
            a = -(np.float64(gxb[k]) + np.float64(ghb[k]))
            w[k] = min(max(a, -700.0), 700.0)
        for j in range(h):  # 2|gx + gh| de g
            v = np.float64(gxb[2 * h + j]) + np.float64(ghb[2 * h + j])
            z[j] = v
            w[2 * h + j] = min(2.0 * abs(v), 700.0)
        _exp_inplace(w, bits[:g4])
        for k in range(2 * h):
            w[k] = _sigmoid_from(w[k])
        for k in range(3 * h, g4):
            w[k] = _sigmoid_from(w[k])
        for j in range(h):
            w[2 * h + j] = _tanh_from(z[j], w[2 * h + j])
        for k in range(g4):
            ab[k] = w[k]
        for j in range(h):
            cpb[j] = cb[j]
        for j in range(h):
            cb[j] = np.float32(_cell(w[j], w[h + j], w[2 * h + j], np.float64(cpb[j])))
        for j in range(h):
            a = 2.0 * abs(np.float64(cb[j]))
            z[j] = 700.0 if a > 700.0 else a
        _exp_inplace(z, bits[:h])
        for j in range(h):
            tcb[j] = np.float32(_tanh_from(np.float64(cb[j]), z[j]))
        for j in range(h):
            mb[j] = ab[3 * h + j] * tcb[j]


@njit(cache=True, nogil=True)  # nogil: ``ops/rnn_parallel.py`` la llama desde varios hilos
def lstm_backward(dm, act, cprev, tc, dc, dg):
    """Un paso hacia atrás de la celda. Entra ∂L/∂m (m = o ⊙ tanh c) y ∂L/∂c del paso siguiente
    (``dc``, in situ: sale ∂L/∂c_{t−1}); sale ∂L/∂(preactivación) de las cuatro puertas en ``dg``:

        ∂c = dc + dm·o·(1 − tanh²c)
        di = ∂c·g·i(1 − i)    df = ∂c·c_{t−1}·f(1 − f)    dg = ∂c·i·(1 − g²)    do = dm·tanh c·o(1 − o)
        ∂c_{t−1} = ∂c·f
    """
    n, h = dm.shape
    for b in range(n):
        for j in range(h):
            i = act[b, j]
            f = act[b, h + j]
            g = act[b, 2 * h + j]
            o = act[b, 3 * h + j]
            t = tc[b, j]
            d = dm[b, j]
            dcn = dc[b, j] + d * o * (1.0 - t * t)
            dg[b, j] = dcn * g * i * (1.0 - i)
            dg[b, h + j] = dcn * cprev[b, j] * f * (1.0 - f)
            dg[b, 2 * h + j] = dcn * i * (1.0 - g * g)
            dg[b, 3 * h + j] = d * t * o * (1.0 - o)
            dc[b, j] = dcn * f


# ---- GRU --------------------------------------------------------------------------------------
@njit(cache=True)
def gru_pre(gx, gh, e, lim):
    """Argumentos de la exponencial de r y z: −(gx + gh) en las columnas [0, 2H)."""
    n = e.shape[0]
    h2 = e.shape[1]
    for b in range(n):
        for k in range(h2):
            v = -(gx[b, k] + gh[b, k])
            e[b, k] = lim if v > lim else v


@njit(cache=True)
def gru_mid(e, gx, gh, act, ghn, narg):
    """r, z a partir de ``e``; guarda ``gh_n`` = W_hn·h + b_hn y la preactivación de la puerta
    nueva: gx_n + r ⊙ gh_n (en ``narg``, donde se le aplicará tanh)."""
    n, h = narg.shape
    for b in range(n):
        for j in range(h):
            r = 1.0 / (1.0 + e[b, j])
            z = 1.0 / (1.0 + e[b, h + j])
            act[b, j] = r
            act[b, h + j] = z
            q = gh[b, 2 * h + j]
            ghn[b, j] = q
            narg[b, j] = gx[b, 2 * h + j] + r * q


@njit(cache=True)
def gru_out(narg, act, hprev, hout):
    """n (llega con su tanh en ``narg``) y h' = (1 − z) ⊙ n + z ⊙ h."""
    nrow, h = narg.shape
    for b in range(nrow):
        for j in range(h):
            nn = narg[b, j]
            act[b, 2 * h + j] = nn
            z = act[b, h + j]
            hout[b, j] = (1.0 - z) * nn + z * hprev[b, j]


@njit(cache=True)
def gru_backward(dh, act, ghn, hprev, dgx, dgh, dhprev):
    """Un paso hacia atrás de la GRU. Entra ∂L/∂h'; salen ∂L/∂gx (la parte de la entrada),
    ∂L/∂gh (la parte de h) y la vía directa ∂L/∂h = ∂h'·z (la de W_hh la suma la GEMM):

        dn = ∂h'(1 − z)(1 − n²)    dz = ∂h'(h − n)·z(1 − z)    dr = dn·gh_n·r(1 − r)
        dgx = (dr, dz, dn)    dgh = (dr, dz, dn ⊙ r)
    """
    nrow, h = dh.shape
    for b in range(nrow):
        for j in range(h):
            r = act[b, j]
            z = act[b, h + j]
            nn = act[b, 2 * h + j]
            d = dh[b, j]
            dnp = d * (1.0 - z) * (1.0 - nn * nn)
            dzp = d * (hprev[b, j] - nn) * z * (1.0 - z)
            drp = dnp * ghn[b, j] * r * (1.0 - r)
            dgx[b, j] = drp
            dgx[b, h + j] = dzp
            dgx[b, 2 * h + j] = dnp
            dgh[b, j] = drp
            dgh[b, h + j] = dzp
            dgh[b, 2 * h + j] = dnp * r
            dhprev[b, j] = d * z
