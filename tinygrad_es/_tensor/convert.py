"""Conversiones de ``Tensor``: dtype (``float()``, ``long()``, ``to(dtype)``...), dispositivo (sólo
CPU) y copias (``clone``, ``contiguous``)."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..device import check_device
from ..ops.copy import Cast, Clone, Contiguous

__all__ = ["ConvertMixin"]


class ConvertMixin:
    __slots__ = ()

    # -- dispositivo y tipo --------------------------------------------------------------
    def to(self, *args, dtype=None, **kwargs) :
        """``.to("cpu")`` no hace nada; ``.to(dtype)`` convierte; ``.to("cuda")`` da un error claro."""
        for a in args:
            if isinstance(a, TensorBase):
                dtype = a.dtype
            elif isinstance(a, (D.dtype, np.dtype, type)):
                dtype = a
            else:
                check_device(a)
        if "device" in kwargs:
            check_device(kwargs["device"])
        return self if dtype is None else self.type(dtype)

    def cpu(self) :
        return self

    def cuda(self, *a, **k):
        check_device("cuda")

    def type(self, dtype=None):
        """Convierte a ``dtype`` (sin argumento, el nombre del tipo). A coma flotante el gradiente
        pasa (∂/∂x = 1); a entero o bool la conversión **corta el grafo** (el resultado no requiere
        gradiente, como en PyTorch: la derivada de redondear es 0 casi en todas partes)."""
        if dtype is None:
            return f"tinygrad_es.{self.dtype.name.capitalize()}Tensor"
        npd = D.np_dtype(dtype)
        if npd == self._data.dtype:
            return self
        if npd.kind != "f":
            with np.errstate(invalid="ignore", over="ignore"):  # nan/inf → entero: lo que dé la CPU, como PyTorch
                return TensorBase._wrap(self._data.astype(npd))
        return Cast.apply(self, dtype=npd)

    def float(self):
        return self.type(D.float32)

    def double(self):
        return self.type(D.float64)

    def half(self):
        return self.type(D.float16)

    def long(self):
        return self.type(D.int64)

    def int(self):
        return self.type(D.int32)

    def short(self):
        return self.type(D.int16)

    def bool(self):
        return self.type(D.bool_)

    def byte(self):
        return self.type(D.uint8)

    def astype(self, dtype):
        return self.type(dtype)

    def type_as(self, other):
        return self.type(other.dtype)

    def clone(self) :
        """Copia con su propia memoria; el gradiente pasa tal cual (d clone(x)/dx = 1)."""
        return Clone.apply(self)

    def contiguous(self):
        # clone() conserva el orden en memoria (como PyTorch); contiguous() lo fuerza
        return self if self._data.flags.c_contiguous else Contiguous.apply(self)

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)
