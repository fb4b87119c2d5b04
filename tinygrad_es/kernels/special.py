"""Funciones especiales que numpy no trae: ``erf`` y ``erfc`` (un bucle de numba sobre ``math.erf``,
compilado una vez y guardado en caché)."""
import math

import numpy as np
from numba import njit

__all__ = ["erf", "erfc", "gelu_f32", "gelu_slope_f32"]


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

@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def _gelu_out(x, t, ea, out):
    for i in range(x.size):
        v = np.float64(x[i])
        h = 0.5 * np.float64(t[i]) * np.float64(ea[i])  # ½·erfc(|x|/√2)
        out[i] = v * (h if v < 0 else 1.0 - h)


@njit(cache=True, error_model="numpy")
def _gelu_slope(x, t, ea, eb, out):
    for i in range(x.size):
        v = np.float64(x[i])
        h = 0.5 * np.float64(t[i]) * np.float64(ea[i])
        out[i] = (h if v < 0 else 1.0 - h) + v * 0.3989422804014327 * np.float64(eb[i])


_CHUNK = 1 << 14  # por tramos: los temporales (3 × 64 KiB) se quedan en la caché y no se reservan páginas


def _gelu_parts(x, slope):
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    m = min(flat.size, _CHUNK)
    t, a, b = np.empty(m, flat.dtype), np.empty(m, flat.dtype), np.empty(m, flat.dtype)
    for s in range(0, flat.size, _CHUNK):
        xs = flat[s:s + _CHUNK]
        k = xs.size
        tk, ak, bk = t[:k], a[:k], b[:k]
        _ndtr_args(xs, tk, ak, bk, slope)
        np.exp(ak, out=ak)
        if slope:
            np.exp(bk, out=bk)
            _gelu_slope(xs, tk, ak, bk, out[s:s + k])
        else:
            _gelu_out(xs, tk, ak, out[s:s + k])
    return out.reshape(x.shape)


def gelu_f32(x: np.ndarray) -> np.ndarray:
    """x·Φ(x) de un array float32 (GELU exacta, no la de tanh)."""
    return _gelu_parts(x, False)


def gelu_slope_f32(x: np.ndarray) -> np.ndarray:
    """Φ(x) + x·φ(x), la derivada de x·Φ(x), de un array float32."""
    return _gelu_parts(x, True)
