"""``Parameter``: un ``Tensor`` que el modelo aprende."""
from __future__ import annotations

import numpy as np

from .._dtype import get_default_dtype
from .._tensor import Tensor
from ..autograd import TensorBase
from ..autograd.value import Value

__all__ = ["Parameter", "is_parameter"]


class Parameter(Tensor):
    """Un ``Tensor`` que el modelo aprende: ``requires_grad=True`` y, dentro de un ``Module``,
    aparece en ``parameters()`` y en ``state_dict()``.

    Como en PyTorch, ``Parameter(t)`` comparte la memoria de ``t`` (no la copia).
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        version = None
        if data is None:
            arr = np.empty((0,), dtype=get_default_dtype().np)
        elif isinstance(data, TensorBase):
            arr, version = data._data, data._vc
        elif isinstance(data, np.ndarray):
            arr = data
        else:  # listas y números de Python: float32 (como torch.tensor); un escalar de numpy, su dtype
            arr = np.asarray(data)
            if arr.dtype.kind == "f" and not isinstance(data, np.generic):
                arr = arr.astype(get_default_dtype().np)
        if requires_grad and arr.dtype.kind != "f":
            raise RuntimeError(f"sólo los tensores de coma flotante pueden requerir gradiente (el dato es {arr.dtype}); "
                               f"usa Parameter(t.float()) o requires_grad=False")
        src = TensorBase._wrap(arr, False, version)
        for slot in TensorBase.__slots__[:-1]:
            object.__setattr__(self, slot, getattr(src, slot))
        self.requires_grad = bool(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data.copy(), self.requires_grad))


def _rebuild(data, requires_grad):
    return Parameter(data, requires_grad)


def is_parameter(x) -> bool:
    """¿Lo aprende el modelo? Un ``Parameter`` o una hoja ``Value`` (las neuronas escalares de
    ``nn/scalar.py``): lo que recogen ``parameters()`` y ``state_dict()``."""
    return isinstance(x, Parameter) or (isinstance(x, Value) and x.is_leaf)
