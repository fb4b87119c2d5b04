"""Puntos de control (``.npz``) a prueba de fallos: ``save_state`` y ``load_state``.

* ``save_state`` escribe con ``_io.atomic_write`` (temporal de la misma carpeta y renombrado): un
  corte a mitad nunca deja un checkpoint roto; si el disco se llena (``ENOSPC``) el checkpoint
  anterior queda intacto, y los temporales de procesos muertos se borran al guardar de nuevo.
* ``load_state`` nunca ejecuta pickle (``allow_pickle=False``) y explica en español
  qué le pasa a un fichero vacío, truncado, aleatorio o que no es un ``.npz``.
"""
from __future__ import annotations

import errno
import io
import os

import numpy as np

from .._bounded_read import load_npz, npy_header
from .._io import atomic_write, os_error_es

__all__ = ["save_state", "load_state", "CheckpointError"]


class CheckpointError(ValueError):
    """El fichero no es un checkpoint ``.npz`` válido (vacío, truncado, de otro tipo...)."""


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
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(b"\x93NUMPY"):
        shape = npy_header(head, f"'{name}'", CheckpointError)[1]
        raise CheckpointError(f"'{name}' es un .npy con un solo array {shape}, no un checkpoint .npz con "
                              f"nombres; guárdalo con save_state(modelo.state_dict(), ruta)")
    if not head.startswith(b"PK"):
        raise CheckpointError(f"'{name}' no es un checkpoint .npz (parece un pickle o datos sin formato); "
                              f"por seguridad no se carga")
    # sin np.load: cada cabecera se compara con los bytes presentes antes de reservar (_bounded_read)
    return load_npz(path, name, CheckpointError)
