"""Transforms de espectros (como ``torchaudio.transforms``): ``Spectrogram`` y su inversa,
``GriffinLim``, ``AmplitudeToDB``, ``MelScale``, ``MelSpectrogram``, ``MFCC``, ``LFCC``,
``ComputeDeltas`` y ``SpectralCentroid``."""
from __future__ import annotations

import math
import warnings

from ..._tensor.windows import hann_window
from ...nn.module import Module
from .. import functional as AF

__all__ = ['Spectrogram', 'InverseSpectrogram', 'GriffinLim', 'AmplitudeToDB', 'MelScale', 'MelSpectrogram', 'MFCC', 'LFCC', 'ComputeDeltas', 'SpectralCentroid']


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


class ComputeDeltas(Module):
    """Coeficientes delta (``compute_deltas``) de un espectrograma ``(..., freq, tiempo)``."""

    def __init__(self, win_length=5, mode="replicate"):
        super().__init__()
        self.win_length, self.mode = win_length, mode

    def forward(self, specgram):
        return AF.compute_deltas(specgram, win_length=self.win_length, mode=self.mode)


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
