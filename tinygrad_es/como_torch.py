"""``import tinygrad_es.como_torch`` (la primera línea de un cuaderno o de un script): a partir de
aquí ``import torch``, ``torch.nn``, ``torch.utils.data``, ``torchvision``... dan tinygrad_es.

Ejemplo::

    import tinygrad_es.como_torch      # la única línea añadida
    import torch
    import torch.nn as nn
    from torch.utils.data import DataLoader

Se niega (``ImportError`` en español) si el PyTorch de verdad ya está importado. Qué hace exactamente,
y cómo deshacerlo (``desactivar()``): véase ``tinygrad_es._torch_alias``. Para un programa entero sin
tocarlo: ``tinygrad-es ejecutar programa.py``.
"""
from ._torch_alias import ALIAS, activar, activo, desactivar

__all__ = ["ALIAS", "activar", "activo", "desactivar"]

activar()
