"""Transforms de la señal en el tiempo (como ``torchaudio.transforms``): ``Resample``, ``Fade``,
``Vol`` y la codificación μ-law."""
from __future__ import annotations

import math

import numpy as np

from ..._tensor.creation import tensor
from ...nn.module import Module
from .. import functional as AF
from ..functional.signal import _apply_sinc, _sinc_kernel

__all__ = ['Resample', 'Fade', 'Vol', 'MuLawEncoding', 'MuLawDecoding']


class Resample(Module):
    """Cambia la frecuencia de muestreo de ``orig_freq`` a ``new_freq`` (el núcleo se calcula una
    vez y se guarda como buffer ``kernel``)."""

    def __init__(self, orig_freq=16000, new_freq=16000, resampling_method="sinc_interp_hann", lowpass_filter_width=6,
                 rolloff=0.99, beta=None, *, dtype=None):
        super().__init__()
        self.orig_freq, self.new_freq = orig_freq, new_freq
        self.gcd = math.gcd(int(orig_freq), int(new_freq))
        self.resampling_method, self.lowpass_filter_width, self.rolloff, self.beta = (
            resampling_method, lowpass_filter_width, rolloff, beta)
        if orig_freq <= 0 or new_freq <= 0:
            raise ValueError(f"Resample: las frecuencias deben ser positivas, no {orig_freq} y {new_freq}")
        if orig_freq != new_freq:
            kernel, self.width = _sinc_kernel(orig_freq, new_freq, self.gcd, lowpass_filter_width, rolloff,
                                                 resampling_method, beta, dtype)
            self.register_buffer("kernel", tensor(kernel))

    def forward(self, waveform):
        if self.orig_freq == self.new_freq:
            return waveform
        return _apply_sinc(waveform, self.orig_freq, self.new_freq, self.gcd, self.kernel, self.width)


class Fade(Module):
    """Entrada y salida graduales de ``fade_in_len`` y ``fade_out_len`` muestras, con forma
    "linear", "exponential", "logarithmic", "quarter_sine" o "half_sine"."""

    _SHAPES = ("linear", "exponential", "logarithmic", "quarter_sine", "half_sine")

    def __init__(self, fade_in_len=0, fade_out_len=0, fade_shape="linear"):
        super().__init__()
        if fade_shape not in self._SHAPES:
            raise ValueError(f"Fade: fade_shape debe ser uno de {', '.join(self._SHAPES)}, no {fade_shape!r}")
        self.fade_in_len, self.fade_out_len, self.fade_shape = fade_in_len, fade_out_len, fade_shape

    def _curve(self, n, rising):
        f = np.linspace(0, 1, n, dtype=np.float32)
        s = self.fade_shape
        if rising:
            if s == "exponential":
                f = np.power(2, f - 1) * f
            elif s == "logarithmic":
                f = np.log10(0.1 + f) + 1
            elif s == "quarter_sine":
                f = np.sin(f * math.pi / 2)
            elif s == "half_sine":
                f = np.sin(f * math.pi - math.pi / 2) / 2 + 0.5
        else:
            if s == "linear":
                f = -f + 1
            elif s == "exponential":
                f = np.power(2, -f) * (1 - f)
            elif s == "logarithmic":
                f = np.log10(1.1 - f) + 1
            elif s == "quarter_sine":
                f = np.sin(f * math.pi / 2 + math.pi / 2)
            elif s == "half_sine":
                f = np.sin(f * math.pi + math.pi / 2) / 2 + 0.5
        return f.astype(np.float32)

    def forward(self, waveform):
        n = waveform.shape[-1]
        if self.fade_in_len > n or self.fade_out_len > n:
            raise ValueError(f"Fade: los fundidos ({self.fade_in_len} y {self.fade_out_len} muestras) no caben en "
                             f"una señal de {n}")
        ones_in = np.ones(n - self.fade_in_len, np.float32)
        ones_out = np.ones(n - self.fade_out_len, np.float32)
        fin = np.clip(np.concatenate([self._curve(self.fade_in_len, True), ones_in]), 0, 1)
        fout = np.clip(np.concatenate([ones_out, self._curve(self.fade_out_len, False)]), 0, 1)
        return tensor((fin * fout).astype(waveform.dtype.np if waveform.is_floating_point() else np.float32)) * waveform


class Vol(Module):
    """Cambia el volumen: ``gain`` como factor de amplitud, de potencia o en dB; el resultado se
    recorta a [−1, 1]."""

    def __init__(self, gain, gain_type="amplitude"):
        super().__init__()
        if gain_type not in ("amplitude", "power", "db"):
            raise ValueError(f"Vol: gain_type debe ser 'amplitude', 'power' o 'db', no {gain_type!r}")
        if gain_type in ("amplitude", "power") and gain < 0:
            raise ValueError(f"Vol: con gain_type={gain_type!r} la ganancia debe ser positiva, no {gain}")
        self.gain, self.gain_type = gain, gain_type

    def forward(self, waveform):
        if self.gain_type == "amplitude":
            waveform = waveform * self.gain
        elif self.gain_type == "db":
            waveform = AF.gain(waveform, self.gain)
        else:
            waveform = AF.gain(waveform, 10 * math.log10(self.gain))
        return waveform.clamp(-1, 1)


class MuLawEncoding(Module):
    def __init__(self, quantization_channels=256):
        super().__init__()
        self.quantization_channels = quantization_channels

    def forward(self, x):
        return AF.mu_law_encoding(x, self.quantization_channels)


class MuLawDecoding(Module):
    def __init__(self, quantization_channels=256):
        super().__init__()
        self.quantization_channels = quantization_channels

    def forward(self, x_mu):
        return AF.mu_law_decoding(x_mu, self.quantization_channels)
