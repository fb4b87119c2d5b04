"""``optim.swa_utils``: promedio de pesos (SWA, Izmailov et al.) y media móvil exponencial (EMA) de un
modelo a lo largo del entrenamiento, la tasa constante de SWA (``SWALR``) y ``update_bn``, que recalcula
las estadísticas de BatchNorm del modelo promediado. Las fórmulas y el orden de operaciones de
``torch.optim.swa_utils`` en la CPU.
"""
from __future__ import annotations

import itertools
import math
from copy import deepcopy

import numpy as np

from .._tensor import Tensor
from ..autograd import no_grad
from ..nn.module import Module
from ..nn.modules.normalization import _BatchNorm
from ._lr_base import LRScheduler, format_param
from .optimizer import lerp_

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn",
           "get_swa_avg_fn"]


def _check_decay(decay):
    if not 0.0 <= decay <= 1.0:  # también NaN
        raise ValueError(f"decay debe estar en [0, 1] (la fracción del promedio que se conserva en cada paso), "
                         f"no {decay}")


def _write(t: Tensor, value) -> None:
    """``t.detach().copy_(value)``: escribe in situ (en el dtype de ``t``) y avanza su versión."""
    t.set_param(value)


def get_ema_multi_avg_fn(decay=0.999):
    """La media móvil exponencial (EMA) de una lista de parámetros, in situ:
    ``W_ema ← decay·W_ema + (1 − decay)·W`` (con la fórmula de ``lerp``).

    Args:
        decay: la fracción del promedio que se conserva en cada paso, en ``[0, 1]`` (``0.999``).

    Devuelve ``f(ema_params, model_params, n_averaged)`` para ``AveragedModel(multi_avg_fn=...)``.

    Ejemplo:
        >>> ema = optim.swa_utils.AveragedModel(nn.Linear(2, 1), multi_avg_fn=optim.swa_utils.get_ema_multi_avg_fn(0.9))

    En PyTorch: ``torch.optim.swa_utils.get_ema_multi_avg_fn``.
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                a = p_ema._data
                if a.dtype.kind in "fc":
                    lerp_(a, p_model._data.astype(a.dtype, copy=False), 1 - decay)
                    _write(p_ema, a)
                else:  # enteros (num_batches_tracked): como PyTorch, el resultado en flotante se trunca
                    _write(p_ema, (a * decay + p_model._data * (1 - decay)).astype(a.dtype))
    return ema_update


def get_swa_multi_avg_fn():
    """El promedio (SWA) de una lista de parámetros, in situ: ``W_swa ← W_swa + (W − W_swa)/(n + 1)``
    (con ``lerp`` de peso ``1/(n + 1)``; con ``n`` tensor, ese peso en float32, como PyTorch).

    Devuelve ``f(swa_params, model_params, n_averaged)`` para ``AveragedModel(multi_avg_fn=...)``.

    Ejemplo:
        >>> swa = optim.swa_utils.AveragedModel(nn.Linear(2, 1), multi_avg_fn=optim.swa_utils.get_swa_multi_avg_fn())

    En PyTorch: ``torch.optim.swa_utils.get_swa_multi_avg_fn``.
    """
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        n = num_averaged
        if isinstance(n, Tensor):  # 1/(tensor entero + 1): un tensor del dtype por defecto (float32)
            weight = float(np.float32(1 / (float(n._data) + 1)))
        else:
            weight = 1.0 / (n + 1)
        with no_grad():
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                a = p_avg._data
                if a.dtype.kind in "fc":
                    lerp_(a, p_model._data.astype(a.dtype, copy=False), weight)
                    _write(p_avg, a)
                else:
                    _write(p_avg, (a + (p_model._data - a) * weight).astype(a.dtype))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """La media móvil exponencial de un parámetro: devuelve ``decay·W_ema + (1 − decay)·W``.

    Args:
        decay: la fracción del promedio que se conserva en cada paso, en ``[0, 1]`` (``0.999``).

    Devuelve ``f(ema_param, model_param, n_averaged)`` para ``AveragedModel(avg_fn=...)``.

    Ejemplo:
        >>> f = optim.swa_utils.get_ema_avg_fn(0.9)
        >>> f(torch.tensor([1.0]), torch.tensor([2.0]), 3)
        tensor([1.1000])

    En PyTorch: ``torch.optim.swa_utils.get_ema_avg_fn``.
    """
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """El promedio (SWA) de un parámetro: devuelve ``W_swa + (W − W_swa)/(n + 1)``.

    Devuelve ``f(swa_param, model_param, n_averaged)`` para ``AveragedModel(avg_fn=...)`` (es el que usa
    ``AveragedModel`` por defecto).

    Ejemplo:
        >>> f = optim.swa_utils.get_swa_avg_fn()
        >>> f(torch.tensor([1.0]), torch.tensor([4.0]), 2)
        tensor([2.])

    En PyTorch: ``torch.optim.swa_utils.get_swa_avg_fn``.
    """
    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """Una copia de ``model`` cuyos parámetros son el promedio de los de ``model`` a lo largo del
    entrenamiento: SWA (el promedio con el mismo peso, por defecto) o EMA (con
    ``multi_avg_fn=get_ema_multi_avg_fn(decay)``). La primera llamada a ``update_parameters(model)`` copia
    los pesos; las siguientes los promedian; ``n_averaged`` (un buffer ``int64``) cuenta los modelos
    promediados. Se usa como el modelo (``forward`` llama al de dentro, ``self.module``).

    Args:
        model: el modelo que se promedia (se copia con ``deepcopy``).
        device: dónde poner la copia (``None``: donde esté; aquí, siempre la CPU).
        avg_fn: ``f(W_prom, W, n) → nuevo W_prom``, parámetro a parámetro (``None``).
        multi_avg_fn: ``f(lista_prom, lista, n)``, in situ sobre las listas (``None``; no a la vez que
            ``avg_fn``). Sin ninguna de las dos, el promedio de SWA.
        use_buffers: promediar también los buffers (``running_mean``...) (``False``: se copian los del
            modelo en cada ``update_parameters``).

    Ejemplo (SWA: el promedio de los pesos de tres momentos del entrenamiento):
        >>> lin = nn.Linear(1, 1, bias=False)
        >>> swa = optim.swa_utils.AveragedModel(lin)
        >>> for w in (1.0, 2.0, 6.0):
        ...     with torch.no_grad():
        ...         _ = lin.weight.fill_(w)
        ...     swa.update_parameters(lin)
        >>> swa.module.weight.item(), swa.n_averaged.item()
        (3.0, 3)

    En PyTorch: ``torch.optim.swa_utils.AveragedModel``.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        """Véase el docstring de la clase."""
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("AveragedModel: da avg_fn o multi_avg_fn, no las dos")
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel espera un nn.Module, no {type(model).__name__}")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", Tensor._wrap(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """La salida del modelo promediado (``self.module``)."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model) -> None:
        """Promedia (o copia, la primera vez) los parámetros de ``model`` en los de este modelo; sin
        ``use_buffers``, copia además los buffers. Suma 1 a ``n_averaged``."""
        if self.use_buffers:
            self_param = itertools.chain(self.module.parameters(), self.module.buffers())
            model_param = itertools.chain(model.parameters(), model.buffers())
        else:
            self_param, model_param = self.parameters(), model.parameters()
        mine, theirs = [], []
        copy_param = int(self.n_averaged._data) == 0
        for p_averaged, p_model in zip(self_param, model_param):
            mine.append(p_averaged)
            theirs.append(p_model.detach())
            if copy_param:
                _write(p_averaged, p_model._data)
        if int(self.n_averaged._data) > 0:
            if self.multi_avg_fn is not None:
                groups = {}  # por dtype, como PyTorch (por dispositivo y dtype)
                for a, b in zip(mine, theirs):
                    pair = groups.setdefault(a._data.dtype, ([], []))
                    pair[0].append(a)
                    pair[1].append(b)
                for avg_list, model_list in groups.values():
                    self.multi_avg_fn(avg_list, model_list, self.n_averaged)
            else:
                avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
                for p_averaged, p_model in zip(mine, theirs):
                    value = avg_fn(p_averaged.detach(), p_model, self.n_averaged)
                    _write(p_averaged, value._data if isinstance(value, Tensor) else value)
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                _write(b_swa, b_model._data)
        self.n_averaged._data += 1
        self.n_averaged._vc.value += 1


def update_bn(loader, model, device=None) -> None:
    """Recalcula ``running_mean``/``running_var`` de las capas BatchNorm de ``model`` con una pasada por
    ``loader`` (la media acumulada de todos los lotes: ``momentum=None`` durante la pasada), sin
    gradientes. Se usa tras SWA: los pesos promediados necesitan sus propias estadísticas.

    Args:
        loader: iterable de lotes; cada lote es un tensor o una lista/tupla cuyo primer elemento es la
            entrada del modelo.
        model: el modelo (p. ej. un ``AveragedModel``); vuelve a su modo (train/eval) al terminar.
        device: si se da, cada lote se mueve allí antes (``input.to(device)``).

    Ejemplo:
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
        >>> loader = [torch.ones(4, 2), torch.zeros(4, 2)]
        >>> optim.swa_utils.update_bn(loader, model)
        >>> model[1].num_batches_tracked.item()
        2

    En PyTorch: ``torch.optim.swa_utils.update_bn``.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
    for bn_module in momenta:
        bn_module.momentum = momenta[bn_module]
    model.train(was_training)


class SWALR(LRScheduler):
    """La tasa de SWA: lleva la tasa de cada grupo de la que tenga a ``swa_lr`` en ``anneal_epochs``
    épocas (coseno o lineal) y la deja ahí. Con ``α_t = a(min(1, t/anneal_epochs))`` (``a(x) =
    (1 − cos πx)/2`` o ``a(x) = x``): ``lr_t = swa_lr·α_t + lr₀·(1 − α_t)``, con ``lr₀`` reconstruida de la
    tasa actual (así se encadena con otros planificadores).

    Args:
        optimizer: el optimizador.
        swa_lr: la tasa final (un número, o uno por grupo).
        anneal_epochs: épocas de la transición (``10``; entero ≥ 0).
        anneal_strategy: ``"cos"`` (por defecto) o ``"linear"``.
        last_epoch: la última época hecha (``-1``).

    Ejemplo:
        >>> opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
        >>> lrs = []
        >>> for _ in range(3):
        ...     opt.step(); sched.step(); lrs.append(round(opt.param_groups[0]["lr"], 4))
        >>> lrs
        [0.55, 0.1, 0.1]

    En PyTorch: ``torch.optim.swa_utils.SWALR``.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        """Véase el docstring de la clase."""
        swa_lrs = format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"SWALR: anneal_strategy debe ser 'cos' o 'linear', no {anneal_strategy!r}")
        self._set_anneal_func(anneal_strategy)
        if isinstance(anneal_epochs, bool) or not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"SWALR: anneal_epochs debe ser un entero ≥ 0, no {anneal_epochs!r}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self):
        """La tasa de cada grupo en este paso (véase el docstring de la clase)."""
        self._warn_get_lr()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self) -> dict:
        """Todo el estado salvo el optimizador y la función de la transición (como PyTorch)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict) -> None:
        """Carga el estado de ``state_dict()`` (y restaura la función de la transición)."""
        super().load_state_dict(state_dict)
        self._set_anneal_func(self._anneal_strategy)
