"""``Adafactor``: Adam sin primer momento y con el segundo momento factorizado (filas × columnas) en
las matrices, con la fórmula y el orden de operaciones de ``torch.optim.Adafactor`` (PyTorch ≥ 2.5)."""
from __future__ import annotations

import math

import numpy as np

from .._validate import number
from .optimizer import Optimizer, add_scaled_, check_hparam, lerp_

__all__ = ["Adafactor"]


def _norm(a) -> float:
    """‖a‖₂ como ``Tensor.norm(2).item()`` (la suma acumulada en float64, el resultado en el dtype de ``a``)."""
    return float(a.dtype.type(math.sqrt(float(np.dot(a.reshape(-1).astype(np.float64),
                                                      a.reshape(-1).astype(np.float64))))))


class Adafactor(Optimizer):
    """Adafactor (Shazeer y Stern; la versión de PyTorch): guarda, en vez de ``v`` entero, la media de
    ``g²`` por filas ``R`` y por columnas ``C`` de las dos últimas dimensiones (memoria ``m + n`` en vez de
    ``m·n``). En el paso t, con ``β₂ₜ = 1 − t^c`` (``c = beta2_decay``), ``ρ_t = min(lr, 1/√t)`` y
    ``α_t = max(ε₂, RMS(p))·ρ_t``:

    * ``p ← p·(1 − lr·λ)`` (``weight_decay`` λ, desacoplado);
    * matrices (≥ 2-D): ``R ← lerp(R, mean(g², −1), 1 − β₂ₜ)``, ``C ← lerp(C, mean(g², −2), 1 − β₂ₜ)``,
      ``v̂ = R·C / max(mean(R), ε₁)``; vectores: ``v ← lerp(v, g², 1 − β₂ₜ)``, ``v̂ = v``;
    * ``u = g/√max(v̂, ε₁²)``;  ``p ← p − α_t/max(1, RMS(u)/d)·u``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-2``): tope de ``ρ_t``.
        beta2_decay: c ≤ 0, el exponente de ``1 − β₂ₜ = t^c`` (``-0.8``).
        eps: ``(ε₁, ε₂)`` (``(None, 1e-3)``); ε₁ ``None`` es el épsilon de la máquina del dtype
            (``torch.finfo(p.dtype).eps``).
        d: umbral del recorte de ``RMS(u)`` (``1.0``; ≥ 1).
        weight_decay: λ, decaimiento desacoplado (``0.0``).
        foreach: de PyTorch; se acepta, sin efecto (``None``).
        maximize: maximiza el objetivo (usa ``−g``) (``False``).

    Estado por parámetro: ``step`` y ``row_var``/``col_var`` (R, C: la forma de ``p`` con la última o la
    penúltima dimensión a 1) en los de ≥ 2 dimensiones, o ``variance`` (v) en los demás.

    Ejemplo (en el primer paso ``ρ = lr`` y ``|u| = 1`` en cada coordenada: cada peso baja
    ``lr·RMS(w)``):
        >>> w = torch.tensor([3., 4.], requires_grad=True)
        >>> opt = optim.Adafactor([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([2.6464, 3.6464], requires_grad=True)

    En PyTorch: ``torch.optim.Adafactor``.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        """Véase el docstring de la clase."""
        name = type(self).__name__
        check_hparam(name, "lr (tasa de aprendizaje)", lr)
        check_hparam(name, "beta2_decay", beta2_decay, low=None, high=0.0)
        if not isinstance(eps, (tuple, list)) or len(eps) != 2:
            raise TypeError(f"{name}: eps debe ser un par (ε₁, ε₂), no {eps!r}")
        if eps[0] is not None:
            number(eps[0], "eps[0] (ε₁)", name, low=0.0)
        number(eps[1], "eps[1] (ε₂)", name, low=0.0)
        check_hparam(name, "d (umbral del recorte)", d, low=1.0)
        check_hparam(name, "weight_decay", weight_decay)
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=tuple(eps), d=d,
                                      weight_decay=weight_decay, foreach=foreach, maximize=maximize))

    def _step_group(self, group):
        # como PyTorch: con ε₁ = None se toma el épsilon del dtype del primer parámetro con gradiente del
        # grupo, y ése vale para todo el grupo
        self._eps1 = group["eps"][0]
        super()._step_group(group)

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        if self._eps1 is None:
            self._eps1 = float(np.finfo(p.dtype).eps)
        eps1, eps2 = self._eps1, h["eps"][1]
        lr = float(h["lr"])
        step = self._count(st)
        if g.ndim > 1:
            row_var = self._buffer(st, "row_var", p.sum(axis=-1, keepdims=True))
            col_var = self._buffer(st, "col_var", p.sum(axis=-2, keepdims=True))
        else:
            variance = self._buffer(st, "variance", p)
        one_minus_beta2_t = step ** h["beta2_decay"]
        rho_t = min(lr, 1 / (step ** 0.5))
        alpha = max(eps2, _norm(p) / (p.size ** 0.5)) * rho_t
        if h["weight_decay"] != 0:
            p *= f(1 - lr * h["weight_decay"])
        if g.ndim > 1:
            row_mean = np.sqrt((g * g).sum(axis=-1, keepdims=True))
            row_mean *= row_mean
            row_mean /= f(g.shape[-1])
            lerp_(row_var, row_mean, one_minus_beta2_t)
            col_mean = np.sqrt((g * g).sum(axis=-2, keepdims=True))
            col_mean *= col_mean
            col_mean /= f(g.shape[-2])
            lerp_(col_var, col_mean, one_minus_beta2_t)
            var_estimate = row_var @ col_var
            var_estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), f(eps1))
        else:
            lerp_(variance, g * g, one_minus_beta2_t)
            var_estimate = variance.copy()
        update = f(1) / np.sqrt(np.maximum(var_estimate, f(eps1 * eps1)))
        update *= g
        denom = max(1.0, _norm(update) / ((update.size ** 0.5) * h["d"]))
        add_scaled_(p, update, f(-alpha / denom))
