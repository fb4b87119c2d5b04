"""Conjuntos de datos: MNIST, Fashion-MNIST (con búsqueda local, descarga verificada y
caché), una muestra de MNIST incluida en el paquete, Iris, dígitos 8×8 y generadores
sintéticos del curso."""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import time

import numpy as np

from .._download import stream
from .._io import atomic_write
from .idx import IDXError, read_idx

__all__ = ["load_mnist", "load_fashion_mnist", "load_mnist_sample", "load_iris", "load_digits",
           "xor", "quadratic_roots", "spirals", "search_paths", "DatasetNotFoundError", "DATASETS", "mnist_tensors"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_EMBEDDED = os.path.join(_HERE, "_embedded")

_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

# md5 de los ficheros .gz oficiales (los mismos que verifica torchvision)
DATASETS = {
    "mnist": {
        "md5": {"train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
                "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
                "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c"},
        "mirrors": ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/"],
    },
    "fashion-mnist": {
        "md5": {"train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
                "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
                "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310"},
        "mirrors": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    },
}


class DatasetNotFoundError(FileNotFoundError):
    """No se encontró el conjunto de datos en local ni se pudo descargar."""


def search_paths(root=None) -> list:
    """Carpetas donde se buscan los datos, en orden: ``root``, ``$TINYGRAD_ES_DATA``,
    ``~/.cache/tinygrad_es`` y ``/usr/share/datasets``."""
    paths = []
    if root:
        paths.append(os.path.abspath(os.path.expanduser(str(root))))
    env = os.environ.get("TINYGRAD_ES_DATA")
    if env:
        paths.append(os.path.abspath(os.path.expanduser(env)))
    paths.append(cache_dir())
    paths.append("/usr/share/datasets")
    return paths


def cache_dir() -> str:
    return os.path.join(os.path.expanduser("~"), ".cache", "tinygrad_es")


def _find(folder: str, stem: str):
    for name in (stem + ".gz", stem):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            return p
    return None


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


_MAX_DOWNLOAD = 64 << 20     # bytes: el mayor fichero oficial mide ~26 MB
_MIN_RATE = 2048             # bytes/s: por debajo, el espejo se abandona y se prueba el siguiente
DEFAULT_DEADLINE = 600.0     # segundos para toda la descarga


class _FetchError(Exception):
    pass


def _fetch(url: str, timeout: float, deadline_at: float) -> bytes:
    """Descarga ``url`` en memoria vigilando el reloj y el tamaño (``_download.stream``: cada lectura
    espera como mucho ``timeout`` s, todo termina antes de ``deadline_at``, un espejo más lento que
    ``_MIN_RATE`` se abandona). Lanza ``_FetchError`` con el motivo en español."""
    chunks = []
    stream(url, chunks.append, timeout=timeout, deadline_at=deadline_at, max_bytes=_MAX_DOWNLOAD,
           min_rate=_MIN_RATE, exc=_FetchError)
    return b"".join(chunks)


def _download(name: str, dest_folder: str, mirrors, timeout: float, deadline: float = DEFAULT_DEADLINE):
    """Descarga los cuatro ficheros verificando su md5; escritura atómica en la caché (``_io.atomic_write``).
    Si un espejo falla (sin conexión, lento, truncado, md5 distinto) se prueba el siguiente;
    ``deadline`` acota en segundos toda la operación. Devuelve la lista de errores (vacía si bien)."""
    info = DATASETS[name]
    os.makedirs(dest_folder, exist_ok=True)
    deadline_at = time.monotonic() + deadline
    errors = []
    for stem in _FILES:
        if _find(dest_folder, stem):
            continue
        ok = False
        for base in mirrors:
            url = base.rstrip("/") + "/" + stem + ".gz"
            try:
                data = _fetch(url, timeout, deadline_at)
            except _FetchError as e:
                errors.append(f"{url}: {e}")
                continue
            if _md5(data) != info["md5"][stem]:
                errors.append(f"{url}: md5 incorrecto ({_md5(data)}), fichero rechazado")
                continue
            # temporal + renombrado (nunca queda un .gz a medias) y limpieza de los temporales de
            # descargas anteriores que se cortaron (kill -9, corte de luz)
            atomic_write(os.path.join(dest_folder, stem + ".gz"), data)
            ok = True
            break
        if not ok:
            return errors
    return []


def _load(name: str, root=None, download=True, mirrors=None, timeout=20.0, deadline=DEFAULT_DEADLINE):
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout debe ser un número de segundos positivo, no {timeout!r}")
    if not (isinstance(deadline, (int, float)) and deadline > 0):
        raise ValueError(f"deadline debe ser un número de segundos positivo, no {deadline!r}")
    if isinstance(mirrors, str):   # un solo espejo escrito sin lista
        mirrors = [mirrors]
    tried = []
    folders = [os.path.join(base, name) for base in search_paths(root)]
    if root:  # también se acepta root apuntando directamente a la carpeta con los ficheros
        folders.insert(1, os.path.abspath(os.path.expanduser(str(root))))
    for folder in folders:
        paths = [_find(folder, s) for s in _FILES]
        tried.append(folder)
        if all(paths):
            return _read_four(paths)
    errors = []
    if download:
        dest = os.path.join(root if root else cache_dir(), name)
        errors = _download(name, dest, mirrors if mirrors is not None else DATASETS[name]["mirrors"], timeout,
                           deadline)
        if not errors:
            return _read_four([_find(dest, s) for s in _FILES])
    msg = (f"no se encontró el conjunto '{name}'. Se buscó en:\n  " + "\n  ".join(tried) +
           f"\nCopia los cuatro ficheros IDX ({', '.join(s + '.gz' for s in _FILES)}) en una carpeta "
           f"'{name}/' dentro de una de esas rutas (o define TINYGRAD_ES_DATA)")
    if name == "fashion-mnist":
        msg += "; en Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist"
    if errors:
        msg += ".\nLa descarga falló:\n  " + "\n  ".join(errors[-4:])
    elif not download:
        msg += " (descarga desactivada)"
    raise DatasetNotFoundError(msg)


_N_CLASSES = 10   # MNIST y Fashion-MNIST


def _read_four(paths):
    xtr, ytr = read_idx(paths[0], 2051), read_idx(paths[1], 2049)
    xte, yte = read_idx(paths[2], 2051), read_idx(paths[3], 2049)
    for x, y, which, px, py in ((xtr, ytr, "entrenamiento", paths[0], paths[1]),
                                (xte, yte, "test", paths[2], paths[3])):
        if x.ndim != 3:
            raise IDXError(f"'{os.path.basename(px)}': las imágenes deben tener 3 dimensiones (N, alto, ancho), "
                           f"no forma {tuple(x.shape)}")
        if y.ndim != 1:
            raise IDXError(f"'{os.path.basename(py)}': las etiquetas deben tener 1 dimensión, no forma"
                           f" {tuple(y.shape)}")
        bad = np.flatnonzero((y < 0) | (y >= _N_CLASSES))
        if bad.size:
            raise IDXError(f"'{os.path.basename(py)}' contiene la etiqueta {int(y[bad[0]])} en la posición "
                           f"{int(bad[0])} ({bad.size} fuera de rango); las clases van de 0 a {_N_CLASSES - 1}")
        if len(x) != len(y):
            raise IDXError(f"{which}: hay {len(x)} imágenes y {len(y)} etiquetas")
    return (xtr, ytr.astype(np.int64)), (xte, yte.astype(np.int64))


def load_mnist(root=None, download=True, mirrors=None, timeout=20.0, deadline=DEFAULT_DEADLINE):
    """MNIST como ``(x_train, y_train), (x_test, y_test)``: imágenes uint8 N×28×28 y
    etiquetas enteras. Busca en local (``search_paths``) y, si no, descarga con
    verificación md5 a ``~/.cache/tinygrad_es/mnist``. ``timeout``: segundos de espera por
    lectura; ``deadline``: segundos para toda la descarga (600)."""
    return _load("mnist", root, download, mirrors, timeout, deadline)


def load_fashion_mnist(root=None, download=True, mirrors=None, timeout=20.0, deadline=DEFAULT_DEADLINE):
    """Fashion-MNIST (60 000 + 10 000), con la misma búsqueda y descarga que ``load_mnist``."""
    return _load("fashion-mnist", root, download, mirrors, timeout, deadline)


def load_mnist_sample():
    """Muestra de MNIST incluida en el paquete (funciona sin red): 2 000 imágenes de
    entrenamiento (del subconjunto de 5 000) y 1 000 de test oficiales."""
    with np.load(os.path.join(_EMBEDDED, "mnist_sample.npz")) as z:
        return (z["x_train"], z["y_train"].astype(np.int64)), (z["x_test"], z["y_test"].astype(np.int64))


def load_iris(return_names: bool = False):
    """Iris de Fisher: ``(X, y)`` con X 150×4 float32 e y en {0, 1, 2}; con
    ``return_names=True``, ``(X, y, nombres_de_clase)``."""
    with open(os.path.join(_EMBEDDED, "iris.csv")) as f:
        rows = list(csv.reader(f))
    names = rows[0][2:]
    data = np.array(rows[1:], dtype=np.float64)
    X, y = data[:, :4].astype(np.float32), data[:, 4].astype(np.int64)
    return (X, y, names) if return_names else (X, y)


def load_digits():
    """Dígitos 8×8 de UCI: ``(X, y)`` con X 1797×8×8 (valores 0-16) e y enteras."""
    with gzip.open(os.path.join(_EMBEDDED, "digits8x8.csv.gz"), "rt") as f:
        data = np.loadtxt(io.StringIO(f.read()), delimiter=",")
    return data[:, :64].reshape(-1, 8, 8).astype(np.float32), data[:, 64].astype(np.int64)


# ---- generadores sintéticos ----------------------------------------------------------------
def xor():
    """Las cuatro entradas de XOR y sus salidas: ``(X (4×2), y (4,))``."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    return X, np.array([0, 1, 1, 0], dtype=np.float32)


def quadratic_roots(n=1000, seed=0, root_range=(-1.0, 1.0)):
    """Regresión "resolver ax² + bx + c = 0": entradas (a, b, c) con dos raíces reales,
    salidas (x₁, x₂) con x₁ ≤ x₂. Se generan raíces uniformes y a ∈ [0.5, 2]."""
    rng = np.random.default_rng(seed)
    r = np.sort(rng.uniform(*root_range, (n, 2)), axis=1)
    a = rng.uniform(0.5, 2.0, n)
    X = np.stack([a, -a * (r[:, 0] + r[:, 1]), a * r[:, 0] * r[:, 1]], axis=1)
    return X.astype(np.float32), r.astype(np.float32)


def spirals(n_per_class=100, classes=3, noise=0.2, seed=0):
    """Espirales entrelazadas (clasificación no lineal en 2-D)."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for c in range(classes):
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(c * 4, (c + 1) * 4, n_per_class) + rng.normal(0, noise, n_per_class)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(n_per_class, c))
    return np.concatenate(X).astype(np.float32), np.concatenate(y).astype(np.int64)


def mnist_tensors(x, y, flatten=False):
    """uint8 N×28×28 -> float32 en [0, 1] con forma (N, 1, 28, 28) (o (N, 784))."""
    xf = (np.asarray(x, dtype=np.float32) / 255.0)
    xf = xf.reshape(len(xf), -1) if flatten else xf[:, None]
    return xf, np.asarray(y, dtype=np.int64)
