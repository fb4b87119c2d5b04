"""Funciones especiales que numpy no trae: ``erf`` y ``erfc`` (un bucle de numba sobre ``math.erf``,
compilado una vez y guardado en caché)."""
import math

import numpy as np
from numba import njit

__all__ = ["erf", "erfc"]


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
