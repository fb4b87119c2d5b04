"""Redes neuronales (``torch.nn``): ``Module``, ``Parameter``, capas, pérdidas, contenedores,
inicialización (``nn.init``), funciones (``nn.functional``) y utilidades (``nn.utils``).

>>> from tinygrad_es import nn
>>> capa = nn.Conv2d(1, 32, 3)
"""
from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import parallel
from .functional import grad
from .parallel import DataParallel
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from .scalar import Layer, MLP, Neuron

__all__ = ["Module", "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "functional", "init", "utils", "Neuron", "Layer", "MLP", "parallel", "DataParallel", "grad"] + list(_modules_all)
