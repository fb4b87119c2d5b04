"""``LRScheduler``: la base de los planificadores de la tasa de aprendizaje (``optim.lr_scheduler``).

Al crearlo, el planificador da un primer paso (``last_epoch`` pasa de −1 a 0) y guarda la tasa
inicial en ``param_groups[i]['initial_lr']``; cada ``step()`` pide a la subclase la tasa siguiente
(``get_lr``) y la escribe en los grupos del optimizador. Las subclases están en ``_lr_formula.py``
(una fórmula de la época), ``_lr_stateful.py`` (con estado propio) y ``_lr_cyclic.py`` (cíclicas).
"""
from __future__ import annotations

import warnings
from functools import wraps
from weakref import ref

from .._validate import DataError
from .optimizer import Optimizer

__all__ = ["LRScheduler", "_LRScheduler", "check_optimizer", "format_param", "group_values"]

_EPOCH_WARNING = ("El argumento epoch de scheduler.step() está obsoleto (también en PyTorch): llama a "
                  "scheduler.step() sin argumentos. Con epoch se usa la fórmula cerrada si existe.")


def check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} no es un Optimizer (el planificador necesita el optimizador, "
                        "p. ej. StepLR(optimizer, step_size=...))")


def format_param(name, optimizer, param):
    """Un valor por grupo de parámetros (una lista de la longitud justa, o el mismo para todos)."""
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"{name} debe tener un valor por grupo de parámetros: tiene {len(param)} y el "
                             f"optimizador tiene {len(optimizer.param_groups)} grupos")
        return list(param)
    return [param] * len(optimizer.param_groups)


def group_values(optimizer, key):
    return [group[key] for group in optimizer.param_groups]


def _check_state(owner, state_dict):
    """El estado de un planificador es un dict (``scheduler.state_dict()``); si no, error claro."""
    if not isinstance(state_dict, dict):
        raise DataError(f"{type(owner).__name__}.load_state_dict espera un dict (p. ej. scheduler.state_dict()), no "
                        f"{type(state_dict).__name__}")


class LRScheduler:
    """Base de los planificadores de la tasa de aprendizaje. Al crearse da un primer paso (``last_epoch``
    pasa de −1 a 0) y guarda la tasa de cada grupo en ``param_groups[i]['initial_lr']`` (las
    ``base_lrs``); cada ``step()`` (tras ``optimizer.step()``, una vez por época o por lote según el
    planificador) calcula la tasa siguiente y la escribe en ``param_groups[i]['lr']``. Las subclases
    definen ``get_lr()``.

    Args:
        optimizer: el optimizador cuya tasa se planifica.
        last_epoch: la última época hecha (``-1``: empezar; para reanudar, la época guardada, con
            ``initial_lr`` ya en los grupos).

    Métodos: ``step()``, ``get_last_lr()`` (una tasa por grupo), ``state_dict()`` / ``load_state_dict()``.

    Ejemplo (el bucle de los apuntes):
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
        >>> for epoch in range(2):
        ...     opt.step()                  # (los lotes de la época)
        ...     sched.step()                # una vez por época, después del optimizador
        >>> round(sched.get_last_lr()[0], 4)
        0.049

    En PyTorch: ``torch.optim.lr_scheduler.LRScheduler``.
    """

    def __init__(self, optimizer, last_epoch: int = -1):
        """Véase el docstring de la clase."""
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param_groups[{i}] no tiene 'initial_lr' y last_epoch={last_epoch}: para "
                                   "reanudar un entrenamiento carga antes el state_dict del optimizador")
        self.base_lrs = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._track_optimizer_step()
        self._initial_step()

    def _track_optimizer_step(self):
        """Envuelve ``optimizer.step`` para avisar si se llama al planificador antes (como PyTorch)."""
        opt = self.optimizer
        if hasattr(opt.step, "_wrapped_by_lr_sched"):
            return
        opt_ref, func = ref(opt), opt.step.__func__

        @wraps(func)
        def wrapper(*args, **kwargs):
            o = opt_ref()
            o._opt_called = True
            return func.__get__(o, o.__class__)(*args, **kwargs)
        wrapper._wrapped_by_lr_sched = True
        opt.step = wrapper

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict:
        """Todo el estado salvo el optimizador (como PyTorch)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Carga el estado guardado con ``state_dict()`` (todo salvo el optimizador).

        Args:
            state_dict: el dict de ``scheduler.state_dict()``.
        """
        _check_state(self, state_dict)
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list:
        """Las tasas que fijó el último ``step()`` (una por grupo)."""
        return self._last_lr

    def get_lr(self) -> list:
        """La tasa de cada grupo en la época ``last_epoch`` (la llama ``step()``; para leer la tasa actual usa
        ``get_last_lr()``).
        """
        raise NotImplementedError(f"{type(self).__name__} debe definir get_lr()")

    def _warn_get_lr(self):
        if not getattr(self, "_get_lr_called_within_step", False):
            warnings.warn("Para ver la última tasa calculada por el planificador usa get_last_lr()", UserWarning,
                          stacklevel=3)

    def step(self, epoch=None) -> None:
        """Avanza una época: llamar después de ``optimizer.step()``."""
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn("Parece que optimizer.step() se sustituyó después de crear el planificador: "
                              "llama a optimizer.step() antes que a scheduler.step()", UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn("Se llamó a scheduler.step() antes que a optimizer.step(). Desde PyTorch 1.1 el orden "
                              "es el contrario: optimizer.step() y después scheduler.step(); si no, se salta el "
                              "primer valor de la tasa.", UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self._get_closed_form_lr() if hasattr(self, "_get_closed_form_lr") else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = group_values(self.optimizer, "lr")


class _LRScheduler(LRScheduler):
    """Nombre antiguo de ``LRScheduler`` (PyTorch < 2.0).

    Args:
        optimizer: el optimizador.
        last_epoch: la última época hecha (``-1``).

    Ejemplo: ``class MiPlanificador(optim.lr_scheduler._LRScheduler): ...`` como en código antiguo.

    En PyTorch: ``torch.optim.lr_scheduler._LRScheduler``.
    """
