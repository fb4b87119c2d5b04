"""SGD: descenso del gradiente (con momento, Nesterov y decaimiento de pesos), con la fórmula y el
orden de operaciones de ``torch.optim.SGD``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..kernels.sgd import axpy_
from .optimizer import Optimizer, add_scaled_, check_hparam

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
            tensor cada vez (``p ← p − lr·g`` y el momento con un redondeo por elemento, la FMA de
            PyTorch: los mismos bits que ``torch.optim.SGD``).

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

    def step(self, closure=None):
        """Un paso sobre cada parámetro con gradiente; ``closure`` (opcional) recalcula y devuelve la
        pérdida. Véase el docstring de la clase."""
        if closure is not None:
            return super().step(closure)
        for group in self.param_groups:
            if group["momentum"] != 0 or group["weight_decay"] != 0 or group.get("maximize"):
                self._step_group(group)
                continue
            # SGD sin momento ni decaimiento (el de los apuntes): p ← p − lr·g con el núcleo, sin el
            # recorrido general por parámetro (~3 µs por parámetro en el MLP); lo demás, el general
            alpha = None
            for p in group["params"]:
                g = p.param_grad()
                if g is None:
                    continue
                d = p.param_data()
                if (d.__class__ is np.ndarray and g.__class__ is np.ndarray and g.dtype is d.dtype
                        and g.shape == d.shape and d.dtype.char in "fd" and d.flags.c_contiguous
                        and d.flags.writeable and g.flags.c_contiguous):
                    if alpha is None or alpha.dtype is not d.dtype:
                        alpha = d.dtype.type(-group["lr"])
                    self.state[p]  # el estado de cada parámetro actualizado existe, como en el camino general
                    axpy_(d.reshape(-1), g.reshape(-1), alpha)
                    p.set_param(d)
                else:
                    self._step_one(p, group)
        return None

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        if h["weight_decay"] != 0:  # g + λ·p, g + μ·b: también add(alpha=) en PyTorch
            g = add_scaled_(np.array(g, copy=True), p, f(h["weight_decay"]))
        mu = h["momentum"]
        if mu != 0:
            buf = st.get("momentum_buffer")
            if buf is None:
                st["momentum_buffer"] = Tensor._wrap(np.array(g, copy=True))
                b = st["momentum_buffer"]._data
            else:
                b = buf._data
                b *= f(mu)
                add_scaled_(b, g, f(1 - h["dampening"]))
            g = add_scaled_(np.array(g, copy=True), b, f(mu)) if h["nesterov"] else b
        add_scaled_(p, g, f(-h["lr"]))

