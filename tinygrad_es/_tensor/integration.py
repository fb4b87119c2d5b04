"""Integración numérica por la regla del trapecio (``torch.trapezoid``, su alias ``torch.trapz`` y
``torch.cumulative_trapezoid``), compuesta de sumas, restas y productos: el gradiente (y el
segundo) sale de la regla de la cadena.

Con muestras ``y₀…y_{n−1}`` separadas por ``dx``: ∫ ≈ Σᵢ dxᵢ·(yᵢ + yᵢ₊₁)/2. Derivada respecto de
cada ``yᵢ``: (dxᵢ₋₁ + dxᵢ)/2 (en los extremos, medio paso); respecto de ``xᵢ``: (yᵢ₋₁ − yᵢ₊₁)/2.

>>> torch.trapezoid(torch.tensor([1., 2., 4.]))   # tensor(4.5000)
"""
from __future__ import annotations

from ..autograd import TensorBase

__all__ = ["trapezoid", "trapz", "cumulative_trapezoid"]


def _check(y, op):
    if not isinstance(y, TensorBase):
        raise TypeError(f"{op}(): 'y' debe ser un Tensor, no {type(y).__name__}")
    if y.ndim == 0:
        raise IndexError(f"{op}(): 'y' debe tener al menos una dimensión (es un tensor 0-D)")


def _spacing(y, x, d, op):
    """Las diferencias de ``x`` a lo largo del eje ``d`` de ``y`` (x 1-D o con las dimensiones de y)."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{op}(): x (1-D) debe tener tantos elementos ({x.shape[0]}) como el eje {d} de y "
                               f"({y.shape[d]})")
        return x.diff().reshape((-1,) + (1,) * (y.ndim - 1 - d))
    if x.ndim != y.ndim:
        raise RuntimeError(f"{op}(): x debe ser 1-D o tener las dimensiones de y ({x.ndim} y {y.ndim})")
    return x.diff(dim=d)


def _ends(y, d):
    n = y.shape[d]
    return y.narrow(d, 1, n - 1), y.narrow(d, 0, n - 1)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral de ``y`` a lo largo de ``dim`` por la regla del trapecio.

    Args:
        y: las muestras, de forma ``(..., n, ...)``.
        x: las abscisas (tensor 1-D de ``n`` elementos o de la forma de ``y``); o bien
        dx: el paso constante (``1`` si no se da ninguno).
        dim: el eje que se integra (``-1``).

    Devuelve ``y`` sin el eje ``dim``. Derivadas: véase el módulo. En PyTorch: ``torch.trapezoid``.

    >>> torch.trapezoid(torch.tensor([1., 2., 4.]), dx=2)   # tensor(9.)
    """
    _check(y, "trapezoid")
    d = y._dim(dim)
    if x is not None and dx is not None:
        raise TypeError("trapezoid(): pasa x o dx, no los dos")
    if y.shape[d] == 0:
        return y.sum(d)
    if isinstance(x, TensorBase):
        right, left = _ends(y, d)
        return (_spacing(y, x, d, "trapezoid") * (right + left)).sum(d) / 2.0
    step = 1 if x is None and dx is None else (x if x is not None else dx)
    return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * step


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias de ``trapezoid`` (``torch.trapz(y, x, dim=-1)`` o ``torch.trapz(y, dx=1, dim=-1)``)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """La integral acumulada por la regla del trapecio: el elemento k es la integral de ``y₀…y_{k+1}``
    (el eje ``dim`` queda con ``n − 1`` elementos). Argumentos como ``trapezoid``. En PyTorch:
    ``torch.cumulative_trapezoid``.

    >>> torch.cumulative_trapezoid(torch.tensor([1., 2., 4.]))   # tensor([1.5000, 4.5000])
    """
    _check(y, "cumulative_trapezoid")
    d = y._dim(dim)
    if x is not None and dx is not None:
        raise TypeError("cumulative_trapezoid(): pasa x o dx, no los dos")
    if y.shape[d] == 0:
        return y.narrow(d, 0, 0) * 1.0
    right, left = _ends(y, d)
    if isinstance(x, TensorBase):
        return (_spacing(y, x, d, "cumulative_trapezoid") * (right + left)).cumsum(d) / 2.0
    step = 1 if x is None and dx is None else (x if x is not None else dx)
    return (step / 2.0 * (left + right)).cumsum(d)
