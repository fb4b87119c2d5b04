"""Reescalado: ``Upsample`` (``F.interpolate``) y sus atajos ``UpsamplingNearest2d`` y
``UpsamplingBilinear2d`` (con el ``repr`` de PyTorch)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Reescala una señal, imagen o volumen (``F.interpolate``) a un tamaño ``size`` o por un factor
    ``scale_factor`` (salida ``⌊tamaño·escala⌋``).

    Args:
        size: tamaño de salida de los ejes espaciales, ``n`` o ``(h, w)`` (``None``); se da ``size`` o
            ``scale_factor``, no los dos.
        scale_factor: factor, ``f`` o ``(fh, fw)`` (``None``).
        mode: ``'nearest'`` (por defecto), ``'nearest-exact'``, ``'linear'`` (1-D), ``'bilinear'`` (2-D),
            ``'bicubic'`` (2-D), ``'trilinear'`` (3-D) o ``'area'``.
        align_corners: en los modos lineales y cúbico, si es ``True`` los píxeles de las esquinas de
            entrada y salida coinciden (``None`` = ``False``).
        recompute_scale_factor: si es ``True``, el factor se recalcula a partir del tamaño de salida
            (``None``).

    Forma: entrada ``(N, C, L)``, ``(N, C, H, W)`` o ``(N, C, D, H, W)``; salida con los ejes
    espaciales reescalados (``H_out = ⌊H·scale_factor⌋`` o ``size``).

    Ejemplo:
        >>> nn.Upsample(scale_factor=2)(torch.tensor([[[1., 2.]]]))
        tensor([[[1., 1., 2., 2.]]])

    En PyTorch: ``torch.nn.Upsample``; como función, ``F.interpolate``.
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        """Véase el docstring de la clase."""
        super().__init__()
        self.size, self.mode, self.align_corners = size, mode, align_corners
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor is not None else None
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Reescala una imagen por el vecino más cercano (= ``Upsample(mode='nearest')``; obsoleta también en
    PyTorch).

    Args:
        size: tamaño de salida ``(h, w)`` (``None``).
        scale_factor: factor (``None``).

    Forma: entrada ``(N, C, H, W)``; salida ``(N, C, H_out, W_out)``.

    Ejemplo:
        >>> nn.UpsamplingNearest2d(scale_factor=2)(torch.ones(1, 1, 2, 2)).shape
        torch.Size([1, 1, 4, 4])

    En PyTorch: ``torch.nn.UpsamplingNearest2d``.
    """
    def __init__(self, size=None, scale_factor=None):
        """Véase el docstring de la clase."""
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Reescala una imagen con interpolación bilineal y ``align_corners=True`` (= ``Upsample(mode=
    'bilinear', align_corners=True)``; obsoleta también en PyTorch).

    Args:
        size: tamaño de salida ``(h, w)`` (``None``).
        scale_factor: factor (``None``).

    Forma: entrada ``(N, C, H, W)``; salida ``(N, C, H_out, W_out)``.

    Ejemplo:
        >>> nn.UpsamplingBilinear2d(size=(3, 3))(torch.arange(4.).reshape(1, 1, 2, 2))
        tensor([[[[0.0000, 0.5000, 1.0000],
                  [1.0000, 1.5000, 2.0000],
                  [2.0000, 2.5000, 3.0000]]]])

    En PyTorch: ``torch.nn.UpsamplingBilinear2d``.
    """
    def __init__(self, size=None, scale_factor=None):
        """Véase el docstring de la clase."""
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
