"""``torch.signal`` (``tinygrad_es.signal``): por ahora, las ventanas de ``signal.windows``."""
from . import windows  # noqa: F401

__all__ = ["windows"]
