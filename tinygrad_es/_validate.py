"""Validación de argumentos: UN sitio para tipos, rangos, NaN y opciones de texto.

Todas las capas, pérdidas, optimizadores y planificadores comprueban aquí sus hiperparámetros, así
que un error de alumno (``SGD(lr="0.1")``, ``reduction="avg"``, ``padding_mode="zero"``) da
siempre un mensaje en español que nombra el argumento y el valor recibido, con la clase de
excepción de PyTorch (``TypeError`` para el tipo, ``ValueError`` para el valor...). ::

    >>> choice("bilinar", ("nearest", "bilinear"), "mode", "interpolate")
    Traceback (most recent call last):
    ValueError: interpolate: mode='bilinar' no es válido; usa 'nearest' o 'bilinear' (¿querías decir 'bilinear'?)

Las funciones devuelven el valor (convertido a ``int``/``float`` cuando se pide), así que se usan
en línea: ``self.p = number(p, "p", "Dropout", low=0, high=1)``.
"""
from __future__ import annotations

import difflib
import math
import numbers

__all__ = ["REDUCTIONS", "choice", "reduction", "number", "integer", "number_pair", "ZeroStepError", "DataError"]

REDUCTIONS = ("mean", "sum", "none")


class ZeroStepError(ValueError, ZeroDivisionError):
    """Un periodo/paso que debe ser positivo (``StepLR(step_size=0)``): es ``ValueError`` y también
    ``ZeroDivisionError``, la clase que da PyTorch (``integer modulo by zero``) en ese caso."""


class DataError(TypeError, ValueError):
    """Datos que no forman un tensor (texto, listas irregulares): PyTorch da ``ValueError`` o
    ``TypeError`` según el caso; esta clase es las dos, así que ``except`` de cualquiera la atrapa."""


def _who(owner):
    return f"{owner}: " if owner else ""


def _options(options):
    opts = [repr(o) for o in options]
    return opts[0] if len(opts) == 1 else ", ".join(opts[:-1]) + " o " + opts[-1]


def choice(value, options, name, owner=None, *, exc=ValueError, type_exc=None):
    """``value`` si está en ``options``; si no, ``exc`` (la clase de PyTorch) con las opciones y una
    sugerencia. ``type_exc``: la clase si ni siquiera es texto (PyTorch a veces da ``TypeError``)."""
    if isinstance(value, str) and value in options:
        return value
    if type_exc is not None and not isinstance(value, str):
        raise type_exc(f"{_who(owner)}{name} debe ser un texto ({_options(options)}), no "
                       f"{type(value).__name__} ({value!r})")
    msg = f"{_who(owner)}{name}={value!r} no es válido; usa {_options(options)}"
    if isinstance(value, str):
        near = difflib.get_close_matches(value.lower(), [str(o) for o in options], n=1, cutoff=0.6)
        if near:
            msg += f" (¿querías decir {near[0]!r}?)"
    raise exc(msg)


def reduction(value, owner=None, allowed=REDUCTIONS):
    """El argumento ``reduction`` de las pérdidas: ``ValueError`` como PyTorch
    (``avg is not a valid value for reduction``) para cualquier otro valor. Si ni siquiera es texto
    (``None``, 1) es ``DataError`` (``ValueError`` y ``TypeError``): PyTorch da una u otra según la
    pérdida."""
    if not isinstance(value, str):
        raise DataError(f"{_who(owner)}reduction={value!r} no es válido; usa {_options(allowed)}")
    return choice(value, allowed, "reduction", owner)


def _is_number(v):
    if isinstance(v, (str, bytes)) or v is None:
        return False
    if isinstance(v, numbers.Real):
        return True
    # un Tensor/ndarray de un elemento (PyTorch admite lr=torch.tensor(0.01))
    return getattr(v, "ndim", None) == 0 or (getattr(v, "shape", None) == (1,) and hasattr(v, "__float__"))


def _interval(low, high, low_open, high_open):
    lo = "-∞" if low is None else low
    hi = "∞" if high is None else high
    return f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"


def number(value, name, owner=None, *, low=None, high=None, low_open=False, high_open=False, exc=ValueError,
           nan_ok=False, type_exc=TypeError):
    """Un número real (``TypeError`` si no lo es: texto, ``None``, lista...) que no es NaN (salvo
    ``nan_ok``) y está en el intervalo ``[low, high]`` (abierto por el lado que se pida); si no,
    ``exc`` (``type_exc`` si no es un número: PyTorch a veces da ``ValueError``). Devuelve el valor tal cual (un Tensor de un elemento sigue siendo Tensor)."""
    if not _is_number(value):
        hint = f"; quita las comillas: {name.split()[0]}={value}" if isinstance(value, str) and _parses(value) else ""
        raise type_exc(f"{_who(owner)}{name} debe ser un número, no {type(value).__name__} ({value!r}){hint}")
    v = float(value)
    if math.isnan(v):
        if nan_ok:
            return value
        raise exc(f"{_who(owner)}{name} no puede ser NaN")
    bad = ((low is not None and (v <= low if low_open else v < low))
           or (high is not None and (v >= high if high_open else v > high)))
    if bad:
        raise exc(f"{_who(owner)}{name} debe estar en {_interval(low, high, low_open, high_open)}, no {value!r}")
    return value


def _parses(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def integer(value, name, owner=None, *, low=None, high=None, exc=ValueError):
    """Un entero (``bool`` no cuenta; ``TypeError`` si es 2.5, '3' o None) en ``[low, high]``; si
    no, ``exc`` (``RuntimeError`` para tamaños de capa, como PyTorch). Devuelve un ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{_who(owner)}{name} debe ser un entero, no {type(value).__name__} ({value!r})")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        rng = f"≥ {low}" if high is None else f"entre {low} y {high}"
        raise exc(f"{_who(owner)}{name} debe ser un entero {rng}, no {v}")
    return v


def number_pair(value, name, owner=None, **limits):
    """Dos números (``betas=(0.9, 0.999)``), cada uno comprobado con :func:`number`."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{_who(owner)}{name} debe ser una pareja de números, p. ej. (0.9, 0.999), no {value!r}")
    return tuple(number(v, f"{name}[{i}]", owner, **limits) for i, v in enumerate(value))
