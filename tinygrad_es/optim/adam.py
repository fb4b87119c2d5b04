"""La familia de Adam: ``Adam``, ``AdamW``, ``Adamax``, ``NAdam``, ``RAdam`` y ``SparseAdam`` (misma fórmula y mismo
orden de operaciones que ``torch.optim``; el estado con los mismos nombres). ``Adam`` con
float32/float64 contiguos da el paso en una sola pasada (``kernels/adam.py``, idéntico bit a bit)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..kernels.adam import adam_step
from .._validate import number, number_pair
from .optimizer import Optimizer, check_hparam, check_lr_eps_decay, fused_ok, lerp_

__all__ = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam"]


def _check_betas(owner, betas):
    number_pair(betas, "betas", owner, low=0.0, high=1.0, high_open=True)


class Adam(Optimizer):
    """Adam (Kingma y Ba): momento de primer y segundo orden con corrección del sesgo. En el paso t:

    * ``g ← g + λ·p`` (``weight_decay``; con ``decoupled_weight_decay``, ``p ← p·(1 − lr·λ)``, AdamW);
    * ``m ← β₁·m + (1 − β₁)·g``;  ``v ← β₂·v + (1 − β₂)·g²``;
    * ``m̂ = m/(1 − β₁ᵗ)``, ``v̂ = v/(1 − β₂ᵗ)`` (con ``amsgrad``, ``v̂`` usa el máximo histórico de ``v``);
    * ``p ← p − lr·m̂/(√v̂ + ε)``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-3``).
        betas: ``(β₁, β₂)``, los factores de las medias móviles (``(0.9, 0.999)``).
        eps: ε, se suma al denominador (``1e-8``).
        weight_decay: λ (``0.0``): L2 clásico (sumado al gradiente).
        amsgrad: variante AMSGrad (``False``).
        foreach, capturable, differentiable, fused: de PyTorch (variantes de implementación;
            ``foreach`` y ``fused``: ``None``; los demás: ``False``); se aceptan y se guardan, sin efecto.
        maximize: maximiza el objetivo (usa ``−g``) (``False``).
        decoupled_weight_decay: decaimiento desacoplado, como ``AdamW`` (``False``).

    Estado por parámetro: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) y ``max_exp_avg_sq`` (con amsgrad).

    Ejemplo (el primer paso de Adam mueve cada peso ``lr`` en contra del signo de su gradiente):
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.Adam([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.9000, 1.9000], requires_grad=True)

    En PyTorch: ``torch.optim.Adam``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        """Véase el docstring de la clase."""
        check_hparam(type(self).__name__, "lr (tasa de aprendizaje)", lr)
        check_hparam(type(self).__name__, "eps", eps)
        _check_betas(type(self).__name__, betas)
        check_hparam(type(self).__name__, "weight_decay", weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        lr, (b1, b2), eps, wd = h["lr"], h["betas"], h["eps"], h["weight_decay"]
        m = self._buffer(st, "exp_avg", p)
        v = self._buffer(st, "exp_avg_sq", p)
        step = self._count(st)
        if fused_ok(p, g, m, v) and not h["amsgrad"]:
            # una pasada, mismas operaciones que abajo (kernels/adam.py)
            decoupled = bool(h.get("decoupled_weight_decay")) and wd != 0
            adam_step(p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1), f(1), f(1 - b1), f(b2), f(1 - b2),
                      f(1 - lr * wd) if decoupled else f(1), f(0) if decoupled else f(wd),
                      f(-(lr / (1 - b1 ** step))), f((1 - b2 ** step) ** 0.5), f(eps))
            return
        if wd != 0:
            if h.get("decoupled_weight_decay"):
                p *= f(1 - lr * wd)
            else:
                g = g + f(wd) * p
        lerp_(m, g, 1 - b1)
        v *= f(b2)
        v += f(1 - b2) * g * g
        bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
        step_size = lr / bc1
        bc2_sqrt = bc2 ** 0.5
        if h["amsgrad"]:
            vmax = self._buffer(st, "max_exp_avg_sq", p)
            np.maximum(vmax, v, out=vmax)
            denom = np.sqrt(vmax) / f(bc2_sqrt)
        else:
            denom = np.sqrt(v) / f(bc2_sqrt)
        denom += f(eps)
        p += f(-step_size) * m / denom


class AdamW(Adam):
    """Adam con decaimiento de pesos desacoplado (Loshchilov y Hutter): antes del paso de Adam,
    ``p ← p·(1 − lr·λ)`` (el decaimiento no pasa por ``m`` ni por ``v``, a diferencia de
    ``Adam(weight_decay=λ)``). El resto, como ``Adam``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-3``).
        betas: ``(β₁, β₂)`` (``(0.9, 0.999)``).
        eps: ε del denominador (``1e-8``).
        weight_decay: λ, decaimiento desacoplado (``1e-2``).
        amsgrad: variante AMSGrad (``False``).
        maximize: maximiza el objetivo (``False``).
        foreach, capturable, differentiable, fused: de PyTorch; se aceptan, sin efecto
            (``foreach`` y ``fused``: ``None``; los demás: ``False``).

    Ejemplo:
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.AdamW([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w                                    # 1·(1 − 0,1·0,01) − 0,1
        tensor([0.8990, 1.8980], requires_grad=True)

    En PyTorch: ``torch.optim.AdamW``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        """Véase el docstring de la clase."""
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


class Adamax(Optimizer):
    """Adamax (Kingma y Ba): Adam con la norma infinito en el segundo momento:
    ``m ← β₁·m + (1 − β₁)·g``, ``u ← max(β₂·u, |g| + ε)``, ``p ← p − lr/(1 − β₁ᵗ)·m/u``
    (``g ← g + λ·p`` antes, con ``weight_decay``).

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``2e-3``).
        betas: ``(β₁, β₂)`` (``(0.9, 0.999)``).
        eps: ε (``1e-8``).
        weight_decay: λ, L2 (``0.0``).
        foreach, differentiable, capturable: de PyTorch; se aceptan, sin efecto
            (``foreach``: ``None``; los demás: ``False``).
        maximize: maximiza el objetivo (``False``).

    Estado por parámetro: ``step``, ``exp_avg`` (m) y ``exp_inf`` (u).

    Ejemplo:
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.Adamax([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.9000, 1.9000], requires_grad=True)

    En PyTorch: ``torch.optim.Adamax``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        """Véase el docstring de la clase."""
        check_lr_eps_decay(type(self).__name__, lr, eps, weight_decay)
        _check_betas(type(self).__name__, betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        b1, b2 = h["betas"]
        m = self._buffer(st, "exp_avg", p)
        u = self._buffer(st, "exp_inf", p)
        step = self._count(st)
        if h["weight_decay"] != 0:
            g = g + f(h["weight_decay"]) * p
        lerp_(m, g, 1 - b1)
        u *= f(b2)
        np.maximum(u, np.abs(g) + f(h["eps"]), out=u)
        clr = h["lr"] / (1 - b1 ** step)
        p += f(-clr) * m / u


class NAdam(Optimizer):
    """NAdam (Dozat): Adam con momento de Nesterov. Con ``μ_t = β₁·(1 − ½·0,96^(t·ψ))`` (ψ =
    ``momentum_decay``): ``p ← p − lr·(1 − μ_t)/(1 − Πμ)·g/(√v̂ + ε) − lr·μ_{t+1}/(1 − Πμ·μ_{t+1})·m/(√v̂ + ε)``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``2e-3``).
        betas: ``(β₁, β₂)`` (``(0.9, 0.999)``).
        eps: ε (``1e-8``).
        weight_decay: λ (``0.0``).
        momentum_decay: ψ (``4e-3``).
        decoupled_weight_decay: decaimiento desacoplado, como AdamW (``False``).
        foreach, capturable, differentiable: de PyTorch; se aceptan, sin efecto
            (``foreach``: ``None``; los demás: ``False``).
        maximize: maximiza el objetivo (``False``).

    Estado por parámetro: ``step``, ``mu_product``, ``exp_avg`` y ``exp_avg_sq``.

    Ejemplo:
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.NAdam([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.8944, 1.8944], requires_grad=True)

    En PyTorch: ``torch.optim.NAdam``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        """Véase el docstring de la clase."""
        check_lr_eps_decay(type(self).__name__, lr, eps, weight_decay)
        _check_betas(type(self).__name__, betas)
        check_hparam(type(self).__name__, "momentum_decay", momentum_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        lr, (b1, b2), wd, psi = h["lr"], h["betas"], h["weight_decay"], h["momentum_decay"]
        m = self._buffer(st, "exp_avg", p)
        v = self._buffer(st, "exp_avg_sq", p)
        step = self._count(st)
        if "mu_product" not in st:
            st["mu_product"] = Tensor._wrap(np.array(1.0, dtype=np.float32))  # float32, como en PyTorch
        mu_t = st["mu_product"]._data
        bc2 = 1 - b2 ** step
        if wd != 0:
            if h["decoupled_weight_decay"]:
                p *= f(1 - lr * wd)
            else:
                g = g + f(wd) * p
        mu = b1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        mu_t *= np.float32(mu)  # en float32, como el tensor de PyTorch
        mu_product = float(mu_t)
        lerp_(m, g, 1 - b1)
        v *= f(b2)
        v += f(1 - b2) * g * g
        denom = np.sqrt(v / f(bc2))
        mu_product_next = mu_product * mu_next
        denom += f(h["eps"])
        p += f(-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
        p += f(-lr * mu_next / (1.0 - mu_product_next)) * m / denom


class RAdam(Optimizer):
    """RAdam (Liu et al.): Adam con la varianza de la tasa adaptativa rectificada. Con
    ``ρ_∞ = 2/(1 − β₂) − 1`` y ``ρ_t = ρ_∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)``: si ``ρ_t > 5``,
    ``p ← p − lr·m̂·r_t/(√v̂ + ε)`` con el rectificador ``r_t``; si no (los primeros pasos),
    ``p ← p − lr·m̂`` (SGD con momento).

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-3``).
        betas: ``(β₁, β₂)`` (``(0.9, 0.999)``).
        eps: ε (``1e-8``).
        weight_decay: λ (``0.0``).
        decoupled_weight_decay: decaimiento desacoplado, como AdamW (``False``).
        foreach, capturable, differentiable: de PyTorch; se aceptan, sin efecto
            (``foreach``: ``None``; los demás: ``False``).
        maximize: maximiza el objetivo (``False``).

    Ejemplo (en el primer paso es SGD: ``m̂ = g``):
        >>> w = torch.tensor([1., 2.], requires_grad=True)
        >>> opt = optim.RAdam([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)

    En PyTorch: ``torch.optim.RAdam``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        """Véase el docstring de la clase."""
        check_lr_eps_decay(type(self).__name__, lr, eps, weight_decay)
        _check_betas(type(self).__name__, betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        lr, (b1, b2), wd = h["lr"], h["betas"], h["weight_decay"]
        m = self._buffer(st, "exp_avg", p)
        v = self._buffer(st, "exp_avg_sq", p)
        step = self._count(st)
        if wd != 0:
            if h["decoupled_weight_decay"]:
                p *= f(1 - lr * wd)
            else:
                g = g + f(wd) * p
        lerp_(m, g, 1 - b1)
        v *= f(b2)
        v += f(1 - b2) * g * g
        bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
        corrected = m / f(bc1)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * b2 ** step / bc2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            sq = np.sqrt(v)
            sq += f(h["eps"])
            adaptive = f(bc2 ** 0.5) / sq
            p += f(-1.0) * (corrected * f(lr) * adaptive * f(rect))
        else:
            p += f(-1.0) * (corrected * f(lr))


class SparseAdam(Optimizer):
    """Adam para gradientes dispersos (``nn.Embedding(sparse=True)`` en PyTorch): actualiza sólo las filas
    que aparecen en el gradiente. tinygrad_es no tiene gradientes dispersos: los gradientes son siempre
    densos, y con ellos ``step()`` da el mismo error que PyTorch (``RuntimeError``); usa ``Adam``.

    Args:
        params: iterable de parámetros o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-3``; > 0).
        betas: ``(β₁, β₂)`` (``(0.9, 0.999)``; en ``[0, 1)``).
        eps: ε (``1e-8``; > 0).
        maximize: maximiza el objetivo (``False``).

    Ejemplo (el paso con un gradiente denso es un error, como en PyTorch):
        >>> w = torch.ones(2, requires_grad=True)
        >>> opt = optim.SparseAdam([w])
        >>> (w * w).sum().backward()
        >>> opt.step()
        Traceback (most recent call last):
        ...
        RuntimeError: SparseAdam ...

    En PyTorch: ``torch.optim.SparseAdam``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        """Véase el docstring de la clase."""
        name = type(self).__name__
        number(lr, "lr (tasa de aprendizaje)", name, low=0.0, low_open=True)
        number(eps, "eps", name, low=0.0, low_open=True)
        _check_betas(name, betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, maximize=maximize))

    def _step_param(self, p, g, st, h):
        raise RuntimeError("SparseAdam no admite gradientes densos (y en tinygrad_es todos los gradientes son "
                           "densos): usa optim.Adam")
