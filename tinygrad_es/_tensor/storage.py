"""Cómo está guardado un tensor en memoria (como en PyTorch): ``stride()``, ``storage_offset()``,
``data_ptr()``, ``nbytes``, ``itemsize``, el dispositivo (siempre la CPU) y las propiedades de
«tipo de tensor» (denso, no cuantizado...). Sirven para ver qué operaciones son vistas:

>>> x = torch.arange(6.).reshape(2, 3)
>>> x.t().stride()                        # (1, 3): la misma memoria, recorrida de otra forma
>>> x.t().data_ptr() == x.data_ptr()      # True
>>> x[1].storage_offset()                 # 3
"""
from __future__ import annotations

import numbers

__all__ = ["StorageMixin", "strided"]


class _Layout:
    """``torch.strided``: la única disposición de tinygrad_es (tensores densos)."""

    def __repr__(self):
        return "torch.strided"


strided = _Layout()


def _root(a):
    while getattr(a, "base", None) is not None and hasattr(a.base, "__array_interface__"):
        a = a.base
    return a


class StorageMixin:
    __slots__ = ()

    def stride(self, dim=None):
        """Los pasos (en elementos) para avanzar uno en cada eje; con ``dim``, el de ese eje.

        >>> torch.zeros(2, 3).stride()   # (3, 1)
        """
        size = self._data.itemsize or 1
        st = tuple(s // size for s in self._data.strides)
        if dim is None:
            return st
        if not isinstance(dim, numbers.Integral) or not -len(st) <= dim < max(len(st), 1):
            raise IndexError(f"stride(): la dimensión {dim} no existe en un tensor de {len(st)} dimensiones")
        return st[dim] if st else 1

    def data_ptr(self) -> int:
        """La dirección del primer elemento (dos vistas del mismo sitio dan el mismo número)."""
        return self._data.__array_interface__["data"][0]

    def storage_offset(self) -> int:
        """Cuántos elementos hay entre el principio de la memoria de la base y el primer elemento."""
        base = _root(self._data)
        start = base.__array_interface__["data"][0] if hasattr(base, "__array_interface__") else self.data_ptr()
        return (self.data_ptr() - start) // (self._data.itemsize or 1)

    @property
    def nbytes(self) -> int:
        """Bytes de los elementos (``numel() * itemsize``)."""
        return int(self._data.size * self._data.itemsize)

    @property
    def itemsize(self) -> int:
        """Bytes de un elemento (``element_size()``)."""
        return int(self._data.itemsize)

    def ndimension(self) -> int:
        """El número de dimensiones (``dim()``)."""
        return self._data.ndim

    def get_device(self) -> int:
        """-1: el tensor está en la CPU (PyTorch da el índice de la GPU o -1)."""
        return -1

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def layout(self):
        return strided

    # tinygrad_es sólo tiene tensores densos, sin cuantizar, en la CPU
    is_sparse = is_sparse_csr = is_quantized = is_meta = is_mkldnn = is_nested = property(lambda self: False)

    def is_pinned(self, device=None) -> bool:
        return False

    def pin_memory(self, device=None):
        """Sin GPU no hay memoria «fijada»: devuelve el propio tensor (PyTorch en CPU sin CUDA falla)."""
        return self

    def share_memory_(self):
        """La memoria ya es del proceso; los DataLoader con procesos la copian: devuelve el tensor."""
        return self

    def is_shared(self) -> bool:
        return False

    def is_inference(self) -> bool:
        """¿Se creó dentro de ``inference_mode``? tinygrad_es lo trata como ``no_grad``: siempre ``False``."""
        return False

    def is_neg(self) -> bool:
        return False

    def is_signed(self) -> bool:
        """¿Es de un tipo con signo? (``torch.is_signed``)."""
        return self.dtype.is_signed

    def is_same_size(self, other) -> bool:
        return tuple(self.shape) == tuple(other.shape)

    def is_nonzero(self) -> bool:
        """El valor de un tensor de un elemento como ``bool`` (``torch.is_nonzero``)."""
        if self._data.size != 1:
            raise RuntimeError(f"is_nonzero(): el tensor debe tener un solo elemento, y tiene {self._data.size}")
        return bool(self._data.reshape(()))

    @property
    def H(self):
        """La traspuesta conjugada de una matriz (``x.mH`` de un tensor 2-D; un 0-D o 1-D, él mismo)."""
        if self.ndim > 2:
            raise RuntimeError(f"tensor.H sólo vale para matrices y vectores, y este tiene {self.ndim} dimensiones "
                               f"(usa .mH)")
        return self if self.ndim < 2 else self.mH

    def adjoint(self):
        """La traspuesta conjugada de las dos últimas dimensiones (``mH``)."""
        return self.mH
