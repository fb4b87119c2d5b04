"""SGD: descenso del gradiente (con momento, Nesterov y decaimiento de pesos), con la fórmula y el
orden de operaciones de ``torch.optim.SGD``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _as_float, check_hparam

__all__ = ["SGD"]


# ----------------------------------------------------------------------------------------
class SGD(Optimizer):
    """Descenso del gradiente estocástico, con momento, Nesterov y decaimiento de pesos (la fórmula y el
    orden de operaciones de PyTorch). En cada paso, con ``g`` el gradiente:

    * ``g ← g + λ·p`` (``weight_decay`` λ, regularización L2);
    * con momento μ: ``b ← μ·b + (1 − τ)·g`` (``b = g`` en el primer paso; τ = ``dampening``) y
      ``g ← b``, o con Nesterov ``g ← g + μ·b``;
    * ``p ← p − lr·g``.

    Args:
        params: iterable de parámetros (``model.parameters()``) o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-3``, como PyTorch ≥ 2.2; los apuntes usan 0,01–0,1).
        momentum: μ, el factor del momento (``0.0``: sin momento; se suele usar 0,9).
        dampening: τ, amortiguación del momento (``0.0``).
        weight_decay: λ, decaimiento de pesos (L2) (``0.0``).
        nesterov: momento de Nesterov (``False``; necesita ``momentum > 0`` y ``dampening = 0``).
        maximize: maximiza el objetivo en vez de minimizarlo (usa ``−g``) (``False``).
        foreach, differentiable, fused: de PyTorch (variantes de implementación; ``None``, ``False`` y
            ``None``); se aceptan y se guardan en el grupo, sin efecto: aquí el paso es siempre el de un
            tensor cada vez.

    Estado por parámetro: ``momentum_buffer`` (con momento).

    Ejemplo (un paso sobre ``w²``, cuyo gradiente es ``2w``):
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)

    En PyTorch: ``torch.optim.SGD``.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        """Véase el docstring de la clase."""
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
