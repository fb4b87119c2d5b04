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
from .augment import FrequencyMasking, SpecAugment, TimeMasking, TimeStretch, TimeWarp
from .signal import Fade, MuLawDecoding, MuLawEncoding, Resample, Vol
from .spectral import (MFCC, LFCC, AmplitudeToDB, ComputeDeltas, GriffinLim, InverseSpectrogram, MelScale,
                       MelSpectrogram, SpectralCentroid, Spectrogram)

__all__ = ["Spectrogram", "InverseSpectrogram", "GriffinLim", "AmplitudeToDB", "MelScale", "MelSpectrogram",
           "MFCC", "LFCC", "Resample", "ComputeDeltas", "TimeStretch", "Fade", "FrequencyMasking", "TimeMasking",
           "SpecAugment", "TimeWarp", "Vol", "MuLawEncoding", "MuLawDecoding", "SpectralCentroid"]
