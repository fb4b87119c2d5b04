"""``F.linear_cross_entropy``: la entropía cruzada de una proyección lineal,
``cross_entropy(linear(input, W, b), target)``, con la validación de PyTorch (pesos K-dimensionales,
``ignore_index=None`` → -100, entrada sin lote) y sus opciones de trozos."""
from __future__ import annotations

import math
import warnings

from ..._dtype import int64
from ..._tensor import Tensor
from .linear import linear
from .loss import cross_entropy
from ._utils import as_tensor

__all__ = ["linear_cross_entropy"]

_OP = "linear_cross_entropy"


def _shape(t):
    return tuple(t.shape)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None) -> Tensor:
    """Entropía cruzada entre ``linear(input, linear_weight, linear_bias)`` (los logits) y ``target``:
    lo mismo que ``F.cross_entropy(F.linear(input, W, b).reshape(forma_logits), target, ...)``, y la
    derivada es la de esa composición (``∂/∂logits = (softmax − objetivo)·peso``, y de ahí ``∂/∂W``,
    ``∂/∂b``, ``∂/∂input`` por la lineal).

    Args:
        input: ``(in_features,)`` (sin lote) o ``(N, in_features)``.
        linear_weight: ``(C, in_features)`` o ``(C, d1, ..., dK, in_features)`` (pérdida K-dimensional: los
            logits son ``(N, C, d1, ..., dK)``; exige entrada con lote).
        target: índices de clase (int64) de forma ``()``, ``(N,)`` o ``(N, d1, ..., dK)``; o
            probabilidades con la forma de los logits.
        linear_bias: ``(C, d1, ..., dK)`` o ``None``.
        weight: ``(C,)``, peso de cada clase (``None``).
        reduction: ``'mean'``, ``'sum'`` o ``'none'``.
        ignore_index: clase que no cuenta; ``None`` (por defecto) es -100 con índices, y con
            probabilidades no se puede dar.
        label_smoothing: ε en [0, 1] (``0.0``).
        options: ``nn.LinearCrossEntropyOptions`` o ``None``. PyTorch recorre entonces el lote por
            trozos de filas para no guardar todos los logits (con ``reduction`` ``'mean'``/``'sum'``/
            ``'none'``, sin ``label_smoothing``, índices int64 y pesos 2-D; si no, avisa y usa el camino
            de referencia). Aquí se validan (``ValueError`` si el tamaño de trozo y el método no
            casan) y se avisa igual, pero el cálculo es siempre el de referencia: el mismo valor
            (PyTorch puede diferir en el último bit por sumar por trozos) y **sin** el ahorro de memoria.

    Forma: la de ``F.cross_entropy`` con esos logits (escalar salvo ``reduction='none'``).

    Ejemplo:
        >>> F.linear_cross_entropy(torch.tensor([[1., 0.], [0., 1.]]), torch.tensor([[1., 0.], [0., 1.], [0., 0.]]),
        ...                        torch.tensor([0, 1]), reduction="none")
        tensor([0.5514, 0.5514])

    En PyTorch: ``torch.nn.functional.linear_cross_entropy``.
    """
    input = as_tensor(input, _OP)
    linear_weight = as_tensor(linear_weight, _OP, "linear_weight")
    target = as_tensor(target, _OP, "target")
    if not 1 <= input.ndim <= 2:
        raise RuntimeError(f"{_OP}: se esperaba una entrada de 1 o 2 dimensiones, no de {input.ndim} "
                           f"(forma {_shape(input)})")
    if linear_weight.ndim < 2:
        raise RuntimeError(f"{_OP}: se esperaban pesos linear_weight de al menos 2 dimensiones, no de "
                           f"{linear_weight.ndim} (forma {_shape(linear_weight)})")
    num_batches, in_features = _shape(input)[:-1], input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(f"{_OP}: la última dimensión (in_features) de la entrada y de linear_weight debe "
                           f"coincidir: {in_features} y {linear_weight.shape[-1]}")
    num_classes, out_features = linear_weight.shape[0], _shape(linear_weight)[1:-1]
    if linear_bias is not None:
        linear_bias = as_tensor(linear_bias, _OP, "linear_bias")
        if _shape(linear_bias) != (num_classes, *out_features):
            raise RuntimeError(f"{_OP}: linear_bias debe tener forma {(num_classes, *out_features)}, no "
                               f"{_shape(linear_bias)}")
    if out_features and not num_batches:
        raise RuntimeError(f"{_OP}: la pérdida K-dimensional de linear_weight con forma {_shape(linear_weight)} "
                           f"exige una entrada con lote (N, {in_features}), no sin lote con forma {_shape(input)}")
    logits_shape = (*num_batches, num_classes, *out_features)
    if _shape(target) == logits_shape and ignore_index is not None:  # probabilidades (la regla de PyTorch)
        raise RuntimeError(f"{_OP}: ignore_index no se puede dar si target son probabilidades (forma de los "
                           f"logits {logits_shape})")
    if options is not None:
        _check_options(options, input, linear_weight, target, reduction, label_smoothing, out_features)
    if out_features:  # una lineal de C·d1···dK salidas, y los logits con su forma K-dimensional
        rows = math.prod(out_features, start=num_classes)
        linear_weight = linear_weight.reshape(rows, in_features)
        linear_bias = linear_bias.reshape(rows) if linear_bias is not None else None
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index, label_smoothing=label_smoothing)


def _check_options(options, input, linear_weight, target, reduction, label_smoothing, out_features):
    """Valida ``options`` para esta llamada como PyTorch: avisa si el camino por trozos no se puede usar;
    si se puede, resuelve el tamaño del trozo (``ValueError`` si contradice el método)."""
    chunkable = (reduction in ("mean", "sum", "none") and label_smoothing == 0.0 and target.dtype == int64
                 and not out_features)
    if not chunkable:
        warnings.warn(f"{_OP}: se ignoran las opciones (options): el camino por trozos necesita reduction en "
                      f"{{'mean','sum','none'}}, label_smoothing == 0, target int64 y pesos 2-D; hay "
                      f"reduction={reduction!r}, label_smoothing={label_smoothing}, target {target.dtype}, "
                      f"out_features={tuple(out_features)}", UserWarning, stacklevel=3)
        return
    options._adjust(num_batches=input.shape[0] if input.ndim == 2 else 1, in_features=input.shape[-1],
                    num_classes=linear_weight.shape[0], dtype=input.dtype, device=input.device)
