"""Métodos de ordenación, selección y barridos acumulados de ``Tensor``: ``sort``, ``argsort``,
``topk``, ``kthvalue``, ``median``, ``nanmedian``, ``mode``, ``unique``, ``cumsum``, ``cumprod``,
``cummax``, ``cummin``, ``logcumsumexp``, ``diff``; y dónde están los no nulos: ``nonzero``/``argwhere``,
``nonzero_static`` y ``count_nonzero``.

Los que eligen elementos devuelven ``(values, indices)`` como tuplas con nombre
(``tinygrad_es.return_types``); el gradiente de ``values`` vuelve a la posición elegida.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .. import return_types as RT
from ..autograd import TensorBase
from ..ops import indexing as I, sorting as S
from ._args import floats_only, no_bool_input, norm_dims
from .joins import cat

__all__ = ["SortMixin"]


def _wrap_idx(a):
    return TensorBase._wrap(np.asarray(a, dtype=np.int64))


class SortMixin:
    __slots__ = ()

    def _pick(self, idx, d, keepdim):
        """``values`` elegidos con ``idx`` (con keepdims) y los índices, quitando el eje si hace falta."""
        vals = I.Pick.apply(self, index=idx, dim=d)
        if not keepdim:
            shape = tuple(n for i, n in enumerate(idx.shape) if i != d)
            return vals.reshape(shape), _wrap_idx(idx.reshape(shape))
        return vals, _wrap_idx(idx)

    def _nonempty(self, d, op):
        if self.shape[d] == 0:
            raise IndexError(f"{op}(): el eje {d} tiene tamaño 0; no se puede reducir un eje vacío")

    # -- ordenación ----------------------------------------------------------------------------
    def sort(self, dim=-1, descending=False, stable=False):
        """``(values, indices)`` ordenados a lo largo de ``dim``; nan va al final (al principio con
        ``descending=True``). Con ``stable=True`` los empates conservan el orden original; sin él,
        los índices de los empates son los del ``std::sort`` de PyTorch (iguales a los suyos)."""
        if self.ndim == 0:
            self._dim(dim)
            return RT.sort(I.Pick.apply(self.reshape(1), index=np.zeros(1, np.int64), dim=0).reshape(()),
                           _wrap_idx(0))
        d = self._dim(dim)
        idx = S.sort_indices(self._data, d, bool(descending), bool(stable))
        return RT.sort(*self._pick(idx, d, True))

    def argsort(self, dim=-1, descending=False, stable=False):
        """Los índices de ``sort``."""
        return self.sort(dim, descending, stable).indices

    def msort(self):
        """Ordena a lo largo del eje 0 (``sort(0).values``)."""
        return self.sort(0).values

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """Los ``k`` mayores (``largest=False``: menores) a lo largo de ``dim``, ordenados."""
        if self._data.dtype == np.bool_:
            raise RuntimeError("topk no admite tensores bool (como PyTorch); convierte con .long()")
        x = self.reshape(1) if self.ndim == 0 else self
        d = x._dim(dim if self.ndim else 0)
        n = x.shape[d]
        if self.ndim == 0 and k == 0:
            k = 1  # PyTorch: topk(0) de un 0-D devuelve el propio valor
        if not isinstance(k, (int, np.integer)) or k < 0 or k > n:
            raise RuntimeError(f"topk(): k = {k} fuera de rango: debe estar entre 0 y {n} (el tamaño del "
                               f"eje {dim})")
        idx = S.topk_indices(x._data, int(k), d, bool(largest), bool(sorted))
        vals, ind = x._pick(idx, d, True)
        if self.ndim == 0:
            return RT.topk(vals.reshape(()), _wrap_idx(ind._data.reshape(())))
        return RT.topk(vals, ind)

    def kthvalue(self, k, dim=-1, keepdim=False):
        if self.ndim and self.shape[self._dim(dim)]:  # un eje vacío es antes IndexError; un 0-D vale (PyTorch)
            no_bool_input(self, "kthvalue")
        return self._kthvalue(k, dim, keepdim)

    def _kthvalue(self, k, dim=-1, keepdim=False):
        """``(values, indices)`` del k-ésimo menor (k desde 1) a lo largo de ``dim``."""
        x = self.reshape(1) if self.ndim == 0 else self
        d = x._dim(dim if self.ndim else 0)
        n = x.shape[d]
        if n == 0:
            raise IndexError(f"kthvalue(): el eje {dim} tiene tamaño 0; no se puede reducir un eje vacío")
        if not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): k = {k} fuera de rango para el eje {dim} de tamaño {n}")
        if x.numel() == 0:
            return RT.kthvalue(*x._pick(np.zeros(x.shape[:d] + (1,) + x.shape[d + 1:], np.int64), d, keepdim))
        vals, ind = x._pick(S.kth_indices(x._data, int(k) - 1, d), d, keepdim or self.ndim == 0)
        if self.ndim == 0:
            return RT.kthvalue(vals.reshape(()), _wrap_idx(ind._data.reshape(())))
        return RT.kthvalue(vals, ind)

    def _median(self, dim, keepdim, ignore_nan, op):
        no_bool_input(self, op)
        if dim is None:
            if self._data.dtype.kind != "f" and self.numel() == 0:
                raise RuntimeError(f"{op}(): no está definida para un tensor entero vacío")
            return S.MedianAll.apply(self, ignore_nan=ignore_nan)
        x = self.reshape(1) if self.ndim == 0 else self
        d = x._dim(dim if self.ndim else 0)
        if x.shape[d] == 0:
            if x.numel() == 0 and any(n == 0 for i, n in enumerate(x.shape) if i != d):
                return (RT.nanmedian if ignore_nan else RT.median)(
                    *x._pick(np.zeros(x.shape[:d] + (1,) + x.shape[d + 1:], np.int64), d, keepdim))
            self._nonempty(d, op)
        vals, ind = x._pick(S.median_indices(x._data, d, ignore_nan), d, keepdim or self.ndim == 0)
        kind = RT.nanmedian if ignore_nan else RT.median
        if self.ndim == 0:
            return kind(vals.reshape(()), _wrap_idx(ind._data.reshape(())))
        return kind(vals, ind)

    def median(self, dim=None, keepdim=False):
        """Mediana inferior (con un número par de elementos, el menor de los dos centrales). Sin
        ``dim``: un tensor 0-D; con ``dim``: ``(values, indices)``. Si hay nan, el resultado es nan."""
        return self._median(dim, keepdim, False, "median")

    def nanmedian(self, dim=None, keepdim=False):
        """Como ``median`` pero ignorando los nan."""
        return self._median(dim, keepdim, True, "nanmedian")

    def mode(self, dim=-1, keepdim=False):
        """``(values, indices)`` del valor más frecuente a lo largo de ``dim`` (el menor si hay
        empate; el índice es el de su última aparición)."""
        x = self.reshape(1) if self.ndim == 0 else self
        d = x._dim(dim if self.ndim else 0)
        if x.shape[d] == 0:
            raise IndexError(f"mode(): el eje {dim} tiene tamaño 0; no se puede reducir un eje vacío")
        if x.numel() == 0:
            return RT.mode(*x._pick(np.zeros(x.shape[:d] + (1,) + x.shape[d + 1:], np.int64), d, keepdim))
        vals, ind = x._pick(S.mode_indices(x._data, d), d, keepdim or self.ndim == 0)
        if self.ndim == 0:
            return RT.mode(vals.reshape(()), _wrap_idx(ind._data.reshape(())))
        return RT.mode(vals, ind)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """Valores distintos (ordenados). Con ``return_inverse``, dónde está cada elemento en el
        resultado; con ``return_counts``, cuántas veces aparece. Sin gradiente (como PyTorch)."""
        a = self._data
        axis = None if dim is None else self._dim(dim)
        kw = {} if a.dtype.kind != "f" or axis is not None else {"equal_nan": False}
        u, inv, cnt = np.unique(a if axis is not None or a.ndim else a.reshape(1), return_inverse=True,
                                return_counts=True, axis=axis, **kw)
        out = [S.Unique.apply(self, values=u) if self.requires_grad else TensorBase._wrap(u)]
        if return_inverse:
            out.append(_wrap_idx(inv.reshape(a.shape) if axis is None else inv.reshape(-1)))
        if return_counts:
            out.append(_wrap_idx(cnt))
        return out[0] if len(out) == 1 else tuple(out)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        """Quita las repeticiones consecutivas (como ``uniq`` de Unix)."""
        if dim is not None:
            raise NotImplementedError("unique_consecutive(dim=...) no está implementada; usa dim=None")
        a = self._data.reshape(-1)
        start = np.ones(a.size, dtype=bool)
        start[1:] = a[1:] != a[:-1]
        out = [TensorBase._wrap(a[start])]
        if return_inverse:
            out.append(_wrap_idx((np.cumsum(start) - 1).reshape(self._data.shape)))
        if return_counts:
            out.append(_wrap_idx(np.diff(np.append(np.flatnonzero(start), a.size))))
        return out[0] if len(out) == 1 else tuple(out)

    # -- barridos acumulados -----------------------------------------------------------------
    def _scan_input(self, dtype):
        if dtype is not None:
            return self.type(dtype)
        return self.type(D.int64) if self._data.dtype.kind in "biu" else self

    def cumsum(self, dim, *, dtype=None):
        """Suma acumulada a lo largo de ``dim`` (enteros y bool → int64)."""
        x = self._scan_input(dtype)
        if x.ndim == 0:
            x._dim(dim)
            return S.Cumsum.apply(x.reshape(1), axis=0).reshape(())
        return S.Cumsum.apply(x, axis=x._dim(dim))

    def cumprod(self, dim, *, dtype=None):
        """Producto acumulado a lo largo de ``dim`` (gradiente exacto también con ceros)."""
        x = self._scan_input(dtype)
        if x.ndim == 0:
            x._dim(dim)
            return S.Cumprod.apply(x.reshape(1), axis=0).reshape(())
        return S.Cumprod.apply(x, axis=x._dim(dim))

    def _cum_extreme(self, dim, for_max, rt):
        x = self.reshape(1) if self.ndim == 0 else self
        d = x._dim(dim if self.ndim else 0)
        idx = S.cum_extreme(x._data, d, for_max)
        vals = I.Pick.apply(x, index=idx, dim=d)
        if self.ndim == 0:
            return rt(vals.reshape(()), _wrap_idx(idx.reshape(())))
        return rt(vals, _wrap_idx(idx))

    def cummax(self, dim):
        """``(values, indices)`` del máximo acumulado (en empates, el índice más reciente)."""
        return self._cum_extreme(dim, True, RT.cummax)

    def cummin(self, dim):
        """``(values, indices)`` del mínimo acumulado (en empates, el índice más reciente)."""
        return self._cum_extreme(dim, False, RT.cummin)

    def logcumsumexp(self, dim):
        """``log(cumsum(exp(x)))`` calculado sin desbordar."""
        floats_only(self, "logcumsumexp")
        x = self
        if x.ndim == 0:
            x._dim(dim)
            return S.LogCumSumExp.apply(x.reshape(1), axis=0).reshape(())
        return S.LogCumSumExp.apply(x, axis=x._dim(dim))

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        """Diferencias ``x[i+1] − x[i]`` a lo largo de ``dim``, ``n`` veces (bool: ``!=``)."""
        if self.ndim == 0:
            raise RuntimeError("diff() necesita un tensor de al menos 1 dimensión")
        if n < 0:
            raise RuntimeError(f"diff(): el orden n debe ser ≥ 0, no {n}")
        if n == 0:
            return self  # como PyTorch: sin diferencias, ni prepend ni append
        d = self._dim(dim)
        x = self
        if prepend is not None or append is not None:
            parts = [p if isinstance(p, TensorBase) else TensorBase._wrap(np.asarray(p, self._data.dtype))
                     for p in (prepend, self, append) if p is not None]
            parts = [p if p.ndim else p.reshape(1).expand(*(self.shape[:d] + (1,) + self.shape[d + 1:]))
                     for p in parts]
            for p in parts:
                if p.ndim != self.ndim:
                    raise RuntimeError(f"diff(): prepend y append deben tener las mismas dimensiones que la "
                                       f"entrada ({self.ndim}), y hay una de {p.ndim}")
            x = cat(parts, d)
        lead = (slice(None),) * d
        for _ in range(n):
            if x.shape[d] == 0:
                break
            a, b = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
            x = a.logical_xor(b) if x._data.dtype == np.bool_ else a - b
        return x

    def cumsum_(self, dim, *, dtype=None):
        """``cumsum`` in situ."""
        return self._inplace("cumsum_", lambda s: s.cumsum(dim, dtype=dtype or s.dtype))

    def cumprod_(self, dim, *, dtype=None):
        """``cumprod`` in situ."""
        return self._inplace("cumprod_", lambda s: s.cumprod(dim, dtype=dtype or s.dtype))

    # -- dónde están los elementos no nulos -------------------------------------------------------
    def nonzero(self, *, as_tuple=False):
        """Índices de los elementos distintos de 0: tensor (N, ndim) o, con ``as_tuple``, una tupla."""
        d = self._data
        if as_tuple:
            if d.ndim == 0:
                return (TensorBase._wrap(np.zeros(int(d != 0), dtype=np.int64)),)
            return tuple(TensorBase._wrap(i.astype(np.int64)) for i in np.nonzero(d))
        if d.ndim == 0:
            return TensorBase._wrap(np.zeros((int(d != 0), 0), dtype=np.int64))
        return TensorBase._wrap(np.argwhere(d).astype(np.int64))

    argwhere = nonzero

    def nonzero_static(self, *, size, fill_value=-1):
        """``nonzero`` con un número fijo de filas: los índices (``size``, ndim) de los primeros ``size``
        elementos distintos de 0, en orden, y filas de ``fill_value`` si hay menos. En PyTorch:
        ``torch.nonzero_static``."""
        if isinstance(size, bool) or not isinstance(size, (numbers.Integral, np.integer)) or size < 0:
            raise RuntimeError(f"nonzero_static: size tiene que ser un entero ≥ 0, y es {size!r}")
        idx = np.argwhere(self._data)[: int(size)].astype(np.int64)
        out = np.full((int(size), self._data.ndim), fill_value, dtype=np.int64)
        out[: len(idx)] = idx
        return TensorBase._wrap(out)

    def count_nonzero(self, dim=None):
        """Cuántos elementos distintos de 0 (int64), en total o por ``dim``."""
        dims = norm_dims(dim, self.ndim)
        return TensorBase._wrap(np.asarray(np.count_nonzero(self._data, axis=dims or None)
                                           if self.ndim else int(self._data != 0), dtype=np.int64))
