"""Descargas y sumas md5, como ``torchvision.datasets.utils``.

- ``download_url(url, root, filename, md5)``: la descarga del paquete (``_download.download_file``:
  por trozos a un temporal de la misma carpeta, plazo por lectura (``timeout``) y total
  (``deadline``), tamaño máximo, y md5 comprobado *antes* de dejar el fichero en su sitio, con
  ``os.replace``: nunca queda un fichero a medias), con barra de progreso en español. Un fallo de
  red da ``DownloadError`` (subclase de ``urllib.error.URLError``, la misma que captura torchvision
  para probar el siguiente espejo); un md5 distinto, ``RuntimeError``.
- ``check_integrity`` / ``calculate_md5`` / ``check_md5``: como en torchvision.
- ``download_and_extract_archive`` / ``extract_archive``: la extracción (segura) está en ``_archive.py``.
- ``local_roots()``: dónde se buscan copias locales antes de ir a la red (``$TINYGRAD_ES_DATA``,
  ``~/.cache/tinygrad_es``, ``/usr/share/datasets``); ``TINYGRAD_ES_OFFLINE=1`` prohíbe la red.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
import urllib.error

from ..._download import download_file
from ...data.datasets import search_paths
from ._archive import extract_archive

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "download_and_extract_archive",
           "extract_archive", "verify_str_arg", "DownloadError", "local_roots", "offline", "EMBEDDED"]

# las muestras que viajan con el paquete (MNIST, Fashion-MNIST, CIFAR-10): tinygrad_es/data/_embedded
EMBEDDED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data",
                        "_embedded")
MAX_DOWNLOAD = 1 << 31      # 2 GiB: el mayor archivo de estos conjuntos (CIFAR-100) mide 169 MB


class DownloadError(urllib.error.URLError):
    """La descarga falló (sin conexión, error HTTP, lenta, truncada). Es un ``URLError`` como en
    torchvision, pero su texto está en español."""

    def __str__(self):
        return str(self.reason)


def offline() -> bool:
    """``TINYGRAD_ES_OFFLINE=1`` (o ``true``/``sí``): no se intenta ninguna descarga."""
    return os.environ.get("TINYGRAD_ES_OFFLINE", "").strip().lower() in ("1", "true", "si", "sí", "yes")


def local_roots() -> list:
    """Carpetas con copias locales de los conjuntos, en orden: ``$TINYGRAD_ES_DATA``,
    ``~/.cache/tinygrad_es`` y ``/usr/share/datasets`` (donde Debian deja Fashion-MNIST)."""
    return search_paths(None)


def calculate_md5(fpath, chunk_size: int = 1024 * 1024) -> str:
    """md5 (hexadecimal) del fichero ``fpath``, leído por trozos."""
    md5 = hashlib.md5(usedforsecurity=False) if sys.version_info >= (3, 9) else hashlib.md5()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5: str, **kwargs) -> bool:
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5: str | None = None) -> bool:
    """``True`` si ``fpath`` existe y (si se da ``md5``) su md5 coincide."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def verify_str_arg(value, arg: str | None = None, valid_values=None, custom_msg: str | None = None) -> str:
    """Comprueba que ``value`` es un texto y uno de ``valid_values`` (``ValueError`` si no)."""
    if not isinstance(value, str):
        what = f"el argumento '{arg}'" if arg else "el argumento"
        raise ValueError(f"{what} debe ser un texto, no {type(value).__name__}")
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            raise ValueError(custom_msg)
        raise ValueError(f"valor desconocido '{value}' para el argumento {arg}: "
                         f"los válidos son {', '.join(repr(v) for v in valid_values)}")
    return value


# ---- barra de progreso ---------------------------------------------------------------------
def _mb(n) -> str:
    return f"{n / 1e6:.1f}"


class _Progress:
    """Barra de progreso en español en ``stderr`` (como mucho 4 refrescos por segundo)."""

    def __init__(self, total, label, stream=None):
        self.total, self.label, self.got = total, label, 0
        self.stream = stream if stream is not None else sys.stderr
        self.start = self.last = time.monotonic()
        self._draw(force=True)

    def update(self, n):
        self.got += n
        self._draw()

    def _draw(self, force=False, end=""):
        now = time.monotonic()
        if not force and now - self.last < 0.25:
            return
        self.last = now
        rate = self.got / max(now - self.start, 1e-9)
        if self.total:
            frac = min(self.got / self.total, 1.0)
            bar = "█" * int(frac * 24) + "·" * (24 - int(frac * 24))
            text = f"\r  {self.label}: {frac * 100:5.1f} % |{bar}| {_mb(self.got)} de {_mb(self.total)} MB"
        else:
            text = f"\r  {self.label}: {_mb(self.got)} MB"
        if self.got and now > self.start:
            text += f" · {_mb(rate)} MB/s"
        try:
            self.stream.write(text + end)
            self.stream.flush()
        except (OSError, ValueError):   # stderr cerrado: la descarga sigue sin barra
            pass

    def close(self):
        self._draw(force=True, end="\n")


# ---- descarga (la de todo el paquete: ``_download.py``) ---------------------------------------
def download_url(url: str, root, filename: str | None = None, md5: str | None = None,
                 max_redirect_hops: int = 3, *, timeout: float = 20.0, deadline: float = 600.0,
                 max_bytes: int = MAX_DOWNLOAD, progress: bool = True) -> None:
    """Descarga ``url`` a ``root/filename`` (como ``torchvision.datasets.utils.download_url``).

    Si el fichero ya está y su md5 coincide, no hace nada. ``timeout``: segundos de espera por
    lectura; ``deadline``: segundos para toda la descarga; ``max_bytes``: tamaño máximo aceptado.
    Lanza ``DownloadError`` (un ``URLError``) si la red falla y ``RuntimeError`` si el md5 no
    coincide (el fichero descargado se borra)."""
    if offline():
        raise DownloadError("descarga desactivada con TINYGRAD_ES_OFFLINE")
    root = os.path.expanduser(str(root))
    filename = filename or os.path.basename(url.rstrip("/"))
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return

    def verify(got):
        if md5 is not None and got != md5:
            raise RuntimeError(f"'{filename}' descargado de {url} está dañado o no es el esperado: su md5 es "
                               f"{got} y debería ser {md5}. Se ha descartado; vuelve a intentarlo o usa otro "
                               "espejo")

    download_file(url, fpath, timeout=timeout, deadline=deadline, max_bytes=max_bytes, hash_name="md5", verify=verify,
                  progress=(lambda total: _Progress(total, filename)) if progress else None, exc=DownloadError)


def download_and_extract_archive(url: str, download_root, extract_root=None, filename: str | None = None,
                                 md5: str | None = None, remove_finished: bool = False, **kwargs) -> None:
    """``download_url`` y después ``extract_archive`` (en ``extract_root``, por defecto la misma carpeta)."""
    download_root = os.path.expanduser(str(download_root))
    extract_root = download_root if extract_root is None else extract_root
    filename = filename or os.path.basename(url.rstrip("/"))
    download_url(url, download_root, filename, md5, **kwargs)
    archive = os.path.join(download_root, filename)
    print(f"Extrayendo {archive} en {extract_root}")
    extract_archive(archive, extract_root, remove_finished)
