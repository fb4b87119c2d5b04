"""``torch.utils`` en tinygrad_es: ``utils.data`` (``Dataset``, ``DataLoader``...) y ``utils.hooks``
(``RemovableHandle``)."""
from . import data, hooks

__all__ = ["data", "hooks"]
