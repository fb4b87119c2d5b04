"""Escritura atómica y puntos de control (``.npz``) a prueba de fallos.

* ``save_state`` escribe en un temporal ``.tmp-<pid>-<azar>-<nombre>`` de la misma carpeta y
  lo renombra: un corte a mitad nunca deja un checkpoint roto. Si el disco se llena
  (``ENOSPC``) se borra el temporal y el checkpoint anterior queda intacto.
* Los temporales que dejó un proceso muerto (``kill -9`` a mitad de un guardado) se
  borran en el siguiente guardado del mismo fichero.
* ``load_state`` nunca ejecuta pickle (``allow_pickle=False``) y explica en español
  qué le pasa a un fichero vacío, truncado, aleatorio o que no es un ``.npz``.
"""
from __future__ import annotations

import errno
import io
import os
import re
import tempfile
import time
import zipfile
import zlib

import numpy as np

from ._errors import os_error_es

__all__ = ["save_state", "load_state", "CheckpointError", "atomic_write"]

_STALE_NO_PID = 3600.0   # s: un temporal sin pid en el nombre y más viejo que esto es basura


class CheckpointError(ValueError):
    """El fichero no es un checkpoint ``.npz`` válido (vacío, truncado, de otro tipo...)."""


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


def save_state(state: dict, path: str) -> None:
    """Guarda un ``state_dict`` (arrays numéricos) en ``.npz`` de forma atómica."""
    arrays = {}
    for k, v in state.items():
        a = np.asarray(v)
        if a.dtype.hasobject:
            raise TypeError(f"save_state: '{k}' no es un array numérico (dtype {a.dtype}); sólo se guardan "
                            f"números, nunca objetos de Python")
        arrays[k] = a
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write(path, buf.getvalue())


def load_state(path: str) -> dict:
    """Lee un checkpoint ``.npz`` escrito por ``save_state`` (o ``np.savez``) como dict de arrays.

    Nunca ejecuta pickle: un array de objetos se rechaza con ``CheckpointError``, igual que un
    fichero vacío, truncado, aleatorio o un ``.npy`` suelto."""
    path = str(path)
    name = os.path.basename(path)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, f"no existe el checkpoint '{path}'")
    if os.path.isdir(path):
        raise CheckpointError(f"'{path}' es una carpeta, no un checkpoint .npz")
    if os.path.getsize(path) == 0:
        raise CheckpointError(f"el checkpoint '{name}' está vacío (0 bytes): el guardado no llegó a escribirse")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as e:
        raise OSError(e.errno, f"no se pudo leer el checkpoint '{path}': {os_error_es(e)}") from None
    try:
        z = np.load(path, allow_pickle=False)
    except ValueError as e:
        if "pickle" in str(e):
            raise CheckpointError(f"'{name}' no es un checkpoint .npz (parece un pickle o datos sin formato); "
                                  f"por seguridad no se carga") from None
        raise CheckpointError(f"'{name}' no es un checkpoint .npz válido: {e}") from None
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise CheckpointError(f"'{name}' está dañado o truncado: no es un .npz legible ({type(e).__name__})") from None
    if isinstance(z, np.ndarray):
        raise CheckpointError(f"'{name}' es un .npy con un solo array {z.shape}, no un checkpoint .npz con "
                              f"nombres; guárdalo con save_state(modelo.state_dict(), ruta)")
    try:
        with z:
            return {k: z[k] for k in z.files}
    except ValueError as e:
        if "allow_pickle" in str(e) or "Object arrays" in str(e):
            raise CheckpointError(f"'{name}' contiene un array de objetos de Python (pickle); por seguridad "
                                  f"no se carga: un checkpoint sólo debe tener arrays numéricos") from None
        raise CheckpointError(f"'{name}' está dañado: {e}") from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, KeyError) as e:
        raise CheckpointError(f"'{name}' está dañado o truncado: no se pudo leer un array "
                              f"({type(e).__name__})") from None
