"""Las pérdidas con margen, de embeddings y de verosimilitud como módulos (``nn.TripletMarginLoss()``,
``nn.GaussianNLLLoss()``...): guardan sus argumentos y llaman a ``nn/functional/margin_loss.py``."""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .distance import PairwiseDistance
from .loss import _Loss

__all__ = ["SoftMarginLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
           "MultiLabelSoftMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss", "TripletMarginWithDistanceLoss"]


class SoftMarginLoss(_Loss):
    """Pérdida logística con objetivos ±1: ``ℓ_i = log(1 + exp(−y_i·x_i))``; derivada ``−y·σ(−y·x)``.

    Args:
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(*)``; objetivo, la misma forma, con ±1; salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.SoftMarginLoss()(torch.tensor([0.5, -1., 2.]), torch.tensor([1., 1., -1.]))
        tensor(1.3048)

    En PyTorch: ``torch.nn.SoftMarginLoss``; como función, ``F.soft_margin_loss``.
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """Pérdida de ordenación: ``ℓ = max(0, −y·(x1 − x2) + margin)``; con y = 1, ``x1`` debe superar a ``x2``
    en ``margin``. Derivada respecto de x1: ``−y`` donde ℓ > 0.

    Args:
        margin: margen (``0.0``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: ``input1``, ``input2`` y ``target`` ``(N,)`` o ``()``; salida escalar, o ``(N,)`` con ``'none'``.

    Ejemplo:
        >>> loss = nn.MarginRankingLoss(margin=0.5)
        >>> loss(torch.tensor([1., 2.]), torch.tensor([2., 1.]), torch.tensor([1., 1.]))
        tensor(0.7500)

    En PyTorch: ``torch.nn.MarginRankingLoss``; como función, ``F.margin_ranking_loss``.
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """Pérdida bisagra de embeddings: ``ℓ = x`` donde y = 1 y ``max(0, margin − x)`` donde y = −1 (x suele
    ser una distancia entre dos embeddings).

    Args:
        margin: margen (``1.0``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(*)``; objetivo, la misma forma, con ±1; salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.HingeEmbeddingLoss()(torch.tensor([0.3, 0.4]), torch.tensor([1., -1.]))
        tensor(0.4500)

    En PyTorch: ``torch.nn.HingeEmbeddingLoss``; como función, ``F.hinge_embedding_loss``.
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """Pérdida coseno: ``ℓ = 1 − cos(x1, x2)`` si y = 1 y ``max(0, cos(x1, x2) − margin)`` si y = −1.

    Args:
        margin: margen en [−1, 1] (``0.0``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: ``input1`` e ``input2`` ``(N, D)`` o ``(D,)``; objetivo ``(N,)`` o ``()``; salida escalar, o
    ``(N,)`` con ``'none'``.

    Ejemplo:
        >>> nn.CosineEmbeddingLoss()(torch.tensor([[1., 0.], [0., 1.]]), torch.tensor([[1., 1.], [1., 0.]]),
        ...                          torch.tensor([1, -1]))
        tensor(0.1464)

    En PyTorch: ``torch.nn.CosineEmbeddingLoss``; como función, ``F.cosine_embedding_loss``.
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """Pérdida de tripletes (redes siamesas): ``ℓ = max(0, margin + d(a, p) − d(a, n))``, con ``d`` la
    distancia de orden ``p`` (``nn.PairwiseDistance``).

    Args:
        margin: margen > 0 (``1.0``).
        p: orden de la norma (``2.0``).
        eps: se suma a la diferencia antes de la norma (``1e-6``).
        swap: usar el mínimo de ``d(a, n)`` y ``d(p, n)`` (``False``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: ancla, positivo y negativo ``(N, D)`` o ``(D,)``; salida escalar, o ``(N,)`` con ``'none'``.

    Ejemplo:
        >>> a, pos, neg = torch.tensor([[0., 0.]]), torch.tensor([[0., 1.]]), torch.tensor([[1., 1.]])
        >>> nn.TripletMarginLoss(margin=0.5)(a, pos, neg)
        tensor(0.0858)

    En PyTorch: ``torch.nn.TripletMarginLoss``; como función, ``F.triplet_margin_loss``.
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin debe ser mayor que 0, y vale {margin}")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """Pérdida de tripletes con una distancia cualquiera: ``ℓ = max(0, margin + d(a, p) − d(a, n))``, con
    ``d`` = ``distance_function`` (por defecto ``nn.PairwiseDistance()``, que queda como submódulo).

    Args:
        distance_function: (sólo con nombre) ``d(x1, x2)`` → distancias (``None``: ``nn.PairwiseDistance()``).
        margin: (sólo con nombre) margen > 0 (``1.0``).
        swap: (sólo con nombre) usar el mínimo de ``d(a, n)`` y ``d(p, n)`` (``False``).
        reduction: (sólo con nombre) ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: ancla, positivo y negativo con el mismo número de ejes (``(N, D)`` o ``(D,)`` con la distancia por
    defecto); salida escalar, o ``(N,)`` con ``'none'``.

    Ejemplo:
        >>> a, pos, neg = torch.tensor([[0., 0.]]), torch.tensor([[0., 1.]]), torch.tensor([[1., 1.]])
        >>> nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1), margin=0.5)(a, pos, neg)
        tensor(0.)

    En PyTorch: ``torch.nn.TripletMarginWithDistanceLoss``; como función, ``F.triplet_margin_with_distance_loss``.
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: margin debe ser mayor que 0, y vale {margin}")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function, margin=self.margin,
                                                   swap=self.swap, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_Loss):
    """Multietiqueta: entropía cruzada binaria de cada clase desde su logit, media sobre las C clases
    (``ℓ_n = −(1/C)·Σ_c w_c·(y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c))``); derivada ``w_c·(σ(x_c) − y_c)/C``.

    Args:
        weight: ``(C,)``, peso de cada clase (``None``); es un buffer.
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(N, C)`` o ``(C,)`` (logits); objetivo 0/1, misma forma; salida escalar, o ``(N,)``
    con ``'none'``.

    Ejemplo:
        >>> nn.MultiLabelSoftMarginLoss()(torch.tensor([[2., -1., 0.]]), torch.tensor([[1., 0., 1.]]))
        tensor(0.3778)

    En PyTorch: ``torch.nn.MultiLabelSoftMarginLoss``; como función, ``F.multilabel_soft_margin_loss``.
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight if weight is None or isinstance(weight, Tensor) else Tensor(weight))

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Menos la log-verosimilitud de Poisson (para conteos): ``ℓ = exp(x) − y·x`` con ``log_input`` (x = log λ),
    si no ``x − y·log(x + eps)``; derivada ``exp(x) − y``.

    Args:
        log_input: la entrada es log λ (``True``).
        full: suma la aproximación de Stirling de ``log(y!)`` (``False``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        eps: evita log(0) con ``log_input=False`` (``1e-8``).
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(*)``; objetivo, la misma forma; salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.PoissonNLLLoss()(torch.tensor([0., 1.]), torch.tensor([1., 2.]))
        tensor(0.8591)

    En PyTorch: ``torch.nn.PoissonNLLLoss``; como función, ``F.poisson_nll_loss``.
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Menos la log-verosimilitud gaussiana con varianza predicha: ``ℓ = ½·(log(max(var, eps)) +
    (x − y)²/max(var, eps))`` (+ ½·log(2π) con ``full``); derivada ``∂ℓ/∂x = (x − y)/var``.

    Args:
        full: suma la constante ½·log(2π) (``False``).
        eps: mínimo de ``var`` (``1e-6``).
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: ``input`` y ``target`` ``(N, *)``; ``var`` la misma forma, o sin el último eje, o con el
    último eje de tamaño 1; salida escalar, o ``(N, *)`` con ``'none'``.

    Ejemplo:
        >>> nn.GaussianNLLLoss()(torch.tensor([1., 2.]), torch.tensor([1.5, 2.]), torch.tensor([1., 0.5]))
        tensor(-0.1108)

    En PyTorch: ``torch.nn.GaussianNLLLoss``; como función, ``F.gaussian_nll_loss``.
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)
