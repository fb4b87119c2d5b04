"""Cómo se obtiene un lote del conjunto (lo comparten el proceso principal y los workers)."""
from __future__ import annotations

import itertools

import numpy as np

from . import _compat
from ._collate import default_collate
from .dataset import Subset, TensorDataset


def _tensor_source(dataset):
    """Si ``dataset`` es un ``TensorDataset`` (o subconjuntos de uno), sus arrays y una función
    que traduce índices; si no, ``None``."""
    maps = []
    while type(dataset) is Subset:
        maps.append(dataset.indices)
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or any(getattr(t, "requires_grad", False) for t in dataset.tensors):
        return None
    arrays = [_compat.to_array(t) for t in dataset.tensors]

    def translate(idx):
        for m in maps:
            m = np.asarray(m) if not isinstance(m, np.ndarray) else m
            idx = m[idx]
        return idx
    return arrays, translate


class MapFetcher:
    """Lotes de un conjunto de estilo mapa. ``current`` guarda el índice en curso para que un
    error pueda decir qué muestra falló."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.current = None
        # atajo: un TensorDataset con default_collate se indexa de una vez (mismo resultado que
        # apilar las muestras una a una, sin crear un tensor por muestra)
        self.fast = _tensor_source(dataset) if auto_collation and collate_fn is default_collate else None

    def fetch(self, index):
        if not self.auto_collation:
            self.current = index
            return self.collate_fn(self.dataset[index])
        if self.fast is not None and index:
            arrays, translate = self.fast
            try:
                rows = translate(np.asarray(index, dtype=np.int64))
                if rows.min() >= -len(arrays[0]) and rows.max() < len(arrays[0]):
                    return [_compat.from_array(a[rows]) for a in arrays]
            except (IndexError, ValueError, TypeError):
                pass  # el camino normal dará el error de la muestra concreta
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            self.current = list(index)
            data = getitems(list(index))
        else:
            data = []
            for i in index:
                self.current = i
                data.append(self.dataset[i])
        self.current = None
        return self.collate_fn(data)


class IterFetcher:
    """Lotes de un ``IterableDataset``: toma ``batch_size`` muestras seguidas de su iterador."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last, batch_size=None):
        self.it = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.batch_size = batch_size
        self.ended = False
        self.current = None

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = list(itertools.islice(self.it, self.batch_size))
            if not data or (self.drop_last and len(data) < self.batch_size):
                self.ended = True
                raise StopIteration
            if len(data) < self.batch_size:
                self.ended = True
        else:
            data = next(self.it)
        return self.collate_fn(data)
