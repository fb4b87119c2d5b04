"""Más optimizadores adaptativos de PyTorch: Adadelta, Adagrad, Adamax, NAdam y RAdam (misma fórmula
y mismo orden de operaciones que ``torch.optim``; el estado con los mismos nombres)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _check_betas, check_hparam, lerp_

__all__ = ["Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam"]


def _common(lr, eps, weight_decay):
    check_hparam(lr >= 0.0, "la tasa de aprendizaje lr", lr)
    check_hparam(eps >= 0.0, "eps", eps)
    check_hparam(weight_decay >= 0.0, "weight_decay", weight_decay)


class Adadelta(Optimizer):
    """Adadelta (Zeiler): ``v ← ρv + (1−ρ)g²``; ``Δ = √(u + ε)/√(v + ε) · g``;
    ``u ← ρu + (1−ρ)Δ²``; ``p ← p − lr·Δ`` (``lr=1.0`` por defecto)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _common(lr, eps, weight_decay)
        check_hparam(0.0 <= rho <= 1.0, "rho (debe estar en [0, 1])", rho)
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


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.): ``s ← s + g²``; ``p ← p − lr_t · g / (√s + ε)`` con
    ``lr_t = lr / (1 + (t−1)·lr_decay)``."""

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _common(lr, eps, weight_decay)
        check_hparam(lr_decay >= 0.0, "lr_decay", lr_decay)
        check_hparam(initial_accumulator_value >= 0.0, "initial_accumulator_value", initial_accumulator_value)
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


class Adamax(Optimizer):
    """Adamax (variante de Adam con norma infinito): ``m ← β₁m + (1−β₁)g``,
    ``u ← max(β₂u, |g| + ε)``, ``p ← p − lr/(1−β₁ᵗ) · m/u``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _common(lr, eps, weight_decay)
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        b1, b2 = h["betas"]
        m = self._buffer(st, "exp_avg", p)
        u = self._buffer(st, "exp_inf", p)
        step = self._count(st)
        if h["weight_decay"] != 0:
            g = g + f(h["weight_decay"]) * p
        lerp_(m, g, 1 - b1)
        u *= f(b2)
        np.maximum(u, np.abs(g) + f(h["eps"]), out=u)
        clr = h["lr"] / (1 - b1 ** step)
        p += f(-clr) * m / u


class NAdam(Optimizer):
    """NAdam (Dozat): Adam con momento de Nesterov; ``μ_t = β₁(1 − ½·0.96^(t·ψ))`` con
    ``ψ = momentum_decay``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _common(lr, eps, weight_decay)
        _check_betas(betas)
        check_hparam(momentum_decay >= 0.0, "momentum_decay", momentum_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        lr, (b1, b2), wd, psi = h["lr"], h["betas"], h["weight_decay"], h["momentum_decay"]
        m = self._buffer(st, "exp_avg", p)
        v = self._buffer(st, "exp_avg_sq", p)
        step = self._count(st)
        if "mu_product" not in st:
            st["mu_product"] = Tensor._wrap(np.array(1.0, dtype=np.float32))  # float32, como en PyTorch
        mu_t = st["mu_product"]._data
        bc2 = 1 - b2 ** step
        if wd != 0:
            if h["decoupled_weight_decay"]:
                p *= f(1 - lr * wd)
            else:
                g = g + f(wd) * p
        mu = b1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        mu_t *= np.float32(mu)  # en float32, como el tensor de PyTorch
        mu_product = float(mu_t)
        lerp_(m, g, 1 - b1)
        v *= f(b2)
        v += f(1 - b2) * g * g
        denom = np.sqrt(v / f(bc2))
        mu_product_next = mu_product * mu_next
        denom += f(h["eps"])
        p += f(-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
        p += f(-lr * mu_next / (1.0 - mu_product_next)) * m / denom


class RAdam(Optimizer):
    """RAdam (Liu et al.): Adam con la varianza de la tasa adaptativa rectificada; en los primeros
    pasos (ρ_t ≤ 5) es SGD con momento."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _common(lr, eps, weight_decay)
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        lr, (b1, b2), wd = h["lr"], h["betas"], h["weight_decay"]
        m = self._buffer(st, "exp_avg", p)
        v = self._buffer(st, "exp_avg_sq", p)
        step = self._count(st)
        if wd != 0:
            if h["decoupled_weight_decay"]:
                p *= f(1 - lr * wd)
            else:
                g = g + f(wd) * p
        lerp_(m, g, 1 - b1)
        v *= f(b2)
        v += f(1 - b2) * g * g
        bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
        corrected = m / f(bc1)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * b2 ** step / bc2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            sq = np.sqrt(v)
            sq += f(h["eps"])
            adaptive = f(bc2 ** 0.5) / sq
            p += f(-1.0) * (corrected * f(lr) * adaptive * f(rect))
        else:
            p += f(-1.0) * (corrected * f(lr))
