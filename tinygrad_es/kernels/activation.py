"""tanh en float32 en una pasada vectorizada (y repartida entre los hilos) y su backward fusionado.

``np.tanh`` de float32 llama a ``tanhf`` de glibc elemento a elemento (sin SIMD, un hilo) y se
equivoca en 1 ulp en ~20 % de los valores; PyTorch (SLEEF) en ~0,05 %. Aquí, en float64 y con
vectores de 4:

    tanh|x| = −m / (2 + m),   m = expm1(−2|x|)

con ``expm1(z)`` de ``z/32`` por su serie de Taylor hasta z¹² (Estrin: 4 niveles de FMA en vez
de 12) y cinco duplicaciones ``expm1(2u) = m·(m + 2)`` (sin restas que cancelen: el error relativo
queda ~10⁻¹¹ también cerca de 0). Con |x| > 9,5 el float32 ya es ±1 (se recorta a 9,5: la serie
sólo vale con |z| ≤ 0,6). Redondeado a float32 da el tanh correctamente redondeado (0 ulp en 12 M
valores de 10⁻⁶ a 10, medido frente a ``np.tanh`` en float64); conserva −0, ±inf → ±1 y NaN.
Medido (un hilo, 301 056 float32, tiempo de CPU): 0,56 ms frente a 0,79 de ``np.tanh`` y 1,0 de
``torch.tanh``.

El backward ``g·(1 − y²)`` en una pasada, con las mismas operaciones en float32 que numpy y que
``tanh_backward`` de PyTorch (mismo resultado bit a bit que ``g * (1 - y * y)``): 0,07 ms frente a
0,14 ms de numpy (tres pasadas y dos temporales). float64 y arrays pequeños siguen con numpy.
"""
import math

import numpy as np
from numba import njit, prange

from ._parallel import parallel_kernel

MIN_KERNEL = 1 << 10  # por debajo, numpy (la llamada al núcleo cuesta más de lo que ahorra)
_BLOCK = 1 << 14
_C = [1.0 / math.factorial(k + 1) for k in range(12)]  # expm1(z) = z·Σ_k z^k / (k + 1)!
_C0, _C1, _C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11 = _C


@njit(cache=True, inline="always", fastmath={"contract"}, error_model="numpy")
def _tanh1(x):
    v = abs(np.float64(x))
    if v > 9.5:  # NaN no entra y sigue NaN
        v = 9.5
    z = v * (-2.0 / 32.0)
    z2 = z * z
    z4 = z2 * z2
    z8 = z4 * z4
    p = (((_C0 + _C1 * z) + z2 * (_C2 + _C3 * z)) + z4 * ((_C4 + _C5 * z) + z2 * (_C6 + _C7 * z))
         + z8 * ((_C8 + _C9 * z) + z2 * (_C10 + _C11 * z)))
    m = z * p
    m = m * (m + 2.0)
    m = m * (m + 2.0)
    m = m * (m + 2.0)
    m = m * (m + 2.0)
    m = m * (m + 2.0)
    return math.copysign(-m / (2.0 + m), x)


# índices sin signo: con signo, numba comprueba en cada acceso si el índice es negativo y no vectoriza
@parallel_kernel
@njit(parallel=True, cache=True, fastmath={"contract"}, error_model="numpy")
def _tanh(a, out):
    n = a.size
    for blk in prange((n + _BLOCK - 1) // _BLOCK):
        lo = np.uint64(blk * _BLOCK)
        for i in range(lo, np.uint64(min(n, (blk + 1) * _BLOCK))):
            out[i] = _tanh1(a[i])


@parallel_kernel
@njit(parallel=True, cache=True, error_model="numpy")
def _tanh_backward(g, y, one, dx):
    n = g.size
    for blk in prange((n + _BLOCK - 1) // _BLOCK):
        lo = np.uint64(blk * _BLOCK)
        for i in range(lo, np.uint64(min(n, (blk + 1) * _BLOCK))):
            v = y[i]
            dx[i] = g[i] * (one - v * v)


def _fits(*arrays):
    a = arrays[0]
    return (a.dtype == np.float32 and a.size >= MIN_KERNEL
            and all(b.shape == a.shape and b.dtype == a.dtype and b.flags.c_contiguous for b in arrays))


def tanh(a):
    """``tanh(a)``: en float32 correctamente redondeado (véase arriba); en float64, ``np.tanh``."""
    if not _fits(a):
        return np.tanh(a)
    out = np.empty_like(a)
    _tanh(a.reshape(-1), out.reshape(-1))
    return out


def tanh_backward(g, y):
    """``g·(1 − y²)`` con ``y = tanh(a)`` (la derivada de tanh), en una pasada."""
    if not (isinstance(g, np.ndarray) and isinstance(y, np.ndarray) and _fits(g, y)):
        return g * (1 - y * y)
    dx = np.empty_like(g)
    _tanh_backward(g.reshape(-1), y.reshape(-1), np.float32(1), dx.reshape(-1))
    return dx
