"""Pérdidas con margen y de embeddings (las de ``torch.nn.functional`` para ranking, SVM y redes
siamesas): ``soft_margin_loss``, ``margin_ranking_loss``, ``hinge_embedding_loss``,
``cosine_embedding_loss``, ``triplet_margin_loss`` (y ``triplet_margin_with_distance_loss``) y
``multilabel_soft_margin_loss``; y las de
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
           "triplet_margin_loss", "triplet_margin_with_distance_loss", "multilabel_soft_margin_loss",
           "poisson_nll_loss", "gaussian_nll_loss"]


def _zeros_like(t):
    return Tensor._wrap(np.zeros(t.shape, t._data.dtype))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Pérdida logística con objetivos ±1: ``log(1 + exp(−y·x))`` por elemento (la regresión logística con
    y = ±1; la capa es ``nn.SoftMarginLoss``). Derivada respecto de x: ``−y·σ(−y·x)``.

    Args:
        input: puntuaciones ``(*)``.
        target: ``(*)``, con 1 o −1 (no derivable).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> F.soft_margin_loss(torch.tensor([0.5, -1., 2.]), torch.tensor([1., 1., -1.]))
        tensor(1.3048)

    En PyTorch: ``torch.nn.functional.soft_margin_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "soft_margin_loss")
    x, y = as_tensor(input, "soft_margin_loss"), as_tensor(target, "soft_margin_loss", "target")
    if y.requires_grad and is_grad_enabled():  # como PyTorch, que no la deriva respecto del objetivo
        raise RuntimeError("soft_margin_loss no es derivable respecto de 'target': ese tensor no puede tener "
                           "requires_grad=True (usa target.detach())")
    return reduce_loss((-x * y).exp().log1p(), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """Pérdida de ordenación: ``max(0, −y·(x1 − x2) + margin)``; con y = 1, ``x1`` debe superar a ``x2`` en
    ``margin`` (con y = −1, al revés). Derivada respecto de x1: ``−y`` donde la pérdida es > 0, si no 0
    (y la opuesta respecto de x2). La capa es ``nn.MarginRankingLoss``.

    Args:
        input1, input2: puntuaciones ``(N,)`` (o ``()``), con el mismo número de ejes.
        target: ``(N,)`` con 1 o −1.
        margin: margen (``0.0``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> F.margin_ranking_loss(torch.tensor([1., 2.]), torch.tensor([2., 1.]), torch.tensor([1., 1.]), margin=0.5)
        tensor(0.7500)

    En PyTorch: ``torch.nn.functional.margin_ranking_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "margin_ranking_loss")
    x1, x2 = as_tensor(input1, "margin_ranking_loss", "input1"), as_tensor(input2, "margin_ranking_loss", "input2")
    y = as_tensor(target, "margin_ranking_loss", "target")
    if not (x1.ndim == x2.ndim == y.ndim):
        raise RuntimeError(f"margin_ranking_loss: input1, input2 y target deben tener el mismo número de ejes "
                           f"({x1.ndim}, {x2.ndim}, {y.ndim})")
    return reduce_loss((-y * (x1 - x2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """Pérdida bisagra de embeddings: ``x`` donde y = 1 y ``max(0, margin − x)`` donde y = −1 (x suele ser
    una distancia: pequeña para pares parecidos, al menos ``margin`` para los distintos). Derivada: 1 o
    −1 donde la parte activa es > 0. La capa es ``nn.HingeEmbeddingLoss``.

    Args:
        input: ``(*)``, normalmente distancias.
        target: ``(*)`` con 1 o −1.
        margin: margen (``1.0``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> F.hinge_embedding_loss(torch.tensor([0.3, 0.4]), torch.tensor([1., -1.]))
        tensor(0.4500)

    En PyTorch: ``torch.nn.functional.hinge_embedding_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "hinge_embedding_loss")
    x, y = as_tensor(input, "hinge_embedding_loss"), as_tensor(target, "hinge_embedding_loss", "target")
    zeros = _zeros_like(x)
    out_margin = where(y != 1, (margin - x).clamp(min=0), zeros)
    out_self = where(y != -1, x, zeros)
    return reduce_loss(out_margin + out_self, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """Pérdida coseno de embeddings: ``1 − cos(x1, x2)`` si y = 1 y ``max(0, cos(x1, x2) − margin)`` si
    y = −1, con el coseno sobre el último eje. La capa es ``nn.CosineEmbeddingLoss``.

    Args:
        input1, input2: embeddings ``(N, D)`` (o ``(D,)`` con ``target`` 0-D).
        target: ``(N,)`` con 1 (parecidos) o −1 (distintos).
        margin: margen en [−1, 1] (``0.0``; se suele usar 0–0,5).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'`` (salida ``(N,)``).

    Ejemplo:
        >>> F.cosine_embedding_loss(torch.tensor([[1., 0.], [0., 1.]]), torch.tensor([[1., 1.], [1., 0.]]),
        ...                         torch.tensor([1, -1]))
        tensor(0.1464)

    En PyTorch: ``torch.nn.functional.cosine_embedding_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "cosine_embedding_loss")
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
    """Pérdida de tripletes (redes siamesas): ``max(0, margin + d(a, p) − d(a, n))``, con ``d`` la
    distancia ``pairwise_distance`` de orden ``p``: acerca el ancla al positivo y la aleja del negativo.
    La capa es ``nn.TripletMarginLoss``.

    Args:
        anchor, positive, negative: ``(N, D)`` o ``(D,)``.
        margin: margen > 0 (``1.0``).
        p: orden de la norma de la distancia (``2``).
        eps: se suma a la diferencia antes de la norma, para que la derivada exista en 0 (``1e-6``).
        swap: si es ``True``, ``d(a, n)`` es el mínimo de ``d(a, n)`` y ``d(p, n)`` (``False``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'`` (salida ``(N,)``).

    Ejemplo:
        >>> a, pos, neg = torch.tensor([[0., 0.]]), torch.tensor([[0., 1.]]), torch.tensor([[1., 1.]])
        >>> F.triplet_margin_loss(a, pos, neg)
        tensor(0.5858)

    En PyTorch: ``torch.nn.functional.triplet_margin_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "triplet_margin_loss")
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


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """Pérdida de tripletes con una distancia cualquiera: ``max(0, margin + d(a, p) − d(a, n))``, con ``d``
    una función de dos tensores (por defecto ``F.pairwise_distance``). La capa es
    ``nn.TripletMarginWithDistanceLoss``. Derivada: la de ``d`` (``∂/∂d(a, p) = 1``,
    ``∂/∂d(a, n) = −1`` donde el margen se viola; 0 donde no).

    Args:
        anchor, positive, negative: tensores con el mismo número de ejes (``(N, D)`` con la distancia por
            defecto).
        distance_function: ``d(x1, x2)`` → distancias (``None``: ``pairwise_distance``).
        margin: margen > 0 (``1.0``).
        swap: si es ``True``, ``d(a, n)`` es el mínimo de ``d(a, n)`` y ``d(p, n)`` (``False``).
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> a, pos, neg = torch.tensor([[0., 0.]]), torch.tensor([[0., 1.]]), torch.tensor([[1., 1.]])
        >>> F.triplet_margin_with_distance_loss(a, pos, neg, distance_function=lambda u, v: (u - v).abs().sum(-1))
        tensor(0.)

    En PyTorch: ``torch.nn.functional.triplet_margin_with_distance_loss``.
    """
    op = "triplet_margin_with_distance_loss"
    reduction = reduction_arg(None, None, reduction, op)
    if margin <= 0:
        raise ValueError(f"{op}: margin debe ser mayor que 0, y vale {margin}")
    a, pos, neg = (as_tensor(t, op, n) for t, n in ((anchor, "anchor"), (positive, "positive"), (negative, "negative")))
    if not a.ndim == pos.ndim == neg.ndim:
        raise RuntimeError(f"{op}: anchor, positive y negative deben tener el mismo número de ejes; llegaron "
                           f"{a.ndim}-D, {pos.ndim}-D y {neg.ndim}-D")
    d = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = d(a, pos), d(a, neg)
    if swap:
        d_neg = d_neg.minimum(d(pos, neg))
    return reduce_loss((margin + d_pos - d_neg).clamp(min=0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Multietiqueta (cada clase, un sí/no): entropía cruzada binaria de cada clase desde su logit, media
    sobre las C clases: ``−(1/C)·Σ_c w_c·(y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c))``. Derivada respecto de
    x_c: ``w_c·(σ(x_c) − y_c)/C``. La capa es ``nn.MultiLabelSoftMarginLoss``.

    Args:
        input: logits ``(N, C)`` o ``(C,)``.
        target: 0/1, misma forma.
        weight: ``(C,)``, peso de cada clase (``None``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'`` (salida ``(N,)``).

    Ejemplo:
        >>> F.multilabel_soft_margin_loss(torch.tensor([[2., -1., 0.]]), torch.tensor([[1., 0., 1.]]))
        tensor(0.3778)

    En PyTorch: ``torch.nn.functional.multilabel_soft_margin_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "multilabel_soft_margin_loss")
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
    """Menos la log-verosimilitud de Poisson (conteos): ``exp(x) − y·x`` si ``log_input`` (x = log λ), o
    ``x − y·log(x + eps)`` (x = λ); con ``full``, más la aproximación de Stirling de ``log(y!)`` donde
    y > 1. Derivada respecto de x: ``exp(x) − y`` (o ``1 − y/(x + eps)``). La capa es ``nn.PoissonNLLLoss``.

    Args:
        input: ``(*)``, log λ o λ según ``log_input``.
        target: conteos ``(*)``.
        log_input: si es ``True`` (por defecto), ``input`` es log λ.
        full: añade el término de Stirling (``False``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        eps: evita log(0) con ``log_input=False`` (``1e-8``).
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> F.poisson_nll_loss(torch.tensor([0., 1.]), torch.tensor([1., 2.]))
        tensor(0.8591)

    En PyTorch: ``torch.nn.functional.poisson_nll_loss``.
    """
    reduction = reduction_arg(size_average, reduce, reduction, "poisson_nll_loss")
    x, y = as_tensor(input, "poisson_nll_loss"), as_tensor(target, "poisson_nll_loss", "target")
    loss = x.exp() - y * x if log_input else x - y * (x + eps).log()
    if full:
        big = y > 1  # Stirling sólo donde y > 1 (derivable respecto de y, como en PyTorch)
        safe = where(big, y, Tensor._wrap(np.ones(y.shape, y._data.dtype)))
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(big, stirling, _zeros_like(stirling))
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Menos la log-verosimilitud gaussiana con varianza predicha: ``½·(log(var) + (x − y)²/var)``
    (+ ½·log(2π) con ``full``). ``var`` se recorta a ``eps`` sin cortar el gradiente (como PyTorch, que
    la recorta in situ bajo ``no_grad``). Derivadas: ``∂/∂x = (x − y)/var``;
    ``∂/∂var = ½·(1/var − (x − y)²/var²)``. La capa es ``nn.GaussianNLLLoss``.

    Args:
        input: medias predichas ``(N, *)``.
        target: ``(N, *)``.
        var: varianzas ``> 0``: la forma de ``input``, o la misma sin el último eje, o con el último eje
            de tamaño 1 (una varianza por muestra).
        full: suma la constante ½·log(2π) (``False``).
        eps: mínimo de ``var`` (``1e-6``).
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> F.gaussian_nll_loss(torch.tensor([1., 2.]), torch.tensor([1.5, 2.]), torch.tensor([1., 0.5]))
        tensor(-0.1108)

    En PyTorch: ``torch.nn.functional.gaussian_nll_loss``.
    """
    reduction = reduction_arg(None, None, reduction, "gaussian_nll_loss")
    x, y = as_tensor(input, "gaussian_nll_loss"), as_tensor(target, "gaussian_nll_loss", "target")
    v = as_tensor(var, "gaussian_nll_loss", "var")
    if tuple(v.shape) != tuple(x.shape):
        if tuple(x.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (tuple(x.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1):
            raise ValueError(f"gaussian_nll_loss: var tiene una forma incorrecta {tuple(v.shape)} para la entrada "
                             f"{tuple(x.shape)}")
    if (v._data < 0).any():
        raise ValueError("gaussian_nll_loss: var tiene valores negativos")
    v = v + (v.clamp(min=eps) - v).detach()  # recorte sin cortar el gradiente
    loss = 0.5 * (v.log() + (x - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)
