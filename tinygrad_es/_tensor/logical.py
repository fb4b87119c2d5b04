"""Operaciones lógicas y de bits (``logical_and``, ``&``, ``|``, ``^``, ``~``, ``<<``, ``>>``).

No son diferenciables: devuelven tensores sin grafo (bool las lógicas; las de bits, el dtype común
de las entradas, que debe ser bool o entero: con flotantes dan el mismo error que PyTorch).
Las comparaciones de la vida real (``isnan``, ``isclose``...) también viven aquí.
"""
import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase, broadcast_shape

__all__ = ["logical", "logical_not", "bitwise", "bitwise_not", "isnan", "isinf", "isfinite",
           "isposinf", "isneginf", "isclose", "signbit"]


def _arr(x):
    if isinstance(x, TensorBase):
        return x._data
    return x


def _name(npd) -> str:
    return str(D._BY_NP.get(np.dtype(npd), npd))


def _shapes(a, b, op):
    sa, sb = np.shape(a), np.shape(b)
    if sa != sb:
        broadcast_shape(sa, sb, op=op)


_LOGICAL = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}


def logical(op, a, b):
    """``logical_and/or/xor``: verdadero/falso elemento a elemento (0 es falso, lo demás cierto)."""
    x, y = _arr(a), _arr(b)
    _shapes(x, y, f"logical_{op}")
    return TensorBase._wrap(np.asarray(_LOGICAL[op](x, y)))


def logical_not(a):
    return TensorBase._wrap(np.logical_not(_arr(a)))


def _check_bits(npd, op):
    if npd.kind not in "biu":
        raise NotImplementedError(f"'{op}' sólo está definida para tensores bool o enteros, no para "
                                  f"{_name(npd)} (convierte con .long() o usa una comparación)")


_BITWISE = {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
            "left_shift": np.left_shift, "right_shift": np.right_shift}
_SYMBOL = {"and": "&", "or": "|", "xor": "^", "left_shift": "<<", "right_shift": ">>"}


def bitwise(op, a, b):
    """``bitwise_and/or/xor`` (``& | ^``) y desplazamientos (``<< >>``) con la promoción de PyTorch."""
    label = f"bitwise_{op} ({_SYMBOL[op]})"
    npd = D.result_type(*(x if isinstance(x, (TensorBase, bool, int, float, np.generic)) else np.asarray(x)
                          for x in (a, b)))
    _shapes(np.asarray(_arr(a)), np.asarray(_arr(b)), label)  # como PyTorch: primero las formas
    _check_bits(npd, label)
    if op.endswith("shift") and npd == np.bool_:
        raise NotImplementedError(f"'{label}' no está definida para dos operandos bool")
    with np.errstate(over="ignore", invalid="ignore"):
        x, y = np.asarray(_arr(a)).astype(npd, copy=False), np.asarray(_arr(b)).astype(npd, copy=False)
    with np.errstate(over="ignore"):
        out = _BITWISE[op](x, y)
    return TensorBase._wrap(np.asarray(out).astype(npd, copy=False))


def bitwise_not(a, error=NotImplementedError):
    """``~a``; en coma flotante, ``error`` (PyTorch: ``TypeError`` con ``~``, ``NotImplementedError`` con
    ``bitwise_not``)."""
    x = _arr(a)
    if x.dtype.kind not in "biu":
        raise error(f"~ (bitwise_not) sólo está definido para tensores enteros o bool, no para "
                        f"{_name(x.dtype)}")
    return TensorBase._wrap(np.invert(x))


# --------------------------------------------------------------------------
# pruebas de valores
# --------------------------------------------------------------------------
def isnan(a):
    return TensorBase._wrap(np.isnan(_arr(a)) if _arr(a).dtype.kind == "f" else np.zeros(_arr(a).shape, bool))


def isinf(a):
    return TensorBase._wrap(np.isinf(_arr(a)) if _arr(a).dtype.kind == "f" else np.zeros(_arr(a).shape, bool))


def isposinf(a):
    x = _arr(a)
    return TensorBase._wrap(np.isposinf(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool))


def isneginf(a):
    x = _arr(a)
    return TensorBase._wrap(np.isneginf(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool))


def isfinite(a):
    return TensorBase._wrap(np.isfinite(_arr(a)) if _arr(a).dtype.kind == "f" else np.ones(_arr(a).shape, bool))


def signbit(a):
    x = _arr(a)
    return TensorBase._wrap(np.signbit(x) if x.dtype.kind != "b" else np.zeros(x.shape, bool))


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|a − b| ≤ atol + rtol·|b|`` elemento a elemento (los infinitos iguales también cuentan)."""
    x, y = _arr(a), _arr(b)
    if isinstance(y, np.ndarray) and isinstance(x, np.ndarray) and x.dtype != y.dtype:
        raise RuntimeError(f"isclose: los dos tensores deben tener el mismo dtype; se recibieron "
                           f"{_name(x.dtype)} y {_name(y.dtype)}")
    if rtol < 0 or atol < 0:
        raise RuntimeError(f"isclose: rtol y atol deben ser ≥ 0 (rtol={rtol}, atol={atol})")
    _shapes(x, y, "isclose")
    if x.dtype == np.bool_:
        return TensorBase._wrap(np.asarray(x == y))
    with np.errstate(invalid="ignore", over="ignore"):
        return TensorBase._wrap(np.asarray(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))
