"""Las funciones geométricas de ``transforms.functional``: reescalar, rellenar, recortar, voltear,
girar y transformaciones afines, para imágenes PIL (con Pillow, como torchvision) y tensores."""
from __future__ import annotations

import math
import numbers
import warnings

from .._tensors import Tensor
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t
from ._functional_common import InterpolationMode, _backend, _interp, get_dimensions, pil_modes_mapping

__all__ = ["resize", "pad", "crop", "center_crop", "resized_crop", "hflip", "vflip", "five_crop", "ten_crop",
           "rotate", "affine"]


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
