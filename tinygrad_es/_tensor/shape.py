"""Métodos de forma de ``Tensor``: ``reshape``/``view``, ``permute``/``transpose``, ``flatten``,
``squeeze``/``unsqueeze``, ``expand``, ``pad``, trocear (``split``, ``chunk``, ``unbind``, ``narrow``),
``movedim``, ``unflatten``, ``unfold`` y el indexado con ``[]``.

Casi todos son vistas (``Reshape``, ``Permute``, ``Expand``, ``GetItem``) o se componen de ellas.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..ops import movement as M, rearrange as RA
from ._args import int_list, kw_arg, norm_dim, norm_dims, torch_index

__all__ = ["ShapeMixin"]


def _shape_arg(shape, op=None):
    """Los tamaños (o ejes) como tupla de ``int``: ``TypeError`` si alguno no es entero (``'3'``,
    ``2.5``), como PyTorch. Con ``op`` (reshape/view) también ``RuntimeError`` para un tamaño < −1."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if all(s.__class__ is int and s >= -1 for s in shape):  # el caso común: enteros de Python válidos
        return tuple(shape)
    for s in shape:
        if not isinstance(s, (numbers.Integral, np.integer)) and not (getattr(s, "ndim", None) == 0
                                                                      and s.dtype.kind in "iub"):
            raise TypeError(f"{op or 'forma'}: cada tamaño debe ser un entero, no {type(s).__name__} ({s!r}) "
                            f"en {tuple(shape)}")
    out = tuple(int(s) for s in shape)
    if op is not None:
        for i, s in enumerate(out):
            if s < -1:
                raise RuntimeError(f"{op}: tamaño no válido {s} en la posición {i} de la forma {out} (sólo -1 "
                                   f"se admite como negativo: «el que falte»)")
    return out


def _multi(views, name):
    """Marca las vistas que devuelve una función de varias salidas (``split``, ``unbind``...)."""
    for v in views:
        if v._view is not None and v._view.grad:
            v._view.multi = name
    return views


class ShapeMixin:
    __slots__ = ()

    # -- forma ---------------------------------------------------------------------------
    def reshape(self, *shape):
        """La misma información con otra forma (``-1`` deduce un eje); vista si la memoria lo permite, si no
        copia, como ``torch.reshape``. Derivada: el gradiente con la forma de la entrada.
        """
        return M.Reshape.apply(self, shape=_shape_arg(shape, "reshape"))

    def view(self, *shape, dtype=None):
        """La misma memoria con otra forma (``RuntimeError`` si la disposición en memoria no lo
        permite: usa ``reshape``). ``view(dtype)`` reinterpreta los bits como otro tipo (sin
        gradiente; si el tamaño del elemento cambia, cambia el último eje), como PyTorch."""
        if dtype is None and len(shape) == 1 and not isinstance(shape[0], (tuple, list, numbers.Integral, np.integer)):
            dtype = shape[0]
        if dtype is not None:
            return self._view_dtype(dtype)
        return M.Reshape.apply(self, shape=_shape_arg(shape, "view"), view=True)

    def _view_dtype(self, dtype):
        npd = D.np_dtype(dtype)
        a = self._data
        old, new = a.dtype.itemsize, npd.itemsize
        if old != new:
            if a.ndim == 0:
                raise RuntimeError(f"view({D.as_dtype(dtype)}): un tensor 0-D sólo se puede ver como un tipo del "
                                   f"mismo tamaño ({old} bytes)")
            if new > old and a.shape[-1] % (new // old):
                raise RuntimeError(f"view({D.as_dtype(dtype)}): el último eje ({a.shape[-1]}) debe ser divisible "
                                   f"por {new // old} para ver {self.dtype} como {D.as_dtype(dtype)}")
            if a.ndim and a.strides[-1] != old and a.shape[-1] != 1:
                raise RuntimeError(f"view({D.as_dtype(dtype)}): el último eje debe ser contiguo en memoria")
        try:
            out = a.view(npd)
        except ValueError as e:
            raise RuntimeError(f"view({D.as_dtype(dtype)}): {e}") from None
        return TensorBase._wrap(out, False, self._vc)

    def view_as(self, other):
        return self.view(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def permute(self, *dims):
        dims = _shape_arg(dims)
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute: el número de ejes no coincide: el tensor tiene {self.ndim} y se "
                               f"dieron {len(dims)} ({dims})")
        return M.Permute.apply(self, dims=tuple(self._dim(d) for d in dims))

    def transpose(self, dim0, dim1):
        """Intercambia dos ejes."""
        if self.ndim < 2:  # como PyTorch, una vista (otro tensor), no el mismo
            self._dim(dim0), self._dim(dim1)
            return M.Permute.apply(self, dims=tuple(range(self.ndim)))
        dims = list(range(self.ndim))
        a, b = self._dim(dim0), self._dim(dim1)
        dims[a], dims[b] = dims[b], dims[a]
        return M.Permute.apply(self, dims=tuple(dims))

    swapaxes = swapdims = transpose

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() espera un tensor de 2 o menos dimensiones; éste tiene {self.ndim}")
        # como PyTorch, un 0-D o 1-D da una vista (otro tensor que comparte memoria), no el mismo
        return self.transpose(0, 1) if self.ndim == 2 else M.Permute.apply(self, dims=tuple(range(self.ndim)))

    @property
    def T(self):
        return M.Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        """Traspone los dos últimos ejes (lotes de matrices). Un 0-D queda igual (con un aviso, como
        PyTorch); un 1-D es un error."""
        if self.ndim == 0:  # como PyTorch: el mismo tensor (con un aviso)
            warnings.warn("Tensor.mT en un tensor 0-D está obsoleto (también en PyTorch): devuelve el mismo "
                          "tensor", UserWarning, stacklevel=2)
            return self
        if self.ndim == 1:
            raise RuntimeError("tensor.mT sólo vale para matrices o lotes de matrices; este tensor es 1-D "
                               "(usa .T o .unsqueeze)")
        return self.transpose(-2, -1)

    mH = mT

    def flatten(self, start_dim=0, end_dim=-1):
        """Junta los ejes ``start_dim``..``end_dim`` en uno (una vista si se puede). Si no hay nada
        que juntar devuelve el mismo tensor, como PyTorch."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim), self._dim(end_dim)
        if s > e:
            raise RuntimeError("flatten: start_dim no puede ir después de end_dim")
        if s == e:
            return self
        shp = self._data.shape
        return self.reshape(shp[:s] + (math.prod(shp[s:e + 1]),) + shp[e + 1:])

    def ravel(self):
        """El tensor como 1-D (una vista si se puede): ``flatten()`` sin argumentos. Derivada: g con la
        forma de ``self``. En PyTorch: ``torch.ravel``.

        >>> torch.tensor([[1, 2], [3, 4]]).ravel()   # tensor([1, 2, 3, 4])
        """
        return self.reshape(-1)

    def sum_to_size(self, *size):
        """Suma los ejes que el broadcasting habría añadido o estirado para llegar de ``size`` a la
        forma de ``self`` (la inversa de ``expand``): el resultado tiene forma ``size``.

        Args:
            size: la forma de destino, que debe poder expandirse a ``self.shape``.

        Derivada: g expandido a la forma de ``self``. En PyTorch: ``Tensor.sum_to_size``.

        >>> torch.ones(2, 3).sum_to_size(1, 3)   # tensor([[2., 2., 2.]])
        """
        size = tuple(_shape_arg(size))
        shp = tuple(self.shape)
        off = len(shp) - len(size)
        if off < 0 or any(n != 1 and n != shp[off + i] for i, n in enumerate(size)):
            raise RuntimeError(f"sum_to_size: la forma {list(size)} no se puede expandir a la forma {list(shp)} "
                               f"del tensor")
        if not size:  # como PyTorch (at::sum_to): a la forma () siempre se suma (bool → int64)
            return self.sum()
        dims = tuple(range(off)) + tuple(off + i for i, n in enumerate(size) if n == 1 and shp[off + i] != 1)
        return self.sum(dims, keepdim=True).reshape(size) if dims else self

    def squeeze(self, dim=None):
        shp = self._data.shape
        if dim is None:
            new = tuple(n for n in shp if n != 1)
        else:
            ds = set(norm_dims(dim, self.ndim))
            new = tuple(n for i, n in enumerate(shp) if not (i in ds and n == 1))
        return self.reshape(new)

    def unsqueeze(self, dim):
        d = norm_dim(dim, self.ndim + 1)
        shp = self._data.shape
        return self.reshape(shp[:d] + (1,) + shp[d:])

    def expand(self, *shape):
        shape = _shape_arg(shape)
        if len(shape) < self.ndim:
            raise RuntimeError(f"expand: la forma {tuple(shape)} tiene menos ejes que el tensor {tuple(self.shape)}")
        off = len(shape) - self.ndim
        shape = tuple(self._data.shape[i - off] if n == -1 else n for i, n in enumerate(shape))
        return M.Expand.apply(self, shape=shape)

    def expand_as(self, other):
        return self.expand(other.shape)

    def pad(self, pad_width, value=0.0):
        """Relleno constante al estilo numpy: ((antes, después), ...) por eje."""
        return M.Pad.apply(self, pad_width=pad_width, value=value)

    def _need_dims(self, op):
        if self.ndim == 0:
            raise RuntimeError(f"{op}: la entrada debe tener al menos 1 dimensión (es un tensor 0-D)")

    # -- trocear --------------------------------------------------------------------------------
    def split(self, split_size, dim=0):
        """Trozos de tamaño ``split_size`` (el último puede ser menor) o de los tamaños de la lista:
        vistas, que (como en PyTorch) no se pueden modificar in situ si el tensor tiene grafo."""
        return _multi(self._split(split_size, dim), "split")

    def split_with_sizes(self, split_sizes, dim=0):
        """Trozos de los tamaños de la lista ``split_sizes`` (que deben sumar ``self.shape[dim]``). Cada
        trozo es una vista; el gradiente de cada uno vuelve a su tramo. En PyTorch:
        ``torch.split_with_sizes``.

        >>> [t.tolist() for t in torch.arange(5).split_with_sizes([2, 3])]   # [[0, 1], [2, 3, 4]]
        """
        if isinstance(split_sizes, (numbers.Integral, np.integer)) or isinstance(split_sizes, TensorBase):
            raise TypeError(f"split_with_sizes(): split_sizes debe ser una lista de enteros, no "
                            f"{type(split_sizes).__name__}")
        return self.split(list(split_sizes), dim)

    def _split(self, split_size, dim=0):
        self._need_dims("split")
        d = self._dim(dim)
        n = self.shape[d]
        s = split_size
        if isinstance(s, (numbers.Integral, np.integer)):
            if s <= 0 and not (s == 0 and n == 0):
                raise RuntimeError(f"split: el tamaño de los trozos debe ser > 0, no {s}")
            sizes = [min(s, n - i) for i in range(0, n, s)] if n else [0]
        else:
            sizes = list(int_list((s,), "split"))
            if sum(sizes) != n or any(v < 0 for v in sizes):
                raise RuntimeError(f"split: los tamaños {sizes} deben sumar {n} (el tamaño del eje {dim})")
        return tuple(self.narrow(d, int(b), int(v)) for b, v in zip(np.cumsum([0] + sizes[:-1]), sizes))

    def tensor_split(self, indices_or_sections, dim=0):
        """Parte en ``n`` trozos casi iguales (los primeros, uno más largos) o por los índices dados."""
        self._need_dims("tensor_split")
        d = self._dim(dim)
        n = self.shape[d]
        ios = indices_or_sections
        if isinstance(ios, TensorBase):  # 0-D: número de trozos; 1-D: índices (como PyTorch)
            if ios._data.dtype.kind not in "iu" or ios.ndim > 1:
                raise RuntimeError(f"tensor_split: un tensor de índices o trozos debe ser entero (int64) de 0 o "
                                   f"1 dimensiones, no {ios.dtype} de forma {tuple(ios.shape)}")
            ios = int(ios._data) if ios.ndim == 0 else [int(v) for v in ios._data]
        if isinstance(ios, (numbers.Integral, np.integer)):
            k = int(ios)
            if k <= 0:
                raise RuntimeError(f"tensor_split: el número de trozos debe ser > 0, no {k}")
            sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
            bounds = np.cumsum([0] + sizes)
        else:
            bounds = [0] + [min(max(int(i), 0), n) for i in ios] + [n]
        return tuple(self.narrow(d, int(a), max(int(b) - int(a), 0)) for a, b in zip(bounds[:-1], bounds[1:]))

    def chunk(self, chunks, dim=0):
        """Hasta ``chunks`` trozos de ⌈n/chunks⌉ elementos (puede salir alguno menos, como en PyTorch)."""
        self._need_dims("chunk")
        if chunks <= 0:
            raise RuntimeError(f"chunk: el número de trozos debe ser > 0, no {chunks}")
        d = self._dim(dim)
        n = self.shape[d]
        if n == 0:  # PyTorch devuelve `chunks` trozos vacíos
            return _multi(tuple(self.narrow(d, 0, 0) for _ in range(chunks)), "chunk")
        return _multi(self._split(-(-n // chunks), dim), "chunk")

    def unbind(self, dim=0):
        """Tupla con los cortes del eje ``dim`` (cada uno sin ese eje)."""
        d = self._dim(dim)
        lead = (slice(None),) * d
        return _multi(tuple(self[lead + (i,)] for i in range(self.shape[d])), "unbind")

    def select(self, dim, index):
        """El corte ``index`` del eje ``dim`` (sin ese eje), como vista: ``x.select(1, 2)`` es ``x[:, 2]``."""
        self._need_dims("select")
        d = self._dim(dim)
        if not isinstance(index, (numbers.Integral, np.integer)) or isinstance(index, bool):
            raise TypeError(f"select: el índice debe ser un entero, no {index!r}")
        return self[(slice(None),) * d + (int(index),)]

    def narrow(self, dim, start, length):
        """``length`` elementos del eje ``dim`` desde ``start`` (que puede ser negativo)."""
        self._need_dims("narrow")
        d = self._dim(dim)
        n = self.shape[d]
        start = int(start)
        if not -n <= start <= n:
            raise IndexError(f"narrow: start = {start} fuera de rango para el eje {dim} de tamaño {n}")
        if start < 0:
            start += n
        if length < 0 or start + length > n:
            raise RuntimeError(f"narrow: start ({start}) + length ({length}) supera el tamaño del eje ({n})")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def movedim(self, source, destination):
        """Lleva los ejes ``source`` a las posiciones ``destination`` (el resto conserva su orden)."""
        src = int_list((source,), "movedim") if isinstance(source, (tuple, list)) else (int(source),)
        dst = int_list((destination,), "movedim") if isinstance(destination, (tuple, list)) else (int(destination),)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: source ({len(src)}) y destination ({len(dst)}) deben tener la misma "
                               f"longitud")
        src = tuple(self._dim(s) for s in src)
        dst = tuple(self._dim(s) for s in dst)
        if len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise RuntimeError("movedim: hay ejes repetidos")
        if self.ndim == 0:
            return self
        perm = [None] * self.ndim
        for s_, d_ in zip(src, dst):
            perm[d_] = s_
        rest = iter(d for d in range(self.ndim) if d not in src)
        return self.permute(*[p if p is not None else next(rest) for p in perm])

    moveaxis = movedim

    def unflatten(self, dim, sizes):
        """Parte el eje ``dim`` en varios de tamaños ``sizes`` (uno puede ser −1)."""
        self._need_dims("unflatten")
        d = self._dim(dim)
        sizes = int_list((sizes,), "unflatten")
        n = self.shape[d]
        if sizes.count(-1) > 1:
            raise RuntimeError("unflatten: sólo un tamaño puede ser -1")
        known = int(np.prod([s for s in sizes if s != -1]))
        if -1 in sizes:
            if known == 0 or n % known:
                raise RuntimeError(f"unflatten: los tamaños {sizes} no encajan en un eje de tamaño {n}")
            sizes = tuple(n // known if s == -1 else s for s in sizes)
        elif known != n:
            raise RuntimeError(f"unflatten: los tamaños {sizes} multiplican {known}, no {n} (el tamaño del eje)")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    def broadcast_to(self, *shape, **kw):
        """Vista expandida a ``size`` (como ``expand``)."""
        return self.expand(*kw_arg(shape, kw, "size", "broadcast_to"))

    def unfold(self, dimension, size, step):
        """Ventanas de tamaño ``size`` con paso ``step`` a lo largo de ``dimension`` (nuevo eje al final)."""
        if self.ndim == 0:
            if size > 1:
                raise RuntimeError(f"unfold: size ({size}) no puede ser mayor que 1 en un tensor 0-D")
            return self.reshape(1)
        d = self._dim(dimension)
        if size > self.shape[d]:
            raise RuntimeError(f"unfold: size ({size}) no puede ser mayor que el tamaño del eje ({self.shape[d]})")
        if step <= 0:
            raise RuntimeError(f"unfold: step debe ser > 0, no {step}")
        if size < 0:
            raise RuntimeError(f"unfold: size debe ser ≥ 0, no {size}")
        return RA.Unfold.apply(self, dim=d, size=int(size), step=int(step))

    # -- indexado ---------------------------------------------------------------------------
    def __getitem__(self, index):
        """``t[índice]`` con las reglas de PyTorch (enteros, cortes, ``None``, ``...``, tensores de índices o
        máscaras); derivada: el gradiente se suma en las posiciones elegidas.
        """
        return M.GetItem.apply(self, index=torch_index(index, self._data.shape))
