"""Transformaciones de imágenes con los nombres de ``torchvision.transforms`` (v1).

>>> from tinygrad_es.vision import transforms
>>> t = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(),
...                         transforms.ToTensor(), transforms.Normalize((0.49, 0.48, 0.45), (0.25, 0.24, 0.26))])

Funcionan sobre imágenes PIL (con Pillow, como torchvision: mismos píxeles) y sobre tensores
``[..., C, H, W]``; ``transforms.functional`` tiene cada una como función. Los sorteos usan el
generador de tinygrad_es (``tinygrad_es.manual_seed``) en el mismo orden que torchvision.
"""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _all

__all__ = list(_all) + ["functional"]
