"""Derivación numérica por diferencias finitas: ``torch.gradient`` (la de ``numpy.gradient``), compuesta de
restas, productos y ``cat``, así que su propio gradiente sale de la regla de la cadena.

En el interior, diferencias centradas: ``(f[i+1] − f[i−1]) / (2h)`` con paso uniforme ``h`` o, con las
coordenadas ``x`` y ``h₁ = x[i] − x[i−1]``, ``h₂ = x[i+1] − x[i]``: ``a·f[i−1] + b·f[i] + c·f[i+1]`` con
``a = −h₂/(h₁(h₁+h₂))``, ``b = (h₂−h₁)/(h₁h₂)``, ``c = h₁/(h₂(h₁+h₂))`` (exacta para parábolas). En los
bordes, diferencias hacia un lado de orden ``edge_order`` (1 o 2). Cada coeficiente y el orden de las
operaciones son los de ATen, de modo que el resultado es el de PyTorch.

>>> torch.gradient(torch.tensor([1., 4., 9., 16.]))
(tensor([3., 4., 6., 7.]),)
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import TensorBase
from .joins import cat

__all__ = ["gradient"]


def _sl(x, d, start, stop=None):
    """``x`` recortado en el eje ``d`` como ``x[..., start:stop]`` (índices negativos como en Python)."""
    n = x.shape[d]
    a, b = range(n)[slice(start, stop)].start, range(n)[slice(start, stop)].stop
    return x.narrow(d, a, max(b - a, 0))


def _uniform(f, d, h, edge_order):
    center = (_sl(f, d, 2) - _sl(f, d, 0, -2)) / h
    if edge_order == 1:
        first = (_sl(f, d, 1, 2) - _sl(f, d, 0, 1)) / h
        last = (_sl(f, d, -1) - _sl(f, d, -2, -1)) / h
    else:
        first = (-1.5 * _sl(f, d, 0, 1) + 2 * _sl(f, d, 1, 2) - 0.5 * _sl(f, d, 2, 3)) / h
        last = (0.5 * _sl(f, d, -3, -2) - 2 * _sl(f, d, -2, -1) + 1.5 * _sl(f, d, -1)) / h
    return cat([first, center / 2, last], d)


def _coordinates(f, d, x, edge_order):
    shape = [1] * f.ndim
    shape[d] = -1
    dx = x.diff(1, 0)
    dx1, dx2 = dx[:-1], dx[1:]
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * _sl(f, d, 0, -2) + b * _sl(f, d, 1, -1) + c * _sl(f, d, 2)
    if edge_order == 1:
        first = (_sl(f, d, 1, 2) - _sl(f, d, 0, 1)) / dx[0]
        last = (_sl(f, d, -1) - _sl(f, d, -2, -1)) / dx[-1]
    else:
        h0, h1 = dx[0], dx[1]
        first = (-(2.0 * h0 + h1) / (h0 * (h0 + h1)) * _sl(f, d, 0, 1) + (h0 + h1) / (h0 * h1) * _sl(f, d, 1, 2)
                 + (-h0) / (h1 * (h0 + h1)) * _sl(f, d, 2, 3))
        hl, hp = dx[-1], dx[-2]
        last = (hl / (hp * (hl + hp)) * _sl(f, d, -3, -2) - (hl + hp) / (hl * hp) * _sl(f, d, -2, -1)
                + (2 * hl + hp) / (hl * (hl + hp)) * _sl(f, d, -1))
    return cat([first, center, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Las derivadas numéricas de ``input`` a lo largo de cada eje de ``dim`` (todos si es ``None``; un entero o
    una lista), como tupla de tensores con la forma de ``input``.

    ``spacing`` es el paso: un número para todos los ejes, una lista de números (uno por eje de ``dim``) o una
    lista de tensores 1-D con las coordenadas de las muestras en cada eje (pasos desiguales). ``edge_order``
    (1 o 2) es el orden de las diferencias de los bordes; cada eje necesita al menos ``edge_order + 1``
    muestras. Derivada: es lineal en ``input``, ∂/∂f[j] son los coeficientes de arriba.

    >>> torch.gradient(torch.tensor([[1., 2., 4.], [2., 4., 8.]]), dim=1)
    (tensor([[1.0000, 1.5000, 2.0000],
            [2.0000, 3.0000, 4.0000]]),)

    En PyTorch: ``torch.gradient``."""
    if not isinstance(input, TensorBase):
        raise TypeError(f"gradient(): input tiene que ser un Tensor, y es {type(input).__name__}")
    if edge_order not in (1, 2) or isinstance(edge_order, bool):
        raise RuntimeError(f"torch.gradient sólo admite edge_order=1 y edge_order=2, y es {edge_order!r}")
    if dim is None:
        dims = list(range(input.ndim))
    else:
        dims = [dim] if isinstance(dim, (numbers.Integral, np.integer)) else list(dim)
        dims = [input._dim(d) for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"torch.gradient: un eje aparece más de una vez en dim={dim!r}")
    scalar = spacing is None or isinstance(spacing, (numbers.Real, np.number))
    steps = [1 if spacing is None else spacing] * len(dims) if scalar else list(spacing)
    if len(steps) != len(dims):
        raise RuntimeError(f"torch.gradient: spacing tiene {len(steps)} elementos y dim {len(dims)} ejes; tienen que "
                           f"ser los mismos (o spacing un número)")
    out = []
    for d, h in zip(dims, steps):
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(f"torch.gradient: cada eje necesita al menos edge_order + 1 = {edge_order + 1} "
                               f"muestras, y el eje {d} tiene {input.shape[d]}")
        if isinstance(h, TensorBase) and h.ndim == 1:
            if h.shape[0] != input.shape[d]:
                raise RuntimeError(f"torch.gradient: las coordenadas del eje {d} tienen {h.shape[0]} elementos y "
                                   f"el eje {input.shape[d]}")
            out.append(_coordinates(input, d, h, edge_order))
        else:
            out.append(_uniform(input, d, h.item() if isinstance(h, TensorBase) else h, edge_order))
    return tuple(out)
