"""La caché de disco de numba, compartida con seguridad entre procesos que compilan a la vez.

numba guarda cada núcleo compilado en dos ficheros: un índice por función (``nucleo-LINEA.pyXY.nbi``:
firma → fichero de datos) y un fichero de datos por firma (``nucleo-LINEA.pyXY.N.nbc``). Cada fichero
se escribe de forma atómica (a un temporal y ``os.replace``), pero **el índice se lee, se modifica y
se vuelve a escribir sin cerrojo**: dos procesos que guardan a la vez dos firmas distintas de la misma
función pueden elegir el mismo número ``N``, y el índice de uno puede acabar apuntando a los datos del
otro (el núcleo de otros tipos, cargado con estos). Y dos procesos que necesitan el mismo núcleo lo
compilan los dos (segundos de CPU repetidos). Aquí, sólo para los núcleos de tinygrad_es:

* guardar en la caché toma un cerrojo del índice (leer, modificar y escribir, de una vez);
* si un núcleo no está en la caché, el proceso toma el cerrojo de **esa firma** antes de compilarlo;
  si otro proceso ya lo tiene (lo está compilando), espera a que termine y lo carga de la caché en
  vez de compilarlo otra vez. Lo suelta al guardarlo (o si la compilación falla).

Los cerrojos son de ``fcntl.lockf`` (POSIX, por bytes) sobre ``<índice>.lock``: el byte 0 para el
índice y uno por firma (un hash de la clave de numba); el sistema los suelta si el proceso muere.
Nunca se espera más de ``WAIT`` s (después se compila sin esperar). Lo usa la compilación en segundo
plano (``precompile.py``), y también sirve a dos programas del usuario que arrancan a la vez.
"""
import contextlib
import hashlib
import os
import time

from numba.core import caching, event

try:
    import fcntl
except ImportError:  # Windows: sin cerrojos (y sin compilación en segundo plano, precompile.enabled)
    fcntl = None

__all__ = ["install", "active", "WAIT", "stats", "exit_soon"]

WAIT = 120.0  # segundos como mucho esperando a que otro proceso compile un núcleo
_POLL = 0.02
_fds = {}     # ruta del cerrojo -> descriptor, abierto mientras viva el proceso (cerrar cualquier
              # descriptor del fichero soltaría todos los cerrojos POSIX del proceso sobre él)
_held = {}    # id(dispatcher's cache), firma -> (fd, offset) de los cerrojos de compilación tomados
_state = {"installed": False, "saving": 0, "exit": False}
stats = {"waits": 0, "wait_seconds": 0.0}  # esperas a que otro proceso acabara de compilar un núcleo


def _ours(cache) -> bool:
    return getattr(getattr(cache, "_py_func", None), "__module__", "").startswith("tinygrad_es")


def _fd(index_path):
    path = index_path + ".lock"
    fd = _fds.get(path)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        _fds[path] = fd
    return fd


def _offset(key) -> int:
    # la clave de numba (firma, CPU, hash del código) como texto: igual en todos los procesos
    return 1 + int.from_bytes(hashlib.sha1(repr(key).encode()).digest()[:4], "little")


def _lock(fd, offset, wait=WAIT) -> bool:
    """Toma el byte ``offset``; espera como mucho ``wait`` s. ``True`` si lo tomó."""
    t0 = time.monotonic()
    waited = False
    try:
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                return True
            except OSError:
                if time.monotonic() >= t0 + wait:
                    return False
                waited = True
                time.sleep(_POLL)
    finally:
        if waited and offset:
            stats["waits"] += 1
            stats["wait_seconds"] += time.monotonic() - t0


def _unlock(fd, offset):
    with contextlib.suppress(OSError):
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)


# Interior de numba (0.58-0.68): si otra versión no lo tiene, no se ponen cerrojos (numba sin más).
try:
    _orig_load = caching.Cache.load_overload
    _orig_save = caching.Cache.save_overload
    _orig_index_save = caching.IndexDataCacheFile.save
except AttributeError:
    fcntl = None


def _load_overload(self, sig, target_context):
    res = _orig_load(self, sig, target_context)
    if res is not None or not _ours(self) or not self._enabled:
        return res
    try:
        fd = _fd(self._cache_file._index_path)
        off = _offset(self._index_key(sig, target_context.codegen()))
    except OSError:  # la carpeta de la caché no admite el fichero del cerrojo: como numba sin más
        return None
    if not _lock(fd, off):
        return None
    # quizá otro proceso lo acaba de compilar mientras esperábamos
    res = _orig_load(self, sig, target_context)
    if res is not None:
        _unlock(fd, off)
        return res
    _held[(id(self), str(sig))] = (fd, off)  # lo compila este proceso: se suelta al guardarlo
    return None


def _release(cache, sig):
    got = _held.pop((id(cache), str(sig)), None)
    if got is not None:
        _unlock(*got)


def _save_overload(self, sig, data):
    try:
        _orig_save(self, sig, data)
    finally:
        _release(self, sig)


def _index_save(self, key, data):
    try:
        fd = _fd(self._index_path)
    except OSError:
        return _orig_index_save(self, key, data)
    got = _lock(fd, 0)
    _state["saving"] += 1
    try:
        return _orig_index_save(self, key, data)
    finally:
        _state["saving"] -= 1
        if got:
            _unlock(fd, 0)
        if _state["exit"] and not _state["saving"]:
            os._exit(0)


def exit_soon() -> None:
    """Termina el proceso ya, salvo si está escribiendo en la caché: entonces al acabar de escribir
    (para el proceso en segundo plano, al recibir ``SIGTERM``: un núcleo a medio compilar no ha escrito
    nada; los cerrojos los suelta el sistema)."""
    if _state["saving"]:
        _state["exit"] = True
    else:
        os._exit(0)


class _FailedCompile(event.Listener):
    """Si la compilación falla (tipos que no admite el núcleo...), numba no guarda nada: se suelta el
    cerrojo de esa firma para no dejar esperando a otro proceso."""

    def on_start(self, ev):
        pass

    def on_end(self, ev):
        if ev.data is None or not _exc(ev):
            return
        disp = ev.data.get("dispatcher")
        cache = getattr(disp, "_cache", None)
        if cache is None:
            return
        for (cid, sig), got in list(_held.items()):
            if cid == id(cache):
                _held.pop((cid, sig), None)
                _unlock(*got)


def _exc(ev) -> bool:
    # ``Event.is_failed`` de numba 0.68 devuelve lo contrario de lo que dice: se mira el detalle
    return getattr(ev, "_exc_details", None) is not None


def active() -> bool:
    """¿Están puestos los cerrojos en este proceso?"""
    return _state["installed"]


def install() -> None:
    """Pone los cerrojos en la caché de numba (una vez por proceso; lo hace ``kernels/__init__.py``,
    después de ``numba_startup``: se envuelve la carga que haya entonces). ``TINYGRAD_ES_CERROJO_CACHE=0``
    lo desactiva."""
    global _orig_load
    if _state["installed"] or fcntl is None or os.environ.get("TINYGRAD_ES_CERROJO_CACHE", "1") in ("0", "no", ""):
        return
    if not hasattr(caching.Cache, "_index_key") or not hasattr(event, "Listener"):
        return
    _orig_load = caching.Cache.load_overload  # la de numba o la ligera de numba_startup.py
    caching.Cache.load_overload = _load_overload
    caching.Cache.save_overload = _save_overload
    caching.IndexDataCacheFile.save = _index_save
    event.register("numba:compile", _FailedCompile())
    _state["installed"] = True
