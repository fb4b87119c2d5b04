"""La capa lineal sobre muchas filas (una secuencia aplanada): ∂L/∂b = Σ_filas G en float64.

``g.sum(axis=0, dtype=np.float64)`` de numpy convierte cada trozo de G a float64 en un búfer y luego
suma: con las 2 048 filas del MiniGPT, 0,10-0,41 ms por lineal frente a 0,04-0,16 de PyTorch (que suma
en float32). Aquí una pasada que convierte y suma a la vez, fila tras fila y en el mismo orden que numpy
(cada columna acumula sus filas de arriba abajo): los mismos bits.
"""
import numpy as np
from numba import njit

__all__ = ["sum_rows_f64"]


@njit(cache=True, error_model="numpy")
def _sum_rows(g, acc):
    n, d = g.shape
    for i in range(n):
        for j in range(np.uint64(d)):
            acc[j] += np.float64(g[i, j])


def sum_rows_f64(g):
    """``g`` (N, D) C-contigua → Σ de sus filas (D,) sumada en float64 y devuelta en el dtype de ``g``;
    los mismos bits que ``g.sum(axis=0, dtype=np.float64).astype(g.dtype)``."""
    acc = np.zeros(g.shape[1], np.float64)
    _sum_rows(g, acc)
    return acc.astype(g.dtype)
