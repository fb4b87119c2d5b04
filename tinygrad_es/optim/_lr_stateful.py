"""Planificadores con estado propio: ``ReduceLROnPlateau`` (mira una métrica), ``SequentialLR`` y
``ChainedScheduler`` (combinan otros planificadores), con las fórmulas de PyTorch. Los cíclicos
(``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts``) están en ``_lr_cyclic.py``."""
from __future__ import annotations

import math
import warnings
from bisect import bisect_right

from .._validate import DataError, choice, integer, number
from ._lr_base import _EPOCH_WARNING, LRScheduler, _check_state, check_optimizer, group_values

__all__ = ["ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]


class ReduceLROnPlateau(LRScheduler):
    """Baja la tasa cuando una métrica se estanca: multiplica la tasa por ``factor`` cuando la métrica que se
    pasa a ``step(métrica)`` lleva más de ``patience`` épocas sin mejorar (``mode='min'`` para pérdidas,
    ``'max'`` para exactitudes); tras bajar, espera ``cooldown`` épocas.

    Args:
        optimizer: el optimizador.
        mode: ``'min'`` (la métrica debe bajar) o ``'max'`` (``'min'``).
        factor: factor de reducción en [0, 1) (``0.1``).
        patience: épocas sin mejora que se toleran (``10``).
        threshold: cuánto debe mejorar para contar como mejora (``1e-4``).
        threshold_mode: ``'rel'`` (mejor = ``best·(1 ∓ threshold)``) o ``'abs'`` (``best ∓ threshold``).
        cooldown: épocas de espera tras cada reducción (``0``).
        min_lr: tasa mínima, un número o uno por grupo (``0``).
        eps: cambios de tasa menores que ``eps`` se ignoran (``1e-8``).

    Ejemplo (la pérdida de validación deja de bajar):
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
        >>> tasas = []
        >>> for perdida in [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]:
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step(perdida)
        >>> tasas
        [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]

    En PyTorch: ``torch.optim.lr_scheduler.ReduceLROnPlateau``.
    """

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0, min_lr=0, eps: float = 1e-8):
        """Véase el docstring de la clase."""
        number(factor, "factor", "ReduceLROnPlateau", low=0.0, high=1.0, high_open=True)
        integer(patience, "patience", "ReduceLROnPlateau")
        integer(cooldown, "cooldown", "ReduceLROnPlateau", low=0)
        number(threshold, "threshold", "ReduceLROnPlateau")
        number(eps, "eps", "ReduceLROnPlateau", low=0.0)
        self.factor = factor
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"se esperaban {len(optimizer.param_groups)} valores de min_lr, no {len(min_lr)}")
            self.default_min_lr, self.min_lrs = None, list(min_lr)
        else:
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * len(optimizer.param_groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = group_values(optimizer, "lr")
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None) -> None:
        """Una época con el valor de la métrica vigilada (p. ej. la pérdida de validación).

        Args:
            metrics: el valor de la métrica (un número o un tensor de un elemento).
            epoch: obsoleto (también en PyTorch): la época (``None``: la siguiente).
        """
        current = float(number(metrics, "metrics (la métrica que vigila)", "ReduceLROnPlateau.step", nan_ok=True,
                               type_exc=DataError))
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = group_values(self.optimizer, "lr")

    def _reduce_lr(self, epoch):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"el optimizador tiene {len(self.optimizer.param_groups)} grupos y "
                                   f"ReduceLROnPlateau se creó con {len(self.min_lrs)} valores de min_lr")
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for i, group in enumerate(self.optimizer.param_groups):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        choice(mode, ("min", "max"), "mode", "ReduceLROnPlateau")
        choice(threshold_mode, ("rel", "abs"), "threshold_mode", "ReduceLROnPlateau")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode

    def load_state_dict(self, state_dict):
        """Carga el estado guardado con ``state_dict()``.

        Args:
            state_dict: el dict de ``scheduler.state_dict()``.
        """
        _check_state(self, state_dict)
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


def _check_children(owner, optimizer, schedulers):
    name = type(owner).__name__
    for i, s in enumerate(schedulers):
        if not hasattr(s, "optimizer"):
            raise TypeError(f"{name}: el planificador {i} no tiene atributo optimizer")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(f"{name} no admite ReduceLROnPlateau (su step necesita la métrica); está en la "
                             f"posición {i}")
        if optimizer != s.optimizer:
            raise ValueError(f"{name}: todos los planificadores deben usar el mismo optimizador; el {i} "
                             f"({type(s).__name__}) usa otro")


class _Composite:
    def state_dict(self):
        sd = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        sd["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return sd

    def load_state_dict(self, state_dict):
        _check_state(self, state_dict)
        state_dict = dict(state_dict)
        subs = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        for own, saved in zip(self._schedulers, subs):
            own.load_state_dict(saved)


class SequentialLR(_Composite, LRScheduler):
    """Un planificador tras otro: ``schedulers[0]`` manda hasta la época ``milestones[0]``, después
    ``schedulers[1]``... (p. ej. calentamiento con ``LinearLR`` y después ``CosineAnnealingLR``).

    Args:
        optimizer: el optimizador (el mismo de todos los planificadores).
        schedulers: lista de planificadores.
        milestones: épocas de cambio (una menos que planificadores).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> lrs = optim.lr_scheduler
        >>> sched = lrs.SequentialLR(opt, [lrs.LinearLR(opt, start_factor=0.5, total_iters=2),
        ...                                lrs.ExponentialLR(opt, gamma=0.5)], milestones=[2])
        >>> tasas = []
        >>> for epoch in range(6):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.05, 0.075, 0.1, 0.05, 0.025, 0.0125]

    En PyTorch: ``torch.optim.lr_scheduler.SequentialLR``.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        if len(schedulers) < 1:
            raise ValueError("SequentialLR necesita al menos un planificador")
        _check_children(self, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: con {len(schedulers)} planificadores hacen falta {len(schedulers) - 1} "
                             f"hitos, no {len(milestones)}")
        self._schedulers, self._milestones = schedulers, milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None):
        """Deshace el paso inicial que cada planificador dio al crearse."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite, LRScheduler):
    """Aplica varios planificadores a la vez en cada ``step()``: sus efectos se multiplican.

    Args:
        schedulers: lista de planificadores (del mismo optimizador).
        optimizer: el optimizador (``None``: el del primer planificador).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> lrs = optim.lr_scheduler
        >>> sched = lrs.ChainedScheduler([lrs.ConstantLR(opt, factor=0.5, total_iters=2),
        ...                               lrs.ExponentialLR(opt, gamma=0.9)])
        >>> tasas = []
        >>> for epoch in range(4):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.05, 0.045, 0.081, 0.0729]

    En PyTorch: ``torch.optim.lr_scheduler.ChainedScheduler``.
    """

    def __init__(self, schedulers, optimizer=None):
        """Véase el docstring de la clase."""
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler necesita al menos un planificador")
        optimizer = optimizer or schedulers[0].optimizer
        _check_children(self, optimizer, schedulers)
        self._schedulers, self.optimizer = schedulers, optimizer
        self._last_lr = group_values(self._schedulers[-1].optimizer, "lr")

    def step(self) -> None:
        for s in self._schedulers:
            s.step()
        self._last_lr = group_values(self._schedulers[-1].optimizer, "lr")
