"""Contenedores: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList`` y ``ParameterDict``.

Guardan sus elementos en un diccionario ordenado; las claves son las de PyTorch (``0``, ``1``... o
los nombres de un ``OrderedDict``), así que ``state_dict`` tiene las mismas claves que en PyTorch.
"""
from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Mapping
from itertools import islice

from ..._tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


class _Container(Module):
    """Lo común a los contenedores: los elementos en un diccionario ordenado con las claves de PyTorch."""
    _kind = "módulo"

    def __init__(self):
        """Crea el contenedor vacío."""
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
    """Aplica los módulos en orden, la salida de cada uno es la entrada del siguiente: la forma más corta
    de escribir una red sin ``forward``. Los submódulos se llaman ``0``, ``1``... (o con los nombres de un
    ``OrderedDict``), así que ``state_dict`` tiene las claves de PyTorch (``0.weight``...).

    Args:
        args: los módulos, ``Sequential(m1, m2, ...)``, o un único ``OrderedDict([(nombre, módulo), ...])``.

    Forma: la entrada del primer módulo; la salida, la del último.

    Métodos: ``seq[i]`` (un módulo; con un corte, otro ``Sequential``), ``len``, ``append``, ``extend``,
    ``insert``, ``pop``, ``del seq[i]``, ``seq1 + seq2``.

    Ejemplo (el MLP de los apuntes, en pequeño):
        >>> modelo = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        >>> modelo(torch.zeros(4, 2)).shape
        torch.Size([4, 1])
        >>> list(modelo.state_dict())
        ['0.weight', '0.bias', '2.weight', '2.bias']

    En PyTorch: ``torch.nn.Sequential``.
    """

    def __init__(self, *args):
        """Véase el docstring de la clase."""
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
    """Una lista de módulos registrados: sus parámetros aparecen en ``parameters()`` y en ``state_dict``
    (una lista de Python normal los escondería del optimizador). No tiene ``forward``: se recorre en el
    ``forward`` propio.

    Args:
        modules: iterable de módulos con los que empieza (``None``: vacía).

    Métodos: ``ml[i]``, ``len``, ``append``, ``extend``, ``insert``, ``pop``, ``del ml[i]``, ``+=``, ``+``.

    Ejemplo:
        >>> capas = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        >>> len(capas), len(list(capas.parameters()))
        (3, 6)

    En PyTorch: ``torch.nn.ModuleList``.
    """

    def __init__(self, modules=None):
        """Véase el docstring de la clase."""
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
    """Un diccionario de módulos registrados (``md['conv']``), en el orden en que se insertan; sus
    parámetros aparecen en ``parameters()`` con la clave como prefijo.

    Args:
        modules: un ``dict``/``OrderedDict`` o un iterable de pares ``(nombre, módulo)`` (``None``: vacío).

    Métodos: ``md[k]``, ``k in md``, ``len``, ``keys``, ``items``, ``values``, ``update``, ``pop``, ``clear``.

    Ejemplo:
        >>> md = nn.ModuleDict({"conv": nn.Conv2d(1, 2, 3), "act": nn.ReLU()})
        >>> md["act"], list(md.keys())
        (ReLU(), ['conv', 'act'])

    En PyTorch: ``torch.nn.ModuleDict``.
    """

    def __init__(self, modules=None):
        """Véase el docstring de la clase."""
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


def _param_lines(items, type_name):
    """Las líneas de ``repr`` de ``ParameterList``/``ParameterDict``, con el texto de PyTorch (la lista pone
    el dtype, ``torch.float32``; el diccionario el tipo, ``torch.FloatTensor``)."""
    def line(k, v):
        if not isinstance(v, Tensor):
            return f"  ({k}): Object of type: {type(v).__name__}"
        kind = "Parameter" if isinstance(v, Parameter) else "Tensor"
        return f"  ({k}): {kind} containing: [{type_name(v)} of size {'x'.join(map(str, v.shape))}]"
    return "\n".join(line(k, v) for k, v in items)


class ParameterList(_Container):
    """Una lista de parámetros registrados: los tensores que se le dan se convierten en ``Parameter`` y
    aparecen en ``parameters()`` (claves ``0``, ``1``... en ``state_dict``).

    Args:
        values: iterable de tensores o parámetros con los que empieza (``None``: vacía).

    Métodos: ``pl[i]``, ``len``, ``append``, ``extend``, ``+=``.

    Ejemplo:
        >>> pl = nn.ParameterList([torch.zeros(2), torch.ones(3)])
        >>> [tuple(p.shape) for p in pl]
        [(2,), (3,)]

    En PyTorch: ``torch.nn.ParameterList``.
    """

    def __init__(self, values=None):
        """Véase el docstring de la clase."""
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
        return _param_lines(self._items.items(), lambda v: str(v.dtype))


class ParameterDict(_Container):
    """Un diccionario de parámetros registrados (``pd['escala']``); los tensores se convierten en
    ``Parameter``.

    Args:
        parameters: un ``dict`` o un iterable de pares ``(nombre, tensor)`` (``None``: vacío).

    Métodos: ``pd[k]``, ``k in pd``, ``len``, ``keys``, ``items``, ``values``, ``update``.

    Ejemplo:
        >>> pd = nn.ParameterDict({"escala": torch.ones(2)})
        >>> [nombre for nombre, _ in pd.named_parameters()]
        ['escala']

    En PyTorch: ``torch.nn.ParameterDict``.
    """

    def __init__(self, parameters=None):
        """Véase el docstring de la clase."""
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
        # Como PyTorch: un dict normal entra ordenado por clave; un OrderedDict, otro ParameterDict o una
        # secuencia de pares, en su orden.
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = parameters.items()
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items(), key=operator.itemgetter(0))
        else:
            pairs = parameters
        for k, v in pairs:
            self[k] = v

    def extra_repr(self):
        return _param_lines(self._items.items(), lambda v: v.type())
