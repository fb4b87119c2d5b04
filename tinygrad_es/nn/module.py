"""``Module``: la base de todas las capas y modelos (como ``torch.nn.Module``).

Los parámetros y submódulos se descubren recorriendo los atributos del módulo (y las listas, tuplas
y diccionarios que contienen), con nombres con puntos como en PyTorch: ``features.0.weight``.
Los buffers (estado que no se entrena, como las medias de BatchNorm) se registran con
``register_buffer``. ``state_dict``/``load_state_dict`` viven en ``_state.py``; ``to``/``float``/``double``... en
``_convert.py``.
"""
from __future__ import annotations

import difflib
import warnings
from collections import OrderedDict

import numpy as np

from .._settings import compile as torch_compile
from .._tensor import Tensor
from ..autograd import is_grad_enabled
from ._hooks import BackwardHookState, add_hook
from ._convert import ConvertMixin
from ._state import StateDictMixin
from .parameter import Buffer, Parameter, is_parameter

__all__ = ["Module", "Parameter"]

_HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


class Module(StateDictMixin, ConvertMixin):
    """Base de las capas y los modelos (``torch.nn.Module``).

    Una red es una subclase que crea sus capas en ``__init__`` (tras ``super().__init__()``) y define
    ``forward``; se llama como una función (``model(x)``), lo que también ejecuta los hooks. Los
    parámetros de las capas asignadas como atributos (también dentro de listas, tuplas y dicts) se
    encuentran solos: ``model.parameters()``, ``model.state_dict()``.

    Ejemplo (la red de los apuntes)::

        class RedMNIST(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(784, 128)
                self.fc2 = nn.Linear(128, 10)

            def forward(self, x):
                return self.fc2(F.relu(self.fc1(x)))

        modelo = RedMNIST()
        salida = modelo(torch.randn(64, 784))        # (64, 10)

    En PyTorch: ``torch.nn.Module``.
    """

    training: bool
    _version = 1
    call_super_init = False

    def __init__(self, *args, **kwargs):
        """Crea el módulo (los argumentos de cada capa se explican en el docstring de su clase). Una
        subclase llama a ``super().__init__()`` antes de crear sus capas y parámetros."""
        if args or kwargs:
            raise TypeError(f"Module.__init__() no admite argumentos (se recibieron {args} {kwargs})")
        d = self.__dict__
        d["training"] = True
        d["_buffer_names"] = []
        d["_non_persistent"] = set()
        for name in _HOOK_DICTS:
            d[name] = OrderedDict()

    # -- llamada -------------------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        """``model(x)``: ejecuta los pre-hooks, ``forward(x)`` y los hooks (también los de backward).
        Llama siempre al módulo, no a ``forward`` directamente, para que los hooks se ejecuten."""
        d = self.__dict__
        pre = d.get("_forward_pre_hooks")  # sin hooks (lo normal), ni una lista por llamada
        for hook, with_kwargs in (list(pre.values()) if pre else ()):
            if with_kwargs:
                r = hook(self, args, kwargs)
                if r is not None:
                    args, kwargs = r
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        state = None
        if (d.get("_backward_hooks") or d.get("_backward_pre_hooks")) and is_grad_enabled():
            state = BackwardHookState(self, d["_backward_hooks"], d["_backward_pre_hooks"])
            args = state.wrap_inputs(args)
        out = self.forward(*args, **kwargs)
        post = d.get("_forward_hooks")
        for hook, with_kwargs in (list(post.values()) if post else ()):
            r = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
            if r is not None:
                out = r
        if state is not None:
            out = state.wrap_outputs(out)
        return out

    def forward(self, *args, **kwargs):  # pragma: no cover - abstracto
        """El cálculo del módulo (lo llama ``model(x)``, con los hooks). En las capas de ``nn``, lo que
        explica el docstring de la clase; en una red propia, lo que escribas (``return self.fc2(...)``)."""
        raise NotImplementedError(f"{type(self).__name__} debe definir forward()")

    # -- atributos ------------------------------------------------------------------------

    def __getattr__(self, name):
        """Sólo se llama si el atributo no existe: ``AttributeError`` con el nombre más parecido
        (``model.fc3`` → "¿Quisiste decir 'fc2'?"), nunca ``None``."""
        if name.startswith("__"):
            raise AttributeError(name)
        if name in ("_buffer_names", "_non_persistent", "training") + _HOOK_DICTS:
            raise AttributeError(f"'{type(self).__name__}' no está inicializado: llama a super().__init__() "
                                 f"al principio de su __init__")
        known = [k for k in self.__dict__ if not k.startswith("_")]
        known += [k for k in dir(type(self)) if not k.startswith("_")]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" ¿Quisiste decir '{close[0]}'?" if close else ""
        raise AttributeError(f"'{type(self).__name__}' no tiene el atributo '{name}'.{hint}")

    def __setattr__(self, name, value):
        """Asigna un atributo: un ``Parameter`` sólo se puede sustituir por otro ``Parameter`` (o
        ``None``); un ndarray asignado a un buffer se guarda como ``Tensor``."""
        old = self.__dict__.get(name)
        if isinstance(old, Parameter) and value is not None and not isinstance(value, Parameter):
            raise TypeError(f"no se puede asignar un {type(value).__name__} al parámetro '{name}': se espera un "
                            f"nn.Parameter o None (para cambiar sus valores usa with no_grad(): "
                            f"{name}.copy_(...))")
        if name in self.__dict__.get("_buffer_names", ()) and isinstance(value, np.ndarray):
            value = Tensor._wrap(value)
        if isinstance(value, Buffer):  # nn.Buffer: se registra, como en PyTorch
            return self.register_buffer(name, value, value.persistent)
        object.__setattr__(self, name, value)

    # -- registro ------------------------------------------------------------------------
    def _check_name(self, name, kind):
        if not isinstance(name, str):
            raise TypeError(f"el nombre de un {kind} debe ser un texto, no {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"nombre de {kind} no válido: {name!r} (no puede estar vacío ni contener '.')")

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Estado no entrenable que viaja con el modelo (p. ej. las medias de BatchNorm). Con
        ``persistent=False`` no entra en ``state_dict``."""
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffer_names:
            raise KeyError(f"el atributo '{name}' ya existe en {type(self).__name__}")
        if isinstance(tensor, np.ndarray):
            tensor = Tensor._wrap(tensor)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"no se puede registrar un {type(tensor).__name__} como buffer '{name}' "
                            f"(se espera un Tensor o None)")
        object.__setattr__(self, name, tensor)
        if name not in self._buffer_names:
            self._buffer_names.append(name)
        (self._non_persistent.discard if persistent else self._non_persistent.add)(name)

    def register_parameter(self, name: str, param) -> None:
        """Registra ``param`` (un ``nn.Parameter`` o ``None``) con el nombre ``name``: es lo mismo que
        ``self.name = param``."""
        self._check_name(name, "parámetro")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"no se puede registrar un {type(param).__name__} como parámetro '{name}' "
                            f"(se espera un nn.Parameter o None)")
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module) -> None:
        """Registra el submódulo ``module`` con el nombre ``name`` (lo mismo que ``self.name = module``;
        útil cuando el nombre se calcula)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} no es un Module")
        self._check_name(name, "submódulo")
        object.__setattr__(self, name, module)

    register_module = add_module

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(módulo, args)`` antes de ``forward``; puede devolver otros ``args``."""
        return add_hook(self._forward_pre_hooks, (hook, with_kwargs), prepend)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(módulo, args, salida)`` tras cada ``forward``; puede devolver otra salida.
        Devuelve un asa con ``remove()``."""
        return add_hook(self._forward_hooks, (hook, with_kwargs), prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(módulo, grad_input, grad_output)`` en backward: tuplas con los gradientes respecto de
        las entradas y de las salidas del módulo (``None`` si no hay). Puede devolver otro
        ``grad_input``."""
        return add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(módulo, grad_output)`` en backward, antes de seguir hacia las entradas; puede
        devolver otro ``grad_output``."""
        return add_hook(self._backward_pre_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """Obsoleto, como en PyTorch: avisa y usa ``register_full_backward_hook(hook)``."""
        warnings.warn("register_backward_hook está obsoleto (también en PyTorch): se usa "
                      "register_full_backward_hook", UserWarning, stacklevel=2)
        return self.register_full_backward_hook(hook)

    # -- recorrido -----------------------------------------------------------------------
    def _members(self):
        for k, v in self.__dict__.items():
            if not k.startswith("_") and k != "training":
                yield k, v

    @staticmethod
    def _walk(prefix, obj, seen=None):
        """(nombre, objeto) para parámetros y submódulos dentro de contenedores."""
        if isinstance(obj, Module) or is_parameter(obj):
            yield prefix, obj
        elif isinstance(obj, (list, tuple)):
            for i, x in enumerate(obj):
                yield from Module._walk(f"{prefix}.{i}", x)
        elif isinstance(obj, dict):
            for k, x in obj.items():
                yield from Module._walk(f"{prefix}.{k}", x)

    def named_children(self):
        """Submódulos directos (también dentro de listas/tuplas/dicts)."""
        seen = set()
        for k, v in self._members():
            for name, obj in self._walk(k, v):
                if isinstance(obj, Module) and id(obj) not in seen:
                    seen.add(id(obj))
                    yield name, obj

    def children(self):
        """Los submódulos directos (sin nombre); véase ``named_children``."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """Este módulo y todos sus descendientes (en preorden), con su nombre."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if remove_duplicate:
                if id(m) in memo:
                    continue
                memo.add(id(m))
            yield name, m
            for cn, c in reversed(list(m.named_children())):
                stack.append((f"{name}.{cn}" if name else cn, c))

    def modules(self):
        """Este módulo y todos sus descendientes, en preorden (sin nombre)."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """(nombre con puntos, parámetro), sin repetir los compartidos."""
        seen = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mname, m in mods:
            for k, v in m._members():
                for name, obj in Module._walk(k, v):
                    if is_parameter(obj) and (not remove_duplicate or id(obj) not in seen):
                        seen.add(id(obj))
                        yield (f"{mname}.{name}" if mname else name), obj

    def parameters(self, recurse: bool = True):
        """Los parámetros (``nn.Parameter``) del módulo y, con ``recurse=True``, de sus submódulos:
        lo que se pasa al optimizador, ``optim.SGD(model.parameters(), lr=0.1)``."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """(nombre con puntos, buffer), con ``prefix`` delante; ``recurse`` y ``remove_duplicate``
        como en ``named_parameters``."""
        seen = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mname, m in mods:
            for b in m._buffer_names:
                t = m.__dict__.get(b)
                if t is not None and (not remove_duplicate or id(t) not in seen):
                    seen.add(id(t))
                    yield (f"{mname}.{b}" if mname else b), t

    def buffers(self, recurse: bool = True):
        """Los buffers (estado no entrenable, p. ej. ``running_mean``) del módulo y, con ``recurse``,
        de sus submódulos."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        """El submódulo de nombre con puntos ``target`` (``"features.0"``); ``""`` es el propio módulo."""
        m = self
        for part in target.split(".") if target else []:
            sub = dict(m.named_children()).get(part)
            if sub is None:
                raise AttributeError(f"{type(m).__name__} no tiene el submódulo '{part}' (buscando '{target}')")
            m = sub
        return m

    def set_submodule(self, target: str, module: "Module", strict: bool = False) -> None:
        """Pone ``module`` en el nombre con puntos ``target`` (``"features.0"``): sustituye el submódulo
        que haya o, con ``strict=False``, lo crea si existe el padre. Con ``strict=True`` el submódulo
        debe existir ya. Como ``torch.nn.Module.set_submodule``.

        >>> modelo = nn.Sequential(nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU()))
        >>> modelo.set_submodule("0.0", nn.Conv2d(1, 6, 5, padding=2))   # como modelo[0][0] = ...
        """
        if target == "":
            raise ValueError("set_submodule: falta el nombre del submódulo (target está vacío)")
        if not isinstance(module, Module):
            raise ValueError(f"set_submodule: `module` no es un nn.Module, sino {type(module).__name__}")
        parent_name, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_name)
        exists = hasattr(parent, name)
        if strict and not exists:
            raise AttributeError(f"{type(parent).__name__} no tiene el atributo '{name}' (set_submodule con "
                                 f"strict=True sólo sustituye submódulos que ya existen)")
        if exists and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"'{name}' no es un nn.Module en {type(parent).__name__}: set_submodule no lo "
                                 f"sustituye")
        setattr(parent, name, module)

    def get_parameter(self, target: str):
        """El parámetro de nombre con puntos ``target`` (``"features.0.weight"``)."""
        mod, _, name = target.rpartition(".")
        p = dict(self.get_submodule(mod).named_parameters(recurse=False)).get(name)
        if p is None:
            raise AttributeError(f"no existe el parámetro '{target}'")
        return p

    def get_buffer(self, target: str):
        """El buffer de nombre con puntos ``target`` (``"bn.running_mean"``)."""
        mod, _, name = target.rpartition(".")
        m = self.get_submodule(mod)
        if name not in m._buffer_names:
            raise AttributeError(f"no existe el buffer '{target}'")
        return m.__dict__[name]

    def num_parameters(self) -> int:
        """Número total de valores entrenables (la suma de ``p.numel()``); no es de PyTorch."""
        return int(sum(p._data.size if isinstance(p, Tensor) else 1 for p in self.parameters()))

    # -- modos, gradientes, tipos --------------------------------------------------------

    def train(self, mode: bool = True):
        """Modo entrenamiento (``mode=True``) o evaluación (``False``) en este módulo y todos sus
        submódulos: cambia ``Dropout`` y ``BatchNorm``. Devuelve ``self``."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(mode): mode debe ser True o False, no {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        """Modo evaluación (``train(False)``): Dropout no apaga neuronas y BatchNorm usa sus medias."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True):
        """Activa o congela (``requires_grad=False``) el gradiente de todos los parámetros."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Borra los gradientes de los parámetros: ``None`` (``set_to_none=True``, como PyTorch) o ceros."""
        for p in self.parameters():
            p.zero_param_grad(set_to_none)  # Tensor: None o ceros in situ; Value: 0.0

    def compile(self, *args, **kwargs) -> None:
        """``model.compile()``: como ``torch.compile`` aquí (sin compilador de grafos: los núcleos ya están
        compilados con numba), no cambia nada; acepta sus mismos argumentos y devuelve ``None``."""
        torch_compile(self, *args, **kwargs)

    def apply(self, fn):
        """Aplica ``fn`` a cada submódulo (de los hijos hacia arriba) y a sí mismo (p. ej. para
        inicializar pesos); devuelve ``self``."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- representación ------------------------------------------------------------------
    def extra_repr(self) -> str:
        """Lo que sale entre paréntesis en ``repr(módulo)`` (``in_features=784, out_features=128``);
        las capas lo redefinen."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        """El árbol de submódulos, como PyTorch: ``Sequential(\n  (0): Linear(...)\n)``."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self.named_children()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def __dir__(self):
        """Los atributos, también los submódulos y parámetros (para autocompletar en Jupyter)."""
        return sorted(set(super().__dir__()) | {k for k in self.__dict__ if not k.startswith("_")})
