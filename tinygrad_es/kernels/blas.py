"""Hilos de OpenBLAS (el de numpy): espera activa y GEMM de un hilo.

Tras cada GEMM, los hilos de OpenBLAS siguen girando 2²⁸ ciclos (~100 ms a 2,6 GHz)
antes de dormirse, por si llega otra GEMM. Ese giro le quita uno de los dos núcleos a
los núcleos numba que vienen justo después (medido: 26-48 ms de CPU quemados en 50 ms
de reposo tras una sola GEMM; con 2¹⁸ ciclos, ~2 ms). PyTorch deja girar sus hilos
~9 ms. Medido con el paso de la CNN del curso (sólo el nuestro): 33-39 ms con 2²⁸ y
19-23 ms con 2¹⁸-2²² (las GEMM de las capas lineales van justo antes de los núcleos
del backward de las convoluciones); el MLP, todo GEMM seguidas, prefiere esperas más
largas. Al importar los núcleos se pone 2²⁰ (~0,4 ms). Con 2²⁸ los hilos que giran
frenan también a PyTorch en el benchmark intercalado (51 ms en vez de 18 ms por paso).

OpenBLAS sólo lee ``OPENBLAS_THREAD_TIMEOUT`` al arrancar (al importar numpy, que casi
siempre ocurre antes que ``import tinygrad_es``). ``set_spin_timeout`` la vuelve a leer
(``openblas_read_env``) y reinicia el grupo de hilos (``blas_thread_shutdown_``, lo
mismo que hace OpenBLAS en un ``fork``); los hilos se vuelven a crear en la siguiente
GEMM con la espera nueva. Si numpy no usa OpenBLAS o esos símbolos no existen, no hace
nada. ``TINYGRAD_ES_BLAS_SPIN=no`` deja OpenBLAS como esté.

``single_thread()`` pone OpenBLAS a un hilo mientras dura (lo usa ``gemm.py``, que
reparte él mismo las GEMM de los núcleos entre hilos de Python).
"""
import contextlib
import threading
import ctypes
import glob
import os

import numpy as np

DEFAULT_LOG2_CYCLES = 20  # ~0,4 ms: compromiso medido entre la CNN (mejor cuanto más corta) y el MLP (GEMM seguidas)
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
                _find_thread_functions(lib)
                break
    return _lib or None


_threads_fn = {}


def _find_thread_functions(lib):
    # nombres según la compilación: scipy-openblas con enteros de 64 bits o OpenBLAS normal
    for get, set_, arg in (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_", ctypes.c_int64),
                           ("openblas_get_num_threads", "openblas_set_num_threads", ctypes.c_int)):
        if hasattr(lib, get) and hasattr(lib, set_):
            getattr(lib, get).restype = ctypes.c_int
            getattr(lib, set_).argtypes = [arg]
            _threads_fn.update(get=getattr(lib, get), set=getattr(lib, set_))
            return


_st_lock = threading.Lock()
_st = {"depth": 0, "saved": None}


def can_single_thread() -> bool:
    """Si se puede poner OpenBLAS a un hilo (si no, ``single_thread`` no hace nada)."""
    _openblas()
    return bool(_threads_fn)


class _SingleThread:
    """El gestor de contexto de ``single_thread`` (una clase y no un generador: cada GEMM pequeña lo
    cruza, y un ``contextlib.contextmanager`` costaba ~9 µs por entrada y salida, medido)."""

    __slots__ = ()

    def __enter__(self):
        if not _threads_fn:
            return
        with _st_lock:
            if _st["depth"] == 0:
                _st["saved"] = saved = _threads_fn["get"]()
                if saved != 1:
                    _threads_fn["set"](1)
            _st["depth"] += 1

    def __exit__(self, *exc):
        if not _threads_fn:
            return
        with _st_lock:
            _st["depth"] -= 1
            if _st["depth"] == 0 and _st["saved"] not in (None, 1):
                _threads_fn["set"](_st["saved"])


_SINGLE = _SingleThread()


def one_thread() -> bool:
    """¿OpenBLAS trabaja con un hilo por elección del usuario (``torch.set_num_threads(1)``,
    ``OMP_NUM_THREADS=1``) y no por un ``single_thread`` de otro hilo, que podría devolverle los suyos
    en mitad de la GEMM? Entonces ``single_thread`` no cambiaría nada (~1,4 µs menos por GEMM). El
    número de hilos de OpenBLAS cambia los bits de la SGEMM (su reparto), así que importa. ``False``
    si no se sabe."""
    get = _threads_fn.get("get")
    return get is not None and _st["depth"] == 0 and get() == 1


def single_thread():
    """OpenBLAS a un hilo mientras dura (anidable y desde varios hilos: el primero que
    entra lo fija y el último que sale restaura el número de hilos anterior)."""
    _openblas()
    return _SINGLE


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


def sgemm_address() -> int:
    """Dirección de la ``cblas_sgemm`` de la OpenBLAS de numpy con enteros de 64 bits
    (``scipy_cblas_sgemm64_``, la de las ruedas de numpy), para llamarla desde un núcleo ``nogil``
    (``kernels/rnn_blocks.py``) sin volver a Python; 0 si no está."""
    lib = _openblas()
    fn = getattr(lib, "scipy_cblas_sgemm64_", None) if lib else None
    return ctypes.cast(fn, ctypes.c_void_p).value or 0 if fn is not None else 0


def yield_address() -> int:
    """Dirección de ``sched_yield`` de la libc (ceder la CPU en una espera activa larga); 0 si no hay."""
    try:
        fn = ctypes.CDLL(None).sched_yield
    except (OSError, AttributeError, TypeError):
        return 0
    return ctypes.cast(fn, ctypes.c_void_p).value or 0


# --- la GEMM por piezas de OpenBLAS: empaquetar una vez, multiplicar muchas -------------------------
# Una SGEMM empaqueta sus dos operandos en cada llamada. En la recurrencia de la LSTM el mismo W_hh se
# multiplica 64 veces por un h distinto (32 × 256 · 256 × 512 por bloque): empaquetar W cuesta ~33 µs de
# ~122 (medido). OpenBLAS (compilado con DYNAMIC_ARCH, el de las ruedas de numpy) exporta sus piezas por
# núcleo de CPU: la copia que empaqueta A (``sgemm_incopy``/``itcopy``), la de B (``sgemm_oncopy``) y el
# micronúcleo (``sgemm_kernel``: C += α·A·B con A y B empaquetados, columnas mayores). Con ellas W se
# empaqueta una vez por secuencia (``kernels/rnn_blocks.py``). Sólo con el núcleo Haswell (el que OpenBLAS
# elige también en Zen), y sólo si una comprobación con números pequeños da el producto bien.
_PACKED_CORES = {"haswell": "HASWELL"}
PACKED_MAX_K = 256  # el micronúcleo copia K×6 de B en un búfer de pila de 12 KB: K ≤ 512; el driver usa ≤ 384
_packed = {}


def _packed_check(f) -> bool:
    """C = A·Bᵀ y C = A·B (las dos formas de ``rnn_blocks``) con las piezas ``f`` frente a numpy en float64."""
    L, P = ctypes.c_int64, ctypes.c_void_p
    for n in ("incopy", "itcopy", "oncopy"):
        f[n].argtypes, f[n].restype = [L, L, P, L, P], ctypes.c_int
    f["kernel"].argtypes, f["kernel"].restype = [L, L, L, ctypes.c_float, P, P, P, L], ctypes.c_int
    r = np.random.default_rng(0)
    n, m, k = 7, 37, 45
    h, w = r.standard_normal((n, k)).astype(np.float32), r.standard_normal((m, k)).astype(np.float32)
    sa, sb = np.zeros(m * k + 64, np.float32), np.zeros(n * k + 64, np.float32)
    c = np.zeros((n, m), np.float32)  # h·wᵀ: A = w (con la copia «n»), B = h
    f["incopy"](k, m, w.ctypes.data, k, sa.ctypes.data)
    f["oncopy"](k, n, h.ctypes.data, k, sb.ctypes.data)
    f["kernel"](m, n, k, 1.0, sa.ctypes.data, sb.ctypes.data, c.ctypes.data, m)
    ok = np.allclose(c, h.astype(np.float64) @ w.T, rtol=1e-4, atol=1e-4)
    g = r.standard_normal((n, m)).astype(np.float32)
    d = np.zeros((n, k), np.float32)  # g·w: A = wᵀ (con la copia «t»), B = g
    f["itcopy"](m, k, w.ctypes.data, k, sa.ctypes.data)
    f["oncopy"](m, n, g.ctypes.data, m, sb.ctypes.data)
    f["kernel"](k, n, m, 1.0, sa.ctypes.data, sb.ctypes.data, d.ctypes.data, k)
    return ok and np.allclose(d, g.astype(np.float64) @ w, rtol=1e-4, atol=1e-4)


def sgemm_packed_addresses() -> dict:
    """Direcciones de las piezas de la SGEMM de OpenBLAS para su núcleo de CPU (``incopy``, ``itcopy``,
    ``oncopy``, ``kernel``; ver arriba), o ``{}`` si no están o no dan el producto bien."""
    if "addr" not in _packed:
        _packed["addr"] = {}
        lib = _openblas()
        core = getattr(lib, "gotoblas_corename", None) if lib else None
        if core is not None:
            core.restype = ctypes.c_char_p
            suffix = _PACKED_CORES.get((core() or b"").decode("ascii", "replace").lower())
            names = {n: f"sgemm_{n}_{suffix}" for n in ("incopy", "itcopy", "oncopy", "kernel")}
            if suffix and all(hasattr(lib, s) for s in names.values()):
                f = {n: getattr(lib, s) for n, s in names.items()}
                if _packed_check(f):
                    _packed["addr"] = {n: ctypes.cast(fn, ctypes.c_void_p).value for n, fn in f.items()}
    return _packed["addr"]
