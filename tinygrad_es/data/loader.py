"""El cargador del curso: conjuntos en memoria (``TensorDataset``, ``Subset``), ``DataLoader``,
particiones (``random_split``) y K-fold. La normalización y los aumentos están en ``augment.py``."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..utils import data as _ud

__all__ = ["TensorDataset", "Subset", "DataLoader", "random_split", "kfold"]


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


class TensorDataset(_ud.Dataset):
    """Agrupa arrays con la misma primera dimensión: ``ds[i] -> (x_i, y_i)``.

    A diferencia de ``utils.data.TensorDataset`` (el de PyTorch), guarda arrays de numpy, acepta
    un array de índices (un lote entero de una vez) y con un solo array devuelve el elemento
    sin tupla."""

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset necesita al menos un array")
        self.arrays = [_arr(a) for a in arrays]
        for i, a in enumerate(self.arrays):
            if a.dtype.kind not in "biufc":
                raise TypeError(f"TensorDataset: el array {i + 1} no es numérico (dtype {a.dtype}, p. ej. "
                                f"{a.reshape(-1)[:3].tolist()}); las etiquetas de texto se convierten en índices "
                                f"con clases, y = np.unique(y, return_inverse=True)")
        n = len(self.arrays[0])
        for a in self.arrays[1:]:
            if len(a) != n:
                raise ValueError(f"TensorDataset: los arrays tienen longitudes distintas "
                                 f"({[len(x) for x in self.arrays]})")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, idx):
        out = tuple(a[idx] for a in self.arrays)
        return out if len(out) > 1 else out[0]


class Subset(_ud.Subset):
    """``utils.data.Subset`` con los índices en un array de numpy (admite lotes de índices)."""

    def __init__(self, dataset, indices):
        super().__init__(dataset, np.asarray(indices, dtype=np.int64))


class DataLoader:
    """Itera por lotes ``(x, y)`` como Tensores. ``shuffle`` baraja en cada época con su
    propio generador (``seed`` lo hace reproducible); ``drop_last`` descarta el lote
    incompleto; ``transform(x_lote, rng)`` aplica aumentos al lote de entrada.

    Usa los muestreadores de ``utils.data`` (``SubsetRandomSampler`` + ``BatchSampler``) y pide
    cada lote al conjunto de una vez (``dataset[array_de_índices]``). Para el ``DataLoader`` de
    PyTorch (``num_workers``, ``collate_fn``...) usa ``tinygrad_es.utils.data.DataLoader``."""

    def __init__(self, dataset, batch_size: int = 32, shuffle: bool = False, drop_last: bool = False,
                 seed=None, transform=None):
        if batch_size < 1:
            raise ValueError(f"batch_size debe ser ≥ 1, no {batch_size}")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.rng = np.random.default_rng(seed)
        self.transform = transform

    def _batches(self):
        n = len(self.dataset)
        order = (_ud.SubsetRandomSampler(range(n), generator=self.rng) if self.shuffle
                 else _ud.SequentialSampler(range(n)))
        return _ud.BatchSampler(order, self.batch_size, self.drop_last)

    def __len__(self):
        return len(self._batches())

    def __iter__(self):
        for idx in self._batches():
            batch = self.dataset[np.asarray(idx, dtype=np.int64)]
            if not isinstance(batch, tuple):
                batch = (batch,)
            arrays = list(batch)
            if self.transform is not None:
                arrays[0] = self.transform(arrays[0], self.rng)
            out = tuple(Tensor(a) if np.issubdtype(np.asarray(a).dtype, np.floating) else
                        Tensor._wrap(np.asarray(a), False) for a in arrays)
            yield out if len(out) > 1 else out[0]


def random_split(dataset, lengths, seed=None):
    """Partición aleatoria en trozos de las longitudes dadas; también fracciones
    (``[0.8, 0.2]``, el 80/20 de los apuntes)."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-6:
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(x) for x in lengths]
    if sum(sizes) != n:
        raise ValueError(f"random_split: las longitudes {sizes} suman {sum(sizes)} y el conjunto tiene {n}")
    perm = np.random.default_rng(seed).permutation(n)
    out, start = [], 0
    for s in sizes:
        out.append(Subset(dataset, perm[start:start + s]))
        start += s
    return out


def kfold(n: int, k: int = 5, shuffle: bool = True, seed=None):
    """Índices ``(train_idx, val_idx)`` de validación cruzada en K bloques: cada muestra
    está en validación exactamente una vez."""
    if not 2 <= k <= n:
        raise ValueError(f"kfold: k debe estar entre 2 y n={n}, no {k}")
    idx = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    folds = np.array_split(idx, k)
    for i in range(k):
        val = folds[i]
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        yield train, val
