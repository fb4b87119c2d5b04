"""Cómo se guarda un gradiente en ``.grad`` (hojas y tensores con ``retain_grad``): la primera vez,
un array propio; las siguientes, sumado in situ (en primer orden) o fuera de sitio (con
``create_graph``, como PyTorch)."""
from __future__ import annotations

import sys

import numpy as np

from .graph import TensorBase

__all__ = ["owned_by_engine", "accumulate", "accumulate_graph"]


# Referencias a un gradiente que sólo tiene el motor en el momento de acumularlo: la variable local de
# ``run_backward`` y el argumento de ``sys.getrefcount``.
_LOCAL_REFS = sys.getrefcount(object()) + 1


def owned_by_engine(g) -> bool:
    """¿Nadie más que el motor ve ``g``? (un array recién calculado por un backward, con memoria propia,
    que ningún tensor, vista ni ``ctx`` guarda). Entonces ``.grad`` puede ser ese mismo array, sin
    copiarlo: PyTorch hace lo mismo (roba el gradiente si nadie más lo usa). Un array compartido
    (el mismo ``g`` que ``a + b`` manda a sus dos entradas, uno que guarda un hook) se copia."""
    return (g.__class__ is np.ndarray and g.base is None and g.flags.writeable and g.flags.c_contiguous
            and sys.getrefcount(g) <= _LOCAL_REFS + 1)  # + 1: el parámetro de esta función


def accumulate(t, g, owned=False):
    if t._grad is None:
        if not owned or g.dtype != t._data.dtype:
            g = np.array(g, dtype=t._data.dtype, copy=True)  # propio y escribible
        t._grad = TensorBase._wrap(g)
    else:
        t._grad._data += g
        t._grad._vc.value += 1


def accumulate_graph(t, g):
    # con create_graph, .grad es un tensor con grafo y se acumula fuera de sitio (como PyTorch)
    t._grad = g if t._grad is None else t._grad + g
