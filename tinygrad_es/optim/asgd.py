"""``ASGD``: descenso del gradiente con promedio (Polyak–Juditsky), con la fórmula y el orden de
operaciones de ``torch.optim.ASGD``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, add_scaled_, check_hparam

__all__ = ["ASGD"]


def _scalar(value) -> Tensor:
    """Un escalar del estado (``eta``, ``mu``, ``step``): float32 0-D, como PyTorch."""
    return Tensor._wrap(np.array(value, dtype=np.float32))


class ASGD(Optimizer):
    """SGD con promedio (Polyak y Juditsky): da pasos de SGD con una tasa η_t que baja poco a poco y lleva
    aparte el promedio ``ax`` de los parámetros visitados desde el paso ``t0``. En el paso t:

    * ``g ← g + λ_w·p`` (``weight_decay``);
    * ``p ← p·(1 − λ·η)``;  ``p ← p − η·g``;
    * ``ax ← ax + μ·(p − ax)`` (``ax ← p`` mientras ``μ = 1``);
    * ``η ← lr/(1 + λ·lr·t)^α``;  ``μ ← 1/max(1, t − t0)``.

    El modelo promediado está en ``optimizer.state[p]['ax']`` (los parámetros siguen la trayectoria de SGD).

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje inicial (``1e-2``).
        lambd: λ, término de decaimiento (``1e-4``).
        alpha: α, potencia del decaimiento de η (``0.75``).
        t0: paso desde el que se empieza a promediar (``1e6``).
        weight_decay: λ_w, L2 (``0.0``).
        foreach, differentiable, capturable: de PyTorch; se aceptan, sin efecto
            (``foreach``: ``None``; los demás: ``False``).
        maximize: maximiza el objetivo (usa ``−g``) (``False``).

    Estado por parámetro: ``step``, ``eta`` (η), ``mu`` (μ), los tres float32 0-D, y ``ax``.

    Ejemplo:
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.ASGD([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)

    En PyTorch: ``torch.optim.ASGD``.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        """Véase el docstring de la clase."""
        check_hparam(type(self).__name__, "lr (tasa de aprendizaje)", lr)
        check_hparam(type(self).__name__, "weight_decay", weight_decay)
        for name, v in (("lambd", lambd), ("alpha", alpha), ("t0", t0)):
            check_hparam(type(self).__name__, name, v, low=None)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        lr, lambd = float(h["lr"]), h["lambd"]
        if "step" not in st:
            st["step"], st["eta"], st["mu"] = _scalar(0.0), _scalar(lr), _scalar(1.0)
        ax = self._buffer(st, "ax", p)
        step = self._count(st)
        if h["weight_decay"] != 0:
            g = add_scaled_(np.array(g, copy=True), p, f(h["weight_decay"]))
        eta = float(st["eta"]._data)
        p *= f(1 - lambd * eta)
        add_scaled_(p, g, f(-eta))
        mu = float(st["mu"]._data)
        if mu != 1:
            ax += (p - ax) * f(mu)
        else:
            ax[...] = p
        st["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** h["alpha"])
        st["mu"]._data[...] = 1 / max(1, step - h["t0"])
