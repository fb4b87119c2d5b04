"""``torch.set_num_threads`` / ``torch.get_num_threads``: cuántos hilos usan los núcleos.

tinygrad_es calcula con dos grupos de hilos: los de numba (convolución, pooling... con
``prange``) y los de OpenBLAS (los productos de matrices). ``set_num_threads(n)`` fija los dos
(numba no puede pasar de los hilos con que arrancó, ``NUMBA_NUM_THREADS``: se queda en ese tope).
``get_num_threads()`` devuelve lo último fijado (o lo que usa numba si no se fijó nada), como
PyTorch. Los programas del curso lo llaman para medir tiempos con un solo hilo.
"""
from __future__ import annotations

import numbers

import numba

from . import blas

__all__ = ["set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads"]

_state = {"threads": None, "interop": None}


def _positive(n, op):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise RuntimeError(f"{op} espera un entero positivo, no {n!r}")
    return int(n)


def set_num_threads(num: int) -> None:
    """Usa ``num`` hilos en los núcleos numba y en OpenBLAS. Ejemplo: ``torch.set_num_threads(1)``.
    En PyTorch: ``torch.set_num_threads``."""
    n = _positive(num, "set_num_threads")
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    if blas.can_single_thread():
        blas._threads_fn["set"](n)
    _state["threads"] = n


def get_num_threads() -> int:
    """Los hilos de cálculo (lo fijado con ``set_num_threads`` o, si no, los de numba). En
    PyTorch: ``torch.get_num_threads``."""
    return _state["threads"] if _state["threads"] is not None else numba.get_num_threads()


def set_num_interop_threads(num: int) -> None:
    """Se acepta y se recuerda (tinygrad_es no reparte operaciones independientes entre hilos).
    En PyTorch: ``torch.set_num_interop_threads``."""
    _state["interop"] = _positive(num, "set_num_interop_threads")


def get_num_interop_threads() -> int:
    """Lo fijado con ``set_num_interop_threads`` (1 si nada). En PyTorch: ``torch.get_num_interop_threads``."""
    return _state["interop"] or 1
