"""Las capas de las bisagras multiclase: ``nn.MultiMarginLoss`` y ``nn.MultiLabelMarginLoss`` (véase
``nn/functional/multi_margin_loss.py``)."""
from __future__ import annotations

from .. import functional as F
from .loss import _Loss, _WeightedLoss

__all__ = ["MultiMarginLoss", "MultiLabelMarginLoss"]


class MultiMarginLoss(_WeightedLoss):
    """Bisagra multiclase (la pérdida de una SVM multiclase): ``ℓ_n = (1/C)·Σ_{i ≠ y_n} w[y_n]·max(0,
    margin − x_{n,y_n} + x_{n,i})ᵖ``; la clase correcta debe superar a las demás por ``margin``.
    Derivada (``p = 1``): ``w[y]/C`` en cada clase que viola el margen, y menos su suma en la correcta.

    Args:
        p: 1 o 2 (``1``).
        margin: el margen (``1.0``).
        weight: ``(C,)``, peso de cada clase (``None``); es un buffer.
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(N, C)`` o ``(C,)``; objetivo ``(N,)`` o escalar, índices de clase; salida escalar, o
    ``(N,)`` con ``'none'``.

    Ejemplo:
        >>> nn.MultiMarginLoss()(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([3]))
        tensor(0.3250)

    En PyTorch: ``torch.nn.MultiMarginLoss``; como función, ``F.multi_margin_loss``.
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: sólo se admiten p = 1 y p = 2, no {p}")
        if self.weight is not None and self.weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: weight debe ser None o 1-D, no de forma {tuple(self.weight.shape)}")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Bisagra multietiqueta: ``ℓ_n = Σ_{j ∈ Y_n} Σ_{i ∉ Y_n} max(0, 1 − (x_{n,j} − x_{n,i})) / C``, con
    ``Y_n`` las clases de ``target[n]`` hasta el primer ``−1``. Derivada: ``−1/C`` en ``x_j`` y ``+1/C`` en
    ``x_i`` por cada par que viola el margen.

    Args:
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(N, C)`` o ``(C,)``; objetivo de la misma forma, enteros (las clases verdaderas y
    luego ``−1``); salida escalar, o ``(N,)`` con ``'none'``.

    Ejemplo:
        >>> nn.MultiLabelMarginLoss()(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)

    En PyTorch: ``torch.nn.MultiLabelMarginLoss``; como función, ``F.multilabel_margin_loss``.
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)
