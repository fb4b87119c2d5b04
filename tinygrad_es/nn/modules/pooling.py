"""Pooling: ``MaxPool1d/2d`` (``ceil_mode``, ``return_indices``, ``dilation``), ``MaxUnpool2d``,
``AvgPool1d/2d`` (``ceil_mode``, ``count_include_pad``), ``AdaptiveAvgPool2d`` y
``AdaptiveMaxPool2d`` (con el ``repr`` de PyTorch)."""
from __future__ import annotations

from .. import functional as F
from ..functional._utils import int_tuple
from ..module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxUnpool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool2d"]


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """Máximo en cada ventana; ``return_indices=True`` devuelve también las posiciones (para MaxUnpool2d)."""

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool1d(_MaxPoolNd):
    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxUnpool2d(Module):
    """Devuelve cada máximo a su posición (``indices`` de ``MaxPool2d(return_indices=True)``); el resto, 0."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = int_tuple(kernel_size, 2, "kernel_size", "MaxUnpool2d", 1)
        self.stride = int_tuple(stride if stride is not None else kernel_size, 2, "stride", "MaxUnpool2d", 1)
        self.padding = int_tuple(padding, 2, "padding", "MaxUnpool2d", 0)

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Media en cada ventana."""

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)


class AvgPool1d(_AvgPoolNd):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        op = "AvgPool1d"  # como PyTorch, los tamaños se guardan como tuplas de 1
        super().__init__(int_tuple(kernel_size, 1, "kernel_size", op, 1),
                         int_tuple(stride if stride is not None else kernel_size, 1, "stride", op, 1),
                         int_tuple(padding, 1, "padding", op, 0), ceil_mode, count_include_pad)

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Media a un tamaño de salida fijo (``1``: media global)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"
