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
su anchura en Hz (área constante). Submódulos: ``spectral``, ``filterbanks``, ``augment``, ``signal``.
"""
from .augment import mask_along_axis, mask_along_axis_iid, time_warp
from .filterbanks import create_dct, linear_fbanks, melscale_fbanks
from .signal import gain, mu_law_decoding, mu_law_encoding, resample
from .spectral import (DB_to_amplitude, amplitude_to_DB, compute_deltas, griffinlim, inverse_spectrogram,
                       phase_vocoder, spectral_centroid, spectrogram)

__all__ = ["spectrogram", "inverse_spectrogram", "griffinlim", "amplitude_to_DB", "DB_to_amplitude",
           "melscale_fbanks", "linear_fbanks", "create_dct", "compute_deltas", "spectral_centroid",
           "phase_vocoder", "mask_along_axis", "mask_along_axis_iid", "time_warp", "resample", "gain",
           "mu_law_encoding", "mu_law_decoding"]
