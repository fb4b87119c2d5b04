"""Incrustaciones de ``torch.nn.functional``: ``embedding`` (la búsqueda de filas ``weight[idx]``,
con ``padding_idx``, ``max_norm`` y ``scale_grad_by_freq``; el gradiente, en
``ops/indexing.Embedding``) y ``one_hot``."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ..._validate import integer
from ...ops import indexing as I
from ._utils import int_labels

__all__ = ["embedding", "one_hot"]


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Busca las filas ``weight[input]`` (la capa es ``nn.Embedding``). Derivada respecto de ``weight``:
    cada fila recibe la suma de los gradientes de sus apariciones (ninguno la fila ``padding_idx``).

    Args:
        input: índices enteros de cualquier forma (int64 o int32) en [0, filas).
        weight: la tabla ``(filas, dim)``.
        padding_idx: fila que no recibe gradiente (``None``).
        max_norm: si se da, las filas consultadas con norma mayor se reescalan in situ (``None``).
        norm_type: orden de la norma de ``max_norm`` (``2.0``).
        scale_grad_by_freq: divide el gradiente de cada fila por su frecuencia (``False``).
        sparse: se acepta, pero el gradiente de ``weight`` es siempre denso (``False``).

    Forma: ``input`` ``(*)``; salida ``(*, dim)``.

    Ejemplo:
        >>> F.embedding(torch.tensor([1, 0]), torch.tensor([[0., 1.], [2., 3.]]))
        tensor([[2., 3.],
                [0., 1.]])

    En PyTorch: ``torch.nn.functional.embedding``.
    """
    raw = input._data if isinstance(input, Tensor) else np.asarray(input)
    if raw.dtype.kind in "bu":
        raise RuntimeError(f"embedding: los índices deben ser long o int, no {raw.dtype} (como PyTorch)")
    idx = int_labels(input, "embedding")
    rows = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        bad = idx[(idx < 0) | (idx >= rows)][:5].tolist()
        raise IndexError(f"embedding: índices fuera de rango {bad}; la tabla tiene {rows} filas (0 a {rows - 1})")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    if max_norm is not None:  # renormaliza in situ (sin gradiente) las filas usadas, como PyTorch
        w = weight._data
        used = np.unique(idx)
        norms = np.linalg.norm(w[used], ord=norm_type, axis=1)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[used] *= scale[:, None].astype(w.dtype)
        weight._vc.value += 1
    return I.Embedding.apply(weight, idx=idx, padding_idx=padding_idx, scale=scale_grad_by_freq)


def one_hot(tensor, num_classes: int = -1, dtype=None) -> Tensor:
    """Codificación one-hot: ``(*)`` → ``(*, num_classes)``, con un 1 en la columna de cada índice; int64
    como en PyTorch (usa ``.float()`` para operar con ella).

    Args:
        tensor: índices int64 ≥ 0.
        num_classes: número de columnas (``-1``: el máximo + 1).
        dtype: (de tinygrad_es, no de PyTorch) dtype de la salida (``None``: int64).

    Ejemplo:
        >>> F.one_hot(torch.tensor([0, 2, 1]))
        tensor([[1, 0, 0],
                [0, 0, 1],
                [0, 1, 0]])

    En PyTorch: ``torch.nn.functional.one_hot``.
    """
    raw = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if raw.dtype.kind in "bu" or raw.dtype == np.int32:
        raise RuntimeError(f"one_hot: sólo vale para índices de tipo long (int64), no {raw.dtype} (como PyTorch)")
    integer(num_classes, "num_classes", "one_hot", low=-1, exc=RuntimeError)
    t = int_labels(tensor, "one_hot")
    if t.size and t.min() < 0:
        raise RuntimeError(f"one_hot: las clases deben ser no negativas; hay {int(t.min())} "
                         f"en la posición {int(np.argmin(t.reshape(-1)))}")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and t.max() >= num_classes:
        raise RuntimeError(f"one_hot: la clase {int(t.max())} no es menor que num_classes={num_classes} "
                         f"(las clases van de 0 a {num_classes - 1})")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64 if dtype is None else np.dtype(dtype))
    np.put_along_axis(out, t[..., None], 1, axis=-1)
    return Tensor._wrap(out)
