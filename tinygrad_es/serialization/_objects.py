"""Objetos enteros en un ``.pt`` (``torch.save(model)``) y las tres formas de leerlos, como PyTorch ≥ 2.6.

* Escribir: lo que no es un peso (un ``nn.Module``, una clase propia...) se escribe con su
  ``__reduce_ex__(2)``, como lo haría ``pickle``: el nombre de su clase, sus argumentos y su estado
  (``__dict__``); los tensores que contiene siguen yendo a ``data/N`` como en un ``state_dict``.
* Leer con ``weights_only=True`` (lo que hace ``torch.load(f)`` por defecto): sólo pesos; un nombre de
  clase cualquiera se rechaza con ``pickle.UnpicklingError`` sin ejecutar nada, salvo las clases que
  el usuario haya permitido con ``add_safe_globals([...])`` o ``with safe_globals([...]):`` (se
  construyen con ``cls.__new__`` y su estado se copia: no se ejecuta ``__init__`` ni ``__reduce__``).
* Leer con ``weights_only=False``: el ``pickle`` de Python entero, que **puede ejecutar código**
  (deshacer un pickle llama a las funciones que nombra): sólo con ficheros de confianza.
"""
from __future__ import annotations

import importlib
import io
import pickle
import types
from contextlib import contextmanager

from ._pickle import _RENAME, Global, UnpicklingError

__all__ = ["add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals", "save_object",
           "TrustedUnpickler", "safe_global", "safe_names", "build_safe"]

_SAFE: dict = {}      # {(módulo, nombre): objeto} permitido por el usuario


def _key(obj):
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], str):  # (objeto, "módulo.nombre")
        obj, full = obj
        mod, _, name = full.rpartition(".")
        return (mod, name), obj
    mod, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not (isinstance(mod, str) and isinstance(name, str)):
        raise TypeError(f"add_safe_globals espera clases o funciones (o pares (objeto, 'módulo.nombre')), "
                        f"no {type(obj).__name__}")
    return (mod, name), obj


def add_safe_globals(safe_globals: list) -> None:
    """Permite que ``load(f)`` (``weights_only=True``) construya estas clases o llame a estas funciones
    (``torch.serialization.add_safe_globals``). Ejemplo: ``add_safe_globals([MiRed, nn.Linear])``."""
    for obj in safe_globals:
        k, v = _key(obj)
        _SAFE[k] = v


def get_safe_globals() -> list:
    """Lo permitido con ``add_safe_globals`` (``torch.serialization.get_safe_globals``)."""
    return list(_SAFE.values())


def safe_names() -> list:
    """Los ``(módulo, nombre)`` permitidos ahora mismo."""
    return list(_SAFE)


def clear_safe_globals() -> None:
    """Olvida lo permitido con ``add_safe_globals`` (``torch.serialization.clear_safe_globals``)."""
    _SAFE.clear()


@contextmanager
def safe_globals(safe_globals: list):
    """Como ``add_safe_globals``, sólo dentro del ``with`` (``torch.serialization.safe_globals``)."""
    before = dict(_SAFE)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _SAFE.clear()
        _SAFE.update(before)


def safe_global(module: str, name: str):
    """El ``Global`` de un nombre permitido por el usuario, o ``None``. Una clase se construye como
    la instrucción NEWOBJ de PyTorch en ``weights_only``: ``cls.__new__(cls, *args)``."""
    obj = _SAFE.get((_RENAME.get(module, module), name))
    if obj is None:
        return None
    fn = (lambda *args: obj.__new__(obj, *args)) if isinstance(obj, type) else obj
    return Global(module, name, fn)


def build_safe(obj, state) -> bool:
    """BUILD sobre un objeto de una clase permitida: ``__setstate__`` si la clase lo define, si no se
    copia el ``__dict__`` (y los ``__slots__``), como el unpickler ``weights_only`` de PyTorch."""
    if type(obj) not in [v for v in _SAFE.values() if isinstance(v, type)]:
        return False
    if hasattr(type(obj), "__setstate__"):
        obj.__setstate__(state)
        return True
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    if state:
        if not isinstance(state, dict):
            raise UnpicklingError(f"estado no válido para {type(obj).__name__}: {type(state).__name__}")
        obj.__dict__.update(state)
    for k, v in (slots or {}).items():
        setattr(obj, k, v)
    return True


# ---- escritura --------------------------------------------------------------------------------------
def _global_name(obj):
    mod, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(name, str) and "<locals>" in name:  # la clase de error de pickle (y de torch.save)
        raise AttributeError(f"no se puede guardar el objeto local '{name}': una lambda o una clase definida "
                             "dentro de una función no tienen un nombre importable; defínela en el nivel "
                             "superior del módulo, o guarda sólo los pesos con model.state_dict()")
    if not (isinstance(mod, str) and isinstance(name, str)):
        raise pickle.PicklingError(f"no se puede guardar {obj!r}: no tiene un nombre importable")
    try:
        found = importlib.import_module(mod)
        for part in name.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        found = None
    if found is not obj:
        raise pickle.PicklingError(f"no se puede guardar {obj!r}: {mod}.{name} no es ese mismo objeto")
    return mod, name


def save_object(p, obj, path):
    """Escribe con el ``Pickler`` ``p`` un objeto cualquiera según su ``__reduce_ex__(2)`` (como
    ``pickle``): clases y funciones por su nombre; instancias con NEWOBJ/REDUCE y BUILD."""
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)):
        p._global(*_global_name(obj))
        return
    try:
        rv = obj.__reduce_ex__(2)
    except TypeError as e:
        raise pickle.PicklingError(f"no se puede guardar {type(obj).__name__} (en {path}): {e}") from None
    if isinstance(rv, str):  # un objeto único con nombre global
        p._global(obj.__module__, rv)
        return
    func, args, state, listitems, dictitems = (tuple(rv) + (None,) * 5)[:5]
    if getattr(func, "__name__", "") == "__newobj__":  # copyreg.__newobj__: cls.__new__(cls, *args)
        p._global(*_global_name(args[0]))
        p._save(tuple(args[1:]), path)
        p.w(b"\x81")  # NEWOBJ
    else:
        p._global(*_global_name(func))
        p._save(tuple(args), path)
        p.w(b"R")  # REDUCE
    p._put(obj)
    for i, x in enumerate(listitems or ()):
        p._save(x, f"{path}[{i}]")
        p.w(b"a")  # APPEND
    for k, v in (dictitems or ()):
        p._save(k, f"{path}[clave]")
        p._save(v, f"{path}[{k!r}]")
        p.w(b"s")  # SETITEM
    if state is not None:
        p._save(state, f"{path}.__dict__")
        p.w(b"b")  # BUILD


# ---- lectura con weights_only=False -----------------------------------------------------------------
class TrustedUnpickler(pickle.Unpickler):
    """El ``pickle`` de Python (ejecuta lo que el fichero nombre: sólo para ficheros de confianza), con
    los tensores y almacenamientos de PyTorch resueltos por el lector de tinygrad_es."""

    def __init__(self, data: bytes, allowed: dict, persistent_load):
        super().__init__(io.BytesIO(data))
        self._allowed, self._persistent = allowed, persistent_load

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        g = self._allowed.get((_RENAME.get(module, module), name))
        return g if g is not None else super().find_class(module, name)
