"""Lectura y escritura de ficheros WAV (RIFF) sin dependencias: PCM de 8, 16, 24 y 32 bits y coma
flotante de 32 y 64 bits, con cualquier número de canales.

Un WAV es una cabecera ``RIFF <tamaño> WAVE`` seguida de trozos ``<id de 4 letras> <tamaño>
<datos>``: ``fmt `` dice cómo están codificadas las muestras (formato, canales, frecuencia, bits) y
``data`` las trae, intercaladas por canal (L R L R…), en little-endian. Los demás trozos (``LIST``,
``fact``…) se saltan.

Un fichero de fuera no se cree: cada tamaño que dice la cabecera se compara con los bytes que hay
de verdad **antes** de leer o reservar memoria, y cada problema (vacío, truncado, otra cosa que no es
WAV, un WAV comprimido) es un ``WavError`` (un ``RuntimeError``, como en torchaudio) con un mensaje
en español que dice qué le pasa al fichero.
"""
from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass

import numpy as np

__all__ = ["WavError", "AudioFileNotFound", "WavInfo", "read_info", "read_frames", "write_wav", "ENCODINGS"]

ENCODINGS = ("PCM_S", "PCM_U", "PCM_F")
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
_COMPRESSED = {2: "ADPCM de Microsoft", 6: "A-law", 7: "μ-law", 0x11: "IMA ADPCM", 0x31: "GSM 6.10",
               0x40: "G.721", 0x50: "MPEG", 0x55: "MP3", 0xFF: "AAC", 0x161: "WMA", 0x1610: "AAC (HE)",
               0xF1AC: "FLAC"}
# firmas de otros formatos de audio, para decir qué es el fichero en lugar de "no es WAV"
_MAGIC = [(b"ID3", "MP3"), (b"\xff\xfb", "MP3"), (b"\xff\xf3", "MP3"), (b"\xff\xf2", "MP3"), (b"fLaC", "FLAC"),
          (b"OggS", "Ogg (Vorbis/Opus)"), (b"FORM", "AIFF"), (b"caff", "CAF"), (b"\x1aE\xdf\xa3", "WebM/Matroska"),
          (b"\xff\xf1", "AAC"), (b"\xff\xf9", "AAC"), (b"#!AMR", "AMR")]
_MAX_CHUNKS = 4096          # trozos que se recorren antes de rendirse (un fichero hostil no nos entretiene)
_MAX_FMT = 1 << 16          # un trozo fmt de verdad ocupa 16, 18 o 40 bytes
_STREAMING = 0xFFFFFFFF     # tamaño "desconocido" que escriben algunos grabadores: hasta el final
_CHUNK = 1 << 20


class WavError(RuntimeError):
    """El fichero no es un WAV que se pueda leer (o no se puede escribir); el mensaje dice por qué."""


class AudioFileNotFound(FileNotFoundError, RuntimeError):
    """No existe el fichero (es ``FileNotFoundError`` y, como en torchaudio, ``RuntimeError``)."""


@dataclass
class WavInfo:
    """Lo que dice la cabecera, ya comprobado contra el tamaño del fichero."""
    sample_rate: int
    num_channels: int
    bits_per_sample: int
    encoding: str          # PCM_S, PCM_U o PCM_F
    num_frames: int
    data_offset: int       # desde el principio del fichero (o del flujo)
    block_align: int

    @property
    def dtype(self) -> np.dtype:
        """dtype nativo de numpy de una muestra (24 bits se leen a int32)."""
        if self.encoding == "PCM_F":
            return np.dtype("<f4" if self.bits_per_sample == 32 else "<f8")
        return np.dtype({8: "u1", 16: "<i2", 24: "<i4", 32: "<i4"}[self.bits_per_sample])


def _name(src) -> str:
    return repr(os.fspath(src)) if isinstance(src, (str, os.PathLike)) else "el flujo de audio"


class _Source:
    """Un fichero o un objeto con ``read`` (BytesIO, respuesta HTTP...), leído con cuidado: se sabe
    cuántos bytes quedan si el objeto lo permite y nunca se lee más de lo pedido."""

    def __init__(self, src):
        self.label = _name(src)
        self.owned = False
        if isinstance(src, (str, os.PathLike)):
            path = os.fspath(src)
            if not os.path.exists(path):
                raise AudioFileNotFound(2, "no existe el fichero de audio", path)
            if os.path.isdir(path):
                raise WavError(f"{self.label} es una carpeta, no un fichero de audio")
            try:
                self.f = open(path, "rb")
            except OSError as e:
                raise WavError(f"no se puede abrir {self.label}: {e.strerror or e}") from None
            self.owned = True
        elif hasattr(src, "read"):
            self.f = src
        elif isinstance(src, (bytes, bytearray, memoryview)):
            self.f = io.BytesIO(bytes(src))
        else:
            raise TypeError(f"se esperaba la ruta de un fichero o un objeto con read(), no {type(src).__name__}")
        self.pos = 0
        self.size = self._size()

    def _size(self):
        try:
            cur = self.f.tell()
            end = self.f.seek(0, os.SEEK_END)
            self.f.seek(cur)
            self.pos = cur
            return end - cur
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return None

    def read(self, n: int, what: str) -> bytes:
        if self.size is None and n > _CHUNK:
            # tamaño desconocido (un flujo): por trozos, para no reservar lo que la cabecera diga
            parts, got = [], 0
            while got < n:
                b = self.f.read(min(_CHUNK, n - got))
                if not b:
                    break
                parts.append(b)
                got += len(b)
            b = b"".join(parts)
        else:
            b = self.f.read(n)
        if b is None:
            b = b""
        self.pos += len(b)
        if len(b) < n:
            raise WavError(f"{self.label} está truncado: faltan bytes en {what} (se esperaban {n} y hay {len(b)})")
        return bytes(b)

    def skip(self, n: int, what: str) -> None:
        if self.size is not None:
            if self.pos + n > self.size:
                raise WavError(f"{self.label} está truncado: el trozo {what} dice ocupar {n} bytes y sólo quedan "
                               f"{self.size - self.pos}")
            self.f.seek(n, os.SEEK_CUR)
            self.pos += n
            return
        while n:   # un flujo sin seek: se lee y se tira, en trozos
            k = min(n, 1 << 16)
            self.read(k, what)
            n -= k

    def remaining(self):
        return None if self.size is None else self.size - self.pos

    def close(self):
        if self.owned:
            self.f.close()


def _not_wav(head: bytes, label: str) -> WavError:
    for magic, fmt in _MAGIC:
        if head.startswith(magic) or (fmt == "MP3" and head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")):
            return WavError(f"{label} es {fmt}, un formato comprimido: tinygrad_es sólo lee WAV (PCM o coma "
                            f"flotante). Conviértelo antes, p. ej. con  ffmpeg -i entrada -ar 16000 salida.wav")
    if head[4:8] == b"ftyp":
        return WavError(f"{label} es MP4/M4A (AAC), un formato comprimido: tinygrad_es sólo lee WAV. "
                        f"Conviértelo antes, p. ej. con  ffmpeg -i entrada.m4a salida.wav")
    if head[:4] == b"RIFX":
        return WavError(f"{label} es un WAV big-endian (RIFX), que no está soportado")
    if head[:4] in (b"RF64", b"BW64"):
        return WavError(f"{label} es un WAV de más de 4 GB (RF64), que no está soportado")
    if head[:4] == b"RIFF":
        return WavError(f"{label} es un fichero RIFF pero no WAVE (es {head[8:12]!r}): no es audio WAV")
    return WavError(f"{label} no es un fichero WAV: empieza por {head[:12]!r} en lugar de 'RIFF....WAVE'")


def _parse_fmt(b: bytes, label: str):
    code, channels, rate, _byte_rate, align, bits = struct.unpack_from("<HHIIHH", b)
    if code == _EXTENSIBLE:
        if len(b) < 40:
            raise WavError(f"{label}: el trozo fmt dice WAVE_FORMAT_EXTENSIBLE pero sólo tiene {len(b)} bytes (40)")
        code = struct.unpack_from("<H", b, 24)[0]   # los 2 primeros bytes del GUID del subformato
    if code in _COMPRESSED:
        raise WavError(f"{label} es un WAV comprimido ({_COMPRESSED[code]}): tinygrad_es sólo lee PCM y coma "
                       f"flotante. Conviértelo antes, p. ej. con  ffmpeg -i entrada.wav -c:a pcm_s16le salida.wav")
    if code not in (_PCM, _FLOAT):
        raise WavError(f"{label}: formato de WAV desconocido (código {code:#06x}); sólo se leen PCM (1) y coma "
                       f"flotante (3)")
    if channels < 1:
        raise WavError(f"{label}: la cabecera dice {channels} canales")
    if rate < 1:
        raise WavError(f"{label}: la cabecera dice una frecuencia de muestreo de {rate} Hz")
    if code == _PCM and bits not in (8, 16, 24, 32):
        raise WavError(f"{label}: PCM de {bits} bits no soportado (sólo 8, 16, 24 y 32)")
    if code == _FLOAT and bits not in (32, 64):
        raise WavError(f"{label}: coma flotante de {bits} bits no soportada (sólo 32 y 64)")
    if align != channels * bits // 8:
        raise WavError(f"{label}: cabecera incoherente: {channels} canal(es) de {bits} bits ocupan "
                       f"{channels * bits // 8} bytes por muestra, pero block_align dice {align}")
    enc = "PCM_F" if code == _FLOAT else ("PCM_U" if bits == 8 else "PCM_S")
    return channels, rate, bits, enc, align


def _read_header(s: _Source) -> WavInfo:
    head = s.f.read(12)
    head = b"" if head is None else bytes(head)
    s.pos += len(head)
    if not head:
        raise WavError(f"{s.label} está vacío (0 bytes)")
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        if len(head) < 12 and b"RIFF".startswith(head[:4]) and b"WAVE".startswith(head[8:12]):
            raise WavError(f"{s.label} está truncado: sólo tiene {len(head)} bytes de la cabecera RIFF (12)")
        raise _not_wav(head, s.label)
    fmt = None
    for _ in range(_MAX_CHUNKS):
        rem = s.remaining()
        if rem == 0:
            break
        hdr = s.f.read(8)
        hdr = b"" if hdr is None else bytes(hdr)
        s.pos += len(hdr)
        if len(hdr) == 0:
            break
        if len(hdr) < 8:
            raise WavError(f"{s.label} está truncado: un trozo RIFF se corta en su cabecera")
        cid, size = hdr[:4], struct.unpack("<I", hdr[4:])[0]
        if cid == b"fmt ":
            if not 16 <= size <= _MAX_FMT:
                raise WavError(f"{s.label}: el trozo fmt dice ocupar {size} bytes (debe estar entre 16 y {_MAX_FMT})")
            if rem is not None and size > rem - 8:
                raise WavError(f"{s.label} está truncado: el trozo fmt dice ocupar {size} bytes y sólo quedan {rem - 8}")
            fmt = _parse_fmt(s.read(size, "el trozo fmt"), s.label)
            if size % 2:
                s.skip(1, "fmt (relleno)")
        elif cid == b"data":
            if fmt is None:
                raise WavError(f"{s.label}: el trozo data aparece antes que fmt: no se sabe cómo leer las muestras")
            channels, rate, bits, enc, align = fmt
            left = s.remaining()
            if size == _STREAMING and left is not None:
                size = left - left % align
            elif left is not None and size > left:
                raise WavError(f"{s.label} está truncado o su cabecera miente: dice que hay {size} bytes de audio "
                               f"({size // align} muestras) y el fichero sólo tiene {left} después de la cabecera")
            return WavInfo(rate, channels, bits, enc, size // align, s.pos, align)
        else:
            s.skip(size + size % 2, repr(cid.decode("latin-1")))
    if fmt is None:
        raise WavError(f"{s.label} no tiene trozo fmt: no es un WAV válido")
    raise WavError(f"{s.label} no tiene trozo data: el fichero no trae muestras (¿truncado?)")


def read_info(src) -> WavInfo:
    """La cabecera de ``src`` (ruta u objeto con ``read``), comprobada."""
    s = _Source(src)
    try:
        return _read_header(s)
    finally:
        s.close()


def _decode(raw: bytes, info: WavInfo) -> np.ndarray:
    """bytes → (frames, canales) en el dtype nativo (24 bits: int32 con los datos en los bits altos,
    como los devuelve torchaudio)."""
    C = info.num_channels
    if info.bits_per_sample == 24:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.uint32)
        v = (b[:, 0] << 8) | (b[:, 1] << 16) | (b[:, 2] << 24)
        return v.view(np.int32).reshape(-1, C)
    return np.frombuffer(raw, dtype=info.dtype).astype(info.dtype.newbyteorder("="), copy=True).reshape(-1, C)


def read_frames(src, frame_offset: int = 0, num_frames: int = -1):
    """(muestras (frames, canales) en el dtype nativo, ``WavInfo``) leyendo sólo lo pedido."""
    s = _Source(src)
    try:
        info = _read_header(s)
        start = min(frame_offset, info.num_frames)
        count = info.num_frames - start if num_frames < 0 else min(num_frames, info.num_frames - start)
        s.skip(start * info.block_align, "data")
        raw = s.read(count * info.block_align, "el trozo data")
    finally:
        s.close()
    return _decode(raw, info), info


def _header(channels: int, rate: int, bits: int, encoding: str, nbytes: int) -> bytes:
    code = _FLOAT if encoding == "PCM_F" else _PCM
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", code, channels, rate, rate * align, align, bits)
    pad = nbytes % 2
    riff = 4 + (8 + len(fmt)) + (8 + nbytes + pad)
    return (b"RIFF" + struct.pack("<I", riff) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", nbytes))


def write_wav(dst, frames: np.ndarray, rate: int, bits: int, encoding: str) -> None:
    """Escribe ``frames`` (frames, canales), ya en el dtype de destino (u1, <i2, <i4 con 24 bits en los
    bits altos, <f4, <f8), en ``dst`` (ruta u objeto con ``write``)."""
    n, C = frames.shape
    if bits == 24:
        v = frames.astype("<i4").view(np.uint32).reshape(-1) >> 8
        raw = np.stack([v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF], axis=1).astype(np.uint8).tobytes()
    else:
        raw = np.ascontiguousarray(frames).tobytes()
    if len(raw) + 44 > 0xFFFFFFFF:
        raise WavError(f"el audio ocupa {len(raw)} bytes: un WAV no puede pasar de 4 GB")
    data = _header(C, rate, bits, encoding, len(raw)) + raw + (b"\0" if len(raw) % 2 else b"")
    if hasattr(dst, "write"):
        dst.write(data)
        return
    with open(os.fspath(dst), "wb") as f:
        f.write(data)
