"""Pérdidas de margen para clasificación multiclase (la bisagra de las SVM de Crammer-Singer y Weston-
Watkins): ``multi_margin_loss`` (una clase correcta por muestra) y ``multilabel_margin_loss`` (varias).

Las dos se componen de operaciones de ``Tensor`` (``gather``, ``relu``, máscaras), así que sus derivadas
salen de esas piezas: ``∂/∂x_y = −Σ_i [z_i > 0]`` y ``∂/∂x_i = [z_i > 0]`` (``p = 1``, entre C), con
``z_i = margin − x_y + x_i``. Como en PyTorch, un término con ``z = 0`` no aporta gradiente.
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from .activation import relu
from ._utils import as_tensor, int_labels, reduce_loss, reduction_arg

__all__ = ["multi_margin_loss", "multilabel_margin_loss"]


def _batched(x, op):
    """``(N, C)``; una muestra sola ``(C,)`` se trata como ``(1, C)`` y un escalar como ``(1, 1)``."""
    if x.ndim > 2 or x.ndim == 2 and x.shape[1] == 0:
        raise RuntimeError(f"{op}: se esperaba una entrada (N, C) o (C,) no vacía, no de forma {tuple(x.shape)}")
    return x.reshape(1, -1) if x.ndim < 2 else x


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Bisagra multiclase: ``ℓ_n = (1/C)·Σ_{i ≠ y_n} w[y_n]·max(0, margin − x_{n,y_n} + x_{n,i})ᵖ``: la
    puntuación de la clase correcta debe superar a cada otra por ``margin``. La capa es
    ``nn.MultiMarginLoss``. Derivada (``p = 1``): ``w[y]/C`` para cada clase ``i`` que viola el margen
    y ``−w[y]·(número de violaciones)/C`` para la correcta; con ``p = 2``, por ``2·z_i``.

    Args:
        input: puntuaciones ``(N, C)`` o ``(C,)``.
        target: índices de clase ``(N,)`` (o un escalar), en ``[0, C)``.
        p: 1 o 2 (``1``).
        margin: el margen (``1.0``).
        weight: ``(C,)``, peso de cada clase correcta (``None``).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'`` (salida ``(N,)``).

    Ejemplo:
        >>> F.multi_margin_loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([3]))
        tensor(0.3250)

    En PyTorch: ``torch.nn.functional.multi_margin_loss``.
    """
    op = "multi_margin_loss"
    reduction = reduction_arg(size_average, reduce, reduction, op)
    if p not in (1, 2):
        raise ValueError(f"{op}: sólo se admiten p = 1 y p = 2, no {p}")
    x0 = as_tensor(input, op)
    labels = int_labels(target, op)
    x = _batched(x0, op)
    n, c = x.shape
    y = labels.reshape(-1) if x0.ndim < 2 and labels.ndim <= 1 else labels
    if y.ndim != 1 or y.shape[0] != n:
        raise RuntimeError(f"{op}: target debe ser 1-D con una etiqueta por muestra ({n}); tiene forma "
                           f"{tuple(labels.shape)} para una entrada {tuple(x0.shape)}")
    if y.size and (y.min() < 0 or y.max() >= c):
        raise RuntimeError(f"{op}: etiqueta fuera de rango [0, {c}): mínimo {int(y.min())}, máximo {int(y.max())}")
    others = Tensor._wrap((np.arange(c) != y[:, None]).astype(x._data.dtype))
    z = relu(margin - x.gather(1, Tensor._wrap(y[:, None])) + x)
    z = (z * z if p == 2 else z) * others
    if weight is not None:
        w = as_tensor(weight, op, "weight")
        if w.ndim != 1:
            raise ValueError(f"{op}: weight debe ser 1-D (un peso por clase), no de forma {tuple(w.shape)}")
        z = z * w[Tensor._wrap(y)].unsqueeze(1)
    loss = z.sum(1) / c
    return reduce_loss(loss if x0.ndim == 2 else loss.reshape(labels.shape), reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Bisagra multietiqueta: ``ℓ_n = Σ_{j ∈ Y_n} Σ_{i ∉ Y_n} max(0, 1 − (x_{n,j} − x_{n,i})) / C``, con
    ``Y_n`` las clases de ``target[n]`` hasta el primer ``−1``: cada clase verdadera debe superar por 1 a
    cada falsa. La capa es ``nn.MultiLabelMarginLoss``. Derivada: ``−1/C`` en ``x_j`` y ``+1/C`` en ``x_i``
    por cada par que viola el margen.

    Args:
        input: puntuaciones ``(N, C)`` o ``(C,)``.
        target: ``(N, C)`` o ``(C,)`` enteros: los índices de las clases verdaderas, terminados por ``−1``
            (lo que sigue al primer ``−1`` no cuenta).
        size_average, reduce: obsoletos (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'``, ``'sum'`` o ``'none'`` (salida ``(N,)``).

    Ejemplo:
        >>> F.multilabel_margin_loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)

    En PyTorch: ``torch.nn.functional.multilabel_margin_loss``.
    """
    op = "multilabel_margin_loss"
    reduction = reduction_arg(size_average, reduce, reduction, op)
    x0 = as_tensor(input, op)
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: target debe ser de enteros (long), no {t.dtype}")
    x = _batched(x0, op)
    n, c = x.shape
    y = t.astype(np.int64).reshape(x.shape) if x0.ndim < 2 and t.shape == x0.shape else t.astype(np.int64)
    if y.shape != (n, c):
        raise RuntimeError(f"{op}: target debe tener la forma de la entrada {tuple(x0.shape)}, y tiene "
                           f"{tuple(t.shape)}")
    valid = np.cumprod(y != -1, axis=1).astype(bool)  # hasta el primer −1
    if np.any(valid & ((y < 0) | (y >= c))):
        raise RuntimeError(f"{op}: hay índices de clase fuera de [0, {c}) antes del primer −1 en target")
    count = np.zeros((n, c), dtype=x._data.dtype)  # veces que cada clase aparece como verdadera
    rows = np.repeat(np.arange(n), c)[valid.reshape(-1)]
    np.add.at(count, (rows, y[valid]), 1)
    false = (count == 0).astype(x._data.dtype)
    pairs = Tensor._wrap(count[:, :, None] * false[:, None, :])  # (n, j verdadera, i falsa)
    z = relu(1 - x.unsqueeze(2) + x.unsqueeze(1)) * pairs
    loss = z.sum((1, 2)) / c
    return reduce_loss(loss if x0.ndim == 2 else loss.reshape(()), reduction)
