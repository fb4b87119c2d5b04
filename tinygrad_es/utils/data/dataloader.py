"""``DataLoader``: recorre un conjunto por lotes, con los argumentos y las reglas de PyTorch::

    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    for xb, yb in loader:
        ...
"""
from __future__ import annotations

import math
import os
import warnings

from . import _compat
from ._collate import default_collate, default_convert
from ._fetch import IterFetcher, MapFetcher
from ._worker import MultiProcessIter
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]


class _InfiniteConstantSampler(Sampler):
    """Para los ``IterableDataset``: el índice no significa nada, el conjunto decide."""

    def __iter__(self):
        while True:
            yield None


def _check_int(value, name, minimum=0):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} debe ser un entero ≥ {minimum}, no {name}={value!r}")


class DataLoader:
    """Recorre ``dataset`` por lotes: pide los índices a un muestreador, carga las muestras (en este
    proceso o en ``num_workers`` procesos) y las une con ``collate_fn``. Mismos argumentos y reglas que
    en PyTorch; ``len(loader)`` es el número de lotes.

    Args:
        dataset: el conjunto (de estilo mapa o ``IterableDataset``).
        batch_size: muestras por lote (``1``); ``None`` desactiva los lotes (cada muestra sale sola,
            con ``default_convert``).
        shuffle: baraja los índices en cada época (``None``/``False``); no con ``sampler`` ni con un
            ``IterableDataset``.
        sampler: muestreador de índices a medida (``None``); excluyente con ``shuffle``.
        batch_sampler: muestreador de lotes enteros (``None``); excluyente con ``batch_size``,
            ``shuffle``, ``sampler`` y ``drop_last``.
        num_workers: procesos que cargan en paralelo (``0``: en el proceso principal).
        collate_fn: cómo se une una lista de muestras en un lote (``None``: ``default_collate``).
        pin_memory: sin efecto (no hay GPU) (``False``).
        drop_last: descarta el último lote si queda incompleto (``False``).
        timeout: segundos de espera por un lote de los workers (``0``: sin límite).
        worker_init_fn: ``f(id)`` que se llama al arrancar cada worker (``None``).
        multiprocessing_context: el contexto de ``multiprocessing`` (``'fork'``, ``'spawn'``...) de los
            workers (``None``: el del sistema).
        generator: ``torch.Generator`` del barajado y de las semillas de los workers (``None``: el
            global). El orden barajado es reproducible, pero no es el de PyTorch con la misma semilla.
        prefetch_factor: lotes que cada worker prepara por adelantado (``None``; 2 con workers).
        persistent_workers: mantiene vivos los workers entre épocas (``False``).
        pin_memory_device: sin efecto (``""``).
        in_order: con workers, los lotes salen en el orden de los índices (``True``).

    Forma: con ``default_collate``, un lote de muestras ``(x_i, y_i)`` es ``[X, Y]`` con ``X``
    ``(batch_size, *forma de x_i)``.

    Ejemplo (el bucle de los apuntes):
        >>> X, y = torch.arange(10.).reshape(5, 2), torch.tensor([0, 1, 0, 1, 1])
        >>> loader = data.DataLoader(data.TensorDataset(X, y), batch_size=2)
        >>> len(loader)
        3
        >>> for xb, yb in loader:
        ...     print(tuple(xb.shape), yb)
        (2, 2) tensor([0, 1])
        (2, 2) tensor([0, 1])
        (1, 2) tensor([1])

    En PyTorch: ``torch.utils.data.DataLoader``.
    """

    _frozen = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        """Véase el docstring de la clase."""
        _check_int(num_workers, "num_workers")
        if timeout < 0:
            raise ValueError(f"timeout debe ser ≥ 0, no {timeout}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor sólo tiene sentido con procesos de carga: usa num_workers > 0, "
                             "o deja prefetch_factor=None")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError(f"prefetch_factor debe ser ≥ 0, no {prefetch_factor}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers=True necesita num_workers > 0")
        if batch_size is not None:
            _check_int(batch_size, "batch_size", 1)
        if not isinstance(drop_last, bool):
            raise TypeError(f"drop_last debe ser True o False, no {drop_last!r}")

        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader con un IterableDataset: no admite shuffle (se recibió shuffle={shuffle}); "
                                 "el propio conjunto decide el orden")
            if sampler is not None:
                raise ValueError(f"DataLoader con un IterableDataset: no admite sampler (se recibió {sampler!r})")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader con un IterableDataset: no admite batch_sampler "
                                 f"(se recibió {batch_sampler!r})")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler y shuffle son excluyentes: el sampler ya decide el orden (quita shuffle=True)")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler es excluyente con batch_size, shuffle, sampler y drop_last "
                                 "(el batch_sampler ya decide los lotes)")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None desactiva los lotes y es excluyente con drop_last")
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        d = self.__dict__
        d.update(dataset=dataset, num_workers=num_workers, prefetch_factor=prefetch_factor, pin_memory=pin_memory,
                 pin_memory_device=pin_memory_device, timeout=timeout, worker_init_fn=worker_init_fn,
                 multiprocessing_context=multiprocessing_context, in_order=in_order, batch_size=batch_size,
                 drop_last=drop_last, sampler=sampler, batch_sampler=batch_sampler, generator=generator,
                 persistent_workers=persistent_workers, _iterable=iterable, _iterator=None)
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        d["collate_fn"] = collate_fn
        d["_initialized"] = True
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if num_workers > cpus:
            warnings.warn(f"Este DataLoader creará {num_workers} procesos de carga y el sistema tiene {cpus} "
                          f"núcleos disponibles: puede ir más lento o quedarse sin memoria", stacklevel=2)

    def __setattr__(self, name, value):
        """Como PyTorch: ``batch_size``, ``sampler``, ``dataset``... no se pueden cambiar tras crear el cargador."""
        if self.__dict__.get("_initialized") and name in self._frozen:
            raise ValueError(f"el atributo {name} no se puede cambiar después de crear el DataLoader")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        """El número de lotes por época."""
        if self._iterable:
            try:
                n = len(self.dataset)
            except TypeError:
                raise TypeError(f"{type(self.dataset).__name__} (IterableDataset) no define __len__: "
                                "el DataLoader no sabe cuántos lotes dará") from None
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self):
        """Un iterador nuevo sobre los lotes de una época."""
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            it = self.__dict__.get("_iterator")
            if it is None or it.shut:
                it = MultiProcessIter(self)
                self.__dict__["_iterator"] = it
            else:
                it.reset()
            return it
        return MultiProcessIter(self)

    def __repr__(self):
        """``DataLoader(dataset=..., batch_size=..., num_workers=...)``."""
        return (f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"num_workers={self.num_workers})")


class _SingleProcessIter:
    def __init__(self, loader):
        self.loader = loader
        # como PyTorch: cada iterador saca una semilla base del generador (la usarían los workers),
        # así el orden barajado es el mismo con y sin num_workers
        _compat.rng(loader.generator).integers(0, 2 ** 62)
        self.sampler_iter = iter(loader._index_sampler)
        if loader._iterable:
            self.fetcher = IterFetcher(loader.dataset, loader._auto_collation, loader.collate_fn, loader.drop_last,
                                       loader.batch_size)
        else:
            self.fetcher = MapFetcher(loader.dataset, loader._auto_collation, loader.collate_fn, loader.drop_last)

    def __iter__(self):
        return self

    def __len__(self):
        return len(self.loader)

    def __next__(self):
        index = next(self.sampler_iter)
        return self.fetcher.fetch(index)
