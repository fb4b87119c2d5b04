"""Operaciones in situ de ``Tensor`` con las reglas de PyTorch.

* Sobre una hoja que requiere gradiente (o una vista suya), fuera de ``no_grad``: ``RuntimeError``.
* Dentro de ``no_grad``: cambian la memoria del tensor (el descenso de gradiente a mano funciona);
  si el tensor es una vista (``x[0]``, ``x.diagonal()``...), cambian su base.
* Con grafo, sobre un intermedio: el tensor pasa a ser la salida de la operación; lo que otras
  operaciones guardaron de él queda vigilado por el contador de versiones.
* Con grafo, sobre una vista de un tensor con historia: la base pasa a ser "la base de antes con la
  región de la vista sustituida por el resultado" (``WriteView``, el ``CopySlices`` de PyTorch) y
  la vista, esa región de la base nueva. Las demás vistas de la base se re-basan solas la próxima
  vez que se usan (``ViewInfo``).
"""
from __future__ import annotations

import weakref

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase, is_grad_enabled, no_grad
from ..autograd.array_function import ForwardAD
from ..autograd.forward_ad import inplace_tangent, tangent_of
from ..ops.copy import Cast
from ..ops.movement import SetItem, WriteView
from ._args import check_fits, is_scalar, torch_index

__all__ = ["InplaceMixin"]


def _steal(t, res) -> None:
    """``t`` pasa a ser la salida del nodo de ``res`` (el resultado de la operación in situ)."""
    ctx = res._ctx
    if ctx is not None:
        ctx.out_ref = weakref.ref(t)
    t._ctx, t._requires_grad = ctx, res._requires_grad


def _watch_result(res, t) -> None:
    """El resultado de la operación in situ ahora vive en la memoria de ``t``: si su nodo guardó la
    salida (``exp_``, ``sigmoid_``...), lo que vigila es ``t`` desde ahora (como en PyTorch, cambiar
    ``t`` después invalida ese backward)."""
    ctx = res._ctx
    if ctx is not None and ctx._versions:
        ctx._versions = tuple((t._vc, t._vc.value, shape) if vc is res._vc else (vc, val, shape)
                              for vc, val, shape in ctx._versions)


class InplaceMixin:
    __slots__ = ()

    # -- operaciones in situ -------------------------------------------------------------
    def _check_inplace(self, op: str) -> None:
        if not is_grad_enabled():
            return
        v = self._view
        if self._requires_grad and self._ctx is None and v is None:
            raise RuntimeError(f"'{op}': una hoja que requiere gradiente no se puede modificar in situ "
                               f"(PyTorch tampoco lo permite). Para actualizar parámetros hazlo dentro "
                               f"de 'with no_grad():'")
        if v is None:
            return
        if not v.grad:
            if self._requires_grad:
                raise RuntimeError(f"'{op}': esta vista se creó dentro de no_grad() y se modifica in situ con el "
                                   f"gradiente activado; haz las dos cosas dentro de no_grad() o las dos fuera")
            return
        if v.base._requires_grad and v.base._ctx is None:
            raise RuntimeError(f"'{op}': una vista de una hoja que requiere gradiente no se puede modificar in "
                               f"situ; hazlo dentro de 'with no_grad():' o usa .clone()")
        if v.multi and v.base._requires_grad:
            raise RuntimeError(f"'{op}': este tensor es una de las vistas que devuelve {v.multi}() y se "
                               f"modifica in situ; esas vistas no se pueden modificar in situ con grafo (como "
                               f"en PyTorch). Usa .clone() sobre la vista")

    def _inplace(self, op: str, compute, others=()):
        """Aplica ``compute(self)`` (una operación normal) y escribe el resultado en la memoria de
        ``self``. Con grafo, ``self`` pasa a ser la salida de esa operación (como en PyTorch)."""
        self._check_inplace(op)
        v = self._view
        view_of_graph = v is not None and v.grad and v.base.requires_grad
        record = is_grad_enabled() and (self.requires_grad or view_of_graph or any(
            isinstance(o, TensorBase) and o.requires_grad for o in others))
        if record:
            src = TensorBase._wrap(self._data.copy(), self._requires_grad)
            src._ctx, src._fw = self._ctx, self._fw
            res = compute(src)
        else:
            with no_grad():
                res = compute(self)
        out = res._data
        if out.dtype != self._data.dtype and D.category(out.dtype) > D.category(self._data.dtype):
            # como PyTorch: el resultado no puede ser de una categoría superior (float en un entero, int en bool)
            raise RuntimeError(f"'{op}': el resultado es {D._BY_NP[out.dtype]} y no se puede guardar in situ "
                               f"en un tensor {self.dtype}")
        if out.shape != self._data.shape:
            raise RuntimeError(f"'{op}': el resultado tiene forma {tuple(out.shape)} y no cabe in situ en un tensor "
                               f"de forma {tuple(self._data.shape)} (el broadcasting no puede agrandar el destino)")
        if not self._data.flags.writeable:
            raise RuntimeError(f"'{op}': este tensor es de sólo lectura (p. ej. un expand()); usa .clone()")
        np.copyto(self._data, out, casting="unsafe")
        self._vc.value += 1
        if ForwardAD.level is not None:  # modo hacia delante: la tangente también cambia in situ
            inplace_tangent(self, res)
        if record:
            _watch_result(res, self)
            if res._data.dtype != self._data.dtype:
                res = Cast.apply(res, dtype=self._data.dtype)
            if v is not None and v.grad:
                self._rebase(v, res)
            else:
                _steal(self, res)
        elif v is not None:
            v.version = self._vc.value  # nada cambió en el grafo: la vista sigue al día
        return self

    def _rebase(self, v, res) -> None:
        """Tras una operación in situ con grafo sobre la vista ``self``: la base es la de antes con
        la región de la vista sustituida por ``res`` y la vista, esa región de la base nueva."""
        base = v.base
        old = TensorBase._wrap(base._data, base._requires_grad)
        old._ctx = base._ctx
        new = WriteView.apply(old, res, index=v.flat_index())
        _steal(base, new)
        v.version = -1
        self._sync_view()

    def __setitem__(self, index, value):
        idx = torch_index(index, self._data.shape)  # como PyTorch: un índice malo antes que la hoja
        self._check_inplace("__setitem__ (x[...] = ...)")
        if not isinstance(value, TensorBase) and is_scalar(value):
            check_fits(value, self._data.dtype)  # x[0] = 300 en uint8: RuntimeError, como PyTorch
        vt = value if isinstance(value, TensorBase) else None
        v = self._view
        view_of_graph = v is not None and v.grad and v.base.requires_grad
        dual = ForwardAD.level is not None and (tangent_of(self) is not None or tangent_of(vt) is not None)
        graph = is_grad_enabled() and (self.requires_grad or view_of_graph or (vt is not None and vt.requires_grad))
        if dual or graph:
            if vt is None:
                vt = TensorBase._wrap(np.asarray(value).astype(self._data.dtype))
            self._inplace("__setitem__", lambda s: SetItem.apply(s, vt.type(self.dtype), index=idx), (vt,))
            return
        val = vt._data if vt is not None else value
        if isinstance(val, np.ndarray) and val.dtype.kind == "c":
            raise TypeError("los números complejos no están soportados")
        if vt is None and not isinstance(val, np.ndarray):
            val = np.asarray(val)
            if val.dtype.kind == "c":
                raise TypeError("los números complejos no están soportados")
            if val.dtype.kind in "iub" and self._data.dtype.kind in "iu":
                val = val.astype(self._data.dtype)  # uint8: -1 da la vuelta (255), como en PyTorch
        SetItem.write(self._data, idx, val)
        self._vc.value += 1
        if v is not None:
            v.version = self._vc.value

    # -- cambios de forma in situ (la misma memoria, otra vista) -----------------------------
    def _reshape_inplace(self, op, compute):
        """``self`` pasa a ser ``compute(self)`` (``unsqueeze_``, ``transpose_``…): la misma memoria con
        otra forma; con grafo, ``self`` es la salida de esa operación (una hoja que pide gradiente no se
        puede cambiar así, como en PyTorch)."""
        self._check_inplace(op)
        if is_grad_enabled() and self._requires_grad:
            src = TensorBase._wrap(self._data, self._requires_grad)  # sin copia: la misma memoria
            src._ctx = self._ctx
            res = compute(src)
            _steal(self, res)
        else:
            with no_grad():
                res = compute(self)
        self._data = res._data
        self._view = None  # la cadena de vista de antes ya no describe esta forma
        return self

    def unsqueeze_(self, dim):
        return self._reshape_inplace('unsqueeze_', lambda s: s.unsqueeze(dim))

    def squeeze_(self, dim=None):
        return self._reshape_inplace('squeeze_', lambda s: s.squeeze() if dim is None else s.squeeze(dim))

    def transpose_(self, dim0, dim1):
        return self._reshape_inplace('transpose_', lambda s: s.transpose(dim0, dim1))

    def t_(self):
        return self._reshape_inplace('t_', lambda s: s.t())

    swapaxes_ = swapdims_ = transpose_
