"""La señal en el tiempo (como ``torchaudio.functional``): remuestreo sinc de banda limitada
(``resample``), ganancia en dB y la codificación μ-law."""
from __future__ import annotations

import math

import numpy as np

from ... import _dtype as D
from ..._tensor.creation import tensor
from ...autograd import TensorBase
from ...nn import functional as F
from ._common import _signal

__all__ = ['resample', 'gain', 'mu_law_encoding', 'mu_law_decoding']


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
