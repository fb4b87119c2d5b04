"""``save`` y ``load`` con el formato de ``torch.save``: los pesos pasan de un lado a otro.

Un fichero ``.pt`` de PyTorch (≥ 1.6) es un zip sin comprimir::

    archive/data.pkl      el objeto (dicts, listas, números...) en pickle de protocolo 2; cada
                          tensor es una llamada a torch._utils._rebuild_tensor_v2 con su almacenamiento
    archive/data/0, 1...  los bytes de cada almacenamiento (little-endian), alineados a 64 bytes
    archive/byteorder     "little"
    archive/version       "3"

``load`` lee ese pickle con un intérprete restringido (``_pickle``): acepta lo mismo que
``torch.load(weights_only=True)`` y rechaza, sin ejecutar nada, cualquier otro nombre.
Un ``state_dict`` guardado con PyTorch se carga aquí sin tener PyTorch instalado, y uno guardado
aquí se carga en PyTorch con ``torch.load(f, weights_only=True)``.
"""
from __future__ import annotations

import errno
import io
import os
import sys
import zipfile

import numpy as np

from .._bounded_read import read_zip_member
from .._io import atomic_write
from ._objects import (TrustedUnpickler, add_safe_globals, build_safe, clear_safe_globals, get_safe_globals,
                       safe_global, safe_globals, safe_names, save_object)
from ._pickle import SerializationError, Unpickler, UnpicklingError
from ._pickler import Pickler
from ._tensors import _Reader, _Writer

__all__ = ["save", "load", "SerializationError", "UnpicklingError", "add_safe_globals", "safe_globals",
           "get_safe_globals", "clear_safe_globals"]

_LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"


def _record(zf: zipfile.ZipFile, name: str, data, align: bool = False):
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_STORED
    n = memoryview(data).nbytes
    zi.file_size = n
    zip64 = n * 1.05 > zipfile.ZIP64_LIMIT
    if align:  # datos alineados a 64 bytes, como los escribe PyTorch (permite mmap)
        head = 30 + len(name.encode()) + (20 if zip64 else 0) + 4
        pad = (-(zf.fp.tell() + head)) % 64
        zi.extra = b"FB" + pad.to_bytes(2, "little") + b"Z" * pad
    with zf.open(zi, "w", force_zip64=zip64) as w:
        w.write(data)


def _write_archive(fileobj, pkl: bytes, storages):
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _record(zf, "archive/data.pkl", pkl)
        _record(zf, "archive/byteorder", b"little")
        for key, arr in storages.items():
            if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and sys.byteorder == "big"):
                arr = arr.astype(arr.dtype.newbyteorder("<"))
            _record(zf, f"archive/data/{key}", arr.reshape(-1).view(np.uint8), align=True)
        _record(zf, "archive/version", b"3\n")


def save(obj, f, pickle_module=None, pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Guarda ``obj`` (un ``state_dict``, un dict de tensores, el estado de un optimizador...) en
    ``f`` (ruta o fichero binario abierto) con el formato de ``torch.save``.

    Tensores, arrays de numpy (se guardan como tensores), dicts, OrderedDicts, listas, tuplas,
    conjuntos, números, textos, bytes y dtypes se escriben como ``torch.save``: lo que
    ``torch.load(weights_only=True)`` sabe abrir. Cualquier otro objeto (``torch.save(model)`` de un
    modelo entero) se escribe como lo haría ``pickle`` (su clase por nombre y su estado); para leerlo
    hace falta ``load(f, weights_only=False)`` o permitir sus clases con ``add_safe_globals``, como en
    PyTorch ≥ 2.6. Con una ruta, se escribe primero un temporal en la misma carpeta y se renombra al
    final: si algo falla (p. ej. el disco se llena), el fichero anterior queda intacto.
    """
    if not _use_new_zipfile_serialization:
        raise ValueError("tinygrad_es.save sólo escribe el formato zip de PyTorch (≥ 1.6); "
                         "_use_new_zipfile_serialization=False no se admite")
    writer = _Writer()
    pkl = Pickler(writer.reduce, save_object).dumps(obj)  # antes de abrir nada: un error no deja ficheros
    if hasattr(f, "write") and not isinstance(f, (str, bytes, os.PathLike)):
        _write_archive(f, pkl, writer.storages)
        return
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(f"tinygrad_es.save: f debe ser una ruta o un fichero binario abierto, "
                        f"no {type(f).__name__}")
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):  # como torch.save: la carpeta debe existir
        raise FileNotFoundError(errno.ENOENT, f"no se puede guardar en {path}: la carpeta {folder} no existe")
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"no se puede guardar en {path}: es una carpeta")
    buf = io.BytesIO()
    _write_archive(buf, pkl, writer.storages)
    atomic_write(path, buf.getbuffer())  # temporal en la misma carpeta + renombrado (_io.py)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)  # el temporal nace con 0600; un .pt normal respeta la umask


def _sniff(head: bytes, name: str):
    if not head:
        raise SerializationError(f"{name} está vacío (0 bytes): no contiene ningún modelo")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return
    if head.startswith(b"\x93NUMPY"):
        raise SerializationError(f"{name} es un fichero .npy de numpy, no un checkpoint de PyTorch: "
                                 "ábrelo con numpy.load (o guarda con tinygrad_es.save)")
    if head.startswith(_LEGACY_MAGIC):
        raise SerializationError(f"{name} usa el formato antiguo de torch.save (anterior a PyTorch 1.6), que "
                                 "no se admite: vuelve a guardarlo en PyTorch con una versión reciente")
    if head[:1] == b"\x80":
        raise SerializationError(f"{name} es un pickle de Python suelto, no un checkpoint .pt: tinygrad_es.load "
                                 "no ejecuta pickles arbitrarios (podrían contener código)")
    raise SerializationError(f"{name} no es un fichero de PyTorch (.pt/.pth): no empieza por la cabecera "
                             "zip que escribe torch.save")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Carga un objeto guardado con ``torch.save`` o ``tinygrad_es.save``.

    Por defecto, como ``torch.load(f)`` en PyTorch ≥ 2.6 (``weights_only=True``): sólo se aceptan
    tensores, dicts/OrderedDicts, listas, tuplas, conjuntos, números, textos, dtypes y las clases
    permitidas con ``torch.serialization.add_safe_globals``/``safe_globals``; cualquier otro nombre en
    el fichero se rechaza con ``pickle.UnpicklingError`` sin ejecutar nada. ``weights_only=False``
    (sólo si lo pides: deshacer un pickle **puede ejecutar código**; úsalo sólo con ficheros de
    confianza) lee el pickle entero, p. ej. un modelo guardado con ``torch.save(model)``.
    ``map_location``: ``None``, ``'cpu'``, un dispositivo CPU, un dict o una función
    ``(almacenamiento, ubicación)``; los tensores guardados en GPU necesitan ``map_location='cpu'``.
    """
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        if not os.path.exists(name):
            raise FileNotFoundError(errno.ENOENT, f"no existe el fichero {name}")
        if os.path.isdir(name):
            raise IsADirectoryError(errno.EISDIR, f"{name} es una carpeta, no un fichero .pt")
        with open(name, "rb") as fh:
            _sniff(fh.read(16), name)
        src = name
    elif hasattr(f, "read"):
        name = getattr(f, "name", "el fichero")
        name = name if isinstance(name, str) else "el fichero"
        if not (hasattr(f, "seekable") and f.seekable()):
            f = io.BytesIO(f.read())
        pos = f.tell()
        _sniff(f.read(16), name)
        f.seek(pos)
        src = f
    else:
        raise TypeError(f"tinygrad_es.load: f debe ser una ruta o un fichero binario abierto, no {type(f).__name__}")
    try:
        zf = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise SerializationError(f"{name} está truncado o dañado: no es un zip completo ({e})") from None
    with zf:
        names = zf.namelist()
        pkls = [n for n in names if n == "data.pkl" or (n.endswith("/data.pkl") and n.count("/") == 1)]
        if not pkls:
            if any(n.endswith(".npy") for n in names):
                raise SerializationError(f"{name} es un .npz de numpy, no un checkpoint de PyTorch: usa numpy.load")
            if any(n.endswith("constants.pkl") for n in names):
                raise SerializationError(f"{name} es un modelo TorchScript (torch.jit.save): no se admite; guarda "
                                         "en PyTorch model.state_dict() con torch.save")
            raise SerializationError(f"{name} es un zip pero no un checkpoint de PyTorch (no tiene data.pkl)")
        prefix = pkls[0][:-len("data.pkl")]
        pkl = read_zip_member(zf, pkls[0], name, SerializationError)  # tamaño comprobado antes de leer
        reader = _Reader(zf, prefix, name, map_location)
        allowed = reader.allowed()
        if weights_only is False:  # elegido por el usuario: el pickle completo
            return TrustedUnpickler(pkl, allowed, reader.persistent_load).load()
        allowed.update({k: safe_global(*k) for k in safe_names()})
        return Unpickler(pkl, allowed, reader.persistent_load,
                         lambda obj, state: reader.build(obj, state) or build_safe(obj, state), what=name).load()
