"""Conversiones de ``Tensor``: dtype (``float()``, ``long()``, ``to(dtype)``...), dispositivo (sólo
CPU) y copias (``clone``, ``contiguous``)."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..device import check_device
from ..ops.copy import Cast, Clone, Contiguous

__all__ = ["ConvertMixin", "memory_format", "preserve_format", "contiguous_format", "channels_last",
           "channels_last_3d"]


class memory_format:
    """``torch.memory_format``: cómo se ordena un tensor en memoria. tinygrad_es guarda siempre en
    orden C (``contiguous_format``); ``channels_last`` se acepta (los valores y las formas son los
    mismos) pero no cambia el orden interno. Se admite en ``.float(memory_format=...)``, ``.to``,
    ``.clone`` y ``.contiguous`` como en PyTorch."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return (globals().get, (self.name,))


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


def _check_format(fmt):
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format debe ser un torch.memory_format (p. ej. torch.preserve_format), no "
                        f"{type(fmt).__name__}")


class ConvertMixin:
    __slots__ = ()

    # -- dispositivo y tipo --------------------------------------------------------------
    def to(self, *args, dtype=None, non_blocking=False, copy=False, memory_format=None, **kwargs):
        """``.to("cpu")`` no hace nada; ``.to(dtype)`` convierte; ``.to("cuda")`` da un error claro;
        ``copy=True`` devuelve siempre un tensor nuevo."""
        _check_format(memory_format)
        flags = [a for a in args if isinstance(a, bool)]  # to(device, dtype, non_blocking, copy)
        if len(flags) == 2:
            copy = copy or flags[1]
        for a in args:
            if isinstance(a, bool):
                continue
            if isinstance(a, TensorBase):
                dtype = a.dtype
            elif isinstance(a, (D.dtype, np.dtype, type)):
                dtype = a
            else:
                check_device(a)
        if "device" in kwargs:
            check_device(kwargs.pop("device"))
        if kwargs:
            raise TypeError(f"to(): argumento desconocido {next(iter(kwargs))!r}")
        out = self if dtype is None else self.type(dtype)
        return out.clone() if copy and out is self else out

    def cpu(self) :
        return self

    def cuda(self, *a, **k):
        check_device("cuda")

    def type(self, dtype=None):
        """Convierte a ``dtype`` (sin argumento, el nombre del tipo). A coma flotante el gradiente
        pasa (∂/∂x = 1); a entero o bool la conversión **corta el grafo** (el resultado no requiere
        gradiente, como en PyTorch: la derivada de redondear es 0 casi en todas partes)."""
        if dtype is None:
            return D.tensor_type_name(self.dtype)  # 'torch.FloatTensor', como PyTorch
        npd = D.np_dtype(dtype)
        if npd == self._data.dtype:
            return self
        if npd.kind not in "fc" or (npd.kind == "c" and self._data.dtype.kind not in "fc"):
            with np.errstate(invalid="ignore", over="ignore"):  # nan/inf → entero: lo que dé la CPU, como PyTorch
                return TensorBase._wrap(self._data.astype(npd))
        return Cast.apply(self, dtype=npd)

    def float(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.float32)

    def double(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.float64)

    def cfloat(self, memory_format=None):
        """A ``complex64`` (parte imaginaria 0 si era real; derivada: la parte real del gradiente). En
        PyTorch: ``Tensor.cfloat``."""
        _check_format(memory_format)
        return self.type(D.complex64)

    def cdouble(self, memory_format=None):
        """A ``complex128``. En PyTorch: ``Tensor.cdouble``."""
        _check_format(memory_format)
        return self.type(D.complex128)

    def half(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.float16)

    def long(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.int64)

    def int(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.int32)

    def short(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.int16)

    def char(self, memory_format=None):
        """A ``int8`` (``torch.int8``, el "char" de C)."""
        _check_format(memory_format)
        return self.type(D.int8)

    def bool(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.bool_)

    def byte(self, memory_format=None):
        _check_format(memory_format)
        return self.type(D.uint8)

    def astype(self, dtype):
        return self.type(dtype)

    def type_as(self, other):
        return self.type(other.dtype)

    def clone(self, memory_format=None):
        """Copia con su propia memoria; el gradiente pasa tal cual (d clone(x)/dx = 1)."""
        _check_format(memory_format)
        return Clone.apply(self)

    def contiguous(self, memory_format=None):
        _check_format(memory_format)
        # clone() conserva el orden en memoria (como PyTorch); contiguous() lo fuerza
        return self if self._data.flags.c_contiguous else Contiguous.apply(self)

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)
