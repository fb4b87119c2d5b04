"""``torch.utils.hooks``: ``RemovableHandle``, lo que devuelven los ``register_*hook`` (vive en
``autograd/hooks.py``)."""
from ..autograd.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
