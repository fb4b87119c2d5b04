"""Convoluciones 3-D (vídeo, imagen médica): ``Conv3d``, ``ConvTranspose3d`` y sus perezosas
``LazyConv3d``/``LazyConvTranspose3d``, con los parámetros, la inicialización y el ``repr`` de PyTorch
(lo común, en ``conv.py``; el cálculo, en ``nn/functional/conv3d.py``)."""
from __future__ import annotations

from .. import functional as F
from .conv import _ConvNd, _ConvTransposeNd
from .lazy import _LazyConvMixin

__all__ = ["Conv3d", "ConvTranspose3d", "LazyConv3d", "LazyConvTranspose3d"]


class Conv3d(_ConvNd):
    """Convolución 3-D (correlación cruzada, como PyTorch): ``out_channels`` filtros de
    ``in_channels/groups × kD × kH × kW`` que recorren el volumen (fotogramas de un vídeo, cortes de un TAC).

    Args:
        in_channels: canales de la entrada.
        out_channels: número de filtros = canales de la salida.
        kernel_size: tamaño del filtro, ``k`` o ``(kD, kH, kW)``.
        stride: paso (``1``), ``s`` o ``(sD, sH, sW)``.
        padding: ceros alrededor (``0``): ``p``, ``(pD, pH, pW)``, ``'valid'`` o ``'same'`` (sólo con ``stride=1``).
        dilation: separación entre las celdas del filtro (``1``).
        groups: grupos de canales independientes (``1``).
        bias: si es ``False``, sin sesgo (``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` o ``'circular'``.
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(N, C_in, D, H, W)`` o ``(C_in, D, H, W)``; salida ``(N, C_out, D_out, H_out, W_out)`` con
    ``D_out = ⌊(D + 2·padding[0] − dilation[0]·(kernel_size[0] − 1) − 1) / stride[0]⌋ + 1`` (igual en H y W).

    Atributos: ``weight`` ``(C_out, C_in/groups, kD, kH, kW)`` y ``bias`` ``(C_out,)``, uniformes en
    ±1/√(C_in/groups·kD·kH·kW), como PyTorch.

    Derivada: la de ``F.conv3d``.

    Ejemplo:
        >>> conv = nn.Conv3d(1, 4, kernel_size=3, padding=1)
        >>> conv(torch.randn(2, 1, 8, 16, 16)).shape
        torch.Size([2, 4, 8, 16, 16])

    En PyTorch: ``torch.nn.Conv3d``; como función, ``F.conv3d``.
    """
    _nd = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype)

    def forward(self, input):
        """La convolución de ``input`` (véase el docstring de la clase)."""
        return self._conv(F.conv3d, input)


class ConvTranspose3d(_ConvTransposeNd):
    """Convolución traspuesta 3-D: el adjunto de ``Conv3d`` (su backward respecto de la entrada), que
    agranda el volumen; la usan los decodificadores y las U-Net 3-D.

    Args:
        in_channels: canales de la entrada.
        out_channels: canales de la salida.
        kernel_size: tamaño del filtro, ``k`` o ``(kD, kH, kW)``.
        stride: cuánto se agranda (``1``).
        padding: lo que se recorta de cada borde de la salida (``0``).
        output_padding: posiciones de más al final de cada eje de la salida (``0``).
        groups: grupos de canales independientes (``1``).
        bias: si es ``False``, sin sesgo (``True``).
        dilation: separación entre las celdas del filtro (``1``).
        padding_mode: sólo ``'zeros'``, como en PyTorch.
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(N, C_in, D, H, W)`` o ``(C_in, D, H, W)``; salida ``(N, C_out, D_out, H_out, W_out)`` con
    ``D_out = (D − 1)·stride[0] − 2·padding[0] + dilation[0]·(kernel_size[0] − 1) + output_padding[0] + 1``
    (``H_out =`` y ``W_out =`` lo mismo con los índices 1 y 2). ``forward(input, output_size)`` acepta también el tamaño deseado y calcula ``output_padding``.

    Atributos: ``weight`` ``(C_in, C_out/groups, kD, kH, kW)`` y ``bias`` ``(C_out,)``.

    Derivada: la de ``F.conv_transpose3d``.

    Ejemplo:
        >>> up = nn.ConvTranspose3d(8, 4, kernel_size=2, stride=2)
        >>> up(torch.randn(1, 8, 3, 4, 4)).shape
        torch.Size([1, 4, 6, 8, 8])

    En PyTorch: ``torch.nn.ConvTranspose3d``; como función, ``F.conv_transpose3d``.
    """
    _nd = 3

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)

    def forward(self, input, output_size=None):
        """La convolución traspuesta de ``input``; ``output_size`` (opcional) fija el tamaño de la salida."""
        return F.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups, self.dilation)


class LazyConv3d(_LazyConvMixin, Conv3d):
    """``nn.Conv3d`` con ``in_channels`` deducido de la primera entrada ``(N, C, D, H, W)`` (o ``(C, D, H, W)``).

    Args:
        out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype: como
        en ``nn.Conv3d``.

    Forma: como ``nn.Conv3d``.

    Ejemplo:
        >>> conv = nn.LazyConv3d(4, 3)
        >>> conv(torch.rand(1, 2, 5, 5, 5)).shape, conv.weight.shape
        (torch.Size([1, 4, 3, 3, 3]), torch.Size([4, 2, 3, 3, 3]))

    En PyTorch: ``torch.nn.LazyConv3d``.
    """

    cls_to_become = Conv3d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, False, padding_mode,
                         device, dtype)
        self._lazy_conv_init(bias, device, dtype)


class LazyConvTranspose3d(_LazyConvMixin, ConvTranspose3d):
    """``nn.ConvTranspose3d`` con ``in_channels`` deducido de la primera entrada.

    Args:
        out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode,
        device, dtype: como en ``nn.ConvTranspose3d``.

    Forma: como ``nn.ConvTranspose3d``.

    Ejemplo:
        >>> up = nn.LazyConvTranspose3d(4, 2, stride=2)
        >>> up(torch.rand(1, 3, 2, 2, 2)).shape, up.weight.shape
        (torch.Size([1, 4, 4, 4, 4]), torch.Size([3, 4, 2, 2, 2]))

    En PyTorch: ``torch.nn.LazyConvTranspose3d``.
    """

    cls_to_become = ConvTranspose3d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups, False, dilation,
                         padding_mode, device, dtype)
        self._lazy_conv_init(bias, device, dtype)
