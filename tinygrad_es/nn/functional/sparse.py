"""Incrustaciones de ``torch.nn.functional``: ``embedding`` (la búsqueda de filas ``weight[idx]``,
con ``padding_idx``, ``max_norm`` y ``scale_grad_by_freq``; el gradiente, en
``ops/indexing.Embedding``) y ``one_hot``."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import cat, where
from ..._validate import integer
from ...ops import indexing as I
from ._utils import int_labels

__all__ = ["embedding", "embedding_bag", "one_hot"]


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


def _bags(idx, offsets, include_last_offset, op):
    """(índices planos, bolsa de cada uno o −1 si queda fuera, número de bolsas)."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{op}: con una entrada 2-D (cada fila es una bolsa) offsets debe ser None")
        b, n = idx.shape
        return idx.reshape(-1), np.repeat(np.arange(b), n), b
    if idx.ndim != 1:
        raise ValueError(f"{op}: la entrada debe ser 1-D (con offsets) o 2-D (una bolsa por fila), no {idx.ndim}-D")
    if offsets is None:
        raise ValueError(f"{op}: con una entrada 1-D hace falta offsets (el inicio de cada bolsa), 1-D")
    off = int_labels(offsets, op)
    if off.ndim != 1:
        raise ValueError(f"{op}: offsets debe ser 1-D, no de forma {tuple(off.shape)}")
    if off.size and off[0] != 0:
        raise RuntimeError(f"{op}: offsets[0] debe ser 0 (la primera bolsa empieza en 0), y es {int(off[0])}")
    if np.any(np.diff(off) < 0) or off.size and off[-1] > idx.size:
        raise RuntimeError(f"{op}: offsets debe ser creciente y no pasar de la longitud de la entrada ({idx.size})")
    end = idx.size
    if include_last_offset:
        off, end = off[:-1], (int(off[-1]) if off.size else 0)
    bag = np.searchsorted(off, np.arange(idx.size), side="right") - 1
    bag[np.arange(idx.size) >= end] = -1
    return idx, bag, off.size


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Suma, media o máximo de las filas de ``weight`` de cada bolsa de índices, sin construir la
    ``(bolsas, longitud, dim)`` intermedia que daría ``embedding`` (la capa es ``nn.EmbeddingBag``; la
    clasificación de textos como bolsas de palabras). Derivada respecto de ``weight``: cada fila recibe lo
    que llega a su bolsa, por su peso (``1``, ``1/tamaño`` de la bolsa o ``per_sample_weights``); con
    ``'max'``, sólo la fila que dio el máximo de cada coordenada.

    Args:
        input: índices 2-D ``(B, N)`` (cada fila, una bolsa) o 1-D con ``offsets``.
        weight: la tabla ``(filas, dim)``.
        offsets: 1-D, la posición donde empieza cada bolsa en ``input`` 1-D (``None`` con 2-D).
        max_norm, norm_type, scale_grad_by_freq, sparse: como en ``F.embedding``.
        mode: ``'sum'``, ``'mean'`` (por defecto) o ``'max'``.
        per_sample_weights: un peso por índice (la forma de ``input``), sólo con ``mode='sum'``.
        include_last_offset: si es ``True``, ``offsets`` trae al final el fin de la última bolsa.
        padding_idx: los índices iguales no cuentan (ni para la media) (``None``).

    Forma: salida ``(B, dim)``; una bolsa vacía da ceros.

    Ejemplo:
        >>> w = torch.tensor([[1., 1.], [2., 4.], [6., 0.]])
        >>> F.embedding_bag(torch.tensor([0, 1, 2, 2]), w, torch.tensor([0, 2]), mode="sum")
        tensor([[ 3.,  5.],
                [12.,  0.]])

    En PyTorch: ``torch.nn.functional.embedding_bag``.
    """
    op = "embedding_bag"
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{op}: mode debe ser 'sum', 'mean' o 'max', no {mode!r}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"{op}: per_sample_weights sólo se admite con mode='sum' (llegó mode={mode!r})")
    raw = int_labels(input, op)
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != raw.shape:
        raise ValueError(f"{op}: per_sample_weights debe tener la forma de la entrada {raw.shape}, no "
                         f"{tuple(per_sample_weights.shape)}")
    idx, bag, nbags = _bags(raw, offsets, include_last_offset, op)
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise ValueError(f"{op}: padding_idx={padding_idx} debe estar en [-{rows}, {rows})")
        padding_idx %= rows
    keep = (bag >= 0) & (idx != (-1 if padding_idx is None else padding_idx))
    rows_e = embedding(Tensor._wrap(idx[keep]), weight, None, max_norm, norm_type, scale_grad_by_freq)
    bag = bag[keep]
    dim = weight.shape[1]
    if mode == "max":
        sizes = np.bincount(bag, minlength=nbags)
        width = max(int(sizes.max()) if sizes.size else 0, 1)
        pos = np.full((nbags, width), bag.size)  # la fila extra (−∞) rellena las bolsas cortas
        order = np.argsort(bag, kind="stable")
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        pos[bag[order], np.arange(bag.size) - starts[bag[order]]] = order
        pad = Tensor._wrap(np.full((1, dim), -np.inf, dtype=weight._data.dtype))
        out = cat([rows_e, pad])[Tensor._wrap(pos)].amax(1)
        empty = Tensor._wrap((sizes == 0)[:, None])
        return where(empty, Tensor._wrap(np.zeros((), dtype=weight._data.dtype)), out)
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)[Tensor._wrap(np.flatnonzero(keep))]
        rows_e = rows_e * psw.unsqueeze(1)
    if mode == "mean":
        count = np.maximum(np.bincount(bag, minlength=nbags), 1).astype(weight._data.dtype)
        rows_e = rows_e / Tensor._wrap(count[bag][:, None])
    zeros = Tensor._wrap(np.zeros((nbags, dim), dtype=weight._data.dtype))
    return zeros.index_add(0, Tensor._wrap(bag), rows_e)
