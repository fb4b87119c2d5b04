"""``FakeData``: imágenes aleatorias (ruido gaussiano) como ``torchvision.datasets.FakeData``.

Cada índice da siempre la misma imagen y la misma etiqueta (su semilla es ``índice +
random_offset``) sin tocar el generador global: sirve para probar un ``DataLoader`` o un
modelo sin datos reales.
"""
from __future__ import annotations

from .._tensors import Generator, randint, randn
from ..transforms import functional as F
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """Conjunto de ``size`` imágenes PIL aleatorias de ``image_size`` (C, alto, ancho) y etiquetas
    en ``[0, num_classes)``.

    Ejemplo::

        ds = datasets.FakeData(size=100, image_size=(3, 32, 32), transform=transforms.ToTensor())
        x, y = ds[0]           # tensor (3, 32, 32) y un int
    """

    def __init__(self, size: int = 1000, image_size=(3, 224, 224), num_classes: int = 10, transform=None,
                 target_transform=None, random_offset: int = 0) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"size debe ser un entero ≥ 0, no {size!r}")
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"num_classes debe ser un entero ≥ 1, no {num_classes!r}")
        image_size = tuple(image_size)
        if len(image_size) != 3 or image_size[0] not in (1, 3, 4) or min(image_size) < 1:
            raise ValueError(f"image_size debe ser (canales, alto, ancho) con 1, 3 o 4 canales, no {image_size}")
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int):
        if not -self.size <= index < self.size:
            raise IndexError(f"{self.__class__.__name__}: índice {index} fuera de rango (tamaño {self.size})")
        index %= self.size
        g = Generator().manual_seed(index + self.random_offset)
        img = randn(*self.image_size, generator=g)
        target = randint(0, self.num_classes, size=(1,), generator=g)[0]
        img = F.to_pil_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target.item() if hasattr(target, "item") else target

    def __len__(self) -> int:
        return self.size
