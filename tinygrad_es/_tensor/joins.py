"""Las funciones que juntan varios tensores: ``cat`` (``concat``, ``concatenate``), ``stack`` y
``where``, con la promoción de tipos de PyTorch entre las entradas."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..ops import indexing as I, movement as M
from ._args import as_operand, norm_dim, promote
from .out import write_out

__all__ = ["cat", "concat", "concatenate", "stack", "where"]


def _as_tensors(tensors, op):
    ts = list(tensors)
    if not ts:
        raise RuntimeError(f"{op}: se necesita al menos un tensor")
    for t in ts:
        if not isinstance(t, TensorBase):
            raise TypeError(f"{op} espera una lista de tensores; se recibió un {type(t).__name__}")
    npd = D.result_type(*[t for t in ts if t.ndim] or ts)
    return [as_operand(t, npd) for t in ts]


def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatena a lo largo de ``dim`` (las demás dimensiones deben coincidir); ``out=`` como PyTorch."""
    ts = _as_tensors(tensors, "cat")
    ref = next((t for t in ts if not (t.ndim == 1 and t.shape[0] == 0)), ts[0])  # PyTorch ignora (0,)
    d = ref._dim(dim if axis is None else axis)
    res = M.Cat.apply(*ts, axis=d)
    return res if out is None else write_out("cat", out, res)


concat = concatenate = cat


def stack(tensors, dim=0, *, axis=None, out=None):
    """Apila tensores de la misma forma en un eje nuevo ``dim``; ``out=`` como PyTorch."""
    ts = _as_tensors(tensors, "stack")
    res = M.Stack.apply(*ts, axis=norm_dim(dim if axis is None else axis, ts[0].ndim + 1))
    return res if out is None else write_out("stack", out, res)


def where(condition, input=None, other=None, *, out=None):
    """``where(cond, a, b)``: ``a`` donde ``cond`` es cierto, ``b`` donde no (con broadcasting y
    promoción de tipos). ``where(cond)`` = ``nonzero(cond, as_tuple=True)``; ``out=`` como PyTorch."""
    if out is not None:
        return write_out("where", out, _where(condition, input, other))
    return _where(condition, input, other)


def _where(condition, input=None, other=None):
    cond = condition._data if isinstance(condition, TensorBase) else np.asarray(condition)
    if input is None and other is None:  # un 0-D cuenta como de un elemento, como en PyTorch
        return tuple(TensorBase._wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(cond)))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where: la condición debe ser bool, no {cond.dtype}")
    return I.Where.apply(*promote(input, other), cond=cond)
