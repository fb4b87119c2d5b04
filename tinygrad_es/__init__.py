"""tinygrad_es: un motor de autograd para aprender (y entrenar CNN de verdad en la CPU).

>>> from tinygrad_es import Value, Tensor, no_grad
"""
from ._runtime import prefer_workqueue, tune_malloc
from .value import Value
from .tensor import (Tensor, Function, no_grad, enable_grad, is_grad_enabled, manual_seed,
                     cat, stack, where, maximum, minimum)
from .serialization import load, save
from . import nn, optim, utils  # noqa: E402  (como en PyTorch: tinygrad_es.nn, .optim, .utils.data)

__version__ = "0.1.0"

prefer_workqueue()  # hilos de numba que no compiten con BLAS (véase _runtime.py)
tune_malloc()  # menos fallos de página en el entrenamiento (véase _runtime.py)
__all__ = ["Value", "Tensor", "Function", "no_grad", "enable_grad", "is_grad_enabled",
           "manual_seed", "cat", "stack", "where", "maximum", "minimum", "save", "load", "nn", "optim", "utils"]
