"""``Rprop``: retropropagación resiliente (sólo el signo del gradiente, con un paso propio por
coordenada), con la fórmula y el orden de operaciones de ``torch.optim.Rprop``."""
from __future__ import annotations

import numpy as np

from .._validate import number_pair
from .optimizer import Optimizer, check_hparam

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop (Riedmiller y Braun): cada coordenada i tiene su propio paso ηᵢ y sólo se usa el signo del
    gradiente. En cada paso, con ``g`` el gradiente y ``g_prev`` el del paso anterior:

    * si ``gᵢ·g_prevᵢ > 0`` (mismo signo): ``ηᵢ ← min(ηᵢ·η₊, Γ_max)``;
    * si ``gᵢ·g_prevᵢ < 0`` (cambió de signo: nos pasamos): ``ηᵢ ← max(ηᵢ·η₋, Γ_min)`` y ``gᵢ ← 0``
      (esa coordenada no se mueve en este paso);
    * si no: ``ηᵢ`` no cambia;
    * ``p ← p − η·sign(g)``; ``g_prev ← g``.

    Al empezar ``η = lr`` y ``g_prev = 0``. Va bien con lotes completos (el gradiente exacto), no con
    minilotes ruidosos.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: el paso inicial de cada coordenada (``1e-2``).
        etas: ``(η₋, η₊)``, los factores que reducen y aumentan el paso (``(0.5, 1.2)``; ``0 < η₋ < 1 < η₊``).
        step_sizes: ``(Γ_min, Γ_max)``, los pasos mínimo y máximo (``(1e-6, 50)``).
        capturable, foreach, differentiable: de PyTorch (variantes de implementación; ``False``, ``None``
            y ``False``); se aceptan y se guardan, sin efecto.
        maximize: maximiza el objetivo (usa ``−g``) (``False``).

    Estado por parámetro: ``step``, ``prev`` (g_prev) y ``step_size`` (η).

    Ejemplo (el primer paso mueve cada peso ``lr`` contra el signo de su gradiente; el segundo, con el
    mismo signo, ``1,2·lr``):
        >>> w = torch.tensor([1., -2.], requires_grad=True)
        >>> opt = optim.Rprop([w], lr=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([ 0.7800, -1.7800], requires_grad=True)

    En PyTorch: ``torch.optim.Rprop``.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        """Véase el docstring de la clase."""
        name = type(self).__name__
        check_hparam(name, "lr (tasa de aprendizaje)", lr)
        number_pair(etas, "etas", name)
        if not 0.0 < etas[0] < 1.0 < etas[1]:  # la misma condición que PyTorch
            raise ValueError(f"{name}: etas = (η₋, η₊) debe cumplir 0 < η₋ < 1 < η₊, no {etas[0]}, {etas[1]}")
        number_pair(step_sizes, "step_sizes", name)
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        self._count(st)  # el orden de las claves de PyTorch: step, prev, step_size
        prev = self._buffer(st, "prev", p)
        step_size = self._buffer(st, "step_size", p, h["lr"])
        etaminus, etaplus = f(h["etas"][0]), f(h["etas"][1])
        sign = np.sign(g * prev, out=np.empty_like(prev))  # también 0-D (un Value): un array, no un escalar
        pos, neg, zero = sign > 0, sign < 0, sign == 0
        sign[pos], sign[neg], sign[zero] = etaplus, etaminus, f(1)
        step_size *= sign
        np.clip(step_size, f(h["step_sizes"][0]), f(h["step_sizes"][1]), out=step_size)
        g = np.array(g, copy=True)
        g[sign == etaminus] = 0
        p -= np.sign(g) * step_size
        prev[...] = g
