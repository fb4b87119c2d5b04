"""Las cuentas con floats de Python del motor escalar con la semántica de numpy: desbordamiento → inf,
0⁻¹ → inf, base negativa con exponente no entero → nan, con un aviso en vez de una excepción."""
from __future__ import annotations

import math
import warnings

_Number = (int, float)


def _warn(msg: str) -> None:
    warnings.warn(msg, RuntimeWarning, stacklevel=3)


def _exp(x: float) -> float:
    # Como numpy: desbordamiento -> inf, nunca OverflowError.
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _check_number(x, what="dato"):
    if isinstance(x, bool) or not isinstance(x, _Number):
        try:
            import numpy as np
            if isinstance(x, np.generic) and np.issubdtype(type(x), np.number):
                return float(x)
        except ImportError:  # pragma: no cover
            pass
        raise TypeError(f"Value espera un número real como {what}, no {type(x).__name__}: {x!r}")
    return float(x)


def _pow(a: float, b: float) -> float:
    """a**b con la semántica de numpy (inf/nan + aviso) en lugar de excepciones."""
    try:
        r = a ** b
    except OverflowError:
        if a < 0 and float(b).is_integer() and int(b) % 2 == 1:
            return -math.inf
        return math.inf
    except ZeroDivisionError:
        _warn(f"0 elevado a un exponente negativo ({b}) en Value: el resultado es inf (como en numpy)")
        return math.inf
    if isinstance(r, complex):
        _warn(f"base negativa ({a}) con exponente no entero ({b}) en Value: el resultado es nan (como en numpy)")
        return math.nan
    return float(r)
