"""Optimizadores (``torch.optim``) y planificadores de la tasa (``optim.lr_scheduler``).

Cada ``step()`` aplica la fórmula publicada (la misma que documenta PyTorch) sobre los
parámetros con gradiente. Funcionan con ``Tensor``/``Parameter`` y también con los ``Value``
del gemelo escalar.
"""
from . import lr_scheduler
from .lr_scheduler import ExponentialLR, StepLR  # nombres antiguos de tinygrad_es (en PyTorch: optim.lr_scheduler)
from ._adaptive import Adadelta, Adagrad, Adamax, NAdam, RAdam
from .optimizer import SGD, Adam, AdamW, Optimizer, RMSprop

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam",
           "lr_scheduler"]
