"""Lectura acotada de contenedores que llegan de fuera: miembros de un zip (``.pt``, ``.npz``) y
arrays ``.npy``.

Un fichero hostil puede *decir* que trae mucho más de lo que trae: un ``.npy`` de 64 bytes cuya
cabecera anuncia forma (100000, 100000) hace que ``np.load`` intente reservar 74 GiB antes de leer
nada; un zip cuyo directorio central dice que un miembro mide 2 GiB hace que ``zipfile`` pida ese
búfer. Aquí se comparan los tamaños que dicen las cabeceras con los bytes que hay *antes* de
reservar memoria, así que nada reserva más de lo que ocupa (descomprimido) lo que hay en el disco:

* ``check_zip_member``: lo comprimido cabe en el fichero; un miembro sin comprimir mide lo mismo
  comprimido y descomprimido; uno comprimido no promete más de lo que permite deflate (≈1032:1).
* ``array_from_npy_bytes``: la forma × el tamaño del tipo coincide con los bytes que siguen a la
  cabecera; nunca objetos de Python (``allow_pickle`` no existe aquí) ni texto.
* ``load_npz`` / ``load_npy``: las dos cosas juntas para ``.npz`` y ``.npy`` enteros.

Todas reciben ``exc`` (la clase de error del lector que las usa: ``CheckpointError``,
``SerializationError``...) y ``label`` (el nombre del fichero para el mensaje, en español).
"""
from __future__ import annotations

import ast
import math
import os
import struct
import zipfile

import numpy as np

__all__ = ["check_zip_member", "read_zip_member", "npy_header", "array_from_npy_bytes", "load_npz", "load_npy",
           "MAX_DEFLATE_RATIO"]

MAX_DEFLATE_RATIO = 1100       # deflate no pasa de ~1032:1; más es una cabecera que miente
_MAGIC = b"\x93NUMPY"
_MAX_HEADER = 1 << 16


def _archive_size(zf: zipfile.ZipFile):
    fp = zf.fp
    try:
        pos = fp.tell()
        fp.seek(0, os.SEEK_END)
        size = fp.tell()
        fp.seek(pos)
        return size
    except (OSError, AttributeError, ValueError):
        return None


def check_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, exc=ValueError) -> None:
    """``exc`` si los tamaños que el zip dice de ``info`` no caben en los bytes del fichero."""
    total = _archive_size(zf)
    if total is not None and info.compress_size > total:
        raise exc(f"{label} está dañado o truncado: el miembro {info.filename} dice ocupar {info.compress_size} "
                  f"bytes y el fichero entero mide {total}")
    if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
        raise exc(f"{label} está dañado: el miembro {info.filename} (sin comprimir) dice medir {info.file_size} "
                  f"bytes y ocupar {info.compress_size}")
    if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_DEFLATE_RATIO * info.compress_size + 4096:
        raise exc(f"{label} está dañado o es malicioso: el miembro {info.filename} dice descomprimirse en "
                  f"{info.file_size} bytes a partir de {info.compress_size} (más de lo que permite la compresión)")


def read_zip_member(zf: zipfile.ZipFile, name, label: str, exc=ValueError, expect: int | None = None) -> bytes:
    """Los bytes de un miembro tras ``check_zip_member``; con ``expect``, el tamaño que debe tener
    según el índice del propio fichero (se comprueba antes de leer)."""
    info = name if isinstance(name, zipfile.ZipInfo) else zf.getinfo(name)
    check_zip_member(zf, info, label, exc)
    if expect is not None and info.file_size != expect:
        raise exc(f"{label} está dañado: {info.filename} mide {info.file_size} bytes y el índice del fichero dice "
                  f"{expect}")
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
        raise exc(f"{label} está truncado o dañado al leer {info.filename} ({type(e).__name__}: {e})") from None
    except Exception as e:  # zlib.error y compañía
        raise exc(f"{label} está dañado al descomprimir {info.filename} ({type(e).__name__})") from None


def npy_header(head: bytes, label: str, exc, what: str = ""):
    """(dtype, forma, orden Fortran, longitud de la cabecera) de los primeros bytes de un ``.npy``."""
    if not head.startswith(_MAGIC) or len(head) < 10:
        raise exc(f"{label} no es un array .npy (le falta la firma \\x93NUMPY)")
    major = head[6]
    if major == 1:
        hlen, start = struct.unpack("<H", head[8:10])[0], 10
    elif major in (2, 3):
        if len(head) < 12:
            raise exc(f"{label} está truncado en la cabecera .npy")
        hlen, start = struct.unpack("<I", head[8:12])[0], 12
    else:
        raise exc(f"{label}: versión de .npy desconocida ({major})")
    if hlen > _MAX_HEADER or start + hlen > len(head):
        raise exc(f"{label} está dañado o truncado: la cabecera .npy dice medir {hlen} bytes")
    text = head[start:start + hlen].decode("latin1" if major < 3 else "utf8", errors="replace")
    try:
        d = ast.literal_eval(text)  # sólo literales: nunca ejecuta código
        descr, fortran, shape = d["descr"], bool(d["fortran_order"]), tuple(d["shape"])
    except (ValueError, SyntaxError, KeyError, TypeError, MemoryError, RecursionError):
        raise exc(f"{label} está dañado: la cabecera .npy no se entiende ({text[:60]!r})") from None
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise exc(f"{label} está dañado: la cabecera .npy dice una forma imposible {shape}")
    try:
        dtype = np.dtype(descr) if isinstance(descr, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.hasobject:
        raise exc(f"{label} contiene un array de objetos de Python (pickle){what}; por seguridad no se carga: "
                  f"sólo se admiten arrays numéricos (tipo {descr!r})")
    if dtype.kind not in "biufc":
        raise exc(f"{label} contiene un array de tipo {dtype} (texto u otro no numérico){what}; sólo se admiten "
                  f"arrays numéricos")
    return dtype, shape, fortran, start + hlen


def array_from_npy_bytes(raw: bytes, label: str, exc=ValueError, what: str = "") -> np.ndarray:
    """El array de un ``.npy`` ya leído: forma × tipo debe coincidir con los bytes presentes."""
    dtype, shape, fortran, offset = npy_header(raw[:_MAX_HEADER + 12], label, exc, what)
    need = math.prod(shape) * dtype.itemsize
    have = len(raw) - offset
    if need != have:
        raise exc(f"{label} está dañado o truncado{what}: la cabecera dice forma {shape} de {dtype} ({need} bytes) "
                  f"y hay {have} bytes de datos")
    arr = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=offset)
    return arr.reshape(shape, order="F" if fortran else "C").copy(order="K")


def load_npz(path, label: str | None = None, exc=ValueError) -> dict:
    """``{nombre: array}`` de un ``.npz`` sin pickle y sin reservar más de lo que hay."""
    label = label or os.path.basename(str(path))
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise exc(f"'{label}' está dañado o truncado: no es un .npz legible ({type(e).__name__})") from None
    out = {}
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            raw = read_zip_member(zf, info, f"'{label}'", exc)
            out[key] = array_from_npy_bytes(raw, f"'{label}'", exc, f" (array {key!r})")
    return out


def load_npy(path, label: str | None = None, exc=ValueError) -> np.ndarray:
    """Un ``.npy`` suelto: la cabecera se compara con el tamaño del fichero antes de leer los datos."""
    label = label or os.path.basename(str(path))
    with open(path, "rb") as f:
        head = f.read(_MAX_HEADER + 12)
        dtype, shape, fortran, offset = npy_header(head, f"'{label}'", exc)
        need = math.prod(shape) * dtype.itemsize
        have = os.fstat(f.fileno()).st_size - offset
        if need != have:
            raise exc(f"'{label}' está dañado o truncado: la cabecera dice forma {shape} de {dtype} ({need} bytes) "
                      f"y hay {have} bytes de datos")
        f.seek(offset)
        arr = np.fromfile(f, dtype=dtype, count=math.prod(shape))
    return arr.reshape(shape, order="F" if fortran else "C")
