"""Inicialización de pesos (in situ y sin gradiente, como ``torch.nn.init``).

Todas aceptan ``generator=`` (un ``tinygrad_es.Generator``); si no, usan el generador global de
``manual_seed``. ``rng=`` (un ``numpy.random.Generator``) se mantiene por compatibilidad.
"""
import math
import warnings

import numpy as np

from .._validate import choice
from ._init_fill import _fill, _is_empty, _rng  # noqa: F401  (también los usan las capas)
from ._init_structured import dirac_, eye_, orthogonal_, sparse_

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "zeros_", "ones_", "constant_", "eye_",
           "dirac_", "orthogonal_", "sparse_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
           "kaiming_normal", "orthogonal", "sparse", "eye", "dirac"]

_LINEAR = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param=None) -> float:
    """Ganancia recomendada para cada activación (la tabla de PyTorch): la escala que mantiene la varianza
    de las activaciones de capa en capa. Lineal, conv y sigmoid: 1; tanh: 5/3; relu: √2;
    leaky_relu: √(2/(1 + a²)); selu: 3/4.

    Args:
        nonlinearity: nombre de la activación (``'relu'``, ``'tanh'``, ``'leaky_relu'``, ``'linear'``...).
        param: la pendiente negativa ``a`` de ``'leaky_relu'`` (``None``: 0,01).

    Ejemplo:
        >>> nn.init.calculate_gain("relu")
        1.4142135623730951

    En PyTorch: ``torch.nn.init.calculate_gain``.
    """
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


def uniform_(tensor, a=0.0, b=1.0, generator=None, rng=None):
    """Llena ``tensor`` (in situ, sin gradiente) con valores de la uniforme U(a, b).

    Args:
        tensor: el tensor (o parámetro) que se llena.
        a: límite inferior (``0.0``).
        b: límite superior (``1.0``).
        generator: ``torch.Generator`` para reproducir el sorteo (``None``: el global de ``manual_seed``).
        rng: (de tinygrad_es, por compatibilidad) un ``numpy.random.Generator`` (``None``).

    Devuelve ``tensor``.

    Ejemplo:
        >>> w = nn.init.uniform_(torch.empty(1000), -1, 1)
        >>> bool(w.min() >= -1) and bool(w.max() <= 1)
        True

    En PyTorch: ``torch.nn.init.uniform_``.
    """
    return _fill(tensor, _rng(generator, rng).uniform(a, b, tuple(tensor.shape)))


def normal_(tensor, mean=0.0, std=1.0, generator=None, rng=None):
    """Llena ``tensor`` (in situ, sin gradiente) con valores de la normal N(mean, std²).

    Args:
        tensor: el tensor que se llena.
        mean: la media (``0.0``).
        std: la desviación típica (``1.0``).
        generator: ``torch.Generator`` (``None``: el global).
        rng: (de tinygrad_es, por compatibilidad) un ``numpy.random.Generator`` (``None``).

    Ejemplo:
        >>> w = nn.init.normal_(torch.empty(10000), mean=2.0, std=0.5)
        >>> round(w.mean().item(), 1), round(w.std().item(), 1)
        (2.0, 0.5)

    En PyTorch: ``torch.nn.init.normal_``.
    """
    return _fill(tensor, _rng(generator, rng).normal(mean, std, tuple(tensor.shape)))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Llena ``tensor`` con una normal N(mean, std²) truncada a [a, b] (los valores que caen fuera se
    vuelven a sortear).

    Args:
        tensor: el tensor que se llena.
        mean: la media (``0.0``).
        std: la desviación típica (``1.0``).
        a: límite inferior (``-2.0``).
        b: límite superior (``2.0``).
        generator: ``torch.Generator`` (``None``: el global).

    Ejemplo:
        >>> w = nn.init.trunc_normal_(torch.empty(1000), std=1.0, a=-1.0, b=1.0)
        >>> bool(w.abs().max() <= 1)
        True

    En PyTorch: ``torch.nn.init.trunc_normal_``.
    """
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
    """Llena ``tensor`` (in situ, sin gradiente) con el valor ``val``.

    Args:
        tensor: el tensor que se llena.
        val: el valor.

    Ejemplo:
        >>> nn.init.constant_(torch.empty(2, 2), 0.5)
        tensor([[0.5000, 0.5000],
                [0.5000, 0.5000]])

    En PyTorch: ``torch.nn.init.constant_``.
    """
    tensor._data[...] = val
    tensor._vc.value += 1
    return tensor


def zeros_(tensor):
    """Llena ``tensor`` de ceros (in situ, sin gradiente); típico para los sesgos.

    Args:
        tensor: el tensor que se llena.

    Ejemplo:
        >>> capa = nn.Linear(3, 2)
        >>> nn.init.zeros_(capa.bias)
        Parameter containing:
        tensor([0., 0.], requires_grad=True)

    En PyTorch: ``torch.nn.init.zeros_``.
    """
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Llena ``tensor`` de unos (in situ, sin gradiente).

    Args:
        tensor: el tensor que se llena.

    Ejemplo:
        >>> nn.init.ones_(torch.empty(2))
        tensor([1., 1.])

    En PyTorch: ``torch.nn.init.ones_``.
    """
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor, gain=1.0, generator=None, rng=None):
    """Inicialización de Glorot (Xavier) uniforme: U(−a, a) con ``a = gain·√(6/(fan_in + fan_out))``, que
    conserva la varianza hacia delante y hacia atrás con activaciones simétricas (tanh, sigmoid).
    ``fan_in = forma[1]·∏k`` y ``fan_out = forma[0]·∏k`` (∏k, el tamaño del filtro en convoluciones).

    Args:
        tensor: tensor de al menos 2 ejes (``(salidas, entradas, ...)``).
        gain: factor de escala (``1.0``; p. ej. ``calculate_gain('tanh')``).
        generator: ``torch.Generator`` (``None``: el global).
        rng: (de tinygrad_es, por compatibilidad) un ``numpy.random.Generator`` (``None``).

    Ejemplo:
        >>> w = nn.init.xavier_uniform_(torch.empty(30, 20))
        >>> bool(w.abs().max() <= (6 / 50) ** 0.5)
        True

    En PyTorch: ``torch.nn.init.xavier_uniform_``.
    """
    if _is_empty(tensor):
        return tensor
    fi, fo = _fans(tensor)
    a = gain * math.sqrt(6.0 / (fi + fo))
    return uniform_(tensor, -a, a, generator, rng)


def xavier_normal_(tensor, gain=1.0, generator=None, rng=None):
    """Inicialización de Glorot (Xavier) normal: N(0, σ²) con ``σ = gain·√(2/(fan_in + fan_out))``.

    Args:
        tensor: tensor de al menos 2 ejes.
        gain: factor de escala (``1.0``).
        generator: ``torch.Generator`` (``None``: el global).
        rng: (de tinygrad_es, por compatibilidad) un ``numpy.random.Generator`` (``None``).

    Ejemplo:
        >>> w = nn.init.xavier_normal_(torch.empty(300, 200))
        >>> abs(w.std().item() - (2 / 500) ** 0.5) < 0.005
        True

    En PyTorch: ``torch.nn.init.xavier_normal_``.
    """
    if _is_empty(tensor):
        return tensor
    fi, fo = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fi + fo)), generator, rng)


def _kaiming_std(t, a, mode, nonlinearity):
    fi, fo = _fans(t)
    choice(mode, ("fan_in", "fan_out"), "mode", "kaiming")
    fan = fi if mode == "fan_in" else fo
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None, rng=None):
    """Inicialización de He (Kaiming) uniforme: U(−b, b) con ``b = √3·ganancia/√fan``, la que conserva la
    varianza con ReLU (ganancia √2). Es la que usan ``nn.Linear`` y ``nn.Conv2d`` por defecto (con
    ``a=√5``).

    Args:
        tensor: tensor de al menos 2 ejes.
        a: pendiente negativa de la leaky_relu (``0.0``).
        mode: ``'fan_in'`` (conserva la varianza hacia delante) o ``'fan_out'`` (hacia atrás).
        nonlinearity: la activación que sigue (``'leaky_relu'``; también ``'relu'``...).
        generator: ``torch.Generator`` (``None``: el global).
        rng: (de tinygrad_es, por compatibilidad) un ``numpy.random.Generator`` (``None``).

    Ejemplo:
        >>> w = nn.init.kaiming_uniform_(torch.empty(64, 32), nonlinearity="relu")
        >>> bool(w.abs().max() <= (6 / 32) ** 0.5)
        True

    En PyTorch: ``torch.nn.init.kaiming_uniform_``.
    """
    if _is_empty(tensor):
        return tensor
    b = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -b, b, generator, rng)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None, rng=None):
    """Inicialización de He (Kaiming) normal: N(0, σ²) con ``σ = ganancia/√fan``.

    Args:
        tensor: tensor de al menos 2 ejes.
        a: pendiente negativa de la leaky_relu (``0.0``).
        mode: ``'fan_in'`` o ``'fan_out'``.
        nonlinearity: la activación que sigue (``'leaky_relu'``).
        generator: ``torch.Generator`` (``None``: el global).
        rng: (de tinygrad_es, por compatibilidad) un ``numpy.random.Generator`` (``None``).

    Ejemplo (σ = √(2/512) = 0,0625 con ReLU):
        >>> w = nn.init.kaiming_normal_(torch.empty(256, 512), mode="fan_in", nonlinearity="relu")
        >>> abs(w.std().item() - 0.0625) < 0.005
        True

    En PyTorch: ``torch.nn.init.kaiming_normal_``.
    """
    if _is_empty(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator, rng)


def _deprecated(new):
    """El nombre antiguo sin ``_`` (``nn.init.normal``): avisa con ``FutureWarning``, como PyTorch, y llama al nuevo."""
    old = new.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old}` está obsoleto (también en PyTorch): usa `nn.init.{new.__name__}`",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old
    deprecated_init.__doc__ = f"``{old}(...)``: obsoleto, usa ``nn.init.{new.__name__}`` (mismos argumentos)."
    return deprecated_init


uniform, normal, constant = _deprecated(uniform_), _deprecated(normal_), _deprecated(constant_)
xavier_uniform, xavier_normal = _deprecated(xavier_uniform_), _deprecated(xavier_normal_)
kaiming_uniform, kaiming_normal = _deprecated(kaiming_uniform_), _deprecated(kaiming_normal_)
orthogonal, sparse = _deprecated(orthogonal_), _deprecated(sparse_)
eye, dirac = _deprecated(eye_), _deprecated(dirac_)
