"""Optimizadores de tasa adaptativa por coordenada: ``RMSprop``, ``Adagrad`` y ``Adadelta`` (misma
fórmula y mismo orden de operaciones que ``torch.optim``; el estado con los mismos nombres)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check_hparam, check_lr_eps_decay, lerp_

__all__ = ["RMSprop", "Adagrad", "Adadelta"]


class RMSprop(Optimizer):
    """RMSprop (Hinton): divide el gradiente por la raíz de una media móvil de sus cuadrados:
    ``v ← α·v + (1 − α)·g²``; ``p ← p − lr·g/(√v + ε)``. Con ``centered``, se resta el cuadrado de la
    media móvil de ``g`` (``√(v − ḡ²)``); con momento μ, ``b ← μ·b + g/(√v + ε)`` y ``p ← p − lr·b``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-2``).
        alpha: α, factor de la media móvil (``0.99``).
        eps: ε del denominador (``1e-8``).
        weight_decay: λ, L2 (``0.0``).
        momentum: μ (``0.0``).
        centered: versión centrada (``False``).
        capturable, foreach, differentiable: de PyTorch; se aceptan, sin efecto
            (``foreach``: ``None``; los demás: ``False``).
        maximize: maximiza el objetivo (``False``).

    Estado por parámetro: ``step``, ``square_avg`` (v), ``grad_avg`` (centrado) y ``momentum_buffer``.

    Ejemplo (primer paso: ``v = 0,01·g²``, así que ``p`` baja ``lr/√0,01 = 0,1``):
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.RMSprop([w], lr=0.01)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.9000, 1.9000], requires_grad=True)

    En PyTorch: ``torch.optim.RMSprop``.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        """Véase el docstring de la clase."""
        check_hparam(type(self).__name__, "lr (tasa de aprendizaje)", lr)
        check_hparam(type(self).__name__, "eps", eps)
        check_hparam(type(self).__name__, "momentum", momentum)
        check_hparam(type(self).__name__, "weight_decay", weight_decay)
        check_hparam(type(self).__name__, "alpha", alpha, high=1.0)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        self._count(st)
        if h["weight_decay"] != 0:
            g = g + f(h["weight_decay"]) * p
        a = h["alpha"]
        sq = self._buffer(st, "square_avg", p)
        sq *= f(a)
        sq += f(1 - a) * g * g
        if h["centered"]:
            ga = self._buffer(st, "grad_avg", p)
            lerp_(ga, g, 1 - a)
            avg = np.sqrt(sq + f(-1) * ga * ga)
        else:
            avg = np.sqrt(sq)
        avg += f(h["eps"])
        if h["momentum"] > 0:
            buf = self._buffer(st, "momentum_buffer", p)
            buf *= f(h["momentum"])
            buf += g / avg
            p += f(-h["lr"]) * buf
        else:
            p += f(-h["lr"]) * g / avg


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.): cada coordenada con su propia tasa, que baja con la suma de sus gradientes
    al cuadrado: ``s ← s + g²``; ``p ← p − lr_t·g/(√s + ε)`` con ``lr_t = lr/(1 + (t − 1)·lr_decay)``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-2``).
        lr_decay: decaimiento de la tasa (``0.0``).
        weight_decay: λ, L2 (``0.0``).
        initial_accumulator_value: valor inicial de ``s`` (``0.0``).
        eps: ε (``1e-10``).
        foreach, differentiable, fused: de PyTorch; se aceptan, sin efecto
            (``foreach`` y ``fused``: ``None``; los demás: ``False``).
        maximize: maximiza el objetivo (``False``).

    Estado por parámetro: ``step`` y ``sum`` (s), creados ya en el constructor, como PyTorch.

    Ejemplo:
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.Adagrad([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.9000, 1.9000], requires_grad=True)

    En PyTorch: ``torch.optim.Adagrad``.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        """Véase el docstring de la clase."""
        check_lr_eps_decay(type(self).__name__, lr, eps, weight_decay)
        check_hparam(type(self).__name__, "lr_decay", lr_decay)
        check_hparam(type(self).__name__, "initial_accumulator_value", initial_accumulator_value)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        for group in self.param_groups:  # como PyTorch: el estado se crea ya en el constructor
            for p in group["params"]:
                st = self.state[p]
                st.setdefault("step", self._zero_step())
                self._buffer(st, "sum", self._like(p), group["initial_accumulator_value"])

    @staticmethod
    def _zero_step():
        return Tensor._wrap(np.array(0.0, dtype=np.float32))

    @staticmethod
    def _like(p):
        return p._data if hasattr(p, "_data") else np.array(p.data, dtype=np.float64)

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        s = self._buffer(st, "sum", p, h["initial_accumulator_value"])
        step = self._count(st)
        if h["weight_decay"] != 0:
            g = g + f(h["weight_decay"]) * p
        clr = h["lr"] / (1 + (step - 1) * h["lr_decay"])
        s += f(1) * g * g
        std = np.sqrt(s)
        std += f(h["eps"])
        p += f(-clr) * g / std


class Adadelta(Optimizer):
    """Adadelta (Zeiler): sin tasa que ajustar (``lr=1.0``), el paso sale del cociente de dos medias
    móviles: ``v ← ρ·v + (1 − ρ)·g²``; ``Δ = √(u + ε)/√(v + ε)·g``; ``u ← ρ·u + (1 − ρ)·Δ²``;
    ``p ← p − lr·Δ``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: factor del paso (``1.0``).
        rho: ρ, factor de las medias móviles (``0.9``).
        eps: ε (``1e-6``).
        weight_decay: λ, L2 (``0.0``).
        foreach, capturable, differentiable: de PyTorch; se aceptan, sin efecto
            (``foreach``: ``None``; los demás: ``False``).
        maximize: maximiza el objetivo (``False``).

    Estado por parámetro: ``step``, ``square_avg`` (v) y ``acc_delta`` (u).

    Ejemplo:
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.Adadelta([w])
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.9968, 1.9968], requires_grad=True)

    En PyTorch: ``torch.optim.Adadelta``.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        """Véase el docstring de la clase."""
        check_lr_eps_decay(type(self).__name__, lr, eps, weight_decay)
        check_hparam(type(self).__name__, "rho", rho, high=1.0)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        sq = self._buffer(st, "square_avg", p)
        acc = self._buffer(st, "acc_delta", p)
        self._count(st)
        rho, eps = h["rho"], f(h["eps"])
        if h["weight_decay"] != 0:
            g = g + f(h["weight_decay"]) * p
        sq *= f(rho)
        sq += f(1 - rho) * g * g
        std = np.sqrt(sq + eps)
        delta = np.sqrt(acc + eps)
        delta /= std
        delta *= g
        acc *= f(rho)
        acc += f(1 - rho) * delta * delta
        p += f(-h["lr"]) * delta
