"""Planificadores cíclicos, un ``step()`` por lote: ``CyclicLR`` (triangular entre dos tasas),
``OneCycleLR`` (la política de un ciclo de Smith) y ``CosineAnnealingWarmRestarts`` (coseno con
reinicios), con las fórmulas de PyTorch; los dos primeros mueven también el momento al revés."""
from __future__ import annotations

import math
import types
from functools import partial

from .._validate import choice
from ._lr_base import LRScheduler, check_optimizer, format_param, group_values

__all__ = ["CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts"]


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
