"""Apilar y partir por ejes "con nombre", como numpy y PyTorch: ``atleast_1d/2d/3d``, ``hstack``,
``vstack`` (``row_stack``), ``dstack``, ``column_stack``, ``hsplit``/``vsplit``/``dsplit``,
``block_diag`` y ``cartesian_prod``.

Todo se escribe con ``reshape``, ``cat``, ``stack`` y ``tensor_split``, así que el gradiente es el
de esas piezas (un trozo del gradiente de salida vuelve a cada entrada).
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ._args import as_operand
from .joins import cat, stack

__all__ = ["StackingMixin", "atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack",
           "column_stack", "hsplit", "vsplit", "dsplit", "block_diag", "cartesian_prod"]


def _tensors(tensors, op):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, TensorBase):
            raise TypeError(f"{op}() espera tensores, no {type(t).__name__}")
    return tensors


def _atleast(n, tensors, op):
    single = len(tensors) == 1 and isinstance(tensors[0], TensorBase)
    out = []
    for t in _tensors(tensors, op):
        if t.ndim >= n:
            out.append(t)
        elif n == 1 or t.ndim == 0:
            out.append(t.reshape(*([1] * n)))
        elif n == 2:  # (k,) → (1, k)
            out.append(t.unsqueeze(0))
        else:  # 3-D: (k,) → (1, k, 1); (m, k) → (m, k, 1)
            out.append(t.reshape(1, t.shape[0], 1) if t.ndim == 1 else t.unsqueeze(-1))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """Cada tensor con al menos 1 eje (un 0-D pasa a forma (1,)). Un tensor → un tensor; varios
    (o una lista) → una tupla. En PyTorch: ``torch.atleast_1d``."""
    return _atleast(1, tensors, "atleast_1d")


def atleast_2d(*tensors):
    """Al menos 2 ejes: (k,) → (1, k). En PyTorch: ``torch.atleast_2d``."""
    return _atleast(2, tensors, "atleast_2d")


def atleast_3d(*tensors):
    """Al menos 3 ejes: (k,) → (1, k, 1), (m, k) → (m, k, 1). En PyTorch: ``torch.atleast_3d``."""
    return _atleast(3, tensors, "atleast_3d")


def hstack(tensors, *, out=None):
    """Concatena en horizontal: por el eje 0 si son 1-D, por el 1 si no. Ejemplo:
    ``hstack([tensor([1, 2]), tensor([3])])`` → ``[1, 2, 3]``. En PyTorch: ``torch.hstack``."""
    ts = atleast_1d(*_tensors((tensors,), "hstack"))
    ts = ts if isinstance(ts, tuple) else (ts,)
    return cat(ts, 0 if ts[0].ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatena en vertical (eje 0) tras ``atleast_2d``: dos (3,) dan (2, 3). En PyTorch:
    ``torch.vstack`` (``row_stack``)."""
    ts = atleast_2d(*_tensors((tensors,), "vstack"))
    return cat(ts if isinstance(ts, tuple) else (ts,), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatena en profundidad (eje 2) tras ``atleast_3d``. En PyTorch: ``torch.dstack``."""
    ts = atleast_3d(*_tensors((tensors,), "dstack"))
    return cat(ts if isinstance(ts, tuple) else (ts,), 2, out=out)


def column_stack(tensors, *, out=None):
    """Cada 0-D o 1-D como una columna (k, 1) y todo concatenado por el eje 1. En PyTorch:
    ``torch.column_stack``."""
    ts = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _tensors((tensors,), "column_stack")]
    return cat(ts, 1, out=out)


def _split(name, t, sections, dim, min_ndim):
    if t.ndim < min_ndim:
        raise RuntimeError(f"torch.{name} necesita un tensor de al menos {min_ndim} ejes, y tiene "
                           f"{t.ndim} (forma {tuple(t.shape)})")
    if isinstance(sections, (numbers.Integral, np.integer)) and not isinstance(sections, bool):
        n = t.shape[dim]
        if sections == 0 or n % sections:
            raise RuntimeError(f"torch.{name} intentó partir el eje {dim}, pero su tamaño {n} no es divisible "
                               f"por {sections}")
    return t.tensor_split(sections, dim)


def hsplit(input, indices_or_sections):
    """Parte en horizontal (eje 1; eje 0 si es 1-D) en trozos iguales o por los índices dados.
    En PyTorch: ``torch.hsplit``."""
    return _split("hsplit", input, indices_or_sections, 0 if input.ndim == 1 else 1, 1)


def vsplit(input, indices_or_sections):
    """Parte en vertical (eje 0; al menos 2-D). En PyTorch: ``torch.vsplit``."""
    return _split("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """Parte en profundidad (eje 2; al menos 3-D). En PyTorch: ``torch.dsplit``."""
    return _split("dsplit", input, indices_or_sections, 2, 3)


def block_diag(*tensors):
    """Matriz diagonal por bloques: cada entrada (0-D, 1-D como fila, o 2-D) en la diagonal y ceros
    fuera. Ejemplo: ``block_diag(tensor([[1, 2]]), tensor([[3], [4]]))`` es 3×3. En PyTorch:
    ``torch.block_diag``."""
    ts = [t.reshape(1, -1) if t.ndim <= 1 else t for t in _tensors(tensors, "block_diag")]
    for t in ts:
        if t.ndim != 2:
            raise RuntimeError(f"block_diag: cada entrada debe tener 0, 1 o 2 ejes, no forma {tuple(t.shape)}")
    if not ts:
        return TensorBase._wrap(np.zeros((1, 0), dtype=D.get_default_dtype().np))
    npd = D.result_type(*ts)
    ts = [as_operand(t, npd) for t in ts]
    width = sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        h, w = t.shape
        parts = [TensorBase._wrap(np.zeros((h, left), npd)), t,
                 TensorBase._wrap(np.zeros((h, width - left - w), npd))]
        rows.append(cat(parts, 1))
        left += w
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """Producto cartesiano de vectores 1-D: (N₁·N₂·…, k) con todas las combinaciones (como
    ``itertools.product``). Con un solo tensor, el mismo. En PyTorch: ``torch.cartesian_prod``."""
    ts = _tensors(tensors, "cartesian_prod")
    for t in ts:
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod: las entradas deben ser 1-D, no de forma {tuple(t.shape)}")
    if len(ts) == 1:
        return ts[0]
    sizes = [t.shape[0] for t in ts]
    cols = []
    for i, t in enumerate(ts):  # la rejilla "ij" de meshgrid, columna a columna
        shape = [1] * len(ts)
        shape[i] = sizes[i]
        cols.append(t.reshape(*shape).expand(*sizes).reshape(-1))
    npd = D.result_type(*ts)
    return stack([as_operand(c, npd) for c in cols], 1)


class StackingMixin:
    __slots__ = ()

    def hsplit(self, indices_or_sections):
        """Véase ``tinygrad_es.hsplit``."""
        return hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections):
        """Véase ``tinygrad_es.vsplit``."""
        return vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections):
        """Véase ``tinygrad_es.dsplit``."""
        return dsplit(self, indices_or_sections)


def _chunk_cat(tensors, dim, num_chunks, *, out=None):
    """``torch._chunk_cat``: parte cada tensor en ``num_chunks`` trozos iguales por ``dim`` (rellenando con
    ceros al final hasta un múltiplo), aplana cada trozo y concatena los de todos: salida
    ``(*forma[:dim], num_chunks, Σ elementos por trozo)``. Derivada: la de ``cat`` y ``reshape`` (el
    relleno no recibe nada).

    Args:
        tensors: lista no vacía de tensores no vacíos del mismo dtype, con los mismos tamaños en los ejes
            anteriores a ``dim``.
        dim: el eje que se parte (negativo sólo si todos tienen las mismas dimensiones).
        num_chunks: cuántos trozos (≥ 1).
        out: tensor donde escribir el resultado (opcional).

    Ejemplo:
        >>> torch._chunk_cat([torch.arange(3.), torch.arange(2.)], 0, 2)
        tensor([[0., 1., 0.],
                [2., 0., 1.]])

    En PyTorch: ``torch._chunk_cat``.
    """
    op = "_chunk_cat"
    tensors = list(_tensors((tensors,), op))
    if isinstance(num_chunks, bool) or not isinstance(num_chunks, numbers.Integral) or num_chunks < 1:
        raise RuntimeError(f"{op}: num_chunks debe ser un entero positivo, no {num_chunks!r}")
    if not tensors:
        raise RuntimeError(f"{op}: la lista de tensores está vacía")
    for t in tensors:
        if t.numel() == 0:
            raise RuntimeError(f"{op}: los tensores no pueden estar vacíos (uno tiene forma {tuple(t.shape)})")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"{op}: todos los tensores deben tener el mismo dtype ({tensors[0].dtype} y {t.dtype})")
    ndims = {t.ndim for t in tensors}
    if len(ndims) == 1:
        nd = ndims.pop()
        if not -nd <= dim < nd:
            raise IndexError(f"{op}: dim {dim} fuera de rango para tensores de {nd} dimensiones")
        dim %= nd
    elif dim < 0:
        raise RuntimeError(f"{op}: con tensores de distintas dimensiones, dim no puede ser negativo ({dim})")
    elif dim >= min(ndims):
        raise RuntimeError(f"{op}: dim ({dim}) debe ser menor que las dimensiones de todos los tensores "
                           f"(hay uno de {min(ndims)})")
    lead = tuple(tensors[0].shape[:dim])
    if any(tuple(t.shape[:dim]) != lead for t in tensors):
        raise RuntimeError(f"{op}: los ejes 0…{dim - 1} deben medir lo mismo en todos los tensores: "
                           f"{[tuple(t.shape) for t in tensors]}")
    pieces = []
    for t in tensors:
        extra = -t.shape[dim] % num_chunks
        if extra:
            t = cat([t, t.new_zeros(tuple(t.shape[:dim]) + (extra,) + tuple(t.shape[dim + 1:]))], dim)
        pieces.append(t.reshape(*lead, num_chunks, -1))
    return cat(pieces, dim + 1, out=out)
