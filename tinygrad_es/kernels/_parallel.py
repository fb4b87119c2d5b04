"""Llamadas seguras a los núcleos paralelos de numba: desde varios hilos de Python y tras
un ``fork``.

* Hilos: la capa ``workqueue`` de numba no admite dos regiones paralelas a la vez (si
  dos hilos de Python entran en un ``prange`` al mismo tiempo, numba aborta el proceso:
  "Concurrent access has been detected"). ``parallel_kernel`` toma entonces un cerrojo
  del módulo; con ``omp`` o ``tbb`` (seguras) no se toma ninguno. Coste medido con un
  solo hilo: no se distingue del ruido (≤ 1 µs frente a los 10-40 µs de lanzar una
  región paralela).
* ``fork``: GNU OpenMP no sobrevive a un ``fork`` si el padre ya lanzó regiones
  paralelas (el hijo muere con "fork() called from a process already using GNU
  OpenMP"). Los workers del DataLoader se crean así; en ese hijo los núcleos usan una
  versión compilada sin hilos (``prange`` como ``range``), compilada la primera vez que
  hace falta y sin caché en disco (misma firma que la paralela).
"""
import os
import threading

import numba

_LOCK = threading.RLock()
_SAFE_LAYERS = ("tbb", "omp")
_needs_lock = None  # se decide tras la primera región paralela (antes numba no sabe qué capa usará)
_state = {"launched_in": None, "serial": False}


def _layer():
    try:
        return numba.threading_layer()
    except ValueError:  # aún sin inicializar
        return None


def _after_fork_in_child():
    # sólo hace falta si el padre ya inicializó OpenMP
    if _state["launched_in"] is not None and _layer() == "omp":
        _state["serial"] = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class parallel_kernel:
    """Envoltorio de un despachador ``@njit(parallel=True)``: misma llamada, ``py_func``
    y firmas accesibles; cerrojo si la capa de hilos no es segura y versión sin hilos en
    un hijo de ``fork`` con OpenMP."""

    __slots__ = ("kernel", "py_func", "__name__", "__wrapped__", "_serial", "__dict__")

    def __init__(self, kernel):
        self.kernel = kernel
        self.py_func = getattr(kernel, "py_func", kernel)  # con NUMBA_DISABLE_JIT=1 es la propia función
        self.__name__ = kernel.__name__
        self.__doc__ = kernel.__doc__
        self.__wrapped__ = kernel
        self._serial = None

    def __call__(self, *args):
        global _needs_lock
        if _state["serial"]:
            return self._serial_kernel()(*args)
        if _needs_lock is False:
            return self.kernel(*args)
        with _LOCK:
            out = self.kernel(*args)
            if _needs_lock is None:
                _state["launched_in"] = os.getpid()
                _needs_lock = _layer() not in _SAFE_LAYERS
            return out

    def _serial_kernel(self):
        if self._serial is None:
            self._serial = numba.njit(self.py_func) if self.py_func is not self.kernel else self.kernel
        return self._serial

    @property
    def signatures(self):
        return getattr(self.kernel, "signatures", [])

    def __repr__(self):
        return f"parallel_kernel({self.__name__})"


def uses_lock() -> bool:
    """``True`` si las llamadas a los núcleos paralelos se serializan con el cerrojo."""
    return _needs_lock is not False
