"""Texto para modelos de lenguaje: *Don Quijote*, un vocabulario de caracteres y ventanas de texto.

* ``load_quijote()``: el texto completo (2,07 M caracteres) buscado en local (``root``,
  ``$TINYGRAD_ES_DATA``, ``~/.cache/tinygrad_es``, ``/usr/share/datasets``; carpeta ``quijote/``)
  o descargado. Si no hay ni copia ni red, ``quijote_excerpt()`` da los ocho primeros
  capítulos, incluidos en el paquete (99 045 caracteres: hasta los molinos de viento).
* ``CharTokenizer``: carácter ↔ índice (``stoi``/``itos``, como en makemore y char-rnn).
* ``CharDataset``: un ``Dataset`` de ventanas (contexto, siguiente carácter).

>>> texto = load_quijote(download=False) if have_quijote() else quijote_excerpt()
>>> tok = CharTokenizer(texto)
>>> datos = CharDataset(tok.encode(texto), block_size=64)
>>> x, y = datos[0]          # y es x desplazado un carácter: el objetivo en cada posición

La descarga: primero los ``mirrors`` que sirvan la copia del curso (``quijote.txt.gz``, se
verifica su SHA-256); después el *Proyecto Gutenberg* (libro 2000), del que se quita la
cabecera y la licencia y se comprueba que es el Quijote (no tiene una suma fija: Gutenberg
revisa sus ediciones). Se guarda en ``~/.cache/tinygrad_es/quijote/quijote.txt.gz``.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import time
import zlib

import numpy as np

from .._tensor import Tensor
from ..utils.data import Dataset
from .datasets import DEFAULT_DEADLINE, DatasetNotFoundError, _fetch, _FetchError, cache_dir, search_paths

__all__ = ["load_quijote", "quijote_excerpt", "have_quijote", "CharTokenizer", "CharDataset", "QUIJOTE"]

_EMBEDDED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_embedded", "quijote_extracto.txt.gz")

QUIJOTE = {
    # la copia del curso (../shared/datasets/quijote): texto UTF-8 descomprimido
    "sha256": "885581163e95c870e8661ff25249ba1d30206eee032e2006b3138b89ad55d9b7",
    "chars": 2071776,
    "excerpt_sha256": "b16f9c9113c2c891892700c57a5169a9eeb19526016c6f24b20b234cdfe5a731",
    "gutenberg": ["https://www.gutenberg.org/cache/epub/2000/pg2000.txt",
                  "https://www.gutenberg.org/files/2000/2000-0.txt"],
}
_NAMES = ("quijote.txt.gz", "quijote.txt")
_MAX_BYTES = 16 << 20  # el texto pesa 2,1 MB: 16 MB sin comprimir es un tope holgado (y frena una bomba gzip)
_INCIPIT = "En un lugar de la Mancha, de cuyo nombre no quiero acordarme"


class TextFormatError(ValueError):
    """El fichero no es el texto esperado (no es UTF-8, es demasiado grande, no es el Quijote…)."""


def _read_text(path: str) -> str:
    """Lee un .txt o .txt.gz UTF-8 sin descomprimir más de ``_MAX_BYTES``."""
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_BYTES + 1)
    except OSError as e:
        raise DatasetNotFoundError(f"no se pudo leer '{path}': {e.strerror or e}") from None
    return _decode(raw, path)


def _decode(raw: bytes, where: str) -> str:
    if raw[:2] == b"\x1f\x8b":
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data = d.decompress(raw, _MAX_BYTES + 1)
        except zlib.error as e:
            raise TextFormatError(f"'{where}' no es un gzip válido ({e})") from None
        if len(data) > _MAX_BYTES or d.unconsumed_tail:
            raise TextFormatError(f"'{where}': el texto descomprimido supera {_MAX_BYTES >> 20} MB")
        raw = data
    elif len(raw) > _MAX_BYTES:
        raise TextFormatError(f"'{where}' mide más de {_MAX_BYTES >> 20} MB: no parece el Quijote")
    try:
        return raw.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as e:
        raise TextFormatError(f"'{where}' no es texto UTF-8 (byte {e.start}: {raw[e.start:e.start + 1]!r})") from None


def quijote_excerpt() -> str:
    """Los ocho primeros capítulos del Quijote (incluidos en el paquete; 99 045 caracteres)."""
    return _read_text(_EMBEDDED)


def _local_candidates(root=None):
    if root and os.path.isfile(os.path.expanduser(str(root))):
        yield os.path.abspath(os.path.expanduser(str(root)))  # root puede ser el propio fichero
    for base in search_paths(root):
        for sub in ("quijote", ""):
            for name in _NAMES:
                yield os.path.join(base, sub, name)


def have_quijote(root=None) -> bool:
    """¿Hay una copia local del texto completo?"""
    return any(os.path.isfile(p) for p in _local_candidates(root))


def _strip_gutenberg(text: str) -> str:
    """El cuerpo del libro entre las marcas ``*** START OF`` y ``*** END OF`` de Gutenberg."""
    start = text.find("*** START OF")
    if start >= 0:
        text = text[text.find("\n", start) + 1:]
    end = text.find("*** END OF")
    if end >= 0:
        text = text[:end]
    return text.strip() + "\n"


def _check_quijote(text: str, where: str, exact: bool) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest == QUIJOTE["sha256"]:
        return text
    if exact:
        raise TextFormatError(f"'{where}': la suma SHA-256 ({digest}) no es la de la copia del curso "
                              f"({QUIJOTE['sha256']})")
    if _INCIPIT not in text or not 1_500_000 <= len(text) <= 3_000_000:
        raise TextFormatError(f"'{where}' no parece el Quijote completo ({len(text)} caracteres; se esperan unos "
                              f"2 millones que contengan «{_INCIPIT[:24]}…»)")
    return text


def _save(text: str, folder: str) -> str:
    os.makedirs(folder, exist_ok=True)
    dest = os.path.join(folder, "quijote.txt.gz")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".quijote.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
                g.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return dest


def load_quijote(root=None, download=True, mirrors=None, timeout=20.0, deadline=DEFAULT_DEADLINE) -> str:
    """El texto completo de *El ingenioso hidalgo don Quijote de la Mancha* (partes I y II).

    Busca ``quijote/quijote.txt.gz`` (o ``.txt``) en ``search_paths(root)``; si no está y
    ``download``, prueba ``mirrors`` (URL completas de ``quijote.txt.gz`` con la copia del curso,
    verificada por SHA-256) y después el Proyecto Gutenberg, y lo guarda en la caché. Lanza
    ``DatasetNotFoundError`` con lo que se probó; ``quijote_excerpt()`` no necesita nada."""
    tried = []
    for path in _local_candidates(root):
        if os.path.isfile(path):
            return _read_text(path)
        tried.append(path)
    errors = []
    if download:
        deadline_at = time.monotonic() + deadline
        sources = [(u, True) for u in ([mirrors] if isinstance(mirrors, str) else list(mirrors or []))]
        sources += [(u, False) for u in QUIJOTE["gutenberg"]]
        for url, exact in sources:
            try:
                text = _decode(_fetch(url, timeout, deadline_at), url)
                if not exact:
                    text = _strip_gutenberg(text)
                text = _check_quijote(text, url, exact)
            except (_FetchError, TextFormatError) as e:
                errors.append(f"{url}: {e}")
                continue
            _save(text, os.path.join(os.path.abspath(os.path.expanduser(str(root))) if root else cache_dir(),
                                     "quijote"))
            return text
    msg = ("no se encontró el texto del Quijote. Se buscó en:\n  " + "\n  ".join(tried[:8]) +
           ("\n  …" if len(tried) > 8 else "") +
           "\nCopia quijote.txt.gz en una carpeta 'quijote/' de una de esas rutas (o define TINYGRAD_ES_DATA), "
           "o usa quijote_excerpt() (ocho capítulos incluidos en el paquete)")
    if errors:
        msg += ".\nLa descarga falló:\n  " + "\n  ".join(errors[-4:])
    elif not download:
        msg += " (descarga desactivada)"
    raise DatasetNotFoundError(msg)


class CharTokenizer:
    """Vocabulario de caracteres: cada carácter distinto del texto recibe un índice (en orden de
    Unicode, como ``sorted(set(texto))`` en makemore o char-rnn).

    >>> tok = CharTokenizer("hola mundo")
    >>> tok.encode("hola")          # [3, 5, 4, 0]
    >>> tok.decode([3, 5, 4, 0])    # 'hola'
    """

    def __init__(self, text: str = "", chars=None):
        if chars is None:
            if not isinstance(text, str):
                raise TypeError(f"CharTokenizer espera un texto (str), no {type(text).__name__}")
            chars = sorted(set(text))
        self.itos = list(chars)
        if len(set(self.itos)) != len(self.itos):
            raise ValueError("CharTokenizer: hay caracteres repetidos en chars")
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    @property
    def vocab_size(self) -> int:
        return len(self.itos)

    def __len__(self):
        return len(self.itos)

    def encode(self, text: str) -> list:
        """Texto → lista de índices. Un carácter que no está en el vocabulario es un ``KeyError``."""
        try:
            return [self.stoi[c] for c in text]
        except KeyError as e:
            raise KeyError(f"el carácter {e.args[0]!r} no está en el vocabulario ({len(self)} caracteres)") from None

    def decode(self, ids) -> str:
        """Índices (lista, ndarray o tensor de enteros) → texto."""
        if isinstance(ids, Tensor):
            ids = ids.detach()._data
        arr = np.asarray(ids).reshape(-1)
        if arr.size and (arr.dtype.kind not in "iu" or arr.min() < 0 or arr.max() >= len(self.itos)):
            raise IndexError(f"decode: los índices deben ser enteros en [0, {len(self.itos)}); se recibió "
                             f"{arr.min()}…{arr.max()}")
        return "".join(self.itos[i] for i in arr.tolist())

    def __repr__(self):
        return f"CharTokenizer(vocab_size={len(self)})"


class CharDataset(Dataset):
    """Ventanas de ``block_size`` caracteres de una secuencia de índices (``torch.utils.data.Dataset``).

    ``target="sequence"`` (por defecto, para RNN y Transformers): ``x = ids[i : i+T]`` e
    ``y = ids[i+1 : i+T+1]``, el siguiente carácter en cada posición. ``target="next"`` (el MLP de
    makemore/Bengio): ``x = ids[i : i+T]`` e ``y = ids[i+T]``, sólo el siguiente. ``stride`` salta
    entre ventanas (``stride=block_size``: sin solapes). Devuelve tensores int64."""

    def __init__(self, ids, block_size: int, stride: int = 1, target: str = "sequence"):
        arr = ids.detach()._data if isinstance(ids, Tensor) else np.asarray(ids)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise TypeError(f"CharDataset espera una secuencia 1-D de índices enteros, no {arr.dtype} de forma "
                            f"{tuple(arr.shape)}")
        if target not in ("sequence", "next"):
            raise ValueError(f"target debe ser 'sequence' o 'next', no {target!r}")
        for name, v in (("block_size", block_size), ("stride", stride)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} debe ser un entero ≥ 1, no {v!r}")
        if arr.size < block_size + 1:
            raise ValueError(f"el texto ({arr.size} índices) es más corto que una ventana más el objetivo "
                             f"({block_size + 1})")
        self.data = arr.astype(np.int64)
        self.block_size, self.stride, self.target = int(block_size), int(stride), target

    def __len__(self):
        return (self.data.size - self.block_size - 1) // self.stride + 1

    def __getitem__(self, i):
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"índice {i} fuera de rango para {n} ventanas")
        s = (i % n) * self.stride
        x = self.data[s:s + self.block_size]
        y = self.data[s + 1:s + self.block_size + 1] if self.target == "sequence" else self.data[s + self.block_size]
        return Tensor._wrap(x.copy()), Tensor._wrap(np.array(y, dtype=np.int64))
