"""Descargas verificadas y extracción segura de archivos, para los conjuntos de audio (como
``torch.hub.download_url_to_file`` y ``torchaudio.datasets.utils.extract_archive``).

* ``download_url_to_file`` usa la descarga del paquete (``_download.download_file``): escribe por
  trozos en un temporal de la misma carpeta, calcula el sha256 mientras llega, vigila el reloj (cada
  lectura, la velocidad mínima y el plazo total) y el tamaño máximo, y sólo al final, si el resumen
  coincide, renombra el fichero (nunca queda uno a medias).
* ``extract_archive`` rechaza rutas absolutas, ``..``, enlaces y dispositivos, y comprueba el
  tamaño total y el número de miembros **antes** de escribir nada.
"""
from __future__ import annotations

import hashlib
import os
import tarfile
import zipfile

from ..._download import download_file

__all__ = ["DownloadError", "download_url_to_file", "download_from_mirrors", "extract_archive", "sha256_file"]

_MIN_RATE = 4096             # bytes/s: un espejo más lento que esto (pasado `timeout`) se abandona
_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """La descarga falló (sin conexión, lenta, truncada, demasiado grande o con otro resumen)."""


class _NetworkError(Exception):
    """El motivo de un fallo de red (``DownloadError`` le antepone la URL)."""


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(_CHUNK), b""):
            h.update(b)
    return h.hexdigest()


def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None, progress: bool = False, *,
                         timeout: float = 30.0, deadline: float = 3600.0, max_bytes: int = 8 << 30) -> None:
    """Descarga ``url`` en ``dst`` comprobando que el sha256 empieza por ``hash_prefix`` (como
    ``torch.hub.download_url_to_file``), con la descarga del paquete (``_download.download_file``).
    ``timeout``: segundos por lectura; ``deadline``: segundos para toda la descarga; ``max_bytes``:
    tamaño máximo. Lanza ``DownloadError`` con la URL y el motivo."""
    def verify(digest):
        if hash_prefix is not None and not digest.startswith(hash_prefix):
            raise DownloadError(f"{url}: el sha256 del fichero ({digest}) no es el esperado ({hash_prefix}): "
                                f"descarga rechazada")

    try:
        download_file(url, dst, timeout=timeout, deadline=deadline, max_bytes=max_bytes, hash_name="sha256",
                      verify=verify, min_rate=_MIN_RATE, chunk=_CHUNK, exc=_NetworkError)
    except _NetworkError as e:
        raise DownloadError(f"{url}: {e}") from None


def download_from_mirrors(urls, dst: str, hash_prefix: str | None = None, **kw) -> None:
    """Prueba cada URL hasta que una descarga bien (con el resumen correcto)."""
    errors = []
    for url in urls:
        try:
            download_url_to_file(url, dst, hash_prefix, **kw)
            return
        except DownloadError as e:
            errors.append(str(e))
    raise DownloadError("no se pudo descargar de ningún espejo:\n  " + "\n  ".join(errors))


def _safe_target(root: str, name: str) -> str:
    target = os.path.realpath(os.path.join(root, name))
    base = os.path.realpath(root)
    if os.path.isabs(name) or not (target == base or target.startswith(base + os.sep)):
        raise RuntimeError(f"el archivo contiene una ruta peligrosa {name!r} (fuera de la carpeta de destino): "
                           f"no se extrae")
    return target


def extract_archive(from_path: str, to_path: str | None = None, overwrite: bool = False, *,
                    max_bytes: int = 16 << 30, max_members: int = 500_000) -> list:
    """Extrae un ``.tar``, ``.tar.gz``/``.tgz`` o ``.zip`` en ``to_path`` (por defecto, su carpeta) y
    devuelve la lista de ficheros. Nada sale de ``to_path``: rutas absolutas, ``..``, enlaces y
    dispositivos dan un error antes de escribir; también un total de más de ``max_bytes``."""
    to_path = to_path or os.path.dirname(os.path.abspath(from_path))
    os.makedirs(to_path, exist_ok=True)
    if zipfile.is_zipfile(from_path):
        with zipfile.ZipFile(from_path) as z:
            infos = z.infolist()
            if len(infos) > max_members or sum(i.file_size for i in infos) > max_bytes:
                raise RuntimeError(f"{from_path}: el archivo es demasiado grande para extraerlo")
            for i in infos:
                _safe_target(to_path, i.filename)
            out = []
            for i in infos:
                t = _safe_target(to_path, i.filename)
                if i.is_dir():
                    os.makedirs(t, exist_ok=True)
                    continue
                if os.path.exists(t) and not overwrite:
                    out.append(t)
                    continue
                os.makedirs(os.path.dirname(t), exist_ok=True)
                with z.open(i) as src, open(t, "wb") as dst:
                    for b in iter(lambda: src.read(_CHUNK), b""):
                        dst.write(b)
                out.append(t)
            return out
    try:
        tar = tarfile.open(from_path, "r:*")
    except tarfile.TarError as e:
        raise RuntimeError(f"{from_path} no es un archivo .tar/.tar.gz/.zip válido ({e})") from None
    with tar:
        members = tar.getmembers()
        if len(members) > max_members:
            raise RuntimeError(f"{from_path}: tiene {len(members)} miembros (máximo {max_members})")
        if sum(m.size for m in members if m.isfile()) > max_bytes:
            raise RuntimeError(f"{from_path}: descomprimido ocuparía más de {max_bytes} bytes")
        for m in members:
            _safe_target(to_path, m.name)
            if not (m.isfile() or m.isdir()):
                raise RuntimeError(f"{from_path}: el miembro {m.name!r} es un enlace o un dispositivo: no se extrae")
        out = []
        for m in members:
            t = _safe_target(to_path, m.name)
            if m.isdir():
                os.makedirs(t, exist_ok=True)
                continue
            if os.path.exists(t) and not overwrite:
                out.append(t)
                continue
            os.makedirs(os.path.dirname(t), exist_ok=True)
            src = tar.extractfile(m)
            with open(t, "wb") as dst:
                for b in iter(lambda: src.read(_CHUNK), b""):
                    dst.write(b)
            out.append(t)
        return out
