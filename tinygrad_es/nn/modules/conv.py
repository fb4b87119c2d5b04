"""Convoluciones: ``Conv1d``, ``Conv2d`` (``groups``, ``dilation``, ``padding='same'|'valid'``,
``padding_mode``) y ``ConvTranspose2d``, con los parámetros, la inicialización y el ``repr`` de PyTorch."""
from __future__ import annotations

import numpy as np

from ..._validate import choice
from .. import functional as F
from ..functional._utils import int_tuple
from ..module import Module
from ..parameter import Parameter
from ._utils import check_size, default_init, factory_dtype

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _nd = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None, output_padding=0):
        nd, name = self._nd, type(self).__name__
        check_size(name, in_channels=(in_channels, 0), out_channels=(out_channels, 0), kernel_size=(kernel_size, 1),
                   stride=(stride, 1), dilation=(dilation, 1), groups=(groups, 1))
        if not isinstance(padding, str):
            check_size(name, padding=(padding, 0))
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) debe ser divisible por groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) debe ser divisible por groups ({groups})")
        choice(padding_mode, _PADDING_MODES, "padding_mode", name)
        super().__init__()
        dt = factory_dtype(device, dtype)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = int_tuple(kernel_size, nd, "kernel_size", name, 1)
        self.stride, self.dilation = int_tuple(stride, nd, "stride", name, 1), int_tuple(dilation, nd, "dilation", name, 1)
        self.groups, self.padding_mode = groups, padding_mode
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding debe ser un entero, una tupla, 'same' o 'valid', no {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' no admite stride distinto de 1 (stride={self.stride})")
            self.padding = padding
        else:
            self.padding = int_tuple(padding, nd, "padding", name, 0)
        self.output_padding = int_tuple(output_padding, nd, "output_padding", name, 0)
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dt))
        self.bias = Parameter(np.empty(out_channels, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        # como PyTorch: fan_in sale de la forma del peso (también en la traspuesta)
        default_init(self.weight, self.bias, self.weight.shape[1] * int(np.prod(self.kernel_size)))

    def _reversed_padding(self):
        """Relleno para ``F.pad`` (del último eje al primero) cuando ``padding_mode`` no es 'zeros'."""
        if self.padding == "valid":
            return [0, 0] * self._nd
        pads = []
        for i in reversed(range(self._nd)):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                pads += [total // 2, total - total // 2]
            else:
                pads += [self.padding[i], self.padding[i]]
        return pads

    def _conv(self, fn, input):
        if self.padding_mode != "zeros":
            x = F.pad(input, self._reversed_padding(), mode=self.padding_mode)
            return fn(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """Convolución 2-D: ``Conv2d(1, 32, 3)`` = 32 filtros 3×3 sobre 1 canal."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype)

    def forward(self, input):
        return self._conv(F.conv2d, input)


class Conv1d(_ConvNd):
    """Convolución 1-D sobre (N, C, L)."""
    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype)

    def forward(self, input):
        return self._conv(F.conv1d, input)


class ConvTranspose2d(_ConvNd):
    """Convolución traspuesta 2-D (agranda: la usan los decodificadores y las U-Net)."""
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d sólo admite padding_mode='zeros', no {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError("ConvTranspose2d no admite padding='same' ni 'valid'")
        check_size("ConvTranspose2d", output_padding=(output_padding, 0))
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, output_padding)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        size = tuple(int(s) for s in output_size)[-2:]
        out = []
        for i, want in enumerate(size):
            n = input.shape[-2 + i]
            base = ((n - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            extra = want - base
            if not 0 <= extra < max(self.stride[i], self.dilation[i]):
                raise ValueError(f"ConvTranspose2d: output_size {size} no es alcanzable desde la entrada "
                                 f"{tuple(input.shape[-2:])} (tamaños posibles: {base} a "
                                 f"{base + max(self.stride[i], self.dilation[i]) - 1} en el eje {i})")
            out.append(extra)
        return tuple(out)

    def forward(self, input, output_size=None):
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups, self.dilation)
