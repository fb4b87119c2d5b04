"""Pérdidas como módulos (``criterion = nn.CrossEntropyLoss()``; ``loss = criterion(salida, objetivo)``).

Guardan sus argumentos y llaman a la función de ``nn.functional``; ``weight`` y ``pos_weight`` son
buffers (viajan con ``state_dict``), como en PyTorch.
"""
from __future__ import annotations

import warnings

from ..._tensor import Tensor
from .. import functional as F
from ..._validate import REDUCTIONS
from ..functional._utils import reduction_arg
from ..module import Module

__all__ = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
           "BCEWithLogitsLoss", "KLDivLoss", "NLLLoss2d"]


def _buffer(x):
    return x if x is None or isinstance(x, Tensor) else Tensor(x)


class _Loss(Module):
    """Lo común a las pérdidas (``reduction`` y los obsoletos ``size_average``/``reduce``)."""
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        """Guarda ``reduction`` (véase cada pérdida)."""
        super().__init__()
        allowed = REDUCTIONS + ("batchmean",) if isinstance(self, KLDivLoss) else REDUCTIONS
        self.reduction = reduction_arg(size_average, reduce, reduction, type(self).__name__, allowed)


class _WeightedLoss(_Loss):
    """Lo común a las pérdidas con ``weight`` (un buffer)."""
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        """Guarda ``weight`` como buffer y ``reduction`` (véase cada pérdida)."""
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight))


class CrossEntropyLoss(_WeightedLoss):
    """Entropía cruzada desde **logits** (``log_softmax`` + ``NLLLoss`` en una sola capa): la pérdida de la
    clasificación en C clases. Con un objetivo de índices, ``ℓ_n = −w[y_n]·log softmax(x_n)[y_n]``; con
    probabilidades por clase ``p``, ``ℓ_n = −Σ_c w_c·p_{n,c}·log softmax(x_n)_c``.

    Derivada respecto de los logits (sin pesos ni suavizado): ``∂ℓ_n/∂x_{n,c} = softmax(x_n)_c − [c = y_n]``
    (entre N con ``reduction='mean'``): por eso la última capa no lleva ``Softmax``.

    Args:
        weight: tensor ``(C,)`` con el peso de cada clase (``None``: todas pesan 1); con ``'mean'`` se
            divide por la suma de los pesos de los objetivos, no por N.
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        ignore_index: índice de clase que no cuenta ni en la pérdida ni en la media (``-100``).
        reduction: ``'mean'`` (media), ``'sum'`` (suma) o ``'none'`` (una pérdida por ejemplo).
        label_smoothing: ε en [0, 1] (``0.0``); el objetivo pasa a ser ``(1 − ε)·objetivo + ε/C``.

    Forma: entrada ``(N, C)``, ``(C,)`` o ``(N, C, d1, ...)``; objetivo ``(N,)`` / ``()`` /
    ``(N, d1, ...)`` con índices int64 en [0, C), o la forma de la entrada con probabilidades; salida
    escalar, o ``(N,)`` / ``(N, d1, ...)`` con ``reduction='none'``.

    Ejemplo:
        >>> logits = torch.tensor([[2., 1., 0.1], [0.5, 2.5, 0.3]])
        >>> nn.CrossEntropyLoss()(logits, torch.tensor([0, 1]))
        tensor(0.3185)

    En PyTorch: ``torch.nn.CrossEntropyLoss``; como función, ``F.cross_entropy``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        """Véase el docstring de la clase."""
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Log-verosimilitud negativa: ``ℓ_n = −w[y_n]·input[n, y_n]`` sobre **log-probabilidades** (la salida
    de ``nn.LogSoftmax``). ``LogSoftmax`` + ``NLLLoss`` = ``CrossEntropyLoss``.

    Derivada: ``∂ℓ_n/∂input[n, c] = −w[y_n]`` si ``c = y_n``, si no 0 (entre Σ w[y_n] con ``'mean'``).

    Args:
        weight: tensor ``(C,)`` con el peso de cada clase (``None``: todas pesan 1).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        ignore_index: índice de clase que no cuenta (``-100``).
        reduction: ``'mean'`` (divide por la suma de los pesos de los objetivos), ``'sum'`` o ``'none'``.

    Forma: entrada ``(N, C)``, ``(C,)`` o ``(N, C, d1, ...)``; objetivo ``(N,)`` / ``()`` /
    ``(N, d1, ...)`` con índices int64 en [0, C); salida escalar (o la forma del objetivo con ``'none'``).

    Ejemplo:
        >>> logp = F.log_softmax(torch.tensor([[2., 1., 0.1], [0.5, 2.5, 0.3]]), dim=1)
        >>> nn.NLLLoss()(logp, torch.tensor([0, 1]))
        tensor(0.3185)

    En PyTorch: ``torch.nn.NLLLoss``; como función, ``F.nll_loss``.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class MSELoss(_Loss):
    """Error cuadrático medio: ``ℓ_i = (x_i − y_i)²``, promediado (o sumado) sobre todos los elementos; la
    pérdida de la regresión. Derivada: ``∂ℓ/∂x_i = 2(x_i − y_i)/n`` con ``'mean'`` (n elementos).

    Args:
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'`` (la pérdida de cada elemento).

    Forma: entrada ``(*)``; objetivo, la misma forma (o una que se difunda a ella, con un aviso);
    salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.MSELoss()(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]))
        tensor(1.4167)

    En PyTorch: ``torch.nn.MSELoss``; como función, ``F.mse_loss``.
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Error absoluto medio: ``ℓ_i = |x_i − y_i|``, promediado (o sumado). Menos sensible a los valores
    atípicos que ``MSELoss``. Derivada: ``∂ℓ/∂x_i = signo(x_i − y_i)/n`` con ``'mean'`` (0 en el empate).

    Args:
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(*)``; objetivo, la misma forma; salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.L1Loss()(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]))
        tensor(0.8333)

    En PyTorch: ``torch.nn.L1Loss``; como función, ``F.l1_loss``.
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """L1 suavizada: con ``d = x − y``, ``ℓ = ½d²/β`` si ``|d| < β`` y ``|d| − ½β`` si no (cuadrática cerca
    de 0, lineal lejos). Derivada: ``∂ℓ/∂x = d/β`` si ``|d| < β``, si no ``signo(d)``.

    Args:
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.
        beta: umbral entre la parte cuadrática y la lineal (``1.0``; ``0`` da ``L1Loss``).

    Forma: entrada ``(*)``; objetivo, la misma forma; salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.SmoothL1Loss()(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]))
        tensor(0.5417)

    En PyTorch: ``torch.nn.SmoothL1Loss``; como función, ``F.smooth_l1_loss``.
    """
    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Pérdida de Huber: con ``d = x − y``, ``ℓ = ½d²`` si ``|d| ≤ δ`` y ``δ(|d| − ½δ)`` si no
    (= ``δ·SmoothL1Loss(beta=δ)``). Derivada: ``∂ℓ/∂x = d`` si ``|d| ≤ δ``, si no ``δ·signo(d)``.

    Args:
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.
        delta: δ > 0, umbral entre la parte cuadrática y la lineal (``1.0``).

    Forma: entrada ``(*)``; objetivo, la misma forma; salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.HuberLoss(delta=1.0)(torch.tensor([1., 2., 3.]), torch.tensor([1.5, 2., 5.]))
        tensor(0.5417)

    En PyTorch: ``torch.nn.HuberLoss``; como función, ``F.huber_loss``.
    """
    def __init__(self, reduction="mean", delta=1.0):
        """Véase el docstring de la clase."""
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Entropía cruzada binaria sobre **probabilidades** (la salida de ``nn.Sigmoid``):
    ``ℓ_i = −w_i·[y_i·log x_i + (1 − y_i)·log(1 − x_i)]`` (los logaritmos se recortan en −100, como
    PyTorch, así ``x = 0`` no da ``inf``). Derivada: ``∂ℓ/∂x_i = w_i·(x_i − y_i) / (x_i(1 − x_i))``.
    Con logits, mejor ``BCEWithLogitsLoss`` (más estable).

    Args:
        weight: peso de cada elemento, difundible a la forma de la entrada (``None``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Forma: entrada ``(*)`` con valores en [0, 1]; objetivo, la misma forma y dtype, en [0, 1]; salida
    escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.BCELoss()(torch.tensor([0.9, 0.2, 0.6]), torch.tensor([1., 0., 1.]))
        tensor(0.2798)

    En PyTorch: ``torch.nn.BCELoss``; como función, ``F.binary_cross_entropy``.
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Entropía cruzada binaria desde **logits** (``Sigmoid`` + ``BCELoss`` en una operación estable):
    ``ℓ_i = −w_i·[p·y_i·log σ(x_i) + (1 − y_i)·log(1 − σ(x_i))]``, con ``p = pos_weight``.
    Derivada (sin pesos): ``∂ℓ/∂x_i = σ(x_i) − y_i``.

    Args:
        weight: peso de cada elemento, difundible a la forma de la entrada (``None``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.
        pos_weight: peso de los positivos, uno por clase en el último eje (``None``); ``> 1`` sube la
            exhaustividad (recall) cuando hay pocos positivos.

    Forma: entrada ``(*)`` (logits); objetivo, la misma forma, de coma flotante en [0, 1]; salida
    escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> nn.BCEWithLogitsLoss()(torch.tensor([2., -1., 0.5]), torch.tensor([1., 0., 1.]))
        tensor(0.3048)

    En PyTorch: ``torch.nn.BCEWithLogitsLoss``; como función, ``F.binary_cross_entropy_with_logits``.
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """Divergencia de Kullback-Leibler ``KL(y ‖ q)`` con ``input = log q`` (log-probabilidades) y
    ``target = y`` (probabilidades, o log-probabilidades si ``log_target``):
    ``ℓ_i = y_i·(log y_i − input_i)`` (0 donde ``y_i = 0``). Derivada: ``∂ℓ/∂input_i = −y_i``.

    Args:
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        reduction: ``'batchmean'`` (suma entre el tamaño del lote: la KL de verdad; úsala), ``'mean'``
            (entre todos los elementos; avisa, como PyTorch), ``'sum'`` o ``'none'``. Por defecto ``'mean'``.
        log_target: si es ``True``, ``target`` viene en log-probabilidades (``False``).

    Forma: entrada ``(*)``; objetivo, la misma forma; salida escalar, o ``(*)`` con ``'none'``.

    Ejemplo:
        >>> logq = torch.tensor([[0.25, 0.25, 0.5]]).log()
        >>> nn.KLDivLoss(reduction="batchmean")(logq, torch.tensor([[0.5, 0.25, 0.25]]))
        tensor(0.1733)

    En PyTorch: ``torch.nn.KLDivLoss``; como función, ``F.kl_div``.
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        """Véase el docstring de la clase."""
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class NLLLoss2d(NLLLoss):
    """El nombre antiguo de ``NLLLoss`` para segmentación (entrada ``(N, C, H, W)``, objetivo ``(N, H, W)``):
    hoy ``NLLLoss`` admite esas formas y ésta es la misma pérdida (se conserva por el código antiguo).

    Args:
        weight: ``(C,)``, peso de cada clase (``None``).
        size_average, reduce: obsoletos, como en PyTorch (``None``); si se dan, fijan ``reduction``.
        ignore_index: la clase que no cuenta (``-100``).
        reduction: ``'mean'`` (``mean``), ``'sum'`` o ``'none'``.

    Ejemplo:
        >>> nn.NLLLoss2d()(torch.zeros(1, 2, 2, 2).log_softmax(1), torch.zeros(1, 2, 2, dtype=torch.long))
        tensor(0.6931)

    En PyTorch: ``torch.nn.NLLLoss2d`` (= ``torch.nn.NLLLoss``).
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        """Véase el docstring de la clase."""
        warnings.warn("NLLLoss2d está obsoleta (como en PyTorch): usa NLLLoss, que es la misma pérdida",
                      FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
