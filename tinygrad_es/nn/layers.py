"""Capas (``Module``) con los nombres, argumentos e inicialización de PyTorch."""
import math

import numpy as np

from .._tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Linear", "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Flatten", "ReLU",
           "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d", "BatchNorm2d",
           "Identity", "Sequential"]


def _default_init(weight: Parameter, bias, fan_in: int):
    # Lo mismo que PyTorch: kaiming_uniform_(a=√5) ≡ U(±1/√fan_in) para pesos y sesgos
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


def _check_size(layer: str, **sizes):
    """Tamaños enteros y válidos; sin esto numpy falla lejos (ZeroDivisionError, 'negative dimensions')."""
    for name, (v, minimum) in sizes.items():
        per_dim = name in ("kernel_size", "stride", "padding")   # admiten una tupla, un valor por eje
        vals = v if per_dim and isinstance(v, (tuple, list)) else (v,)
        if not all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in vals):
            raise TypeError(f"{layer}: {name} debe ser un entero{' o una tupla de enteros' if per_dim else ''}, "
                            f"no {v!r}")
        if any(e < minimum for e in vals):
            raise ValueError(f"{layer}: {name} debe ser ≥ {minimum}, no {v!r}")


class Linear(Module):
    """``y = x·Wᵀ + b`` con ``W`` de forma (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32):
        _check_size("Linear", in_features=(in_features, 0), out_features=(out_features, 0))
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        _default_init(self.weight, self.bias, in_features)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class _ConvNd(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, bias, nd, dtype):
        _check_size(f"Conv{nd}d", in_channels=(in_channels, 0), out_channels=(out_channels, 0),
                    kernel_size=(kernel_size, 1), stride=(stride, 1), padding=(padding, 0))
        super().__init__()
        ks = (kernel_size,) * nd if isinstance(kernel_size, int) else tuple(kernel_size)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = ks
        self.stride = (stride,) * nd if isinstance(stride, int) else tuple(stride)
        self.padding = (padding,) * nd if isinstance(padding, int) else tuple(padding)
        self.weight = Parameter(np.empty((out_channels, in_channels) + ks, dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        _default_init(self.weight, self.bias, in_channels * int(np.prod(ks)))

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if any(self.padding):
            s += f", padding={self.padding}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv2d(_ConvNd):
    """Convolución 2-D: ``Conv2d(1, 32, 3)`` = 32 filtros 3×3 sobre 1 canal."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias, 2, dtype)

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)


class Conv1d(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias, 1, dtype)

    def forward(self, x):
        return F.conv1d(x, self.weight, self.bias, self.stride[0], self.padding[0])


class MaxPool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride if stride is not None else kernel_size, padding

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(MaxPool2d):
    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class Softmax(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, x):
        return F.log_softmax(x, self.dim)


class Dropout(Module):
    """Dropout invertido; identidad en ``eval()``. ``seed`` fija su propio generador."""

    def __init__(self, p=0.5, seed=None):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p debe estar en [0, 1], no {p}")
        self.p = p
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self._rng)

    def extra_repr(self):
        return f"p={self.p}"


class _BatchNorm(Module):
    _ranks = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=np.float32):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))
        else:
            self.running_mean = self.running_var = None

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim not in self._ranks or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): se esperaba una entrada "
                             f"{' o '.join(f'{r}-D' for r in self._ranks)} con {self.num_features} "
                             f"canales en el eje 1; llegó forma {x.shape}")
        use_batch = self.training or not self.track_running_stats
        if self.training and self.track_running_stats:
            self.num_batches_tracked = self.num_batches_tracked + 1
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, training=use_batch,
                            momentum=self.momentum, eps=self.eps)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """BatchNorm sobre (N, C) o (N, C, L)."""
    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """BatchNorm sobre (N, C, H, W)."""
    _ranks = (4,)


class Identity(Module):
    def forward(self, x):
        return x


class Sequential(Module):
    """Aplica los módulos en orden. Sus hijos se llaman ``0``, ``1``... como en PyTorch."""

    def __init__(self, *modules):
        super().__init__()
        self._seq = list(modules)

    def _members(self):
        for i, m in enumerate(self._seq):
            yield str(i), m

    def forward(self, x):
        for m in self._seq:
            x = m(x)
        return x

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sequential(*self._seq[i])
        return self._seq[i]

    def __len__(self):
        return len(self._seq)

    def __iter__(self):
        return iter(self._seq)

    def append(self, m):
        self._seq.append(m)
        return self
