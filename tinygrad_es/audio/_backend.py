"""``load``, ``save`` e ``info`` con los nombres, argumentos y resultados de torchaudio, sobre el
lector de WAV de ``wav.py``.

Conversión de las muestras (la de torchaudio): con ``normalize=True`` todo se devuelve en float32 en
[−1, 1): PCM de 16 bits ÷ 2¹⁵, de 24 bits ÷ 2²³, de 32 bits ÷ 2³¹ y el de 8 bits (sin signo)
(v − 128) ÷ 2⁷. Con ``normalize=False`` se devuelve el tipo nativo: uint8, int16, int32 (los 24 bits
en los bits altos de un int32, como torchaudio) o el flotante del fichero. ``save`` hace lo inverso
(redondeo y recorte a [−1, 1]), así que cargar y volver a guardar con los mismos bits da los mismos
bytes (salvo PCM de 32 bits pasando por float32, que no tiene bits suficientes: usa
``normalize=False``).
"""
from __future__ import annotations

import os
import warnings

import numpy as np

from .._tensor.creation import tensor
from ..autograd import TensorBase
from .wav import ENCODINGS, AudioFileNotFound, WavError, read_frames, read_info, write_wav

__all__ = ["load", "save", "info", "AudioMetaData", "list_audio_backends", "WavError", "AudioFileNotFound"]

_SCALE = {8: 128.0, 16: 32768.0, 24: 2.0 ** 31, 32: 2.0 ** 31}   # 24 bits vienen ya en los bits altos


class AudioMetaData:
    """Lo que ``info`` sabe de un fichero (como ``torchaudio.AudioMetaData``)."""

    def __init__(self, sample_rate: int, num_frames: int, num_channels: int, bits_per_sample: int, encoding: str):
        self.sample_rate = sample_rate
        self.num_frames = num_frames
        self.num_channels = num_channels
        self.bits_per_sample = bits_per_sample
        self.encoding = encoding

    def __repr__(self):
        return (f"AudioMetaData(sample_rate={self.sample_rate}, num_frames={self.num_frames}, "
                f"num_channels={self.num_channels}, bits_per_sample={self.bits_per_sample}, "
                f"encoding={self.encoding})")

    def __eq__(self, other):
        return isinstance(other, AudioMetaData) and vars(self) == vars(other)


def list_audio_backends() -> list:
    """Los "backends" disponibles: el lector de WAV propio (torchaudio da p. ej. ['ffmpeg', 'soundfile'])."""
    return ["wav"]


def _check_format(format, uri, op):
    if format is not None:
        if str(format).lower() not in ("wav", "wave"):
            raise RuntimeError(f"{op}: formato {format!r} no soportado: tinygrad_es sólo lee y escribe WAV")
        return
    if isinstance(uri, (str, os.PathLike)):
        ext = os.path.splitext(os.fspath(uri))[1].lower()
        if op == "save" and ext not in (".wav", ".wave"):
            raise RuntimeError(f"save: tinygrad_es sólo escribe WAV y el nombre {os.fspath(uri)!r} tiene la "
                               f"extensión {ext or '(ninguna)'!r}; usa .wav o format='wav'")


def info(uri, format=None, buffer_size=4096, backend=None) -> AudioMetaData:
    """Frecuencia, número de muestras y de canales, bits y codificación de un WAV sin leer el audio.

    >>> tinygrad_es.audio.info("0_jackson_0.wav")
    AudioMetaData(sample_rate=8000, num_frames=4670, num_channels=1, bits_per_sample=16, encoding=PCM_S)
    """
    _check_format(format, uri, "info")
    h = read_info(uri)
    return AudioMetaData(h.sample_rate, h.num_frames, h.num_channels, h.bits_per_sample, h.encoding)


def _int_arg(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"load: {name} debe ser un entero, no {v!r}")
    return int(v)


def load(uri, frame_offset=0, num_frames=-1, normalize=True, channels_first=True, format=None,
         buffer_size=4096, backend=None):
    """Lee un WAV: devuelve ``(waveform, sample_rate)`` con ``waveform`` de forma ``(canales, muestras)``
    (``(muestras, canales)`` con ``channels_first=False``), como ``torchaudio.load``.

    ``normalize=True`` (por defecto) da float32 en [−1, 1]; ``False``, el tipo entero nativo.
    ``frame_offset`` y ``num_frames`` leen sólo un trozo (sin cargar el resto). ``uri`` es una ruta o
    un objeto con ``read`` (``io.BytesIO``...). Un fichero que no es WAV, comprimido, vacío o
    truncado da un ``RuntimeError`` que lo explica.

    >>> waveform, sr = tinygrad_es.audio.load("0_jackson_0.wav")
    >>> waveform.shape, sr          # (Size([1, 4670]), 8000)
    """
    _check_format(format, uri, "load")
    frame_offset = _int_arg(frame_offset, "frame_offset")
    num_frames = _int_arg(num_frames, "num_frames")
    if frame_offset < 0:
        raise ValueError(f"load: frame_offset debe ser ≥ 0, pero vale {frame_offset}")
    if num_frames == 0 or num_frames < -1:
        raise ValueError(f"load: num_frames debe ser −1 (todo) o > 0, pero vale {num_frames}")
    frames, h = read_frames(uri, frame_offset, num_frames)
    if normalize:
        if h.encoding == "PCM_F":
            out = frames.astype(np.float32)
        elif h.bits_per_sample == 8:
            out = ((frames.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
        else:
            out = (frames.astype(np.float64) / _SCALE[h.bits_per_sample]).astype(np.float32)
    else:
        out = frames
    if channels_first:
        out = np.ascontiguousarray(out.T)
    return tensor(out), h.sample_rate


# dtype de la entrada → (codificación, bits) por defecto, como torchaudio
_DEFAULTS = {np.dtype(np.float32): ("PCM_F", 32), np.dtype(np.float64): ("PCM_F", 32),
             np.dtype(np.int32): ("PCM_S", 32), np.dtype(np.int16): ("PCM_S", 16), np.dtype(np.uint8): ("PCM_U", 8)}
_VALID = {"PCM_S": (16, 24, 32), "PCM_U": (8,), "PCM_F": (32, 64)}
_NATIVE_BITS = {np.dtype(np.int32): 32, np.dtype(np.int16): 16, np.dtype(np.uint8): 8}


def _to_encoding(a: np.ndarray, encoding: str, bits: int) -> np.ndarray:
    """Muestras (frames, canales) → el dtype de escritura (24 bits: en los bits altos de un int32)."""
    if encoding == "PCM_F":
        return a.astype("<f4" if bits == 32 else "<f8")
    if a.dtype.kind == "f":
        bad = ~np.isfinite(a)
        if bad.any():
            raise ValueError(f"save: la señal tiene {int(bad.sum())} valores NaN o infinitos: no se pueden escribir "
                             f"como PCM entero")
        clipped = int(np.count_nonzero((a < -1.0) | (a > 1.0)))
        if clipped:
            warnings.warn(f"save: {clipped} muestras fuera de [−1, 1] se recortan al escribir PCM de {bits} bits",
                          UserWarning, stacklevel=3)
        full = 2.0 ** (bits - 1)
        v = np.clip(np.round(a.astype(np.float64) * full), -full, full - 1)
        if bits == 24:
            v = v * 256   # en los bits altos de un int32, como los lee load(normalize=False)
        if bits == 8:
            return (v + 128).astype(np.uint8)
        return v.astype("<i2" if bits == 16 else "<i4")
    # entero → entero: desplazar los bits (sin pérdida al ensanchar)
    src_bits = _NATIVE_BITS[a.dtype]
    v = a.astype(np.int64)
    if a.dtype == np.uint8:
        v = v - 128
    dst_bits = 32 if bits == 24 else bits
    v = v << (dst_bits - src_bits) if dst_bits >= src_bits else v >> (src_bits - dst_bits)
    if bits == 24:
        v = (v >> 8) << 8
    if bits == 8:
        return (v + 128).astype(np.uint8)
    return v.astype("<i2" if bits == 16 else "<i4")


def save(uri, src, sample_rate, channels_first=True, format=None, encoding=None, bits_per_sample=None,
         buffer_size=4096, backend=None, compression=None) -> None:
    """Escribe ``src`` ``(canales, muestras)`` como WAV (como ``torchaudio.save``).

    Por defecto la codificación sale del dtype: float32 → coma flotante de 32 bits, int16 → PCM de
    16 bits, int32 → 32 bits, uint8 → 8 bits sin signo. ``encoding`` ("PCM_S", "PCM_U", "PCM_F") y
    ``bits_per_sample`` (8, 16, 24, 32, 64) la cambian; un float pasa a PCM entero multiplicando por
    2^(bits−1), redondeando y recortando a [−1, 1].

    >>> tinygrad_es.audio.save("copia.wav", waveform, 8000, encoding="PCM_S", bits_per_sample=16)
    """
    _check_format(format, uri, "save")
    if compression is not None:
        raise RuntimeError("save: compression no tiene sentido en WAV (PCM sin comprimir)")
    if isinstance(src, TensorBase):
        if src.requires_grad:
            src = src.detach()
        a = src._data
    elif isinstance(src, np.ndarray):
        a = src
    else:
        raise TypeError(f"save: src debe ser un tensor (canales, muestras), no {type(src).__name__}")
    if a.ndim != 2:
        raise ValueError(f"save: se esperaba un tensor 2D (canales, muestras), pero tiene forma {tuple(a.shape)}; "
                         f"para una señal 1D usa x.unsqueeze(0)")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or not 0 < sample_rate < 2 ** 32:
        raise ValueError(f"save: sample_rate debe ser un entero positivo (Hz), no {sample_rate!r}")
    if a.dtype not in _DEFAULTS:
        raise ValueError(f"save: dtype {a.dtype} no soportado; usa float32, float64, int32, int16 o uint8")
    frames = a.T if channels_first else a
    if frames.shape[1] < 1:
        raise ValueError("save: la señal no tiene canales")
    enc, bits = _DEFAULTS[a.dtype]
    if encoding is not None:
        if encoding not in ENCODINGS:
            raise ValueError(f"save: encoding {encoding!r} no soportado en WAV; usa {', '.join(ENCODINGS)}")
        if encoding != enc:
            enc, bits = encoding, {"PCM_S": 16, "PCM_U": 8, "PCM_F": 32}[encoding]
    if bits_per_sample is not None:
        bits = bits_per_sample
        if encoding is None:   # sólo bits: la familia sale de los bits, como torchaudio
            enc = "PCM_U" if bits == 8 else ("PCM_F" if enc == "PCM_F" and bits in (32, 64) else "PCM_S")
    if bits not in _VALID[enc]:
        raise ValueError(f"save: {enc} con {bits} bits no existe en WAV; {enc} admite {_VALID[enc]} bits")
    write_wav(uri, _to_encoding(np.asarray(frames), enc, bits), int(sample_rate), bits, enc)
