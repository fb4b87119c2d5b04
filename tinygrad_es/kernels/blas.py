"""Espera activa de los hilos de OpenBLAS (el de numpy).

Tras cada GEMM, los hilos de OpenBLAS siguen girando 2²⁸ ciclos (~100 ms a 2,6 GHz)
antes de dormirse, por si llega otra GEMM. Ese giro le quita uno de los dos núcleos a
los núcleos numba que vienen justo después (medido: 26 ms de CPU quemados en 50 ms de
reposo tras una sola GEMM). PyTorch deja girar sus hilos ~9 ms.

OpenBLAS sólo lee ``OPENBLAS_THREAD_TIMEOUT`` al arrancar (al importar numpy, que casi
siempre ocurre antes que ``import tinygrad_es``). ``set_spin_timeout`` la vuelve a leer
(``openblas_read_env``) y reinicia el grupo de hilos (``blas_thread_shutdown_``, lo
mismo que hace OpenBLAS en un ``fork``); los hilos se vuelven a crear en la siguiente
GEMM con la espera nueva. Si numpy no usa OpenBLAS o esos símbolos no existen, no hace
nada. ``TINYGRAD_ES_BLAS_SPIN=no`` deja OpenBLAS como esté.
"""
import ctypes
import glob
import os

import numpy as np

DEFAULT_LOG2_CYCLES = 18  # ~0,1 ms: medido con el paso de la CNN, mejor que 2^22 (1,5 ms) y 2^24 (6 ms)
_lib = None
_state = {"applied": None}


def _openblas():
    global _lib
    if _lib is None:
        libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*.so*"))
        libs += glob.glob(os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
        _lib = False
        for path in libs:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            if all(hasattr(lib, s) for s in ("openblas_read_env", "blas_thread_shutdown_", "openblas_thread_timeout")):
                lib.openblas_thread_timeout.restype = ctypes.c_int
                _lib = lib
                break
    return _lib or None


def spin_timeout():
    """Exponente (log2 de ciclos) de la espera activa configurada, o ``None`` si no se sabe
    (0 = la de OpenBLAS por defecto, 2²⁸)."""
    lib = _openblas()
    return None if lib is None else lib.openblas_thread_timeout()


def set_spin_timeout(log2_cycles: int = DEFAULT_LOG2_CYCLES) -> bool:
    """Los hilos de OpenBLAS girarán como mucho 2^``log2_cycles`` ciclos (4–30) tras cada
    operación antes de dormirse. Devuelve si se pudo aplicar."""
    lib = _openblas()
    if lib is None:
        return False
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = str(int(log2_cycles))
    lib.openblas_read_env()
    lib.blas_thread_shutdown_()  # se recrean en la siguiente llamada con la espera nueva
    _state["applied"] = int(log2_cycles)
    return True


def apply_default() -> bool:
    """Lo que hace ``import tinygrad_es.kernels`` (salvo ``TINYGRAD_ES_BLAS_SPIN=no``)."""
    env = os.environ.get("TINYGRAD_ES_BLAS_SPIN", "").strip().lower()
    if env in ("no", "0", "off", "false"):
        return False
    if "OPENBLAS_THREAD_TIMEOUT" in os.environ and _state["applied"] is None:
        return False  # el usuario ya eligió
    return set_spin_timeout(int(env) if env.isdigit() else DEFAULT_LOG2_CYCLES)
