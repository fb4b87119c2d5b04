"""``Optimizer``: la base de los optimizadores (grupos de parámetros, estado, ``state_dict``).

Cada optimizador (``sgd.py``, ``adam.py``, ``adaptive.py``) define sólo ``_step_param``, con su
fórmula en el docstring de la clase. Cada ``step()`` aplica la fórmula de PyTorch (la versión "un tensor cada vez" que PyTorch usa en la
CPU) con el mismo orden de operaciones, in situ sobre el array del parámetro, y avanza su contador
de versiones. El estado (``exp_avg``, ``step``...) son tensores con los mismos nombres que en
PyTorch, así que ``optimizer.state_dict()`` pasa de un lado a otro con ``save``/``load``.
Funcionan también con los ``Value`` del motor escalar.
"""
from __future__ import annotations

import numbers
import warnings
from collections import defaultdict

import numpy as np

from .._tensor import Tensor
from .._validate import number
from ..autograd import enable_grad
from ..autograd.protocol import ParamNode
from ..kernels.sgd import axpy_

__all__ = ["Optimizer", "required", "check_hparam", "check_lr_eps_decay", "fused_ok", "lerp_", "add_scaled_"]


class _Required:
    def __repr__(self):
        return "<parámetro obligatorio>"


required = _Required()


def _check_params_arg(params, name):
    """``optim.SGD(model)`` o ``optim.SGD(model.parameters)`` son errores típicos: mensaje claro."""
    if isinstance(params, Tensor):
        raise TypeError(f"{name} espera un iterable de tensores (p. ej. model.parameters()) o de dicts con "
                        f"grupos, no un Tensor suelto: usa {name}([t], ...)")
    owner = getattr(params, "__self__", None)
    if callable(params) and getattr(params, "__name__", "") in ("parameters", "named_parameters") and owner is not None:
        raise TypeError(f"{name} recibió el método {type(owner).__name__}.{params.__name__} sin llamarlo: "
                        f"escribe model.{params.__name__}() con paréntesis")
    if hasattr(params, "named_parameters") and hasattr(params, "forward"):
        raise TypeError(f"{name} recibió el modelo ({type(params).__name__}) y no sus parámetros: usa "
                        f"{name}(model.parameters(), ...)")
    if isinstance(params, (str, bytes, dict)) or not hasattr(params, "__iter__"):
        raise TypeError(f"{name} espera un iterable de tensores o de dicts con grupos de parámetros, "
                        f"no {type(params).__name__}")


def check_hparam(owner: str, name: str, value, low=0.0, high=None, high_open=False):
    """Un hiperparámetro numérico (``_validate.number``): ``TypeError`` si no es un número (``lr="0.1"``,
    ``None``), ``ValueError`` si es NaN o está fuera de ``[low, high]`` (como ``not 0.0 <= lr`` de PyTorch)."""
    return number(value, name, owner, low=low, high=high, high_open=high_open)


def check_lr_eps_decay(owner: str, lr, eps, weight_decay):
    """Las tres comprobaciones que comparten casi todos los optimizadores (como PyTorch)."""
    check_hparam(owner, "lr (tasa de aprendizaje)", lr)
    check_hparam(owner, "eps", eps)
    check_hparam(owner, "weight_decay", weight_decay)


def _settable(p) -> bool:
    """Un parámetro optimizable: cumple el protocolo de parámetro (``Tensor`` o ``Value``)."""
    return isinstance(p, ParamNode)


class Optimizer:
    """La base de los optimizadores: ``param_groups`` (listas de parámetros, cada una con sus
    hiperparámetros), ``state`` (por parámetro: ``momentum_buffer``, ``exp_avg``, ``step``...),
    ``zero_grad``, ``step``, ``add_param_group`` y ``state_dict``/``load_state_dict`` (compatibles con
    los de PyTorch). Cada subclase define ``_step_param(p, g, estado, grupo)``, que actualiza el array
    ``p`` in situ con su fórmula.

    Args:
        params: iterable de tensores (``model.parameters()``) o de dicts ``{'params': [...], 'lr': ...}``
            (grupos con hiperparámetros propios).
        defaults: dict con los hiperparámetros por defecto de cada grupo.

    El bucle de entrenamiento de siempre: ``optimizer.zero_grad()``, ``loss.backward()``,
    ``optimizer.step()``.

    Ejemplo (un grupo por capa, con su propia tasa):
        >>> modelo = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
        >>> opt = optim.SGD([{"params": modelo[0].parameters()},
        ...                  {"params": modelo[1].parameters(), "lr": 0.01}], lr=0.1)
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]

    En PyTorch: ``torch.optim.Optimizer``.
    """

    def __init__(self, params, defaults: dict):
        """Véase el docstring de la clase."""
        _check_params_arg(params, type(self).__name__)
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} recibió una lista de parámetros vacía (¿el modelo no tiene "
                             f"parámetros, o el generador model.parameters() ya se consumió?)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: dict) -> None:
        """Añade un grupo ``{'params': [...], 'lr': ...}``; lo que no indique toma los valores por defecto."""
        if not isinstance(param_group, dict):
            raise TypeError(f"un grupo de parámetros debe ser un dict, no {type(param_group).__name__}")
        params = param_group["params"]
        if _settable(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("los parámetros deben ir en una colección ordenada (lista o tupla), no en un set: "
                            "el orden de un set cambia de una ejecución a otra")
        else:
            params = list(params)
        for p in params:
            if not _settable(p):
                raise TypeError(f"el optimizador sólo optimiza tensores (o Values), no {type(p).__name__}")
            if isinstance(p, Tensor) and not p.is_leaf:
                raise ValueError("no se puede optimizar un tensor que no es hoja (es el resultado de una operación); "
                                 "optimiza los parámetros del modelo")
        group = dict(param_group)
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"el grupo de parámetros no indica {name}, que es obligatorio")
            group.setdefault(name, default)
            if isinstance(default, float) and group[name] is not default:  # lr='0.1' en un grupo: error aquí
                check_hparam(type(self).__name__, f"{name} (del grupo {len(self.param_groups)})", group[name],
                             low=None)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("un grupo de parámetros tiene parámetros repetidos; en el futuro será un error "
                          "(como en PyTorch)", UserWarning, stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("algunos parámetros aparecen en más de un grupo de parámetros")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Borra los gradientes: ``None`` (por defecto) o ceros in situ con ``set_to_none=False``."""
        for g in self.param_groups:
            for p in g["params"]:
                p.zero_param_grad(set_to_none)

    def step(self, closure=None):
        """Un paso de la fórmula sobre cada parámetro con gradiente; ``closure`` (opcional)
        recalcula y devuelve la pérdida."""
        loss = None
        if closure is not None and not callable(closure):
            raise TypeError(f"{type(self).__name__}.step: closure debe ser una función que recalcula la pérdida "
                            f"(o nada), no {type(closure).__name__}")
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group):
        """El paso de la fórmula sobre cada parámetro del grupo con gradiente."""
        for p in group["params"]:
            self._step_one(p, group)

    def _step_one(self, p, group):
        """El paso de la fórmula (``_step_param``) sobre el parámetro ``p``, si tiene gradiente."""
        grad = p.param_grad()
        if grad is None:
            return
        # un Tensor da su propio ndarray (se actualiza in situ); un Value, una copia 0-D
        data = p.param_data()
        if not isinstance(data, np.ndarray):
            data = np.asarray(data, dtype=np.float64)
        grad = np.asarray(grad)
        if grad.dtype != data.dtype:
            grad = grad.astype(data.dtype)
        if group.get("maximize"):
            grad = -grad
        self._step_param(data, grad, self.state[p], group)
        p.set_param(data)  # en tensores, como PyTorch: la versión del parámetro avanza

    def _step_param(self, p, g, state, group):  # pragma: no cover - abstracto
        raise NotImplementedError(f"{type(self).__name__} debe definir _step_param(p, g, estado, grupo)")

    # -- estado ------------------------------------------------------------------------
    @staticmethod
    def _buffer(state, key, like, fill=0.0):
        """El array del tensor ``state[key]`` (creado lleno de ``fill`` si no existe)."""
        t = state.get(key)
        if t is None:
            t = state[key] = Tensor._wrap(np.full_like(like, fill))
        return t._data

    @staticmethod
    def _count(state, key="step", start=0.0) -> float:
        """Incrementa el contador ``state[key]`` (float32 0-D, como PyTorch) y devuelve su valor."""
        t = state.get(key)
        if t is None:
            t = state[key] = Tensor._wrap(np.array(start, dtype=np.float32))
        t._data += 1
        return float(t._data)

    def state_dict(self) -> dict:
        """``{'state': {índice: {...}}, 'param_groups': [{..., 'params': [índices]}]}`` como PyTorch."""
        index, groups = {}, []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Carga el estado (también uno guardado por PyTorch): mismos grupos y tamaños."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(f"{name}.load_state_dict espera un dict (p. ej. optimizer.state_dict()), no "
                            f"{type(state_dict).__name__}")
        for key in ("param_groups",):
            if key not in state_dict:
                raise KeyError(f"{name}.load_state_dict: al estado le falta la clave {key!r} (¿es el state_dict de "
                               f"un modelo y no el de un optimizador?)")
        groups = state_dict["param_groups"]
        if not isinstance(groups, (list, tuple)) or not all(isinstance(g, dict) and "params" in g for g in groups):
            raise TypeError(f"{name}.load_state_dict: param_groups debe ser una lista de dicts con 'params'")
        for i, g in enumerate(groups):
            for key, default in self.defaults.items():
                if isinstance(default, float) and key in g:
                    check_hparam(name, f"{key} (del grupo {i} del estado)", g[key], low=None)
        if len(groups) != len(self.param_groups):
            raise ValueError(f"load_state_dict: el estado tiene {len(groups)} grupos de parámetros y el "
                             f"optimizador {len(self.param_groups)}")
        for i, (a, b) in enumerate(zip(groups, self.param_groups)):
            if len(a["params"]) != len(b["params"]):
                raise ValueError(f"load_state_dict: el grupo {i} tiene {len(a['params'])} parámetros en el estado "
                                 f"y {len(b['params'])} en el optimizador")
        by_index = {}
        for saved, own in zip(groups, self.param_groups):
            by_index.update(zip(saved["params"], own["params"]))
        self.state = defaultdict(dict)
        for k, s in state_dict["state"].items():
            p = by_index.get(int(k))
            if p is None:
                continue
            self.state[p] = {key: _state_value(p, key, v) for key, v in s.items()}
        for own, saved in zip(self.param_groups, groups):
            for k, v in saved.items():
                if k != "params":
                    own[k] = v

    def __getstate__(self):
        """Lo que se guarda al serializar con ``pickle``: ``defaults``, ``state`` y ``param_groups``."""
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        """Restaura lo guardado por ``__getstate__``."""
        self.__dict__.update(state)

    def __repr__(self):
        """``SGD (Parameter Group 0 ...)``: los hiperparámetros de cada grupo, como PyTorch."""
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        return "\n".join(lines) + "\n)"


def _state_value(p, key, v):
    """Como PyTorch: los tensores del estado toman el dtype del parámetro, salvo los escalares float32
    (``step``, ``mu_product`` de NAdam, ``eta`` y ``mu`` de ASGD)."""
    if isinstance(v, (Tensor, np.ndarray, np.generic)) or (key == "step" and isinstance(v, numbers.Real)):
        a = np.asarray(v._data if isinstance(v, Tensor) else v)
        if key in ("step", "mu_product", "eta", "mu"):
            return Tensor._wrap(np.array(a, dtype=np.float32))
        dt = p._data.dtype if isinstance(p, Tensor) else np.dtype(np.float64)
        return Tensor._wrap(np.array(a, dtype=dt if dt.kind == "f" else a.dtype))
    return v


def _as_float(x, dt):
    return dt.type(x)


def fused_ok(p, *arrays) -> bool:
    """¿Puede un núcleo de una pasada (``kernels/adam.py``, ``kernels/sgd.py``) actualizar ``p`` con
    ``arrays``? Flotante, contiguo y escribible, y todos de su forma y su dtype."""
    return (p.dtype in (np.float32, np.float64) and p.flags.c_contiguous and p.flags.writeable
            and all(a.dtype == p.dtype and a.shape == p.shape and a.flags.c_contiguous for a in arrays))


def lerp_(a, b, w):
    """``a ← lerp(a, b, w)`` con la fórmula de PyTorch (estable para pesos grandes y pequeños)."""
    w = _as_float(w, a.dtype)
    if abs(w) < 0.5:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * (a.dtype.type(1) - w)


def add_scaled_(y, x, alpha):
    """``y += alpha·x`` como ``y.add_(x, alpha=alpha)`` de PyTorch: con un redondeo (FMA, en una
    pasada: ``kernels/sgd.py``) si los arrays lo permiten; si no, con numpy (dos redondeos)."""
    if fused_ok(y, x):
        axpy_(y.reshape(-1), x.reshape(-1), alpha)
    else:
        y += alpha * x
    return y
