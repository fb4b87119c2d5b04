"""EMNIST (Cohen et al., 2017): letras y dígitos manuscritos de NIST en el formato de MNIST, como
``torchvision.datasets.EMNIST``. Se distribuye como un solo zip (``gzip.zip``, 562 MB) con las seis
particiones; se busca en las copias locales (``emnist/gzip.zip``) antes de descargarlo."""
from __future__ import annotations

import os
import shutil
import string
from urllib.error import URLError

from . import utils as _utils  # _utils.local_roots(): se puede sustituir en los tests
from .mnist import MNIST, read_image_file, read_label_file
from .utils import check_integrity, download_url, extract_archive, offline, verify_str_arg

__all__ = ["EMNIST"]


class EMNIST(MNIST):
    """EMNIST (NIST): letras y dígitos manuscritos de 28×28 en seis particiones (``split``):
    ``byclass``, ``bymerge``, ``balanced``, ``letters``, ``digits`` y ``mnist``.

    Como en torchvision, las imágenes se devuelven tal como vienen en los ficheros (traspuestas
    respecto de MNIST: ``img.transpose(Image.Transpose.TRANSPOSE)`` las endereza). La descarga es
    un zip de 562 MB con todas las particiones."""

    mirrors = ["https://biometrics.nist.gov/cs_links/EMNIST/", "https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/"]
    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }
    _local_names = ("emnist", "EMNIST")
    _sample = None

    def __init__(self, root, split: str, **kwargs) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = f"training_{split}.pt"
        self.test_file = f"test_{split}.pt"
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self) -> str:
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _check_exists(self) -> bool:
        return all(check_integrity(f) for f in (self.images_file, self.labels_file))

    def _local_copy(self):
        for base in _utils.local_roots():
            for name in self._local_names:
                for folder in (os.path.join(base, name), os.path.join(base, name, "raw")):
                    zp = os.path.join(folder, "gzip.zip")
                    if os.path.isfile(zp):
                        return folder, [zp]
        return None

    def _copy_local(self) -> bool:
        found = self._local_copy()
        if found is None:
            return False
        print(f"Usando la copia local de EMNIST en {found[0]} (sin descargar)")
        self._unpack(found[1][0])
        return True

    def _unpack(self, zip_path: str):
        extract_archive(zip_path, self.raw_folder)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gzip_folder):
            if name.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, name), self.raw_folder)
        shutil.rmtree(gzip_folder)

    def download(self) -> None:
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        if self._copy_local():
            return
        for mirror in ([] if offline() else self.mirrors):
            try:
                print(f"Descargando {mirror}gzip.zip")
                download_url(f"{mirror}gzip.zip", self.raw_folder, "gzip.zip", self.md5)
            except URLError as error:
                print(f"Falló la descarga (se prueba el siguiente espejo):\n{error}")
                continue
            self._unpack(os.path.join(self.raw_folder, "gzip.zip"))
            return
        self._download_failed("gzip.zip")
