"""Contenedores: ``Compose``, ``RandomApply``, ``RandomChoice``, ``RandomOrder`` y ``Lambda``."""
from __future__ import annotations

import random
from collections.abc import Sequence

from ...nn import Module
from ._params import coin

__all__ = ["Compose", "Lambda", "RandomApply", "RandomChoice", "RandomOrder"]


class Compose:
    """Aplica las transformaciones en orden: ``Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])``.

    Equivale a ``torchvision.transforms.Compose``."""

    def __init__(self, transforms):
        if not isinstance(transforms, (list, tuple)):
            raise TypeError(f"Compose espera una lista de transformaciones, no {type(transforms).__name__}")
        for i, t in enumerate(transforms):
            if isinstance(t, type) and t.__module__.startswith(__package__):
                raise TypeError(f"Compose: el elemento {i} es la clase {t.__name__}, no una transformación: "
                                f"¿olvidaste los paréntesis? Escribe {t.__name__}() en lugar de {t.__name__}")
            if not callable(t):
                raise TypeError(f"Compose: el elemento {i} ({t!r}) no es una transformación (no se puede llamar)")
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        s = self.__class__.__name__ + "("
        for t in self.transforms:
            s += f"\n    {t}"
        return s + "\n)"


class Lambda:
    """Una función propia como transformación: ``Lambda(lambda x: x.repeat(3, 1, 1))``."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda necesita una función (algo que se pueda llamar), no {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class RandomApply(Module):
    """Aplica la lista ``transforms`` entera con probabilidad ``p`` (un solo sorteo)."""

    def __init__(self, transforms, p: float = 0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, img):
        if not coin(self.p):   # torchvision: `if self.p < torch.rand(1): return img`
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        s = f"{self.__class__.__name__}(\n    p={self.p}"
        for t in self.transforms:
            s += f"\n    {t}"
        return s + "\n)"


class _RandomTransforms:
    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("transforms debe ser una lista (o tupla) de transformaciones")
        self.transforms = transforms

    def __repr__(self) -> str:
        s = self.__class__.__name__ + "("
        for t in self.transforms:
            s += f"\n    {t}"
        return s + "\n)"


class RandomOrder(_RandomTransforms):
    """Aplica las transformaciones en un orden aleatorio (``random.shuffle``, como torchvision)."""

    def __call__(self, img):
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        for i in order:
            img = self.transforms[i](img)
        return img


class RandomChoice(_RandomTransforms):
    """Aplica una sola de las transformaciones, elegida con pesos ``p`` (``random.choices``)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("p debe ser una secuencia de pesos")
        if p is not None and len(p) != len(transforms):
            raise ValueError(f"p tiene {len(p)} pesos y hay {len(transforms)} transformaciones")
        self.p = p

    def __call__(self, *args):
        t = random.choices(self.transforms, weights=self.p)[0]
        return t(*args)

    def __repr__(self) -> str:
        return f"{super().__repr__()}(p={self.p})"
