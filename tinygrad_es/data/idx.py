"""Lector del formato IDX de MNIST / Fashion-MNIST (comprimido con gzip o no).

Cabecera big-endian: dos bytes a cero, el tipo de dato (0x08 = uint8), el número
de dimensiones, y un entero de 4 bytes por dimensión; después, los datos.
Imágenes: número mágico 2051 (3 dimensiones); etiquetas: 2049 (1 dimensión).
"""
import gzip
import os
import struct

import numpy as np

__all__ = ["read_idx", "IDXError"]

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IDXError(ValueError):
    """Fichero IDX dañado, truncado o de otro tipo."""


def _open(path):
    with open(path, "rb") as f:
        head = f.read(2)
    if head == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_idx(path, expect_magic=None) -> np.ndarray:
    """Lee un fichero IDX y devuelve un ndarray con su forma (p. ej. N×28×28 uint8).

    ``expect_magic`` (2051 imágenes, 2049 etiquetas) comprueba el tipo de fichero.
    """
    name = os.path.basename(str(path))
    try:
        with _open(path) as f:
            raw = f.read()
    except (OSError, EOFError) as e:
        raise IDXError(f"no se pudo leer el fichero IDX '{name}': {e}") from None
    if len(raw) < 4:
        raise IDXError(f"'{name}' está vacío o truncado ({len(raw)} bytes): no tiene cabecera IDX")
    magic = struct.unpack(">I", raw[:4])[0]
    zero, dtype_code, ndim = raw[0:2], raw[2], raw[3]
    if zero != b"\x00\x00" or dtype_code not in _DTYPES or ndim == 0:
        raise IDXError(f"'{name}' no es un fichero IDX válido (número mágico {magic})")
    if expect_magic is not None and magic != expect_magic:
        kind = {2051: "imágenes", 2049: "etiquetas"}.get(expect_magic, str(expect_magic))
        raise IDXError(f"'{name}' tiene número mágico {magic}, pero se esperaba {expect_magic} ({kind})")
    hdr = 4 + 4 * ndim
    if len(raw) < hdr:
        raise IDXError(f"'{name}' está truncado: la cabecera necesita {hdr} bytes y hay {len(raw)}")
    shape = struct.unpack(">" + "I" * ndim, raw[4:hdr])
    dt = np.dtype(_DTYPES[dtype_code])
    need = int(np.prod(shape)) * dt.itemsize
    have = len(raw) - hdr
    if have != need:
        raise IDXError(f"'{name}' está {'truncado' if have < need else 'sobredimensionado'}: la cabecera "
                       f"anuncia forma {shape} ({need} bytes de datos) y hay {have}")
    return np.frombuffer(raw, dtype=dt, offset=hdr).reshape(shape).astype(dt.newbyteorder("="), copy=True)
