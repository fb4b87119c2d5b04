"""Leer y escribir imágenes PNG/JPEG como tensores uint8 (C, H, W), como ``torchvision.io``.

>>> from tinygrad_es.vision.io import read_image, ImageReadMode
>>> img = read_image("gato.jpg", mode=ImageReadMode.RGB)     # uint8, forma (3, alto, ancho)

Se decodifica con Pillow. Antes de reservar memoria se comprueba el tamaño que anuncia la cabecera
(``MAX_PIXELS``); un fichero truncado, vacío, dañado o de otro formato da un ``RuntimeError`` en
español que lo dice (la misma clase que torchvision).
"""
from __future__ import annotations

import io as _io
import os
from enum import Enum

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ._tensors import Tensor, from_numpy

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "decode_png", "decode_jpeg", "read_image",
           "encode_png", "encode_jpeg", "write_png", "write_jpeg", "MAX_PIXELS"]

MAX_PIXELS = 1 << 27        # 134 M píxeles: una cabecera que anuncia más es un fichero dañado o malicioso
MAX_FILE_BYTES = 1 << 30


class ImageReadMode(Enum):
    """Cómo convertir al leer: ``UNCHANGED`` (como está), ``GRAY``, ``GRAY_ALPHA``, ``RGB``, ``RGB_ALPHA``."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = 4


_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
             ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path) -> Tensor:
    """Los bytes del fichero como tensor uint8 de una dimensión."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise RuntimeError(f"no existe el fichero '{path}'" if not os.path.exists(path)
                           else f"'{path}' es una carpeta, no un fichero")
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise RuntimeError(f"'{path}' mide {size} bytes, más que el máximo admitido ({MAX_FILE_BYTES})")
    with open(path, "rb") as f:
        data = f.read()
    return from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data) -> None:
    """Escribe los bytes de un tensor uint8 1-D en ``filename``."""
    a = _bytes_of(data, "write_file")
    with open(os.fspath(filename), "wb") as f:
        f.write(a)


def _bytes_of(data, who) -> bytes:
    if isinstance(data, Tensor):
        a = data.detach().numpy()
        if a.dtype != np.uint8 or a.ndim != 1:
            raise RuntimeError(f"{who} espera un tensor uint8 de una dimensión con los bytes del fichero; recibió "
                               f"{data.dtype} con forma {tuple(a.shape)}")
        return a.tobytes()
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    raise TypeError(f"{who} espera un tensor uint8 1-D (p. ej. de read_file), no {type(data).__name__}")


def _kind(raw: bytes) -> str:
    if raw[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if raw[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if raw[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "webp"
    return ""


def _decode(raw: bytes, mode, apply_exif_orientation: bool, who: str, expect: str | None = None) -> Tensor:
    if isinstance(mode, int) and not isinstance(mode, bool):
        mode = ImageReadMode(mode)
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"mode debe ser un ImageReadMode (p. ej. ImageReadMode.RGB), no {mode!r}")
    if not raw:
        raise RuntimeError(f"{who}: el fichero está vacío (0 bytes)")
    kind = _kind(raw)
    if not kind:
        raise RuntimeError(f"{who}: formato de imagen no reconocido (sólo se admiten PNG, JPEG, GIF y WebP)")
    if expect is not None and kind != expect:
        raise RuntimeError(f"{who}: los datos son {kind.upper()}, no {expect.upper()}")
    try:
        img = Image.open(_io.BytesIO(raw))
        w, h = img.size
        if w <= 0 or h <= 0 or w * h > MAX_PIXELS:
            raise RuntimeError(f"{who}: la cabecera anuncia {w}×{h} píxeles, fuera de lo admitido (máximo "
                               f"{MAX_PIXELS}): fichero dañado o malicioso")
        img.load()
    except RuntimeError:
        raise
    except UnidentifiedImageError:
        raise RuntimeError(f"{who}: la imagen {kind.upper()} está dañada (Pillow no reconoce su cabecera)") from None
    except Image.DecompressionBombError:
        raise RuntimeError(f"{who}: la cabecera anuncia una imagen demasiado grande para decodificarla (más de "
                           f"{2 * Image.MAX_IMAGE_PIXELS} píxeles): fichero dañado o bomba de descompresión") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        if "truncat" in str(e).lower() or "broken data stream" in str(e) or isinstance(e, EOFError):
            raise RuntimeError(f"{who}: la imagen {kind.upper()} está truncada: el fichero se corta antes del final "
                               f"({len(raw)} bytes)") from None
        raise RuntimeError(f"{who}: la imagen {kind.upper()} está dañada y no se puede decodificar ({e})") from None
    if apply_exif_orientation:
        img = ImageOps.exif_transpose(img)
    if mode in _PIL_MODE:
        img = img.convert(_PIL_MODE[mode])
    elif img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif img.mode in ("1", "CMYK", "YCbCr"):
        img = img.convert("L" if img.mode == "1" else "RGB")
    elif img.mode.startswith("I;16"):
        img = img.convert("I")
    a = np.asarray(img)
    if a.ndim == 2:
        a = a[:, :, None]
    return from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def _raw_from(input, who) -> bytes:
    if isinstance(input, (str, os.PathLike)):
        return _bytes_of(read_file(input), who)
    return _bytes_of(input, who)


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:
    """Decodifica una imagen (los bytes de ``read_file``, o una ruta) a un tensor uint8 (C, H, W)."""
    return _decode(_raw_from(input, "decode_image"), mode, apply_exif_orientation, "decode_image")


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:
    return _decode(_bytes_of(input, "decode_png"), mode, apply_exif_orientation, "decode_png", expect="png")


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu", apply_exif_orientation: bool = False) -> Tensor:
    return _decode(_bytes_of(input, "decode_jpeg"), mode, apply_exif_orientation, "decode_jpeg", expect="jpeg")


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:
    """Lee un PNG/JPEG como tensor uint8 (C, H, W); ``mode`` convierte a gris o RGB.
    Equivale a ``torchvision.io.read_image``."""
    raw = _bytes_of(read_file(path), "read_image")
    return _decode(raw, mode, apply_exif_orientation, f"read_image('{os.fspath(path)}')")


def _to_pil(input, who):
    if not isinstance(input, Tensor):
        raise TypeError(f"{who} espera un tensor uint8 (C, H, W), no {type(input).__name__}")
    a = input.detach().numpy()
    if a.dtype != np.uint8 or a.ndim != 3 or a.shape[0] not in (1, 3):
        raise RuntimeError(f"{who} espera un tensor uint8 (C, H, W) con 1 o 3 canales; recibió {input.dtype} con "
                           f"forma {tuple(a.shape)}")
    a = np.ascontiguousarray(a.transpose(1, 2, 0))
    return Image.fromarray(a[:, :, 0] if a.shape[2] == 1 else a)


def encode_png(input, compression_level: int = 6) -> Tensor:
    if not 0 <= compression_level <= 9:
        raise ValueError(f"compression_level debe estar entre 0 y 9, no {compression_level}")
    buf = _io.BytesIO()
    _to_pil(input, "encode_png").save(buf, format="PNG", compress_level=compression_level)
    return from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_jpeg(input, quality: int = 75) -> Tensor:
    if not 1 <= quality <= 100:
        raise ValueError(f"quality debe estar entre 1 y 100, no {quality}")
    buf = _io.BytesIO()
    _to_pil(input, "encode_jpeg").save(buf, format="JPEG", quality=quality)
    return from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_png(input, filename, compression_level: int = 6) -> None:
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input, filename, quality: int = 75) -> None:
    write_file(filename, encode_jpeg(input, quality))

