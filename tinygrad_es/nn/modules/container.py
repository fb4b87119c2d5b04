"""Contenedores: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList`` y ``ParameterDict``.

Guardan sus elementos en un diccionario ordenado; las claves son las de PyTorch (``0``, ``1``... o
los nombres de un ``OrderedDict``), así que ``state_dict`` tiene las mismas claves que en PyTorch.
"""
from __future__ import annotations

import operator
from collections import OrderedDict
from itertools import islice

from ..._tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


class _Container(Module):
    _kind = "módulo"

    def __init__(self):
        super().__init__()
        self.__dict__["_items"] = OrderedDict()

    def _members(self):
        yield from self.__dict__.get("_items", {}).items()

    def _check(self, value):
        if not isinstance(value, Module):
            raise TypeError(f"{type(self).__name__} sólo admite módulos (nn.Module), no {type(value).__name__}")
        return value

    def add_module(self, name, module):
        """Como PyTorch: el submódulo entra en el contenedor (y en ``forward`` de ``Sequential``)."""
        self._check_name(name, "submódulo")
        self._items[name] = self._check(module) if module is not None else None

    register_module = add_module

    def __setattr__(self, name, value):
        items = self.__dict__.get("_items")
        if items is not None and isinstance(value, Module) and not name.startswith("_"):
            items[name] = value  # seq.fc = nn.Linear(...) lo añade, como en PyTorch
            return
        super().__setattr__(name, value)

    def __getattr__(self, name):
        items = self.__dict__.get("_items")
        if items is not None and name in items:
            return items[name]
        return super().__getattr__(name)

    def __len__(self):
        return len(self._items)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._items))

    def _index(self, idx):
        n = len(self._items)
        idx = operator.index(idx)
        if not -n <= idx < n:
            raise IndexError(f"índice {idx} fuera de rango en {type(self).__name__} de longitud {n}")
        return idx % n

    def _renumber(self, values):
        self._items.clear()
        for i, v in enumerate(values):
            self._items[str(i)] = v


class Sequential(_Container):
    """Aplica los módulos en orden: ``Sequential(m1, m2, ...)`` o ``Sequential(OrderedDict([...]))``
    (con nombres: ``model.fc1``). Sus hijos se llaman ``0``, ``1``... como en PyTorch."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for k, m in args[0].items():
                self._items[str(k)] = self._check(m)
        else:
            for i, m in enumerate(args):
                self._items[str(i)] = self._check(m)

    def forward(self, input):
        for m in self._items.values():
            input = m(input)
        return input

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._items.items())[idx]))
        return next(islice(self._items.values(), self._index(idx), None))

    def __setitem__(self, idx, module):
        key = list(self._items)[self._index(idx)]
        self._items[key] = self._check(module)

    def __delitem__(self, idx):
        keys = list(self._items)
        for k in (keys[idx] if isinstance(idx, slice) else [keys[self._index(idx)]]):
            del self._items[k]
        self._renumber(list(self._items.values()))  # como PyTorch: vuelve a numerar 0, 1, ...

    def __iter__(self):
        return iter(self._items.values())

    def append(self, module):
        self._items[str(len(self._items))] = self._check(module)
        return self

    def extend(self, sequential):
        for m in sequential:
            self.append(m)
        return self

    def insert(self, index, module):
        values = list(self._items.values())
        values.insert(index if index >= 0 else len(values) + index, self._check(module))
        self._renumber(values)
        return self

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise TypeError(f"sólo se pueden sumar Sequential, no {type(other).__name__}")
        return Sequential(*self, *other)


class ModuleList(_Container):
    """Una lista de módulos registrados (sus parámetros aparecen en ``parameters()``)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._items.values())[idx])
        return self._items[str(self._index(idx))]

    def __setitem__(self, idx, module):
        self._items[str(self._index(idx))] = self._check(module)

    def __delitem__(self, idx):
        values = list(self._items.values())
        del values[idx if isinstance(idx, slice) else self._index(idx)]
        self._renumber(values)

    def __iter__(self):
        return iter(self._items.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))

    def append(self, module):
        self._items[str(len(self._items))] = self._check(module)
        return self

    def extend(self, modules):
        if isinstance(modules, (Module, str)) or not hasattr(modules, "__iter__"):
            raise TypeError(f"ModuleList.extend espera un iterable de módulos, no {type(modules).__name__}")
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        values = list(self._items.values())
        values.insert(index, self._check(module))
        self._renumber(values)

    def pop(self, index=-1):
        values = list(self._items.values())
        v = values.pop(index)
        self._renumber(values)
        return v


class ModuleDict(_Container):
    """Un diccionario de módulos registrados (``md['conv']``)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, module):
        self._check_name(key, "submódulo")
        self._items[key] = self._check(module)

    def __delitem__(self, key):
        del self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __contains__(self, key):
        return key in self._items

    def keys(self):
        return self._items.keys()

    def items(self):
        return self._items.items()

    def values(self):
        return self._items.values()

    def clear(self):
        self._items.clear()

    def pop(self, key):
        return self._items.pop(key)

    def update(self, modules):
        pairs = modules.items() if hasattr(modules, "items") else modules
        for k, m in pairs:
            self[k] = m


def _param(value):
    if isinstance(value, Parameter) or value is None:
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    return value


class ParameterList(_Container):
    """Una lista de parámetros registrados (los tensores se convierten en ``Parameter``)."""

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._items.values())[idx])
        return self._items[str(self._index(idx))]

    def __setitem__(self, idx, value):
        self._items[str(self._index(idx))] = _param(value)

    def __iter__(self):
        return iter(self._items.values())

    def __iadd__(self, values):
        return self.extend(values)

    def append(self, value):
        self._items[str(len(self._items))] = _param(value)
        return self

    def extend(self, values):
        for v in values:
            self.append(v)
        return self

    def extra_repr(self):
        return "\n".join(f"({k}): Parameter containing: [{type(v).__name__} of size {tuple(v.shape)}]"
                         if isinstance(v, Tensor) else f"({k}): Object of type: {type(v).__name__}"
                         for k, v in self._items.items())


class ParameterDict(_Container):
    """Un diccionario de parámetros registrados."""

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._items[key]

    def __setitem__(self, key, value):
        self._check_name(key, "parámetro")
        self._items[key] = _param(value)

    def __delitem__(self, key):
        del self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __contains__(self, key):
        return key in self._items

    def keys(self):
        return self._items.keys()

    def items(self):
        return self._items.items()

    def values(self):
        return self._items.values()

    def update(self, parameters):
        pairs = parameters.items() if hasattr(parameters, "items") else parameters
        for k, v in pairs:
            self[k] = v

    def extra_repr(self):
        return "\n".join(f"({k}): Parameter containing: [{type(v).__name__} of size {tuple(v.shape)}]"
                         for k, v in self._items.items())
