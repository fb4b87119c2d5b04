"""Utilidades de las capas: validación de tamaños, inicialización por defecto y ``device``/``dtype``."""
from __future__ import annotations

import math

import numpy as np

from .. import init
from ..parameter import factory_dtype  # noqa: F401  (las capas la importan de aquí)

__all__ = ["check_size", "default_init", "factory_dtype"]


def check_size(layer: str, **sizes):
    """Tamaños enteros y válidos; sin esto numpy falla lejos (ZeroDivisionError, 'negative dimensions')."""
    for name, (v, minimum) in sizes.items():
        per_dim = name in ("kernel_size", "stride", "padding", "dilation", "output_padding")
        vals = v if per_dim and isinstance(v, (tuple, list)) else (v,)
        if not all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in vals):
            raise TypeError(f"{layer}: {name} debe ser un entero{' o una tupla de enteros' if per_dim else ''}, "
                            f"no {v!r}")
        if any(e < minimum for e in vals):
            raise ValueError(f"{layer}: {name} debe ser ≥ {minimum}, no {v!r}")


def default_init(weight, bias, fan_in: int):
    """Lo mismo que PyTorch: ``kaiming_uniform_(a=√5)`` ≡ U(±1/√fan_in) para pesos y sesgos."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


