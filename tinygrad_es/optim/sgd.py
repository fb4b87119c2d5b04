"""SGD: descenso del gradiente (con momento, Nesterov y decaimiento de pesos), con la fórmula y el
orden de operaciones de ``torch.optim.SGD``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _as_float, check_hparam

__all__ = ["SGD"]


# ----------------------------------------------------------------------------------------
class SGD(Optimizer):
    """Descenso del gradiente: ``g ← g + λ·p``; con momento ``b ← μ·b + (1−τ)·g``
    (``b = g`` en el primer paso); Nesterov usa ``g + μ·b``; ``p ← p − lr·g``."""

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_hparam(type(self).__name__, "lr (tasa de aprendizaje)", lr)
        check_hparam(type(self).__name__, "momentum", momentum)
        check_hparam(type(self).__name__, "weight_decay", weight_decay)
        check_hparam(type(self).__name__, "dampening", dampening, low=None)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov necesita momentum > 0 y dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def _step_param(self, p, g, st, h):
        if h["weight_decay"] != 0:
            g = g + _as_float(h["weight_decay"], p.dtype) * p
        mu = h["momentum"]
        if mu != 0:
            buf = st.get("momentum_buffer")
            if buf is None:
                st["momentum_buffer"] = Tensor._wrap(np.array(g, copy=True))
                b = st["momentum_buffer"]._data
            else:
                b = buf._data
                b *= _as_float(mu, p.dtype)
                b += _as_float(1 - h["dampening"], p.dtype) * g
            g = g + _as_float(mu, p.dtype) * b if h["nesterov"] else b
        p += _as_float(-h["lr"], p.dtype) * g
