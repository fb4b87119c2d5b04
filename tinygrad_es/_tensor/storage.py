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

import numpy as np

from ..autograd import TensorBase
from ..ops import movement as M

__all__ = ["StorageMixin", "strided"]


class _Layout:
    """``torch.strided``: la única disposición de tinygrad_es (tensores densos)."""

    def __repr__(self):
        return "torch.strided"


strided = _Layout()


def _diag_mask(shape, wrap):
    m = np.zeros(shape, bool)
    np.fill_diagonal(m, True, wrap=wrap)
    return m


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

    def dim_order(self):
        """Las dimensiones de la más externa a la más interna en memoria (por paso decreciente)."""
        st = self.stride()
        return tuple(sorted(range(len(st)), key=lambda d: -st[d]))

    def fill_diagonal_(self, fill_value, wrap=False):
        """Pone ``fill_value`` en la diagonal principal (todas las dimensiones iguales, o una matriz; con
        ``wrap`` y una matriz alta, la diagonal vuelve a empezar cada n + 1 filas, como numpy)."""
        if self.ndim < 2:
            raise RuntimeError(f"fill_diagonal_: el tensor debe tener al menos 2 dimensiones, y tiene {self.ndim}")
        if self.ndim > 2 and len(set(self.shape)) != 1:
            raise RuntimeError(f"fill_diagonal_: todas las dimensiones deben ser iguales, y la forma es "
                               f"{tuple(self.shape)}")
        return self.masked_fill_(TensorBase._wrap(_diag_mask(tuple(self.shape), wrap)), fill_value)

    def apply_(self, callable):
        """Aplica la función de Python ``callable`` a cada elemento, in situ (lento: sólo para probar)."""
        f = np.vectorize(callable, otypes=[self._data.dtype])
        return self._overwrite("apply_", lambda a: f(a) if a.size else a.copy())

    def map_(self, tensor, callable):
        """``self[i] = callable(self[i], tensor[i])`` in situ (``tensor`` con broadcasting a la forma de self)."""
        other = np.broadcast_to(tensor._data if isinstance(tensor, TensorBase) else np.asarray(tensor), self.shape)
        f = np.vectorize(callable, otypes=[self._data.dtype])
        return self._overwrite("map_", lambda a: f(a, other) if a.size else a.copy())

    def resize_(self, *sizes, memory_format=None):
        """Cambia la forma **y el tamaño** de la memoria: conserva los primeros elementos (en orden) y los
        nuevos valen 0 (en PyTorch, basura). No vale con tensores que piden gradiente, como en PyTorch."""
        if len(sizes) == 1 and not isinstance(sizes[0], numbers.Integral):
            sizes = tuple(sizes[0])
        if self.requires_grad:
            raise RuntimeError("resize_: no se puede cambiar el tamaño de un tensor que requiere gradiente")
        if any(not isinstance(s, numbers.Integral) or s < 0 for s in sizes):
            raise RuntimeError(f"resize_: cada tamaño debe ser un entero ≥ 0, y son {sizes}")
        self._check_inplace("resize_")
        flat = self._data.reshape(-1)
        new = np.zeros(tuple(int(s) for s in sizes), dtype=self._data.dtype)
        k = min(new.size, flat.size)
        new.reshape(-1)[:k] = flat[:k]
        self._data = new
        self._vc.value += 1
        return self

    def resize_as_(self, tensor, memory_format=None):
        """``resize_`` a la forma de ``tensor``."""
        return self.resize_(tuple(tensor.shape))

    def unsafe_chunk(self, chunks, dim=0):
        return self.chunk(chunks, dim)

    def unsafe_split(self, split_size, dim=0):
        return self.split(split_size, dim)

    def unsafe_split_with_sizes(self, split_sizes, dim=0):
        return self.split_with_sizes(split_sizes, dim)

    def as_strided(self, size, stride, storage_offset=None):
        """Una vista con forma ``size``, pasos ``stride`` (en elementos) y principio ``storage_offset`` sobre
        la memoria de este tensor (la de su base; por defecto, donde empieza él). Comparte memoria.
        Derivada: cada elemento de la vista devuelve su gradiente a su posición de la memoria.

        >>> torch.arange(9.).as_strided((2, 2), (1, 3))   # tensor([[0., 3.], [1., 4.]])
        """
        size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
        if len(size) != len(stride):
            raise RuntimeError(f"as_strided: size {size} y stride {stride} deben tener la misma longitud")
        if any(s < 0 for s in size) or any(s < 0 for s in stride):
            raise RuntimeError(f"as_strided: los tamaños y los pasos deben ser ≥ 0, y son {size} y {stride}")
        flat, own = M.storage_of(self._data)
        offset = own if storage_offset is None else int(storage_offset)
        need = 0 if 0 in size else offset + sum((s - 1) * st for s, st in zip(size, stride)) + 1
        if offset < 0 or need > flat.size:
            raise RuntimeError(f"as_strided: tamaños {list(size)}, pasos {list(stride)} y principio {offset} "
                               f"necesitan una memoria de {need} elementos y la de este tensor tiene {flat.size}")
        return M.AsStrided.apply(self, size=size, stride=stride, offset=offset)

    def as_strided_scatter(self, src, size, stride, storage_offset=None):
        """Una copia de este tensor con ``src`` escrito en los elementos de ``as_strided(size, stride,
        storage_offset)``. Derivadas: ∂/∂src, el gradiente de esa vista; ∂/∂self, el resto (0 en la vista)."""
        out = self.contiguous().clone()
        out.as_strided(size, stride, storage_offset).copy_(src)
        return out

    def adjoint(self):
        """La traspuesta conjugada de las dos últimas dimensiones (``mH``)."""
        return self.mH
