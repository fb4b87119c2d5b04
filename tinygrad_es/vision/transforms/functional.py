"""``transforms.functional``: cada transformación como función, para imágenes PIL y tensores
(como ``torchvision.transforms.functional``).

Una imagen PIL se transforma con Pillow, llamado igual que en torchvision (mismo resultado píxel a
píxel); un tensor ``[..., C, H, W]``, con las fórmulas de torchvision para tensores. Las clases de
``transforms`` (``RandomCrop``...) sortean sus parámetros y llaman a estas funciones.

>>> from tinygrad_es.vision.transforms import functional as F
>>> F.hflip(img); F.crop(img, top=2, left=2, height=28, width=28); F.to_tensor(img)
"""
from __future__ import annotations

import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np
from PIL import Image

from ... import Tensor, from_numpy, get_default_dtype
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
           "pil_to_tensor", "convert_image_dtype", "to_pil_image", "normalize", "resize", "pad", "crop",
           "center_crop", "resized_crop", "hflip", "vflip", "five_crop", "ten_crop", "adjust_brightness",
           "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma", "rotate", "affine", "to_grayscale",
           "rgb_to_grayscale", "erase", "gaussian_blur", "invert", "posterize", "solarize", "adjust_sharpness",
           "autocontrast", "equalize"]


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


# -- geometría ------------------------------------------------------------------------------------
def _compute_resized_output_size(image_size, size, max_size=None) -> list:
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 1:
        requested = size if isinstance(size, int) else size[0]
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} debe ser estrictamente mayor que el tamaño pedido para el "
                                 f"lado corto, size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Reescala a ``size``: ``(alto, ancho)``, o un entero para el lado corto (conservando la
    proporción; ``max_size`` acota el largo). PIL: ``img.resize`` (siempre con antialias); tensor:
    como ``interpolate`` de PyTorch, con ``antialias`` para bilinear/bicubic."""
    interpolation = _interp(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"size debe ser un entero o una secuencia de 1 o 2 elementos, no de {len(size)}")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size sólo tiene sentido si size da el lado corto (un entero o una secuencia de "
                             "un elemento)")
    elif not isinstance(size, int) or isinstance(size, bool):
        raise TypeError(f"size debe ser un entero o una secuencia, no {type(size).__name__}")
    _, h, w = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == output_size:
        return img
    if not isinstance(img, Tensor):
        if antialias is False:
            warnings.warn("Con imágenes PIL el antialias se aplica siempre; se ignora antialias=False", stacklevel=2)
        return F_pil.resize(img, size=output_size, interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=output_size, interpolation=interpolation.value, antialias=antialias)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Rellena los bordes: ``padding`` entero (los cuatro), ``(izq/der, arriba/abajo)`` o
    ``(izq, arriba, der, abajo)``; ``padding_mode``: constant (``fill``), edge, reflect, symmetric."""
    return _backend(img).pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top: int, left: int, height: int, width: int):
    """Recorta la caja de esquina ``(top, left)`` y tamaño ``height × width`` (fuera, ceros)."""
    return _backend(img).crop(img, top, left, height, width)


def center_crop(img, output_size):
    """Recorte central de ``output_size`` (entero o ``(alto, ancho)``); rellena con 0 si es mayor."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [(crop_width - image_width) // 2 if crop_width > image_width else 0,
                        (crop_height - image_height) // 2 if crop_height > image_height else 0,
                        (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
                        (crop_height - image_height + 1) // 2 if crop_height > image_height else 0]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top: int, left: int, height: int, width: int, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    """``crop`` y después ``resize`` (lo que usa ``RandomResizedCrop``)."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Volteo horizontal (espejo izquierda-derecha)."""
    return _backend(img).hflip(img)


def vflip(img):
    """Volteo vertical (arriba-abajo)."""
    return _backend(img).vflip(img)


def five_crop(img, size):
    """Las cuatro esquinas y el centro: ``(sup_izq, sup_der, inf_izq, inf_der, centro)``."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("size debe dar sólo dos dimensiones (alto, ancho)")
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        raise ValueError(f"el recorte pedido {tuple(size)} es mayor que la imagen {(image_height, image_width)}")
    tl = crop(img, 0, 0, crop_height, crop_width)
    tr = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bl = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    br = crop(img, image_height - crop_height, image_width - crop_width, crop_height, crop_width)
    return tl, tr, bl, br, center_crop(img, [crop_height, crop_width])


def ten_crop(img, size, vertical_flip: bool = False):
    """``five_crop`` de la imagen y de su volteo (horizontal, o vertical)."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("size debe dar sólo dos dimensiones (alto, ancho)")
    first = five_crop(img, size)
    return first + five_crop(vflip(img) if vertical_flip else hflip(img), size)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted: bool = True) -> list:
    """Matriz afín M = T·C·RSS·C⁻¹ (rotación, escala y cizalla alrededor de ``center``) o su inversa,
    que es la que pide Pillow (de la salida a la entrada)."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [x * scale for x in [a, b, 0.0, c, d, 0.0]]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy)
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy)
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False, center=None, fill=None):
    """Gira ``angle`` grados en sentido antihorario alrededor de ``center`` (por defecto el centro);
    ``expand=True`` agranda la salida para que quepa la imagen entera; ``fill``: color de fuera."""
    interpolation = _interp(interpolation)
    if isinstance(angle, bool) or not isinstance(angle, (int, float)):
        raise TypeError(f"angle debe ser un número (grados), no {type(angle).__name__}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("center debe ser una secuencia (x, y)")
    if not isinstance(img, Tensor):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation], expand=expand,
                            center=center, fill=fill)
    center_f = [0.0, 0.0]
    if center is not None:
        _, height, width = get_dimensions(img)
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand, fill=fill)


def affine(img, angle: float, translate, scale: float, shear, interpolation=InterpolationMode.NEAREST, fill=None,
           center=None):
    """Transformación afín que deja fijo el centro: giro ``angle`` (grados, horario), traslación
    ``translate = (tx, ty)`` píxeles, escala ``scale`` y cizalla ``shear`` (grados; un número o
    ``(sx, sy)``)."""
    interpolation = _interp(interpolation)
    if isinstance(angle, bool) or not isinstance(angle, (int, float)):
        raise TypeError(f"angle debe ser un número (grados), no {type(angle).__name__}")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("translate debe ser una secuencia (tx, ty)")
    if len(translate) != 2:
        raise ValueError(f"translate debe tener 2 valores, no {len(translate)}")
    if scale <= 0.0:
        raise ValueError(f"scale debe ser positiva, no {scale}")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("shear debe ser un número o una secuencia de dos números")
    angle = float(angle)
    translate = list(translate)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"shear debe tener dos valores, no {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("center debe ser una secuencia (x, y)")
    _, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation], fill=fill)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _get_inverse_affine_matrix(center_f, angle, [1.0 * t for t in translate], scale, shear)
    return F_t.affine(img, matrix=matrix, interpolation=interpolation.value, fill=fill)


# -- color ------------------------------------------------------------------------------------------
def adjust_brightness(img, brightness_factor: float):
    """Brillo × ``brightness_factor`` (0: negro, 1: igual)."""
    return _backend(img).adjust_brightness(img, brightness_factor)


def adjust_contrast(img, contrast_factor: float):
    """Contraste respecto del gris medio (0: gris uniforme, 1: igual)."""
    return _backend(img).adjust_contrast(img, contrast_factor)


def adjust_saturation(img, saturation_factor: float):
    """Saturación (0: blanco y negro, 1: igual)."""
    return _backend(img).adjust_saturation(img, saturation_factor)


def adjust_hue(img, hue_factor: float):
    """Desplaza el tono (canal H de HSV) en ``hue_factor`` ∈ [−0.5, 0.5] vueltas."""
    return _backend(img).adjust_hue(img, hue_factor)


def adjust_gamma(img, gamma: float, gain: float = 1):
    """Corrección gamma: ``255·gain·(I/255)^gamma``."""
    return _backend(img).adjust_gamma(img, gamma, gain)


def to_grayscale(img, num_output_channels: int = 1):
    """PIL → escala de grises (1 canal, o 3 iguales)."""
    if not _is_pil_image(img):
        raise TypeError("to_grayscale espera una imagen PIL; para tensores usa rgb_to_grayscale")
    return F_pil.to_grayscale(img, num_output_channels)


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """RGB → gris con ``0.2989·R + 0.587·G + 0.114·B`` (tensores) o ``convert('L')`` (PIL)."""
    if not isinstance(img, Tensor):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


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
    return _backend(img).invert(img)


def posterize(img, bits: int):
    if not 0 <= bits <= 8:
        raise ValueError(f"bits debe estar entre 0 y 8, no {bits}")
    return _backend(img).posterize(img, bits)


def solarize(img, threshold: float):
    return _backend(img).solarize(img, threshold)


def adjust_sharpness(img, sharpness_factor: float):
    if isinstance(img, Tensor):
        raise NotImplementedError("adjust_sharpness sólo está disponible para imágenes PIL en tinygrad_es")
    return F_pil.adjust_sharpness(img, sharpness_factor)


def autocontrast(img):
    if isinstance(img, Tensor):
        raise NotImplementedError("autocontrast sólo está disponible para imágenes PIL en tinygrad_es")
    return F_pil.autocontrast(img)


def equalize(img):
    if isinstance(img, Tensor):
        raise NotImplementedError("equalize sólo está disponible para imágenes PIL en tinygrad_es")
    return F_pil.equalize(img)
