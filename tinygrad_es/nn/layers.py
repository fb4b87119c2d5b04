"""Nombre antiguo: las capas viven ahora en ``nn/modules/`` (como en PyTorch). Se mantiene para
``from tinygrad_es.nn.layers import Conv2d``."""
from .modules import *  # noqa: F401,F403
from .modules import __all__  # noqa: F401
