"""Optimizadores y planificadores de la tasa de aprendizaje.

Cada ``step()`` aplica la fórmula publicada (la misma que documenta PyTorch)
sobre los parámetros con gradiente. Funcionan con ``Tensor``/``Parameter`` y
también con los ``Value`` del gemelo escalar: los dos se leen y se escriben con el
protocolo de grafo (``graph_data``, ``graph_grad``, ``graph_set_data``, ``graph_zero_grad``).
"""
from __future__ import annotations

import copy
import math

import numpy as np

from ._tensor import Tensor
from .graph_protocol import GraphNode

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "StepLR", "ExponentialLR"]


class Optimizer:
    """Base: ``param_groups`` (listas de parámetros con sus hiperparámetros) y ``state``."""

    def __init__(self, params, defaults: dict):
        params = list(params)
        if not params:
            raise ValueError("el optimizador recibió una lista de parámetros vacía")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = defaults
        self.param_groups = []
        for g in groups:
            g = dict(g)
            g["params"] = list(g["params"])
            for p in g["params"]:
                if not isinstance(p, GraphNode):
                    raise TypeError(f"el optimizador espera Tensores o Values, no {type(p).__name__}")
                if isinstance(p, Tensor) and not p.requires_grad:
                    raise ValueError("el optimizador recibió un tensor con requires_grad=False")
            for k, v in defaults.items():
                g.setdefault(k, v)
            self.param_groups.append(g)
        self.state = {}
        for g in self.param_groups:
            if g["lr"] < 0:
                raise ValueError(f"la tasa de aprendizaje debe ser ≥ 0, no {g['lr']}")

    def _params(self):
        for g in self.param_groups:
            for p in g["params"]:
                yield g, p

    def zero_grad(self, set_to_none: bool = True):
        for _, p in self._params():
            p.graph_zero_grad(set_to_none)

    def step(self):
        for g, p in self._params():
            grad = p.graph_grad()
            if grad is None:
                continue
            # un Tensor da su propio ndarray (se actualiza in situ); un Value, una copia 0-D
            data = p.graph_data()
            if not isinstance(data, np.ndarray):
                data = np.asarray(data, dtype=np.float64)
            st = self.state.setdefault(id(p), {})
            new = self._update(data, np.asarray(grad).astype(data.dtype, copy=False), st, g)
            p.graph_set_data(new)  # en tensores, como PyTorch: la versión del parámetro avanza

    def _update(self, p, g, state, group):  # pragma: no cover - abstracto
        raise NotImplementedError(f"{type(self).__name__} debe definir _update(p, g, estado, grupo)")

    # -- guardar y reanudar ----------------------------------------------------------
    def state_dict(self) -> dict:
        """Estado (momentos, pasos) por índice de parámetro e hiperparámetros por grupo."""
        index = {}
        groups = []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != "params"}, "params": ids})
        state = {index[k]: copy.deepcopy(v) for k, v in self.state.items() if k in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, sd: dict):
        groups = sd["param_groups"]
        if len(groups) != len(self.param_groups) or any(
                len(a["params"]) != len(b["params"]) for a, b in zip(groups, self.param_groups)):
            raise ValueError("load_state_dict: el estado guardado no corresponde a estos grupos de parámetros")
        params = [p for g in self.param_groups for p in g["params"]]
        self.state = {id(params[int(i)]): copy.deepcopy(v) for i, v in sd["state"].items()}
        for g, saved in zip(self.param_groups, groups):
            for k, v in saved.items():
                if k != "params":
                    g[k] = v

    def __repr__(self):
        hp = ", ".join(f"{k}={v}" for k, v in self.defaults.items())
        return f"{type(self).__name__}({hp})"


class SGD(Optimizer):
    """Descenso del gradiente: ``g ← g + λ·p``; con momento ``b ← μ·b + (1−τ)·g``
    (``b = g`` en el primer paso); Nesterov usa ``g + μ·b``; ``p ← p − lr·g``."""

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov necesita momentum > 0 y dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, p, g, st, h):
        if h["weight_decay"]:
            g = g + h["weight_decay"] * p
        mu = h["momentum"]
        if mu:
            if "momentum_buffer" not in st:
                st["momentum_buffer"] = g.copy()
            else:
                st["momentum_buffer"] = mu * st["momentum_buffer"] + (1 - h["dampening"]) * g
            buf = st["momentum_buffer"]
            g = g + mu * buf if h["nesterov"] else buf
        return p - h["lr"] * g


class RMSprop(Optimizer):
    """``v ← α·v + (1−α)·g²``; ``p ← p − lr·g / (√v + ε)`` (con momento opcional)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _update(self, p, g, st, h):
        if h["weight_decay"]:
            g = g + h["weight_decay"] * p
        a = h["alpha"]
        st["square_avg"] = a * st.get("square_avg", np.zeros_like(p)) + (1 - a) * g * g
        v = st["square_avg"]
        if h["centered"]:
            st["grad_avg"] = a * st.get("grad_avg", np.zeros_like(p)) + (1 - a) * g
            avg = np.sqrt(v - st["grad_avg"] ** 2) + h["eps"]
        else:
            avg = np.sqrt(v) + h["eps"]
        if h["momentum"]:
            st["momentum_buffer"] = h["momentum"] * st.get("momentum_buffer", np.zeros_like(p)) + g / avg
            return p - h["lr"] * st["momentum_buffer"]
        return p - h["lr"] * g / avg


class Adam(Optimizer):
    """Adam (Kingma y Ba): ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``,
    ``p ← p − lr · m̂ / (√v̂ + ε)`` con ``m̂ = m/(1−β₁ᵗ)``, ``v̂ = v/(1−β₂ᵗ)``.
    ``weight_decay`` suma ``λ·p`` al gradiente (L2 clásico)."""

    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"betas deben estar en [0, 1): {betas}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    def _update(self, p, g, st, h):
        lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
        if wd:
            if self.decoupled:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
        t = st["step"] = st.get("step", 0) + 1
        m = st["exp_avg"] = b1 * st.get("exp_avg", np.zeros_like(p)) + (1 - b1) * g
        v = st["exp_avg_sq"] = b2 * st.get("exp_avg_sq", np.zeros_like(p)) + (1 - b2) * g * g
        if h["amsgrad"]:
            v = st["max_exp_avg_sq"] = np.maximum(st.get("max_exp_avg_sq", np.zeros_like(p)), v)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        denom = np.sqrt(v) / math.sqrt(bc2) + eps
        return p - (lr / bc1) * m / denom


class AdamW(Adam):
    """Adam con decaimiento de pesos desacoplado (Loshchilov y Hutter):
    ``p ← p·(1 − lr·λ)`` antes del paso de Adam. ``weight_decay=0.01`` por defecto."""

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class _LRScheduler:
    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self.last_epoch = 0

    def step(self):
        """Llamar una vez por época, después de ``optimizer.step()``."""
        self.last_epoch += 1
        for g, base in zip(self.optimizer.param_groups, self.base_lrs):
            g["lr"] = self._lr(base)

    def get_last_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs)}

    def load_state_dict(self, sd):
        self.last_epoch, self.base_lrs = sd["last_epoch"], list(sd["base_lrs"])


class StepLR(_LRScheduler):
    """lr = lr₀ · γ^⌊época / step_size⌋."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def _lr(self, base):
        return base * self.gamma ** (self.last_epoch // self.step_size)


class ExponentialLR(_LRScheduler):
    """lr = lr₀ · γ^época."""

    def __init__(self, optimizer, gamma: float):
        super().__init__(optimizer)
        self.gamma = gamma

    def _lr(self, base):
        return base * self.gamma ** self.last_epoch
