"""Pooling 3-D (volúmenes): ``MaxPool3d``, ``AvgPool3d``, ``MaxUnpool3d``, ``AdaptiveAvgPool3d`` y
``AdaptiveMaxPool3d``, con los argumentos y el ``repr`` de PyTorch (lo común, en ``pooling.py``; el
cálculo, en ``nn/functional/pooling3d.py``)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module
from .pooling import _AvgPoolNd, _MaxPoolNd, _MaxUnpoolNd

__all__ = ["MaxPool3d", "AvgPool3d", "MaxUnpool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d"]


class MaxPool3d(_MaxPoolNd):
    """Max-pooling 3-D: el máximo de cada ventana ``kD×kH×kW`` de cada canal.

    Args:
        kernel_size: tamaño de la ventana, ``k`` o ``(kD, kH, kW)``.
        stride: paso (por defecto, ``kernel_size``).
        padding: relleno de −∞ a cada lado (``0``; como mucho medio núcleo).
        dilation: separación entre las celdas de la ventana (``1``).
        return_indices: si es ``True``, ``forward`` devuelve también la posición plana de cada máximo
            (para ``MaxUnpool3d``) (``False``).
        ceil_mode: redondear el tamaño de salida hacia arriba (``False``).

    Forma: entrada ``(N, C, D, H, W)`` o ``(C, D, H, W)``; salida ``(N, C, D_out, H_out, W_out)`` con
    ``D_out = ⌊(D + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1`` (igual en H y W).

    Derivada: la de ``F.max_pool3d`` (el gradiente va al máximo; empates: el primero, como PyTorch).

    Ejemplo:
        >>> nn.MaxPool3d(2)(torch.randn(1, 3, 4, 8, 8)).shape
        torch.Size([1, 3, 2, 4, 4])

    En PyTorch: ``torch.nn.MaxPool3d``; como función, ``F.max_pool3d``.
    """

    def forward(self, input):
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool3d(_AvgPoolNd):
    """Average pooling 3-D: la media de cada ventana ``kD×kH×kW``.

    Args:
        kernel_size: tamaño de la ventana, ``k`` o ``(kD, kH, kW)``.
        stride: paso (por defecto, ``kernel_size``).
        padding: ceros a cada lado (``0``).
        ceil_mode: redondear el tamaño de salida hacia arriba (``False``).
        count_include_pad: contar los ceros del relleno en la media (``True``).
        divisor_override: si se da, el divisor de todas las ventanas (``None``).

    Forma: entrada ``(N, C, D, H, W)`` o ``(C, D, H, W)``; salida ``(N, C, D_out, H_out, W_out)`` con
    ``D_out = ⌊(D + 2·padding − kernel_size) / stride⌋ + 1`` (igual en H y W).

    Derivada: la de ``F.avg_pool3d``.

    Ejemplo:
        >>> nn.AvgPool3d(2)(torch.ones(1, 1, 2, 4, 4)).flatten()
        tensor([1., 1., 1., 1.])

    En PyTorch: ``torch.nn.AvgPool3d``; como función, ``F.avg_pool3d``.
    """

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)


class MaxUnpool3d(_MaxUnpoolNd):
    """MaxUnpool3d: inversa parcial de ``MaxPool3d``; devuelve cada máximo a su posición (los ``indices``
    de ``MaxPool3d(return_indices=True)``) y pone 0 en el resto.

    Args:
        kernel_size: la ventana del ``MaxPool3d``.
        stride: su paso (por defecto, ``kernel_size``).
        padding: su relleno (``0``).

    Forma: entrada e ``indices`` ``(N, C, D, H, W)``; salida ``(N, C, D_out, H_out, W_out)`` con
    ``D_out = (D − 1)·stride[0] − 2·padding[0] + kernel_size[0]`` (o el ``output_size`` que se pase a
    ``forward(input, indices, output_size)``).

    Ejemplo:
        >>> y, idx = nn.MaxPool3d(2, return_indices=True)(torch.arange(8.).reshape(1, 1, 2, 2, 2))
        >>> nn.MaxUnpool3d(2)(y, idx).flatten()
        tensor([0., 0., 0., 0., 0., 0., 0., 7.])

    En PyTorch: ``torch.nn.MaxUnpool3d``; como función, ``F.max_unpool3d``.
    """

    _n = 3

    def forward(self, input, indices, output_size=None):
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class AdaptiveAvgPool3d(Module):
    """Average pooling 3-D adaptativo: medias sobre ventanas calculadas para que la salida tenga
    ``output_size`` (``1``: la media global de cada canal).

    Args:
        output_size: ``(D_out, H_out, W_out)`` o un entero para los tres (``None`` en un eje lo deja igual).

    Forma: entrada ``(N, C, D, H, W)`` o ``(C, D, H, W)``; salida ``(N, C, D_out, H_out, W_out)``.

    Ejemplo:
        >>> nn.AdaptiveAvgPool3d(1)(torch.randn(2, 8, 4, 7, 7)).shape
        torch.Size([2, 8, 1, 1, 1])

    En PyTorch: ``torch.nn.AdaptiveAvgPool3d``; como función, ``F.adaptive_avg_pool3d``.
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool3d(Module):
    """Max-pooling 3-D adaptativo: máximos sobre ventanas calculadas para que la salida tenga ``output_size``.

    Args:
        output_size: ``(D_out, H_out, W_out)`` o un entero para los tres.
        return_indices (``False``): si es ``True``, devuelve también la posición de cada máximo.

    Forma: entrada ``(N, C, D, H, W)`` o ``(C, D, H, W)``; salida ``(N, C, D_out, H_out, W_out)``.

    Ejemplo:
        >>> nn.AdaptiveMaxPool3d((1, 2, 2))(torch.randn(1, 3, 4, 7, 7)).shape
        torch.Size([1, 3, 1, 2, 2])

    En PyTorch: ``torch.nn.AdaptiveMaxPool3d``; como función, ``F.adaptive_max_pool3d``.
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"
