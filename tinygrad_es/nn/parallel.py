"""``nn.DataParallel`` (``torch.nn.parallel``): en PyTorch reparte cada lote entre varias GPU. Sin GPU
(aquí siempre, como PyTorch en una máquina sin CUDA) guarda el modelo en ``.module`` y lo llama tal
cual; sus claves de ``state_dict`` llevan el prefijo ``module.``, como las de PyTorch, así que los
checkpoints guardados desde un ``DataParallel`` se cargan igual.
"""
from __future__ import annotations

from .module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Envuelve ``module`` para repartir el lote entre GPU; en la CPU, ``DataParallel(m)(x)`` es ``m(x)``.

    Args:
        module: el modelo que se envuelve (queda en ``.module``).
        device_ids, output_device, dim: las GPU y el eje del reparto; sin GPU no se usan
            (``device_ids`` queda ``[]``, como en PyTorch).

    Ejemplo:
        >>> red = nn.DataParallel(nn.Linear(4, 2))
        >>> list(red.state_dict())
        ['module.weight', 'module.bias']
        >>> sin_prefijo = {k.removeprefix("module."): v for k, v in red.state_dict().items()}
        >>> list(nn.Linear(4, 2).load_state_dict(sin_prefijo).missing_keys)
        []

    En PyTorch: ``torch.nn.DataParallel`` (``torch.nn.parallel.DataParallel``).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not callable(module):
            raise TypeError(f"DataParallel: se esperaba un nn.Module, no {type(module).__name__}")
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
