"""``state_dict`` y ``load_state_dict`` de ``Module``, con las claves, el orden y los errores de PyTorch."""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from .._tensor import Tensor
from ..autograd import TensorBase
from ..autograd.value import Value
from .parameter import is_parameter

__all__ = ["StateDictMixin", "LoadStateDictError", "IncompatibleKeys"]


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """Lo que devuelve ``load_state_dict``: las claves que faltaban y las que sobraban."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<Todas las claves coinciden>"
        return super().__repr__()

    __str__ = __repr__


class LoadStateDictError(RuntimeError, KeyError):
    """Faltan o sobran claves (``RuntimeError`` como en PyTorch; también ``KeyError``)."""

    __str__ = BaseException.__str__


class StateDictSizeError(RuntimeError, ValueError):
    """Una clave tiene otra forma (``RuntimeError`` como en PyTorch; también ``ValueError``)."""


class StateDictTypeError(RuntimeError, TypeError):
    """Un valor que no es un tensor numérico (``RuntimeError`` como en PyTorch; también ``TypeError``)."""


def _array(v, key):
    if isinstance(v, TensorBase):
        return v._data
    if isinstance(v, (np.ndarray, np.generic, int, float, bool)):
        a = np.asarray(v)
        if a.dtype.kind not in "biufc":  # texto u objetos: nunca "could not convert string to float"
            raise StateDictTypeError(f"load_state_dict: el valor de '{key}' no es numérico (dtype {a.dtype}, "
                                     f"p. ej. {a.reshape(-1)[:2].tolist()}); el checkpoint está dañado o no es "
                                     f"de este modelo")
        return a
    raise StateDictTypeError(f"load_state_dict: el valor de '{key}' es un {type(v).__name__}, no un tensor")


class StateDictMixin:
    def _state_items(self, prefix="", keep_all=False):
        """(nombre, ("param", p) | ("buffer", (módulo, atributo))) en el orden de PyTorch: módulo a
        módulo, primero sus parámetros y después sus buffers persistentes."""
        seen = set()
        for mname, m in self.named_modules(prefix=prefix.rstrip(".")):
            pre = f"{mname}." if mname else ""
            for k, v in m._members():
                for name, obj in m._walk(k, v):
                    if is_parameter(obj) and id(obj) not in seen:
                        seen.add(id(obj))
                        yield pre + name, ("param", obj)
            for b in m._buffer_names:
                if m.__dict__.get(b) is not None and (keep_all or b not in m._non_persistent):
                    yield pre + b, ("buffer", (m, b))

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parámetros y buffers por nombre (mismas claves y orden que PyTorch). Como en PyTorch,
        los valores comparten memoria con el modelo (sin grafo): para una copia usa
        ``copy.deepcopy(model.state_dict())``."""
        if args:  # state_dict(destination, prefix, keep_vars) posicional, como en PyTorch antiguo
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        sd = OrderedDict() if destination is None else destination
        meta = getattr(sd, "_metadata", None)
        if meta is None and isinstance(sd, OrderedDict):
            meta = sd._metadata = OrderedDict()
        if meta is not None:
            for mname, m in self.named_modules(prefix=prefix.rstrip(".")):
                meta[mname] = {"version": getattr(type(m), "_version", 1)}
        for name, (kind, obj) in self._state_items(prefix):
            if kind == "param":
                if isinstance(obj, Value):
                    sd[name] = Tensor._wrap(np.array(obj.data, dtype=np.float64))
                else:
                    sd[name] = obj if keep_vars else obj.detach()
            else:
                t = getattr(*obj)
                sd[name] = t if keep_vars else t.detach()
        return sd

    def _run_load_pre_hooks(self, state_dict, strict):
        """Los hooks de ``register_load_state_dict_pre_hook`` de cada submódulo, sobre una copia del
        diccionario (como PyTorch: el del usuario no cambia)."""
        meta = getattr(state_dict, "_metadata", None) or {}
        state_dict = OrderedDict(state_dict.items())
        missing, unexpected, errors = [], [], []
        for mname, m in self.named_modules():
            for hook, with_module in list(m.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
                args = (state_dict, f"{mname}." if mname else "", meta.get(mname, {}), strict, missing, unexpected,
                        errors)
                hook(m, *args) if with_module else hook(*args)
        return state_dict, missing, unexpected, errors

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copia (in situ) los valores de ``state_dict`` en parámetros y buffers. Con ``strict=False``
        tolera claves de más o de menos; devuelve ``(missing_keys, unexpected_keys)``. Una forma
        distinta es siempre un error, con la clave y las dos formas."""
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict espera un dict (p. ej. model.state_dict()), no "
                            f"{type(state_dict).__name__}")
        state_dict, hook_missing, hook_unexpected, errors = self._run_load_pre_hooks(state_dict, strict)
        own = OrderedDict(self._state_items())
        missing = [k for k in own if k not in state_dict] + hook_missing
        unexpected = [k for k in state_dict if k not in own] + hook_unexpected
        for k, (kind, target) in own.items():
            if k not in state_dict:
                continue
            val = _array(state_dict[k], k)
            if kind == "param" and isinstance(target, Value):
                target.set_param(val)
                continue
            t = target if kind == "param" else getattr(*target)
            if getattr(t, "cls_to_become", None) is not None:  # UninitializedParameter de una capa Lazy*
                t.materialize(val.shape)
            cur = t._data
            if val.shape != cur.shape:
                errors.append(f"la clave '{k}' tiene forma {tuple(val.shape)} en el estado y"
                              f" {tuple(cur.shape)} en el modelo")
                continue
            if assign:
                t._data = np.array(val, dtype=cur.dtype if cur.dtype.kind == "f" and val.dtype.kind == "f"
                                   else val.dtype, copy=True)
            else:
                cur[...] = val.astype(cur.dtype, copy=False)
            t._vc.value += 1
        if errors:
            raise StateDictSizeError(f"Errores al cargar el state_dict en {type(self).__name__}:\n\t"
                                     + "\n\t".join(errors))
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append(f"faltan claves en el state_dict: {missing}")
            if unexpected:
                parts.append(f"claves inesperadas en el state_dict: {unexpected}")
            raise LoadStateDictError(f"Errores al cargar el state_dict en {type(self).__name__}:\n\t"
                                     + "\n\t".join(parts) + "\n(usa strict=False para cargarlo de todos modos)")
        return IncompatibleKeys(missing, unexpected)
