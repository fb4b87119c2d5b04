"""Las transformaciones sobre imágenes de Pillow (``torchvision.transforms._functional_pil``).

Cada función llama a Pillow exactamente como torchvision (``img.resize``, ``img.crop``,
``ImageOps.expand``, ``img.rotate``, ``img.transform(AFFINE)``, ``ImageEnhance``...), así que
para la misma entrada y los mismos parámetros el resultado es el mismo píxel a píxel.
"""
from __future__ import annotations

import numbers

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

__all__ = []  # uso interno: la API pública es transforms.functional


def _is_pil_image(img) -> bool:
    return isinstance(img, Image.Image)


def _check(img):
    if not _is_pil_image(img):
        raise TypeError(f"se esperaba una imagen PIL o un tensor, no {type(img).__name__}")


def get_dimensions(img) -> list:
    _check(img)
    width, height = img.size
    return [len(img.getbands()), height, width]


def get_image_size(img) -> list:
    _check(img)
    return list(img.size)


def get_image_num_channels(img) -> int:
    _check(img)
    return len(img.getbands())


def hflip(img):
    _check(img)
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def adjust_brightness(img, brightness_factor: float):
    _check(img)
    return ImageEnhance.Brightness(img).enhance(brightness_factor)


def adjust_contrast(img, contrast_factor: float):
    _check(img)
    return ImageEnhance.Contrast(img).enhance(contrast_factor)


def adjust_saturation(img, saturation_factor: float):
    _check(img)
    return ImageEnhance.Color(img).enhance(saturation_factor)


def adjust_hue(img, hue_factor: float):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) debe estar en [-0.5, 0.5]")
    _check(img)
    input_mode = img.mode
    if input_mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    np_h += np.array(hue_factor * 255).astype(np.uint8)   # desborda a propósito: el tono es circular
    h = Image.fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(input_mode)


def adjust_gamma(img, gamma: float, gain: float = 1.0):
    _check(img)
    if gamma < 0:
        raise ValueError(f"gamma ({gamma}) debe ser un número real ≥ 0")
    input_mode = img.mode
    img = img.convert("RGB")
    gamma_map = [int((255 + 1 - 1e-3) * gain * pow(ele / 255.0, gamma)) for ele in range(256)] * 3
    return img.point(gamma_map).convert(input_mode)


def _parse_fill(fill, img, name: str = "fillcolor") -> dict:
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError(f"fill tiene {len(fill)} valores y la imagen {num_channels} canales "
                             f"({len(fill)} != {num_channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, (list, tuple)) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    _check(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError(f"padding debe ser un entero o una secuencia de 1, 2 o 4 enteros, no {type(padding).__name__}")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError(f"fill debe ser un número o una tupla, no {type(fill).__name__}")
    if not isinstance(padding_mode, str):
        raise TypeError(f"padding_mode debe ser un texto, no {type(padding_mode).__name__}")
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in (1, 2, 4):
        raise ValueError(f"padding debe ser un entero o una secuencia de 1, 2 o 4 elementos, no de {len(padding)}")
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(f"padding_mode debe ser 'constant', 'edge', 'reflect' o 'symmetric', no {padding_mode!r}")
    if padding_mode == "constant":
        opts = _parse_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            image = ImageOps.expand(img, border=padding, **opts)
            image.putpalette(palette)
            return image
        return ImageOps.expand(img, border=padding, **opts)
    if isinstance(padding, int):
        pl = pr = pt = pb = padding
    elif len(padding) == 2:
        pl = pr = padding[0]
        pt = pb = padding[1]
    else:
        pl, pt, pr, pb = padding
    p = [pl, pt, pr, pb]
    cropping = -np.minimum(p, 0)
    if cropping.any():
        cl, ct, cr, cb = cropping
        img = img.crop((cl, ct, img.width - cr, img.height - cb))
    pl, pt, pr, pb = np.maximum(p, 0)
    if img.mode == "P":
        palette = img.getpalette()
        a = np.pad(np.asarray(img), ((pt, pb), (pl, pr)), mode=padding_mode)
        out = Image.fromarray(a)
        out.putpalette(palette)
        return out
    a = np.asarray(img)
    if a.ndim == 3:
        a = np.pad(a, ((pt, pb), (pl, pr), (0, 0)), padding_mode)
    else:
        a = np.pad(a, ((pt, pb), (pl, pr)), padding_mode)
    return Image.fromarray(a)


def crop(img, top: int, left: int, height: int, width: int):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation=Image.Resampling.BILINEAR):
    _check(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"tamaño no válido: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def affine(img, matrix, interpolation=Image.Resampling.NEAREST, fill=None):
    _check(img)
    return img.transform(img.size, Image.Transform.AFFINE, matrix, interpolation, **_parse_fill(fill, img))


def rotate(img, angle: float, interpolation=Image.Resampling.NEAREST, expand: bool = False, center=None, fill=None):
    _check(img)
    return img.rotate(angle, interpolation, expand, center, **_parse_fill(fill, img))


def to_grayscale(img, num_output_channels: int):
    _check(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        a = np.array(img.convert("L"), dtype=np.uint8)
        return Image.fromarray(np.dstack([a, a, a]), "RGB")
    raise ValueError(f"num_output_channels debe ser 1 o 3, no {num_output_channels}")


def invert(img):
    _check(img)
    return ImageOps.invert(img)


def posterize(img, bits: int):
    _check(img)
    return ImageOps.posterize(img, bits)


def solarize(img, threshold):
    _check(img)
    return ImageOps.solarize(img, threshold)


def adjust_sharpness(img, sharpness_factor: float):
    _check(img)
    return ImageEnhance.Sharpness(img).enhance(sharpness_factor)


def autocontrast(img):
    _check(img)
    return ImageOps.autocontrast(img)


def equalize(img):
    _check(img)
    return ImageOps.equalize(img)
