"""Detección de anomalías en el backward (como ``torch.autograd.detect_anomaly``): con el modo activo,
cada paso del motor comprueba los gradientes que acaba de calcular y, si alguno tiene ``nan``, para con
un ``RuntimeError`` que nombra la operación (``Function 'DivBackward0' returned nan values in its 0th
output`` en PyTorch; aquí en castellano, con el mismo nombre). Sirve para encontrar la operación que
estropea el entrenamiento (un ``log(0)``, una división por 0...):

>>> with torch.autograd.detect_anomaly():
...     (torch.zeros(1, requires_grad=True).sqrt() * 0).sum().backward()   # RuntimeError: ... SqrtBackward0

Se apoya en ``observe_backward`` del motor: sin el modo, el backward no paga nada.
"""
from __future__ import annotations

import numpy as np

from .engine import _observers
from .graph import TensorBase

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "set_anomaly_enabled"]

_STATE = {"enabled": False, "check_nan": True}


def _check(ctx, g, in_grads):
    if not _STATE["check_nan"]:
        return
    for i, ig in enumerate(in_grads):
        if ig is None:
            continue
        a = ig._data if isinstance(ig, TensorBase) else ig
        if isinstance(a, np.ndarray) and a.dtype.kind in "fc" and np.isnan(a).any():
            raise RuntimeError(f"la función '{ctx.name()}' devolvió valores nan en su salida {i} (el gradiente "
                               f"respecto de su entrada {i}): el problema está en esa operación del forward "
                               f"(Function '{ctx.name()}' returned nan values in its {i}th output)")


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Activa o desactiva la detección de anomalías (``torch.set_anomaly_enabled``)."""
    _STATE["enabled"], _STATE["check_nan"] = bool(enabled), bool(check_nan)
    if enabled and _check not in _observers:
        _observers.append(_check)
    elif not enabled and _check in _observers:
        _observers.remove(_check)


def is_anomaly_enabled() -> bool:
    """¿Está activa la detección de anomalías?"""
    return _STATE["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    """¿Comprueba los ``nan`` de los gradientes?"""
    return _STATE["enabled"] and _STATE["check_nan"]


class set_detect_anomaly:
    """Activa (``mode=True``) o desactiva la detección de anomalías **ya** y, usado con ``with``, la
    devuelve a como estaba al salir (``torch.autograd.set_detect_anomaly``)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = (_STATE["enabled"], _STATE["check_nan"])
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)
        return False


class detect_anomaly:
    """Contexto (o decorador) con la detección de anomalías activa (``torch.autograd.detect_anomaly``).

    Args:
        check_nan: parar si un paso del backward da ``nan`` (por defecto, ``True``).
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = (_STATE["enabled"], _STATE["check_nan"])
        set_anomaly_enabled(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
        return wrapper
