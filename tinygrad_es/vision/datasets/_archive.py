"""Extracción segura de archivos ``.tar``/``.tar.gz``/``.tgz``/``.zip``/``.gz``.

Un archivo que llega de fuera no decide dónde escribe: antes de extraer nada se revisan todas sus
entradas y se rechazan (con la excepción de ``tarfile`` que usaría ``filter="data"``, y el mensaje
en español) las rutas absolutas, las que salen de la carpeta con ``..``, los enlaces que apuntan
fuera, los dispositivos y FIFO, y los archivos que declaran más ficheros o más bytes que el
máximo admitido. Se extrae en una carpeta temporal junto al destino y sólo al final se mueven
las entradas a su sitio: una extracción interrumpida no deja un conjunto a medias.
"""
from __future__ import annotations

import errno
import gzip
import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib

__all__ = ["extract_archive", "ArchiveError", "MAX_MEMBERS", "MAX_TOTAL_BYTES"]

MAX_MEMBERS = 500_000          # CIFAR-10 en JPEG tiene 60 000 ficheros
MAX_TOTAL_BYTES = 8 << 30      # 8 GiB descomprimidos
_CHUNK = 1 << 20


class ArchiveError(tarfile.TarError):
    """Archivo dañado, truncado o de un formato que no se reconoce."""


def _filter_error(cls_name, member, path, msg):
    """La excepción de ``tarfile`` que daría ``filter="data"`` (p. ej. ``OutsideDestinationError``),
    con el mensaje en español (sus constructores cambian entre versiones: se crea sin llamarlos)."""
    cls = getattr(tarfile, cls_name, tarfile.TarError)
    e = cls.__new__(cls)
    Exception.__init__(e, msg)
    e.tarinfo, e._path = member, path
    return e


def _inside(dest: str, name: str) -> str:
    target = os.path.realpath(os.path.join(dest, name))
    return target if os.path.commonpath([dest, target]) == dest else ""


def _check_tar_member(m: tarfile.TarInfo, dest: str, archive: str):
    name = m.name
    if name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
        raise _filter_error("AbsolutePathError", m, name,
                            f"'{archive}' contiene la ruta absoluta '{name}': se rechaza el archivo entero")
    target = _inside(dest, name)
    if not target:
        raise _filter_error("OutsideDestinationError", m, name,
                            f"'{archive}' contiene '{name}', que se escribiría fuera de la carpeta de destino: "
                            "se rechaza el archivo entero")
    if m.issym() or m.islnk():
        link = m.linkname
        if os.path.isabs(link):
            raise _filter_error("AbsoluteLinkError", m, name,
                                f"'{archive}' contiene un enlace '{name}' -> '{link}' a una ruta absoluta: "
                                "se rechaza el archivo entero")
        base = os.path.dirname(target) if m.issym() else dest
        if os.path.commonpath([dest, os.path.realpath(os.path.join(base, link))]) != dest:
            raise _filter_error("LinkOutsideDestinationError", m, name,
                                f"'{archive}' contiene un enlace '{name}' -> '{link}' que apunta fuera de la carpeta "
                                "de destino: se rechaza el archivo entero")
    elif not (m.isfile() or m.isdir()):
        raise _filter_error("SpecialFileError", m, name,
                            f"'{archive}' contiene '{name}', que no es un fichero ni una carpeta (dispositivo o "
                            "FIFO): se rechaza el archivo entero")


def _check_totals(n: int, total: int, archive: str, dest: str, free: int | None = None):
    if n > MAX_MEMBERS:
        raise ArchiveError(f"'{archive}' declara más de {MAX_MEMBERS} entradas: se rechaza")
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(f"'{archive}' declara {total} bytes descomprimidos, más que el máximo admitido "
                           f"({MAX_TOTAL_BYTES}): se rechaza")
    free = shutil.disk_usage(dest).free if free is None else free
    if total > free:
        raise OSError(errno.ENOSPC, f"no queda espacio en el disco para extraer '{archive}': hacen falta {total} "
                                    f"bytes y hay {free} libres en {dest}")


def _tar_error(archive, e):
    if isinstance(e, (EOFError, zlib.error, gzip.BadGzipFile)) or "unexpected end" in str(e).lower():
        return ArchiveError(f"'{archive}' está truncado o dañado: se corta antes de terminar")
    return ArchiveError(f"'{archive}' no es un archivo tar válido o está dañado ({type(e).__name__})")


def _extract_tar(path: str, dest: str, archive: str):
    """Una sola pasada: cada entrada se revisa antes de escribirla; los totales se vigilan sobre la
    marcha y cualquier problema borra la carpeta temporal (no queda nada a medias)."""
    free = shutil.disk_usage(dest).free
    tmp = tempfile.mkdtemp(dir=dest, prefix=".extrayendo-")
    try:
        with tarfile.open(path, "r:*") as tar:
            n, total, links = 0, 0, []
            for m in tar:
                _check_tar_member(m, dest, archive)
                n += 1
                total += max(m.size, 0)
                _check_totals(n, total, archive, dest, free)
                out = os.path.join(tmp, m.name)
                if m.isdir():
                    os.makedirs(out, exist_ok=True)
                elif m.isfile():
                    os.makedirs(os.path.dirname(out), exist_ok=True)
                    src = tar.extractfile(m)
                    with open(out, "wb") as f:
                        shutil.copyfileobj(src, f, _CHUNK)
                    os.chmod(out, 0o644)
                else:
                    links.append(m)
            for m in links:   # enlaces ya revisados: los crea tarfile con su filtro "data"
                tar.extract(m, tmp, filter="data")
        _move_into_place(tmp, dest)
    except (ArchiveError, tarfile.FilterError):
        raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise _tar_error(archive, e) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _extract_zip(path: str, dest: str, archive: str):
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = 0
            for info in infos:
                name = info.filename
                if name.startswith(("/", "\\")) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
                    raise _filter_error("AbsolutePathError", info, name,
                                        f"'{archive}' contiene la ruta absoluta '{name}': se rechaza el archivo entero")
                if not _inside(dest, name):
                    raise _filter_error("OutsideDestinationError", info, name,
                                        f"'{archive}' contiene '{name}', que se escribiría fuera de la carpeta de "
                                        "destino: se rechaza el archivo entero")
                total += info.file_size
            _check_totals(len(infos), total, archive, dest)
            tmp = tempfile.mkdtemp(dir=dest, prefix=".extrayendo-")
            try:
                for info in infos:
                    out = os.path.join(tmp, info.filename)
                    if info.is_dir():
                        os.makedirs(out, exist_ok=True)
                        continue
                    os.makedirs(os.path.dirname(out), exist_ok=True)
                    with z.open(info) as src, open(out, "wb") as dst:   # se lee como mucho file_size (y CRC)
                        shutil.copyfileobj(src, dst, _CHUNK)
                _move_into_place(tmp, dest)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except zipfile.BadZipFile as e:
        raise ArchiveError(f"'{archive}' no es un zip válido o está dañado ({e})") from None
    except (EOFError, zlib.error) as e:
        raise ArchiveError(f"'{archive}' está truncado o dañado ({type(e).__name__})") from None


def _extract_gz(path: str, out_path: str, archive: str):
    folder = os.path.dirname(os.path.abspath(out_path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(out_path)}.", suffix=".part")
    try:
        got = 0
        with gzip.open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while True:
                chunk = src.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > MAX_TOTAL_BYTES:
                    raise ArchiveError(f"'{archive}' se infla a más de {MAX_TOTAL_BYTES} bytes: se rechaza")
                dst.write(chunk)
        os.replace(tmp, out_path)
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise ArchiveError(f"'{archive}' es un .gz dañado o truncado ({type(e).__name__})") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _move_into_place(tmp: str, dest: str):
    for name in os.listdir(tmp):
        src, dst = os.path.join(tmp, name), os.path.join(dest, name)
        if os.path.isdir(dst) and not os.path.islink(dst):
            shutil.rmtree(dst)
        elif os.path.lexists(dst):
            os.unlink(dst)
        os.replace(src, dst)


def extract_archive(from_path, to_path=None, remove_finished: bool = False) -> str:
    """Extrae ``from_path`` (``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz``, ``.zip`` o ``.gz``)
    en ``to_path`` (por defecto, su carpeta) y devuelve ``to_path``; como en torchvision.

    Un ``.gz`` suelto se descomprime junto a él sin la extensión. Rutas absolutas, ``..``,
    enlaces hacia fuera y dispositivos se rechazan antes de escribir nada."""
    from_path = os.path.expanduser(str(from_path))
    to_path = os.path.dirname(os.path.abspath(from_path)) if to_path is None else os.path.expanduser(str(to_path))
    archive = os.path.basename(from_path)
    if not os.path.isfile(from_path):
        raise FileNotFoundError(f"no existe el archivo '{from_path}'")
    os.makedirs(to_path, exist_ok=True)
    dest = os.path.realpath(to_path)
    low = archive.lower()
    if low.endswith(".zip"):
        _extract_zip(from_path, dest, archive)
    elif low.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")):
        _extract_tar(from_path, dest, archive)
    elif low.endswith(".gz"):
        _extract_gz(from_path, os.path.join(dest, archive[:-3]), archive)
    elif tarfile.is_tarfile(from_path):
        _extract_tar(from_path, dest, archive)
    else:
        raise RuntimeError(f"'{archive}': extensión de archivo no reconocida (se admiten .tar, .tar.gz, .tgz, "
                           ".tar.bz2, .tar.xz, .zip y .gz)")
    if remove_finished:
        os.remove(from_path)
    return to_path
