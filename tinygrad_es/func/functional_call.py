"""``torch.func.functional_call``: llamar a un módulo con otros parámetros y buffers sin cambiarlo
(lo que necesitan ``grad`` y ``vmap`` para derivar respecto de los pesos de un modelo)."""
from __future__ import annotations

import contextlib

__all__ = ["functional_call"]


def _resolve(module, name):
    """(contenedor, clave) del atributo ``name`` (con puntos) de ``module``."""
    obj = module
    parts = name.split(".")
    for p in parts[:-1]:
        if isinstance(obj, (list, tuple)):
            obj = obj[int(p)]
        elif isinstance(obj, dict):
            obj = obj[p]
        else:
            obj = obj.__dict__[p] if p in obj.__dict__ else getattr(obj, p)
    return obj, parts[-1]


def _get(cont, key):
    if isinstance(cont, (list, tuple)):
        return cont[int(key)]
    if isinstance(cont, dict):
        return cont[key]
    return cont.__dict__.get(key)


def _set(cont, key, value):
    if isinstance(cont, list):
        cont[int(key)] = value
    elif isinstance(cont, dict):
        cont[key] = value
    else:
        object.__setattr__(cont, key, value)  # sin la comprobación de nn.Parameter de Module.__setattr__


def _class_property(cont, key):
    """La propiedad de la clase de ``cont`` que calcula ``key`` (un tensor parametrizado con
    ``nn.utils.parametrize``: su clase ``Parametrized…`` es sólo de ese módulo), o ``None``."""
    if isinstance(cont, (list, tuple, dict)):
        return None
    prop = type(cont).__dict__.get(key)
    return prop if isinstance(prop, property) else None


def _parametrized_names(module) -> list:
    """Los nombres con puntos de los tensores parametrizados (``"fc.weight"``): como en PyTorch, darlos
    a ``functional_call`` sustituye el tensor ya calculado (sin aplicar la parametrización)."""
    out = []
    for mname, m in module.named_modules():
        plist = m.__dict__.get("parametrizations")
        for k in (plist.keys() if hasattr(plist, "keys") else ()):
            out.append(f"{mname}.{k}" if mname else k)
    return out


@contextlib.contextmanager
def _swapped(module, values: dict):
    olds = []
    try:
        for name, v in values.items():
            cont, key = _resolve(module, name)
            prop = _class_property(cont, key)
            if prop is not None:  # se tapa la propiedad un momento (el original no se toca)
                olds.append((type(cont), key, prop, True))
                setattr(type(cont), key, v)
                continue
            olds.append((cont, key, _get(cont, key), False))
            _set(cont, key, v)
        yield
    finally:
        for cont, key, old, is_prop in reversed(olds):
            if is_prop:
                setattr(cont, key, old)
            else:
                _set(cont, key, old)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Llama a ``module`` con los parámetros y buffers de ``parameter_and_buffer_dicts`` (un dict
    nombre→tensor o una tupla de dicts) en lugar de los suyos, sin cambiar el módulo. ``args`` es
    un tensor o una tupla. Con ``strict=True`` hay que dar todos y sólo ellos; ``tie_weights``:
    un parámetro compartido cambia en todos sus nombres."""
    dicts = parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (tuple, list)) \
        else (parameter_and_buffer_dicts,)
    values = {}
    for d in dicts:
        for k, v in d.items():
            if k in values:
                raise ValueError(f"functional_call: la clave '{k}' aparece en más de un diccionario")
            values[k] = v
    known = dict(module.named_parameters(remove_duplicate=False))
    known.update(dict(module.named_buffers(remove_duplicate=False)))
    unexpected = [k for k in values if k not in known]
    if unexpected:  # sólo entonces se buscan los tensores parametrizados (recorrer el modelo cuesta)
        parametrized = set(_parametrized_names(module))
        unexpected = [k for k in unexpected if k not in parametrized]
    missing = [k for k in known if k not in values]
    if tie_weights:
        by_id = {}
        for k, t in known.items():
            by_id.setdefault(id(t), []).append(k)
        for names in by_id.values():
            given = [k for k in names if k in values]
            for k in names:
                if k not in values and given:
                    values[k] = values[given[0]]
                    missing.remove(k)
    if unexpected or (strict and missing):
        parts = []
        if unexpected:
            parts.append("claves inesperadas: " + ", ".join(repr(k) for k in unexpected))
        if strict and missing:
            parts.append("faltan las claves: " + ", ".join(repr(k) for k in missing))
        raise RuntimeError(f"functional_call de {type(module).__name__}: " + "; ".join(parts))
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **(kwargs or {}))
