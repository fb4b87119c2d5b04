"""Carga en paralelo: ``num_workers`` procesos que preparan lotes mientras se entrena.

Como en PyTorch: cada worker recibe índices de lote por su cola, llama a ``dataset[i]`` y a
``collate_fn`` y devuelve el lote por una cola común; el proceso principal los reordena, así que
el orden es el mismo que con ``num_workers=0``. Un error en un worker se vuelve a lanzar en el
proceso principal con el índice de la muestra; un worker que muere o un ``timeout`` dan un
``RuntimeError``: nunca se queda colgado.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import queue
import random
import time
import traceback

import numpy as np

from . import _compat
from ._fetch import IterFetcher, MapFetcher

__all__ = ["WorkerInfo", "get_worker_info"]


class WorkerInfo:
    """Datos del worker en curso, los que da ``get_worker_info()`` dentro de un proceso de carga.

    Args:
        id: número del worker (de 0 a ``num_workers − 1``).
        num_workers: cuántos workers hay.
        seed: la semilla de este worker (base + id).
        dataset: la copia del conjunto de este worker.

    Ejemplo: en ``__iter__`` de un ``IterableDataset``, ``info = data.get_worker_info()`` y cada worker
    recorre ``range(info.id, n, info.num_workers)``.

    En PyTorch: ``torch.utils.data._utils.worker.WorkerInfo`` (lo que devuelve ``get_worker_info()``).
    """

    def __init__(self, id, num_workers, seed, dataset):
        """Véase el docstring de la clase."""
        self.id, self.num_workers, self.seed, self.dataset = id, num_workers, seed, dataset

    def __repr__(self):
        """``WorkerInfo(id=..., num_workers=..., seed=...)``."""
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed})"


_worker_info = None


def get_worker_info():
    """En un worker del ``DataLoader``, su ``WorkerInfo`` (``id``, ``num_workers``, ``seed``, ``dataset``); en
    el proceso principal, ``None``.

    Ejemplo:
        >>> data.get_worker_info() is None           # aquí no estamos en un worker
        True

    En PyTorch: ``torch.utils.data.get_worker_info``.
    """
    return _worker_info


class _Carry:
    """Un tensor en tránsito entre procesos (su array y si requiere gradiente)."""

    def __init__(self, array, requires_grad):
        self.array, self.requires_grad = array, requires_grad


def _pack(x):
    if _compat.is_tensor(x):
        return _Carry(_compat.to_array(x), bool(getattr(x, "requires_grad", False)))
    if type(x) in (list, tuple):
        return type(x)(_pack(v) for v in x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(_pack(v) for v in x))
    if type(x) is dict:
        return {k: _pack(v) for k, v in x.items()}
    return x


def _unpack(x):
    if isinstance(x, _Carry):
        t = _compat.from_array(x.array)
        return t.requires_grad_(True) if x.requires_grad else t
    if type(x) in (list, tuple):
        return type(x)(_unpack(v) for v in x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(_unpack(v) for v in x))
    if type(x) is dict:
        return {k: _unpack(v) for k, v in x.items()}
    return x


class _PlainMessage(str):
    """``str(KeyError(m))`` usa ``repr(m)``: así el mensaje de varias líneas se lee bien."""

    def __repr__(self):
        return self


class _Failure:
    """Una excepción de un worker, con su traza, para relanzarla en el proceso principal."""

    def __init__(self, worker_id, where, exc):
        self.worker_id, self.where = worker_id, where
        self.name = type(exc).__name__
        self.message = str(exc)
        self.tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:
            pickle.dumps(type(exc))
            self.exc_type = type(exc)
        except Exception:
            self.exc_type = None

    def reraise(self):
        msg = (f"Error en el worker {self.worker_id} del DataLoader {self.where}: {self.name}: {self.message}\n\n"
               f"Traza original (en el worker):\n{self.tb}")
        if self.exc_type is KeyError:
            msg = _PlainMessage(msg)
        try:
            exc = self.exc_type(msg) if self.exc_type is not None else RuntimeError(msg)
        except Exception:
            exc = RuntimeError(msg)
        raise exc


class _IterEnd:
    def __init__(self, worker_id):
        self.worker_id = worker_id


class _Resume:
    """Nueva época con workers persistentes: el worker vuelve a empezar su iterador."""


def _worker_loop(kind_iterable, dataset, index_queue, result_queue, auto_collation, collate_fn, drop_last,
                 batch_size, base_seed, init_fn, worker_id, num_workers):
    global _worker_info
    seed = base_seed + worker_id
    random.seed(seed)
    np.random.seed(np.random.SeedSequence([base_seed & (2 ** 63 - 1), worker_id]).generate_state(4))
    _compat.manual_seed(seed)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
    parent = os.getppid()
    init_failure = None
    if init_fn is not None:
        try:
            init_fn(worker_id)
        except Exception as e:
            init_failure = _Failure(worker_id, "en worker_init_fn", e)

    def make():
        if kind_iterable:
            return IterFetcher(dataset, auto_collation, collate_fn, drop_last, batch_size)
        return MapFetcher(dataset, auto_collation, collate_fn, drop_last)
    fetcher = None
    try:
        while True:
            try:
                task = index_queue.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # el proceso principal murió: salir
                    break
                continue
            if task is None:
                break
            if isinstance(task, _Resume):
                fetcher = None
                continue
            epoch, idx, index = task
            if init_failure is not None:
                result_queue.put((epoch, idx, init_failure))
                continue
            try:
                if fetcher is None:
                    fetcher = make()
                data = _pack(fetcher.fetch(index))
            except StopIteration as e:
                data = _IterEnd(worker_id) if kind_iterable else _Failure(worker_id, f"al cargar el lote {index}", e)
            except Exception as e:
                where = (f"al leer el lote {idx}" if kind_iterable else
                         f"al cargar la muestra de índice {fetcher.current if fetcher and fetcher.current is not None else index}")
                data = _Failure(worker_id, where, e)
            result_queue.put((epoch, idx, data))
    except KeyboardInterrupt:
        pass
    result_queue.cancel_join_thread()
    result_queue.close()


class MultiProcessIter:
    """Iterador del ``DataLoader`` con ``num_workers > 0``."""

    def __init__(self, loader):
        self.loader = loader
        self.n = loader.num_workers
        ctx = loader.multiprocessing_context
        if ctx is None:
            ctx = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        if isinstance(ctx, str):
            ctx = multiprocessing.get_context(ctx)
        self.timeout = loader.timeout
        self.in_order = loader.in_order
        self.prefetch = loader.prefetch_factor * self.n
        self.persistent = loader.persistent_workers
        self.result_queue = ctx.Queue()
        self.index_queues, self.workers = [], []
        base_seed = int(_compat.rng(loader.generator).integers(0, 2 ** 62))
        for wid in range(self.n):
            q = ctx.Queue()
            q.cancel_join_thread()
            w = ctx.Process(target=_worker_loop, daemon=True,
                            args=(loader._iterable, loader.dataset, q, self.result_queue, loader._auto_collation,
                                  loader.collate_fn, loader.drop_last, loader.batch_size, base_seed,
                                  loader.worker_init_fn, wid, self.n))
            w.start()
            self.index_queues.append(q)
            self.workers.append(w)
        self.epoch = 0
        self.shut = False
        self.reset(first=True)

    def reset(self, first=False):
        self.sampler_iter = iter(self.loader._index_sampler)
        self.send_idx = self.rcvd_idx = 0
        self.tasks = {}  # idx -> [worker_id] o [worker_id, datos]
        self.active = [True] * self.n
        self.cycle = itertools.cycle(range(self.n))
        self.epoch += 1
        if not first:
            for q in self.index_queues:
                q.put(_Resume())
        for _ in range(self.prefetch):
            self._put_index()

    def _put_index(self):
        try:
            index = next(self.sampler_iter)
        except StopIteration:
            return
        for _ in range(self.n):
            wid = next(self.cycle)
            if self.active[wid]:
                break
        else:
            return
        self.index_queues[wid].put((self.epoch, self.send_idx, index))
        self.tasks[self.send_idx] = [wid]
        self.send_idx += 1

    def __iter__(self):
        return self

    def __len__(self):
        return len(self.loader)

    def _get(self):
        start = time.monotonic()
        while True:
            try:
                return self.result_queue.get(timeout=0.2)
            except queue.Empty:
                dead = [(i, w) for i, w in enumerate(self.workers) if not w.is_alive()]
                if dead:
                    i, w = dead[0]
                    self.shutdown(wait=0.5)
                    raise RuntimeError(f"el worker {i} del DataLoader (pid {w.pid}) terminó inesperadamente "
                                       f"(código de salida {w.exitcode}); prueba con num_workers=0 para ver el error")
                if self.timeout and time.monotonic() - start > self.timeout:
                    self.shutdown(wait=0.5)
                    raise RuntimeError(f"DataLoader: se agotó el tiempo de espera de un lote ({self.timeout} s)")

    def __next__(self):
        while True:
            while self.rcvd_idx < self.send_idx:
                info = self.tasks.get(self.rcvd_idx)
                if info is None:  # ya entregado fuera de orden (in_order=False)
                    self.rcvd_idx += 1
                    continue
                if len(info) == 2 or self.active[info[0]]:
                    break
                del self.tasks[self.rcvd_idx]  # su worker ya terminó su iterador
                self.rcvd_idx += 1
            else:
                if not self.persistent:
                    self.shutdown()
                raise StopIteration
            info = self.tasks[self.rcvd_idx]
            if len(info) == 2:
                del self.tasks[self.rcvd_idx]
                self.rcvd_idx += 1
                return self._process(info[1])
            epoch, idx, data = self._get()
            if epoch != self.epoch:
                continue  # resultado de una época anterior (workers persistentes)
            if isinstance(data, _IterEnd):
                self.active[data.worker_id] = False
                self._put_index()
                continue
            if idx != self.rcvd_idx and self.in_order:
                self.tasks[idx].append(data)
                continue
            del self.tasks[idx]
            if idx == self.rcvd_idx:
                self.rcvd_idx += 1
            return self._process(data)

    def _process(self, data):
        self._put_index()
        if isinstance(data, _Failure):
            self.shutdown(wait=0.5)
            data.reraise()
        return _unpack(data)

    def shutdown(self, wait: float = 5.0):
        """Para los workers: ``None`` por su cola y, si no terminan en ``wait`` s, ``terminate()``
        (tras un error no se espera a que acaben lotes que ya nadie necesita)."""
        if self.shut:
            return
        self.shut = True
        for q in self.index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + wait
        for w in self.workers:
            w.join(timeout=max(0.0, deadline - time.monotonic()))
            if w.is_alive():
                w.terminate()
                w.join(timeout=1)
        for q in self.index_queues + [self.result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        try:
            self.shutdown()
        except Exception:
            pass
