"""``torch.utils`` en tinygrad_es: de momento, ``utils.data``."""
from . import data

__all__ = ["data"]
