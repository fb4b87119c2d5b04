"""Adaptador entre ``utils.data`` y el ``Tensor`` del paquete.

Es el único sitio de ``utils.data`` que sabe cómo se construye un tensor a partir de un ndarray,
cómo se obtiene su ndarray y de dónde sale el generador aleatorio por defecto.
"""
from __future__ import annotations

import numpy as np

from ..._random import default_rng, manual_seed as _manual_seed
from ..._tensor import Tensor
from ..._tensor.creation import from_numpy
from ..._tensor.joins import stack as _stack

__all__ = ["is_tensor", "to_array", "from_array", "stack", "rng", "manual_seed", "fresh_rng"]


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def to_array(t) -> np.ndarray:
    """El ndarray de un tensor (compartido, sin copia)."""
    a = getattr(t, "_data", None)
    return a if isinstance(a, np.ndarray) else np.asarray(t.numpy())


def from_array(a: np.ndarray):
    """Tensor que comparte memoria con ``a`` y conserva su dtype (como ``torch.from_numpy``)."""
    return from_numpy(np.asarray(a))


def stack(tensors):
    return _stack(list(tensors), 0)


def rng(generator=None) -> np.random.Generator:
    """El ``numpy.random.Generator`` de ``generator`` (o el generador global de ``manual_seed``)."""
    return default_rng(generator)


def manual_seed(seed: int) -> None:
    _manual_seed(seed)


def fresh_rng(generator=None) -> np.random.Generator:
    """Un generador nuevo sembrado desde ``generator`` (como hace PyTorch en cada época: el
    generador global avanza un solo número, sea cual sea el tamaño del conjunto)."""
    return np.random.default_rng(int(rng(generator).integers(0, 2 ** 63 - 1)))
