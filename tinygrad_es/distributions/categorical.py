"""``Categorical``: una de K categorías con probabilidades ``probs`` (o ``logits``)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import as_float_tensor, logits_to_probs, nan_like, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """Distribución categórica sobre {0, …, K−1} (``torch.distributions.Categorical``).

    ``probs`` (…, K) ≥ 0 (se normalizan para que cada fila sume 1) o ``logits`` (…, K)
    (log-probabilidades sin normalizar: p = softmax(logits)). ``batch_shape`` = (…).

        log_prob(k) = logits_k − logsumexp(logits)        entropía = −Σ_k p_k·log p_k

    >>> d = Categorical(logits=torch.tensor([1.0, 2.0, 3.0]))
    >>> d.sample((5,))                    # 5 índices en {0, 1, 2}
    >>> d.log_prob(torch.tensor(2))       # tensor(-0.4076)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Categorical: da probs o logits, uno de los dos (no ambos ni ninguno)")
        if probs is not None:
            probs = as_float_tensor(probs)
            if probs.ndim < 1:
                raise ValueError("Categorical: probs debe tener al menos una dimensión (las K categorías)")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            logits = as_float_tensor(logits)
            if logits.ndim < 1:
                raise ValueError("Categorical: logits debe tener al menos una dimensión (las K categorías)")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            param = self.logits
        self._param = param
        self._num_events = param.shape[-1]
        super().__init__(tuple(param.shape[:-1]), (), validate_args)

    def __getattr__(self, name):
        # probs y logits se derivan uno de otro la primera vez que se piden (y quedan guardados)
        if name == "probs":
            self.probs = logits_to_probs(self.__dict__["logits"])
            return self.probs
        if name == "logits":
            self.logits = probs_to_logits(self.__dict__["probs"])
            return self.logits
        raise AttributeError(f"'{type(self).__name__}' no tiene el atributo '{name}'")

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return nan_like(self.probs, tuple(self._batch_shape))

    @property
    def variance(self):
        return nan_like(self.probs, tuple(self._batch_shape))

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        n = int(np.prod(shape[:len(shape) - len(self._batch_shape)], dtype=np.int64))
        p2 = self.probs.detach().reshape(-1, self._num_events)
        s = p2.multinomial(max(n, 1), True) if p2.shape[0] else Tensor._wrap(np.zeros((0, n), np.int64))
        return s.T[:n].reshape(shape) if n else Tensor._wrap(np.zeros(shape, np.int64))

    def log_prob(self, value):
        if self._validate_args:
            value = self._validate_sample(value)
        value = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value))
        idx = value._data.astype(np.int64)[..., None]
        shape = np.broadcast_shapes(idx.shape[:-1], tuple(self._batch_shape))
        logits = self.logits.expand(shape + (self._num_events,))
        return logits.gather(-1, Tensor._wrap(np.broadcast_to(idx, shape + (1,)).copy())).squeeze(-1)

    def entropy(self):
        finfo_min = float(np.finfo(self.logits._data.dtype).min)
        return -(self.logits.clamp(min=finfo_min) * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        """Los K valores posibles, (K, 1…) o expandidos a (K,) + batch_shape."""
        values = Tensor._wrap(np.arange(self._num_events, dtype=np.int64).reshape(
            (-1,) + (1,) * len(self._batch_shape)))
        return values.expand((self._num_events,) + tuple(self._batch_shape)) if expand else values
