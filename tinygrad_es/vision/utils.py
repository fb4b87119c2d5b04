"""``make_grid`` y ``save_image`` (como ``torchvision.utils``): varias imágenes en una rejilla.

>>> from tinygrad_es.vision.utils import make_grid, save_image
>>> grid = make_grid(lote, nrow=8, padding=2, normalize=True)     # (3, alto, ancho)
>>> save_image(lote, "muestras.png", nrow=8)
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image

from ._tensors import Tensor, from_numpy, stack

__all__ = ["make_grid", "save_image"]


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False, value_range=None,
              scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Coloca un lote (B, C, H, W) — o una lista de imágenes (C, H, W) — en una rejilla de ``nrow``
    columnas separadas por ``padding`` píxeles de valor ``pad_value``.

    Args:
        normalize: lleva los valores a [0, 1] con el mínimo y el máximo (o ``value_range = (mín, máx)``;
            ``scale_each`` lo hace imagen a imagen).

    Las imágenes de 1 canal se repiten en 3 (la rejilla es RGB). Devuelve un tensor (C, alto, ancho)
    con ``alto = filas·(H + padding) + padding``. Equivale a ``torchvision.utils.make_grid``."""
    if isinstance(tensor, (list, tuple)):
        if not tensor or not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError("make_grid espera un tensor o una lista no vacía de tensores")
        tensor = stack(list(tensor), dim=0)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"make_grid espera un tensor o una lista de tensores, no {type(tensor).__name__}")
    a = np.array(tensor.detach().numpy())   # copia: nunca se modifica la entrada
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        if a.shape[0] == 1:
            a = np.concatenate((a, a, a), 0)
        a = a[None]
    if a.ndim != 4:
        raise ValueError(f"make_grid espera imágenes (B, C, H, W), (C, H, W) o (H, W); recibió forma "
                         f"{tuple(a.shape)}")
    if a.shape[1] == 1:
        a = np.concatenate((a, a, a), 1)
    if normalize is True:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range debe ser una tupla (mín, máx) de números")
        if a.dtype.kind != "f":
            raise TypeError(f"normalize=True necesita un tensor de coma flotante, no {a.dtype}")

        def norm_ip(img, low, high):
            np.clip(img, a.dtype.type(low), a.dtype.type(high), out=img)
            img -= a.dtype.type(low)
            img /= a.dtype.type(max(high - low, 1e-5))

        def norm_range(t):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))
        if scale_each is True:
            for t in a:
                norm_range(t)
        else:
            norm_range(a)
    if a.shape[0] == 1:
        return from_numpy(np.ascontiguousarray(a[0]))
    nmaps = a.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(a.shape[2] + padding), int(a.shape[3] + padding)
    grid = np.full((a.shape[1], height * ymaps + padding, width * xmaps + padding), pad_value, dtype=a.dtype)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = a[k]
            k += 1
    return from_numpy(grid)


def save_image(tensor, fp, format=None, **kwargs) -> None:
    """Guarda un lote (o una imagen) como PNG/JPEG: ``make_grid(tensor, **kwargs)`` y después
    ``(x·255 + 0.5)`` acotado a [0, 255] en uint8, como torchvision. Los tensores enteros (uint8) se
    toman ya en [0, 255]."""
    grid = make_grid(tensor, **kwargs)
    g = grid.numpy()
    if g.dtype.kind == "f":
        nd = np.clip(g * g.dtype.type(255) + g.dtype.type(0.5), 0, 255).astype(np.uint8)
    else:
        nd = np.clip(g, 0, 255).astype(np.uint8)
    im = Image.fromarray(np.ascontiguousarray(nd.transpose(1, 2, 0)))
    im.save(fp, format=format)
