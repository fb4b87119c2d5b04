"""Métodos de indexado con tensores de ``Tensor``: ``gather``, ``scatter``, ``scatter_add``,
``scatter_reduce``, ``index_select``, ``index_add``, ``index_fill``, ``masked_fill``,
``masked_select``, ``take``, ``nonzero``, ``where``, ``index_copy``, ``index_put``, ``put`` (con sus
variantes in situ).

Aquí se validan los argumentos con los mensajes (en castellano) y los tipos de error de PyTorch;
el cálculo y el gradiente están en ``ops/indexing.py``.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import TensorBase
from ..ops import indexing as I
from ._args import as_index, check_fits
from .joins import where

__all__ = ["IndexMixin"]

_REDUCES = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin"}


def _same_dtype(x, src, op):
    if src._data.dtype != x._data.dtype:
        raise RuntimeError(f"{op}(): src debe tener el mismo dtype que el tensor ({x.dtype}), y es "
                           f"{src.dtype}")


class IndexMixin:
    __slots__ = ()

    def _scalar_dims(self, index):
        """Tensores 0-D: se trabaja con forma (1,) y se vuelve a la del índice al final."""
        if self.ndim == 0:
            return self.reshape(1), index.reshape(-1)
        return self, index

    # -- gather / scatter -------------------------------------------------------------------
    def gather(self, dim, index, *, sparse_grad=False):
        """``out[i][j] = self[i][index[i][j]]`` (para ``dim=1``); ``out`` tiene la forma de ``index``."""
        idx = as_index(index, "gather")
        d = self._dim(dim)
        x, i1 = self._scalar_dims(idx)
        I.check_index(i1, x.shape, d, "gather")
        out = I.Gather.apply(x, index=i1, dim=d)
        return out.reshape(idx.shape) if self.ndim == 0 else out

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        """Copia de ``self`` con ``out[i][index[i][j]] = src[i][j]`` (``dim=1``); ``src`` puede ser
        un número. Con índices repetidos gana uno cualquiera (como en PyTorch)."""
        if src is None and value is None:
            raise TypeError("scatter(): falta src (un tensor) o value (un número)")
        src = value if src is None else src
        if reduce is not None:
            if reduce not in ("add", "multiply"):
                raise RuntimeError(f"scatter(): reduce debe ser 'add' o 'multiply', no {reduce!r}")
            if not isinstance(src, TensorBase):
                src = TensorBase._wrap(np.full(np.shape(as_index(index, "scatter")), src, self._data.dtype))
            return self.scatter_reduce(dim, index, src, "sum" if reduce == "add" else "prod")
        idx = as_index(index, "scatter")
        d = self._dim(dim)
        x, i1 = self._scalar_dims(idx)
        if isinstance(src, TensorBase):
            _same_dtype(self, src, "scatter")
            s = src.reshape(-1) if self.ndim == 0 else src
            I.check_index(i1, x.shape, d, "scatter", s.shape)
            out = I.Scatter.apply(x, s, index=i1, dim=d)
        else:
            if not isinstance(src, (numbers.Number, np.number, np.bool_)):
                raise TypeError(f"scatter(): src debe ser un tensor o un número, no {type(src).__name__}")
            I.check_index(i1, x.shape, d, "scatter")
            out = I.Scatter.apply(x, index=i1, dim=d, value=np.asarray(src).astype(self._data.dtype))
        return out.reshape(()) if self.ndim == 0 else out

    def _scatter_args(self, dim, index, src, op):
        """Lo común de ``scatter_add`` y ``scatter_reduce``: entrada, ``src``, índice y eje comprobados
        (con los 0-D como forma (1,))."""
        idx = as_index(index, op)
        d = self._dim(dim)
        _same_dtype(self, src, op)
        x, i1 = self._scalar_dims(idx)
        s = src.reshape(-1) if self.ndim == 0 else src
        I.check_index(i1, x.shape, d, op, s.shape)
        return x, s, i1, d

    def scatter_add(self, dim, index, src):
        """Copia de ``self`` con ``out[i][index[i][j]] += src[i][j]`` (los repetidos se suman)."""
        x, s, i1, d = self._scatter_args(dim, index, src, "scatter_add")
        out = I.ScatterAdd.apply(x, s, index=i1, dim=d)
        return out.reshape(()) if self.ndim == 0 else out

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        """Reduce en cada posición los ``src`` que apuntan a ella (y ``self`` si ``include_self``)
        con ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` o ``"amin"``."""
        if reduce not in _REDUCES:
            raise RuntimeError(f"scatter_reduce(): reduce debe ser 'sum', 'prod', 'mean', 'amax' o 'amin', "
                               f"no {reduce!r}")
        x, s, i1, d = self._scatter_args(dim, index, src, "scatter_reduce")
        out = I.ScatterReduce.apply(x, s, index=i1, dim=d, reduce=_REDUCES[reduce],
                                    include_self=bool(include_self))
        return out.reshape(()) if self.ndim == 0 else out

    # -- index_* ---------------------------------------------------------------------------
    def _index_1d(self, index, dim, op):
        idx = as_index(index, op)
        if idx.ndim > 1:
            raise IndexError(f"{op}(): el índice debe ser un vector (1-D), no de forma {tuple(idx.shape)}")
        idx = idx.reshape(-1)
        d = self._dim(dim)
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx.min() if idx.min() < 0 else idx.max()
            # los mismos tipos que PyTorch: index_select fuera del eje 0 da RuntimeError
            err = RuntimeError if op == "index_select" and (d != 0 or self.ndim > 1 and n == 0) else IndexError
            raise err(f"{op}(): el índice {int(bad)} está fuera de rango para el eje {dim} de tamaño {n}")
        return idx, d

    def index_select(self, dim, index):
        """Las posiciones ``index`` (1-D) del eje ``dim``, en ese orden (pueden repetirse)."""
        idx, d = self._index_1d(index, dim, "index_select")
        if self.ndim == 0:
            return I.IndexSelect.apply(self.reshape(1), index=idx, dim=0).reshape(())
        return I.IndexSelect.apply(self, index=idx, dim=d)

    def index_add(self, dim, index, source, *, alpha=1):
        """Copia de ``self`` con ``out[..., index[k], ...] += alpha·source[..., k, ...]``."""
        idx, d = self._index_1d(index, dim, "index_add")
        if not isinstance(source, TensorBase):
            raise TypeError(f"index_add(): source debe ser un Tensor, no {type(source).__name__}")
        _same_dtype(self, source, "index_add")
        x = self.reshape(1) if self.ndim == 0 else self
        s = source.reshape(-1) if source.ndim == 0 else source
        expect = x.shape[:d] + (idx.size,) + x.shape[d + 1:]
        if tuple(s.shape) != tuple(expect):
            raise RuntimeError(f"index_add(): source debe tener forma {tuple(expect)} y tiene "
                               f"{tuple(source.shape)}")
        out = I.IndexAdd.apply(x, s, index=idx, dim=d, alpha=alpha)
        return out.reshape(()) if self.ndim == 0 else out

    def index_reduce(self, dim, index, source, reduce, *, include_self=True):
        """Copia de ``self`` donde cada posición ``index[k]`` del eje ``dim`` reduce ``source[..., k, ...]``
        (y su propio valor si ``include_self``) con ``"prod"``, ``"mean"``, ``"amax"`` o ``"amin"``; las
        posiciones que no aparecen en ``index`` quedan igual.

        Args:
            dim: el eje; index: vector (1-D) de enteros de longitud ``source.shape[dim]``;
            source: mismo dtype que ``self`` y su forma salvo en ``dim``; reduce: la reducción;
            include_self: si ``self`` entra en la reducción (``True``).

        >>> torch.ones(3).index_reduce(0, torch.tensor([0, 0, 2]), torch.tensor([2., 3., 4.]), "prod")
        tensor([6., 1., 4.])

        Es ``scatter_reduce`` con el índice repetido por las demás dimensiones, con sus derivadas (en
        ``amax``/``amin`` el gradiente se reparte a partes iguales entre los empates, como PyTorch).
        En PyTorch: ``torch.Tensor.index_reduce``."""
        if reduce not in ("prod", "mean", "amax", "amin"):
            raise RuntimeError(f"index_reduce(): reduce debe ser 'prod', 'mean', 'amax' o 'amin', no {reduce!r}")
        idx, d = self._index_1d(index, dim, "index_reduce")
        if not isinstance(source, TensorBase):
            raise TypeError(f"index_reduce(): source debe ser un Tensor, no {type(source).__name__}")
        _same_dtype(self, source, "index_reduce")
        x = self.reshape(1) if self.ndim == 0 else self
        s = source.reshape(-1) if source.ndim == 0 else source
        expect = x.shape[:d] + (idx.size,) + x.shape[d + 1:]
        if tuple(s.shape) != tuple(expect):
            raise RuntimeError(f"index_reduce(): source debe tener forma {tuple(expect)} y tiene "
                               f"{tuple(source.shape)}")
        shape = [1] * x.ndim
        shape[d] = idx.size
        full = np.ascontiguousarray(np.broadcast_to(idx.astype(np.int64).reshape(shape), tuple(s.shape)))
        out = x.scatter_reduce(d, TensorBase._wrap(full), s, reduce, include_self=include_self)
        return out.reshape(()) if self.ndim == 0 else out

    def index_fill(self, dim, index, value):
        """Copia de ``self`` con ``value`` en las posiciones ``index`` del eje ``dim``."""
        idx, d = self._index_1d(index, dim, "index_fill")
        mask = np.zeros(self.shape[d] if self.ndim else 1, dtype=bool)
        mask[idx] = True
        shape = [1] * self.ndim
        if self.ndim:
            shape[d] = mask.size
        return self.masked_fill(TensorBase._wrap(mask.reshape(shape)), value)

    def index_copy(self, dim, index, source):
        """Copia de ``self`` con ``out[..., index[k], ...] = source[..., k, ...]`` a lo largo de ``dim``.

        Args:
            dim: el eje.
            index: vector (1-D) de enteros, de longitud ``source.shape[dim]``.
            source: mismo dtype que ``self`` y su forma salvo en ``dim``.

        Derivadas: ∂/∂self = g con 0 en las posiciones copiadas; ∂/∂source = g.index_select(dim, index).
        (Se compone de ``index_fill`` con 0 e ``index_add``.) En PyTorch: ``torch.index_copy``.

        >>> torch.zeros(3, 2).index_copy(0, torch.tensor([2, 0]), torch.ones(2, 2))[:, 0]  # tensor([1., 0., 1.])
        """
        self._index_1d(index, dim, "index_copy")
        if not isinstance(source, TensorBase):
            raise TypeError(f"index_copy(): source debe ser un Tensor, no {type(source).__name__}")
        _same_dtype(self, source, "index_copy")
        zero = TensorBase._wrap(np.zeros((), self._data.dtype))
        return self.index_fill(dim, index, zero).index_add(dim, index, source)

    def index_put(self, indices, values, accumulate=False):
        """Copia de ``self`` con ``out[indices] = values`` (o ``+=`` con ``accumulate=True``, donde los
        índices repetidos suman).

        Args:
            indices: tupla de tensores de enteros (o bool), uno por eje desde el primero, con
                broadcasting entre ellos (como ``x[i, j]``).
            values: tensor (mismo dtype) que hace broadcasting a la forma de ``x[indices]``.
            accumulate: suma en lugar de escribir (``False``).

        Derivadas: ∂/∂self = g (con 0 en las posiciones escritas si no se acumula);
        ∂/∂values = g[indices] (sumado sobre el broadcasting). En PyTorch: ``torch.index_put``.

        >>> torch.zeros(2, 2).index_put((torch.tensor([0, 0]), torch.tensor([1, 1])), torch.tensor(1.),
        ...                             accumulate=True)   # tensor([[0., 2.], [0., 0.]])
        """
        if not isinstance(indices, (tuple, list)):
            raise TypeError(f"index_put(): indices debe ser una tupla de tensores, no {type(indices).__name__}")
        if not isinstance(values, TensorBase):
            raise TypeError(f"index_put(): values debe ser un Tensor, no {type(values).__name__}")
        _same_dtype(self, values, "index_put")
        arrays = []
        for i in indices:
            a = as_index(i, "index_put", allow_bool=True)
            arrays.extend(np.nonzero(a) if a.dtype == np.bool_ else [a])
        k = len(arrays)
        if k > self.ndim:
            raise IndexError(f"index_put(): demasiados índices ({k}) para un tensor de {self.ndim} dimensiones")
        try:
            arrays = np.broadcast_arrays(*arrays)
        except ValueError:
            raise IndexError(f"index_put(): los tensores de índices no hacen broadcasting entre sí: "
                             f"{[tuple(a.shape) for a in arrays]}") from None
        lead = self.shape[:k]
        for d, (a, n) in enumerate(zip(arrays, lead)):
            if a.size and (a.min() < -n or a.max() >= n):
                bad = int(a.min() if a.min() < -n else a.max())
                raise IndexError(f"index_put(): el índice {bad} está fuera de rango para el eje {d} de tamaño {n}")
        shape0 = arrays[0].shape if k else ()
        lin = np.ravel_multi_index(tuple(np.where(a < 0, a + n, a) for a, n in zip(arrays, lead)), lead) \
            if k else np.zeros((), np.int64)
        rest = tuple(self.shape[k:])
        try:
            np.broadcast_shapes(tuple(values.shape), shape0 + rest)
            v = values.expand(shape0 + rest) if tuple(values.shape) != shape0 + rest else values
        except ValueError:
            raise RuntimeError(f"index_put(): values de forma {tuple(values.shape)} no hace broadcasting a la "
                               f"forma indexada {shape0 + rest}") from None
        flat = self.reshape((-1,) + rest)
        lin = lin.reshape(-1).astype(np.int64)
        v = v.reshape((lin.size,) + rest)
        if not accumulate:
            lin, last = np.unique(lin[::-1], return_index=True)  # con repetidos gana el último, como numpy
            v = v.index_select(0, TensorBase._wrap((v.shape[0] - 1 - last).astype(np.int64)))
            flat = flat.index_fill(0, TensorBase._wrap(lin), TensorBase._wrap(np.zeros((), self._data.dtype)))
        return flat.index_add(0, TensorBase._wrap(lin), v).reshape(self.shape)

    def put(self, index, source, accumulate=False):
        """Copia de ``self`` (vista como 1-D) con ``out.view(-1)[index] = source`` (o ``+=`` con
        ``accumulate``). ``index`` y ``source`` con el mismo número de elementos; índices negativos
        cuentan desde el final. Derivadas: las de ``index_put``. En PyTorch: ``torch.put``.

        >>> torch.zeros(2, 2).put(torch.tensor([3]), torch.tensor([5.]))   # tensor([[0., 0.], [0., 5.]])
        """
        idx = as_index(index, "put")
        if not isinstance(source, TensorBase):
            raise TypeError(f"put(): source debe ser un Tensor, no {type(source).__name__}")
        if source.numel() != idx.size:
            raise RuntimeError(f"put(): index y source deben tener el mismo número de elementos ({idx.size} y "
                               f"{source.numel()})")
        return self.reshape(-1).index_put((TensorBase._wrap(idx.reshape(-1)),), source.reshape(-1),
                                          accumulate).reshape(self.shape)

    def index_copy_(self, dim, index, source):
        """``index_copy`` in situ."""
        return self._inplace("index_copy_", lambda s: s.index_copy(dim, index, source), (source,))

    def index_put_(self, indices, values, accumulate=False):
        """``index_put`` in situ."""
        return self._inplace("index_put_", lambda s: s.index_put(indices, values, accumulate), (values,))

    def put_(self, index, source, accumulate=False):
        """``put`` in situ."""
        return self._inplace("put_", lambda s: s.put(index, source, accumulate), (source,))

    # -- máscaras ----------------------------------------------------------------------------
    def masked_fill(self, mask, value):
        """``value`` donde ``mask`` (bool, con broadcasting) es cierto; ``self`` donde no."""
        m = mask._data if isinstance(mask, TensorBase) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill(): la máscara debe ser un tensor bool, no {m.dtype} (usa "
                               f"una comparación, p. ej. x > 0)")
        if isinstance(value, TensorBase):
            if value.ndim != 0:
                raise RuntimeError(f"masked_fill(): value debe ser un número o un tensor 0-D, no de forma "
                                   f"{tuple(value.shape)}")
            v = value if value._data.dtype == self._data.dtype else value.type(self.dtype)
        elif isinstance(value, (numbers.Number, np.number, np.bool_)):
            check_fits(value, self._data.dtype)  # 300 o −2.5 en uint8: error; −1: da la vuelta (como PyTorch)
            v = TensorBase._wrap(np.asarray(value).astype(self._data.dtype))
        else:
            raise TypeError(f"masked_fill(): value debe ser un número o un tensor 0-D, no "
                            f"{type(value).__name__}")
        try:
            np.broadcast_shapes(m.shape, self._data.shape)
        except ValueError:
            raise RuntimeError(f"masked_fill(): la máscara de forma {tuple(m.shape)} no hace broadcasting con el "
                               f"tensor de forma {tuple(self.shape)}") from None
        return I.MaskedFill.apply(self, v, mask=m)

    def masked_select(self, mask):
        """Los elementos donde ``mask`` es cierto, en un tensor 1-D."""
        m = mask._data if isinstance(mask, TensorBase) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_select(): la máscara debe ser un tensor bool, no {m.dtype}")
        try:
            np.broadcast_shapes(m.shape, self._data.shape)
        except ValueError:
            raise RuntimeError(f"masked_select(): la máscara de forma {tuple(m.shape)} no hace broadcasting con "
                               f"el tensor de forma {tuple(self.shape)}") from None
        return I.MaskedSelect.apply(self, mask=m)

    def take(self, index):
        """``self`` aplanado, elegido en ``index`` (la salida tiene la forma de ``index``)."""
        idx = as_index(index, "take")
        n = self.numel()
        if idx.size and (idx.min() < -n or idx.max() >= n):
            bad = idx.min() if idx.min() < -n else idx.max()
            raise IndexError(f"take(): índice {int(bad)} fuera de rango para un tensor de {n} elementos")
        return I.Take.apply(self, index=idx)

    def where(self, condition, other):
        """``self`` donde ``condition``, ``other`` donde no (como ``torch.where(condition, self, other)``)."""
        return where(condition, self, other)

    # -- in situ -------------------------------------------------------------------------------
    def masked_fill_(self, mask, value):
        """``masked_fill`` in situ."""
        return self._inplace("masked_fill_", lambda s: s.masked_fill(mask, value), (value,))

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        """``scatter`` in situ."""
        return self._inplace("scatter_", lambda s: s.scatter(dim, index, src, value, reduce=reduce), (src,))

    def scatter_add_(self, dim, index, src):
        """``scatter_add`` in situ."""
        return self._inplace("scatter_add_", lambda s: s.scatter_add(dim, index, src), (src,))

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        """``scatter_reduce`` in situ."""
        return self._inplace("scatter_reduce_", lambda s: s.scatter_reduce(dim, index, src, reduce,
                                                                           include_self=include_self), (src,))

    def index_add_(self, dim, index, source, *, alpha=1):
        """``index_add`` in situ."""
        return self._inplace("index_add_", lambda s: s.index_add(dim, index, source, alpha=alpha), (source,))

    def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
        """``index_reduce`` in situ."""
        return self._inplace("index_reduce_", lambda s: s.index_reduce(dim, index, source, reduce,
                                                                       include_self=include_self), (source,))

    def index_fill_(self, dim, index, value):
        """``index_fill`` in situ."""
        return self._inplace("index_fill_", lambda s: s.index_fill(dim, index, value), (value,))

    def take_along_dim(self, indices, dim=None):
        """``gather`` con difusión: toma ``self[..., indices[...], ...]`` a lo largo de ``dim`` (los
        demás ejes de ``self`` e ``indices`` se difunden); sin ``dim``, sobre el tensor aplanado. Es
        la forma de usar lo que devuelven ``argsort``/``argmax(keepdim=True)``. Derivada: la de
        ``gather`` (suma en las posiciones tomadas). En PyTorch: ``torch.take_along_dim``."""
        if not isinstance(indices, TensorBase) or indices._data.dtype.kind not in "iu":
            raise RuntimeError("take_along_dim: indices debe ser un tensor de enteros (int64)")
        def wrap(idx, n):  # índices negativos cuentan desde el final, como en PyTorch
            return TensorBase._wrap(np.where(idx._data < 0, idx._data + n, idx._data))

        if dim is None:
            return self.reshape(-1).gather(0, wrap(indices.reshape(-1), self.numel()))
        d = self._dim(dim)
        indices = wrap(indices, self.shape[d] if self.ndim else 1)
        if self.ndim != indices.ndim:
            raise RuntimeError(f"take_along_dim: input e indices deben tener el mismo número de ejes "
                               f"({self.ndim} y {indices.ndim})")
        shp = [max(a, b) if i != d else None for i, (a, b) in enumerate(zip(self.shape, indices.shape))]
        try:
            xs = [s if s is not None else self.shape[i] for i, s in enumerate(shp)]
            js = [s if s is not None else indices.shape[i] for i, s in enumerate(shp)]
            return self.expand(*xs).gather(d, indices.expand(*js))
        except (RuntimeError, ValueError):
            raise RuntimeError(f"take_along_dim: las formas {tuple(self.shape)} y {tuple(indices.shape)} no se "
                               f"pueden difundir fuera del eje {d}") from None
