"""Métodos de reducción, forma e indexado de ``Tensor`` (cada uno delega en una ``Function``).

Los ejes siguen a PyTorch: ``dim``/``keepdim`` (también valen ``axis``/``keepdims``, como en
PyTorch), un 0-D admite ``dim=0`` y ``dim=-1``, y un eje fuera de rango es un ``IndexError``.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _dtype as D
from .autograd import TensorBase
from .ops import movement as M, reduce as R
from .return_types import max as _max_t, min as _min_t

__all__ = ["ShapeMixin", "norm_dims"]

_NO = object()


def norm_dims(dim, ndim: int) -> tuple:
    """``dim`` (None, int o tupla) como tupla ordenada de ejes positivos, con los errores de PyTorch."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (numbers.Integral, np.integer)) and not isinstance(dim, bool):
        dim = (int(dim),)
    n = max(ndim, 1)
    out = []
    for d in dim:
        if not isinstance(d, (numbers.Integral, np.integer)) or isinstance(d, bool):
            raise TypeError(f"los ejes deben ser enteros, no {d!r}")
        if not -n <= d < n:
            raise IndexError(f"eje fuera de rango: se esperaba uno en [{-n}, {n - 1}], pero se recibió {d}")
        out.append(int(d) % n)
    if len(set(out)) != len(out):
        raise RuntimeError(f"el eje {dim} aparece repetido en la lista de ejes")
    return tuple(sorted(out)) if ndim else ()


def _dk(dim, keepdim, axis, keepdims):
    if axis is not _NO:
        dim = axis
    if keepdims is not _NO:
        keepdim = keepdims
    return dim, bool(keepdim)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class ShapeMixin:
    __slots__ = ()

    # -- reducciones -----------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Suma sobre ``dim``. Enteros y bool suman en int64 (como PyTorch)."""
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        x = self
        if dtype is not None:
            x = x.type(dtype)
        elif x._data.dtype.kind in "biu":
            x = x.type(D.int64)
        return R.Sum.apply(x, axis=norm_dims(dim, x.ndim), keepdims=keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"mean(): no se puede deducir el dtype de salida: la entrada debe ser de "
                               f"coma flotante y es {x.dtype} (usa .float() o dtype=)")
        return R.Mean.apply(x, axis=norm_dims(dim, x.ndim), keepdims=keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=_NO, keepdims=_NO):
        """Varianza con corrección de Bessel (``correction=1`` por defecto); con N − corrección ≤ 0
        da nan (como PyTorch)."""
        if isinstance(unbiased, bool) or unbiased is None:
            corr = 1 if unbiased is None else int(unbiased)
        else:  # var(dim_int_o_tupla, ...) posicional: PyTorch acepta var(x, 1)
            raise TypeError("var: unbiased debe ser bool")
        if correction is not None:
            corr = correction
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        x = self if self._data.dtype.kind == "f" else self.type(D.get_default_dtype())
        return R.Var.apply(x, axis=norm_dims(dim, x.ndim), keepdims=keepdim, correction=corr)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=_NO, keepdims=_NO):
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims).sqrt()

    def _extreme(self, which, dim, keepdim, axis, keepdims):
        if isinstance(dim, TensorBase):  # torch.max(a, b): máximo elemento a elemento
            return self.maximum(dim) if which == "max" else self.minimum(dim)
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        if self._data.size == 0 and (dim is None or self._data.shape[self._dim(dim)] == 0):
            raise IndexError(f"{which}(): la reducción de un tensor vacío (forma {tuple(self.shape)}) "
                             f"no está definida")
        if dim is None:  # reducción total: los empates se reparten el gradiente
            return (R.Amax if which == "max" else R.Amin).apply(self, axis=norm_dims(None, self.ndim),
                                                                keepdims=False)
        d = self._dim(dim)
        argf = np.argmax if which == "max" else np.argmin
        idx = argf(self._data, axis=d, keepdims=True) if self.ndim else np.zeros((), np.int64)
        vals = M.TakeAlong.apply(self, index=idx, axis=d if self.ndim else None, keepdims=keepdim)
        ind = idx if (keepdim or not self.ndim) else np.squeeze(idx, axis=d)
        return (_max_t if which == "max" else _min_t)(vals, TensorBase._wrap(ind.astype(np.int64)))

    def max(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        """``max()``: el máximo (empates: el gradiente se reparte por igual). ``max(dim)``: la
        tupla ``(values, indices)``; el gradiente va al índice devuelto."""
        return self._extreme("max", dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        """Como ``max`` pero con el mínimo."""
        return self._extreme("min", dim, keepdim, axis, keepdims)

    def amax(self, dim=(), keepdim=False):
        """Máximo sobre ``dim`` (todos si se omite); los empates se reparten el gradiente."""
        return R.Amax.apply(self, axis=norm_dims(None if dim == () else dim, self.ndim), keepdims=keepdim)

    def amin(self, dim=(), keepdim=False):
        return R.Amin.apply(self, axis=norm_dims(None if dim == () else dim, self.ndim), keepdims=keepdim)

    def _arg(self, fn, dim, keepdim, axis):
        if axis is not _NO:
            dim = axis
        if self._data.size == 0:
            raise IndexError(f"arg{fn.__name__[3:]}(): el tensor está vacío")
        if dim is None:
            out = np.asarray(fn(self._data.reshape(-1)))
            if keepdim:
                out = out.reshape((1,) * self.ndim)
        else:
            d = self._dim(dim)
            out = fn(self._data, axis=d, keepdims=keepdim) if self.ndim else np.asarray(0)
        return TensorBase._wrap(np.asarray(out, dtype=np.int64))

    def argmax(self, dim=None, keepdim=False, *, axis=_NO):
        return self._arg(np.argmax, dim, keepdim, axis)

    def argmin(self, dim=None, keepdim=False, *, axis=_NO):
        return self._arg(np.argmin, dim, keepdim, axis)

    def _logic(self, fn, dim, keepdim):
        if dim is None:
            return TensorBase._wrap(np.asarray(fn(self._data)))
        return TensorBase._wrap(np.asarray(fn(self._data, axis=norm_dims(dim, self.ndim), keepdims=keepdim)))

    def any(self, dim=None, keepdim=False):
        """¿Algún elemento distinto de 0? Devuelve un tensor bool (como PyTorch)."""
        return self._logic(np.any, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return self._logic(np.all, dim, keepdim)

    def logsumexp(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        x = self if self._data.dtype.kind == "f" else self.type(D.get_default_dtype())
        return R.LogSumExp.apply(x, axis=norm_dims(dim, x.ndim), keepdims=keepdim)

    def softmax(self, dim=-1, dtype=None, *, axis=_NO):
        d = self._dim(dim if axis is _NO else axis)
        x = self.type(dtype) if dtype is not None else (self if self._data.dtype.kind == "f"
                                                        else self.type(D.get_default_dtype()))
        return R.Softmax.apply(x, axis=d if x.ndim else None)

    def log_softmax(self, dim=-1, dtype=None, *, axis=_NO):
        d = self._dim(dim if axis is _NO else axis)
        x = self.type(dtype) if dtype is not None else (self if self._data.dtype.kind == "f"
                                                        else self.type(D.get_default_dtype()))
        return R.LogSoftmax.apply(x, axis=d if x.ndim else None)

    # -- forma ---------------------------------------------------------------------------
    def reshape(self, *shape):
        return M.Reshape.apply(self, shape=_shape_arg(shape))

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, numbers.Integral)):
            return self.type(shape[0])  # view(dtype)
        return M.Reshape.apply(self, shape=_shape_arg(shape))

    def view_as(self, other):
        return self.reshape(other.shape)

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
        if self.ndim < 2:
            self._dim(dim0), self._dim(dim1)
            return self
        dims = list(range(self.ndim))
        a, b = self._dim(dim0), self._dim(dim1)
        dims[a], dims[b] = dims[b], dims[a]
        return M.Permute.apply(self, dims=tuple(dims))

    swapaxes = swapdims = transpose

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() espera un tensor de 2 o menos dimensiones; éste tiene {self.ndim}")
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self):
        return M.Permute.apply(self, dims=tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def flatten(self, start_dim=0, end_dim=-1):
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim), self._dim(end_dim)
        if s > e:
            raise RuntimeError("flatten: start_dim no puede ir después de end_dim")
        shp = self._data.shape
        return self.reshape(shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])

    def squeeze(self, dim=None):
        shp = self._data.shape
        if dim is None:
            new = tuple(n for n in shp if n != 1)
        else:
            ds = set(norm_dims(dim, self.ndim))
            new = tuple(n for i, n in enumerate(shp) if not (i in ds and n == 1))
        return self.reshape(new)

    def unsqueeze(self, dim):
        n = self.ndim + 1
        if not -n <= dim < n:
            raise IndexError(f"eje fuera de rango: se esperaba uno en [{-n}, {n - 1}], pero se recibió {dim}")
        d = dim % n
        shp = self._data.shape
        return self.reshape(shp[:d] + (1,) + shp[d:])

    def expand(self, *shape):
        shape = _shape_arg(shape)
        if len(shape) < self.ndim:
            raise RuntimeError(f"expand: la forma {shape} tiene menos ejes que el tensor {tuple(self.shape)}")
        off = len(shape) - self.ndim
        shape = tuple(self._data.shape[i - off] if n == -1 else n for i, n in enumerate(shape))
        return M.Expand.apply(self, shape=shape)

    def expand_as(self, other):
        return self.expand(other.shape)

    def pad(self, pad_width, value=0.0):
        """Relleno constante al estilo numpy: ((antes, después), ...) por eje."""
        return M.Pad.apply(self, pad_width=pad_width, value=value)

    # -- indexado ---------------------------------------------------------------------------
    def __getitem__(self, index):
        return M.GetItem.apply(self, index=M.norm_index(index, self._data.shape))
