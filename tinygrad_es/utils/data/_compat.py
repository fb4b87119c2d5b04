"""Adaptador entre ``utils.data`` y el ``Tensor`` del paquete (importación perezosa).

Es el único sitio de ``utils.data`` que sabe cómo se construye un tensor a partir de un ndarray,
cómo se obtiene su ndarray y de dónde sale el generador aleatorio por defecto.
"""
from __future__ import annotations

import numpy as np


def _pkg():
    import tinygrad_es
    return tinygrad_es


def is_tensor(x) -> bool:
    return isinstance(x, _pkg().Tensor)


def to_array(t) -> np.ndarray:
    """El ndarray de un tensor (compartido, sin copia)."""
    a = getattr(t, "_data", None)
    return a if isinstance(a, np.ndarray) else np.asarray(t.numpy())


def from_array(a: np.ndarray):
    """Tensor que comparte memoria con ``a`` y conserva su dtype (como ``torch.from_numpy``)."""
    tg = _pkg()
    a = np.asarray(a)
    return tg.from_numpy(a) if hasattr(tg, "from_numpy") else tg.Tensor._wrap(a, False)


def stack(tensors):
    return _pkg().stack(list(tensors), 0)


def rng(generator=None) -> np.random.Generator:
    """El ``numpy.random.Generator`` de ``generator`` (o el generador global de ``manual_seed``)."""
    from ..._random import default_rng
    return default_rng(generator)


def manual_seed(seed: int) -> None:
    from ..._random import manual_seed as seed_fn
    seed_fn(seed)


def fresh_rng(generator=None) -> np.random.Generator:
    """Un generador nuevo sembrado desde ``generator`` (como hace PyTorch en cada época: el
    generador global avanza un solo número, sea cual sea el tamaño del conjunto)."""
    return np.random.default_rng(int(rng(generator).integers(0, 2 ** 63 - 1)))
