"""Conversión probabilidades ↔ logits y ``broadcast_all`` (``torch.distributions.utils``)."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd import TensorBase

__all__ = ["broadcast_all", "clamp_probs", "logits_to_probs", "probs_to_logits", "as_float_tensor", "nan_like"]


def as_float_tensor(x) -> Tensor:
    if isinstance(x, TensorBase):
        return x
    return Tensor._wrap(np.asarray(x, dtype=D.get_default_dtype().np))


def broadcast_all(*values):
    """Tensores (o números) → tensores con la forma común (los números toman el dtype por defecto)."""
    if not all(isinstance(v, (TensorBase, numbers.Number)) for v in values):
        raise ValueError("los parámetros de una distribución deben ser tensores o números")
    ts = [as_float_tensor(v) for v in values]
    try:
        shape = np.broadcast_shapes(*[tuple(t.shape) for t in ts])
    except ValueError:
        raise ValueError(f"los parámetros no hacen broadcasting: formas {[tuple(t.shape) for t in ts]}") from None
    return tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in ts)


def clamp_probs(probs):
    """Probabilidades recortadas a [ε, 1 − ε] (ε del dtype) para que su logaritmo sea finito."""
    eps = float(np.finfo(probs._data.dtype).eps)
    return probs.clamp(eps, 1 - eps)


def logits_to_probs(logits, is_binary=False):
    """σ(logits) si es binaria; softmax(logits) en el último eje si no."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def probs_to_logits(probs, is_binary=False):
    """log p (o log p − log(1 − p) si es binaria), con p recortada."""
    p = clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


def nan_like(t, shape=None):
    return Tensor._wrap(np.full(tuple(t.shape) if shape is None else shape, np.nan, dtype=t._data.dtype))
