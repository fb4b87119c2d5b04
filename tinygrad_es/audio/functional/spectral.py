"""Espectros (como ``torchaudio.functional``): ``spectrogram`` y su inversa, Griffin-Lim, decibelios,
deltas, centroide espectral y el vocoder de fase (``TimeStretch``). Todo con gradiente: se compone de
``stft``/``istft`` y operaciones de tensores."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._tensor.creation import rand, tensor, zeros
from ..._tensor.joins import cat
from ..._tensor.complex import polar
from ...nn import functional as F
from ._common import _signal

__all__ = ['spectrogram', 'inverse_spectrogram', 'griffinlim', 'amplitude_to_DB', 'DB_to_amplitude', 'compute_deltas', 'spectral_centroid', 'phase_vocoder']


def _get_spec_norms(normalized):
    """``normalized`` → (normalizar por la longitud de la trama, normalizar por la ventana)."""
    if isinstance(normalized, str):
        if normalized not in ("frame_length", "window"):
            raise ValueError(f"normalized debe ser True, False, 'window' o 'frame_length', no {normalized!r}")
        return normalized == "frame_length", normalized == "window"
    if isinstance(normalized, (bool, np.bool_)):
        return False, bool(normalized)
    raise TypeError(f"normalized debe ser bool o str, no {type(normalized).__name__}")


def spectrogram(waveform, pad, window, n_fft, hop_length, win_length, power, normalized, center=True,
                pad_mode="reflect", onesided=True, return_complex=None):
    """Espectrograma ``(..., n_fft//2 + 1, T)`` de ``waveform`` ``(..., tiempo)`` (como torchaudio):
    |STFT|^power, o la STFT compleja con ``power=None``.

    ``normalized``: ``True``/"window" divide por √Σw² (la energía de la ventana), "frame_length" por
    √n_fft. ``pad`` rellena con ceros a los dos lados antes de todo.
    """
    x = _signal(waveform, "spectrogram")
    if return_complex is not None:
        warnings.warn("spectrogram: return_complex está obsoleto y no tiene efecto; con power=None el resultado "
                      "ya es complejo", UserWarning, stacklevel=2)
    if power is not None and not power > 0:
        raise ValueError(f"spectrogram: power debe ser > 0 o None, no {power!r}")
    if pad > 0:
        x = F.pad(x, (pad, pad), "constant")
    frame_norm, window_norm = _get_spec_norms(normalized)
    shape = tuple(x.shape)
    x = x.reshape(-1, shape[-1])
    spec = x.stft(n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center,
                  pad_mode=pad_mode, normalized=frame_norm, onesided=onesided, return_complex=True)
    spec = spec.reshape(shape[:-1] + tuple(spec.shape[-2:]))
    if window_norm:
        spec = spec / window.pow(2.0).sum().sqrt()
    if power is not None:
        return spec.abs() if power == 1.0 else spec.abs().pow(power)
    return spec


def inverse_spectrogram(spectrogram, length, pad, window, n_fft, hop_length, win_length, normalized, center=True,
                        pad_mode="reflect", onesided=True):
    """Inversa de ``spectrogram(power=None)``: la señal ``(..., tiempo)`` por mínimos cuadrados."""
    S = _signal(spectrogram, "inverse_spectrogram", 2)
    frame_norm, window_norm = _get_spec_norms(normalized)
    if not S.is_complex():
        raise ValueError("inverse_spectrogram: el espectrograma debe ser complejo (spectrogram con power=None)")
    if window_norm:
        S = S * window.pow(2.0).sum().sqrt()
    shape = tuple(S.shape)
    S = S.reshape(-1, shape[-2], shape[-1])
    y = S.istft(n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center,
                normalized=frame_norm, onesided=onesided, length=length + 2 * pad if length is not None else None)
    if length is not None and pad > 0:
        y = y[:, pad:-pad]
    return y.reshape(shape[:-2] + tuple(y.shape[-1:]))


def griffinlim(specgram, window, n_fft, hop_length, win_length, power, n_iter, momentum, length, rand_init):
    """Reconstruye una señal a partir de un espectrograma de magnitud estimando la fase
    (Griffin-Lim rápido, como torchaudio)."""
    if not 0 <= momentum < 1:
        raise ValueError(f"griffinlim: momentum debe estar en [0, 1), no {momentum}")
    momentum = momentum / (1 + momentum)
    shape = tuple(specgram.shape)
    mag = specgram.reshape(-1, shape[-2], shape[-1]).pow(1 / power)
    if rand_init:
        phase = rand(*mag.shape, dtype=mag.dtype) * (2 * math.pi)
        angles = polar(tensor(np.ones(mag.shape), dtype=mag.dtype), phase)
    else:
        angles = polar(tensor(np.ones(mag.shape), dtype=mag.dtype), zeros(*mag.shape, dtype=mag.dtype))
    tprev = None
    for _ in range(n_iter):
        inverse = (mag * angles).istft(n_fft, hop_length, win_length, window, length=length)
        rebuilt = inverse.stft(n_fft, hop_length, win_length, window, center=True, pad_mode="reflect",
                               normalized=False, onesided=True, return_complex=True)
        angles = rebuilt if tprev is None or not momentum else rebuilt - tprev * momentum
        angles = angles / (angles.abs() + 1e-16)
        tprev = rebuilt
    y = (mag * angles).istft(n_fft, hop_length, win_length, window, length=length)
    return y.reshape(shape[:-2] + tuple(y.shape[-1:]))


def amplitude_to_DB(x, multiplier, amin, db_multiplier, top_db=None):
    """Escala de decibelios: ``multiplier·log₁₀(max(x, amin)) − multiplier·db_multiplier`` (10 para
    potencia, 20 para amplitud); con ``top_db`` se recorta a ``top_db`` dB por debajo del máximo de
    cada ejemplo (de cada elemento del lote si hay 4 dimensiones o más)."""
    x = _signal(x, "amplitude_to_DB")
    x_db = multiplier * x.clamp(min=amin).log10()
    x_db = x_db - multiplier * db_multiplier
    if top_db is not None:
        if x_db.ndim < 2:
            raise ValueError(f"amplitude_to_DB: con top_db se espera un espectrograma (..., freq, tiempo), no "
                             f"forma {tuple(x_db.shape)}")
        shape = tuple(x_db.shape)
        packed = shape[-3] if x_db.ndim > 2 else 1
        x_db = x_db.reshape(-1, packed, shape[-2], shape[-1])
        floor = (x_db.amax(dim=(-3, -2, -1)) - top_db).reshape(-1, 1, 1, 1)
        x_db = x_db.maximum(floor).reshape(shape)
    return x_db


def DB_to_amplitude(x, ref, power):
    """Inversa de ``amplitude_to_DB``: ``ref·(10^(x/10))^power`` (``power`` 1 → potencia, 0.5 → amplitud)."""
    return ref * ((0.1 * x) * math.log(10.0)).exp().pow(power)


def compute_deltas(specgram, win_length=5, mode="replicate"):
    """Coeficientes delta a lo largo del tiempo: d_t = Σₙ n·(c_{t+n} − c_{t−n}) / (2·Σₙ n²),
    n = 1…(win_length−1)/2, con relleno ``mode`` en los bordes."""
    x = _signal(specgram, "compute_deltas")
    if win_length < 3:
        raise ValueError(f"compute_deltas: win_length debe ser ≥ 3, no {win_length}")
    n = (win_length - 1) // 2
    denom = n * (n + 1) * (2 * n + 1) / 3
    shape = tuple(x.shape)
    p = F.pad(x.reshape(1, -1, shape[-1]), (n, n), mode=mode)
    T = shape[-1]
    out = sum(k * (p[..., n + k:n + k + T] - p[..., n - k:n - k + T]) for k in range(1, n + 1))
    return (out / denom).reshape(shape)


def spectral_centroid(waveform, sample_rate, pad, window, n_fft, hop_length, win_length):
    """Centroide espectral ``(..., tiempo)``: la media de las frecuencias ponderada por la magnitud."""
    spec = spectrogram(waveform, pad, window, n_fft, hop_length, win_length, power=1.0, normalized=False)
    freqs = tensor(np.linspace(0, sample_rate // 2, 1 + n_fft // 2).astype(np.float32)).reshape(-1, 1)
    return (freqs * spec).sum(dim=-2) / spec.sum(dim=-2)


def phase_vocoder(complex_specgrams, rate, phase_advance):
    """Acelera (``rate`` > 1) o frena una STFT compleja ``(..., freq, T)`` sin cambiar el tono:
    ``ceil(T/rate)`` tramas con la magnitud interpolada y la fase acumulada (como torchaudio)."""
    S = complex_specgrams
    if not S.is_complex():
        raise ValueError("phase_vocoder: se esperaba una STFT compleja (Spectrogram(power=None))")
    if rate == 1.0:
        return S
    shape = tuple(S.shape)
    S = S.reshape(-1, shape[-2], shape[-1])
    real_dt = S.real.dtype
    steps = np.arange(0, shape[-1], rate, dtype=np.float64)
    alphas = tensor((steps % 1.0).astype(real_dt.np))
    phase_0 = S[..., :1].angle()
    S = F.pad(S, (0, 2))
    idx = steps.astype(np.int64)
    s0, s1 = S[..., tensor(idx)], S[..., tensor(idx + 1)]
    angle_0, angle_1 = s0.angle(), s1.angle()
    norm_0, norm_1 = s0.abs(), s1.abs()
    phase = angle_1 - angle_0 - phase_advance
    phase = phase - 2 * math.pi * (phase / (2 * math.pi)).round()
    phase = phase + phase_advance
    phase = cat([phase_0, phase[..., :-1]], dim=-1)
    phase_acc = phase.cumsum(-1)
    mag = alphas * norm_1 + (1 - alphas) * norm_0
    out = polar(mag, phase_acc)
    return out.reshape(shape[:-2] + tuple(out.shape[1:]))
