"""Rellenos 2-D (``F.pad``): ``ZeroPad2d``, ``ConstantPad2d``, ``ReflectionPad2d`` y
``ReplicationPad2d`` (con el ``repr`` de PyTorch)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d"]


class _Pad2d(Module):
    _mode = "constant"

    def __init__(self, padding, value=0.0):
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * 4
        if len(self.padding) != 4:
            raise ValueError(f"{type(self).__name__}: padding debe ser un entero o 4 valores (izq, der, arriba, "
                             f"abajo), no {padding!r}")
        self.value = value

    def forward(self, input):
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        if self._mode == "constant":
            return f"padding={self.padding}, value={self.value}"
        return f"{self.padding}"


class ZeroPad2d(_Pad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ConstantPad2d(_Pad2d):
    def __init__(self, padding, value):
        super().__init__(padding, value)


class ReflectionPad2d(_Pad2d):
    _mode = "reflect"


class ReplicationPad2d(_Pad2d):
    _mode = "replicate"
