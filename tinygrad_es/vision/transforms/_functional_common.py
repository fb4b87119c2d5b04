"""Lo común a las funciones de ``transforms.functional``: ``InterpolationMode`` y a qué implementación
(Pillow o tensores) va cada imagen."""
from __future__ import annotations

from enum import Enum

from .._tensors import Tensor
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels"]


class InterpolationMode(Enum):
    """Modos de interpolación: ``nearest``, ``nearest-exact``, ``bilinear``, ``bicubic`` y, sólo para
    imágenes PIL, ``box``, ``hamming`` y ``lanczos``."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _interpolation_modes_from_int(i: int) -> InterpolationMode:
    modes = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
             4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
    if i not in modes:
        raise ValueError(f"constante de interpolación de Pillow desconocida: {i}")
    return modes[i]


pil_modes_mapping = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
                     InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
                     InterpolationMode.LANCZOS: 1}

_is_pil_image = F_pil._is_pil_image


def _interp(interpolation) -> InterpolationMode:
    if isinstance(interpolation, int) and not isinstance(interpolation, bool):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("interpolation debe ser un InterpolationMode (p. ej. InterpolationMode.BILINEAR) o la "
                        f"constante entera de Pillow correspondiente, no {interpolation!r}")
    return interpolation


def _backend(img):
    if isinstance(img, Tensor):
        return F_t
    if _is_pil_image(img):
        return F_pil
    raise TypeError(f"se esperaba una imagen PIL o un tensor, no {type(img).__name__}")


def get_dimensions(img) -> list:
    """``[canales, alto, ancho]`` de una imagen PIL o un tensor."""
    return _backend(img).get_dimensions(img)


def get_image_size(img) -> list:
    """``[ancho, alto]``."""
    return _backend(img).get_image_size(img)


def get_image_num_channels(img) -> int:
    return _backend(img).get_image_num_channels(img)
