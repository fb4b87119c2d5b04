"""``Module`` y ``Parameter``: la base de todas las capas y modelos.

Los parámetros se descubren recorriendo los atributos del módulo (y listas,
tuplas y diccionarios dentro de ellos), con nombres con puntos como en
PyTorch: ``features.0.weight``.
"""
from __future__ import annotations

import difflib
from collections import OrderedDict

import numpy as np

from .._tensor import Tensor
from ..value import Value

__all__ = ["Module", "Parameter"]


class Parameter(Tensor):
    """Un ``Tensor`` que el modelo aprende (siempre ``requires_grad=True``)."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True, dtype=None):
        arr = data._data if isinstance(data, Tensor) else np.asarray(data)
        if dtype is None:
            dtype = arr.dtype if arr.dtype in (np.float32, np.float64) else np.float32
        super().__init__(np.array(arr, dtype=dtype), dtype=dtype, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class _HookHandle:
    def __init__(self, hooks: list, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _is_param(x) -> bool:
    return isinstance(x, Parameter) or (isinstance(x, Value) and x.is_leaf)


class Module:
    """Base de las capas. Las subclases definen ``forward``; se llaman como funciones."""

    training: bool

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_hooks", [])
        object.__setattr__(self, "_buffer_names", [])

    def __call__(self, *args, **kwargs):
        out = self.forward(*args, **kwargs)
        for hook in list(self.__dict__.get("_forward_hooks", ())):
            r = hook(self, args, out)
            if r is not None:
                out = r
        return out

    def forward(self, *args, **kwargs):  # pragma: no cover - abstracto
        raise NotImplementedError(f"{type(self).__name__} debe definir forward()")

    def __getattr__(self, name):
        # Sólo se llama si el atributo no existe: error claro, nunca None.
        if name.startswith("__"):
            raise AttributeError(name)
        if name in ("_forward_hooks", "_buffer_names", "training"):
            raise AttributeError(f"'{type(self).__name__}' no está inicializado: llama a super().__init__() "
                                 f"al principio de su __init__")
        known = [k for k in self.__dict__ if not k.startswith("_")]
        known += [k for k in dir(type(self)) if not k.startswith("_")]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" ¿Quisiste decir '{close[0]}'?" if close else ""
        raise AttributeError(f"'{type(self).__name__}' no tiene el atributo '{name}'.{hint}")

    # -- registro ------------------------------------------------------------------------
    def register_buffer(self, name: str, value) -> None:
        """Estado no entrenable que se guarda en ``state_dict`` (p. ej. medias de BatchNorm)."""
        setattr(self, name, value)
        if name not in self._buffer_names:
            self._buffer_names.append(name)

    def register_forward_hook(self, hook):
        """``hook(módulo, entradas, salida)`` tras cada ``forward``; devuelve un asa con ``remove()``."""
        self._forward_hooks.append(hook)
        return _HookHandle(self._forward_hooks, hook)

    # -- recorrido -----------------------------------------------------------------------
    def _members(self):
        for k, v in self.__dict__.items():
            if not k.startswith("_") and k != "training":
                yield k, v

    @staticmethod
    def _walk(prefix, obj, seen):
        """(nombre, objeto) para parámetros y submódulos dentro de contenedores."""
        if isinstance(obj, Module) or _is_param(obj):
            yield prefix, obj
        elif isinstance(obj, (list, tuple)):
            for i, x in enumerate(obj):
                yield from Module._walk(f"{prefix}.{i}", x, seen)
        elif isinstance(obj, dict):
            for k, x in obj.items():
                yield from Module._walk(f"{prefix}.{k}", x, seen)

    def named_children(self):
        """Submódulos directos (también dentro de listas/tuplas/dicts)."""
        seen = set()
        for k, v in self._members():
            for name, obj in self._walk(k, v, seen):
                if isinstance(obj, Module) and id(obj) not in seen:
                    seen.add(id(obj))
                    yield name, obj

    def children(self):
        return [m for _, m in self.named_children()]

    def named_modules(self, prefix: str = ""):
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            kids = list(m.named_children())
            for cn, c in reversed(kids):
                stack.append((f"{name}.{cn}" if name else cn, c))

    def modules(self):
        return [m for _, m in self.named_modules()]

    def named_parameters(self, prefix: str = ""):
        """(nombre con puntos, parámetro), sin repetir parámetros compartidos."""
        seen = set()
        for mname, m in self.named_modules(prefix):
            for k, v in m._members():
                for name, obj in Module._walk(k, v, set()):
                    if _is_param(obj) and id(obj) not in seen:
                        seen.add(id(obj))
                        yield (f"{mname}.{name}" if mname else name), obj

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return int(sum(p._data.size if isinstance(p, Tensor) else 1 for p in self.parameters()))

    # -- modos y gradientes --------------------------------------------------------------
    def train(self, mode: bool = True):
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None if isinstance(p, Tensor) else 0.0

    # -- estado --------------------------------------------------------------------------
    def _state_items(self):
        """(nombre, ("param", p) | ("buffer", (módulo, atributo))) en el orden de PyTorch:
        módulo a módulo, primero sus parámetros y después sus buffers."""
        seen = set()
        for mname, m in self.named_modules():
            pre = f"{mname}." if mname else ""
            for k, v in m._members():
                for name, obj in Module._walk(k, v, set()):
                    if _is_param(obj) and id(obj) not in seen:
                        seen.add(id(obj))
                        yield pre + name, ("param", obj)
            for b in m._buffer_names:
                yield pre + b, ("buffer", (m, b))

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copia de parámetros y buffers por nombre (mismas claves y orden que PyTorch)."""
        sd = OrderedDict()
        for name, (kind, obj) in self._state_items():
            val = (obj._data if isinstance(obj, Tensor) else obj.data) if kind == "param" else getattr(*obj)
            sd[name] = Tensor._wrap(np.array(val, copy=True))
        return sd

    def load_state_dict(self, state: dict, strict: bool = True):
        """Carga un ``state_dict``; comprueba claves y formas (mensajes con la clave y ambas formas)."""
        own = dict(self._state_items())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"faltan claves: {missing}")
            if unexpected:
                parts.append(f"claves inesperadas: {unexpected}")
            raise KeyError("load_state_dict: " + "; ".join(parts))
        for k, (kind, target) in own.items():
            if k not in state:
                continue
            val = np.asarray(state[k]._data if isinstance(state[k], Tensor) else state[k])
            if kind == "param":
                cur = target.graph_shape()
                if val.shape != cur:
                    raise ValueError(f"load_state_dict: la clave '{k}' tiene forma {val.shape} "
                                     f"en el estado y {cur} en el modelo")
                target.graph_set_data(val)
            else:
                m, b = target
                cur = np.asarray(getattr(m, b))
                if val.shape != cur.shape:
                    raise ValueError(f"load_state_dict: la clave '{k}' tiene forma {val.shape} "
                                     f"en el estado y {cur.shape} en el modelo")
                setattr(m, b, val.astype(cur.dtype, copy=True) if isinstance(getattr(m, b), np.ndarray) else val.item())
        return {"missing_keys": missing, "unexpected_keys": unexpected}

    # -- representación ------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        kids = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not kids:
            return head + ")"
        lines = [head]
        for name, m in kids:
            sub = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {sub}")
        return "\n".join(lines) + "\n)"
