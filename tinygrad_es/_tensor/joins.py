"""Las funciones de nivel superior de PyTorch (``torch.sum(x, 1)``, ``torch.cat``, ``torch.where``...).

Casi todas son el método del mismo nombre: ``torch.exp(x)`` es ``x.exp()``. Se generan a partir de
una lista para que no haya dos copias de cada operación.
"""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._creation import tensor
from ._tensor import Tensor
from ._tensor_math import _dtype_of, as_operand
from .autograd import TensorBase
from .ops import elementwise as E, movement as M

# métodos de Tensor que también son funciones: torch.NOMBRE(input, *args, **kwargs)
METHOD_FUNCTIONS = (
    "sum mean var std max min amax amin argmax argmin any all logsumexp softmax log_softmax "
    "exp log sqrt abs absolute tanh sigmoid relu neg negative clamp clip maximum minimum pow "
    "add sub subtract mul multiply div divide true_divide matmul mm bmm mv dot "
    "flatten transpose swapaxes swapdims permute reshape squeeze unsqueeze t numel allclose equal "
    "lt le gt ge eq ne less less_equal greater greater_equal not_equal clone detach "
    "is_floating_point").split()


def _make(name):
    def fn(input, *args, **kwargs):
        if not isinstance(input, TensorBase):
            input = tensor(input)
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{name}(input, ...)`` es ``input.{name}(...)``; véase ``Tensor.{name}``."
    return fn


for _n in METHOD_FUNCTIONS:
    globals()[_n] = _make(_n)


def _as_tensors(tensors, op):
    ts = list(tensors)
    if not ts:
        raise RuntimeError(f"{op}: se necesita al menos un tensor")
    for t in ts:
        if not isinstance(t, TensorBase):
            raise TypeError(f"{op} espera una lista de tensores; se recibió un {type(t).__name__}")
    npd = D.result_type(*[t for t in ts if t.ndim] or ts)
    return [as_operand(t, npd) for t in ts]


def cat(tensors, dim=0, *, axis=None) -> Tensor:
    """Concatena a lo largo de ``dim`` (las demás dimensiones deben coincidir)."""
    ts = _as_tensors(tensors, "cat")
    ts = [t for t in ts if not (t.ndim == 1 and t.shape[0] == 0)] or ts[:1]  # PyTorch ignora (0,)
    d = ts[0]._dim(dim if axis is None else axis)
    return M.Cat.apply(*ts, axis=d)


concat = concatenate = cat


def stack(tensors, dim=0, *, axis=None) -> Tensor:
    """Apila tensores de la misma forma en un eje nuevo ``dim``."""
    ts = _as_tensors(tensors, "stack")
    d = dim if axis is None else axis
    n = ts[0].ndim + 1
    if not -n <= d < n:
        raise IndexError(f"eje fuera de rango: se esperaba uno en [{-n}, {n - 1}], pero se recibió {d}")
    return M.Stack.apply(*ts, axis=d % n)


def where(condition, input=None, other=None) -> Tensor:
    """``where(cond, a, b)``: ``a`` donde ``cond`` es cierto, ``b`` donde no (con broadcasting y
    promoción de tipos). ``where(cond)`` = ``nonzero(cond, as_tuple=True)``."""
    cond = condition._data if isinstance(condition, TensorBase) else np.asarray(condition)
    if input is None and other is None:
        return tuple(TensorBase._wrap(i.astype(np.int64)) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where: la condición debe ser bool, no {cond.dtype}")
    input, other = _dtype_of(input), _dtype_of(other)
    npd = D.result_type(input, other)
    return E.Where.apply(as_operand(input, npd), as_operand(other, npd), cond=cond)


def is_nonzero(input) -> bool:
    return bool(input)
