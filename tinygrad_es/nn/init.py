"""Inicialización de pesos (in situ, como ``torch.nn.init``)."""
import math
import warnings

import numpy as np

from .._tensor import Tensor
from .._random import default_rng

__all__ = ["calculate_gain", "uniform_", "normal_", "zeros_", "ones_", "constant_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


def calculate_gain(nonlinearity: str, param=None) -> float:
    """Ganancia recomendada para cada activación (tabla de PyTorch)."""
    if nonlinearity in ("linear", "identity", "conv1d", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + a * a))
    raise ValueError(f"activación desconocida para calculate_gain: {nonlinearity!r}")


def _fans(t: Tensor):
    shape = t.shape
    if len(shape) < 2:
        raise ValueError(f"fan_in/fan_out necesitan al menos 2 dimensiones; el tensor tiene forma {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _is_empty(t) -> bool:
    # como PyTorch: inicializar un tensor sin elementos (Linear(0, 10)) no hace nada, no divide por 0
    if 0 in tuple(t.shape):
        warnings.warn("inicializar un tensor sin elementos no hace nada", UserWarning, stacklevel=3)
        return True
    return False


def _fill(t: Tensor, values: np.ndarray) -> Tensor:
    t._data[...] = values.astype(t.dtype, copy=False)
    return t


def _rng(rng):
    return rng if rng is not None else default_rng()


def uniform_(t, a=0.0, b=1.0, rng=None):
    return _fill(t, _rng(rng).uniform(a, b, t.shape))


def normal_(t, mean=0.0, std=1.0, rng=None):
    return _fill(t, _rng(rng).normal(mean, std, t.shape))


def constant_(t, val):
    t._data[...] = val
    return t


def zeros_(t):
    return constant_(t, 0.0)


def ones_(t):
    return constant_(t, 1.0)


def xavier_uniform_(t, gain=1.0, rng=None):
    """U(−a, a) con a = gain·√(6 / (fan_in + fan_out)) (Glorot)."""
    if _is_empty(t):
        return t
    fi, fo = _fans(t)
    a = gain * math.sqrt(6.0 / (fi + fo))
    return uniform_(t, -a, a, rng)


def xavier_normal_(t, gain=1.0, rng=None):
    """N(0, σ²) con σ = gain·√(2 / (fan_in + fan_out))."""
    if _is_empty(t):
        return t
    fi, fo = _fans(t)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fi + fo)), rng)


def _kaiming_std(t, a, mode, nonlinearity):
    fi, fo = _fans(t)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode debe ser 'fan_in' o 'fan_out', no {mode!r}")
    fan = fi if mode == "fan_in" else fo
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(t, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """U(−b, b) con b = √3 · ganancia / √fan (He)."""
    if _is_empty(t):
        return t
    b = math.sqrt(3.0) * _kaiming_std(t, a, mode, nonlinearity)
    return uniform_(t, -b, b, rng)


def kaiming_normal_(t, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    if _is_empty(t):
        return t
    return normal_(t, 0.0, _kaiming_std(t, a, mode, nonlinearity), rng)
