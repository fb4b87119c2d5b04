"""Reescalado con la firma de ``torch.nn.functional``: ``interpolate`` (``'nearest'``, ``'linear'``,
``'bilinear'``, con ``align_corners``) y su nombre antiguo ``upsample``. El cálculo y el gradiente
están en ``ops/pooling.py`` (``Upsample``) y ``kernels/upsample.py``.
"""
import math
import numbers

from ..._tensor import Tensor
from ...ops.pooling import Upsample
from ._utils import as_tensor, int_tuple

__all__ = ["interpolate", "upsample"]


_MODES = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,)}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False) -> Tensor:
    """Reescala (N, C, L) o (N, C, H, W) a ``size`` o por ``scale_factor`` (⌊tamaño·escala⌋),
    con ``mode`` 'nearest', 'linear' (3-D) o 'bilinear' (4-D), como PyTorch."""
    op = "interpolate"
    x = as_tensor(input, op)
    if mode not in _MODES:
        raise ValueError(f"{op}: modo {mode!r} no disponible; modos: {', '.join(_MODES)}")
    if x.ndim not in _MODES[mode]:
        raise ValueError(f"{op}: el modo {mode!r} necesita una entrada "
                         f"{' o '.join(f'{r}-D' for r in _MODES[mode])}, pero tiene forma {tuple(x.shape)}")
    if antialias:
        raise ValueError(f"{op}: antialias=True no está disponible")
    if align_corners is not None and mode == "nearest":
        raise ValueError(f"{op}: align_corners sólo tiene sentido con los modos 'linear' y 'bilinear'")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: indica exactamente uno de size o scale_factor")
    nd = x.ndim - 2
    if size is not None:
        out = int_tuple(size, nd, "size", op, 1)
        scales = (None,) * nd
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
        if len(sf) != nd or not all(isinstance(v, numbers.Real) and v > 0 for v in sf):
            raise ValueError(f"{op}: scale_factor debe ser un número > 0 o una tupla de {nd}, no {scale_factor!r}")
        out = tuple(int(math.floor(n * float(v))) for n, v in zip(x.shape[2:], sf))
        if min(out) < 1:
            raise ValueError(f"{op}: con scale_factor={scale_factor} la salida tendría tamaño {out}")
        scales = (None,) * nd if recompute_scale_factor else tuple(float(v) for v in sf)
    x4 = x.unsqueeze(2) if nd == 1 else x
    out_hw = (1,) + out if nd == 1 else out
    scales = (None,) + scales if nd == 1 else scales
    y = Upsample.apply(x4, out_hw=out_hw, mode="nearest" if mode == "nearest" else "bilinear",
                       align_corners=bool(align_corners), scales=scales)
    return y.squeeze(2) if nd == 1 else y


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Nombre antiguo de ``interpolate`` (obsoleto también en PyTorch)."""
    return interpolate(input, size, scale_factor, mode, align_corners)
