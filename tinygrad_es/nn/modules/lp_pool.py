"""Pooling de potencia media: ``LPPool1d``, ``LPPool2d`` y ``LPPool3d`` (argumentos y ``repr`` de PyTorch);
el cálculo es ``F.lp_pool1d``/``2d``/``3d``."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["LPPool1d", "LPPool2d", "LPPool3d"]


class _LPPoolNd(Module):
    """Lo común a ``LPPool1d/2d``: guarda los argumentos tal cual (como PyTorch, para el ``repr``)."""

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        """Véase el docstring de cada clase."""
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Pooling 1-D de potencia media: en cada ventana, ``(Σ xᵖ)^(1/p)`` (``p = 1``: la suma; ``p = 2``:
    la norma euclídea; ``p = ∞``: el máximo de ``|x|``).

    Args:
        norm_type: el exponente ``p``.
        kernel_size: longitud de la ventana.
        stride: paso (``None``: ``kernel_size``).
        ceil_mode: redondea hacia arriba el número de ventanas (``False``).

    Forma: entrada ``(N, C, L)`` o ``(C, L)``; salida ``(N, C, L_out)`` con
    ``L_out = ⌊(L − kernel_size) / stride⌋ + 1``.

    Derivada: la de ``F.lp_pool1d``, ``x^(p−1) · y^(1−p)``.

    Ejemplo:
        >>> nn.LPPool1d(2, 3)(torch.ones(1, 2, 9)).shape
        torch.Size([1, 2, 3])

    En PyTorch: ``torch.nn.LPPool1d``; como función, ``F.lp_pool1d``.
    """

    def forward(self, input):
        return F.lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """Pooling 2-D de potencia media: en cada ventana ``kh × kw``, ``(Σ xᵖ)^(1/p)``.

    Args:
        norm_type: el exponente ``p``.
        kernel_size: ``k`` o ``(kh, kw)``.
        stride: paso (``None``: ``kernel_size``).
        ceil_mode: redondea hacia arriba el número de ventanas (``False``).

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H_out, W_out)`` con
    ``H_out = ⌊(H − kh) / stride⌋ + 1``.

    Derivada: la de ``F.lp_pool2d``, ``x^(p−1) · y^(1−p)``.

    Ejemplo:
        >>> nn.LPPool2d(2, (2, 3), stride=1)
        LPPool2d(norm_type=2, kernel_size=(2, 3), stride=1, ceil_mode=False)

    En PyTorch: ``torch.nn.LPPool2d``; como función, ``F.lp_pool2d``.
    """

    def forward(self, input):
        return F.lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(_LPPoolNd):
    """Pooling 3-D de potencia media: en cada ventana ``kD × kH × kW``, ``(Σ xᵖ)^(1/p)``.

    Args:
        norm_type: el exponente ``p``.
        kernel_size: ``k`` o ``(kD, kH, kW)``.
        stride: paso (``None``: ``kernel_size``).
        ceil_mode: redondea hacia arriba el número de ventanas (``False``).

    Forma: entrada ``(N, C, D, H, W)`` o ``(C, D, H, W)``; salida ``(N, C, D_out, H_out, W_out)`` con
    ``D_out = ⌊(D − kD) / stride⌋ + 1`` (igual en H y W).

    Derivada: la de ``F.lp_pool3d``, ``x^(p−1) · y^(1−p)``.

    Ejemplo:
        >>> nn.LPPool3d(2, 2)(torch.ones(1, 2, 4, 4, 4)).shape
        torch.Size([1, 2, 2, 2, 2])

    En PyTorch: ``torch.nn.LPPool3d``; como función, ``F.lp_pool3d``.
    """

    def forward(self, input):
        return F.lp_pool3d(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)
