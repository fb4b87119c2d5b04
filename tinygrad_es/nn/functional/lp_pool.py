"""Pooling de potencia media (``lp_pool1d``, ``lp_pool2d``, ``lp_pool3d``): ``(Σ_ventana xᵖ)^(1/p)``, compuesto como
en PyTorch de ``avg_pool`` sobre ``xᵖ`` (``p = ∞``: el máximo de ``|x|``). Como es composición de
operaciones de ``Tensor``, la derivada (y las de orden superior) salen de las de ésas:
``∂y/∂x = x^(p−1) · y^(1−p)`` dentro de cada ventana."""
from __future__ import annotations

import math
import numbers

from .activation import relu
from .pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .pooling3d import avg_pool3d, max_pool3d
from ._utils import as_tensor, int_tuple

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d"]


def _norm(norm_type, op):
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real):
        raise TypeError(f"{op}: norm_type debe ser un número, no {type(norm_type).__name__}")
    return norm_type


def _finish(out, count, p):
    """``(sign(m)·relu(|m|)·count)^(1/p)`` con ``m`` la media de ``xᵖ`` (lo mismo que PyTorch, también
    el gradiente 0 cuando la suma es 0)."""
    return (out.sign() * relu(out.abs())).mul(count).pow(1.0 / p)


_POOLS = {1: (max_pool1d, avg_pool1d), 2: (max_pool2d, avg_pool2d), 3: (max_pool3d, avg_pool3d)}


def _lp_pool(n, input, norm_type, kernel_size, stride, ceil_mode):
    """``lp_pool{n}d``: la media de ``xᵖ`` por ``avg_pool{n}d`` (``p = ±∞``: ``max_pool{n}d`` de ``±|x|``)."""
    op = f"lp_pool{n}d"
    x, p = as_tensor(input, op), _norm(norm_type, op)
    max_pool, avg_pool = _POOLS[n]
    if math.isinf(p):
        out = max_pool(x.abs() if p > 0 else -x.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return out if p > 0 else -out
    k = int_tuple(kernel_size, n, "kernel_size", op, 1)
    out = avg_pool(x.pow(p), k[0] if n == 1 else k, stride, 0, ceil_mode)
    return _finish(out, math.prod(k), p)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Pooling 1-D de potencia media: ``(Σ_ventana xᵖ)^(1/p)`` (``p = 1``: la suma; ``p = ∞``: el máximo
    de ``|x|``). La capa es ``nn.LPPool1d``.

    Args:
        input: ``(N, C, L)`` o ``(C, L)``.
        norm_type: el exponente ``p``.
        kernel_size: longitud de la ventana.
        stride: paso (por defecto, ``kernel_size``).
        ceil_mode: redondea hacia arriba el número de ventanas (``False``).

    Forma: salida ``(N, C, L_out)`` con ``L_out = ⌊(L − kernel_size) / stride⌋ + 1``.

    Derivada: ``x^(p−1) · y^(1−p)`` para cada ``x`` de la ventana de ``y``.

    Ejemplo:
        >>> F.lp_pool1d(torch.tensor([[[3., 4., 1., 0.]]]), 2, 2)
        tensor([[[5., 1.]]])

    En PyTorch: ``torch.nn.functional.lp_pool1d``.
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Pooling 2-D de potencia media: ``(Σ_ventana xᵖ)^(1/p)`` sobre ventanas ``kh × kw``. La capa es
    ``nn.LPPool2d``.

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        norm_type: el exponente ``p`` (``float('inf')``: el máximo de ``|x|``).
        kernel_size: ``k`` o ``(kh, kw)``.
        stride: paso (por defecto, ``kernel_size``).
        ceil_mode: redondea hacia arriba el número de ventanas (``False``).

    Forma: salida ``(N, C, H_out, W_out)`` con ``H_out = ⌊(H − kh) / stride⌋ + 1``.

    Derivada: ``x^(p−1) · y^(1−p)`` para cada ``x`` de la ventana de ``y``.

    Ejemplo:
        >>> F.lp_pool2d(torch.tensor([[[[1., 2.], [2., 4.]]]]), 2, 2)
        tensor([[[[5.]]]])

    En PyTorch: ``torch.nn.functional.lp_pool2d``.
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Pooling 3-D de potencia media: ``(Σ_ventana xᵖ)^(1/p)`` sobre ventanas ``kD × kH × kW``. La capa es
    ``nn.LPPool3d``.

    Args:
        input: ``(N, C, D, H, W)`` o ``(C, D, H, W)``.
        norm_type: el exponente ``p`` (``float('inf')``: el máximo de ``|x|``).
        kernel_size: ``k`` o ``(kD, kH, kW)``.
        stride: paso (por defecto, ``kernel_size``).
        ceil_mode: redondea hacia arriba el número de ventanas (``False``).

    Forma: salida ``(N, C, D_out, H_out, W_out)`` con ``D_out = ⌊(D − kD) / stride⌋ + 1`` (igual en H y W).

    Derivada: ``x^(p−1) · y^(1−p)`` para cada ``x`` de la ventana de ``y``.

    Ejemplo:
        >>> F.lp_pool3d(torch.ones(1, 1, 2, 2, 2), 2, 2)
        tensor([[[[[2.8284]]]]])

    En PyTorch: ``torch.nn.functional.lp_pool3d``.
    """
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)
