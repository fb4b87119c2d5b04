"""La reescritura de ``_parallel`` guardada en disco, junto a la caché de numba del núcleo.

Reescribir un núcleo (leer su código fuente con ``inspect``, analizarlo con ``ast``, construir el
trozo y la llamada y compilarlos a ``bytecode``) cuesta ~5 ms de CPU por núcleo: ~40 ms en el primer
paso de la CNN del curso con la caché de numba llena, ~15 % de ese paso. El resultado (el objeto
``code`` del módulo generado, con ``marshal``, y los nombres del prólogo que lee el bucle) se guarda
en ``<carpeta de la caché de numba>/<núcleo>-<línea>.pyXY.trozo`` y se reutiliza si coincide la clave:
la versión de Python (``MAGIC_NUMBER``: el formato de ``marshal``), la marca del fichero del núcleo
que usa numba para su propia caché (fecha y tamaño), su línea y nombre, y el hash de ``_parallel.py``
y ``_pool.py`` (la forma de la reescritura). Si algo falla (carpeta sin permisos, fichero roto), se
reescribe como siempre. Sólo los núcleos con ``cache=True``.
"""
import hashlib
import importlib.util
import marshal
import os

__all__ = ["file_hash", "load", "save"]


def file_hash(*paths) -> str:
    h = hashlib.sha1()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def _where(kernel, stamp):
    """``(ruta, clave)`` o ``None`` si el núcleo no usa la caché de disco de numba."""
    cache = getattr(kernel, "_cache", None)
    try:
        folder = cache._cache_path
        base = cache._impl.filename_base
        source = cache._cache_file._source_stamp
    except AttributeError:  # NullCache (cache=False) u otra versión de numba
        return None
    code = kernel.py_func.__code__
    key = (importlib.util.MAGIC_NUMBER, repr(source), code.co_firstlineno, kernel.py_func.__qualname__, stamp)
    return os.path.join(folder, base + ".trozo"), key


def load(kernel, stamp):
    """``(code, loop_args)`` guardado para este núcleo, ``False`` si se guardó que no se puede
    reescribir, o ``None`` (no está o no vale)."""
    where = _where(kernel, stamp)
    if where is None:
        return None
    path, key = where
    try:
        with open(path, "rb") as f:
            saved = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(saved, tuple) or len(saved) != 3 or saved[0] != key:
        return None
    return False if saved[1] is None else (saved[1], list(saved[2]))


def save(kernel, stamp, code, loop_args) -> None:
    """Guarda la reescritura (``code=None``: no se puede reescribir). Escritura atómica."""
    where = _where(kernel, stamp)
    if where is None:
        return
    path, key = where
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            marshal.dump((key, code, tuple(loop_args)), f)
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
