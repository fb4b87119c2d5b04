"""MNIST y sus parientes (Fashion-MNIST, KMNIST, EMNIST), como ``torchvision.datasets.MNIST``.

Misma disposición en disco que torchvision (``root/MNIST/raw/train-images-idx3-ubyte``...), mismos
argumentos (``root, train, transform, target_transform, download``) y mismos atributos: ``data``
(tensor uint8 N×28×28), ``targets`` (tensor int64), ``classes``, ``class_to_idx``; cada muestra es
``(imagen PIL en modo "L", etiqueta int)``.

Con ``download=True``, por orden:

1. los ficheros ya en ``root/MNIST/raw`` (no se descarga nada);
2. una copia local completa en ``$TINYGRAD_ES_DATA``, ``~/.cache/tinygrad_es`` o
   ``/usr/share/datasets`` (``mnist/``, ``fashion-mnist/``...; Debian instala Fashion-MNIST con
   ``apt-get install dataset-fashion-mnist``): se copia a ``root`` y se avisa;
3. los espejos de internet, con md5 y barra de progreso;
4. MNIST y Fashion-MNIST: sin conexión se usa la muestra incluida en el paquete (2 000 + 1 000 y
   1 000 + 500 imágenes reales) y se dice en pantalla.

Los ficheros IDX se leen con ``tinygrad_es.data.read_idx``, que comprueba la cabecera contra los
bytes que hay de verdad antes de reservar memoria.
"""
from __future__ import annotations

import operator
import os
import shutil
import tempfile
import warnings
from urllib.error import URLError

import numpy as np
from PIL import Image

from .._tensors import from_numpy
from ...data.datasets import load_mnist_sample
from ...data.idx import read_idx
from ...serialization import load as _load_pt
from . import utils as _utils  # _utils.local_roots(): se puede sustituir en los tests
from .utils import EMBEDDED, calculate_md5, check_integrity, download_and_extract_archive, extract_archive, offline
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "read_image_file", "read_label_file"]

_STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _find(folder: str, stem: str):
    for name in (stem, stem + ".gz"):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            return p
    return None


def _check_index(index, n: int, who: str) -> int:
    try:
        i = operator.index(index)
    except TypeError:
        raise TypeError(f"{who}: el índice debe ser un entero, no {type(index).__name__}") from None
    if not -n <= i < n:
        raise IndexError(f"{who}: índice {i} fuera de rango (el conjunto tiene {n} muestras)")
    return i


def read_image_file(path):
    """Imágenes IDX (número mágico 2051) como tensor uint8 (N, alto, ancho)."""
    x = read_idx(path, 2051)
    if x.dtype != np.uint8:
        raise TypeError(f"'{os.path.basename(path)}': las imágenes deben ser uint8, no {x.dtype}")
    if x.ndim != 3:
        raise ValueError(f"'{os.path.basename(path)}': las imágenes deben tener 3 dimensiones, no {x.ndim}")
    return from_numpy(np.ascontiguousarray(x))


def read_label_file(path):
    """Etiquetas IDX (número mágico 2049) como tensor int64 (N,)."""
    y = read_idx(path, 2049)
    if y.ndim != 1:
        raise ValueError(f"'{os.path.basename(path)}': las etiquetas deben tener 1 dimensión, no {y.ndim}")
    return from_numpy(y.astype(np.int64))


class MNIST(VisionDataset):
    """MNIST (LeCun, Cortes y Burges): 60 000 + 10 000 dígitos manuscritos de 28×28.

    Args:
        root: carpeta donde están o se guardarán ``MNIST/raw/*-ubyte``.
        train: ``True`` el conjunto de entrenamiento, ``False`` el de test.
        transform: se aplica a la imagen PIL (p. ej. ``transforms.ToTensor()``).
        target_transform: se aplica a la etiqueta.
        download: si faltan los ficheros, los busca en copias locales o los descarga
            (véase el docstring del módulo); sin conexión, la muestra incluida.

    Ejemplo (el del TFG, cambiando sólo el import)::

        from tinygrad_es.vision import datasets
        from tinygrad_es.vision.transforms import ToTensor
        train = datasets.MNIST(root="datos", transform=ToTensor(), download=True)
        x, y = train[0]        # tensor (1, 28, 28) en [0, 1] y un int

    Equivale a ``torchvision.datasets.MNIST``.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    _local_names = ("mnist", "MNIST")   # carpetas de las copias locales
    _sample = "mnist"                    # muestra incluida sin conexión (None: ninguna)

    @property
    def train_labels(self):
        warnings.warn("train_labels se llama ahora targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels se llama ahora targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data se llama ahora data", stacklevel=2)
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data se llama ahora data", stacklevel=2)
        return self.data

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        if root is None:
            raise TypeError(f"{type(self).__name__} necesita root: la carpeta donde buscar o guardar los datos")
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self._fallback = None
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if self._fallback is not None:
            self.data, self.targets = self._fallback
            return
        if not self._check_exists():
            raise RuntimeError(f"No se encontró el conjunto {type(self).__name__} en {self.raw_folder}. "
                               "Usa download=True para descargarlo (o buscarlo en las copias locales)")
        self.data, self.targets = self._load_data()

    # -- disposición en disco (la de torchvision) -------------------------------------------------
    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self) -> dict:
        return {_class: i for i, _class in enumerate(self.classes)}

    def _check_legacy_exist(self) -> bool:
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, f)) for f in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        data, targets = _load_pt(os.path.join(self.processed_folder, self.training_file if self.train
                                              else self.test_file))
        return data, targets

    def _check_exists(self) -> bool:
        return all(check_integrity(os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0]))
                   for url, _ in self.resources)

    def _load_data(self):
        which = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{which}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{which}-labels-idx1-ubyte"))
        if len(data) != len(targets):
            raise RuntimeError(f"{self.raw_folder}: hay {len(data)} imágenes y {len(targets)} etiquetas")
        return data, targets

    # -- obtener los ficheros ----------------------------------------------------------------------
    def download(self) -> None:
        """Consigue los ficheros si faltan: copia local, espejos de internet o (MNIST) la muestra."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        if self._copy_local():
            return
        for filename, md5 in self.resources:
            if check_integrity(os.path.join(self.raw_folder, filename[:-3])):
                continue
            if offline():
                self._download_failed(filename, "descarga desactivada con TINYGRAD_ES_OFFLINE")
                return
            corrupt = None
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    print(f"Descargando {url}")
                    download_and_extract_archive(url, download_root=self.raw_folder, filename=filename, md5=md5)
                except URLError as error:   # sin conexión, HTTP, lento, truncado: el siguiente espejo
                    print(f"Falló la descarga (se prueba el siguiente espejo):\n{error}")
                    continue
                except RuntimeError as error:   # md5 distinto: el siguiente espejo, y si no, se dice
                    print(f"{error}\n(se prueba el siguiente espejo)")
                    corrupt = error
                    continue
                break
            else:
                if corrupt is not None:
                    raise RuntimeError(f"Error al descargar {filename}: {corrupt}")
                self._download_failed(filename)
                return

    def _load_sample(self):
        """La muestra incluida en el paquete: ``((x_train, y_train), (x_test, y_test))`` o ``None``."""
        if self._sample is None:
            return None
        if self._sample == "mnist":
            return load_mnist_sample()
        with np.load(os.path.join(EMBEDDED, self._sample), allow_pickle=False) as z:
            return (z["x_train"], z["y_train"]), (z["x_test"], z["y_test"])

    def _download_failed(self, filename: str, reason: str = "ningún espejo respondió"):
        sample = self._load_sample()
        if sample is None:
            raise RuntimeError(f"Error al descargar {filename}: {reason} ({', '.join(self.mirrors)}). "
                               f"Sin conexión, copia los ficheros IDX en {self.raw_folder} o en una carpeta "
                               f"'{self._local_names[0]}/' dentro de $TINYGRAD_ES_DATA")
        (xtr, ytr), (xte, yte) = sample
        x, y = (xtr, ytr) if self.train else (xte, yte)
        print(f"Sin conexión: no se pudo descargar {filename} ({reason}). Se usa la muestra de "
              f"{type(self).__name__} incluida en tinygrad_es ({len(xtr)} imágenes de entrenamiento y {len(xte)} de "
              f"test, reales), no el conjunto completo (60 000 + 10 000). Con conexión, download=True lo descarga "
              f"en {self.raw_folder}.")
        self._fallback = (from_numpy(np.ascontiguousarray(x)), from_numpy(y.astype(np.int64)))

    def _local_copy(self):
        for base in _utils.local_roots():
            for name in self._local_names:
                for folder in (os.path.join(base, name), os.path.join(base, name, "raw")):
                    paths = [_find(folder, s) for s in _STEMS]
                    if all(paths):
                        return folder, paths
        return None

    def _copy_local(self) -> bool:
        found = self._local_copy()
        if found is None:
            return False
        folder, paths = found
        print(f"Usando la copia local de {type(self).__name__} en {folder} (sin descargar)")
        official = dict(self.resources)
        for stem, src in zip(_STEMS, paths):
            read_idx(src, 2051 if "images" in stem else 2049)   # falla aquí, en español, si está dañado
            if src.endswith(".gz"):
                if calculate_md5(src) != official.get(stem + ".gz"):
                    n = len(read_idx(src))
                    print(f"  aviso: {os.path.basename(src)} no es el .gz oficial (md5 distinto: recomprimido o un "
                          f"subconjunto); tiene {n} {'imágenes' if 'images' in stem else 'etiquetas'}")
                extract_archive(src, self.raw_folder)
                if os.path.basename(src) != stem + ".gz":  # .gz con otro nombre: no debería pasar
                    os.replace(os.path.join(self.raw_folder, os.path.basename(src)[:-3]),
                               os.path.join(self.raw_folder, stem))
            else:
                fd, tmp = tempfile.mkstemp(dir=self.raw_folder, prefix=f".{stem}.", suffix=".part")
                os.close(fd)
                shutil.copyfile(src, tmp)
                os.replace(tmp, os.path.join(self.raw_folder, stem))
        return True

    # -- acceso -------------------------------------------------------------------------------------
    def __getitem__(self, index):
        """``(imagen PIL "L", etiqueta int)`` con ``transform``/``target_transform`` aplicados."""
        i = _check_index(index, len(self), type(self).__name__)
        img, target = np.asarray(self.data)[i], int(np.asarray(self.targets)[i])
        img = Image.fromarray(img, mode="L")
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando): 60 000 + 10 000 prendas de 28×28 en 10 clases; igual que ``MNIST``.
    En Debian/Ubuntu: ``apt-get install dataset-fashion-mnist`` deja una copia local que se usa sin red;
    sin red ni copia, la muestra incluida (1 000 + 500 imágenes, licencia MIT de Zalando)."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    _local_names = ("fashion-mnist", "FashionMNIST")
    _sample = "fashion_mnist_sample.npz"


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 10 caracteres hiragana cursivos, mismo formato que ``MNIST``."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
    _local_names = ("kmnist", "KMNIST")
    _sample = None
