"""Ficheros: los motivos de los errores del sistema operativo en español (``os_error_es``) y la
escritura atómica (``atomic_write``) que usan ``save``, ``save_state`` y las descargas.

``atomic_write`` escribe en un temporal ``.tmp-<pid>-<azar>-<nombre>`` de la misma carpeta y lo
renombra: un corte a mitad nunca deja un fichero roto. Si el disco se llena (``ENOSPC``) se borra
el temporal y el fichero anterior queda intacto. Los temporales que dejó un proceso muerto
(``kill -9`` a mitad de un guardado) se borran en el siguiente guardado del mismo fichero.
"""
from __future__ import annotations

import errno
import os
import re
import tempfile
import time

__all__ = ["os_error_es", "atomic_write"]

_ES = {errno.ENOENT: "no existe (o no existe la carpeta)", errno.EACCES: "no hay permiso",
       errno.EPERM: "operación no permitida", errno.EEXIST: "ya existe un fichero con ese nombre y hace falta una carpeta",
       errno.ENOTDIR: "una parte de la ruta es un fichero, no una carpeta", errno.EISDIR: "es una carpeta",
       errno.ENOSPC: "no queda espacio en el disco", errno.EDQUOT: "se superó la cuota de disco",
       errno.EROFS: "el sistema de ficheros es de sólo lectura", errno.ENAMETOOLONG: "el nombre es demasiado largo",
       errno.EIO: "error de entrada/salida del disco"}


def os_error_es(e: OSError) -> str:
    """``OSError`` → motivo breve en español (el ``strerror`` original si no se conoce)."""
    return _ES.get(e.errno, e.strerror or str(e))


_STALE_NO_PID = 3600.0   # s: un temporal sin pid en el nombre y más viejo que esto es basura


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True   # existe, aunque sea de otro usuario
    return True


def _clean_stale_temps(folder: str, base: str) -> list:
    """Borra ``.tmp-*<base>`` de procesos que ya no existen; devuelve los borrados."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        if not (name.startswith(".tmp-") and name.endswith(base)) or name == base:
            continue
        m = re.match(r"\.tmp-(\d+)-[a-z0-9_]+-(.*)$", name)
        if m and m.group(2) != base:
            continue   # temporal de otro fichero de la carpeta
        path = os.path.join(folder, name)
        try:
            if m:
                stale = not _pid_alive(int(m.group(1)))
            else:   # formato antiguo, sin pid: sólo si es claramente viejo
                stale = now - os.path.getmtime(path) > _STALE_NO_PID
            if stale:
                os.unlink(path)
                removed.append(name)
        except OSError:
            pass
    return removed


def atomic_write(path: str, data: bytes) -> None:
    """Escribe en un temporal de la misma carpeta y renombra: nunca queda un fichero a medias.
    Un fallo de disco (lleno, sin permiso) da un ``OSError`` en español y no deja temporales."""
    path = str(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise _save_error(path, e) from None
    _clean_stale_temps(folder, base)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".tmp-{os.getpid()}-", suffix="-" + base)
    except OSError as e:
        raise _save_error(path, e) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise _save_error(path, e) from None
        raise


def _save_error(path: str, e: OSError) -> OSError:
    return OSError(e.errno, f"no se pudo guardar '{path}': {os_error_es(e)}. No quedó ningún fichero a medias"
                            f"{'; el anterior sigue intacto' if os.path.isfile(path) else ''}")
