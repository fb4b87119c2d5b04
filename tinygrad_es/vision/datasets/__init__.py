"""Conjuntos de imágenes con los nombres de ``torchvision.datasets``.

>>> from tinygrad_es.vision import datasets
>>> from tinygrad_es.vision.transforms import ToTensor
>>> train = datasets.MNIST(root="datos", transform=ToTensor(), download=True)

``MNIST``, ``FashionMNIST``, ``KMNIST``, ``EMNIST``, ``CIFAR10``, ``CIFAR100``, ``ImageFolder``,
``DatasetFolder`` y ``FakeData``, con los argumentos (``root, train/split, download, transform,
target_transform``) y la disposición en disco de torchvision. ``download=True`` busca antes copias
locales (``$TINYGRAD_ES_DATA``, ``~/.cache/tinygrad_es``, ``/usr/share/datasets``) y descarga con md5;
sin conexión, MNIST usa la muestra incluida y CIFAR-10 la copia JPEG si la encuentra.
"""
from .cifar import CIFAR10, CIFAR100, prepare_cifar10_jpeg
from .fakedata import FakeData
from .folder import IMG_EXTENSIONS, DatasetFolder, ImageFolder, default_loader, pil_loader
from .emnist import EMNIST
from .mnist import KMNIST, MNIST, FashionMNIST
from .vision import StandardTransform, VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "CIFAR10", "CIFAR100", "ImageFolder", "DatasetFolder",
           "FakeData", "VisionDataset", "StandardTransform", "default_loader", "pil_loader", "IMG_EXTENSIONS",
           "prepare_cifar10_jpeg"]
