"""``Bernoulli``: 1 con probabilidad ``probs`` (o σ(``logits``)), 0 si no."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from .distribution import Distribution
from .utils import as_float_tensor, broadcast_all, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """Distribución de Bernoulli (``torch.distributions.Bernoulli``): P(1) = p, P(0) = 1 − p.

        log_prob(x) = x·log p + (1 − x)·log(1 − p)  (= −BCE con logits)     media p, varianza p(1 − p)

    >>> d = Bernoulli(probs=torch.tensor([0.2, 0.9]))
    >>> d.sample()                         # p. ej. tensor([0., 1.])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: da probs o logits, uno de los dos (no ambos ni ninguno)")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        self._param = param
        super().__init__(tuple(param.shape), (), validate_args)

    def __getattr__(self, name):
        if name == "probs":
            self.probs = logits_to_probs(self.__dict__["logits"], is_binary=True)
            return self.probs
        if name == "logits":
            self.logits = probs_to_logits(self.__dict__["probs"], is_binary=True)
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' no tiene el atributo '{name}'")

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        p = self.probs.detach()._data
        out = (p >= 0.5).astype(p.dtype)
        out[p == 0.5] = np.nan
        return Tensor._wrap(out)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return self.probs.detach().expand(shape).bernoulli()

    def log_prob(self, value):
        if self._validate_args:
            value = self._validate_sample(value)
        logits, value = broadcast_all(self.logits, as_float_tensor(value).type(self.logits.dtype))
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = Tensor._wrap(np.arange(2, dtype=self._param._data.dtype).reshape((-1,) + (1,) * len(self._batch_shape)))
        return values.expand((2,) + tuple(self._batch_shape)) if expand else values
