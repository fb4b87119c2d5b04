"""CIFAR-10 y CIFAR-100, como ``torchvision.datasets.CIFAR10``/``CIFAR100``.

Misma disposición en disco (``root/cifar-10-batches-py/data_batch_1``...), mismos argumentos y
atributos: ``data`` (numpy uint8 N×32×32×3), ``targets`` (lista de int), ``classes``,
``class_to_idx``; cada muestra es ``(imagen PIL RGB, etiqueta int)``.

Los lotes oficiales son pickles: se leen con el intérprete restringido de
``tinygrad_es.serialization`` (``_numpy_pickle.py``), nunca con ``pickle.load``; un pickle que
intenta llamar a algo da ``pickle.UnpicklingError`` sin ejecutar nada.

Con ``download=True`` se busca, por orden: los lotes en ``root``; el archivo oficial
``cifar-10-python.tar.gz`` en ``root`` o en las copias locales (``$TINYGRAD_ES_DATA``,
``~/.cache/tinygrad_es``, ``/usr/share/datasets``); internet (md5 y barra de progreso); y, sólo
CIFAR-10 y sin conexión, la copia en JPEG ``cifar10-jpg.tar.gz`` (las 60 000 imágenes en carpetas
por clase): se extrae en ``root/cifar10-jpg``, se decodifica una vez (y se guarda en ``.npy``) y se
avisa de que sus píxeles difieren un poco de los oficiales (JPEG pierde información).
"""
from __future__ import annotations

import os
import shutil
from urllib.error import URLError

import numpy as np
from PIL import Image

from ._numpy_pickle import load_numpy_pickle
from ...data.datasets import cache_dir
from .folder import find_classes, make_dataset, pil_loader
from .utils import EMBEDDED, DownloadError, check_integrity, download_and_extract_archive, extract_archive, offline
from . import utils as _utils  # _utils.local_roots(): se puede sustituir en los tests
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "prepare_cifar10_jpeg", "is_sample", "JPEG_ARCHIVE"]

JPEG_ARCHIVE = "cifar10-jpg.tar.gz"
_JPEG_FOLDER = "cifar10-jpg"
_SAMPLE_FOLDER = "cifar10-jpg-muestra"
_SAMPLE_ARCHIVE = os.path.join(EMBEDDED, "cifar10_muestra.tar.gz")


def _jpeg_candidates(root=None, archive=None) -> list:
    """Dónde puede estar la copia JPEG (carpeta extraída o archivo), en orden de preferencia."""
    out = []
    if archive is not None:
        out.append(os.path.expanduser(os.fspath(archive)))
    bases = ([os.path.expanduser(os.fspath(root))] if root is not None else []) + _utils.local_roots()
    for base in bases:
        for sub in ("", "cifar10"):
            out.append(os.path.join(base, sub, _JPEG_FOLDER))
            out.append(os.path.join(base, sub, JPEG_ARCHIVE))
    return out


def _is_jpeg_folder(path: str) -> bool:
    return all(os.path.isdir(os.path.join(path, split)) for split in ("train", "test"))


def prepare_cifar10_jpeg(root=None, archive=None, sample: bool = False) -> str:
    """Carpeta ``cifar10-jpg`` (con ``train/`` y ``test/``, una subcarpeta por clase) lista para
    ``ImageFolder``. Si sólo hay el archivo ``cifar10-jpg.tar.gz`` (``archive``, o en ``root``, o en
    ``$TINYGRAD_ES_DATA``, ``~/.cache/tinygrad_es``, ``/usr/share/datasets``, también dentro de una
    subcarpeta ``cifar10/``), lo extrae (de forma segura) en ``root`` (por defecto
    ``~/.cache/tinygrad_es``). Si no lo encuentra: con ``sample=True`` extrae la muestra incluida en el
    paquete (100 imágenes por clase de entrenamiento y 30 de test) en ``root/cifar10-jpg-muestra``;
    si no, ``FileNotFoundError`` con las rutas buscadas."""
    dest_root = os.path.expanduser(os.fspath(root)) if root is not None else cache_dir()
    if not _writable(dest_root):   # p. ej. root es una carpeta de sólo lectura con el archivo
        dest_root = cache_dir()
    tried = []
    for cand in _jpeg_candidates(root, archive):
        tried.append(cand)
        if os.path.isdir(cand) and _is_jpeg_folder(cand):
            return cand
        if os.path.isfile(cand):
            target = os.path.join(dest_root, _JPEG_FOLDER)
            if _is_jpeg_folder(target):
                return target
            print(f"Extrayendo la copia JPEG de CIFAR-10 ({cand}) en {dest_root}")
            extract_archive(cand, dest_root)
            if not _is_jpeg_folder(target):
                raise RuntimeError(f"'{cand}' no contiene {_JPEG_FOLDER}/train y {_JPEG_FOLDER}/test: no es la copia "
                                   "JPEG de CIFAR-10")
            return target
    if sample:
        target = os.path.join(dest_root, _SAMPLE_FOLDER)
        if not _is_jpeg_folder(target):
            extract_archive(_SAMPLE_ARCHIVE, dest_root)
        return target
    raise FileNotFoundError("No se encontró la copia JPEG de CIFAR-10. Se buscó en:\n  " + "\n  ".join(tried) +
                            f"\nCopia {JPEG_ARCHIVE} en una de esas rutas (o define TINYGRAD_ES_DATA)")


def _writable(folder: str) -> bool:
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def is_sample(folder: str) -> bool:
    """``True`` si ``folder`` es la muestra incluida en el paquete (y no CIFAR-10 entero)."""
    return os.path.basename(os.path.normpath(folder)) == _SAMPLE_FOLDER


def _decode_split(folder: str) -> tuple:
    classes, class_to_idx = find_classes(folder)
    samples = make_dataset(folder, class_to_idx, extensions=(".jpg", ".jpeg", ".png"))
    data = np.empty((len(samples), 32, 32, 3), dtype=np.uint8)
    for i, (path, _) in enumerate(samples):
        a = np.asarray(pil_loader(path))
        if a.shape != (32, 32, 3):
            raise ValueError(f"'{path}' mide {a.shape[1]}×{a.shape[0]}: las imágenes de CIFAR-10 son de 32×32")
        data[i] = a
    return data, np.array([s[1] for s in samples], dtype=np.int64), classes


def _load_jpeg_split(folder: str, train: bool) -> tuple:
    """Decodifica (una vez) ``folder/train`` o ``folder/test``; la caché ``.npy`` va al lado."""
    split = "train" if train else "test"
    xs, ys = os.path.join(folder, f"{split}-data.npy"), os.path.join(folder, f"{split}-targets.npy")
    src = os.path.join(folder, split)
    classes, _ = find_classes(src)
    if os.path.isfile(xs) and os.path.isfile(ys) and os.path.getmtime(xs) >= os.path.getmtime(src):
        data, targets = np.load(xs, allow_pickle=False), np.load(ys, allow_pickle=False)
        if data.dtype == np.uint8 and data.ndim == 4 and data.shape[1:] == (32, 32, 3) and len(data) == len(targets):
            return data, targets, classes
    print(f"Decodificando las imágenes JPEG de {src} (sólo la primera vez)...")
    data, targets, classes = _decode_split(src)
    try:
        for path, arr in ((xs, data), (ys, targets)):
            tmp = path + f".{os.getpid()}.part"
            with open(tmp, "wb") as f:
                np.save(f, arr, allow_pickle=False)
            os.replace(tmp, path)
    except OSError:
        pass   # sin permiso de escritura: se decodificará otra vez la próxima
    return data, targets, classes


class CIFAR10(VisionDataset):
    """CIFAR-10 (Krizhevsky, 2009): 50 000 + 10 000 imágenes en color de 32×32 en 10 clases.

    Args:
        root: carpeta donde está o se guardará ``cifar-10-batches-py``.
        train: conjunto de entrenamiento (``True``) o de test.
        transform, target_transform: como en ``VisionDataset``.
        download: busca o descarga los datos si faltan (véase el docstring del módulo).

    Ejemplo::

        from tinygrad_es.vision import datasets, transforms
        train = datasets.CIFAR10("datos", train=True, download=True, transform=transforms.ToTensor())
        train.data.shape        # (50000, 32, 32, 3)
        train.classes[0]        # 'airplane'

    Equivale a ``torchvision.datasets.CIFAR10``.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    _jpeg_fallback = True

    def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                 download: bool = False) -> None:
        if root is None:
            raise TypeError(f"{type(self).__name__} necesita root: la carpeta donde buscar o guardar los datos")
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self._jpeg_folder = None
        if download:
            self.download()
        if self._jpeg_folder is None and not self._check_integrity() and self._jpeg_fallback:
            local = os.path.join(self.root, _JPEG_FOLDER)   # una copia JPEG ya extraída en root
            if _is_jpeg_folder(local):
                self._jpeg_folder = local
        if self._jpeg_folder is not None:
            if not is_sample(self._jpeg_folder):
                print(f"{type(self).__name__}: se usa la copia JPEG de {self._jpeg_folder} (los píxeles difieren un "
                      "poco de los oficiales: JPEG pierde información)")
            data, targets, self.classes = _load_jpeg_split(self._jpeg_folder, train)
            self.data, self.targets = data, [int(t) for t in targets]
            self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
            return
        if not self._check_integrity():
            raise RuntimeError(f"No se encontró el conjunto {type(self).__name__} en "
                               f"{os.path.join(self.root, self.base_folder)}, o está dañado (md5 distinto). Usa "
                               "download=True para descargarlo")
        downloaded_list = self.train_list if self.train else self.test_list
        self.data, self.targets = [], []
        for file_name, _ in downloaded_list:
            entry = self._read_batch(file_name)
            self.data.append(entry["data"])
            self.targets.extend(int(t) for t in entry["labels" if "labels" in entry else "fine_labels"])
        self.data = np.vstack(self.data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        if len(self.data) != len(self.targets):
            raise RuntimeError(f"{type(self).__name__}: hay {len(self.data)} imágenes y {len(self.targets)} etiquetas")
        self._load_meta()

    def _read_batch(self, file_name: str) -> dict:
        path = os.path.join(self.root, self.base_folder, file_name)
        entry = load_numpy_pickle(path, what=f"'{file_name}'")
        if not isinstance(entry, dict) or "data" not in entry or not ("labels" in entry or "fine_labels" in entry):
            raise RuntimeError(f"'{path}' no es un lote de CIFAR: le faltan 'data' o 'labels'")
        data = entry["data"]
        if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2 and data.shape[1] == 3072):
            raise RuntimeError(f"'{path}': 'data' debe ser un array uint8 N×3072, no "
                               f"{getattr(data, 'shape', type(data).__name__)}")
        return entry

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError(f"Falta el fichero de metadatos '{path}' o está dañado. Usa download=True para "
                               "descargarlo")
        data = load_numpy_pickle(path, what=f"'{self.meta['filename']}'")
        self.classes = list(data[self.meta["key"]])
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index: int):
        """``(imagen PIL RGB, etiqueta int)`` con las transformaciones aplicadas."""
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return all(check_integrity(os.path.join(self.root, self.base_folder, name), md5)
                   for name, md5 in self.train_list + self.test_list)

    def _local_archive(self):
        for base in [self.root] + _utils.local_roots():
            for sub in ("", "cifar10", "cifar100", "cifar"):
                p = os.path.join(base, sub, self.filename)
                if check_integrity(p, self.tgz_md5):
                    return p
                folder = os.path.join(base, sub, self.base_folder)
                if os.path.abspath(folder) != os.path.abspath(os.path.join(self.root, self.base_folder)) and \
                        all(check_integrity(os.path.join(folder, n), m) for n, m in self.train_list + self.test_list):
                    return folder
        return None

    def download(self) -> None:
        """Consigue los lotes si faltan (véase el docstring del módulo)."""
        if self._check_integrity():
            print("Ficheros ya descargados y verificados")
            return
        local = self._local_archive()
        if local is not None:
            print(f"Usando la copia local de {type(self).__name__} en {local} (sin descargar)")
            if os.path.isdir(local):
                shutil.copytree(local, os.path.join(self.root, self.base_folder), dirs_exist_ok=True)
            else:
                extract_archive(local, self.root)
            return
        try:
            if offline():
                raise DownloadError("descarga desactivada con TINYGRAD_ES_OFFLINE")
            print(f"Descargando {self.url}")
            download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)
        except URLError as error:
            if not self._jpeg_fallback:
                raise RuntimeError(f"Error al descargar {self.filename}: {error}. Sin conexión, copia {self.filename} "
                                   f"en {self.root} o en $TINYGRAD_ES_DATA") from None
            print(f"Falló la descarga: {error}")
            self._jpeg_folder = prepare_cifar10_jpeg(self.root, sample=True)
            if is_sample(self._jpeg_folder):
                print("Sin conexión y sin copia local de CIFAR-10: se usa la muestra incluida en tinygrad_es "
                      "(1 000 imágenes de entrenamiento y 300 de test), no el conjunto completo. Con conexión, "
                      f"download=True lo descarga; sin ella, copia {JPEG_ARCHIVE} o los lotes oficiales en {self.root}")
            else:
                print(f"Sin conexión: se usa la copia JPEG de CIFAR-10 ({self._jpeg_folder}) en lugar de los lotes "
                      "oficiales")

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class CIFAR100(CIFAR10):
    """CIFAR-100: como ``CIFAR10`` con 100 clases (``fine_labels``); sin copia JPEG de respaldo."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
    _jpeg_fallback = False
