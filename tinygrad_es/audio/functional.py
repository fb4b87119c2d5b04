"""``tinygrad_es.audio.functional``: las funciones de ``torchaudio.functional`` (mismos nombres,
argumentos y valores por defecto), compuestas de operaciones de tensores con gradiente.

Espectros: ``spectrogram``, ``inverse_spectrogram``, ``griffinlim``, ``melscale_fbanks``,
``linear_fbanks``, ``create_dct``, ``amplitude_to_DB``, ``DB_to_amplitude``, ``compute_deltas``,
``spectral_centroid``, ``phase_vocoder``. Señal: ``resample``, ``gain``, ``mu_law_encoding``,
``mu_law_decoding``. SpecAugment: ``mask_along_axis``, ``mask_along_axis_iid`` y ``time_warp`` (éste
no está en torchaudio: es la deformación temporal del artículo de SpecAugment).

Las fórmulas de la escala mel (las de torchaudio y librosa), con f en Hz:

* HTK: m = 2595·log₁₀(1 + f/700);
* Slaney: lineal por debajo de 1 kHz (m = 3f/200) y logarítmica por encima
  (m = 15 + 27·ln(f/1000)/ln 6.4).

Los filtros son triángulos con vértices equiespaciados en mel; ``norm="slaney"`` divide cada uno por
su anchura en Hz (área constante).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._creation import arange, rand, tensor, zeros
from .._functions import cat, where
from .._tensor_complex import polar
from ..autograd import TensorBase
from ..nn import functional as F

__all__ = ["spectrogram", "inverse_spectrogram", "griffinlim", "amplitude_to_DB", "DB_to_amplitude",
           "melscale_fbanks", "linear_fbanks", "create_dct", "compute_deltas", "spectral_centroid",
           "phase_vocoder", "mask_along_axis", "mask_along_axis_iid", "time_warp", "resample", "gain",
           "mu_law_encoding", "mu_law_decoding"]


def _signal(x, op: str, min_dim: int = 1):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}: se esperaba un tensor, no {type(x).__name__}")
    if x.ndim < min_dim:
        raise ValueError(f"{op}: se esperaba un tensor de al menos {min_dim} dimensiones, pero tiene forma "
                         f"{tuple(x.shape)}")
    return x


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


def _hz_to_mel(freq: float, mel_scale: str = "htk") -> float:
    if mel_scale not in ("htk", "slaney"):
        raise ValueError(f"mel_scale debe ser 'htk' o 'slaney', no {mel_scale!r}")
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + freq / 700.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return min_log_mel + math.log(freq / min_log_hz) / logstep if freq >= min_log_hz else freq / f_sp


def _mel_to_hz(mels: np.ndarray, mel_scale: str = "htk") -> np.ndarray:
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return np.where(mels >= min_log_mel, min_log_hz * np.exp(logstep * (mels - min_log_mel)), f_sp * mels)


def _triangles(all_freqs: np.ndarray, f_pts: np.ndarray) -> np.ndarray:
    """(n_freqs, n_filtros): el filtro m sube de f_pts[m] a f_pts[m+1] y baja hasta f_pts[m+2]."""
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return np.maximum(0.0, np.minimum(down, up))


def melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk"):
    """Banco de filtros mel ``(n_freqs, n_mels)`` (como torchaudio): ``espectro @ fb`` pasa de
    ``n_freqs`` frecuencias lineales (de 0 a sample_rate//2) a ``n_mels`` bandas mel entre ``f_min`` y
    ``f_max``. ``norm="slaney"`` normaliza el área; ``mel_scale`` "htk" o "slaney".

    >>> fb = melscale_fbanks(201, 0.0, 8000.0, 40, 16000)      # (201, 40)
    """
    if norm is not None and norm != "slaney":
        raise ValueError(f"melscale_fbanks: norm debe ser None o 'slaney', no {norm!r}")
    if mel_scale not in ("htk", "slaney"):
        raise ValueError(f"melscale_fbanks: mel_scale debe ser 'htk' o 'slaney', no {mel_scale!r}")
    if n_freqs < 1 or n_mels < 1:
        raise ValueError(f"melscale_fbanks: n_freqs ({n_freqs}) y n_mels ({n_mels}) deben ser ≥ 1")
    if f_min > f_max:
        raise ValueError(f"melscale_fbanks: f_min ({f_min}) debe ser ≤ f_max ({f_max})")
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    m_pts = np.linspace(_hz_to_mel(f_min, mel_scale), _hz_to_mel(f_max, mel_scale), n_mels + 2)
    f_pts = _mel_to_hz(m_pts, mel_scale)
    fb = _triangles(all_freqs, f_pts)
    if norm == "slaney":
        fb = fb * (2.0 / (f_pts[2:n_mels + 2] - f_pts[:n_mels]))[None, :]
    if (fb.max(axis=0) == 0.0).any():
        warnings.warn(f"melscale_fbanks: algún filtro mel es todo ceros: n_mels ({n_mels}) puede ser demasiado "
                      f"grande, o n_freqs ({n_freqs}) demasiado pequeño", UserWarning, stacklevel=2)
    return tensor(fb.astype(np.float32))


def linear_fbanks(n_freqs, f_min, f_max, n_filter, sample_rate):
    """Banco de ``n_filter`` filtros triangulares equiespaciados en Hz ``(n_freqs, n_filter)``."""
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    return tensor(_triangles(all_freqs, np.linspace(f_min, f_max, n_filter + 2)).astype(np.float32))


def create_dct(n_mfcc, n_mels, norm):
    """Matriz de la DCT-II ``(n_mels, n_mfcc)`` (se multiplica por la derecha): columna k =
    cos(π/n_mels·(n + ½)·k); ``norm="ortho"`` la hace ortonormal, ``None`` la multiplica por 2."""
    if norm is not None and norm != "ortho":
        raise ValueError(f"create_dct: norm debe ser 'ortho' o None, no {norm!r}")
    n = np.arange(float(n_mels))
    k = np.arange(float(n_mfcc))[:, None]
    dct = np.cos(math.pi / float(n_mels) * (n + 0.5) * k)
    if norm is None:
        dct *= 2.0
    else:
        dct[0] *= 1.0 / math.sqrt(2.0)
        dct *= math.sqrt(2.0 / float(n_mels))
    return tensor(dct.T.astype(np.float32))


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


def _mask_param(mask_param, p, axis_length):
    return mask_param if p == 1.0 else min(mask_param, int(axis_length * p))


def _check_mask(x, axis, p, op, min_dim):
    dim = x.ndim
    if dim < min_dim:
        raise ValueError(f"{op}: el espectrograma debe tener al menos {min_dim} dimensiones (freq, tiempo"
                         f"{' y lote' if min_dim == 3 else ''}), pero tiene forma {tuple(x.shape)}")
    if axis not in (dim - 2, dim - 1):
        raise ValueError(f"{op}: sólo se enmascara la frecuencia (eje {dim - 2}) o el tiempo (eje {dim - 1}), "
                         f"no el eje {axis}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p debe estar entre 0 y 1, no {p}")


def mask_along_axis(specgram, mask_param, mask_value, axis, p=1.0):
    """Una máscara igual para todo el lote: las posiciones [v₀, v₀ + v) del eje ``axis`` (el de
    frecuencia o el de tiempo) pasan a valer ``mask_value``, con v ~ U(0, max_v) y
    v₀ ~ U(0, tamaño − v); max_v = ``mask_param`` (con ``p`` < 1, como mucho ``p``·tamaño)."""
    x = _signal(specgram, "mask_along_axis")
    _check_mask(x, axis, p, "mask_along_axis", 2)
    dim = x.ndim
    size = x.shape[axis]
    mask_param = _mask_param(mask_param, p, size)
    if mask_param < 1:
        return x
    value = float(rand(1)._data[0]) * mask_param
    min_value = float(rand(1)._data[0]) * (size - value)
    start, end = int(min_value), int(min_value) + int(value)
    m = (np.arange(size) >= start) & (np.arange(size) < end)
    if axis == dim - 2:
        m = m[:, None]
    return x.masked_fill(tensor(m), mask_value)


def mask_along_axis_iid(specgrams, mask_param, mask_value, axis, p=1.0):
    """Como ``mask_along_axis`` pero con una máscara independiente por ejemplo (y canal) del lote
    ``(..., freq, tiempo)`` (al menos 3 dimensiones)."""
    x = _signal(specgrams, "mask_along_axis_iid")
    _check_mask(x, axis, p, "mask_along_axis_iid", 3)
    dim = x.ndim
    size = x.shape[axis]
    mask_param = _mask_param(mask_param, p, size)
    if mask_param < 1:
        return x
    lead = tuple(x.shape[:dim - 2])
    dt = x.dtype if x.dtype.is_floating_point else D.float32
    value = rand(*lead, dtype=dt)._data * mask_param
    min_value = rand(*lead, dtype=dt)._data * (size - value)
    start = min_value.astype(np.int64)[..., None, None]
    end = (min_value.astype(np.int64) + value.astype(np.int64))[..., None, None]
    pos = np.arange(size)
    m = (pos >= start) & (pos < end)              # (..., 1, tamaño): en el último eje
    if axis == dim - 2:
        m = np.swapaxes(m, -1, -2)                # (..., tamaño, 1)
    if isinstance(mask_value, TensorBase):
        return where(tensor(m), mask_value.expand(*x.shape) if mask_value.ndim == 0 else mask_value, x)
    return x.masked_fill(tensor(m), mask_value)


def time_warp(specgram, W, generator=None):
    """Deformación temporal de SpecAugment (Park et al., 2019; **no está en torchaudio**): se elige un
    instante t₀ ∈ [W, T − W) y un desplazamiento w ∈ [−W, W], y el tiempo se estira linealmente a
    trozos para que lo que estaba en t₀ pase a t₀ + w (el principio y el final no se mueven). La
    interpolación es lineal entre tramas, así que es diferenciable respecto de ``specgram``.

    ``specgram``: ``(..., freq, T)``. Con T ≤ 2·W no hace nada.
    """
    x = _signal(specgram, "time_warp", 2)
    T = x.shape[-1]
    if W < 0:
        raise ValueError(f"time_warp: W debe ser ≥ 0, no {W}")
    if W == 0 or T <= 2 * W + 1:
        return x
    u = rand(2, generator=generator)._data.astype(np.float64)
    t0 = W + int(u[0] * (T - 2 * W))
    w = int(round((u[1] * 2 - 1) * W))
    t1 = min(max(t0 + w, 1), T - 2)
    out = np.arange(T, dtype=np.float64)
    src = np.where(out <= t1, out * t0 / t1, t0 + (out - t1) * (T - 1 - t0) / (T - 1 - t1))
    i0 = np.clip(np.floor(src).astype(np.int64), 0, T - 1)
    i1 = np.clip(i0 + 1, 0, T - 1)
    a = tensor((src - i0).astype(x.dtype.np))
    return x[..., tensor(i0)] * (1 - a) + x[..., tensor(i1)] * a


def _sinc_kernel(orig, new, gcd, width_zeros, rolloff, method, beta, dtype):
    if not (int(orig) == orig and int(new) == new):
        raise ValueError("resample: las frecuencias deben ser enteras (para 44100 → 5512,5 Hz usa 8 → 1)")
    if method in ("sinc_interpolation", "kaiser_window"):
        method = {"sinc_interpolation": "sinc_interp_hann", "kaiser_window": "sinc_interp_kaiser"}[method]
    elif method not in ("sinc_interp_hann", "sinc_interp_kaiser"):
        raise ValueError(f"resample: método {method!r} desconocido; usa 'sinc_interp_hann' o 'sinc_interp_kaiser'")
    orig, new = int(orig) // gcd, int(new) // gcd
    if width_zeros <= 0:
        raise ValueError("resample: lowpass_filter_width debe ser > 0")
    base = min(orig, new) * rolloff
    width = math.ceil(width_zeros * orig / base)
    idx = np.arange(-width, width + orig, dtype=np.float64)[None, None] / orig
    t = np.arange(0, -new, -1, dtype=np.float64)[:, None, None] / new + idx
    t = np.clip(t * base, -width_zeros, width_zeros)
    if method == "sinc_interp_hann":
        window = np.cos(t * math.pi / width_zeros / 2) ** 2
    else:
        b = 14.769656459379492 if beta is None else float(beta)
        window = np.i0(b * np.sqrt(1 - (t / width_zeros) ** 2)) / np.i0(b)
    t = t * math.pi
    with np.errstate(invalid="ignore", divide="ignore"):
        kernels = np.where(t == 0, 1.0, np.sin(t) / np.where(t == 0, 1.0, t))
    kernels = kernels * window * (base / orig)
    return kernels.astype(np.float32 if dtype is None else D.np_dtype(dtype)), width


def _apply_sinc(waveform, orig, new, gcd, kernel, width):
    if not waveform.is_floating_point():
        raise TypeError(f"resample: la señal debe ser de coma flotante, no {waveform.dtype}")
    orig, new = int(orig) // gcd, int(new) // gcd
    shape = tuple(waveform.shape)
    x = waveform.reshape(-1, shape[-1])
    n, length = x.shape
    x = F.pad(x, (width, width + orig))
    k = kernel if isinstance(kernel, TensorBase) else tensor(kernel)
    if k.dtype != x.dtype:
        k = k.type(x.dtype)
    y = F.conv1d(x.unsqueeze(1), k, stride=orig)               # (n, new, pasos)
    y = y.transpose(1, 2).reshape(n, -1)
    target = math.ceil(new * length / orig)
    return y[..., :target].reshape(shape[:-1] + (min(target, y.shape[-1]),))


def resample(waveform, orig_freq, new_freq, lowpass_filter_width=6, rolloff=0.99,
             resampling_method="sinc_interp_hann", beta=None):
    """Cambia la frecuencia de muestreo con interpolación sinc de banda limitada (la de torchaudio):
    un filtro paso bajo (ventana de Hann o de Kaiser sobre un sinc) a ``rolloff``·Nyquist aplicado como
    una convolución con paso ``orig_freq/mcd``. Salida de ``ceil(new·N/orig)`` muestras."""
    x = _signal(waveform, "resample")
    if orig_freq <= 0 or new_freq <= 0:
        raise ValueError(f"resample: las frecuencias deben ser positivas, no {orig_freq} y {new_freq}")
    if orig_freq == new_freq:
        return x
    gcd = math.gcd(int(orig_freq), int(new_freq))
    kernel, width = _sinc_kernel(orig_freq, new_freq, gcd, lowpass_filter_width, rolloff, resampling_method, beta,
                                 x.dtype)
    return _apply_sinc(x, orig_freq, new_freq, gcd, kernel, width)


def gain(waveform, gain_db=1.0):
    """Multiplica la señal por 10^(gain_db/20)."""
    if gain_db == 0:
        return waveform
    return waveform * (10 ** (gain_db / 20))


def mu_law_encoding(x, quantization_channels):
    """Codificación μ-law: de [−1, 1] a enteros 0…quantization_channels − 1."""
    mu = quantization_channels - 1.0
    if not x.is_floating_point():
        x = x.float()
    x_mu = x.sign() * (mu * x.abs()).log1p() / math.log1p(mu)
    return ((x_mu + 1) / 2 * mu + 0.5).long()


def mu_law_decoding(x_mu, quantization_channels):
    """Inversa de ``mu_law_encoding``: de enteros a [−1, 1]."""
    mu = quantization_channels - 1.0
    if not x_mu.is_floating_point():
        x_mu = x_mu.float()
    x = (x_mu / mu) * 2 - 1.0
    return x.sign() * ((x.abs() * math.log1p(mu)).exp() - 1.0) / mu

