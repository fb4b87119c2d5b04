"""Distribuciones de probabilidad (``torch.distributions``): ``Categorical``, ``Bernoulli``,
``Normal`` y ``kl_divergence``.

>>> from tinygrad_es.distributions import Categorical
>>> d = Categorical(logits=modelo(x)[:, -1])      # la distribución del siguiente carácter
>>> siguiente = d.sample()                         # muestrear para generar texto
>>> perdida = -d.log_prob(objetivo).mean()         # o aprender con máxima verosimilitud
"""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .normal import Normal

__all__ = ["Distribution", "Categorical", "Bernoulli", "Normal", "kl_divergence", "register_kl", "constraints"]
