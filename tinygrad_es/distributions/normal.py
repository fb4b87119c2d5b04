"""``Normal``: la gaussiana N(μ, σ²), reparametrizable."""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from .._tensor import Tensor
from .._tensor.random import normal as _normal
from ..autograd import no_grad
from . import constraints
from .distribution import Distribution
from .utils import as_float_tensor, broadcast_all

__all__ = ["Normal"]


class Normal(Distribution):
    """Distribución normal (``torch.distributions.Normal``) de media ``loc`` y desviación ``scale`` > 0.

        log_prob(x) = −(x − μ)²/(2σ²) − log σ − ½·log 2π        entropía = ½ + ½·log 2π + log σ

    ``rsample`` = μ + σ·ε con ε ~ N(0, 1): el gradiente llega a μ y σ (truco de reparametrización).

    >>> d = Normal(torch.tensor(0.0), torch.tensor(2.0))
    >>> d.log_prob(torch.tensor(1.0))      # tensor(-1.7371)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), (), validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return _normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = _normal(Tensor._wrap(np.zeros(shape, dtype=self.loc._data.dtype)), 1.0)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            value = self._validate_sample(value)
        value = as_float_tensor(value)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        if self._validate_args:
            value = self._validate_sample(value)
        return 0.5 * (1 + ((as_float_tensor(value) - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value):
        """μ + σ·Φ⁻¹(p) (sin gradiente respecto de p: falta erfinv)."""
        return self.loc + self.scale * _probit(as_float_tensor(value))

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()


def _probit(p):
    """Φ⁻¹(p), la inversa de la función de distribución normal estándar (sin gradiente)."""
    f = np.vectorize(lambda x: NormalDist().inv_cdf(x) if 0 < x < 1 else (-np.inf if x == 0 else np.inf))
    return Tensor._wrap(f(p._data).astype(p._data.dtype))
