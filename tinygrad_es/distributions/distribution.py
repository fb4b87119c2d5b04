"""``Distribution``: la base de las distribuciones de probabilidad (``torch.distributions``).

Una distribución con parámetros de forma ``batch_shape`` es un lote de distribuciones
independientes; cada muestra tiene forma ``event_shape`` (() para las escalares).
``sample(sample_shape)`` devuelve ``sample_shape + batch_shape + event_shape`` sin gradiente;
``rsample`` (sólo las reparametrizables, como ``Normal``) deja pasar el gradiente a los
parámetros: x = μ + σ·ε con ε ~ N(0, 1) (el truco de reparametrización de los VAE).
"""
from __future__ import annotations

import numpy as np

from .._tensor import Size
from ..autograd import TensorBase, no_grad
from .utils import as_float_tensor

__all__ = ["Distribution"]


def _fmt(t):
    """Como PyTorch: el valor si es un solo elemento, la forma si no."""
    if t.numel() == 1:
        return str(t.item()) if t.ndim == 0 else repr(t.detach())
    return repr(t.shape)


class Distribution:
    """Base de las distribuciones. Las subclases definen ``arg_constraints``, ``support``,
    ``sample``/``rsample``, ``log_prob``, ``entropy``, ``mean``, ``variance``."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = True  # como PyTorch (salvo con python -O): parámetros y valores se comprueban
    arg_constraints: dict = {}
    support = None

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Activa o desactiva la comprobación de parámetros y valores para todas las distribuciones."""
        if value not in (True, False):
            raise ValueError("set_default_validate_args espera True o False")
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                if name not in self.__dict__ and isinstance(getattr(type(self), name, None), property):
                    continue  # el parámetro derivado (p. ej. logits si se dio probs) no se comprueba
                value = getattr(self, name)
                ok = constraint.check(value._data)
                if not np.all(ok):
                    raise ValueError(f"El parámetro {name} (tensor de forma {tuple(value.shape)}) de la distribución "
                                     f"{self!r} debe cumplir la restricción {constraint!r}, pero tiene valores no "
                                     f"válidos:\n{value}")

    # -- formas --------------------------------------------------------------------------------
    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape=Size()) -> tuple:
        if not isinstance(sample_shape, (tuple, list)):
            sample_shape = (int(sample_shape),)
        return tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape)

    # -- interfaz ----------------------------------------------------------------------------------
    def sample(self, sample_shape=Size()):
        """Muestra sin gradiente de forma ``sample_shape + batch_shape + event_shape``."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        raise NotImplementedError(f"{type(self).__name__} no tiene rsample (no es reparametrizable): usa sample")

    def sample_n(self, n):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} no define cdf")

    def icdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} no define icdf")

    def perplexity(self):
        """exp(entropía)."""
        return self.entropy().exp()

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def _validate_sample(self, value):
        """Comprueba que ``value`` hace broadcasting con el lote y está en el soporte."""
        value = as_float_tensor(value) if not isinstance(value, TensorBase) else value
        ev = len(self._event_shape)
        actual = tuple(value.shape)
        expected = tuple(self._batch_shape) + tuple(self._event_shape)
        if ev and actual[len(actual) - ev:] != tuple(self._event_shape):
            raise ValueError(f"la forma del valor {actual} debe terminar en event_shape {tuple(self._event_shape)}")
        try:
            np.broadcast_shapes(actual, expected)
        except ValueError:
            raise ValueError(f"el valor no hace broadcasting con batch_shape + event_shape: {actual} frente a "
                             f"{expected}") from None
        if self.support is not None and not np.all(self.support.check(value._data)):
            raise ValueError(f"el valor (tensor de forma {actual}) debe estar en el soporte {self.support!r} de la "
                             f"distribución {self!r}, pero tiene valores no válidos:\n{value}")
        return value

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{k}: {_fmt(self.__dict__[k])}" for k in names)
        return f"{type(self).__name__}({args})"
