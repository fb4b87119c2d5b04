"""Funciones especiales que numpy no trae: ``erf`` y ``erfc`` (un bucle de numba sobre ``math.erf``,
compilado una vez y guardado en caché), la GELU float32 y una exponencial float64 que LLVM vectoriza
dentro de los núcleos (la celda LSTM)."""
import math

import numba
import numpy as np
from numba import njit

from . import _parallel

__all__ = ["erf", "erfc", "gelu_f32", "gelu_slope_f32", "exp_inplace_f64"]


@njit(cache=True)
def _erf_loop(a, out, complement):
    for i in range(a.size):
        out[i] = math.erfc(a[i]) if complement else math.erf(a[i])
    return out


def _erf_any(a, complement):
    if a.dtype == np.float16:
        return _erf_any(a.astype(np.float32), complement).astype(np.float16)
    flat = np.ascontiguousarray(a).reshape(-1)
    return _erf_loop(flat, np.empty_like(flat), complement).reshape(a.shape)


def erf(a: np.ndarray) -> np.ndarray:
    return _erf_any(np.asarray(a), False)


def erfc(a: np.ndarray) -> np.ndarray:
    return _erf_any(np.asarray(a), True)


# --- La normal acumulada Φ(x) = ½·erfc(−x/√2) en float32, para GELU -------------------------------
# ``math.erf`` es una llamada escalar de libm por elemento (~10 ns): en la GELU del MiniGPT (1 M de
# elementos por capa) era la mitad del paso. Aquí erfc(z) = t·exp(a(t)) − la aproximación de Chebyshev
# de Numerical Recipes (``erfcc``, error RELATIVO < 1,2·10⁻⁷ en todo z ≥ 0) −: el polinomio en float64
# se vectoriza, y la exponencial la hace numpy (SIMD) sobre el array. Φ(x) sale con error relativo
# ~1 ulp de float32 también en la cola negativa (donde 1 + erf(x/√2) cancela); PyTorch usa una
# aproximación de error ABSOLUTO 1,5·10⁻⁷ (Abramowitz-Stegun 7.1.26), que allí pierde todos los dígitos.

@njit(cache=True, error_model="numpy", nogil=True)
def _ndtr_args(x, t, a, b, with_b):
    for i in range(x.size):
        v = np.float64(x[i])
        z = abs(v) * 0.7071067811865476
        s = 2.0 / (2.0 + z)
        t[i] = s
        a[i] = -z * z - 1.26551223 + s * (1.00002368 + s * (0.37409196 + s * (0.09678418 + s * (
            -0.18628806 + s * (0.27886807 + s * (-1.13520398 + s * (1.48851587 + s * (
                -0.82215223 + s * 0.17087277))))))))
        if with_b:
            b[i] = -0.5 * v * v


@njit(cache=True, error_model="numpy", nogil=True)
def _gelu_out(x, t, ea, out):
    for i in range(x.size):
        v = np.float64(x[i])
        h = 0.5 * np.float64(t[i]) * np.float64(ea[i])  # ½·erfc(|x|/√2)
        out[i] = v * (h if v < 0 else 1.0 - h)


@njit(cache=True, error_model="numpy", nogil=True)
def _gelu_slope(x, t, ea, eb, out):
    for i in range(x.size):
        v = np.float64(x[i])
        h = 0.5 * np.float64(t[i]) * np.float64(ea[i])
        out[i] = (h if v < 0 else 1.0 - h) + v * 0.3989422804014327 * np.float64(eb[i])


_CHUNK = 1 << 14  # por tramos: los temporales (3 × 64 KiB) se quedan en la caché y no se reservan páginas


def _gelu_range(flat, out, slope, first, stop):
    """Los tramos ``[first, stop)`` (en elementos) de ``flat``, con sus propios temporales."""
    m = min(stop - first, _CHUNK)
    t, a, b = np.empty(m, flat.dtype), np.empty(m, flat.dtype), np.empty(m, flat.dtype)
    for s in range(first, stop, _CHUNK):
        xs = flat[s:min(s + _CHUNK, stop)]
        k = xs.size
        tk, ak, bk = t[:k], a[:k], b[:k]
        _ndtr_args(xs, tk, ak, bk, slope)
        np.exp(ak, out=ak)
        if slope:
            np.exp(bk, out=bk)
            _gelu_slope(xs, tk, ak, bk, out[s:s + k])
        else:
            _gelu_out(xs, tk, ak, out[s:s + k])


def _gelu_parts(x, slope):
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    n = flat.size
    nk = min(numba.get_num_threads(), n // (4 * _CHUNK)) if n >= 8 * _CHUNK else 1
    if nk <= 1:
        _gelu_range(flat, out, slope, 0, n)
    else:  # varios hilos, cada uno sus tramos (numba sin GIL, np.exp suelta el GIL): el mismo resultado
        per = -(-n // (nk * _CHUNK)) * _CHUNK
        _parallel._POOL.run(lambda k, _nk: _gelu_range(flat, out, slope, k * per, min(n, (k + 1) * per)), (), nk)
    return out.reshape(x.shape)


def gelu_f32(x: np.ndarray) -> np.ndarray:
    """x·Φ(x) de un array float32 (GELU exacta, no la de tanh)."""
    return _gelu_parts(x, False)


def gelu_slope_f32(x: np.ndarray) -> np.ndarray:
    """Φ(x) + x·φ(x), la derivada de x·Φ(x), de un array float32."""
    return _gelu_parts(x, True)


# --- e^x vectorizable dentro de numba -------------------------------------------------------------
# numba sin SVML llama a la exp escalar de libm (15-25 ns por elemento). Aquí e^x = 2^k·e^r con
# k = ⌊x·log₂e⌉, r = x − k·ln2 (ln2 partido en dos, Cody-Waite), e^r por Taylor de grado 10
# (|r| ≤ ln2/2: error relativo < 10⁻¹²) y 2^k escrito en los bits del exponente (un int64 visto como
# float64). Redondeado a float32 es el valor correcto (≤ ½ ulp salvo empates): más exacto que np.exp
# en float32.
_LN2_HI = 0.6931471803691238
_LN2_LO = 1.9082149292705877e-10
_LOG2E = 1.4426950408889634
_ROUND = 6755399441055744.0  # 1,5·2⁵²
_ROUND_BITS = 0x4338000000000000  # sus bits: los de k quedan sumados a estos


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def exp_inplace_f64(u, bits):
    """u ← e^u en float64 (u ya recortado a [−700, 700]; un NaN sigue NaN). k se redondea sumando
    1,5·2⁵² (queda en los bits bajos de la mantisa): sin conversiones float→int, que AVX2 no vectoriza."""
    s = bits.view(np.float64)
    for i in range(u.size):
        x = u[i]
        t = x * _LOG2E + _ROUND
        k = t - _ROUND
        r = (x - k * _LN2_HI) - k * _LN2_LO
        u[i] = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (
            1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r / 3628800.0)))))))))
        s[i] = t
    for i in range(u.size):
        bits[i] = (bits[i] - _ROUND_BITS + 1023) << 52
    for i in range(u.size):
        u[i] *= s[i]


