"""``Muon``: SGD con momento de Nesterov cuya actualización se ortogonaliza (iteración de Newton–Schulz)
en las matrices de las capas ocultas, con la fórmula de ``torch.optim.Muon``. Como PyTorch, la
iteración de Newton–Schulz se hace en bfloat16 (aquí, float32 redondeado a bfloat16 tras cada operación:
numpy no tiene bfloat16)."""
from __future__ import annotations

import math

import numpy as np

from .._validate import integer
from .optimizer import Optimizer, add_scaled_, check_hparam, lerp_

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(a) -> np.ndarray:
    """``a`` redondeado a bfloat16 (al par más cercano, como ``Tensor.bfloat16()``), guardado en float32."""
    a = np.asarray(a, dtype=np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    out = bits.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(a), a, out)


def zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """La "potencia cero" de ``grad`` (≈ ``U·Vᵀ`` de su SVD ``U·S·Vᵀ``) con ``ns_steps`` pasos de la
    iteración quíntica de Newton–Schulz ``X ← a·X + (b·A + c·A²)·X`` con ``A = X·Xᵀ``, partiendo de
    ``X = G/‖G‖`` (en bfloat16, como PyTorch; la matriz ancha: si hay más filas que columnas, se trasponen)."""
    if ns_steps >= 100:
        raise ValueError(f"ns_steps debe ser < 100 (cada paso son tres productos de matrices), no {ns_steps}")
    if grad.ndim != 2:
        raise ValueError(f"Muon: el gradiente debe ser una matriz (2-D), no de forma {tuple(grad.shape)}")
    if len(ns_coefficients) != 3:
        raise ValueError(f"ns_coefficients debe tener 3 valores (a, b, c), no {len(ns_coefficients)}")
    a, b, c = ns_coefficients
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(max(float(_bf16(np.sqrt(np.sum(x.astype(np.float64) ** 2)))), eps))
    x = _bf16(x / norm)
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(np.float32(b) * gram + np.float32(c) * (gram @ gram))
        x = _bf16(np.float32(a) * x + gram_update @ x)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn, shape):
    A, B = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(A, B))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Muon (Jordan et al.): para las matrices (2-D) de las capas ocultas; los sesgos, los embeddings y
    la última capa se optimizan con otro (p. ej. ``AdamW``). En cada paso, con ``g`` el gradiente:

    * ``B ← μ·B + (1 − μ)·g`` (con ``lerp``); ``B̃ = g + μ·(B − g)`` con ``nesterov``, si no ``B̃ = B``;
    * ``O = NS(B̃)``: ``ns_steps`` pasos de Newton–Schulz, que llevan los valores singulares cerca de 1;
    * ``p ← p·(1 − lr·λ)`` (decaimiento desacoplado); ``p ← p − lr'·O`` con ``lr' = lr·√max(1, filas/columnas)``
      (``adjust_lr_fn="original"``) o ``lr' = 0,2·lr·√max(filas, columnas)`` (``"match_rms_adamw"``).

    Args:
        params: iterable de matrices (2-D) o de dicts con grupos.
        lr: tasa de aprendizaje (``1e-3``).
        weight_decay: λ, decaimiento desacoplado (``0.1``).
        momentum: μ (``0.95``).
        nesterov: momento de Nesterov (``True``).
        ns_coefficients: ``(a, b, c)`` del polinomio de Newton–Schulz (``(3.4445, -4.7750, 2.0315)``).
        eps: ε de la normalización inicial (``1e-7``).
        ns_steps: pasos de Newton–Schulz (``5``; < 100).
        adjust_lr_fn: ``None``/``"original"`` o ``"match_rms_adamw"``.

    Estado por parámetro: ``momentum_buffer`` (B).

    Ejemplo (el gradiente ``diag(1, 2)`` da un paso casi ortogonal: las dos direcciones se mueven
    ≈ lr, no en proporción 1:2; los valores singulares de Newton–Schulz quedan entre 0,5 y 1,5):
        >>> w = torch.zeros(2, 2, requires_grad=True)
        >>> opt = optim.Muon([w], lr=0.1, weight_decay=0.0)
        >>> (w * torch.tensor([[1., 0.], [0., 2.]])).sum().backward()
        >>> opt.step()
        >>> w
        tensor([[-0.1117,  0.0000],
                [ 0.0000, -0.0691]], requires_grad=True)

    En PyTorch: ``torch.optim.Muon``.
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        """Véase el docstring de la clase."""
        name = type(self).__name__
        check_hparam(name, "lr (tasa de aprendizaje)", lr)
        check_hparam(name, "momentum", momentum)
        check_hparam(name, "weight_decay", weight_decay)
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"{name}: adjust_lr_fn debe ser None, 'original' o 'match_rms_adamw', no {adjust_lr_fn!r}")
        integer(ns_steps, "ns_steps", name, low=0)
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                                      ns_coefficients=tuple(ns_coefficients), eps=eps, ns_steps=ns_steps,
                                      adjust_lr_fn=adjust_lr_fn))
        for group in self.param_groups:
            for p in group["params"]:
                shape = tuple(np.shape(p.param_data()))
                if len(shape) != 2:
                    raise ValueError(f"{name} sólo optimiza matrices (parámetros 2-D), y hay uno de forma {shape}: "
                                     f"optimiza los sesgos y los demás con otro optimizador (p. ej. AdamW)")

    def _step_param(self, p, g, st, h):
        f = p.dtype.type
        if g.ndim != 2:
            raise ValueError(f"Muon: el gradiente debe ser una matriz (2-D), no de forma {g.shape}")
        buf = self._buffer(st, "momentum_buffer", p)
        mu = h["momentum"]
        lerp_(buf, g, 1 - mu)
        if h["nesterov"]:
            update = np.array(g, copy=True)
            lerp_(update, buf, mu)
        else:
            update = buf
        update = zeropower_via_newtonschulz(update, h["ns_coefficients"], h["ns_steps"], h["eps"])
        lr = float(h["lr"])
        adjusted_lr = _adjust_lr(lr, h["adjust_lr_fn"], p.shape)
        p *= f(1 - lr * h["weight_decay"])
        add_scaled_(p, update.astype(p.dtype), f(-adjusted_lr))
