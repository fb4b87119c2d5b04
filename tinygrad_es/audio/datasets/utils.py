"""Descargas verificadas y extracción segura de archivos, para los conjuntos de audio (como
``torch.hub.download_url_to_file`` y ``torchaudio.datasets.utils.extract_archive``).

* ``download_url_to_file`` escribe por trozos en un temporal de la misma carpeta, calcula el sha256
  mientras llega, vigila el reloj (cada lectura, la velocidad mínima y el plazo total) y el tamaño
  máximo, y sólo al final, si el resumen coincide, renombra el fichero (nunca queda uno a medias).
* ``extract_archive`` rechaza rutas absolutas, ``..``, enlaces y dispositivos, y comprueba el
  tamaño total y el número de miembros **antes** de escribir nada.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import socket
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

__all__ = ["DownloadError", "download_url_to_file", "download_from_mirrors", "extract_archive", "sha256_file"]

_MIN_RATE = 4096             # bytes/s: un espejo más lento que esto (pasado `timeout`) se abandona
_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """La descarga falló (sin conexión, lenta, truncada, demasiado grande o con otro resumen)."""


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(_CHUNK), b""):
            h.update(b)
    return h.hexdigest()


def download_url_to_file(url: str, dst: str, hash_prefix: str | None = None, progress: bool = False, *,
                         timeout: float = 30.0, deadline: float = 3600.0, max_bytes: int = 8 << 30) -> None:
    """Descarga ``url`` en ``dst`` comprobando que el sha256 empieza por ``hash_prefix`` (como
    ``torch.hub.download_url_to_file``). ``timeout``: segundos por lectura; ``deadline``: segundos
    para toda la descarga; ``max_bytes``: tamaño máximo. Lanza ``DownloadError`` con el motivo."""
    folder = os.path.dirname(os.path.abspath(dst)) or "."
    os.makedirs(folder, exist_ok=True)
    start = time.monotonic()
    end_at = start + deadline
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(dst) + ".", suffix=".part")
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=min(timeout, deadline)) as r:
                    total = r.length
                    if total is not None and total > max_bytes:
                        raise DownloadError(f"{url}: el servidor anuncia {total} bytes; el máximo es {max_bytes}")
                    got = 0
                    while True:
                        now = time.monotonic()
                        if now > end_at:
                            raise DownloadError(f"{url}: se agotó el plazo de {deadline:g} s ({got} bytes recibidos)")
                        if now - start > timeout and got < _MIN_RATE * (now - start):
                            raise DownloadError(f"{url}: el servidor es demasiado lento ({got / (now - start):.0f} "
                                                f"bytes/s)")
                        chunk = r.read1(_CHUNK)
                        if not chunk:
                            break
                        got += len(chunk)
                        if got > max_bytes:
                            raise DownloadError(f"{url}: la respuesta supera {max_bytes} bytes")
                        h.update(chunk)
                        out.write(chunk)
                    if total is not None and got < total:
                        raise DownloadError(f"{url}: respuesta truncada ({got} de {total} bytes)")
            except DownloadError:
                raise
            except urllib.error.HTTPError as e:
                raise DownloadError(f"{url}: el servidor respondió {e.code} {e.reason}") from None
            except http.client.IncompleteRead as e:
                raise DownloadError(f"{url}: respuesta truncada ({len(e.partial)} bytes)") from None
            except (TimeoutError, socket.timeout):
                raise DownloadError(f"{url}: el servidor no respondió en {timeout:g} s") from None
            except urllib.error.URLError as e:
                raise DownloadError(f"{url}: no se pudo conectar ({e.reason})") from None
            except (http.client.HTTPException, OSError, ValueError) as e:
                raise DownloadError(f"{url}: la descarga falló ({type(e).__name__}: {e})") from None
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if hash_prefix is not None and not digest.startswith(hash_prefix):
            raise DownloadError(f"{url}: el sha256 del fichero ({digest}) no es el esperado ({hash_prefix}): "
                                f"descarga rechazada")
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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
