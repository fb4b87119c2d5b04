"""Divergencia de Kullback-Leibler entre dos distribuciones (``torch.distributions.kl``)."""
from __future__ import annotations

import math

from ..nn.functional import softplus
from .bernoulli import Bernoulli
from .categorical import Categorical
from .normal import Normal

__all__ = ["kl_divergence", "register_kl"]

_KL = {}


def register_kl(type_p, type_q):
    """Decorador: registra la función que calcula KL(p ‖ q) para ese par de tipos."""
    def deco(fn):
        _KL[(type_p, type_q)] = fn
        return fn
    return deco


def kl_divergence(p, q):
    """KL(p ‖ q) = E_p[log p(x) − log q(x)], por elemento del lote."""
    for (tp, tq), fn in _KL.items():
        if isinstance(p, tp) and isinstance(q, tq):
            return fn(p, q)
    raise NotImplementedError(f"kl_divergence no está definida para {type(p).__name__} y {type(q).__name__}")


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """log(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²)/(2σ_q²) − ½."""
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """Σ p_k·(log p_k − log q_k), con 0·log 0 = 0 y +∞ donde q_k = 0 < p_k."""
    t = p.probs * (p.logits - q.logits)
    t = t.masked_fill((q.probs == 0).expand(t.shape), math.inf)
    t = t.masked_fill((p.probs == 0).expand(t.shape), 0)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p·(log p − log q) + (1 − p)·(log(1 − p) − log(1 − q)) (con softplus de los logits)."""
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    return t1 + t2
