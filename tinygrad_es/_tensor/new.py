"""Tensores nuevos a partir de otro o de un nombre de tipo: ``x.new_zeros(…)``, ``x.new_tensor(…)``
(mismo dtype que ``x``) y los constructores antiguos ``torch.LongTensor([…])``,
``torch.FloatTensor(2, 3)``… que aún usan muchos tutoriales (como en PyTorch, con una lista copian los
datos y con enteros crean un tensor de esa forma)."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase

__all__ = ["NewMixin", "LongTensor", "FloatTensor", "DoubleTensor", "IntTensor", "ShortTensor", "CharTensor",
           "ByteTensor", "BoolTensor", "HalfTensor"]


class NewMixin:
    """``x.new_zeros(…)`` y compañía: un tensor nuevo con el dtype de ``x`` (salvo que se diga otro)."""

    def _new(self, fill, size, dtype):
        if len(size) == 1 and not isinstance(size[0], numbers.Integral):
            size = tuple(size[0])
        npd = self._data.dtype if dtype is None else D.np_dtype(dtype)
        data = np.empty(tuple(int(s) for s in size), dtype=npd) if fill is None else \
            np.full(tuple(int(s) for s in size), fill, dtype=npd)
        return TensorBase._wrap(data)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(0, size, dtype).requires_grad_(requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(1, size, dtype).requires_grad_(requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(0, size, dtype).requires_grad_(requires_grad)  # con ceros: nunca basura

    def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False):
        """Un tensor (con ceros, nunca basura) de forma ``size`` y pasos ``stride``, con el dtype de ``self``
        salvo que se dé ``dtype``; ``device`` y ``requires_grad`` como en ``new_empty``. Es
        ``torch.empty_strided`` con los valores por defecto de ``self``. En PyTorch:
        ``Tensor.new_empty_strided``."""
        size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
        if len(size) != len(stride):
            raise RuntimeError(f"new_empty_strided: size {size} y stride {stride} tienen que tener la misma longitud")
        if any(s < 0 for s in size) or any(st < 0 for st in stride):
            raise RuntimeError(f"new_empty_strided: size {size} y stride {stride} no pueden tener negativos")
        npd = self._data.dtype if dtype is None else D.np_dtype(dtype)
        need = 0 if 0 in size else 1 + sum((s - 1) * st for s, st in zip(size, stride))
        base = np.zeros(need, dtype=npd)
        out = TensorBase._wrap(np.lib.stride_tricks.as_strided(base, size, tuple(st * base.itemsize for st in stride)))
        return out.requires_grad_(True) if requires_grad else out

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return self._new(fill_value, (size,), dtype).requires_grad_(requires_grad)

    def new(self, *args, device=None):
        """El constructor antiguo desde un tensor: ``x.new(2, 3)`` (una forma: ceros, sin basura),
        ``x.new([1, 2])`` (datos) o ``x.new()`` (vacío), todos con el dtype de ``x``."""
        if not args:
            return self._new(0, (0,), None)
        if len(args) == 1 and isinstance(args[0], TensorBase):
            if args[0]._data.dtype != self._data.dtype:
                raise TypeError(f"new(): el tensor debe ser del mismo dtype ({self.dtype}), y es {args[0].dtype}")
            return TensorBase._wrap(args[0]._data)
        if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args) or \
                (len(args) == 1 and type(args[0]).__name__ == "Size"):
            return self._new(0, args, None)
        if len(args) == 1:
            return self.new_tensor(args[0])
        raise TypeError(f"new(): se esperaba una forma (enteros) o unos datos, no {args!r}")

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """Copia de ``data`` con el dtype de este tensor (o ``dtype``)."""
        src = data._data if isinstance(data, TensorBase) else np.asarray(data)
        npd = self._data.dtype if dtype is None else D.np_dtype(dtype)
        return TensorBase._wrap(np.array(src, dtype=npd, copy=True)).requires_grad_(requires_grad)


def _typed(name, npd):
    def make(*args):
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            a = args[0]
            src = a._data if isinstance(a, TensorBase) else np.asarray(a)
            if src.dtype == object or src.dtype.kind not in "biuf":
                raise TypeError(f"{name}: se esperaban números o enteros con la forma, no {type(a).__name__}")
            return TensorBase._wrap(np.array(src, dtype=npd, copy=True))
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0 for s in args):
            raise TypeError(f"{name}(*forma): cada dimensión debe ser un entero ≥ 0, no {args}")
        return TensorBase._wrap(np.zeros(tuple(int(s) for s in args), dtype=npd))
    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"``torch.{name}``: tensor {D._BY_NP[np.dtype(npd)]} (de una lista o, con enteros, de esa forma)."
    return make


LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ShortTensor = _typed("ShortTensor", np.int16)
CharTensor = _typed("CharTensor", np.int8)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)
FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
