"""Pérdidas con margen y de embeddings (las de ``torch.nn.functional`` para ranking, SVM y redes
siamesas): ``soft_margin_loss``, ``margin_ranking_loss``, ``hinge_embedding_loss``,
``cosine_embedding_loss``, ``triplet_margin_loss`` y ``multilabel_soft_margin_loss``; y las de
verosimilitud ``poisson_nll_loss`` y ``gaussian_nll_loss``.

Todas se componen de operaciones de ``Tensor`` (``clamp``, ``where``, ``log1p``, ``exp``...) con las
fórmulas de PyTorch, así que sus derivadas salen de esas piezas. El objetivo ``y`` vale 1 o −1
(``multilabel_soft_margin_loss``: 0 o 1 por clase).
"""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import where
from ...autograd import is_grad_enabled
from .activation import logsigmoid
from .distance import pairwise_distance
from ._utils import as_tensor, reduce_loss, reduction_arg

__all__ = ["soft_margin_loss", "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss"]


def _zeros_like(t):
    return Tensor._wrap(np.zeros(t.shape, t._data.dtype))


def _check_reduction(reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction debe ser 'mean', 'sum' o 'none', no {reduction!r}")
    return reduction


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(−y·x))`` por elemento (la regresión logística con y = ±1). Derivada respecto
    de x: −y·σ(−y·x). En PyTorch: ``torch.nn.functional.soft_margin_loss``."""
    reduction = _check_reduction(reduction_arg(size_average, reduce, reduction))
    x, y = as_tensor(input, "soft_margin_loss"), as_tensor(target, "soft_margin_loss", "target")
    if y.requires_grad and is_grad_enabled():  # como PyTorch, que no la deriva respecto del objetivo
        raise RuntimeError("soft_margin_loss no es derivable respecto de 'target': ese tensor no puede tener "
                           "requires_grad=True (usa target.detach())")
    return reduce_loss((-x * y).exp().log1p(), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, −y·(x1 − x2) + margin)``: con y = 1, x1 debe superar a x2 en ``margin``. En
    PyTorch: ``torch.nn.functional.margin_ranking_loss``."""
    reduction = _check_reduction(reduction_arg(size_average, reduce, reduction))
    x1, x2 = as_tensor(input1, "margin_ranking_loss", "input1"), as_tensor(input2, "margin_ranking_loss", "input2")
    y = as_tensor(target, "margin_ranking_loss", "target")
    if not (x1.ndim == x2.ndim == y.ndim):
        raise RuntimeError(f"margin_ranking_loss: input1, input2 y target deben tener el mismo número de ejes "
                           f"({x1.ndim}, {x2.ndim}, {y.ndim})")
    return reduce_loss((-y * (x1 - x2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x donde y = 1 y ``max(0, margin − x)`` donde y = −1 (x suele ser una distancia). En PyTorch:
    ``torch.nn.functional.hinge_embedding_loss``."""
    reduction = _check_reduction(reduction_arg(size_average, reduce, reduction))
    x, y = as_tensor(input, "hinge_embedding_loss"), as_tensor(target, "hinge_embedding_loss", "target")
    zeros = _zeros_like(x)
    out_margin = where(y != 1, (margin - x).clamp(min=0), zeros)
    out_self = where(y != -1, x, zeros)
    return reduce_loss(out_margin + out_self, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """``1 − cos(x1, x2)`` si y = 1 y ``max(0, cos(x1, x2) − margin)`` si y = −1, con el coseno
    sobre el último eje de entradas (N, D) (o (D,) con y 0-D). En PyTorch:
    ``torch.nn.functional.cosine_embedding_loss``."""
    reduction = _check_reduction(reduction_arg(size_average, reduce, reduction))
    x1 = as_tensor(input1, "cosine_embedding_loss", "input1")
    x2 = as_tensor(input2, "cosine_embedding_loss", "input2")
    y = as_tensor(target, "cosine_embedding_loss", "target")
    if x1.ndim not in (1, 2) or tuple(x1.shape) != tuple(x2.shape) or y.ndim != x1.ndim - 1:
        raise RuntimeError(f"cosine_embedding_loss: se esperaban input1 e input2 1-D o 2-D de la misma forma y un "
                           f"target con un eje menos; llegaron {tuple(x1.shape)}, {tuple(x2.shape)} y "
                           f"{tuple(y.shape)}")
    d = x1.ndim - 1
    eps = 1e-12  # el de PyTorch
    prod = (x1 * x2).sum(d)
    denom = (((x1 * x1).sum(d) + eps) * ((x2 * x2).sum(d) + eps)).sqrt()
    cos = prod / denom
    zeros = _zeros_like(cos)
    out = where(y == 1, 1 - cos, zeros) + where(y == -1, (cos - margin).clamp(min=0), zeros)
    return reduce_loss(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, margin + d(a, p) − d(a, n))`` con ``d`` la distancia ``pairwise_distance`` de
    orden ``p``; con ``swap=True``, ``d(a, n)`` es el mínimo de ``d(a, n)`` y ``d(p, n)``. En
    PyTorch: ``torch.nn.functional.triplet_margin_loss``."""
    reduction = _check_reduction(reduction_arg(size_average, reduce, reduction))
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin debe ser mayor que 0, y vale {margin}")
    a, pos, neg = (as_tensor(t, "triplet_margin_loss", n) for t, n in
                   ((anchor, "anchor"), (positive, "positive"), (negative, "negative")))
    if not (a.ndim == pos.ndim == neg.ndim) or a.ndim not in (1, 2):
        raise RuntimeError(f"triplet_margin_loss: anchor, positive y negative deben ser 1-D o 2-D con el mismo "
                           f"número de ejes; llegaron {tuple(a.shape)}, {tuple(pos.shape)} y {tuple(neg.shape)}")
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(pos, neg, p, eps))
    return reduce_loss((margin + d_pos - d_neg).clamp(min=0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Entropía cruzada binaria de cada clase con su logit, media sobre las C clases:
    ``−(y·logσ(x) + (1 − y)·logσ(−x))``; entrada (N, C) u (C,). En PyTorch:
    ``torch.nn.functional.multilabel_soft_margin_loss``."""
    reduction = _check_reduction(reduction_arg(size_average, reduce, reduction))
    x = as_tensor(input, "multilabel_soft_margin_loss")
    y = as_tensor(target, "multilabel_soft_margin_loss", "target")
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        loss = loss * as_tensor(weight, "multilabel_soft_margin_loss", "weight")
    c = x.shape[-1] if x.ndim else 1
    loss = loss.sum(x.ndim - 1) / c if x.ndim else loss
    return reduce_loss(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Menos la log-verosimilitud de Poisson: ``exp(x) − y·x`` si ``log_input`` (x es log λ) o
    ``x − y·log(x + eps)``; con ``full``, más la aproximación de Stirling de log(y!) donde y > 1.
    En PyTorch: ``torch.nn.functional.poisson_nll_loss``."""
    reduction = _check_reduction(reduction_arg(size_average, reduce, reduction))
    x, y = as_tensor(input, "poisson_nll_loss"), as_tensor(target, "poisson_nll_loss", "target")
    loss = x.exp() - y * x if log_input else x - y * (x + eps).log()
    if full:
        big = y > 1  # Stirling sólo donde y > 1 (derivable respecto de y, como en PyTorch)
        safe = where(big, y, Tensor._wrap(np.ones(y.shape, y._data.dtype)))
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(big, stirling, _zeros_like(stirling))
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Menos la log-verosimilitud gaussiana: ``½·(log(var) + (x − y)²/var)`` (+ ½·log(2π) con
    ``full``). ``var`` tiene la forma de ``input``, o la misma sin el último eje, o con el último
    eje de tamaño 1 (una varianza por muestra); se recorta a ``eps`` sin cortar el gradiente (como
    PyTorch, que la recorta in situ bajo ``no_grad``). En PyTorch:
    ``torch.nn.functional.gaussian_nll_loss``."""
    x, y = as_tensor(input, "gaussian_nll_loss"), as_tensor(target, "gaussian_nll_loss", "target")
    v = as_tensor(var, "gaussian_nll_loss", "var")
    if tuple(v.shape) != tuple(x.shape):
        if tuple(x.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (tuple(x.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1):
            raise ValueError(f"gaussian_nll_loss: var tiene una forma incorrecta {tuple(v.shape)} para la entrada "
                             f"{tuple(x.shape)}")
    _check_reduction(reduction)
    if (v._data < 0).any():
        raise ValueError("gaussian_nll_loss: var tiene valores negativos")
    v = v + (v.clamp(min=eps) - v).detach()  # recorte sin cortar el gradiente
    loss = 0.5 * (v.log() + (x - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)
