"""``torch.nn.utils.stateless.functional_call``: la forma antigua de ``torch.func.functional_call``
(PyTorch la marca como obsoleta desde la 2.0 y aquí avisa igual, con ``FutureWarning``)."""
from __future__ import annotations

import warnings

from ...func.functional_call import functional_call as _functional_call

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Llama a ``module`` con los parámetros y buffers de ``parameters_and_buffers`` (dict nombre → tensor)
    en lugar de los suyos, sin cambiar el módulo, con los argumentos ``args`` (un tensor o una tupla) y
    ``kwargs`` (un dict). ``tie_weights``: un parámetro compartido cambia en todos sus nombres; ``strict``:
    hay que dar todos los parámetros y buffers. Es ``torch.func.functional_call``.

    Ejemplo:
        >>> lin = nn.Linear(2, 1)
        >>> nn.utils.stateless.functional_call(lin, {"weight": torch.ones(1, 2), "bias": torch.zeros(1)},
        ...                                    torch.ones(1, 2))
        tensor([[2.]])

    En PyTorch: ``torch.nn.utils.stateless.functional_call`` (obsoleto: usa ``torch.func.functional_call``).
    """
    warnings.warn("torch.nn.utils.stateless.functional_call está obsoleto desde PyTorch 2.0 (también allí): usa "
                  "torch.func.functional_call, que se usa igual", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
