"""La máscara de ``torch.masked``: cómo se lee (``input_mask``), qué valor ocupa el sitio de un elemento
enmascarado en cada operación (``reduction_identity``) y los ejes (``canonical_dim``).

Todas las operaciones enmascaradas son la operación de siempre sobre ``where(mask, input, identidad)``:
la identidad de la reducción (0 en la suma, 1 en el producto, −∞ en el máximo...) no cambia el
resultado, así que un elemento enmascarado cuenta como si no estuviera. Su derivada es la de
``where``: 1 en los elementos válidos y 0 en los enmascarados (el gradiente no llega a lo que la
máscara tapa). Es la misma regla de PyTorch (``torch/masked/_ops.py``), para tensores densos.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .._tensor.joins import where
from .._tensor.tensor import Tensor

__all__ = ["canonical_dim", "input_mask", "reduction_identity", "combine_input_and_mask", "check_input"]


def check_input(input, op):
    """``input`` tiene que ser un Tensor (como en PyTorch, que falla al leer ``input.layout``)."""
    if not isinstance(input, Tensor):
        raise AttributeError(f"torch.masked.{op}: la entrada tiene que ser un Tensor, y es {type(input).__name__}")
    return input


def canonical_dim(dim, ndim: int) -> tuple:
    """``dim`` como tupla ordenada de ejes positivos. ``None`` y ``()`` son todos los ejes; un 0-D
    admite ``0`` y ``-1``. Un eje repetido es ``RuntimeError`` y uno fuera de rango ``IndexError``."""
    if dim == () or dim is None:
        return tuple(range(ndim))
    ndim = max(ndim, 1)
    dims = (dim,) if isinstance(dim, (numbers.Integral, np.integer)) and not isinstance(dim, bool) else dim
    out = []
    for d in dims:
        if not isinstance(d, (numbers.Integral, np.integer)) or isinstance(d, bool):
            raise TypeError(f"torch.masked: los ejes tienen que ser enteros, y dim={dim!r}")
        if d >= ndim or d < -ndim:
            raise IndexError(f"eje fuera de rango: se esperaba uno en [{-ndim}, {ndim - 1}] y es {d}")
        if int(d) % ndim in out:
            raise RuntimeError(f"torch.masked: el eje {d} aparece más de una vez en dim={dim!r}")
        out.append(int(d) % ndim)
    return tuple(sorted(out))


def input_mask(input, mask):
    """La máscara canónica: bool y con la forma de ``input`` (``mask`` se extiende por broadcasting;
    no puede tener más dimensiones que ``input``)."""
    if mask is None:
        raise ValueError("torch.masked: falta la máscara (mask=)")
    if not isinstance(mask, Tensor):
        raise AttributeError(f"torch.masked: mask tiene que ser un Tensor bool, y es {type(mask).__name__}")
    if mask.shape != input.shape:
        if mask.ndim > input.ndim:
            raise IndexError(f"torch.masked: la máscara tiene más dimensiones ({mask.ndim}, forma "
                             f"{tuple(mask.shape)}) que la entrada ({input.ndim}, forma {tuple(input.shape)})")
        try:
            b = np.broadcast_to(mask._data, input.shape)
        except ValueError:
            raise RuntimeError(f"torch.masked: la máscara de forma {tuple(mask.shape)} no se puede extender a la "
                               f"forma de la entrada {tuple(input.shape)}") from None
        return Tensor._wrap(b.astype(np.bool_))
    return Tensor._wrap(mask._data.astype(np.bool_, copy=False))


def reduction_identity(op, input, *args):
    """El valor neutro de la operación ``op`` (Tensor 0-D del dtype de ``input``) o ``None`` si no hay
    uno solo (``mean``, ``var``, ``std``): 0 en ``sum``/``cumsum``/``norm``, 1 en ``prod``/``cumprod``,
    −∞ (o el mínimo entero) en ``amax``/``argmax``/``logsumexp``/``logaddexp``, +∞ (o el máximo) en
    ``amin``/``argmin``, +∞ en ``norm`` con ``ord=-inf`` y ``nan`` en ``median`` (que usa ``nanmedian``)."""
    npd = input._data.dtype
    kind = npd.kind

    def const(v, dt=npd):
        return Tensor._wrap(np.array(v, dtype=dt))

    if op in ("sum", "cumsum"):
        return const(0)
    if op in ("prod", "cumprod"):
        return const(1)
    if op in ("amax", "argmax", "logaddexp", "logsumexp"):
        if kind in "fc":
            return const(-np.inf)
        if kind in "iu":
            return const(np.iinfo(npd).min)
        return None
    if op in ("amin", "argmin"):
        if kind == "f":
            return const(np.inf)
        if kind in "iu":
            return const(np.iinfo(npd).max)
        return None
    if op == "norm":
        ord = args[0] if args else 2
        if ord == float("-inf"):
            if kind != "f":
                raise AssertionError(f"torch.masked.norm con ord=-inf necesita coma flotante, y la entrada es "
                                     f"{input.dtype}")
            return const(np.inf)
        return const(0)
    if op == "median":
        return const(np.nan, npd if kind == "f" else D.np_dtype(D.float32))
    if op in ("mean", "var", "std"):
        return None
    raise NotImplementedError(f"torch.masked: {op} no tiene valor neutro para {input.dtype}")


def combine_input_and_mask(op, input, mask, *args):
    """``where(mask, input, identidad de op)``: la entrada con los elementos enmascarados cambiados por el
    valor neutro de ``op``; ``mask=None`` deja la entrada tal cual. Derivada: 1 donde ``mask``, 0 donde no."""
    if mask is None:
        return input
    fill = reduction_identity(op, input, *args)
    if fill is None:
        raise TypeError(f"torch.masked.{op}: no hay valor neutro para una entrada {input.dtype}")
    return where(input_mask(input, mask), input, fill)
