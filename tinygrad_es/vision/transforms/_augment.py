"""``RandomErasing`` (Zhong et al., 2017): borra un rectángulo aleatorio de un tensor-imagen."""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .._tensors import empty, float32, tensor
from ...nn import Module
from . import functional as F
from ._params import coin, log_uniform_ratio, randint_item, uniform_item

__all__ = ["RandomErasing"]


class RandomErasing(Module):
    """Con probabilidad ``p``, pone ``value`` en un rectángulo de área ``scale`` (fracción de la
    imagen) y proporción ``ratio``: ``value`` es un número, uno por canal, o ``'random'`` (ruido
    normal). Trabaja sobre tensores (colócalo después de ``ToTensor``). Hasta 10 intentos; si
    ninguno cabe, la imagen no cambia. Equivale a ``torchvision.transforms.RandomErasing``."""

    def __init__(self, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace: bool = False):
        super().__init__()
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("value debe ser un número, 'random' o una secuencia")
        if isinstance(value, str) and value != "random":
            raise ValueError(f"si value es un texto, debe ser 'random', no {value!r}")
        if not isinstance(scale, (tuple, list)):
            raise TypeError("scale debe ser una secuencia (mín, máx)")
        if not isinstance(ratio, (tuple, list)):
            raise TypeError("ratio debe ser una secuencia (mín, máx)")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("scale y ratio deberían ser de la forma (mín, máx)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError(f"scale debe estar entre 0 y 1, no {scale}")
        if p < 0 or p > 1:
            raise ValueError(f"la probabilidad p debe estar entre 0 y 1, no {p}")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None) -> tuple:
        """``(i, j, h, w, v)``: caja a borrar y valor a poner."""
        img_c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = np.log(np.asarray(ratio, dtype=np.float32))
        for _ in range(10):
            erase_area = area * uniform_item(scale[0], scale[1])
            aspect_ratio = log_uniform_ratio(log_ratio)
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = empty([img_c, h, w], dtype=float32).normal_()
            else:
                v = tensor(value)[:, None, None]
            i = randint_item(0, img_h - h + 1)
            j = randint_item(0, img_w - w + 1)
            return i, j, h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img):
        if coin(self.p):
            if isinstance(self.value, (int, float)):
                value = [float(self.value)]
            elif isinstance(self.value, str):
                value = None
            else:
                value = [float(v) for v in self.value]
            if value is not None and len(value) not in (1, img.shape[-3]):
                raise ValueError(f"si value es una secuencia, debe tener 1 valor o {img.shape[-3]} (uno por canal), "
                                 f"no {len(value)}")
            x, y, h, w, v = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
            return F.erase(img, x, y, h, w, v, self.inplace)
        return img

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value}, "
                f"inplace={self.inplace})")
