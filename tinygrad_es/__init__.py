"""tinygrad_es: un motor de autograd para aprender (y entrenar CNN de verdad en la CPU).

>>> from tinygrad_es import Value, Tensor, no_grad
"""
from ._malloc import tune_malloc
from .value import Value
from .tensor import (Tensor, Function, no_grad, enable_grad, is_grad_enabled, manual_seed,
                     cat, stack, where, maximum, minimum)

__version__ = "0.1.0"

tune_malloc()  # menos fallos de página en el entrenamiento (véase _malloc.py)
__all__ = ["Value", "Tensor", "Function", "no_grad", "enable_grad", "is_grad_enabled",
           "manual_seed", "cat", "stack", "where", "maximum", "minimum"]
