"""Transforms de SpecAugment (como ``torchaudio.transforms``): ``FrequencyMasking``,
``TimeMasking``, ``SpecAugment``, ``TimeStretch`` y ``TimeWarp`` (éste no está en torchaudio). Se
aplican siempre que se llaman: no miran ``self.training``."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._tensor.creation import tensor
from ...nn.module import Module
from .. import functional as AF

__all__ = ['TimeStretch', 'FrequencyMasking', 'TimeMasking', 'SpecAugment', 'TimeWarp']


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
