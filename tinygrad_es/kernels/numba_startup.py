"""Arranque de numba más barato: cargar un núcleo de la caché sin instalar las tablas de compilar.

* **Cargar sin ``refresh``.** Antes de cargar una firma de la caché de disco, numba llama a
  ``target_context.refresh()``: la primera vez en cada proceso importa ~80 módulos de implementaciones
  (``numba.cpython.*``, ``numba.np.*``, ``typed``...) e instala sus tablas de tipado y de generación de
  código: ~0,24 s de CPU, la mitad del primer paso de la CNN del curso con la caché llena. Cargar
  código objeto ya compilado no usa esas tablas: sólo necesita el runtime de memoria de numba
  (``rtsys.initialize``, los símbolos ``NRT_*`` que llama el código) y, si el código objeto usa el
  secreto de hash de Python (cadenas en un diccionario tipado...), los símbolos que registra
  ``numba.cpython.hashing`` al importarse: en ese caso (o si el formato de la caché no es el esperado)
  se hace el ``refresh`` completo, como numba. Los núcleos con el compilador paralelo de numba
  arrancan sus hilos con su ``reload_init``, como siempre. Sólo para los núcleos de tinygrad_es; si
  hay que compilar, el compilador de numba hace su ``refresh`` completo (``CompilerBase``).
* **Sin ``scipy.linalg``.** En ese ``refresh`` (el primero), importar ``numba.np.arraymath`` ejecuta
  ``_check_blas()``, que importa ``scipy.linalg.cython_blas``: ~0,1 s de CPU. Ningún núcleo de
  tinygrad_es usa BLAS dentro de numba (las GEMM van por ``kernels/gemm.py``). Aquí esa comprobación
  inicial sólo mira que ``scipy.linalg`` exista (``find_spec``, sin importarlo): el resultado es el
  mismo (``_HAVE_BLAS``), y quien compile después código numba con ``np.dot`` pasa por la comprobación
  completa de numba (``ensure_blas`` de ``numba.np.linalg``, que no se toca), que importa scipy entonces.

* **Sin ``numpy.ma``.** Para tipar un argumento ``ndarray`` (la primera llamada a cada núcleo), numba
  comprueba ``isinstance(val, np.ma.MaskedArray)``, y el acceso a ``np.ma`` importa ``numpy.ma``
  (~35 ms de CPU). Un ``np.ndarray`` exacto no es un ``MaskedArray``: para él se omite la comprobación
  (el resto del tipado es el de numba); cualquier subclase pasa por la función de numba.

* **Entornos de numba sin importar su módulo.** El código objeto guardado lleva los «entornos» de las
  funciones que enlaza; los de implementaciones internas de numba (``reshape`` de
  ``numba.np.arrayobj``, ``max``...) se reconstruyen importando su módulo, para usar su ``__dict__``
  como globales: importar ``numba.np.arrayobj`` arrastra ~40 módulos (~30 ms de CPU). El código
  ``nopython`` no lee esas globales (sólo las constantes del entorno, que vienen en la caché): si el
  módulo (de ``numba.``) aún no está importado y el entorno no tiene constantes, se crea con un
  diccionario con su ``__name__``, que se completa con el del módulo antes de que numba compile nada
  (en su ``refresh``, que importa esos módulos).
* **Sin eventos ``numba:llvm_lock`` al cargar.** numba registra en llvmlite una función que emite un
  evento al entrar y al salir de cada llamada a LLVM (para sumar el tiempo de LLVM de cada compilación);
  reconstruir 15 núcleos son ~2 700 llamadas y ~20 ms de CPU sólo en esos eventos. Una carga no tiene
  tiempos que sumar (el resultado cargado no guarda metadatos): durante la carga ligera no se emiten.
* **Sin envoltorio ``cfunc`` al compilar.** numba genera para cada función que compila, además de la
  entrada desde Python, un envoltorio con la convención de llamada de C (para usarla como función de
  primera clase o ``cfunc``); los núcleos de tinygrad_es no se usan así nunca. Sin él, el paso de la
  CNN del curso con la caché vacía compila antes (medido en ``notes/27-cold2b.md``); el código de
  cada núcleo es el mismo.

Son parches del interior de numba (0.6x): con otra versión que no tenga esos nombres no se instala
nada y numba va como siempre.
"""
import importlib.util
import os
import sys

import numpy as np
from llvmlite.binding import ffi as _ffi
from numba.core import caching, cpu, dispatcher, environment, errors, types
from numba.core.runtime import rtsys
from numba.core.typing import typeof as _typeof
from numba.np import numpy_support

__all__ = ["install", "stats"]

_orig = getattr(cpu.CPUContext, "load_additional_registries", None)  # None: otra versión de numba
_orig_load = getattr(caching.Cache, "load_overload", None)
_orig_flags = getattr(getattr(dispatcher, "_FunctionCompiler", None), "_customize_flags", None)
_state = {"installed": False, "registries": False}
stats = {"light": 0, "full": 0}  # cargas sin refresh / con él (núcleos de tinygrad_es)
_HASH_SYMBOL = b"_numba_hashsecret_"  # lo registra numba.cpython.hashing al importarse (refresh)


def _scipy_linalg_present():
    """Lo que ``_check_blas`` de numba necesita saber, sin importar scipy.linalg."""
    try:
        spec = importlib.util.find_spec("scipy.linalg")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise ImportError("scipy 0.16+ is required for linear algebra")


_orig_rebuild_env = getattr(environment, "_rebuild_env", None)
_pending_envs = []  # (módulo, globales a medias) de los entornos creados sin importar su módulo


def _rebuild_env(modname, consts, env_name):
    env = environment.lookup_environment(env_name)
    if env is not None:
        return env
    if (consts or _state["registries"] or not isinstance(modname, str) or not modname.startswith("numba.")
            or modname in sys.modules):
        return _orig_rebuild_env(modname, consts, env_name)
    globs = {"__name__": modname}
    _pending_envs.append((modname, globs))
    env = environment.Environment(globs)
    env.env_name = env_name
    environment.Environment._memo[env_name] = env
    return env


# ``pickle`` guarda la función por su nombre: que siga siendo la de numba (las cachés que se escriban
# con este parche puesto no dependen de tinygrad_es)
_rebuild_env.__module__, _rebuild_env.__qualname__ = "numba.core.environment", "_rebuild_env"


def _complete_envs():
    """Las globales de los entornos creados a medias, antes de que numba compile (el refresh ya
    importó sus módulos)."""
    while _pending_envs:
        modname, globs = _pending_envs.pop()
        mod = sys.modules.get(modname)
        if mod is None:
            mod = importlib.import_module(modname)
        globs.update(mod.__dict__)


def _load_additional_registries(self):
    # sólo la primera vez (la que importa arraymath); después, el método original sin más
    cpu.CPUContext.load_additional_registries = _orig
    _state["registries"] = True  # desde aquí, los entornos con su módulo (ya importado), como numba
    try:
        return _load_registries_once(self)
    finally:
        _complete_envs()


def _load_registries_once(self):
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


def _ours(cache) -> bool:
    return getattr(getattr(cache, "_py_func", None), "__module__", "").startswith("tinygrad_es")


def _plain_object_code(data) -> bool:
    """¿El código objeto guardado sólo necesita lo que ya está registrado (sin el secreto de hash)?
    ``data``: lo que guarda ``CompileResult._reduce``; su primer elemento, la biblioteca
    ``(nombre, 'object', (código objeto, bitcode))``."""
    try:
        lib = data[0]
        obj = lib[2][0]
    except (TypeError, IndexError, KeyError):
        return False
    return lib[1] == "object" and isinstance(obj, bytes) and _HASH_SYMBOL not in obj


def _load_overload(self, sig, target_context):
    if not _ours(self):
        return _orig_load(self, sig, target_context)
    with self._guard_against_spurious_io_errors():
        if not self._enabled:
            return None
        data = self._cache_file.load(self._index_key(sig, target_context.codegen()))
        if data is None:
            return None
        if not _plain_object_code(data):
            target_context.refresh()
            stats["full"] += 1
            return self._impl.rebuild(target_context, data)
        rtsys.initialize(target_context)  # los símbolos NRT_* (una vez por proceso)
        stats["light"] += 1
        # bajo el cerrojo de compilación de numba (Dispatcher.compile): nadie más usa LLVM ahora
        lock = getattr(getattr(_ffi, "lib", None), "_lock", None)
        callbacks = getattr(lock, "_cblist", None)
        if isinstance(callbacks, list):
            lock._cblist = []
        try:
            return self._impl.rebuild(target_context, data)
        finally:
            if isinstance(callbacks, list):
                lock._cblist = callbacks
    return None  # el guard se tragó un error de E/S: como numba, una falta de caché


def _customize_flags(self, flags):
    flags = _orig_flags(self, flags)
    if getattr(getattr(self, "py_func", None), "__module__", "").startswith("tinygrad_es."):
        flags.no_cfunc_wrapper = True  # nadie los llama por puntero de C (véase arriba)
    return flags


_orig_typeof_ndarray = getattr(_typeof, "_typeof_ndarray", None)


def _typeof_ndarray(val, c):
    if type(val) is not np.ndarray:  # subclases (MaskedArray, memmap...): la de numba
        return _orig_typeof_ndarray(val, c)
    try:  # lo mismo que numba (0.68) tras su comprobación de MaskedArray
        dtype = numpy_support.from_dtype(val.dtype)
    except errors.NumbaNotImplementedError:
        raise errors.NumbaValueError(f"Unsupported array dtype: {val.dtype}")
    return types.Array(dtype, val.ndim, numpy_support.map_layout(val), readonly=not val.flags.writeable)


def install() -> None:
    """Lo hace ``kernels/__init__.py`` al importarse (antes que ``cache_lock``, que envuelve esta carga).
    ``TINYGRAD_ES_CARGA_LIGERA=0`` deja la carga de numba tal cual (con su ``refresh``)."""
    if _state["installed"] or _orig is None:
        return
    cpu.CPUContext.load_additional_registries = _load_additional_registries
    if (_orig_load is not None and os.environ.get("TINYGRAD_ES_CARGA_LIGERA", "1") not in ("0", "no", "")
            and hasattr(caching.Cache, "_guard_against_spurious_io_errors") and hasattr(caching.Cache, "_index_key")
            and hasattr(rtsys, "initialize")):
        caching.Cache.load_overload = _load_overload
    if _orig_flags is not None and "no_cfunc_wrapper" in getattr(getattr(dispatcher, "compiler", None), "Flags",
                                                                    object).__dict__:
        dispatcher._FunctionCompiler._customize_flags = _customize_flags
    if _orig_rebuild_env is not None and hasattr(environment, "lookup_environment"):
        environment._rebuild_env = _rebuild_env
    if _orig_typeof_ndarray is not None and _typeof.typeof_impl.dispatch(np.ndarray) is _orig_typeof_ndarray:
        _typeof.typeof_impl.register(np.ndarray)(_typeof_ndarray)
    _state["installed"] = True
