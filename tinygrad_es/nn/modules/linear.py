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
    """Identity: devuelve la entrada tal cual (útil para quitar una capa sin cambiar el código).

    Acepta y descarta cualquier argumento (``args``, ``kwargs``), como PyTorch.

    Forma: entrada ``(*)``; salida, la misma.

    Ejemplo:
        >>> nn.Identity(54, unused="x")(torch.tensor([1., 2.]))
        tensor([1., 2.])

    En PyTorch: ``torch.nn.Identity``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """Capa totalmente conectada (densa): ``y = x·Wᵀ + b``.

    Args:
        in_features: tamaño de cada entrada (su último eje), p. ej. 784 = 28·28.
        out_features: tamaño de cada salida (número de neuronas).
        bias: si es ``False``, sin sesgo ``b`` (``True``).
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(*, in_features)``; salida ``(*, out_features)`` (``*``: cualquier número de ejes,
    normalmente el lote).

    Atributos: ``weight`` ``(out_features, in_features)`` y ``bias`` ``(out_features,)``, uniformes en
    ±1/√in_features, como PyTorch.

    Ejemplo (la primera capa del MLP de los apuntes):
        >>> fc1 = nn.Linear(784, 128)
        >>> fc1(torch.randn(64, 784)).shape
        torch.Size([64, 128])
        >>> fc1.weight.shape
        torch.Size([128, 784])

    En PyTorch: ``torch.nn.Linear``; como función, ``F.linear``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        check_size("Linear", in_features=(in_features, 0), out_features=(out_features, 0))
        super().__init__()
        dt = factory_dtype(device, dtype)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dt))
        self.bias = Parameter(np.empty(out_features, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Vuelve a sortear ``weight`` y ``bias`` (uniformes en ±1/√in_features)."""
        default_init(self.weight, self.bias, self.in_features)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """Capa bilineal: ``y_k = x1ᵀ·W_k·x2 + b_k`` (combina dos entradas).

    Args:
        in1_features: tamaño de la primera entrada.
        in2_features: tamaño de la segunda entrada.
        out_features: tamaño de la salida.
        bias: si es ``False``, sin sesgo (``True``).
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entradas ``(*, in1_features)`` y ``(*, in2_features)``; salida ``(*, out_features)``.

    Ejemplo:
        >>> nn.Bilinear(3, 4, 2)(torch.randn(5, 3), torch.randn(5, 4)).shape
        torch.Size([5, 2])

    En PyTorch: ``torch.nn.Bilinear``; como función, ``F.bilinear``.
    """

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
        """Vuelve a sortear ``weight`` y ``bias`` (uniformes en ±1/√in1_features)."""
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
    """Flatten: aplana los ejes ``start_dim..end_dim`` en uno (por defecto, todo salvo el lote): el paso
    de las capas convolucionales a las densas.

    Args:
        start_dim: primer eje que se aplana (``1``: se conserva el lote).
        end_dim: último eje que se aplana (``-1``).

    Forma: entrada ``(N, *dims)``; salida ``(N, ∏ dims)``.

    Ejemplo:
        >>> nn.Flatten()(torch.zeros(64, 32, 5, 5)).shape
        torch.Size([64, 800])

    En PyTorch: ``torch.nn.Flatten``.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Unflatten: lo contrario de ``Flatten``; el eje ``dim`` pasa a tener la forma ``unflattened_size``.

    Args:
        dim: el eje que se despliega.
        unflattened_size: la forma nueva de ese eje (su producto debe ser su tamaño).

    Forma: entrada ``(*, S, *)`` con ``S = ∏ unflattened_size``; salida ``(*, *unflattened_size, *)``.

    Ejemplo:
        >>> nn.Unflatten(1, (1, 28, 28))(torch.zeros(64, 784)).shape
        torch.Size([64, 1, 28, 28])

    En PyTorch: ``torch.nn.Unflatten``.
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(isinstance(s, int) for s in unflattened_size):
            raise TypeError(f"Unflatten: unflattened_size debe ser una tupla de enteros, no {unflattened_size!r}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return F.unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
