"""``torch.autograd.Variable``: el nombre de los tutoriales antiguos (PyTorch < 0.4).

Desde PyTorch 0.4, ``Variable`` y ``Tensor`` son lo mismo: ``Variable(x, requires_grad=True)``
devuelve un **tensor** (que comparte memoria con ``x``, sin su grafo) con ``requires_grad``, e
``isinstance(t, Variable)`` es cierto para cualquier tensor. ``volatile=True`` ya no hace nada
(avisa como PyTorch: hoy se escribe ``with torch.no_grad():``).
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype as D
from .graph import TensorBase

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, TensorBase)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)`` → un tensor (``data.detach()`` con
    ``requires_grad``), como en PyTorch ≥ 0.4.

    Args:
        data: un tensor (``None``: un tensor vacío).
        requires_grad: si el resultado pide gradiente (``False``).
        volatile: obsoleto, sin efecto (avisa con ``UserWarning``).

    Ejemplo (código de un tutorial antiguo)::

        x = Variable(torch.ones(2, 2), requires_grad=True)
        y = (x * 3).sum(); y.backward(); x.grad          # tensor([[3., 3.], [3., 3.]])

    Errores: ``TypeError`` si ``data`` no es un tensor.

    En PyTorch: ``torch.autograd.Variable``.
    """

    def __new__(cls, data=None, requires_grad: bool = False, volatile: bool = False, _grad_fn=None):
        if volatile:
            warnings.warn("volatile ya no existe y no tiene efecto (también en PyTorch): usa "
                          "`with torch.no_grad():`", UserWarning, stacklevel=2)
        if data is None:
            data = TensorBase._wrap(np.empty((0,), dtype=D.get_default_dtype().np))
        if not isinstance(data, TensorBase):
            raise TypeError(f"los datos de una Variable tienen que ser un tensor, no {type(data).__name__} "
                            f"(usa Variable(torch.tensor(...)))")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
