"""Inicialización de pesos (in situ y sin gradiente, como ``torch.nn.init``).

Todas aceptan ``generator=`` (un ``tinygrad_es.Generator``); si no, usan el generador global de
``manual_seed``. ``rng=`` (un ``numpy.random.Generator``) se mantiene por compatibilidad.
"""
import math
import warnings

import numpy as np

from .._random import default_rng
from .._tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "zeros_", "ones_", "constant_", "eye_",
           "dirac_", "orthogonal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]

_LINEAR = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param=None) -> float:
    """Ganancia recomendada para cada activación (tabla de PyTorch): lineal/conv/sigmoid 1, tanh 5/3,
    relu √2, leaky_relu √(2/(1 + a²)), selu 3/4."""
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            a = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            a = param
        else:
            raise ValueError(f"calculate_gain: la pendiente negativa {param!r} no es un número")
        return math.sqrt(2.0 / (1 + a * a))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"activación desconocida para calculate_gain: {nonlinearity!r} (se admiten {', '.join(_LINEAR)}, "
                     f"tanh, relu, leaky_relu, selu)")


def _calculate_fan_in_and_fan_out(t):
    shape = tuple(t.shape)
    if len(shape) < 2:
        raise ValueError(f"fan_in/fan_out necesitan al menos 2 dimensiones; el tensor tiene forma {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


_fans = _calculate_fan_in_and_fan_out


def _is_empty(t) -> bool:
    # como PyTorch: inicializar un tensor sin elementos (Linear(0, 10)) no hace nada, no divide por 0
    if 0 in tuple(t.shape):
        warnings.warn("inicializar un tensor sin elementos no hace nada", UserWarning, stacklevel=3)
        return True
    return False


def _fill(t: Tensor, values) -> Tensor:
    t._data[...] = np.asarray(values).astype(t._data.dtype, copy=False)
    t._vc.value += 1
    return t


def _rng(generator=None, rng=None):
    return rng if rng is not None else default_rng(generator)


def uniform_(tensor, a=0.0, b=1.0, generator=None, rng=None):
    """U(a, b)."""
    return _fill(tensor, _rng(generator, rng).uniform(a, b, tuple(tensor.shape)))


def normal_(tensor, mean=0.0, std=1.0, generator=None, rng=None):
    """N(media, σ²)."""
    return _fill(tensor, _rng(generator, rng).normal(mean, std, tuple(tensor.shape)))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(media, σ²) truncada a [a, b] (los valores fuera se vuelven a sortear)."""
    if not a < b:
        raise ValueError(f"trunc_normal_: a ({a}) debe ser menor que b ({b})")
    r = _rng(generator)
    out = r.normal(mean, std, tuple(tensor.shape))
    for _ in range(1000):
        bad = (out < a) | (out > b)
        if not bad.any():
            break
        out[bad] = r.normal(mean, std, int(bad.sum()))
    else:  # intervalo muy improbable: se acota (como el clamp final de PyTorch)
        out = np.clip(out, a, b)
    return _fill(tensor, out)


def constant_(tensor, val):
    tensor._data[...] = val
    tensor._vc.value += 1
    return tensor


def zeros_(tensor):
    return constant_(tensor, 0.0)


def ones_(tensor):
    return constant_(tensor, 1.0)


def eye_(tensor):
    """La matriz identidad (sólo tensores 2-D): conserva la entrada en capas lineales."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: sólo para tensores 2-D, no de forma {tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Filtro delta de Dirac (tensores 3, 4 o 5-D): la convolución conserva los canales de entrada."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: sólo para tensores 3, 4 o 5-D, no de forma {tuple(tensor.shape)}")
    out_ch = tensor.shape[0]
    if out_ch % groups:
        raise ValueError(f"dirac_: la dimensión 0 ({out_ch}) debe ser divisible por groups ({groups})")
    per = out_ch // groups
    w = np.zeros(tuple(tensor.shape))
    centre = tuple(s // 2 for s in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per, tensor.shape[1])):
            w[(g * per + d, d) + centre] = 1
    return _fill(tensor, w)


def orthogonal_(tensor, gain=1.0, generator=None):
    """Matriz (semi)ortogonal (Saxe et al.) a partir de la QR de una gaussiana, por ``gain``."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: sólo para tensores de 2 o más dimensiones, no de forma {tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, q.reshape(tuple(tensor.shape)) * gain)


def xavier_uniform_(tensor, gain=1.0, generator=None, rng=None):
    """U(−a, a) con a = gain·√(6 / (fan_in + fan_out)) (Glorot)."""
    if _is_empty(tensor):
        return tensor
    fi, fo = _fans(tensor)
    a = gain * math.sqrt(6.0 / (fi + fo))
    return uniform_(tensor, -a, a, generator, rng)


def xavier_normal_(tensor, gain=1.0, generator=None, rng=None):
    """N(0, σ²) con σ = gain·√(2 / (fan_in + fan_out))."""
    if _is_empty(tensor):
        return tensor
    fi, fo = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fi + fo)), generator, rng)


def _kaiming_std(t, a, mode, nonlinearity):
    fi, fo = _fans(t)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode debe ser 'fan_in' o 'fan_out', no {mode!r}")
    fan = fi if mode == "fan_in" else fo
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None, rng=None):
    """U(−b, b) con b = √3 · ganancia / √fan (He); ``mode`` elige fan_in (conserva la varianza hacia
    delante) o fan_out (hacia atrás)."""
    if _is_empty(tensor):
        return tensor
    b = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -b, b, generator, rng)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None, rng=None):
    """N(0, σ²) con σ = ganancia / √fan (He)."""
    if _is_empty(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator, rng)
