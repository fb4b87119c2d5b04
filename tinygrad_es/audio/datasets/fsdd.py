"""*Free Spoken Digit Dataset* (FSDD): 3 000 grabaciones de dígitos 0–9 dichos en inglés por 6
personas (50 de cada dígito por persona), mono, 8 kHz, PCM de 16 bits, recortadas al dígito.

Los ficheros se llaman ``{dígito}_{persona}_{índice}.wav``; la partición oficial es índice 0–4 →
prueba (300) e índice 5–49 → entrenamiento (2 700). Con la misma API que ``torchaudio.datasets``
(``root``, ``subset``, ``download``, ``get_metadata``), cada elemento es
``(waveform (1, N) float32, 8000, dígito, persona, índice)``.

Dónde se buscan los datos, por orden: ``root``, ``$TINYGRAD_ES_DATA``, ``~/.cache/tinygrad_es`` y
``/usr/share/datasets``; en cada una, una carpeta ``recordings/`` con los WAV (o ``fsdd/recordings/``,
o la del repositorio ``free-spoken-digit-dataset*/recordings``) o el archivo
``fsdd-recordings.tar.gz``/``fsdd.tar.gz`` (se lee sin extraerlo). Con ``download=True`` se descarga
del repositorio oficial y se comprueba la huella del **contenido** (sha256 de cada grabación), así da
igual cómo se empaquete el archivo. Con ``sample=True`` se usa la muestra incluida en el paquete
(120 grabaciones: los índices 0 y 5 de cada persona y dígito), para trabajar sin conexión.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import tarfile
import zlib

from ...data.datasets import DatasetNotFoundError, cache_dir, search_paths
from ...utils.data import Dataset
from .._backend import load
from .utils import DownloadError, download_from_mirrors

__all__ = ["FSDD", "make_sample", "content_sha256", "FSDD_SPEAKERS"]

_NAME = re.compile(r"(\d)_([a-z]+)_(\d+)\.wav")
_SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_muestra", "fsdd_muestra.tar.gz")
_SAMPLE_INDICES = (0, 5)
# sha256 del contenido (nombre y sha256 de cada una de las 3 000 grabaciones, en orden); véase content_sha256
CONTENT_SHA256 = "dbd573d7cafe79c4b49f65718115e1304e24e067fa39eff18a660dc6cb9c360f"
MIRRORS = ["https://github.com/Jakobovski/free-spoken-digit-dataset/archive/26eb9aa.tar.gz",
           "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/heads/master.tar.gz"]
FSDD_SPEAKERS = {"george": "GRC/Greek", "jackson": "USA/neutral", "lucas": "DEU/German",
                 "nicolas": "BEL/French", "theo": "USA/neutral", "yweweler": "DEU/German"}
_MAX_FILE = 1 << 20          # la grabación más larga ocupa 37 KB
_MAX_FILES = 20_000
_ARCHIVES = ("fsdd-recordings.tar.gz", "fsdd.tar.gz")


def _key(name: str):
    d, spk, idx = _NAME.fullmatch(name).groups()
    return int(d), spk, int(idx)


def content_sha256(files: dict) -> str:
    """Huella del conjunto: sha256 de las líneas ``nombre sha256(bytes)`` en orden alfabético."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(f"{name} {hashlib.sha256(files[name]).hexdigest()}\n".encode())
    return h.hexdigest()


def _read_archive(path: str) -> dict:
    """{nombre: bytes} de las grabaciones ``…/recordings/*.wav`` de un .tar(.gz), sin extraer nada."""
    files = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for m in tar:
                base = m.name.rsplit("/", 1)[-1]
                if not (m.isfile() and _NAME.fullmatch(base) and m.name.split("/")[-2:-1] == ["recordings"]):
                    continue
                if m.size > _MAX_FILE:
                    raise RuntimeError(f"{path}: la grabación {base} ocupa {m.size} bytes: no es el FSDD")
                if len(files) >= _MAX_FILES:
                    raise RuntimeError(f"{path}: demasiadas grabaciones (más de {_MAX_FILES}): no es el FSDD")
                files[base] = tar.extractfile(m).read()
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile, zlib.error) as e:
        raise RuntimeError(f"{path} no es un archivo .tar.gz válido ({e})") from None
    if not files:
        raise RuntimeError(f"{path} no contiene grabaciones recordings/DÍGITO_PERSONA_ÍNDICE.wav")
    return files


def _folder_files(folder: str) -> dict:
    return {n: os.path.join(folder, n) for n in os.listdir(folder) if _NAME.fullmatch(n)}


def _find(root):
    """(origen, {nombre: bytes o ruta}) de la primera ubicación con datos, o (None, lugares mirados)."""
    tried = []
    for base in search_paths(root):
        for sub in ("", "fsdd"):
            d = os.path.join(base, sub) if sub else base
            if not os.path.isdir(d):
                continue
            tried.append(d)
            rec = os.path.join(d, "recordings")
            if os.path.isdir(rec) and _folder_files(rec):
                return rec, _folder_files(rec)
            for n in sorted(os.listdir(d)):
                rec = os.path.join(d, n, "recordings")
                if n.startswith("free-spoken-digit-dataset") and os.path.isdir(rec) and _folder_files(rec):
                    return rec, _folder_files(rec)
            for a in _ARCHIVES:
                p = os.path.join(d, a)
                if os.path.isfile(p):
                    return p, _read_archive(p)
    return None, tried


class FSDD(Dataset):
    """*Free Spoken Digit Dataset* con la API de ``torchaudio.datasets``.

    Args:
        root: carpeta donde buscar (o descargar) los datos; ``None``: las rutas por defecto.
        subset: ``"training"`` (índices 5–49), ``"testing"`` (0–4) o ``None`` (todo).
        download: descargar (con comprobación) si no se encuentra.
        sample: usar la muestra incluida en el paquete (sin buscar nada).

    Cada elemento: ``(waveform, sample_rate, label, speaker_id, utterance_number)``, con
    ``waveform`` ``(1, N)`` float32 en [−1, 1], ``sample_rate`` 8000 y ``label`` el dígito (int).

    >>> train = FSDD("/ruta/a/datasets", subset="training")       # 2 700 grabaciones
    >>> waveform, sr, label, speaker, idx = train[0]
    >>> FSDD(sample=True, subset="testing")                        # 60, sin conexión
    """

    def __init__(self, root=None, subset=None, download=False, sample=False):
        if subset not in (None, "training", "testing"):
            raise ValueError(f"FSDD: subset debe ser None, 'training' o 'testing', no {subset!r} (la partición "
                             f"oficial: índices 0–4 para prueba)")
        self.subset = subset
        if sample:
            self.source, files = _SAMPLE, _read_archive(_SAMPLE)
        else:
            self.source, files = _find(root)
            if self.source is None:
                tried = files
                if not download:
                    raise DatasetNotFoundError(
                        "no se encontró el FSDD (carpeta recordings/ o archivo fsdd-recordings.tar.gz). Se buscó "
                        "en:\n  " + "\n  ".join(tried or search_paths(root)) + "\nUsa download=True para descargarlo "
                        "(15 MB), sample=True para la muestra incluida o define TINYGRAD_ES_DATA")
                files = self._download(root)
        self._files = files
        names = sorted(files, key=_key)
        if subset == "training":
            names = [n for n in names if _key(n)[2] >= 5]
        elif subset == "testing":
            names = [n for n in names if _key(n)[2] < 5]
        self._walker = names

    @staticmethod
    def _download(root) -> dict:
        dest = os.path.join(os.path.abspath(os.path.expanduser(str(root))) if root else cache_dir(), "fsdd",
                            "fsdd.tar.gz")
        try:
            download_from_mirrors(MIRRORS, dest, None, max_bytes=256 << 20, deadline=1200.0)
        except DownloadError as e:
            raise DatasetNotFoundError(f"FSDD: {e}") from None
        files = _read_archive(dest)
        digest = content_sha256(files)
        if digest != CONTENT_SHA256:
            os.unlink(dest)
            raise DatasetNotFoundError(f"FSDD: el contenido descargado no es el esperado (huella {digest}, se "
                                       f"esperaba {CONTENT_SHA256}): descarga rechazada y borrada")
        return files

    @staticmethod
    def sample_files(dest=None, n: int = 12) -> list:
        """Copia ``n`` grabaciones de la muestra incluida en ``dest`` (por defecto, la caché) y devuelve
        sus rutas: WAV de verdad para probar ``load`` o la página de voz."""
        out = os.path.join(cache_dir(), "fsdd_muestra") if dest is None else os.fspath(dest)
        files = _read_archive(_SAMPLE)
        paths = []
        for name in sorted(files, key=_key)[:n]:
            p = os.path.join(out, name)
            if not os.path.isfile(p) or os.path.getsize(p) != len(files[name]):
                os.makedirs(out, exist_ok=True)
                with open(p, "wb") as f:
                    f.write(files[name])
            paths.append(p)
        return paths

    def __len__(self) -> int:
        return len(self._walker)

    def get_metadata(self, n: int):
        """``(nombre del fichero, 8000, dígito, persona, índice)`` sin leer el audio."""
        name = self._walker[n]
        d, spk, idx = _key(name)
        return name, 8000, d, spk, idx

    def __getitem__(self, n: int):
        name, sr, d, spk, idx = self.get_metadata(n)
        src = self._files[name]
        waveform, rate = load(io.BytesIO(src) if isinstance(src, bytes) else src)
        if rate != sr:
            raise ValueError(f"FSDD: {name} tiene {rate} Hz y se esperaban {sr}")
        return waveform, rate, d, spk, idx

    @property
    def speakers(self) -> list:
        """Las personas presentes, en orden alfabético."""
        return sorted({_key(n)[1] for n in self._walker})

    def __repr__(self):
        return (f"FSDD(subset={self.subset!r}, {len(self)} grabaciones de {len(self.speakers)} personas, "
                f"origen={self.source!r})")


def make_sample(archive: str, out: str = _SAMPLE, indices=_SAMPLE_INDICES) -> int:
    """Crea la muestra incluida: las grabaciones con esos índices de cada persona y dígito, en un
    .tar.gz reproducible (mismos bytes cada vez) con la estructura ``recordings/*.wav``."""
    files = _read_archive(archive)
    names = sorted((n for n in files if _key(n)[2] in indices), key=_key)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for n in names:
                info = tarfile.TarInfo("recordings/" + n)
                info.size, info.mtime, info.mode = len(files[n]), 0, 0o644
                tar.addfile(info, io.BytesIO(files[n]))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "wb") as f:
        f.write(buf.getvalue())
    return len(names)
