"""Las descargas HTTP del paquete, en un solo sitio (las usan ``data``, ``vision`` y ``audio``).

* ``stream(url, write, ...)``: baja ``url`` por trozos y se los da a ``write`` vigilando el reloj
  (cada lectura espera como mucho ``timeout`` s, toda la descarga termina antes de ``deadline_at``
  y un espejo que gotea bytes —más lento que ``min_rate`` pasado ``timeout`` s— se abandona) y el
  tamaño (``max_bytes``, tanto el que anuncia el servidor como el que llega). Devuelve los bytes
  recibidos.
* ``download_file(url, dst, ...)``: lo mismo a un temporal de la carpeta de ``dst`` (con el nombre y
  la limpieza de temporales de procesos muertos de ``_io.atomic_write``), con el resumen (md5,
  sha256...) calculado mientras llega, ``verify(resumen)`` antes de dejarlo en su sitio y
  ``os.replace`` al final: nunca queda un fichero a medias ni uno que no pasó la verificación.

Cualquier fallo de red (sin conexión, error HTTP, lento, truncado, demasiado grande) se convierte en
``exc(motivo)``, con el motivo en español; cada llamador elige su clase de error (``DownloadError`` de
``vision``, un ``URLError`` como en torchvision; la de ``audio``, un ``RuntimeError``...). Los errores
al escribir en el disco (disco lleno, sin permiso) no son culpa del espejo y salen tal cual.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request

from ._io import _clean_stale_temps

__all__ = ["DownloadError", "stream", "download_file", "MIN_RATE", "CHUNK"]

MIN_RATE = 2048        # bytes/s: por debajo (pasados ``timeout`` s), el espejo se abandona
CHUNK = 1 << 16        # bytes por lectura: ``read1`` vuelve en cuanto llega algo, el reloj se mira a menudo
_USER_AGENT = "tinygrad_es (python urllib)"


class DownloadError(RuntimeError):
    """La descarga falló (la clase por defecto de ``exc``)."""


def _open(url: str, timeout: float):
    req = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    return urllib.request.urlopen(req, timeout=timeout)


def _network_error(e: BaseException, timeout: float, exc):
    """El error de red ``e`` (de ``urlopen`` o de una lectura) como ``exc`` con el motivo en español."""
    if isinstance(e, urllib.error.HTTPError):
        return exc(f"el servidor respondió {e.code} {e.reason}")
    if isinstance(e, http.client.IncompleteRead):
        missing = f" y faltan {e.expected}" if e.expected is not None else ""
        return exc(f"respuesta truncada: llegaron {len(e.partial)} bytes{missing}")
    if isinstance(e, (TimeoutError, socket.timeout)):
        return exc(f"el servidor no respondió en {timeout:g} s")
    if isinstance(e, urllib.error.URLError):
        if isinstance(e.reason, (TimeoutError, socket.timeout)):
            return exc(f"el servidor no respondió en {timeout:g} s")
        return exc(f"no se pudo conectar ({e.reason})")
    return exc(f"la descarga falló ({type(e).__name__}: {e})")


_NETWORK = (urllib.error.URLError, http.client.HTTPException, OSError, ValueError)


def stream(url: str, write, *, timeout: float, deadline_at: float, max_bytes: int, min_rate: float = MIN_RATE,
           chunk: int = CHUNK, progress=None, exc=DownloadError) -> int:
    """Descarga ``url`` dando cada trozo a ``write`` y devuelve cuántos bytes llegaron.

    Args:
        url: la dirección (``http://``, ``https://`` o ``file://``).
        write: función que recibe cada trozo (``bytes``), p. ej. ``fichero.write``.
        timeout: segundos de espera por lectura (y para conectar).
        deadline_at: instante (``time.monotonic()``) en que toda la descarga debe haber terminado.
        max_bytes: tamaño máximo aceptado (el anunciado y el recibido).
        min_rate: bytes/s mínimos pasados ``timeout`` s (``MIN_RATE``).
        chunk: bytes por lectura (``CHUNK``).
        progress: ``progress(total)`` → un objeto con ``update(n)`` y ``close()`` (una barra), o ``None``.
        exc: la clase de los errores de red (``DownloadError``).
    """
    start = time.monotonic()
    if start >= deadline_at:
        raise exc("no se intentó: se agotó el plazo total de la descarga")
    try:
        response = _open(url, min(timeout, deadline_at - start))
    except _NETWORK as e:
        raise _network_error(e, timeout, exc) from None
    bar = None
    with response as r:
        total = r.length  # Content-Length (None si el servidor no lo da)
        if total is not None and total > max_bytes:
            raise exc(f"el servidor anuncia {total} bytes; el máximo admitido es {max_bytes}")
        bar = progress(total) if progress is not None else None
        got = 0
        try:
            while True:
                now = time.monotonic()
                if now > deadline_at:
                    raise exc(f"se agotó el plazo total de la descarga ({got} bytes recibidos)")
                if now - start > timeout and got < min_rate * (now - start):
                    raise exc(f"el servidor es demasiado lento ({got / (now - start):.0f} bytes/s tras "
                              f"{now - start:.1f} s; el mínimo es {min_rate:g} bytes/s)")
                try:
                    data = r.read1(chunk)
                except _NETWORK as e:
                    raise _network_error(e, timeout, exc) from None
                if not data:
                    break
                got += len(data)
                if got > max_bytes:
                    raise exc(f"la respuesta supera el máximo admitido ({max_bytes} bytes)")
                write(data)
                if bar is not None:
                    bar.update(len(data))
        finally:
            if bar is not None:
                bar.close()   # la línea de la barra queda terminada, también antes de un mensaje de error
        if total is not None and got < total:
            raise exc(f"respuesta truncada: llegaron {got} de {total} bytes")
    return got


def download_file(url: str, dst: str, *, timeout: float, deadline: float, max_bytes: int, hash_name: str = "sha256",
                  verify=None, min_rate: float = MIN_RATE, chunk: int = CHUNK, progress=None,
                  exc=DownloadError) -> str:
    """Descarga ``url`` en ``dst`` a través de un temporal ``.tmp-<pid>-*-<nombre>`` de la misma carpeta
    (los que dejó una descarga cortada de un proceso muerto se borran antes) y devuelve el resumen
    ``hash_name`` (hexadecimal) de lo descargado.

    ``verify(resumen)`` (si se da) se llama antes de dejar el fichero en su sitio y lanza su propio
    error si el resumen no es el esperado: entonces el temporal se borra y ``dst`` no cambia.
    ``deadline``: segundos para toda la descarga; el resto de argumentos, como en ``stream``.
    """
    folder, base = os.path.dirname(os.path.abspath(dst)), os.path.basename(dst)
    os.makedirs(folder, exist_ok=True)
    _clean_stale_temps(folder, base)
    deadline_at = time.monotonic() + deadline
    h = hashlib.new(hash_name, usedforsecurity=False)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".tmp-{os.getpid()}-", suffix="-" + base)
    try:
        with os.fdopen(fd, "wb") as out:
            def write(data):
                h.update(data)
                out.write(data)
            stream(url, write, timeout=timeout, deadline_at=deadline_at, max_bytes=max_bytes, min_rate=min_rate,
                   chunk=chunk, progress=progress, exc=exc)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if verify is not None:
            verify(digest)
        os.replace(tmp, dst)   # atómico: o el fichero completo y verificado, o nada
        return digest
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
