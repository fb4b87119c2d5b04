"""Convoluciones: ``Conv1d`` y ``Conv2d``."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from ..module import Module
from ..parameter import Parameter
from ._utils import check_size, default_init, factory_dtype, ntuple

__all__ = ["Conv1d", "Conv2d"]


class _ConvNd(Module):
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        nd = self._nd
        check_size(f"Conv{nd}d", in_channels=(in_channels, 0), out_channels=(out_channels, 0),
                   kernel_size=(kernel_size, 1), stride=(stride, 1), padding=(padding, 0))
        if dilation != 1 or groups != 1 or padding_mode != "zeros" or isinstance(padding, str):
            raise NotImplementedError(f"Conv{nd}d: dilation, groups, padding='same'/'valid' y padding_mode llegan "
                                      f"con los núcleos nuevos")
        super().__init__()
        dt = factory_dtype(device, dtype)
        ks = ntuple(kernel_size, nd, "kernel_size")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, ks
        self.stride, self.padding = ntuple(stride, nd, "stride"), ntuple(padding, nd, "padding")
        self.dilation, self.groups, self.padding_mode = ntuple(dilation, nd), groups, padding_mode
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + ks, dtype=dt))
        self.bias = Parameter(np.empty(out_channels, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        default_init(self.weight, self.bias, self.in_channels // self.groups * int(np.prod(self.kernel_size)))

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if any(self.padding):
            s += f", padding={self.padding}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv2d(_ConvNd):
    """Convolución 2-D: ``Conv2d(1, 32, 3)`` = 32 filtros 3×3 sobre 1 canal."""

    def forward(self, input):
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)


class Conv1d(_ConvNd):
    """Convolución 1-D sobre (N, C, L)."""
    _nd = 1

    def forward(self, input):
        return F.conv1d(input, self.weight, self.bias, self.stride[0], self.padding[0])
