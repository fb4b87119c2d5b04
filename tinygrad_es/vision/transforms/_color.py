"""Transformaciones de color: ``ColorJitter``, ``Grayscale``, ``RandomGrayscale``, ``GaussianBlur``
y las aleatorias sencillas (``RandomInvert``, ``RandomPosterize``, ``RandomSolarize``,
``RandomAdjustSharpness``, ``RandomAutocontrast``, ``RandomEqualize``)."""
from __future__ import annotations

import numbers
from collections.abc import Sequence

from .._tensors import randperm
from ...nn import Module
from . import functional as F
from ._params import coin, setup_size, uniform_item

__all__ = ["ColorJitter", "Grayscale", "RandomGrayscale", "GaussianBlur", "RandomInvert", "RandomPosterize",
           "RandomSolarize", "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize"]


class ColorJitter(Module):
    """Cambia al azar brillo, contraste, saturación y tono, en un orden aleatorio.

    Cada argumento es un número ``v`` (factor uniforme en ``[max(0, 1 − v), 1 + v]``; para ``hue``,
    desplazamiento en ``[−v, v]`` con ``v ≤ 0.5``) o un par ``(mín, máx)``. Sorteos como torchvision:
    ``randperm(4)`` para el orden y un ``uniform_`` por cada factor activo."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0) -> None:
        super().__init__()
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def _check_input(value, name, center=1, bound=(0, float("inf")), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"si {name} es un solo número, debe ser ≥ 0 (se recibió {value})")
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"{name} debe ser un número o una lista/tupla de longitud 2")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"los valores de {name} deben estar en {bound} y ordenados, no {value}")
        if value[0] == value[1] == center:
            return None
        return tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue) -> tuple:
        """``(orden, b, c, s, h)``: el orden de las cuatro operaciones y los factores (o ``None``)."""
        fn_idx = randperm(4)
        b = None if brightness is None else uniform_item(brightness[0], brightness[1])
        c = None if contrast is None else uniform_item(contrast[0], contrast[1])
        s = None if saturation is None else uniform_item(saturation[0], saturation[1])
        h = None if hue is None else uniform_item(hue[0], hue[1])
        return fn_idx, b, c, s, h

    def forward(self, img):
        fn_idx, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        for fn_id in fn_idx.tolist():
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class Grayscale(Module):
    """Pasa a escala de grises con 1 canal (o 3 iguales con ``num_output_channels=3``)."""

    def __init__(self, num_output_channels: int = 1):
        super().__init__()
        self.num_output_channels = num_output_channels

    def forward(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale(Module):
    """Pasa a gris con probabilidad ``p`` conservando el número de canales."""

    def __init__(self, p: float = 0.1):
        super().__init__()
        self.p = p

    def forward(self, img):
        num_output_channels, _, _ = F.get_dimensions(img)
        if coin(self.p):
            return F.rgb_to_grayscale(img, num_output_channels=num_output_channels)
        return img

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"


class GaussianBlur(Module):
    """Desenfoque gaussiano con ``kernel_size`` (impar) y ``sigma`` uniforme en ``(mín, máx)``."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = setup_size(kernel_size, "kernel_size debe ser un entero o una tupla de dos enteros")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError(f"kernel_size debe ser impar y positivo, no {kernel_size}")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError(f"si sigma es un solo número, debe ser positivo (se recibió {sigma})")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError(f"sigma debe ser positiva y de la forma (mín, máx), no {sigma}")
        else:
            raise ValueError("sigma debe ser un número o una lista/tupla de longitud 2")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float) -> float:
        return uniform_item(sigma_min, sigma_max)

    def forward(self, img):
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"


class _RandomP(Module):
    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        return self._apply(img) if coin(self.p) else img

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p})"


class RandomInvert(_RandomP):
    """Invierte los colores con probabilidad ``p``."""

    def _apply(self, img):
        return F.invert(img)


class RandomPosterize(_RandomP):
    """Deja ``bits`` bits por canal con probabilidad ``p``."""

    def __init__(self, bits: int, p: float = 0.5):
        super().__init__(p)
        self.bits = bits

    def _apply(self, img):
        return F.posterize(img, self.bits)


class RandomSolarize(_RandomP):
    """Invierte los píxeles ≥ ``threshold`` con probabilidad ``p``."""

    def __init__(self, threshold: float, p: float = 0.5):
        super().__init__(p)
        self.threshold = threshold

    def _apply(self, img):
        return F.solarize(img, self.threshold)


class RandomAdjustSharpness(_RandomP):
    """Cambia la nitidez por ``sharpness_factor`` con probabilidad ``p``."""

    def __init__(self, sharpness_factor: float, p: float = 0.5):
        super().__init__(p)
        self.sharpness_factor = sharpness_factor

    def _apply(self, img):
        return F.adjust_sharpness(img, self.sharpness_factor)


class RandomAutocontrast(_RandomP):
    def _apply(self, img):
        return F.autocontrast(img)


class RandomEqualize(_RandomP):
    def _apply(self, img):
        return F.equalize(img)
