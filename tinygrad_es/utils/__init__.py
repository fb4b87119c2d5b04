"""``torch.utils`` en tinygrad_es: ``utils.data`` (``Dataset``, ``DataLoader``...), ``utils.hooks``
(``RemovableHandle``) y ``utils.checkpoint`` (recalcular activaciones en el backward)."""
from . import checkpoint, data, hooks

__all__ = ["checkpoint", "data", "hooks"]
