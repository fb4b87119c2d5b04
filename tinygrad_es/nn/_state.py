"""``state_dict`` y ``load_state_dict`` de ``Module``, con las claves, el orden y los errores de PyTorch."""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from .._tensor import Tensor
from ..autograd import TensorBase
from ..autograd.hooks import add_hook
from ..autograd.value import Value
from .parameter import is_parameter

EXTRA_STATE = "_extra_state"  # la clave de ``get_extra_state`` en el state_dict, como en PyTorch

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
    def _own_state_items(self, pre, seen, keep_all=False, extra="get_extra_state"):
        """Lo de este módulo sin sus hijos: parámetros, buffers persistentes y, si la clase redefine
        ``extra`` (``get_extra_state`` al guardar, ``set_extra_state`` al cargar), ``_extra_state``."""
        for k, v in self._members():
            for name, obj in self._walk(k, v):
                if is_parameter(obj) and id(obj) not in seen:
                    seen.add(id(obj))
                    yield pre + name, ("param", obj)
        for b in self._buffer_names:
            if self.__dict__.get(b) is not None and (keep_all or b not in self._non_persistent):
                yield pre + b, ("buffer", (self, b))
        if extra and getattr(type(self), extra) is not getattr(StateDictMixin, extra):
            yield pre + EXTRA_STATE, ("extra", self)

    def _state_items(self, prefix="", keep_all=False, extra="get_extra_state"):
        """(nombre, ("param", p) | ("buffer", (módulo, atributo)) | ("extra", módulo)) en el orden de
        PyTorch: módulo a módulo, primero sus parámetros, después sus buffers persistentes y su estado extra."""
        seen = set()
        for mname, m in self.named_modules(prefix=prefix.rstrip(".")):
            yield from m._own_state_items(f"{mname}." if mname else "", seen, keep_all, extra)

    def _postorder(self, memo):
        memo.add(id(self))
        for _, c in self.named_children():
            if id(c) not in memo:
                yield from c._postorder(memo)
        yield self

    def get_extra_state(self):
        """El estado extra (cualquier objeto que se pueda guardar) que ``state_dict`` guarda en la clave
        ``'<prefijo>_extra_state'``. Redefínelo junto con ``set_extra_state`` en un módulo propio; en la
        clase base no se llama nunca (como en PyTorch, ``state_dict`` sólo lo pide si la clase lo redefine).

        >>> class Contador(nn.Module):
        ...     def _postorder(self, memo):
        memo.add(id(self))
        for _, c in self.named_children():
            if id(c) not in memo:
                yield from c._postorder(memo)
        yield self

    def get_extra_state(self): return {"pasos": self.pasos}
        ...     def set_extra_state(self, estado): self.pasos = estado["pasos"]
        """
        raise RuntimeError("Module.get_extra_state() no debería llamarse: redefínelo en tu módulo (junto con "
                           "set_extra_state) para guardar estado extra en el state_dict")

    def set_extra_state(self, state):
        """Recibe lo que guardó ``get_extra_state`` (la clave ``'<prefijo>_extra_state'``) al hacer
        ``load_state_dict``; si falta esa clave, es una clave que falta (``missing_keys``)."""
        raise RuntimeError("Module.set_extra_state() no debería llamarse: redefínelo en tu módulo (junto con "
                           "get_extra_state) para cargar estado extra del state_dict")

    # -- hooks de state_dict y load_state_dict (un diccionario por tipo en cada módulo) --------
    def _state_hooks(self, name):
        return self.__dict__.setdefault(name, OrderedDict())

    def register_state_dict_pre_hook(self, hook):
        """``hook(módulo, prefix, keep_vars)`` antes de que ``state_dict`` guarde este módulo (y sus
        hijos). Devuelve un asa con ``remove()``."""
        return add_hook(self._state_hooks("_state_dict_pre_hooks"), hook)

    def register_state_dict_post_hook(self, hook):
        """``hook(módulo, state_dict, prefix, local_metadata)`` después de guardar este módulo y sus
        hijos; puede cambiar ``state_dict`` in situ pero debe devolver ``None`` (si no, ``RuntimeError``)."""
        if callable(hook):
            hook._from_public_api = True
        return add_hook(self._state_hooks("_state_dict_hooks"), hook)

    def _register_state_dict_hook(self, hook):
        """La versión privada (antigua) de PyTorch: si el hook devuelve un diccionario y es el del módulo
        raíz, ``state_dict`` devuelve ése."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("no se puede registrar con _register_state_dict_hook un hook que ya se registró "
                               "con register_state_dict_post_hook")
        return add_hook(self._state_hooks("_state_dict_hooks"), hook)

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(módulo, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` antes de que ``load_state_dict`` lea el diccionario (puede cambiar sus claves: así
        ``weight_norm`` acepta los checkpoints antiguos con ``weight_g``/``weight_v``)."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        return add_hook(self._state_hooks("_load_state_dict_pre_hooks"), (hook, with_module))

    def register_load_state_dict_post_hook(self, hook):
        """``hook(módulo, incompatible_keys)`` al terminar ``load_state_dict`` (de los hijos hacia la raíz),
        antes de comprobar ``strict``: puede quitar o añadir claves in situ en
        ``incompatible_keys.missing_keys``/``unexpected_keys`` (vaciarlas evita el error); debe devolver
        ``None``."""
        return add_hook(self._state_hooks("_load_state_dict_post_hooks"), hook)

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parámetros y buffers por nombre (mismas claves y orden que PyTorch). Como en PyTorch,
        los valores comparten memoria con el modelo (sin grafo): para una copia usa
        ``copy.deepcopy(model.state_dict())``."""
        if args:  # state_dict(destination, prefix, keep_vars) posicional, como en PyTorch antiguo
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        sd = OrderedDict() if destination is None else destination
        meta = getattr(sd, "_metadata", None)
        if meta is None and destination is None:
            meta = sd._metadata = OrderedDict()
        return self._save_state(sd, meta, prefix, keep_vars, set(), set())

    def _save_state(self, sd, meta, prefix, keep_vars, seen, memo):
        """``state_dict`` de este módulo y sus hijos, con los hooks de PyTorch en su orden: pre-hooks,
        lo propio, los hijos, post-hooks (el valor devuelto por un hook privado sólo cuenta en la raíz)."""
        memo.add(id(self))
        local = {"version": getattr(type(self), "_version", 1)}
        if meta is not None:
            meta[prefix[:-1]] = local
        for hook in list(self.__dict__.get("_state_dict_pre_hooks", {}).values()):
            hook(self, prefix, keep_vars)
        for name, (kind, obj) in self._own_state_items(prefix, seen):
            if kind == "extra":
                sd[name] = obj.get_extra_state()
            elif kind == "param" and isinstance(obj, Value):
                sd[name] = Tensor._wrap(np.array(obj.data, dtype=np.float64))
            else:
                t = obj if kind == "param" else getattr(*obj)
                sd[name] = t if keep_vars else t.detach()
        for cname, child in self.named_children():
            if id(child) not in memo:
                child._save_state(sd, meta, f"{prefix}{cname}.", keep_vars, seen, memo)
        for hook in list(self.__dict__.get("_state_dict_hooks", {}).values()):
            out = hook(self, sd, prefix, local)
            if getattr(hook, "_from_public_api", False):
                if out is not None:
                    raise RuntimeError("un hook de register_state_dict_post_hook debe devolver None (cambia el "
                                       "state_dict in situ)")
            elif out is not None:
                sd = out
        return sd

    def _run_load_pre_hooks(self, state_dict, strict):
        """Los hooks de ``register_load_state_dict_pre_hook`` de cada submódulo, sobre una copia del
        diccionario (como PyTorch: el del usuario no cambia)."""
        meta = getattr(state_dict, "_metadata", None) or {}
        state_dict = OrderedDict(state_dict.items())
        missing, unexpected, errors = [], [], []
        for mname, m in self.named_modules():
            for hook, with_module in list(m.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
                # strict=True siempre, como PyTorch (su load() lo pasa fijo a cada módulo)
                args = (state_dict, f"{mname}." if mname else "", meta.get(mname, {}), True, missing, unexpected,
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
        own = OrderedDict(self._state_items(extra="set_extra_state"))
        missing = [k for k in own if k not in state_dict] + hook_missing
        unexpected = [k for k in state_dict if k not in own] + hook_unexpected
        for k, (kind, target) in own.items():
            if k not in state_dict:
                continue
            if kind == "extra":
                target.set_extra_state(state_dict[k])
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
        keys = IncompatibleKeys(missing, unexpected)
        for m in self._postorder(set()):  # de los hijos hacia la raíz, como PyTorch
            for hook in list(m.__dict__.get("_load_state_dict_post_hooks", {}).values()):
                if hook(m, keys) is not None:
                    raise AssertionError("un hook de register_load_state_dict_post_hook no debe devolver nada: "
                                         "cambia incompatible_keys in situ")
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
