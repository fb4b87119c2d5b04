"""``torch.nn.utils.skip_init``: crear una capa sin gastar tiempo en inicializarla (sus pesos se
van a sobrescribir, p. ej. con un ``load_state_dict``)."""
from __future__ import annotations

import inspect

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Crea ``module_cls(*args, **kwargs)`` para sobrescribir después sus parámetros.

    Como en PyTorch, la clase debe aceptar ``device=`` (así se sabe que crea sus tensores con él).
    PyTorch deja los parámetros sin inicializar (memoria sin valores definidos); aquí tienen los
    valores de la inicialización de la capa, que es uno de esos valores posibles: no cuentes con
    ninguno.

    Ejemplo:
        >>> m = nn.utils.skip_init(nn.Linear, 5, 1)
        >>> m.weight.shape
        torch.Size([1, 5])

    Errores: ``RuntimeError`` si ``module_cls`` no es un ``nn.Module`` o no admite ``device``.

    En PyTorch: ``torch.nn.utils.skip_init``.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"skip_init espera una clase de nn.Module; recibió {module_cls!r}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError(f"{module_cls.__name__} debe admitir el argumento 'device' para crearse sin inicializar")
    return module_cls(*args, **kwargs)
