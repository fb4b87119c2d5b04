"""Lo común de las inicializaciones de ``nn.init``: escribir in situ (sin grafo, con el contador de
versiones al día), el generador y el caso del tensor vacío."""
import warnings

import numpy as np

from .._random import default_rng
from .._tensor import Tensor

__all__ = ["_fill", "_rng", "_is_empty"]


def _is_empty(t) -> bool:
    # como PyTorch: inicializar un tensor sin elementos (Linear(0, 10)) no hace nada, no divide por 0
    if 0 in tuple(t.shape):
        warnings.warn("inicializar un tensor sin elementos no hace nada", UserWarning, stacklevel=3)
        return True
    return False


def _fill(t: Tensor, values) -> Tensor:
    t._data[...] = np.asarray(values).astype(t._data.dtype, copy=False)
    t._vc.value += 1
    return t


def _rng(generator=None, rng=None):
    return rng if rng is not None else default_rng(generator)
