"""Comprobación de argumentos y sorteos compartidos por las clases de ``transforms``.

Los sorteos usan el generador de tinygrad_es (``tinygrad_es.manual_seed`` los fija) con las mismas
llamadas y en el mismo orden que torchvision (``torch.rand(1)``, ``torch.randint(0, n, (1,))``,
``torch.empty(1).uniform_(a, b)``...): con la misma semilla, la misma secuencia de decisiones.
Cada worker de un ``DataLoader`` siembra su generador por separado, como en PyTorch.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from .._tensors import default_generator

__all__ = []


def setup_size(size, error_msg: str) -> tuple:
    if isinstance(size, numbers.Number) and not isinstance(size, bool):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(error_msg)
    return size


def check_sequence_input(x, name: str, req_sizes) -> None:
    msg = req_sizes[0] if len(req_sizes) < 2 else " o ".join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} debe ser una secuencia de longitud {msg}")
    if len(x) not in req_sizes:
        raise ValueError(f"{name} debe ser una secuencia de longitud {msg}, no {len(x)}")


def setup_angle(x, name: str, req_sizes=(2,)) -> list:
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"si {name} es un solo número, debe ser positivo (se recibió {x})")
        x = [-x, x]
    else:
        check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def check_fill(fill):
    if fill is None:
        return 0
    if not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError(f"fill debe ser un número o una secuencia, no {type(fill).__name__}")
    return fill


def tensor_fill(fill, channels: int):
    """torchvision pasa a los tensores el relleno como lista de floats, uno por canal."""
    if isinstance(fill, (int, float)):
        return [float(fill)] * channels
    return [float(f) for f in fill]


# -- sorteos -----------------------------------------------------------------------------------------
# Se sortea con el generador por defecto de tinygrad_es exactamente como lo harían
# ``tinygrad_es.rand(1)``, ``randint(low, high, (1,))`` y ``empty(1).uniform_(a, b)`` (mismo estado
# consumido, mismos valores: lo comprueba un test), sin crear un tensor por sorteo: esto se ejecuta
# una vez por imagen en los workers del DataLoader.
def _rng():
    return default_generator.rng


def coin(p: float) -> bool:
    """``torch.rand(1) < p`` (comparado en float32, como PyTorch)."""
    return bool(np.float32(_rng().random((1,))[0]) < np.float32(p))


def randint_item(low: int, high: int) -> int:
    """``torch.randint(low, high, size=(1,)).item()``."""
    if high <= low:
        raise RuntimeError(f"randint: se necesita low < high (low={low}, high={high})")
    return int(_rng().integers(low, high, (1,))[0])


def uniform_item(a: float, b: float) -> float:
    """``torch.empty(1).uniform_(a, b).item()``: un float32 en [a, b)."""
    return float(np.float32(_rng().uniform(float(a), float(b), (1,))[0]))


def log_uniform_ratio(log_ratio) -> float:
    """``torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()`` (en float32)."""
    u = np.float32(uniform_item(log_ratio[0], log_ratio[1]))
    return float(np.exp(u, dtype=np.float32))
