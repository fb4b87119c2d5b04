"""``VisionDataset``: la base de los conjuntos de imágenes (``torchvision.datasets.VisionDataset``).

Guarda ``root``, ``transform`` (se aplica a la imagen), ``target_transform`` (a la etiqueta) o
``transforms`` (a las dos a la vez), y da el mismo ``repr`` que torchvision::

    Dataset MNIST
        Number of datapoints: 60000
        Root location: datos
        Split: Train
"""
from __future__ import annotations

import os

from ...utils.data import Dataset

__all__ = ["VisionDataset", "StandardTransform"]


class VisionDataset(Dataset):
    """Base de los conjuntos de ``vision.datasets``.

    Args:
        root: carpeta del conjunto (se expande ``~``).
        transforms: función ``(imagen, etiqueta) -> (imagen, etiqueta)``.
        transform: función que recibe la imagen PIL y devuelve la transformada
            (p. ej. ``transforms.ToTensor()``).
        target_transform: función que recibe la etiqueta.

    ``transforms`` es excluyente con ``transform``/``target_transform`` (``ValueError``), como en
    torchvision.
    """

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None) -> None:
        if isinstance(root, str):
            root = os.path.expanduser(root)
        elif isinstance(root, os.PathLike):
            root = os.path.expanduser(os.fspath(root))
        self.root = root
        has_transforms = transforms is not None
        has_separate = transform is not None or target_transform is not None
        if has_transforms and has_separate:
            raise ValueError("sólo se puede pasar transforms, o bien transform/target_transform, no los dos")
        for name, fn in (("transforms", transforms), ("transform", transform), ("target_transform", target_transform)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} debe ser una función o una transformación (algo que se pueda llamar), "
                                f"no {type(fn).__name__}")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} debe definir __getitem__(índice)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} debe definir __len__()")

    def __repr__(self) -> str:
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        lines = [head] + [" " * self._repr_indent + line for line in body]
        return "\n".join(lines)

    def _format_transform_repr(self, transform, head: str) -> list:
        lines = transform.__repr__().splitlines()
        return [f"{head}{lines[0]}"] + ["{}{}".format(" " * len(head), line) for line in lines[1:]]

    def extra_repr(self) -> str:
        return ""


class StandardTransform:
    """Aplica ``transform`` a la imagen y ``target_transform`` a la etiqueta."""

    def __init__(self, transform=None, target_transform=None) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def _format_transform_repr(self, transform, head: str) -> list:
        lines = transform.__repr__().splitlines()
        return [f"{head}{lines[0]}"] + ["{}{}".format(" " * len(head), line) for line in lines[1:]]

    def __repr__(self) -> str:
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)
