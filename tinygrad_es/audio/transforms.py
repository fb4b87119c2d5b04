"""``tinygrad_es.audio.transforms``: los transforms de ``torchaudio.transforms`` como ``nn.Module``
(mismos nombres, argumentos y valores por defecto; aceptan lotes ``(..., tiempo)`` o
``(..., freq, tiempo)`` y son diferenciables donde torchaudio lo es). Cada uno guarda lo que
precalcula (ventana, banco de filtros, matriz DCT, núcleo de remuestreo) como *buffer*.

La cadena típica del proyecto de voz::

    mel = nn.Sequential(MelSpectrogram(8000, n_fft=256, hop_length=80, n_mels=40), AmplitudeToDB())
    spec_augment = nn.Sequential(FrequencyMasking(8, iid_masks=True), TimeMasking(12, iid_masks=True))
    x = spec_augment(mel(waveform))         # sólo en entrenamiento: model.train()

Los de SpecAugment (``FrequencyMasking``, ``TimeMasking``, ``SpecAugment``, ``TimeWarp``) se aplican
siempre que se llaman, como en torchaudio: no miran ``self.training`` (pon el aumento sólo en la
rama de entrenamiento).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._creation import tensor
from .._windows import hann_window
from ..nn.module import Module
from . import functional as AF

__all__ = ["Spectrogram", "InverseSpectrogram", "GriffinLim", "AmplitudeToDB", "MelScale", "MelSpectrogram",
           "MFCC", "LFCC", "Resample", "ComputeDeltas", "TimeStretch", "Fade", "FrequencyMasking", "TimeMasking",
           "SpecAugment", "TimeWarp", "Vol", "MuLawEncoding", "MuLawDecoding", "SpectralCentroid"]


def _window(window_fn, win_length, wkwargs):
    return window_fn(win_length) if wkwargs is None else window_fn(win_length, **wkwargs)


class Spectrogram(Module):
    """Espectrograma |STFT|^power de una señal ``(..., tiempo)`` → ``(..., n_fft//2 + 1, T)``.

    Argumentos (los de torchaudio): ``n_fft=400``, ``win_length=n_fft``, ``hop_length=win_length//2``,
    ``pad=0``, ``window_fn=hann_window``, ``power=2.0`` (``None``: la STFT compleja),
    ``normalized=False``, ``wkwargs``, ``center=True``, ``pad_mode="reflect"``, ``onesided=True``.

    >>> Spectrogram(n_fft=256, hop_length=80)(torch.randn(2, 8000)).shape    # (2, 129, 101)
    """

    def __init__(self, n_fft=400, win_length=None, hop_length=None, pad=0, window_fn=hann_window, power=2.0,
                 normalized=False, wkwargs=None, center=True, pad_mode="reflect", onesided=True, return_complex=None):
        super().__init__()
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.register_buffer("window", _window(window_fn, self.win_length, wkwargs))
        self.pad, self.power, self.normalized = pad, power, normalized
        self.center, self.pad_mode, self.onesided = center, pad_mode, onesided
        if return_complex is not None:
            warnings.warn("Spectrogram: return_complex está obsoleto; con power=None el resultado ya es complejo",
                          UserWarning, stacklevel=2)

    def forward(self, waveform):
        return AF.spectrogram(waveform, self.pad, self.window, self.n_fft, self.hop_length, self.win_length,
                              self.power, self.normalized, self.center, self.pad_mode, self.onesided)


class InverseSpectrogram(Module):
    """De una STFT compleja ``(..., freq, T)`` a la señal ``(..., tiempo)`` (``forward(S, length)``)."""

    def __init__(self, n_fft=400, win_length=None, hop_length=None, pad=0, window_fn=hann_window, normalized=False,
                 wkwargs=None, center=True, pad_mode="reflect", onesided=True):
        super().__init__()
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.register_buffer("window", _window(window_fn, self.win_length, wkwargs))
        self.pad, self.normalized, self.center, self.pad_mode, self.onesided = pad, normalized, center, pad_mode, onesided

    def forward(self, spectrogram, length=None):
        return AF.inverse_spectrogram(spectrogram, length, self.pad, self.window, self.n_fft, self.hop_length,
                                      self.win_length, self.normalized, self.center, self.pad_mode, self.onesided)


class GriffinLim(Module):
    """Señal a partir de un espectrograma de magnitud (fase estimada por Griffin-Lim)."""

    def __init__(self, n_fft=400, n_iter=32, win_length=None, hop_length=None, window_fn=hann_window, power=2.0,
                 wkwargs=None, momentum=0.99, length=None, rand_init=True):
        super().__init__()
        if not 0 <= momentum < 1:
            raise ValueError(f"GriffinLim: momentum debe estar en [0, 1), no {momentum}")
        self.n_fft, self.n_iter = n_fft, n_iter
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.register_buffer("window", _window(window_fn, self.win_length, wkwargs))
        self.length, self.power, self.momentum, self.rand_init = length, power, momentum, rand_init

    def forward(self, specgram):
        return AF.griffinlim(specgram, self.window, self.n_fft, self.hop_length, self.win_length, self.power,
                             self.n_iter, self.momentum, self.length, self.rand_init)


class AmplitudeToDB(Module):
    """De potencia (``stype="power"``, 10·log₁₀) o amplitud (``"magnitude"``, 20·log₁₀) a decibelios,
    con ``amin=1e-10`` y, si se da, recorte a ``top_db`` por debajo del máximo."""

    def __init__(self, stype="power", top_db=None):
        super().__init__()
        if top_db is not None and top_db < 0:
            raise ValueError(f"AmplitudeToDB: top_db debe ser positivo, no {top_db}")
        self.stype, self.top_db = stype, top_db
        self.multiplier = 10.0 if stype == "power" else 20.0
        self.amin, self.ref_value = 1e-10, 1.0
        self.db_multiplier = math.log10(max(self.amin, self.ref_value))

    def forward(self, x):
        return AF.amplitude_to_DB(x, self.multiplier, self.amin, self.db_multiplier, self.top_db)


class MelScale(Module):
    """De un espectrograma ``(..., n_stft, T)`` a ``(..., n_mels, T)`` con ``melscale_fbanks``."""

    def __init__(self, n_mels=128, sample_rate=16000, f_min=0.0, f_max=None, n_stft=201, norm=None, mel_scale="htk"):
        super().__init__()
        self.n_mels, self.sample_rate = n_mels, sample_rate
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.f_min, self.norm, self.mel_scale = f_min, norm, mel_scale
        if f_min > self.f_max:
            raise ValueError(f"MelScale: f_min ({f_min}) debe ser ≤ f_max ({self.f_max})")
        self.register_buffer("fb", AF.melscale_fbanks(n_stft, self.f_min, self.f_max, n_mels, sample_rate, norm,
                                                      mel_scale))

    def forward(self, specgram):
        if specgram.ndim < 2 or specgram.shape[-2] != self.fb.shape[0]:
            raise ValueError(f"MelScale: se esperaba un espectrograma (..., {self.fb.shape[0]}, tiempo), pero tiene "
                             f"forma {tuple(specgram.shape)}")
        return specgram.transpose(-1, -2).matmul(self.fb).transpose(-1, -2)


class MelSpectrogram(Module):
    """Espectrograma mel: ``Spectrogram`` seguido de ``MelScale`` (argumentos de torchaudio:
    ``sample_rate=16000``, ``n_fft=400``, ``n_mels=128``, ``f_min``, ``f_max``, ``norm``,
    ``mel_scale="htk"``...). Entrada ``(..., tiempo)``, salida ``(..., n_mels, T)``.

    >>> MelSpectrogram(8000, n_fft=256, hop_length=80, n_mels=40)(waveform)     # (1, 40, T)
    """

    def __init__(self, sample_rate=16000, n_fft=400, win_length=None, hop_length=None, f_min=0.0, f_max=None, pad=0,
                 n_mels=128, window_fn=hann_window, power=2.0, normalized=False, wkwargs=None, center=True,
                 pad_mode="reflect", onesided=None, norm=None, mel_scale="htk"):
        super().__init__()
        if onesided is not None:
            warnings.warn("MelSpectrogram: onesided está obsoleto y no tiene efecto", UserWarning, stacklevel=2)
        self.sample_rate, self.n_fft = sample_rate, n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad, self.power, self.normalized = pad, power, normalized
        self.n_mels, self.f_max, self.f_min = n_mels, f_max, f_min
        self.spectrogram = Spectrogram(n_fft=n_fft, win_length=self.win_length, hop_length=self.hop_length, pad=pad,
                                       window_fn=window_fn, power=power, normalized=normalized, wkwargs=wkwargs,
                                       center=center, pad_mode=pad_mode, onesided=True)
        self.mel_scale = MelScale(n_mels, sample_rate, f_min, f_max, n_fft // 2 + 1, norm, mel_scale)

    def forward(self, waveform):
        return self.mel_scale(self.spectrogram(waveform))


class MFCC(Module):
    """Coeficientes cepstrales en escala mel: DCT del log-mel (``AmplitudeToDB("power", 80)`` o, con
    ``log_mels=True``, log(mel + 1e-6)). ``n_mfcc=40``, ``dct_type=2``, ``norm="ortho"``,
    ``melkwargs`` para el ``MelSpectrogram``."""

    def __init__(self, sample_rate=16000, n_mfcc=40, dct_type=2, norm="ortho", log_mels=False, melkwargs=None):
        super().__init__()
        if dct_type != 2:
            raise ValueError(f"MFCC: sólo está la DCT de tipo 2, no {dct_type}")
        self.sample_rate, self.n_mfcc, self.dct_type, self.norm = sample_rate, n_mfcc, dct_type, norm
        self.top_db = 80.0
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.MelSpectrogram = MelSpectrogram(sample_rate=sample_rate, **(melkwargs or {}))
        if n_mfcc > self.MelSpectrogram.n_mels:
            raise ValueError(f"MFCC: n_mfcc ({n_mfcc}) no puede superar el número de bandas mel "
                             f"({self.MelSpectrogram.n_mels})")
        self.register_buffer("dct_mat", AF.create_dct(n_mfcc, self.MelSpectrogram.n_mels, norm))
        self.log_mels = log_mels

    def forward(self, waveform):
        mel = self.MelSpectrogram(waveform)
        mel = (mel + 1e-6).log() if self.log_mels else self.amplitude_to_DB(mel)
        return mel.transpose(-1, -2).matmul(self.dct_mat).transpose(-1, -2)


class LFCC(Module):
    """Como ``MFCC`` pero con filtros lineales en Hz (``linear_fbanks``)."""

    def __init__(self, sample_rate=16000, n_filter=128, f_min=0.0, f_max=None, n_lfcc=40, dct_type=2, norm="ortho",
                 log_lf=False, speckwargs=None):
        super().__init__()
        if dct_type != 2:
            raise ValueError(f"LFCC: sólo está la DCT de tipo 2, no {dct_type}")
        self.sample_rate, self.f_min = sample_rate, f_min
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.n_filter, self.n_lfcc, self.dct_type, self.norm, self.log_lf = n_filter, n_lfcc, dct_type, norm, log_lf
        self.top_db = 80.0
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.Spectrogram = Spectrogram(**(speckwargs or {}))
        if n_lfcc > self.Spectrogram.n_fft:
            raise ValueError(f"LFCC: n_lfcc ({n_lfcc}) no puede superar n_fft ({self.Spectrogram.n_fft})")
        self.register_buffer("filter_mat", AF.linear_fbanks(self.Spectrogram.n_fft // 2 + 1, self.f_min, self.f_max,
                                                            n_filter, sample_rate))
        self.register_buffer("dct_mat", AF.create_dct(n_lfcc, n_filter, norm))

    def forward(self, waveform):
        spec = self.Spectrogram(waveform)
        spec = spec.transpose(-1, -2).matmul(self.filter_mat).transpose(-1, -2)
        spec = (spec + 1e-6).log() if self.log_lf else self.amplitude_to_DB(spec)
        return spec.transpose(-1, -2).matmul(self.dct_mat).transpose(-1, -2)


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
            kernel, self.width = AF._sinc_kernel(orig_freq, new_freq, self.gcd, lowpass_filter_width, rolloff,
                                                 resampling_method, beta, dtype)
            self.register_buffer("kernel", tensor(kernel))

    def forward(self, waveform):
        if self.orig_freq == self.new_freq:
            return waveform
        return AF._apply_sinc(waveform, self.orig_freq, self.new_freq, self.gcd, self.kernel, self.width)


class ComputeDeltas(Module):
    """Coeficientes delta (``compute_deltas``) de un espectrograma ``(..., freq, tiempo)``."""

    def __init__(self, win_length=5, mode="replicate"):
        super().__init__()
        self.win_length, self.mode = win_length, mode

    def forward(self, specgram):
        return AF.compute_deltas(specgram, win_length=self.win_length, mode=self.mode)


class TimeStretch(Module):
    """Estira o encoge en el tiempo una STFT compleja sin cambiar el tono (vocoder de fase;
    propuesto en SpecAugment). ``forward(S, rate)``: ``ceil(T/rate)`` tramas."""

    def __init__(self, hop_length=None, n_freq=201, fixed_rate=None):
        super().__init__()
        self.fixed_rate = fixed_rate
        n_fft = (n_freq - 1) * 2
        hop_length = hop_length if hop_length is not None else n_fft // 2
        self.register_buffer("phase_advance", tensor(np.linspace(0, math.pi * hop_length, n_freq,
                                                                 dtype=np.float32)[:, None]))

    def forward(self, complex_specgrams, overriding_rate=None):
        if not complex_specgrams.is_complex():
            warnings.warn("TimeStretch espera una STFT compleja (Spectrogram(power=None)); con un tensor real el "
                          "resultado no tiene sentido", UserWarning, stacklevel=2)
        if overriding_rate is None:
            if self.fixed_rate is None:
                raise ValueError("TimeStretch: sin fixed_rate hay que pasar la velocidad: stretch(S, 1.2)")
            rate = self.fixed_rate
        else:
            rate = overriding_rate
        return AF.phase_vocoder(complex_specgrams, rate, self.phase_advance)


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


class _AxisMasking(Module):
    def __init__(self, mask_param, axis, iid_masks, p=1.0):
        super().__init__()
        if isinstance(mask_param, bool) or not isinstance(mask_param, (int, np.integer)) or mask_param < 0:
            raise ValueError(f"{type(self).__name__}: el tamaño máximo de la máscara debe ser un entero ≥ 0, "
                             f"no {mask_param!r}")
        self.mask_param, self.axis, self.iid_masks, self.p = int(mask_param), axis, iid_masks, p

    def forward(self, specgram, mask_value=0.0):
        ax = self.axis + specgram.ndim - 3
        if self.iid_masks:
            return AF.mask_along_axis_iid(specgram, self.mask_param, mask_value, ax, p=self.p)
        return AF.mask_along_axis(specgram, self.mask_param, mask_value, ax, p=self.p)

    def extra_repr(self):
        return f"mask_param={self.mask_param}, iid_masks={self.iid_masks}, p={self.p}"


class FrequencyMasking(_AxisMasking):
    """Máscara de frecuencia de SpecAugment: anula ``v`` bandas seguidas (v ~ U(0, freq_mask_param))
    de ``(..., freq, tiempo)``. ``iid_masks=True``: una máscara distinta por ejemplo del lote."""

    def __init__(self, freq_mask_param, iid_masks=False):
        super().__init__(freq_mask_param, 1, iid_masks)


class TimeMasking(_AxisMasking):
    """Máscara de tiempo de SpecAugment: anula ``v`` tramas seguidas (v ~ U(0, time_mask_param)).
    ``p``: como mucho esa proporción de las tramas (como torchaudio; **no** es una probabilidad)."""

    def __init__(self, time_mask_param, iid_masks=False, p=1.0):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"TimeMasking: p debe estar entre 0 y 1, no {p}")
        super().__init__(time_mask_param, 2, iid_masks, p=p)


class SpecAugment(Module):
    """``n_time_masks`` máscaras de tiempo y ``n_freq_masks`` de frecuencia (por defecto independientes
    por ejemplo); el valor es la media del espectrograma, o 0 con ``zero_masking=True``."""

    def __init__(self, n_time_masks, time_mask_param, n_freq_masks, freq_mask_param, iid_masks=True, p=1.0,
                 zero_masking=False):
        super().__init__()
        self.n_time_masks, self.time_mask_param = n_time_masks, time_mask_param
        self.n_freq_masks, self.freq_mask_param = n_freq_masks, freq_mask_param
        self.iid_masks, self.p, self.zero_masking = iid_masks, p, zero_masking

    def forward(self, specgram):
        mask_value = 0.0 if self.zero_masking else specgram.mean()
        time_dim = specgram.ndim - 1
        freq_dim = time_dim - 1
        fn = AF.mask_along_axis_iid if specgram.ndim > 2 and self.iid_masks else AF.mask_along_axis
        for _ in range(self.n_time_masks):
            specgram = fn(specgram, self.time_mask_param, mask_value, time_dim, p=self.p)
        for _ in range(self.n_freq_masks):
            specgram = fn(specgram, self.freq_mask_param, mask_value, freq_dim, p=self.p)
        return specgram


class TimeWarp(Module):
    """Deformación temporal de SpecAugment (``functional.time_warp``; **no está en torchaudio**):
    desplaza un instante al azar hasta ``W`` tramas estirando el tiempo linealmente a trozos."""

    def __init__(self, W):
        super().__init__()
        self.W = W

    def forward(self, specgram):
        return AF.time_warp(specgram, self.W)


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


class SpectralCentroid(Module):
    """Centroide espectral por trama ``(..., tiempo)``."""

    def __init__(self, sample_rate, n_fft=400, win_length=None, hop_length=None, pad=0, window_fn=hann_window,
                 wkwargs=None):
        super().__init__()
        self.sample_rate, self.n_fft = sample_rate, n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.register_buffer("window", _window(window_fn, self.win_length, wkwargs))
        self.pad = pad

    def forward(self, waveform):
        return AF.spectral_centroid(waveform, self.sample_rate, self.pad, self.window, self.n_fft, self.hop_length,
                                    self.win_length)
