"""Conjuntos de datos como en ``torch.utils.data``: ``Dataset``, ``TensorDataset``, ``Subset``...

Un ``Dataset`` de estilo mapa define ``__getitem__(i)`` y ``__len__``; uno iterable
(``IterableDataset``) define ``__iter__``. El ``DataLoader`` los recorre por lotes.
"""
from __future__ import annotations

import bisect
import itertools
import math
import numbers
import warnings

import numpy as np

from . import _compat

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
           "Subset", "random_split"]


class Dataset:
    """Base de los conjuntos de estilo mapa: una subclase define ``__getitem__(i)`` (la muestra i, p. ej.
    ``(imagen, etiqueta)``) y ``__len__`` (cuántas hay); el ``DataLoader`` pide los índices y junta las
    muestras en lotes. ``ds1 + ds2`` es un ``ConcatDataset``.

    Ejemplo (un conjunto propio):
        >>> class Cuadrados(data.Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i * i
        >>> [b.tolist() for b in data.DataLoader(Cuadrados(), batch_size=2)]
        [[0, 1], [4, 9]]

    En PyTorch: ``torch.utils.data.Dataset``.
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} debe definir __getitem__(índice)")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base de los conjuntos que se recorren como un flujo (ficheros enormes, datos generados): una
    subclase define ``__iter__``. El ``DataLoader`` no baraja ni usa muestreadores con ellos.

    Con ``num_workers > 0`` cada proceso recorre su propia copia; reparte el trabajo con
    ``torch.utils.data.get_worker_info()`` si no quieres muestras repetidas. ``it1 + it2`` es un
    ``ChainDataset``.

    Ejemplo:
        >>> class Cuenta(data.IterableDataset):
        ...     def __iter__(self):
        ...         return iter(range(5))
        >>> [b.tolist() for b in data.DataLoader(Cuenta(), batch_size=2)]
        [[0, 1], [2, 3], [4]]

    En PyTorch: ``torch.utils.data.IterableDataset``.
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} debe definir __iter__()")

    def __add__(self, other):
        return ChainDataset([self, other])


def _first_dim(t):
    shape = getattr(t, "shape", None)
    if shape is None or len(shape) == 0:
        raise ValueError(f"TensorDataset necesita tensores con al menos una dimensión (la de las muestras); "
                         f"se recibió {type(t).__name__} con forma {tuple(shape) if shape is not None else None}")
    return shape[0]


def _from_array(a, i):
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"TensorDataset: el array {i + 1} no es numérico (dtype {a.dtype}, p. ej. "
                        f"{a.reshape(-1)[:3].tolist()}); las etiquetas de texto se convierten en índices con "
                        f"clases, y = np.unique(y, return_inverse=True)")
    return _compat.from_array(a)


class TensorDataset(Dataset):
    """Agrupa tensores con la misma primera dimensión (la de las muestras): ``ds[i] == (t1[i], t2[i], ...)``.
    Cada muestra es una tupla, también con un solo tensor (``(x_i,)``), como en PyTorch. Los arrays de
    numpy se convierten en tensores (sin copiar).

    Args:
        tensors: los tensores (p. ej. ``X`` ``(N, D)`` e ``y`` ``(N,)``).

    Ejemplo:
        >>> X, y = torch.arange(10.).reshape(5, 2), torch.tensor([0, 1, 0, 1, 1])
        >>> ds = data.TensorDataset(X, y)
        >>> len(ds), ds[1]
        (5, (tensor([2., 3.]), tensor(1)))

    En PyTorch: ``torch.utils.data.TensorDataset``.
    """

    def __init__(self, *tensors):
        """Véase el docstring de la clase."""
        if not tensors:
            raise ValueError("TensorDataset necesita al menos un tensor")
        tensors = tuple(t if _compat.is_tensor(t) else _from_array(t, i) for i, t in enumerate(tensors))
        sizes = [_first_dim(t) for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise ValueError(f"TensorDataset: los tensores no tienen el mismo tamaño en la dimensión 0: {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return _first_dim(self.tensors[0])


class StackDataset(Dataset):
    """Junta varios conjuntos de la misma longitud muestra a muestra: ``ds[i] == (a[i], b[i])`` con
    posicionales, o ``{'a': a[i], ...}`` con nombres.

    Args:
        args: los conjuntos, posicionales.
        kwargs: o con nombre (no ambos a la vez).

    Ejemplo:
        >>> ds = data.StackDataset(x=torch.tensor([[0., 1.], [2., 3.]]), y=torch.tensor([0, 1]))
        >>> ds[0]
        {'x': tensor([0., 1.]), 'y': tensor(0)}

    En PyTorch: ``torch.utils.data.StackDataset``.
    """

    def __init__(self, *args, **kwargs):
        """Véase el docstring de la clase."""
        if args and kwargs:
            raise ValueError("StackDataset: pasa los conjuntos como posicionales o con nombre, no ambos")
        self.datasets = args or kwargs
        items = self.datasets.values() if kwargs else self.datasets
        lengths = [len(d) for d in items]
        if not lengths:
            raise ValueError("StackDataset necesita al menos un conjunto")
        if any(n != lengths[0] for n in lengths):
            raise ValueError(f"StackDataset: los conjuntos tienen longitudes distintas: {lengths}")
        self._length = lengths[0]

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """Concatena conjuntos de estilo mapa: los índices siguen de uno al siguiente (``cumulative_sizes``
    guarda las longitudes acumuladas).

    Args:
        datasets: iterable de conjuntos de estilo mapa (no ``IterableDataset``: para esos,
            ``ChainDataset``).

    Ejemplo:
        >>> ds = data.TensorDataset(torch.arange(3))
        >>> todo = data.ConcatDataset([ds, ds])
        >>> len(todo), todo[4]
        (6, (tensor(1),))

    En PyTorch: ``torch.utils.data.ConcatDataset``.
    """

    def __init__(self, datasets):
        """Véase el docstring de la clase."""
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: la lista de conjuntos está vacía")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset no admite IterableDataset (usa ChainDataset)")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        idx = int(idx)
        if idx < 0:
            if -idx > len(self):
                raise ValueError(f"ConcatDataset: el índice {idx} supera la longitud {len(self)}")
            idx = len(self) + idx
        if idx >= len(self):
            raise IndexError(f"ConcatDataset: índice {idx} fuera de rango (longitud {len(self)})")
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        return self.datasets[k][idx - (self.cumulative_sizes[k - 1] if k else 0)]


class ChainDataset(IterableDataset):
    """Encadena conjuntos iterables: recorre uno tras otro (sin copiarlos).

    Args:
        datasets: iterable de ``IterableDataset``.

    Ejemplo:
        >>> class Cuenta(data.IterableDataset):
        ...     def __iter__(self):
        ...         return iter(range(3))
        >>> list(data.ChainDataset([Cuenta(), Cuenta()]))
        [0, 1, 2, 0, 1, 2]

    En PyTorch: ``torch.utils.data.ChainDataset``.
    """

    def __init__(self, datasets):
        """Véase el docstring de la clase."""
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset sólo admite IterableDataset, no {type(d).__name__}")
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


class Subset(Dataset):
    """Las muestras de ``dataset`` en las posiciones ``indices`` (una partición, sin copiar los datos):
    ``sub[i] == dataset[indices[i]]``.

    Args:
        dataset: el conjunto completo.
        indices: secuencia de índices de ``dataset``.

    Ejemplo:
        >>> ds = data.TensorDataset(torch.tensor([10, 20, 30]))
        >>> sub = data.Subset(ds, [0, 2])
        >>> len(sub), sub[1]
        (2, (tensor(30),))

    En PyTorch: ``torch.utils.data.Subset``.
    """

    def __init__(self, dataset, indices):
        """Véase el docstring de la clase."""
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Partición aleatoria sin solapamiento en ``Subset`` de longitudes ``lengths``: enteros que suman
    ``len(dataset)``, o fracciones que suman 1 (``[0.8, 0.2]``; lo que sobra del redondeo se reparte de
    uno en uno, como PyTorch).

    Args:
        dataset: el conjunto.
        lengths: longitudes (enteros) o fracciones de cada trozo.
        generator: ``torch.Generator`` para reproducir la partición (``None``: el generador global).
            La permutación sale del generador de tinygrad_es: con la misma semilla, los trozos no son
            los mismos índices que en PyTorch.

    Ejemplo (entrenamiento y validación):
        >>> ds = data.TensorDataset(torch.arange(10))
        >>> train, val = data.random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(42))
        >>> len(train), len(val)
        (8, 2)

    En PyTorch: ``torch.utils.data.random_split``.
    """
    lengths = list(lengths)
    n = len(dataset)
    if lengths and math.isclose(sum(lengths), 1) and sum(lengths) <= 1 and all(
            isinstance(f, numbers.Real) and not isinstance(f, bool) and 0 <= f <= 1 for f in lengths):
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):  # el resto, uno a uno en turno rotatorio
            sizes[i % len(sizes)] += 1
        for i, s in enumerate(sizes):
            if s == 0:
                warnings.warn(f"random_split: la longitud del trozo {i} es 0", stacklevel=2)
        lengths = sizes
    for x in lengths:
        if not isinstance(x, numbers.Integral) or isinstance(x, bool) or x < 0:
            raise ValueError(f"random_split: las longitudes deben ser enteros ≥ 0 o fracciones que sumen 1, "
                             f"no {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: las longitudes {lengths} suman {sum(lengths)} y el conjunto tiene {n} "
                         f"muestras")
    perm = _compat.rng(generator).permutation(n).tolist()
    out, start = [], 0
    for s in lengths:
        out.append(Subset(dataset, perm[start:start + int(s)]))
        start += int(s)
    return out
