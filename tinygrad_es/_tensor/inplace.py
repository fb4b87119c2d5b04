"""Operaciones in situ de ``Tensor`` con las reglas de PyTorch.

* Sobre una hoja que requiere gradiente, fuera de ``no_grad``: ``RuntimeError``.
* Dentro de ``no_grad``: cambian la memoria del tensor (el descenso de gradiente a mano funciona).
* Con grafo, sobre un intermedio: el tensor pasa a ser la salida de la operación; lo que otras
  operaciones guardaron de él queda vigilado por el contador de versiones.
"""
from __future__ import annotations

import weakref

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase, is_grad_enabled, no_grad
from ..ops.movement import SetItem, norm_index

__all__ = ["InplaceMixin"]


class InplaceMixin:
    __slots__ = ()

    # -- operaciones in situ -------------------------------------------------------------
    def _check_inplace(self, op: str) -> None:
        if not is_grad_enabled():
            return
        if self.requires_grad and self._ctx is None:
            raise RuntimeError(f"'{op}': una hoja que requiere gradiente no se puede modificar in situ "
                               f"(PyTorch tampoco lo permite). Para actualizar parámetros hazlo dentro "
                               f"de 'with no_grad():'")
        if self._ctx is not None and self._ctx.__dict__.get("is_view"):
            raise RuntimeError(f"'{op}': modificar in situ una vista de un tensor con grafo no está "
                               f"soportado en tinygrad_es; usa .clone() antes")

    def _inplace(self, op: str, compute, others=()) :
        """Aplica ``compute(self)`` (una operación normal) y escribe el resultado en la memoria de
        ``self``. Con grafo, ``self`` pasa a ser la salida de esa operación (como en PyTorch)."""
        self._check_inplace(op)
        record = is_grad_enabled() and (self.requires_grad or any(
            isinstance(o, TensorBase) and o.requires_grad for o in others))
        if record:
            src = TensorBase._wrap(self._data.copy(), self.requires_grad)
            src._ctx = self._ctx
            res = compute(src)
        else:
            with no_grad():
                res = compute(self)
        out = res._data
        if out.dtype != self._data.dtype and not np.can_cast(out.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(f"'{op}': el resultado es {D._BY_NP[out.dtype]} y no se puede guardar in situ "
                               f"en un tensor {self.dtype}")
        if out.shape != self._data.shape:
            raise RuntimeError(f"'{op}': el resultado tiene forma {out.shape} y no cabe in situ en un tensor "
                               f"de forma {tuple(self._data.shape)} (el broadcasting no puede agrandar el destino)")
        if not self._data.flags.writeable:
            raise RuntimeError(f"'{op}': este tensor es de sólo lectura (p. ej. un expand()); usa .clone()")
        np.copyto(self._data, out, casting="unsafe")
        self._version.value += 1
        if record and res.requires_grad:
            ctx = res._ctx
            ctx.out_ref = weakref.ref(self)
            self._ctx = ctx
            self.requires_grad = True
        elif record:  # el valor nuevo ya no depende de la historia anterior
            self._ctx = None
            self.requires_grad = False
        return self

    def __setitem__(self, index, value):
        self._check_inplace("__setitem__ (x[...] = ...)")
        idx = norm_index(index, self._data.shape)
        vt = value if isinstance(value, TensorBase) else None
        if is_grad_enabled() and (self.requires_grad or (vt is not None and vt.requires_grad)):
            if vt is None:
                vt = TensorBase._wrap(np.asarray(value, dtype=self._data.dtype))
            self._inplace("__setitem__", lambda s: SetItem.apply(s, vt.type(self.dtype), index=idx), (vt,))
            return
        v = vt._data if vt is not None else value
        if isinstance(v, np.ndarray) and v.dtype.kind == "c":
            raise TypeError("los números complejos no están soportados")
        try:
            self._data[idx] = v
        except IndexError as e:
            raise IndexError(f"índice no válido para un tensor de forma {tuple(self._data.shape)}: {e}") from None
        except ValueError as e:
            raise RuntimeError(f"no se puede asignar un valor de forma {np.shape(v)} a x[{index!r}] "
                               f"(tensor de forma {tuple(self._data.shape)}): {e}") from None
        self._version.value += 1
