"""Transformaciones geométricas: ``Resize``, recortes, relleno, volteos, giros y afines.

Las aleatorias tienen un ``get_params`` estático que hace los sorteos (en el orden de torchvision)
y las funcionales de ``transforms.functional`` hacen el trabajo: ``RandomCrop(32, padding=4)`` es
``F.pad`` + ``RandomCrop.get_params`` + ``F.crop``.
"""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from .._tensors import Tensor
from ...nn import Module
from . import functional as F
from ._params import (check_fill, check_sequence_input, coin, log_uniform_ratio, randint_item, setup_angle,
                      setup_size, tensor_fill, uniform_item)
from .functional import InterpolationMode, _interpolation_modes_from_int

__all__ = ["Resize", "CenterCrop", "Pad", "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
           "RandomResizedCrop", "FiveCrop", "TenCrop", "RandomRotation", "RandomAffine"]

_SIZE_MSG = "size debe dar sólo dos dimensiones (alto, ancho), o ser un entero"


def _interp(interpolation):
    if isinstance(interpolation, int) and not isinstance(interpolation, bool):
        return _interpolation_modes_from_int(interpolation)
    return interpolation


class Resize(Module):
    """Reescala la imagen a ``size``: ``(alto, ancho)``, o un entero para el lado corto conservando la
    proporción (``max_size`` acota el lado largo).

    Args:
        interpolation: ``InterpolationMode.BILINEAR`` (por defecto), ``NEAREST``, ``BICUBIC``...
        antialias: para tensores, filtra al reducir (como Pillow); las imágenes PIL siempre lo hacen.

    Con una imagen PIL llama a ``img.resize`` como torchvision (mismos píxeles)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        super().__init__()
        if not isinstance(size, (int, Sequence)) or isinstance(size, bool):
            raise TypeError(f"size debe ser un entero o una secuencia, no {type(size).__name__}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError(f"si size es una secuencia debe tener 1 o 2 valores, no {len(size)}")
        self.size = size
        self.max_size = max_size
        self.interpolation = _interp(interpolation)
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop(Module):
    """Recorte central de ``size`` (entero o ``(alto, ancho)``); si la imagen es menor, se rellena con 0."""

    def __init__(self, size):
        super().__init__()
        self.size = setup_size(size, _SIZE_MSG)

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size})"


class Pad(Module):
    """Rellena los bordes (``padding``: entero, ``(izq/der, arriba/abajo)`` o ``(izq, arriba, der,
    abajo)``) con ``fill`` o según ``padding_mode`` (constant, edge, reflect, symmetric)."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant"):
        super().__init__()
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError(f"padding debe ser un entero o una secuencia, no {type(padding).__name__}")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError(f"fill debe ser un número o una tupla, no {type(fill).__name__}")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"padding_mode debe ser 'constant', 'edge', 'reflect' o 'symmetric', no {padding_mode!r}")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(f"padding debe ser un entero o una secuencia de 1, 2 o 4 elementos, no de {len(padding)}")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class RandomCrop(Module):
    """Recorte de ``size`` en una posición aleatoria, tras rellenar con ``padding`` si se da.

    ``RandomCrop(32, padding=4)`` es el aumento clásico de CIFAR-10: rellena 4 píxeles de ceros por
    lado (40×40) y recorta 32×32. ``pad_if_needed`` rellena si la imagen es menor que ``size``.
    Sorteos: ``i = randint(0, h − th + 1)``, ``j = randint(0, w − tw + 1)``."""

    @staticmethod
    def get_params(img, output_size) -> tuple:
        """``(i, j, th, tw)``: esquina superior izquierda y tamaño del recorte."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"el recorte pedido {(th, tw)} es mayor que la imagen {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = randint_item(0, h - th + 1)
        j = randint_item(0, w - tw + 1)
        return i, j, th, tw

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0, padding_mode: str = "constant"):
        super().__init__()
        self.size = tuple(setup_size(size, _SIZE_MSG))
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip(Module):
    """Voltea la imagen de izquierda a derecha con probabilidad ``p`` (sorteo ``rand(1) < p``)."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        return F.hflip(img) if coin(self.p) else img

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"


class RandomVerticalFlip(Module):
    """Voltea la imagen de arriba abajo con probabilidad ``p``."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        return F.vflip(img) if coin(self.p) else img

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"


class RandomResizedCrop(Module):
    """Recorte de área y proporción aleatorias (``scale`` de la imagen, ``ratio`` ancho/alto) y
    reescalado a ``size``: el aumento de ImageNet. Hasta 10 intentos; si ninguno cabe, recorte
    central con la proporción acotada."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
        super().__init__()
        self.size = setup_size(size, _SIZE_MSG)
        if not isinstance(scale, Sequence):
            raise TypeError("scale debe ser una secuencia (mín, máx)")
        if not isinstance(ratio, Sequence):
            raise TypeError("ratio debe ser una secuencia (mín, máx)")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("scale y ratio deberían ser de la forma (mín, máx)", stacklevel=2)
        self.interpolation = _interp(interpolation)
        self.antialias = antialias
        self.scale, self.ratio = scale, ratio

    @staticmethod
    def get_params(img, scale, ratio) -> tuple:
        """``(i, j, h, w)`` del recorte."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = np.log(np.asarray(ratio, dtype=np.float32))
        for _ in range(10):
            target_area = area * uniform_item(scale[0], scale[1])
            aspect_ratio = log_uniform_ratio(log_ratio)
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = randint_item(0, height - h + 1)
                j = randint_item(0, width - w + 1)
                return i, j, h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, "
                f"ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={self.interpolation.value}, "
                f"antialias={self.antialias})")


class FiveCrop(Module):
    """Las cuatro esquinas y el centro, como tupla de 5 imágenes."""

    def __init__(self, size):
        super().__init__()
        self.size = setup_size(size, _SIZE_MSG)

    def forward(self, img):
        return F.five_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size})"


class TenCrop(Module):
    """``FiveCrop`` de la imagen y de su volteo (10 imágenes)."""

    def __init__(self, size, vertical_flip: bool = False):
        super().__init__()
        self.size = setup_size(size, _SIZE_MSG)
        self.vertical_flip = vertical_flip

    def forward(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(size={self.size}, vertical_flip={self.vertical_flip})"


def _fill_for(img, fill):
    if isinstance(img, Tensor):
        return tensor_fill(fill, F.get_dimensions(img)[0])
    return fill


class RandomRotation(Module):
    """Gira un ángulo uniforme en ``degrees`` (un número ``d`` significa ``(−d, d)``)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False, center=None, fill=0):
        super().__init__()
        self.degrees = setup_angle(degrees, name="degrees", req_sizes=(2,))
        if center is not None:
            check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center
        self.interpolation = _interp(interpolation)
        self.expand = expand
        self.fill = check_fill(fill)

    @staticmethod
    def get_params(degrees) -> float:
        return uniform_item(float(degrees[0]), float(degrees[1]))

    def forward(self, img):
        fill = _fill_for(img, self.fill)
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self) -> str:
        s = (f"{self.__class__.__name__}(degrees={self.degrees}, interpolation={self.interpolation.value}, "
             f"expand={self.expand}")
        if self.center is not None:
            s += f", center={self.center}"
        if self.fill is not None:
            s += f", fill={self.fill}"
        return s + ")"


class RandomAffine(Module):
    """Afín aleatoria que deja fijo el centro: giro en ``degrees``, traslación hasta
    ``translate = (a, b)`` (fracción del ancho y del alto), escala en ``scale = (mín, máx)`` y
    cizalla ``shear`` (grados: un número, ``(mín, máx)`` en x o ``(xmín, xmáx, ymín, ymáx)``)."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill=0, center=None):
        super().__init__()
        self.degrees = setup_angle(degrees, name="degrees", req_sizes=(2,))
        if translate is not None:
            check_sequence_input(translate, "translate", req_sizes=(2,))
            for t in translate:
                if not 0.0 <= t <= 1.0:
                    raise ValueError(f"los valores de translate deben estar entre 0 y 1, no {translate}")
        self.translate = translate
        if scale is not None:
            check_sequence_input(scale, "scale", req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError(f"los valores de scale deben ser positivos, no {scale}")
        self.scale = scale
        self.shear = setup_angle(shear, name="shear", req_sizes=(2, 4)) if shear is not None else shear
        self.interpolation = _interp(interpolation)
        self.fill = check_fill(fill)
        if center is not None:
            check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size) -> tuple:
        """``(ángulo, (tx, ty), escala, (sx, sy))``; ``img_size = [ancho, alto]``."""
        angle = uniform_item(float(degrees[0]), float(degrees[1]))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            tx = int(round(uniform_item(-max_dx, max_dx)))
            ty = int(round(uniform_item(-max_dy, max_dy)))
            translations = (tx, ty)
        else:
            translations = (0, 0)
        scale = uniform_item(scale_ranges[0], scale_ranges[1]) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = uniform_item(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = uniform_item(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img):
        fill = _fill_for(img, self.fill)
        _, height, width = F.get_dimensions(img)
        ret = self.get_params(self.degrees, self.translate, self.scale, self.shear, [width, height])
        return F.affine(img, *ret, interpolation=self.interpolation, fill=fill, center=self.center)

    def __repr__(self) -> str:
        s = f"{self.__class__.__name__}(degrees={self.degrees}"
        s += f", translate={self.translate}" if self.translate is not None else ""
        s += f", scale={self.scale}" if self.scale is not None else ""
        s += f", shear={self.shear}" if self.shear is not None else ""
        s += f", interpolation={self.interpolation.value}" if self.interpolation != InterpolationMode.NEAREST else ""
        s += f", fill={self.fill}" if self.fill != 0 else ""
        s += f", center={self.center}" if self.center is not None else ""
        return s + ")"
