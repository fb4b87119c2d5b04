"""Planificadores con estado propio: ``ReduceLROnPlateau``, ``SequentialLR``, ``ChainedScheduler``,
``CyclicLR``, ``OneCycleLR`` y ``CosineAnnealingWarmRestarts`` (fórmulas de PyTorch)."""
from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from functools import partial

from .._validate import DataError, choice, integer, number
from ._lr_formula import _EPOCH_WARNING, LRScheduler, _check_state, check_optimizer, format_param, group_values

__all__ = ["ReduceLROnPlateau", "SequentialLR", "ChainedScheduler", "CyclicLR", "OneCycleLR",
           "CosineAnnealingWarmRestarts"]


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


def _set_momentum(group, value, use_beta1):
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def _init_momentum(owner, optimizer, base_momentum, max_momentum, last_epoch):
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("cycle_momentum=True necesita un optimizador con momentum o betas (usa cycle_momentum=False)")
    owner.use_beta1 = "betas" in optimizer.defaults
    maxs = format_param("max_momentum", optimizer, max_momentum)
    bases = format_param("base_momentum", optimizer, base_momentum)
    if last_epoch == -1:
        for m, b, group in zip(maxs, bases, optimizer.param_groups):
            _set_momentum(group, m, owner.use_beta1)
            group["max_momentum"], group["base_momentum"] = m, b
    return bases, maxs


class CyclicLR(LRScheduler):
    """Tasa cíclica (Smith): oscila entre ``base_lr`` y ``max_lr``, subiendo ``step_size_up`` pasos y
    bajando ``step_size_down``; se llama a ``step()`` después de cada lote. Con ``cycle_momentum``, el
    momento del optimizador oscila al revés, entre ``max_momentum`` y ``base_momentum``.

    Args:
        optimizer: el optimizador (con ``momentum``, o ``betas``, si ``cycle_momentum``).
        base_lr: tasa mínima (una o una por grupo).
        max_lr: tasa máxima (una o una por grupo).
        step_size_up: pasos de subida (``2000``).
        step_size_down: pasos de bajada (``None``: como ``step_size_up``).
        mode: ``'triangular'`` (amplitud fija), ``'triangular2'`` (la amplitud se divide por 2 en cada
            ciclo) o ``'exp_range'`` (se multiplica por ``gamma**paso``).
        gamma: la base de ``'exp_range'`` (``1.0``).
        scale_fn: función propia de escala de la amplitud (``None``: la de ``mode``).
        scale_mode: ``'cycle'`` o ``'iterations'``, a qué se aplica ``scale_fn`` (``'cycle'``).
        cycle_momentum: hacer oscilar el momento (``True``).
        base_momentum: momento mínimo (``0.8``).
        max_momentum: momento máximo (``0.9``).
        last_epoch: el último paso hecho (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = optim.lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
        >>> tasas = []
        >>> for lote in range(6):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.01, 0.055, 0.1, 0.055, 0.01, 0.055]

    En PyTorch: ``torch.optim.lr_scheduler.CyclicLR``.
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up: int = 2000, step_size_down=None,
                 mode: str = "triangular", gamma: float = 1.0, scale_fn=None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float = 0.8, max_momentum: float = 0.9,
                 last_epoch: int = -1):
        """Véase el docstring de la clase."""
        check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = format_param("max_lr", optimizer, max_lr)
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode {mode!r} no válido y no hay scale_fn")
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom, self.scale_mode = scale_fn, scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _init_momentum(self, optimizer, base_momentum, max_momentum,
                                                                     last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref, self.scale_mode = (lambda x: 1.0), "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref, self.scale_mode = (lambda x: 1 / (2.0 ** (x - 1))), "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref, self.scale_mode = partial(pow, self.gamma), "iterations"

    def scale_fn(self, x):
        """El factor de amplitud del ciclo ``x`` (o del paso ``x``, con ``scale_mode='iterations'``)."""
        return self._scale_fn_custom(x) if self._scale_fn_custom is not None else self._scale_fn_ref(x)

    def get_lr(self):
        self._warn_get_lr()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        scale_factor = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        arg = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * self.scale_fn(arg)
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, b, m in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                _set_momentum(group, m - (m - b) * scale_factor * self.scale_fn(arg), self.use_beta1)
        return lrs

    def state_dict(self):
        state = super().state_dict()
        state.pop("_scale_fn_ref", None)
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None if fn is None or isinstance(fn, types.FunctionType) else fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        fn = state_dict.pop("_scale_fn_custom")
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class CosineAnnealingWarmRestarts(LRScheduler):
    """Coseno con reinicios (SGDR, Loshchilov y Hutter): ``lr = η_min + (lr₀ − η_min)·(1 + cos(π·T_cur/T_i))/2``,
    con ``T_cur`` las épocas desde el último reinicio; el periodo ``T_i`` empieza en ``T_0`` y se
    multiplica por ``T_mult`` en cada reinicio.

    Args:
        optimizer: el optimizador.
        T_0: épocas hasta el primer reinicio (entero ≥ 1).
        T_mult: factor del periodo tras cada reinicio (``1``).
        eta_min: η_min, la tasa mínima (``0.0``).
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
        >>> tasas = []
        >>> for epoch in range(6):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.1, 0.05, 0.1, 0.05, 0.1, 0.05]

    En PyTorch: ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``.
    """

    def __init__(self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"T_0 debe ser un entero positivo, no {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"T_mult debe ser un entero ≥ 1, no {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"eta_min debe ser un número, no {eta_min!r}")
        self.T_0 = self.T_i = T_0
        self.T_mult, self.eta_min, self.T_cur = T_mult, eta_min, last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_get_lr()
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch=None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"epoch debe ser ≥ 0, no {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i, self.T_cur = self.T_0, epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            lrs = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = group_values(self.optimizer, "lr")


class OneCycleLR(LRScheduler):
    """Política de un ciclo (Smith): la tasa sube de ``max_lr/div_factor`` a ``max_lr`` durante
    ``pct_start`` de los pasos y baja hasta ``max_lr/(div_factor·final_div_factor)`` en el resto (con
    ``three_phase``, baja primero a la inicial y luego a la final); el momento hace lo contrario. Se
    llama a ``step()`` después de cada lote, ``total_steps`` veces.

    Args:
        optimizer: el optimizador.
        max_lr: tasa máxima (una o una por grupo).
        total_steps: pasos del ciclo (``None``: ``epochs·steps_per_epoch``).
        epochs: épocas (con ``steps_per_epoch``, si no se da ``total_steps``).
        steps_per_epoch: lotes por época.
        pct_start: fracción de los pasos de subida (``0.3``).
        anneal_strategy: ``'cos'`` o ``'linear'`` (``'cos'``).
        cycle_momentum: hacer oscilar el momento (``True``).
        base_momentum: momento mínimo (``0.85``).
        max_momentum: momento máximo (``0.95``).
        div_factor: tasa inicial = ``max_lr/div_factor`` (``25.0``).
        final_div_factor: tasa final = inicial/``final_div_factor`` (``1e4``).
        three_phase: tres fases en vez de dos (``False``).
        last_epoch: el último paso hecho (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=5)
        >>> tasas = []
        >>> for lote in range(5):
        ...     opt.step(); tasas.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> tasas
        [0.004, 0.095, 0.0611, 0.0188, 0.0]

    En PyTorch: ``torch.optim.lr_scheduler.OneCycleLR``.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1):
        """Véase el docstring de la clase."""
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"total_steps debe ser un entero positivo, no {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"epochs debe ser un entero positivo, no {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"steps_per_epoch debe ser un entero positivo, no {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR necesita total_steps, o bien epochs y steps_per_epoch")
        up = float(pct_start * self.total_steps) - 1
        phase = lambda end, a, b, ma, mb: {"end_step": end, "start_lr": a, "end_lr": b,  # noqa: E731
                                           "start_momentum": ma, "end_momentum": mb}
        if three_phase:
            self._schedule_phases = [
                phase(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                phase(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
                      "max_momentum"),
                phase(self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._schedule_phases = [phase(up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                                     phase(self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(f"pct_start debe ser un float entre 0 y 1, no {pct_start}")
        choice(anneal_strategy, ("cos", "linear"), "anneal_strategy", "OneCycleLR")
        self._anneal_func_type = anneal_strategy
        max_lrs = format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _init_momentum(self, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        self._warn_get_lr()
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: se llamó a step() {step} veces y total_steps es {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, ph in enumerate(self._schedule_phases):
                end = ph["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lr = self._anneal(group[ph["start_lr"]], group[ph["end_lr"]], pct)
                    if self.cycle_momentum:
                        mom = self._anneal(group[ph["start_momentum"]], group[ph["end_momentum"]], pct)
                    break
                start = ph["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                _set_momentum(group, mom, self.use_beta1)
        return lrs
