"""Reescalado con la firma de ``torch.nn.functional``: ``interpolate`` y su nombre antiguo
``upsample``, con todos los modos de PyTorch: ``'nearest'``, ``'nearest-exact'`` y ``'area'`` (entradas
3-D, 4-D o 5-D), ``'linear'`` (3-D), ``'bilinear'`` y ``'bicubic'`` (4-D) y ``'trilinear'`` (5-D),
con ``align_corners`` en los interpolantes y gradiente en todos.

El cálculo y el gradiente están en ``ops/pooling.py`` (``Upsample``: los núcleos numba del caso 2-D
``nearest``/``bilinear``; ``AdaptiveAvgPool2d`` para ``area``) y en ``ops/upsampling.py``
(``Resample``, separable eje a eje, para el resto).
"""
import math
import numbers
import warnings

import numpy as np

from ..._tensor import Tensor
from ..._validate import choice
from ...kernels.upsample import resample_taps, resample_uint8
from ...ops.pooling import AdaptiveAvgPool2d, Upsample
from ...ops.upsampling import Resample
from ._utils import as_tensor, int_tuple, integer_input

__all__ = ["interpolate", "upsample"]


_MODES = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5), "linear": (3,), "bilinear": (4,),
          "bicubic": (4,), "trilinear": (5,)}
_ALIGNABLE = ("linear", "bilinear", "bicubic", "trilinear")
_UINT8 = ("nearest", "nearest-exact", "bilinear", "bicubic")  # los que PyTorch admite con uint8
_TAPS = {"nearest": "nearest", "nearest-exact": "nearest-exact", "area": "area", "linear": "linear",
         "trilinear": "linear", "bicubic": "cubic"}


def _check(x, mode, align_corners, antialias, op):
    choice(mode, _MODES, "mode", op, exc=NotImplementedError)
    if x.ndim not in (3, 4, 5):
        raise NotImplementedError(f"{op}: sólo se admiten entradas 3-D, 4-D y 5-D (N, C, ...), y la entrada tiene "
                                  f"forma {tuple(x.shape)}")
    if x.ndim not in _MODES[mode]:
        raise NotImplementedError(f"{op}: el modo {mode!r} necesita una entrada "
                                  f"{' o '.join(f'{r}-D' for r in _MODES[mode])}, pero tiene forma {tuple(x.shape)}")
    if align_corners is not None and mode not in _ALIGNABLE:
        raise ValueError(f"{op}: align_corners sólo tiene sentido con los modos {', '.join(_ALIGNABLE)}")
    if antialias:
        if mode not in ("bilinear", "bicubic"):
            raise ValueError(f"{op}: antialias sólo existe para los modos 'bilinear' y 'bicubic' (entradas 4-D)")
        raise NotImplementedError(f"{op}: antialias=True no está implementado en tinygrad_es")


def _sizes(x, size, scale_factor, recompute_scale_factor, op):
    nd = x.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: indica exactamente uno de size o scale_factor")
    if size is not None:
        return int_tuple(size, nd, "size", op, 1), (None,) * nd
    sf = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
    if not all(isinstance(v, numbers.Real) for v in sf):  # '2' o None: TypeError, como PyTorch
        raise TypeError(f"{op}: scale_factor debe ser un número o una tupla de {nd} números, no {scale_factor!r}")
    if len(sf) != nd or not all(v > 0 for v in sf):
        raise ValueError(f"{op}: scale_factor debe ser un número > 0 o una tupla de {nd}, no {scale_factor!r}")
    out = tuple(int(math.floor(n * float(v))) for n, v in zip(x.shape[2:], sf))
    if min(out) < 1:
        raise RuntimeError(f"{op}: con scale_factor={scale_factor} la salida tendría tamaño {out} (debe ser > 0)")
    return out, ((None,) * nd if recompute_scale_factor else tuple(float(v) for v in sf))


def _resample(x, mode, out, scales, align_corners):
    """Los modos separables: una tabla por eje espacial, del último (W) al primero (como PyTorch)."""
    dtype = x._data.dtype
    tables = []
    for axis in range(x.ndim - 1, 1, -1):
        i = axis - 2
        idx, w, valid = resample_taps(_TAPS[mode], x.shape[axis], out[i], bool(align_corners), scales[i], dtype)
        tables.append((axis, idx, w, valid))
    return Resample.apply(x, tables=tuple(tables))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False) -> Tensor:
    """Reescala ``(N, C, L)``, ``(N, C, H, W)`` o ``(N, C, D, H, W)`` a ``size`` o por ``scale_factor``
    (⌊tamaño·escala⌋), con las fórmulas de PyTorch (la capa es ``nn.Upsample``). Con ``uint8``
    (imágenes) admite ``nearest``, ``nearest-exact``, ``bilinear`` y ``bicubic`` y redondea como PyTorch.
    Derivada: cada píxel de entrada recibe la suma de los gradientes de salida, ponderados por los pesos
    de interpolación con que contribuyó.

    Args:
        input: el tensor.
        size: tamaño de salida de los ejes espaciales (``None``).
        scale_factor: factor por eje (``None``); se da ``size`` o ``scale_factor``.
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'``, ``'bilinear'``, ``'bicubic'``,
            ``'trilinear'`` o ``'area'`` (``'nearest'``).
        align_corners: alinea las esquinas en los modos lineales y cúbico (``None`` = ``False``).
        recompute_scale_factor: recalcula el factor a partir del tamaño de salida (``None``).
        antialias: filtro antialias al reducir; no implementado (``False``; ``True`` da
        ``NotImplementedError``).

    Ejemplo:
        >>> F.interpolate(torch.tensor([[[1., 2.]]]), size=3, mode="linear", align_corners=True)
        tensor([[[1.0000, 1.5000, 2.0000]]])

    En PyTorch: ``torch.nn.functional.interpolate``.
    """
    op = "interpolate"
    x = as_tensor(input, op)
    _check(x, mode, align_corners, antialias, op)
    out, scales = _sizes(x, size, scale_factor, recompute_scale_factor, op)
    x, back = integer_input(x, op, (np.uint8,) if mode in _UINT8 else ())
    if back is None:
        return _interpolate(x, mode, out, scales, align_corners)
    if mode.startswith("nearest"):
        return back(_interpolate(x, mode, out, scales, align_corners))
    tables = []  # uint8 bilinear/bicubic: coma fija eje a eje, como PyTorch (ver resample_uint8)
    for axis in (3, 2):
        if x.shape[axis] != out[axis - 2]:
            idx, w, _ = resample_taps("linear" if mode == "bilinear" else "cubic", x.shape[axis], out[axis - 2],
                                      bool(align_corners), scales[axis - 2], np.float64)
            tables.append((axis, idx, w))
    return Tensor._wrap(resample_uint8(np.asarray(input._data), tables))


def _interpolate(x, mode, out, scales, align_corners):
    nd = x.ndim - 2
    if mode == "bilinear" or (mode == "nearest" and nd < 3):
        x4 = x.unsqueeze(2) if nd == 1 else x
        y = Upsample.apply(x4, out_hw=((1,) + out) if nd == 1 else out, mode=mode,
                           align_corners=bool(align_corners), scales=((None,) + scales) if nd == 1 else scales)
        return y.squeeze(2) if nd == 1 else y
    if mode == "area" and nd < 3:
        x4 = x.unsqueeze(2) if nd == 1 else x
        y = AdaptiveAvgPool2d.apply(x4, out_hw=((1,) + out) if nd == 1 else out)
        return y.squeeze(2) if nd == 1 else y
    return _resample(x, mode, out, scales, align_corners)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Nombre antiguo de ``interpolate`` (obsoleto también en PyTorch).

    Args:
        input, size, scale_factor, mode, align_corners: como en ``interpolate`` (``size``,
            ``scale_factor`` y ``align_corners``: ``None``; ``mode``: ``'nearest'``).

    Ejemplo:
        >>> F.upsample(torch.tensor([[[1., 2.]]]), scale_factor=2).shape
        torch.Size([1, 1, 4])

    En PyTorch: ``torch.nn.functional.upsample``.
    """
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Nombre antiguo de ``interpolate(..., mode='nearest')`` (obsoleto también en PyTorch).

    Args:
        input: tensor ``(N, C, L)``, ``(N, C, H, W)`` o ``(N, C, D, H, W)``.
        size, scale_factor: como en ``interpolate`` (``None``; hay que dar uno de los dos).

    Ejemplo:
        >>> F.upsample_nearest(torch.tensor([[[[1., 2.]]]]), scale_factor=2)
        tensor([[[[1., 1., 2., 2.],
                  [1., 1., 2., 2.]]]])

    En PyTorch: ``torch.nn.functional.upsample_nearest``.
    """
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Nombre antiguo de ``interpolate(..., mode='bilinear', align_corners=True)`` (obsoleto también en
    PyTorch; fíjate en ``align_corners=True``: las esquinas de entrada y salida coinciden).

    Args:
        input: tensor ``(N, C, H, W)``.
        size, scale_factor: como en ``interpolate`` (``None``; hay que dar uno de los dos).

    Ejemplo:
        >>> F.upsample_bilinear(torch.tensor([[[[0., 3.]]]]), size=(1, 4))
        tensor([[[[0., 1., 2., 3.]]]])

    En PyTorch: ``torch.nn.functional.upsample_bilinear``.
    """
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def _deprecated(name):
    # Aviso de la misma clase que el de PyTorch (UserWarning), una vez por sitio de llamada.
    warnings.warn(f"`nn.functional.{name}` está obsoleto; usa `nn.functional.interpolate`.", UserWarning,
                  stacklevel=3)
