"""``AdaptiveLogSoftmaxWithLoss``: softmax adaptativa (Grave et al., 2016) para vocabularios grandes. Las
clases frecuentes (``[0, cutoffs[0])``) van en la «cabeza» junto con un representante de cada grupo de
clases raras; la probabilidad de una clase rara es P(grupo) · P(clase | grupo), con una proyección más
pequeña por grupo (dividida por ``div_value`` cada vez). Así no se calcula un softmax sobre todo el
vocabulario en cada paso.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import cat
from .. import functional as F
from ..module import Module
from .container import ModuleList, Sequential
from .linear import Linear

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Softmax adaptativa con su pérdida (la log-verosimilitud negativa media).

    Args:
        in_features: características de la entrada.
        n_classes: número de clases.
        cutoffs: cortes crecientes entre 1 y ``n_classes − 1`` (enteros distintos): ``[10, 100]`` hace la
            cabeza con las clases 0‥9 y dos grupos, 10‥99 y 100‥``n_classes − 1``.
        div_value: cada grupo proyecta a ``in_features // div_value**(i+1)`` dimensiones (``4.0``).
        head_bias: si la cabeza lleva sesgo (``False``).
        device, dtype: como en ``Linear``.

    Forma: ``input`` ``(N, in_features)`` o ``(in_features,)``; ``target`` ``(N,)`` o ``()``. Devuelve
    ``(output, loss)``: ``output`` ``(N,)`` el log de la probabilidad de cada objetivo y ``loss`` su media
    cambiada de signo. ``log_prob(input)`` da ``(N, n_classes)``; ``predict(input)`` la clase más probable
    (estos dos, sólo con lotes 2-D, como en PyTorch).

    Ejemplo:
        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[5, 10])
        >>> out, loss = asm(torch.randn(4, 8), torch.tensor([0, 6, 12, 19]))
        >>> out.shape, asm.log_prob(torch.randn(4, 8)).shape
        (torch.Size([4]), torch.Size([4, 20]))

    En PyTorch: ``torch.nn.AdaptiveLogSoftmaxWithLoss``.
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("AdaptiveLogSoftmaxWithLoss: cutoffs debe tener al menos un valor")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError(f"AdaptiveLogSoftmaxWithLoss: cutoffs debe ser una secuencia creciente de enteros "
                             f"distintos entre 1 y n_classes−1 = {n_classes - 1}, no {cutoffs}")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                        Linear(hsz, osz, bias=False, **kw)))

    def reset_parameters(self) -> None:
        """Vuelve a inicializar la cabeza y las proyecciones de los grupos."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        """``(output, loss)``: el log de la probabilidad de cada objetivo y la pérdida media (véase la clase)."""
        tdim = target_.dim()
        if tdim == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: input y target deben tener el mismo lote "
                                   f"({input_.shape[0]} y {target_.shape[0]})")
            if input_.dim() != 2:
                raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: un target 1-D pide un input 2-D, no de forma "
                                   f"{tuple(input_.shape)}")
        elif tdim == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: un target 0-D pide un input 1-D, no de forma "
                                   f"{tuple(input_.shape)}")
        else:
            raise RuntimeError("AdaptiveLogSoftmaxWithLoss: target debe ser 0-D o 1-D (no hay varios objetivos)")
        batched = tdim > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        t = np.asarray(target._data).astype(np.int64)
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: los objetivos deben estar en [0, {self.n_classes - 1}]"
                               f" y van de {t.min()} a {t.max()}")
        gather = t.copy()  # columna de la cabeza de cada fila: la clase o el representante de su grupo
        output = input.new_zeros(t.shape[0])
        for i in range(1, len(self.cutoffs)):
            lo, hi = self.cutoffs[i - 1], self.cutoffs[i]
            rows = np.flatnonzero((t >= lo) & (t < hi))
            if rows.size == 0:
                continue
            gather[rows] = self.shortlist_size + i - 1
            r = Tensor._wrap(rows)
            logp = F.log_softmax(self.tail[i - 1](input.index_select(0, r)), dim=1)
            local = logp.gather(1, Tensor._wrap((t[rows] - lo).reshape(-1, 1)))
            output = output.index_copy(0, r, local.squeeze(1))
        head = F.log_softmax(self.head(input), dim=1)
        output = output + head.gather(1, Tensor._wrap(gather.reshape(-1, 1))).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, input, head_output):
        head = F.log_softmax(head_output, dim=1)
        parts = [head[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            parts.append(F.log_softmax(self.tail[i](input), dim=1) + head[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, dim=1)

    def _check_batch(self, input, op):
        if input.dim() != 2:  # como PyTorch: log_prob y predict sólo admiten lotes
            raise IndexError(f"AdaptiveLogSoftmaxWithLoss.{op}: se esperaba un lote (N, {self.in_features}), "
                             f"no forma {tuple(input.shape)}")

    def log_prob(self, input):
        """El log de la probabilidad de todas las clases: ``(N, in_features)`` → ``(N, n_classes)``."""
        self._check_batch(input, "log_prob")
        return self._full_log_prob(input, self.head(input))

    def predict(self, input):
        """La clase más probable de cada fila, ``(N,)`` (``argmax`` de ``log_prob``, sin calcularlo en las filas
        donde gana una clase de la cabeza)."""
        self._check_batch(input, "predict")
        head_output = self.head(input)
        out = head_output.argmax(dim=1)
        rare = np.asarray(out._data) >= self.shortlist_size
        if rare.any():
            r = Tensor._wrap(np.flatnonzero(rare))
            best = self._full_log_prob(input.index_select(0, r), head_output.index_select(0, r)).argmax(dim=1)
            out = out.index_copy(0, r, best)
        return out
