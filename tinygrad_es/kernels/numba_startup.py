"""Arranque de numba más barato: sin importar ``scipy.linalg`` para cargar un núcleo de la caché.

La primera vez que un proceso compila o carga un núcleo, numba instala sus tablas de funciones
(``CPUContext.load_additional_registries``); entre ellas importa ``numba.np.arraymath``, que al
importarse comprueba si hay BLAS para ``np.dot`` importando ``scipy.linalg.cython_blas``: ~0,1 s de
CPU (0,17 s con la máquina cargada; el 35-40 % de ese arranque, y ~10 % de un proceso que importa
tinygrad_es y da un paso con la caché llena). Ningún núcleo de tinygrad_es usa BLAS dentro de numba
(las GEMM van por ``kernels/gemm.py``). Aquí esa comprobación inicial sólo mira que ``scipy.linalg``
exista (``find_spec``, sin importarlo): el resultado es el mismo (``_HAVE_BLAS``), y quien compile
después código numba con ``np.dot`` pasa por la comprobación completa de numba (``ensure_blas`` de
``numba.np.linalg``, que no se toca), que importa scipy entonces.
"""
import importlib.util

from numba.core import cpu

__all__ = ["install"]

_orig = getattr(cpu.CPUContext, "load_additional_registries", None)  # None: otra versión de numba
_state = {"installed": False}


def _scipy_linalg_present():
    """Lo que ``_check_blas`` de numba necesita saber, sin importar scipy.linalg."""
    try:
        spec = importlib.util.find_spec("scipy.linalg")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise ImportError("scipy 0.16+ is required for linear algebra")


def _load_additional_registries(self):
    # sólo la primera vez (la que importa arraymath); después, el método original sin más
    cpu.CPUContext.load_additional_registries = _orig
    # aquí y no arriba: importarlo cuesta ~0,05 s y _orig lo importa igualmente justo después
    from numba.np import linalg
    real = getattr(linalg, "ensure_blas", None)
    if real is None:  # otra versión de numba: su comprobación, sin atajo
        return _orig(self)
    linalg.ensure_blas = _scipy_linalg_present
    try:
        return _orig(self)
    finally:
        linalg.ensure_blas = real


def install() -> None:
    """Lo hace ``kernels/__init__.py`` al importarse."""
    if _state["installed"] or _orig is None:
        return
    cpu.CPUContext.load_additional_registries = _load_additional_registries
    _state["installed"] = True
