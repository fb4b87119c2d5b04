"""``tinygrad_es.audio``: torchaudio para tinygrad_es, con sus nombres y su semántica.

Un programa escrito para torchaudio funciona cambiando sólo la importación::

    import tinygrad_es as torch
    import tinygrad_es.audio as torchaudio

    waveform, sr = torchaudio.load("0_jackson_0.wav")               # (1, N) float32 en [−1, 1]
    mel = torchaudio.transforms.MelSpectrogram(sr, n_fft=256, n_mels=40)(waveform)
    log_mel = torchaudio.transforms.AmplitudeToDB()(mel)             # (1, 40, T)
    spec_aug = torch.nn.Sequential(torchaudio.transforms.FrequencyMasking(8),
                                   torchaudio.transforms.TimeMasking(10))

Qué hay dentro:

* ``load``, ``save``, ``info``: ficheros WAV (PCM de 8/16/24/32 bits y coma flotante); los formatos
  comprimidos (MP3, FLAC, Ogg...) dan un error que explica cómo convertirlos;
* ``transforms``: ``Spectrogram``, ``MelSpectrogram``, ``AmplitudeToDB``, ``MFCC``, ``Resample``,
  ``FrequencyMasking``, ``TimeMasking``, ``SpecAugment``, ``TimeStretch``, ``Vol``, ``Fade``... (son
  ``nn.Module``, aceptan lotes y son diferenciables donde torchaudio lo es);
* ``functional``: las mismas operaciones como funciones (``spectrogram``, ``melscale_fbanks``,
  ``amplitude_to_DB``, ``create_dct``, ``mask_along_axis``, ``resample``...);
* ``datasets``: ``FSDD`` (dígitos hablados, con una muestra incluida) y ``SPEECHCOMMANDS``.

Debajo están ``torch.stft``/``istft``, ``torch.fft`` y los tensores complejos de tinygrad_es.
"""
from ._backend import AudioFileNotFound, AudioMetaData, WavError, info, list_audio_backends, load, save
from . import functional, transforms, datasets  # noqa: E402

__all__ = ["load", "save", "info", "AudioMetaData", "list_audio_backends", "WavError", "AudioFileNotFound",
           "functional", "transforms", "datasets"]
