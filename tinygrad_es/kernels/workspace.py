"""Reserva de buffers reutilizables por (forma, dtype).

Reservar un array grande nuevo en cada paso obliga al sistema a tocar sus
páginas por primera vez (~1 µs por página de 4 KiB): en una convolución de
MNIST eso es más caro que la propia GEMM. ``get`` devuelve un buffer libre (con
contenido arbitrario) y ``put`` lo devuelve; nunca se entrega el mismo buffer a
dos usuarios a la vez.
"""
import functools
import threading

import numpy as np


class Workspace:
    def __init__(self, per_key: int = 4, max_bytes: int = 512 * 2**20):
        self._free = {}
        self._lock = threading.Lock()
        self.per_key = per_key
        self.max_bytes = max_bytes
        self._bytes = 0

    def get(self, shape, dtype) -> np.ndarray:
        key = (tuple(shape), np.dtype(dtype).str)
        with self._lock:
            lst = self._free.get(key)
            if lst:
                a = lst.pop()
                self._bytes -= a.nbytes
                return a
        return np.empty(shape, dtype=dtype)

    def put(self, a: np.ndarray) -> None:
        if a is None or not a.flags.c_contiguous or a.base is not None:
            return
        key = (a.shape, a.dtype.str)
        with self._lock:
            lst = self._free.setdefault(key, [])
            if len(lst) < self.per_key and self._bytes + a.nbytes <= self.max_bytes:
                lst.append(a)
                self._bytes += a.nbytes

    def get_rows(self, shape, dtype, streams: int = 16, group: int = 1) -> np.ndarray:
        """Como ``get`` pero con el último eje rellenado (vista ``[..., :L]``) para que
        ``streams`` filas separadas por ``group`` filas (las que un núcleo recorre a la vez) no
        caigan en el mismo conjunto de la caché L1. Sin esto, con filas de un múltiplo de 4 KiB (p. ej. 64 filas de
        2 304 float32 en Winograd) los núcleos que escriben 16 filas a la vez iban 3-4×
        más lentos (medido). Se devuelve con ``put_rows``."""
        shape = tuple(shape)
        # siempre al menos un elemento de relleno: la vista nunca es contigua, así numba
        # compila una sola versión de cada núcleo (no una para 'C' y otra para 'A')
        lp = nonaliasing_len(shape[-1] + 1, np.dtype(dtype).itemsize, streams, group)
        return self.get(shape[:-1] + (lp,), dtype)[..., :shape[-1]]

    def put_rows(self, view) -> None:
        if view is not None:
            self.put(view.base if view.base is not None else view)

    def clear(self) -> None:
        with self._lock:
            self._free.clear()
            self._bytes = 0


@functools.lru_cache(maxsize=1024)  # la búsqueda cuesta ~2 ms con 36 filas (Winograd F(4×4)) y se repite en cada paso
def nonaliasing_len(n: int, itemsize: int, streams: int = 16, group: int = 1, sets: int = 64,
                    line: int = 64) -> int:
    """Menor ``m ≥ n`` que reparte mejor entre los conjuntos de la caché (``sets`` de
    ``line`` bytes: la L1 de 32 KiB de 8 vías de casi todas las x86) el comienzo de
    ``streams`` filas de ``m`` elementos separadas por ``group`` filas."""
    best, best_m = streams + 1, n
    for m in range(n, n + 4 * line):
        counts = {}
        for k in range(streams):
            s = (k * group * m * itemsize // line) % sets
            counts[s] = counts.get(s, 0) + 1
        worst = max(counts.values())
        if worst < best:
            best, best_m = worst, m
            if worst == 1:
                break
    return best_m


workspace = Workspace()
