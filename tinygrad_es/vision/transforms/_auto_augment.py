"""Aumento automático: ``RandAugment`` (Cubuk et al., 2019) y ``TrivialAugmentWide`` (Müller y Hutter,
2021), como en torchvision.

Cada uno elige al azar operaciones de un catálogo (cizalla, traslación, giro, brillo, color, contraste,
nitidez, posterizado, solarizado, autocontraste, ecualizado o nada) y una intensidad de una escala de
``num_magnitude_bins`` valores; las geométricas y las de color con signo cambian de signo con
probabilidad ½. Sorteos en el orden de torchvision: ``randint(len(catálogo))``, (TrivialAugment:
``randint(len(escala))``) y ``randint(2)`` para el signo. Las imágenes-tensor deben ser uint8.
"""
from __future__ import annotations

import math

import numpy as np

from ...nn import Module
from .._tensors import Tensor
from . import functional as F
from ._params import randint_item
from .functional import InterpolationMode

__all__ = ["RandAugment", "TrivialAugmentWide"]


def _apply_op(img, op_name: str, magnitude: float, interpolation, fill):
    if op_name == "ShearX":   # la cizalla de AutoAugment es tan(ángulo) = magnitud
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[math.degrees(math.atan(magnitude)), 0.0],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == "ShearY":
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[0.0, math.degrees(math.atan(magnitude))],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == "TranslateX":
        return F.affine(img, angle=0.0, translate=[int(magnitude), 0], scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == "TranslateY":
        return F.affine(img, angle=0.0, translate=[0, int(magnitude)], scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == "Rotate":
        return F.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    if op_name == "Brightness":
        return F.adjust_brightness(img, 1.0 + magnitude)
    if op_name == "Color":
        return F.adjust_saturation(img, 1.0 + magnitude)
    if op_name == "Contrast":
        return F.adjust_contrast(img, 1.0 + magnitude)
    if op_name == "Sharpness":
        return F.adjust_sharpness(img, 1.0 + magnitude)
    if op_name == "Posterize":
        return F.posterize(img, int(magnitude))
    if op_name == "Solarize":
        return F.solarize(img, magnitude)
    if op_name == "AutoContrast":
        return F.autocontrast(img)
    if op_name == "Equalize":
        return F.equalize(img)
    if op_name == "Identity":
        return img
    raise ValueError(f"operación de aumento desconocida: {op_name!r}")


def _lin(a, b, n):
    return np.linspace(a, b, n, dtype=np.float32)


def _fill(img, fill):
    if fill is None or not isinstance(img, Tensor):   # como torchvision: a los tensores, una lista de floats
        return fill
    if isinstance(fill, (int, float)):
        return [float(fill)] * F.get_dimensions(img)[0]
    return [float(f) for f in fill]


class RandAugment(Module):
    """``num_ops`` operaciones al azar, todas con la intensidad ``magnitude`` (de 0 a
    ``num_magnitude_bins − 1``). Equivale a ``torchvision.transforms.RandAugment``."""

    def __init__(self, num_ops: int = 2, magnitude: int = 9, num_magnitude_bins: int = 31,
                 interpolation=InterpolationMode.NEAREST, fill=None) -> None:
        super().__init__()
        if not 0 <= magnitude < num_magnitude_bins:
            raise ValueError(f"magnitude debe estar entre 0 y num_magnitude_bins − 1 ({num_magnitude_bins - 1}), "
                             f"no {magnitude}")
        self.num_ops, self.magnitude, self.num_magnitude_bins = num_ops, magnitude, num_magnitude_bins
        self.interpolation, self.fill = interpolation, fill

    def _augmentation_space(self, num_bins: int, image_size) -> dict:
        h, w = image_size
        return {"Identity": (None, False), "ShearX": (_lin(0.0, 0.3, num_bins), True),
                "ShearY": (_lin(0.0, 0.3, num_bins), True),
                "TranslateX": (_lin(0.0, 150.0 / 331.0 * w, num_bins), True),
                "TranslateY": (_lin(0.0, 150.0 / 331.0 * h, num_bins), True),
                "Rotate": (_lin(0.0, 30.0, num_bins), True), "Brightness": (_lin(0.0, 0.9, num_bins), True),
                "Color": (_lin(0.0, 0.9, num_bins), True), "Contrast": (_lin(0.0, 0.9, num_bins), True),
                "Sharpness": (_lin(0.0, 0.9, num_bins), True),
                "Posterize": (8 - np.round(np.arange(num_bins) / ((num_bins - 1) / 4)).astype(np.int32), False),
                "Solarize": (_lin(255.0, 0.0, num_bins), False), "AutoContrast": (None, False),
                "Equalize": (None, False)}

    def forward(self, img):
        fill = _fill(img, self.fill)
        _, h, w = F.get_dimensions(img)
        op_meta = self._augmentation_space(self.num_magnitude_bins, (h, w))
        names = list(op_meta)
        for _ in range(self.num_ops):
            op_name = names[randint_item(0, len(op_meta))]
            magnitudes, signed = op_meta[op_name]
            magnitude = float(magnitudes[self.magnitude]) if magnitudes is not None else 0.0
            if signed and randint_item(0, 2):
                magnitude *= -1.0
            img = _apply_op(img, op_name, magnitude, self.interpolation, fill)
        return img

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(num_ops={self.num_ops}, magnitude={self.magnitude}, "
                f"num_magnitude_bins={self.num_magnitude_bins}, interpolation={self.interpolation}, fill={self.fill})")


class TrivialAugmentWide(Module):
    """Una operación al azar con una intensidad al azar (sin hiperparámetros que ajustar). Equivale a
    ``torchvision.transforms.TrivialAugmentWide``."""

    def __init__(self, num_magnitude_bins: int = 31, interpolation=InterpolationMode.NEAREST, fill=None) -> None:
        super().__init__()
        self.num_magnitude_bins, self.interpolation, self.fill = num_magnitude_bins, interpolation, fill

    def _augmentation_space(self, num_bins: int) -> dict:
        return {"Identity": (None, False), "ShearX": (_lin(0.0, 0.99, num_bins), True),
                "ShearY": (_lin(0.0, 0.99, num_bins), True), "TranslateX": (_lin(0.0, 32.0, num_bins), True),
                "TranslateY": (_lin(0.0, 32.0, num_bins), True), "Rotate": (_lin(0.0, 135.0, num_bins), True),
                "Brightness": (_lin(0.0, 0.99, num_bins), True), "Color": (_lin(0.0, 0.99, num_bins), True),
                "Contrast": (_lin(0.0, 0.99, num_bins), True), "Sharpness": (_lin(0.0, 0.99, num_bins), True),
                "Posterize": (8 - np.round(np.arange(num_bins) / ((num_bins - 1) / 6)).astype(np.int32), False),
                "Solarize": (_lin(255.0, 0.0, num_bins), False), "AutoContrast": (None, False),
                "Equalize": (None, False)}

    def forward(self, img):
        fill = _fill(img, self.fill)
        op_meta = self._augmentation_space(self.num_magnitude_bins)
        names = list(op_meta)
        op_name = names[randint_item(0, len(op_meta))]
        magnitudes, signed = op_meta[op_name]
        magnitude = float(magnitudes[randint_item(0, len(magnitudes))]) if magnitudes is not None else 0.0
        if signed and randint_item(0, 2):
            magnitude *= -1.0
        return _apply_op(img, op_name, magnitude, self.interpolation, fill)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(num_magnitude_bins={self.num_magnitude_bins}, "
                f"interpolation={self.interpolation}, fill={self.fill})")
