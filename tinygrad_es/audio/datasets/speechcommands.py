"""*Speech Commands* de Google (Warden, 2018) con la API y la estructura de carpetas de
``torchaudio.datasets.SPEECHCOMMANDS``.

``root/SpeechCommands/speech_commands_v0.02/`` contiene una carpeta por palabra
(``yes/0a7c2a8d_nohash_0.wav``: persona ``0a7c2a8d``, repetición 0), ``_background_noise_/`` (ruido,
que no forma parte de ningún subconjunto) y las listas ``validation_list.txt`` y
``testing_list.txt``: ``subset="validation"``/``"testing"`` son esas listas y ``"training"`` es el
resto. Cada elemento es ``(waveform (1, 16000), 16000, palabra, persona, repetición)``.

Con ``download=True`` se descarga ``speech_commands_v0.02.tar.gz`` (2,3 GB) en ``root`` (comprobando
su sha256, con un segundo espejo) y se extrae sin dejar salir ningún fichero de la carpeta.
"""
from __future__ import annotations

import os
from pathlib import Path

from ...utils.data import Dataset
from .._backend import load
from .utils import DownloadError, download_from_mirrors, extract_archive

__all__ = ["SPEECHCOMMANDS"]

FOLDER_IN_ARCHIVE = "SpeechCommands"
URL = "speech_commands_v0.02"
HASH_DIVIDER = "_nohash_"
EXCEPT_FOLDER = "_background_noise_"
_BASES = ["http://download.tensorflow.org/data/", "https://storage.googleapis.com/download.tensorflow.org/data/"]
_SHA256 = {   # sha256 de los archivos oficiales (los que comprueba torchaudio)
    "speech_commands_v0.01.tar.gz": "743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d",
    "speech_commands_v0.02.tar.gz": "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
}
# como torchaudio, el resumen va con la URL: una URL propia no se comprueba
_CHECKSUMS = {b + name: h for b in _BASES for name, h in _SHA256.items()}


def _load_list(root, *filenames):
    out = []
    for filename in filenames:
        path = os.path.join(root, filename)
        if not os.path.isfile(path):
            raise RuntimeError(f"SPEECHCOMMANDS: falta la lista {path}: el conjunto está incompleto")
        with open(path, encoding="utf-8") as f:
            out += [os.path.normpath(os.path.join(root, line.strip())) for line in f if line.strip()]
    return out


def _metadata(filepath: str, path: str):
    relpath = os.path.relpath(filepath, path)
    reldir, filename = os.path.split(relpath)
    _, label = os.path.split(reldir)
    speaker, _ = os.path.splitext(filename)
    speaker, _ = os.path.splitext(speaker)   # algunos ficheros del conjunto de prueba oficial son x.wav.wav
    if HASH_DIVIDER not in speaker:
        raise ValueError(f"SPEECHCOMMANDS: el nombre {filename!r} no es PERSONA{HASH_DIVIDER}N.wav")
    speaker_id, utterance = speaker.split(HASH_DIVIDER)
    return relpath, 16_000, label, speaker_id, int(utterance)


class SPEECHCOMMANDS(Dataset):
    """Speech Commands con la API de torchaudio.

    Args:
        root: carpeta donde está (o se descarga) el conjunto.
        url: ``"speech_commands_v0.01"``, ``"speech_commands_v0.02"`` o la URL de un archivo.
        folder_in_archive: carpeta de primer nivel (``"SpeechCommands"``).
        download: descargar y extraer si no está.
        subset: ``None`` (todo), ``"training"``, ``"validation"`` o ``"testing"``.

    >>> train = SPEECHCOMMANDS("./datos", download=True, subset="training")
    >>> waveform, sr, label, speaker_id, utterance_number = train[0]
    """

    def __init__(self, root, url=URL, folder_in_archive=FOLDER_IN_ARCHIVE, download=False, subset=None):
        if subset is not None and subset not in ("training", "validation", "testing"):
            raise ValueError(f"SPEECHCOMMANDS: subset debe ser None, 'training', 'validation' o 'testing', no "
                             f"{subset!r}")
        if url in ("speech_commands_v0.01", "speech_commands_v0.02"):
            urls = [b + url + ".tar.gz" for b in _BASES]
        else:
            urls = [url]
        root = os.fspath(root)
        self._archive = os.path.join(root, folder_in_archive)
        basename = os.path.basename(urls[0])
        archive = os.path.join(root, basename)
        self._path = os.path.join(root, folder_in_archive, basename.rsplit(".", 2)[0])
        if download:
            if not os.path.isdir(self._path):
                if not os.path.isfile(archive):
                    try:
                        download_from_mirrors(urls, archive, _CHECKSUMS.get(urls[0]))
                    except DownloadError as e:
                        raise RuntimeError(f"SPEECHCOMMANDS: {e}") from None
                extract_archive(archive, self._path)
        elif not os.path.exists(self._path):
            raise RuntimeError(f"SPEECHCOMMANDS: no existe {self._path}. Revisa root o usa download=True para "
                               f"descargarlo")
        if subset == "validation":
            self._walker = _load_list(self._path, "validation_list.txt")
        elif subset == "testing":
            self._walker = _load_list(self._path, "testing_list.txt")
        else:
            walker = sorted(str(p) for p in Path(self._path).glob("*/*.wav"))
            walker = [w for w in walker if HASH_DIVIDER in w and EXCEPT_FOLDER not in w]
            if subset == "training":
                excludes = set(_load_list(self._path, "validation_list.txt", "testing_list.txt"))
                walker = [w for w in walker if os.path.normpath(w) not in excludes]
            self._walker = walker

    def get_metadata(self, n: int):
        """``(ruta relativa, 16000, palabra, persona, repetición)`` sin leer el audio."""
        return _metadata(self._walker[n], self._archive)

    def __getitem__(self, n: int):
        relpath, sr, label, speaker_id, utterance = self.get_metadata(n)
        waveform, rate = load(os.path.join(self._archive, relpath))
        if rate != sr:
            raise ValueError(f"SPEECHCOMMANDS: la frecuencia de muestreo debería ser {sr} Hz, pero {relpath} tiene "
                             f"{rate}")
        return waveform, rate, label, speaker_id, utterance

    def __len__(self) -> int:
        return len(self._walker)
