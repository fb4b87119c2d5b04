"""Muestreadores: en qué orden (y cuántas veces) recorre el ``DataLoader`` los índices."""
from __future__ import annotations

import numbers

import numpy as np

from . import _compat

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} debe ser un entero positivo, no {name}={value!r}")
    return int(value)


def _boolean(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"{name} debe ser True o False, no {name}={value!r}")
    return value


class Sampler:
    """Base de los muestreadores: una subclase define ``__iter__`` (los índices, en el orden en que el
    ``DataLoader`` los pedirá) y, si se puede, ``__len__``.

    Args:
        data_source: sin uso (``None``; se acepta, como en PyTorch).

    Ejemplo (los índices pares):
        >>> class Pares(data.Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(0, self.n, 2))
        >>> list(Pares(5))
        [0, 2, 4]

    En PyTorch: ``torch.utils.data.Sampler``.
    """

    def __init__(self, data_source=None):
        """Véase el docstring de la clase."""
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} debe definir __iter__()")


class SequentialSampler(Sampler):
    """Los índices ``0, 1, 2, ...`` en orden (el de ``DataLoader(shuffle=False)``).

    Args:
        data_source: el conjunto (sólo se usa su longitud).

    Ejemplo:
        >>> list(data.SequentialSampler(range(4)))
        [0, 1, 2, 3]

    En PyTorch: ``torch.utils.data.SequentialSampler``.
    """

    def __init__(self, data_source):
        """Véase el docstring de la clase."""
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Índices en orden aleatorio, una permutación nueva en cada época (el de ``DataLoader(shuffle=True)``).
    El orden sale del generador de tinygrad_es: con la misma semilla es reproducible, pero no es el
    mismo orden que en PyTorch.

    Args:
        data_source: el conjunto (sólo se usa su longitud).
        replacement: sortear con reemplazo (``False``).
        num_samples: cuántos índices por época (``None``: ``len(data_source)``).
        generator: ``torch.Generator`` para reproducir el orden (``None``: el global).

    Ejemplo:
        >>> sorted(data.RandomSampler(range(4)))
        [0, 1, 2, 3]
        >>> len(data.RandomSampler(range(4), replacement=True, num_samples=7))
        7

    En PyTorch: ``torch.utils.data.RandomSampler``.
    """

    def __init__(self, data_source, replacement: bool = False, num_samples=None, generator=None):
        """Véase el docstring de la clase."""
        self.data_source = data_source
        self.replacement = _boolean(replacement, "replacement")
        self._num_samples = num_samples
        self.generator = generator
        _positive_int(self.num_samples, "num_samples")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, k = len(self.data_source), self.num_samples
        r = _compat.fresh_rng(self.generator)
        if self.replacement:
            yield from r.integers(0, n, size=k).tolist()
            return
        for _ in range(k // n):
            yield from r.permutation(n).tolist()
        yield from r.permutation(n)[:k % n].tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """Los elementos de ``indices`` en orden aleatorio, sin reemplazo (p. ej. la parte de entrenamiento de
    un conjunto).

    Args:
        indices: secuencia de índices.
        generator: ``torch.Generator`` para reproducir el orden (``None``: el global).

    Ejemplo:
        >>> sorted(data.SubsetRandomSampler([3, 7, 9]))
        [3, 7, 9]

    En PyTorch: ``torch.utils.data.SubsetRandomSampler``.
    """

    def __init__(self, indices, generator=None):
        """Véase el docstring de la clase."""
        self.indices, self.generator = indices, generator

    def __iter__(self):
        for i in _compat.rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Índices ``0..len(weights)-1`` sorteados con probabilidad proporcional a ``weights`` (para
    equilibrar clases: peso de cada muestra = 1/frecuencia de su clase).

    Args:
        weights: pesos ≥ 0, uno por muestra (no tienen que sumar 1).
        num_samples: cuántos índices por época.
        replacement: con reemplazo (``True``); sin él, ``num_samples`` no puede superar los pesos no nulos.
        generator: ``torch.Generator`` para reproducir el sorteo (``None``: el global).

    Ejemplo:
        >>> list(data.WeightedRandomSampler([0., 1., 0.], num_samples=3))
        [1, 1, 1]

    En PyTorch: ``torch.utils.data.WeightedRandomSampler``.
    """

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        """Véase el docstring de la clase."""
        self.num_samples = _positive_int(num_samples, "num_samples")
        self.replacement = _boolean(replacement, "replacement")
        w = _compat.to_array(weights) if _compat.is_tensor(weights) else np.asarray(weights)
        w = np.asarray(w, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights debe ser una secuencia 1-D, no de forma {tuple(w.shape)}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("weights debe tener valores finitos, no negativos y con suma positiva")
        if not replacement and np.count_nonzero(w) < self.num_samples:
            raise ValueError(f"WeightedRandomSampler sin reemplazo: sólo {np.count_nonzero(w)} pesos no nulos "
                             f"para {self.num_samples} muestras")
        self.weights, self.generator = w, generator

    def __iter__(self):
        r = _compat.rng(self.generator)
        p = self.weights / self.weights.sum()
        yield from r.choice(len(p), size=self.num_samples, replace=self.replacement, p=p).tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Agrupa los índices de ``sampler`` en listas de ``batch_size`` (lo que hace el ``DataLoader`` por
    dentro).

    Args:
        sampler: el muestreador (o cualquier iterable de índices).
        batch_size: tamaño de cada lote (entero ≥ 1).
        drop_last: descarta el último lote si queda incompleto.

    Ejemplo:
        >>> list(data.BatchSampler(data.SequentialSampler(range(5)), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]

    En PyTorch: ``torch.utils.data.BatchSampler``.
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        """Véase el docstring de la clase."""
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.drop_last = _boolean(drop_last, "drop_last")
        self.sampler = sampler

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size
