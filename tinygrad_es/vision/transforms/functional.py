"""``transforms.functional``: cada transformación como función, para imágenes PIL y tensores
(como ``torchvision.transforms.functional``).

Una imagen PIL se transforma con Pillow, llamado igual que en torchvision (mismo resultado píxel a
píxel); un tensor ``[..., C, H, W]``, con las fórmulas de torchvision para tensores. Las clases de
``transforms`` (``RandomCrop``...) sortean sus parámetros y llaman a estas funciones.

>>> from tinygrad_es.vision.transforms import functional as F
>>> F.hflip(img); F.crop(img, top=2, left=2, height=28, width=28); F.to_tensor(img)
"""
from __future__ import annotations

import sys

import numpy as np
from PIL import Image

from .._tensors import Tensor, from_numpy, get_default_dtype
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t
from . import _functional_tensor_color as F_tc
from ._functional_common import (InterpolationMode, _interpolation_modes_from_int, _is_pil_image,  # noqa: F401
                                 get_dimensions, get_image_num_channels, get_image_size, pil_modes_mapping)
from ._functional_geometry import (_get_inverse_affine_matrix, affine, center_crop, crop, five_crop,  # noqa: F401
                                   hflip, pad, resize, resized_crop, rotate, ten_crop, vflip)

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
           "pil_to_tensor", "convert_image_dtype", "to_pil_image", "normalize", "resize", "pad", "crop",
           "center_crop", "resized_crop", "hflip", "vflip", "five_crop", "ten_crop", "adjust_brightness",
           "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma", "rotate", "affine", "to_grayscale",
           "rgb_to_grayscale", "erase", "gaussian_blur", "invert", "posterize", "solarize", "adjust_sharpness",
           "autocontrast", "equalize"]


def _color(img):
    if isinstance(img, Tensor):
        return F_tc
    if _is_pil_image(img):
        return F_pil
    raise TypeError(f"se esperaba una imagen PIL o un tensor, no {type(img).__name__}")


# -- conversiones ---------------------------------------------------------------------------------
def to_tensor(pic) -> Tensor:
    """PIL o ndarray (H×W×C) → tensor (C×H×W). Si es uint8 (modos L, RGB, P...) se divide entre 255
    y queda en [0, 1] con el dtype por defecto (float32); los demás tipos no se escalan.
    Véase ``transforms.ToTensor``."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic debe ser una imagen PIL o un ndarray, no {type(pic).__name__}")
    if isinstance(pic, np.ndarray) and pic.ndim not in (2, 3):
        raise ValueError(f"pic debe tener 2 o 3 dimensiones (alto, ancho[, canales]); tiene {pic.ndim}")
    ft = np.dtype(get_default_dtype())
    if isinstance(pic, np.ndarray):
        a = pic[:, :, None] if pic.ndim == 2 else pic
        a = np.ascontiguousarray(a.transpose((2, 0, 1)))
        if a.dtype == np.uint8:
            return from_numpy(a.astype(ft) / ft.type(255))
        return from_numpy(a)
    mode_to_nptype = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16, "F": np.float32}
    a = np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        a = 255 * a
    a = a.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    a = np.ascontiguousarray(a.transpose((2, 0, 1)))
    if a.dtype == np.uint8:
        return from_numpy(a.astype(ft) / ft.type(255))
    return from_numpy(a)


def pil_to_tensor(pic) -> Tensor:
    """PIL → tensor C×H×W del mismo tipo (uint8 para RGB/L), sin escalar. Véase ``PILToTensor``."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic debe ser una imagen PIL, no {type(pic).__name__}")
    a = np.array(pic, copy=True)
    a = a.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    return from_numpy(np.ascontiguousarray(a.transpose((2, 0, 1))))


def convert_image_dtype(image, dtype=None) -> Tensor:
    """Convierte un tensor-imagen a ``dtype`` reescalando (uint8 [0, 255] ↔ float [0, 1])."""
    if not isinstance(image, Tensor):
        raise TypeError(f"convert_image_dtype espera un tensor, no {type(image).__name__}")
    return F_t.convert_image_dtype(image, get_default_dtype() if dtype is None else dtype)


def to_pil_image(pic, mode=None):
    """Tensor (C×H×W) o ndarray (H×W×C) → imagen PIL. Los valores de coma flotante se multiplican
    por 255 y se pasan a uint8 (como en torchvision: sin redondear). Véase ``ToPILImage``."""
    if isinstance(pic, Tensor):
        a = pic.detach().numpy()
        if a.ndim == 3:
            a = a.transpose((1, 2, 0))
    elif isinstance(pic, np.ndarray):
        a = pic
    else:
        raise TypeError(f"pic debe ser un tensor o un ndarray, no {type(pic).__name__}")
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3:
        raise ValueError(f"pic debe tener 2 o 3 dimensiones; tiene {a.ndim}")
    if a.shape[-1] > 4:
        raise ValueError(f"pic no puede tener más de 4 canales; tiene {a.shape[-1]} (¿está en formato C×H×W siendo "
                         "un ndarray? los ndarray van en H×W×C)")
    npimg = a
    if np.issubdtype(npimg.dtype, np.floating) and mode != "F":
        npimg = (npimg * 255).astype(np.uint8)
    if npimg.shape[2] == 1:
        npimg = npimg[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16" if sys.byteorder == "little" else "I;16B",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"modo {mode!r} incorrecto para datos {npimg.dtype}: debería ser {expected!r}")
        mode = expected
    elif npimg.shape[2] == 2:
        if mode is not None and mode != "LA":
            raise ValueError("con 2 canales sólo se admite el modo 'LA'")
        if mode is None and npimg.dtype == np.uint8:
            mode = "LA"
    elif npimg.shape[2] == 4:
        if mode is not None and mode not in ("RGBA", "CMYK", "RGBX"):
            raise ValueError("con 4 canales sólo se admiten los modos 'RGBA', 'CMYK' y 'RGBX'")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGBA"
    else:
        if mode is not None and mode not in ("RGB", "YCbCr", "HSV"):
            raise ValueError("con 3 canales sólo se admiten los modos 'RGB', 'YCbCr' y 'HSV'")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"no se admiten datos de tipo {npimg.dtype} (usa uint8, o float en [0, 1])")
    return Image.fromarray(np.ascontiguousarray(npimg), mode=mode)


def normalize(tensor, mean, std, inplace: bool = False) -> Tensor:
    """``(tensor[c] − mean[c]) / std[c]`` por canal, en un tensor (…, C, H, W) de coma flotante.
    Véase ``transforms.Normalize``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Normalize espera un tensor (usa antes ToTensor()), no {type(tensor).__name__}")
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


# -- color ------------------------------------------------------------------------------------------
def adjust_brightness(img, brightness_factor: float):
    """Brillo × ``brightness_factor`` (0: negro, 1: igual)."""
    return _color(img).adjust_brightness(img, brightness_factor)


def adjust_contrast(img, contrast_factor: float):
    """Contraste respecto del gris medio (0: gris uniforme, 1: igual)."""
    return _color(img).adjust_contrast(img, contrast_factor)


def adjust_saturation(img, saturation_factor: float):
    """Saturación (0: blanco y negro, 1: igual)."""
    return _color(img).adjust_saturation(img, saturation_factor)


def adjust_hue(img, hue_factor: float):
    """Desplaza el tono (canal H de HSV) en ``hue_factor`` ∈ [−0.5, 0.5] vueltas."""
    return _color(img).adjust_hue(img, hue_factor)


def adjust_gamma(img, gamma: float, gain: float = 1):
    """Corrección gamma: ``255·gain·(I/255)^gamma``."""
    return _color(img).adjust_gamma(img, gamma, gain)


def to_grayscale(img, num_output_channels: int = 1):
    """PIL → escala de grises (1 canal, o 3 iguales)."""
    if not _is_pil_image(img):
        raise TypeError("to_grayscale espera una imagen PIL; para tensores usa rgb_to_grayscale")
    return F_pil.to_grayscale(img, num_output_channels)


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """RGB → gris con ``0.2989·R + 0.587·G + 0.114·B`` (tensores) o ``convert('L')`` (PIL)."""
    if not isinstance(img, Tensor):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_tc.rgb_to_grayscale(img, num_output_channels)


def erase(img, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Pone ``v`` en la caja ``[i:i+h, j:j+w]`` de un tensor (lo usa ``RandomErasing``)."""
    if not isinstance(img, Tensor):
        raise TypeError(f"erase espera un tensor, no {type(img).__name__}")
    return F_t.erase(img, i, j, h, w, v, inplace=inplace)


def gaussian_blur(img, kernel_size, sigma=None):
    """Desenfoque gaussiano con núcleo ``kernel_size`` (impar) y desviación ``sigma`` (por defecto
    ``0.3·((k − 1)·0.5 − 1) + 0.8``), con relleno reflect."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size debe ser un entero o una secuencia de enteros, no {type(kernel_size).__name__}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"kernel_size debe tener 2 valores, no {len(kernel_size)}")
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(f"kernel_size debe ser impar y positivo; se recibió {kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma debe ser un número o una secuencia de números, no {type(sigma).__name__}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"sigma debe tener 2 valores, no {len(sigma)}")
    if any(s <= 0.0 for s in sigma):
        raise ValueError(f"sigma debe ser positiva; se recibió {sigma}")
    if isinstance(img, Tensor):
        return F_t.gaussian_blur(img, kernel_size, sigma)
    if not _is_pil_image(img):
        raise TypeError(f"se esperaba una imagen PIL o un tensor, no {type(img).__name__}")
    out = F_t.gaussian_blur(pil_to_tensor(img), kernel_size, sigma)
    return to_pil_image(out, mode=img.mode)


def invert(img):
    return _color(img).invert(img)


def posterize(img, bits: int):
    if not 0 <= bits <= 8:
        raise ValueError(f"bits debe estar entre 0 y 8, no {bits}")
    return _color(img).posterize(img, bits)


def solarize(img, threshold: float):
    return _color(img).solarize(img, threshold)


def adjust_sharpness(img, sharpness_factor: float):
    """Nitidez (0: suavizada con el filtro 3×3 de Pillow, 1: igual, 2: el doble de nítida)."""
    return _color(img).adjust_sharpness(img, sharpness_factor)


def autocontrast(img):
    """Estira cada canal para que su mínimo sea negro y su máximo blanco."""
    return _color(img).autocontrast(img)


def equalize(img):
    """Ecualiza el histograma de cada canal (imágenes uint8)."""
    return _color(img).equalize(img)
