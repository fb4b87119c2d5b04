"""Conjuntos a partir de carpetas: ``DatasetFolder`` e ``ImageFolder`` (como en torchvision).

Cada subcarpeta de ``root`` es una clase (en orden alfabético: ``class_to_idx``) y cada fichero
válido dentro de ella, una muestra::

    raiz/gato/001.jpg
    raiz/perro/xyz.png

``samples`` (y su alias ``imgs``) es la lista ``(ruta, clase)``; ``targets``, las clases. Las
imágenes se abren con Pillow al pedirlas (``loader``), así que un ``DataLoader(num_workers=2)``
las decodifica en paralelo. Una imagen truncada o que no es una imagen da un ``OSError`` en
español que nombra el fichero (PIL lanzaría el mismo tipo de error).
"""
from __future__ import annotations

import os

from PIL import Image, UnidentifiedImageError

from .vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "default_loader", "pil_loader", "IMG_EXTENSIONS", "find_classes",
           "make_dataset", "has_file_allowed_extension", "is_image_file"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
MAX_IMAGE_PIXELS = 1 << 28     # 268 M píxeles: más es un fichero dañado o una "bomba de descompresión"


def has_file_allowed_extension(filename: str, extensions) -> bool:
    """``True`` si ``filename`` acaba (sin distinguir mayúsculas) en una de ``extensions``."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename: str) -> bool:
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory) -> tuple:
    """``(clases, class_to_idx)``: las subcarpetas de ``directory`` en orden alfabético."""
    directory = os.fspath(directory)
    try:
        entries = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    except FileNotFoundError:
        raise FileNotFoundError(f"no existe la carpeta '{directory}'") from None
    except NotADirectoryError:
        raise NotADirectoryError(f"'{directory}' es un fichero, no una carpeta con una subcarpeta por clase") from None
    if not entries:
        raise FileNotFoundError(f"No se encontró ninguna carpeta de clase en '{directory}': ImageFolder espera una "
                                "subcarpeta por clase (p. ej. raiz/gato/001.jpg, raiz/perro/002.jpg)")
    return entries, {cls_name: i for i, cls_name in enumerate(entries)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty: bool = False) -> list:
    """Lista ``(ruta, índice de clase)`` de los ficheros válidos, carpeta a carpeta y en orden."""
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_idx' debe tener al menos una clase para poder reunir muestras")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("extensions e is_valid_file no pueden ser los dos None ni los dos distintos de None: "
                         "da uno de ellos")
    if extensions is not None:
        def is_valid_file(x: str) -> bool:
            return has_file_allowed_extension(x, extensions)
    instances, available = [], set()
    for target_class in sorted(class_to_idx.keys()):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available.add(target_class)
    empty = set(class_to_idx.keys()) - available
    if empty and not allow_empty:
        msg = f"No se encontró ningún fichero válido para las clases {', '.join(sorted(empty))}. "
        if extensions is not None:
            msg += f"Extensiones admitidas: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return instances


def pil_loader(path: str) -> Image.Image:
    """Abre ``path`` con Pillow y lo convierte a RGB (decodificándolo entero: un fichero truncado o
    que no es una imagen falla aquí, con un ``OSError`` en español que lo nombra)."""
    try:
        with open(path, "rb") as f:
            img = Image.open(f)
            w, h = img.size
            if w * h > MAX_IMAGE_PIXELS:
                raise OSError(f"'{path}' dice medir {w}×{h} píxeles, más que el máximo admitido "
                              f"({MAX_IMAGE_PIXELS}): fichero dañado o malicioso")
            return img.convert("RGB")
    except UnidentifiedImageError:
        raise UnidentifiedImageError(f"'{path}' no es una imagen que Pillow reconozca (¿está vacía o dañada?)") from None
    except Image.DecompressionBombError:
        raise OSError(f"'{path}' es demasiado grande para decodificarla (posible bomba de descompresión)") from None
    except OSError as e:
        msg = str(e)
        if "truncat" in msg.lower() or "broken data stream" in msg:
            raise OSError(f"'{path}' está truncada: el fichero se corta antes del final de la imagen") from None
        if msg.startswith(f"'{path}'"):
            raise
        raise OSError(f"no se pudo leer la imagen '{path}': {msg}") from None
    except (SyntaxError, ValueError) as e:   # Pillow usa SyntaxError para algunas cabeceras rotas
        raise OSError(f"'{path}' está dañada: cabecera no válida ({e})") from None


def default_loader(path: str):
    """El cargador de ``ImageFolder``: ``pil_loader``."""
    return pil_loader(path)


class DatasetFolder(VisionDataset):
    """Conjunto genérico en carpetas (una por clase) con un ``loader`` a medida.

    Args:
        root: carpeta raíz.
        loader: función ``ruta -> muestra``.
        extensions: extensiones admitidas (excluyente con ``is_valid_file``).
        transform, target_transform: como en ``VisionDataset``.
        is_valid_file: función ``ruta -> bool`` que decide qué ficheros entran.
        allow_empty: si ``True``, una carpeta de clase vacía no es un error.

    Atributos: ``classes``, ``class_to_idx``, ``samples`` (lista ``(ruta, clase)``), ``targets``.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty: bool = False) -> list:
        if class_to_idx is None:
            raise ValueError("el parámetro class_to_idx no puede ser None")
        return make_dataset(directory, class_to_idx, extensions=extensions, is_valid_file=is_valid_file,
                            allow_empty=allow_empty)

    def find_classes(self, directory) -> tuple:
        return find_classes(directory)

    def __getitem__(self, index: int):
        """``(muestra, clase)`` con las transformaciones aplicadas."""
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """``DatasetFolder`` de imágenes (extensiones de ``IMG_EXTENSIONS``, abiertas con Pillow en RGB).

    Ejemplo::

        from tinygrad_es.vision import datasets, transforms
        ds = datasets.ImageFolder("cifar10-jpg/train", transform=transforms.ToTensor())
        ds.classes[:3]         # ['airplane', 'automobile', 'bird']

    Equivale a ``torchvision.datasets.ImageFolder``; ``imgs`` es un alias de ``samples``.
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty: bool = False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
