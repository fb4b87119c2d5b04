"""Pérdidas de regresión de ``torch.nn.functional`` (la distancia entre predicción y objetivo:
``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``huber_loss``) y las penalizaciones L1/L2 de los
apuntes (``l1_penalty``, ``l2_penalty``). Las de clasificación y entre distribuciones están en
``loss.py``; las capas, en ``nn/modules/loss.py``.
"""
from __future__ import annotations

from ..._tensor import Tensor
from ..._tensor._args import promote
from ...autograd import watch
from ...ops import loss as L
from ..._validate import number
from ._utils import reduce_loss, reduction_arg
from .loss import _elementwise, _float_pair, _weighted

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "l1_penalty", "l2_penalty"]


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Error cuadrático medio: media de ``(input − target)²`` (la capa es ``nn.MSELoss``); derivada
    ``∂/∂input = 2(input − target)/n`` con ``'mean'``.

    Args:
        input, target: tensores de la misma forma (``target`` difundible, con aviso).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.
        weight: peso de cada elemento, con la forma de ``input`` (``None``).

    Ejemplo:
        >>> F.mse_loss(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]))
        tensor(1.4167)

    En PyTorch: ``torch.nn.functional.mse_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "mse_loss")
    input, target, weight = _elementwise(input, target, "mse_loss", weight, weight_same_shape=True, broadcast=True)
    _float_pair(input, target, "mse_loss")
    d = input - target
    return watch(_weighted(d * d, weight, reduction), input, target)  # como PyTorch, vigila input y target


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Error absoluto medio: media de ``|input − target|`` (la capa es ``nn.L1Loss``); derivada
    ``signo(input − target)/n`` con ``'mean'``.

    Args:
        input, target: tensores de la misma forma.
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.
        weight: peso de cada elemento, con la forma de ``input`` (``None``).

    Ejemplo:
        >>> F.l1_loss(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]))
        tensor(0.8333)

    En PyTorch: ``torch.nn.functional.l1_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "l1_loss")
    input, target, weight = _elementwise(input, target, "l1_loss", weight, weight_same_shape=True, broadcast=True)
    return _weighted((input - target).abs(), weight, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """L1 suavizada (la capa es ``nn.SmoothL1Loss``): con ``d = input − target``, ``½d²/β`` si ``|d| < β``,
    si no ``|d| − ½β``; derivada ``d/β`` o ``signo(d)``.

    Args:
        input, target: tensores de la misma forma.
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.
        beta: umbral ≥ 0 (``1.0``; con 0 es ``l1_loss``).

    Ejemplo:
        >>> F.smooth_l1_loss(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]), beta=0.5)
        tensor(0.6667)

    En PyTorch: ``torch.nn.functional.smooth_l1_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta debe ser ≥ 0, no {beta}")
    input, target, _ = _elementwise(input, target, "smooth_l1_loss", broadcast=True)
    _float_pair(input, target, "smooth_l1_loss")
    if beta == 0:
        return watch(reduce_loss((input - target).abs(), reduction), input, target)
    return reduce_loss(L.SmoothL1.apply(*promote(input, target), beta=float(beta)), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Pérdida de Huber (la capa es ``nn.HuberLoss``): ``½d²`` si ``|d| ≤ δ``, si no ``δ(|d| − ½δ)``;
    derivada ``d`` o ``δ·signo(d)``.

    Args:
        input, target: tensores de la misma forma.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.
        delta: δ > 0 (``1.0``).
        weight: peso de cada elemento, con la forma de ``input`` (``None``).

    Ejemplo:
        >>> F.huber_loss(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]), delta=0.5)
        tensor(0.3333)

    En PyTorch: ``torch.nn.functional.huber_loss``.
    """
    reduction = reduction_arg(None, None, reduction, "huber_loss")
    number(delta, "delta", "huber_loss", low=0.0, low_open=True, exc=RuntimeError)
    input, target, weight = _elementwise(input, target, "huber_loss", weight, weight_same_shape=True, broadcast=True)
    _float_pair(input, target, "huber_loss")
    loss = L.SmoothL1.apply(*promote(input, target), beta=float(delta), scale=float(delta))
    return _weighted(loss, weight, reduction)


def _weights(params):
    return [p for p in params if isinstance(p, Tensor)]


def l1_penalty(params, lam: float) -> Tensor:
    """Término L1 de los apuntes: ``λ·Σ|w|`` sobre los tensores de ``params`` (súmalo a la pérdida; empuja
    pesos a 0). Derivada: ``λ·signo(w)``. (De tinygrad_es: en PyTorch se escribe a mano,
    ``lam * sum(p.abs().sum() for p in params)``.)

    Args:
        params: iterable de tensores (p. ej. ``model.parameters()``).
        lam: λ, la fuerza de la penalización.

    Ejemplo:
        >>> F.l1_penalty([torch.tensor([1., -2.]), torch.tensor([3.])], 0.1)
        tensor(0.6000)
    """
    ps = _weights(params)
    return sum((p.abs().sum() for p in ps[1:]), ps[0].abs().sum()) * lam


def l2_penalty(params, lam: float) -> Tensor:
    """Término L2 de los apuntes: ``λ·Σw²`` (súmalo a la pérdida). Derivada: ``2λw`` (el ``weight_decay``
    de ``optim.SGD`` aplica ``λ'·w`` en el gradiente, es decir ``λ' = 2λ``). (De tinygrad_es: en PyTorch se
    escribe a mano.)

    Args:
        params: iterable de tensores (p. ej. ``model.parameters()``).
        lam: λ, la fuerza de la penalización.

    Ejemplo:
        >>> F.l2_penalty([torch.tensor([1., -2.]), torch.tensor([3.])], 0.1)
        tensor(1.4000)
    """
    ps = _weights(params)
    return sum(((p * p).sum() for p in ps[1:]), (ps[0] * ps[0]).sum()) * lam
