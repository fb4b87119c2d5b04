"""Capas lineales y de forma: ``Identity``, ``Linear``, ``Bilinear``, ``Flatten``, ``Unflatten``."""
from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._utils import check_size, default_init, factory_dtype

__all__ = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]


class Identity(Module):
    """Devuelve la entrada tal cual (acepta y descarta argumentos, como PyTorch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x·Wᵀ + b`` con ``W`` de forma (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        check_size("Linear", in_features=(in_features, 0), out_features=(out_features, 0))
        super().__init__()
        dt = factory_dtype(device, dtype)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dt))
        self.bias = Parameter(np.empty(out_features, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        default_init(self.weight, self.bias, self.in_features)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y_k = x1ᵀ·W_k·x2 + b_k``."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        check_size("Bilinear", in1_features=(in1_features, 0), in2_features=(in2_features, 0),
                   out_features=(out_features, 0))
        super().__init__()
        dt = factory_dtype(device, dtype)
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=dt))
        self.bias = Parameter(np.empty(out_features, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Flatten(Module):
    """Aplana los ejes ``start_dim..end_dim`` (por defecto todo salvo el lote)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Lo contrario de ``Flatten``: el eje ``dim`` pasa a tener la forma ``unflattened_size``."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(isinstance(s, int) for s in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size debe ser una tupla de enteros, no {unflattened_size!r}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return F.unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
