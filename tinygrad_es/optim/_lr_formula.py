"""Los planificadores que son una fórmula de la época: ``LambdaLR``, ``MultiplicativeLR``, ``StepLR``,
``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``, ``PolynomialLR`` y ``CosineAnnealingLR``.

Las fórmulas y el orden de las operaciones son los de ``torch.optim.lr_scheduler`` (forma
"encadenable": cada paso parte de la tasa actual del grupo), así que la secuencia de tasas
coincide con la de PyTorch número a número; ``_get_closed_form_lr`` da la fórmula cerrada (la que se
usa con el obsoleto ``step(epoch)``). La base, ``LRScheduler``, está en ``_lr_base.py``.
"""
from __future__ import annotations

import math
import types
from bisect import bisect_right
from collections import Counter

from .._validate import ZeroStepError, integer, number
from ._lr_base import LRScheduler, _check_state, group_values

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
           "PolynomialLR", "CosineAnnealingLR"]


def _lambdas(optimizer, lr_lambda):
    if not isinstance(lr_lambda, (list, tuple)):
        fns = [lr_lambda] * len(optimizer.param_groups)
    else:
        if len(lr_lambda) != len(optimizer.param_groups):
            raise ValueError(f"se esperaban {len(optimizer.param_groups)} funciones lr_lambda (una por grupo), "
                             f"no {len(lr_lambda)}")
        fns = list(lr_lambda)
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"lr_lambda debe ser una función, no {type(fn).__name__}")
    return fns


class _LambdaState:
    def state_dict(self):
        sd = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        sd["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                            for fn in self.lr_lambdas]
        return sd

    def load_state_dict(self, state_dict):
        _check_state(self, state_dict)
        state_dict = dict(state_dict)
        fns = state_dict.pop("lr_lambdas")
        self.__dict__.update(state_dict)
        for own, saved in zip(self.lr_lambdas, fns):
            if saved is not None:
                own.__dict__.update(saved)


class LambdaLR(_LambdaState, LRScheduler):
    """La tasa es la inicial por una función de la época: ``lr = lr₀·f(época)``.

    Args:
        optimizer: el optimizador.
        lr_lambda: ``f(época) → factor``, o una lista con una función por grupo.
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
        >>> tasas = []
        >>> for epoch in range(4):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.05, 0.0333, 0.025]

    En PyTorch: ``torch.optim.lr_scheduler.LambdaLR``.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        return [base_lr * lmbda(self.last_epoch) for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaState, LRScheduler):
    """Multiplica la tasa actual por un factor en cada paso: ``lr ← lr·f(época)``.

    Args:
        optimizer: el optimizador.
        lr_lambda: ``f(época) → factor``, o una lista con una función por grupo.
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.MultiplicativeLR(opt, lambda epoch: 0.5)
        >>> tasas = []
        >>> for epoch in range(4):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.05, 0.025, 0.0125]

    En PyTorch: ``torch.optim.lr_scheduler.MultiplicativeLR``.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if not self._is_initial:
            return [g["lr"] * lmbda(self.last_epoch) for lmbda, g in zip(self.lr_lambdas, self.optimizer.param_groups)]
        return group_values(self.optimizer, "lr")


class StepLR(LRScheduler):
    """Escalones: multiplica la tasa por ``gamma`` cada ``step_size`` épocas,
    ``lr = lr₀·γ^⌊época/step_size⌋``.

    Args:
        optimizer: el optimizador.
        step_size: cada cuántas épocas baja la tasa (entero ≥ 1).
        gamma: γ, el factor (``0.1``).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> tasas = []
        >>> for epoch in range(6):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]

    En PyTorch: ``torch.optim.lr_scheduler.StepLR``.
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        self.step_size = integer(step_size, "step_size", "StepLR", low=1, exc=ZeroStepError)
        self.gamma = number(gamma, "gamma", "StepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return group_values(self.optimizer, "lr")
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Escalones en épocas elegidas: multiplica la tasa por ``gamma`` al llegar a cada época de
    ``milestones``, ``lr = lr₀·γ^(hitos alcanzados)``.

    Args:
        optimizer: el optimizador.
        milestones: lista de épocas (enteros) en que baja la tasa.
        gamma: γ, el factor (``0.1``).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
        >>> tasas = []
        >>> for epoch in range(6):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]

    En PyTorch: ``torch.optim.lr_scheduler.MultiStepLR``.
    """

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"MultiStepLR: milestones debe ser una lista de épocas (enteros), no {milestones!r}")
        self.milestones = Counter(integer(m, "milestones", "MultiStepLR") for m in milestones)
        self.gamma = number(gamma, "gamma", "MultiStepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if self.last_epoch not in self.milestones:
            return group_values(self.optimizer, "lr")
        return [g["lr"] * self.gamma ** self.milestones[self.last_epoch] for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch) for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """Tasa reducida por un factor constante durante las primeras ``total_iters`` épocas; después, la
    inicial: ``lr = lr₀·factor`` si ``época < total_iters``, si no ``lr₀``.

    Args:
        optimizer: el optimizador.
        factor: el factor en [0, 1] (``1/3``).
        total_iters: cuántas épocas dura (``5``).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
        >>> tasas = []
        >>> for epoch in range(4):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.05, 0.05, 0.1, 0.1]

    En PyTorch: ``torch.optim.lr_scheduler.ConstantLR``.
    """

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        number(factor, "factor", "ConstantLR", low=0.0, high=1.0)
        integer(total_iters, "total_iters", "ConstantLR", low=0)
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if self.last_epoch == 0:
            return [g["lr"] * self.factor for g in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return group_values(self.optimizer, "lr")
        return [g["lr"] * (1.0 / self.factor) for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Calentamiento lineal: el factor pasa de ``start_factor`` a ``end_factor`` en ``total_iters`` épocas,
    ``lr = lr₀·(start + (end − start)·min(época, total_iters)/total_iters)``.

    Args:
        optimizer: el optimizador.
        start_factor: factor inicial en (0, 1] (``1/3``).
        end_factor: factor final en [0, 1] (``1.0``).
        total_iters: épocas de la rampa (``5``).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> tasas = []
        >>> for epoch in range(5):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.025, 0.05, 0.075, 0.1, 0.1]

    En PyTorch: ``torch.optim.lr_scheduler.LinearLR``.
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5,
                 last_epoch: int = -1):
        """Véase el docstring de la clase."""
        number(start_factor, "start_factor", "LinearLR", low=0.0, low_open=True, high=1.0)
        number(end_factor, "end_factor", "LinearLR", low=0.0, high=1.0)
        integer(total_iters, "total_iters", "LinearLR", low=1, exc=ZeroStepError)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if self.last_epoch == 0:
            return [g["lr"] * self.start_factor for g in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return group_values(self.optimizer, "lr")
        return [g["lr"] * (1.0 + (self.end_factor - self.start_factor) / (
            self.total_iters * self.start_factor + (self.last_epoch - 1) * (self.end_factor - self.start_factor)))
            for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Decaimiento exponencial: ``lr = lr₀·γ^época`` (multiplica por γ cada época).

    Args:
        optimizer: el optimizador.
        gamma: γ, el factor por época.
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> tasas = []
        >>> for epoch in range(4):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.05, 0.025, 0.0125]

    En PyTorch: ``torch.optim.lr_scheduler.ExponentialLR``.
    """

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        self.gamma = number(gamma, "gamma", "ExponentialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if self._is_initial:
            return group_values(self.optimizer, "lr")
        return [g["lr"] * self.gamma for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decaimiento polinómico hasta 0 en ``total_iters`` épocas:
    ``lr = lr₀·(1 − min(época, total_iters)/total_iters)^power``.

    Args:
        optimizer: el optimizador.
        total_iters: épocas hasta llegar a 0 (``5``).
        power: el exponente (``1.0``: lineal).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.PolynomialLR(opt, total_iters=4)
        >>> tasas = []
        >>> for epoch in range(6):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.075, 0.05, 0.025, 0.0, 0.0]

    En PyTorch: ``torch.optim.lr_scheduler.PolynomialLR``.
    """

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        self.total_iters = integer(total_iters, "total_iters", "PolynomialLR", low=1, exc=ZeroStepError)
        self.power = number(power, "power", "PolynomialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if self._is_initial or self.last_epoch > self.total_iters:
            return group_values(self.optimizer, "lr")
        decay = ((1.0 - self.last_epoch / self.total_iters) / (1.0 - (self.last_epoch - 1) / self.total_iters)
                 ) ** self.power
        return [g["lr"] * decay for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Recocido con coseno: medio coseno de ``lr₀`` a ``eta_min`` en ``T_max`` épocas,
    ``lr = η_min + (lr₀ − η_min)·(1 + cos(π·época/T_max))/2`` (y vuelve a subir después, como PyTorch).

    Args:
        optimizer: el optimizador.
        T_max: épocas del medio periodo.
        eta_min: η_min, la tasa mínima (``0.0``).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        >>> tasas = []
        >>> for epoch in range(5):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.0854, 0.05, 0.0146, 0.0]

    En PyTorch: ``torch.optim.lr_scheduler.CosineAnnealingLR``.
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        number(T_max, "T_max", "CosineAnnealingLR", low=0, low_open=True, exc=ZeroStepError)
        self.T_max, self.eta_min = T_max, number(eta_min, "eta_min", "CosineAnnealingLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        if self._is_initial:
            return group_values(self.optimizer, "lr")
        if self._step_count == 1 and self.last_epoch > 0:
            return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(self.last_epoch * math.pi / self.T_max)) / 2
                    for base_lr in self.base_lrs]
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [g["lr"] + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base_lr, g in zip(self.base_lrs, self.optimizer.param_groups)]
        return [(1 + math.cos(math.pi * self.last_epoch / self.T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max)) * (g["lr"] - self.eta_min) + self.eta_min
                for g in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]
