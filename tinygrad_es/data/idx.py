"""Lector del formato IDX de MNIST / Fashion-MNIST (comprimido con gzip o no).

Cabecera big-endian: dos bytes a cero, el tipo de dato (0x08 = uint8), el número
de dimensiones, y un entero de 4 bytes por dimensión; después, los datos.
Imágenes: número mágico 2051 (3 dimensiones); etiquetas: 2049 (1 dimensión).

El fichero se lee por trozos y nunca más allá de lo que anuncia la cabecera: un
``.gz`` que se infla a cientos de MiB se rechaza en cuanto sobra un byte, sin
descomprimirlo entero.
"""
import gzip
import math
import os
import struct
import zlib

import numpy as np

from .._io import os_error_es

__all__ = ["read_idx", "IDXError", "MAX_IDX_BYTES"]

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MAX_IDX_BYTES = 1 << 30     # 1 GiB de datos: Fashion-MNIST, el mayor del curso, tiene 47 MB
_CHUNK = 1 << 20


class IDXError(ValueError):
    """Fichero IDX dañado, truncado o de otro tipo."""


def _open(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head == b"\x1f\x8b":
        return gzip.open(path, "rb"), True
    return open(path, "rb"), False


def _read_exact(f, n: int) -> bytearray:
    """Hasta ``n`` bytes por trozos (menos sólo si el fichero se acaba): la memoria crece con
    lo que de verdad hay, no con lo que promete una cabecera."""
    buf = bytearray()
    while len(buf) < n:
        chunk = f.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return buf


def read_idx(path, expect_magic=None, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Lee un fichero IDX y devuelve un ndarray con su forma (p. ej. N×28×28 uint8).

    ``expect_magic`` (2051 imágenes, 2049 etiquetas) comprueba el tipo de fichero;
    ``max_bytes`` limita el tamaño de los datos que anuncia la cabecera.
    """
    name = os.path.basename(str(path))
    gz = False
    try:
        f, gz = _open(path)
        with f:
            head = _read_exact(f, 4)
            if len(head) < 4:
                raise IDXError(f"'{name}' está vacío o truncado ({len(head)} bytes): no tiene cabecera IDX")
            magic = struct.unpack(">I", head)[0]
            zero, dtype_code, ndim = head[0:2], head[2], head[3]
            if zero != b"\x00\x00" or dtype_code not in _DTYPES or ndim == 0:
                raise IDXError(f"'{name}' no es un fichero IDX válido (número mágico {magic})")
            if expect_magic is not None and magic != expect_magic:
                kind = {2051: "imágenes", 2049: "etiquetas"}.get(expect_magic, str(expect_magic))
                raise IDXError(f"'{name}' tiene número mágico {magic}, pero se esperaba {expect_magic} ({kind})")
            dims = _read_exact(f, 4 * ndim)
            if len(dims) < 4 * ndim:
                raise IDXError(f"'{name}' está truncado: la cabecera necesita {4 + 4 * ndim} bytes y hay "
                               f"{4 + len(dims)}")
            shape = struct.unpack(">" + "I" * ndim, dims)
            dt = np.dtype(_DTYPES[dtype_code])
            need = math.prod(shape) * dt.itemsize     # entero de Python: sin desbordamiento
            if need > max_bytes:
                raise IDXError(f"'{name}': la cabecera anuncia forma {shape}, {need} bytes de datos, más que el "
                               f"máximo admitido ({max_bytes} bytes); el fichero está dañado o no es de este curso")
            if not gz:
                have = os.path.getsize(path) - 4 - 4 * ndim
                if have != need:
                    raise IDXError(_size_msg(name, shape, need, have))
            data = _read_exact(f, need)
            if len(data) < need:
                raise IDXError(_size_msg(name, shape, need, len(data)))
            if f.read(1):
                raise IDXError(f"'{name}' está sobredimensionado: la cabecera anuncia forma {shape} ({need} bytes "
                               f"de datos) y el fichero sigue después; se dejó de leer ahí")
    except IDXError:
        raise
    except (zlib.error, gzip.BadGzipFile, EOFError) as e:
        raise IDXError(f"'{name}' es un .gz dañado o truncado: no se puede descomprimir ({_gz_reason(e)})") from None
    except OSError as e:
        raise IDXError(f"no se pudo leer el fichero IDX '{name}': {os_error_es(e)}") from None
    arr = np.frombuffer(data, dtype=dt).reshape(shape)   # sobre el bytearray: sin copia y escribible
    return arr if dt.isnative else arr.astype(dt.newbyteorder("="))


def _size_msg(name, shape, need, have):
    state = "truncado" if have < need else "sobredimensionado"
    return f"'{name}' está {state}: la cabecera anuncia forma {shape} ({need} bytes de datos) y hay {have}"


def _gz_reason(e) -> str:
    if isinstance(e, EOFError):
        return "el flujo comprimido se corta antes de terminar"
    if isinstance(e, gzip.BadGzipFile):
        return f"cabecera gzip no válida: {e}"
    return "datos comprimidos corruptos"
