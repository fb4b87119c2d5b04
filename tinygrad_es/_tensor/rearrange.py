"""Métodos de ``Tensor`` que reordenan o copian elementos: ``repeat``, ``tile``,
``repeat_interleave``, ``flip``, ``roll``, ``rot90``, ``tril``/``triu``, ``diag``, ``diagonal``,
``diag_embed``, ``trace``, ``outer``, ``cross``, ``select_scatter``/``slice_scatter``/``diagonal_scatter``
(la inversa de ``select``/``[a:b:c]``/``diagonal``: una copia con ese trozo sustituido) y
``torch.combinations``.

Los que sólo mueven se componen de operaciones existentes (``flip`` + ``transpose``...); el resto
son ``ArrayFunction`` de ``ops/rearrange.py`` (y ``Cross`` de ``ops/matmul.py``).
"""
from __future__ import annotations

import itertools
import numbers

import numpy as np

from ..autograd import TensorBase
from ..ops import indexing as I, matmul as MM, rearrange as RA
from ._args import int_list, kw_arg, norm_dim, promote

__all__ = ["RearrangeMixin", "combinations"]


def combinations(input, r=2, with_replacement=False):
    """Las combinaciones de ``r`` elementos del vector ``input`` (como ``itertools.combinations`` o,
    con ``with_replacement=True``, ``combinations_with_replacement``): forma ``(k, r)``; con
    ``r = 0``, un tensor vacío ``(0,)``. Derivada: cada elemento recibe la suma de los gradientes de
    sus apariciones. En PyTorch: ``torch.combinations``.

    >>> torch.combinations(torch.tensor([1, 2, 3]))   # tensor([[1, 2], [1, 3], [2, 3]])
    """
    if input.ndim != 1:
        raise RuntimeError(f"combinations: se esperaba un vector 1-D, y la forma es {list(input.shape)}")
    if not isinstance(r, numbers.Integral) or r < 0:
        raise RuntimeError(f"combinations: r debe ser un entero ≥ 0, no {r!r}")
    if r == 0:
        return input.narrow(0, 0, 0)
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input.index_select(0, TensorBase._wrap(idx.reshape(-1))).reshape(idx.shape)


class RearrangeMixin:
    __slots__ = ()

    # -- copias ---------------------------------------------------------------------------------
    def repeat(self, *sizes):
        """Repite el tensor ``sizes[i]`` veces en cada eje (como ``np.tile``)."""
        reps = int_list(sizes, "repeat")
        if len(reps) < self.ndim:
            raise RuntimeError(f"repeat: el número de repeticiones ({len(reps)}) no puede ser menor que el "
                               f"número de dimensiones del tensor ({self.ndim})")
        if any(r < 0 for r in reps):
            raise RuntimeError(f"repeat: las repeticiones deben ser ≥ 0, no {reps}")
        return RA.Repeat.apply(self, reps=reps)

    def tile(self, *dims, **kw):
        """Como ``repeat``, pero si hay menos repeticiones que ejes se completan con 1 por delante."""
        reps = int_list(kw_arg(dims, kw, "dims", "tile"), "tile")
        return self.repeat((1,) * (self.ndim - len(reps)) + reps)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """Repite cada elemento (o cada corte del eje ``dim``) ``repeats`` veces seguidas."""
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else x._dim(dim)
        n = x.shape[d] if x.ndim else 1
        r = repeats._data if isinstance(repeats, TensorBase) else np.asarray(repeats)
        if r.dtype.kind not in "iu":
            raise RuntimeError(f"repeat_interleave: repeats debe ser entero, no {r.dtype}")
        if r.ndim > 1 or (r.ndim == 1 and r.size not in (1, n)):
            raise RuntimeError(f"repeat_interleave: repeats debe ser un número o tener {n} elementos (el "
                               f"tamaño del eje), y tiene forma {tuple(r.shape)}")
        if np.any(r < 0):
            raise RuntimeError("repeat_interleave: las repeticiones deben ser ≥ 0")
        idx = np.repeat(np.arange(n), np.broadcast_to(r.reshape(-1), (n,)))
        if output_size is not None and idx.size != output_size:
            raise RuntimeError(f"repeat_interleave: output_size={output_size} pero salen {idx.size} elementos")
        if x.ndim == 0:
            x = x.reshape(1)
        return I.IndexSelect.apply(x, index=idx, dim=d)

    # -- mover ----------------------------------------------------------------------------------
    def flip(self, *dims, **kw):
        """Invierte el orden de los ejes ``dims``."""
        ds = int_list(kw_arg(dims, kw, "dims", "flip"), "flip")
        axes = tuple(self._dim(d) for d in ds)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"flip: el eje aparece repetido en {ds}")
        return RA.Flip.apply(self, dims=axes if self.ndim else ())

    def fliplr(self):
        """Invierte el eje 1 (izquierda ↔ derecha)."""
        if self.ndim < 2:
            raise RuntimeError("fliplr: la entrada debe tener al menos 2 dimensiones")
        return self.flip(1)

    def flipud(self):
        """Invierte el eje 0 (arriba ↔ abajo)."""
        if self.ndim < 1:
            raise RuntimeError("flipud: la entrada debe tener al menos 1 dimensión")
        return self.flip(0)

    def roll(self, shifts, dims=None):
        """Desplazamiento circular de ``shifts`` posiciones en ``dims`` (aplanado si no hay ``dims``)."""
        if dims is None:
            s = int_list((shifts,), "roll") if isinstance(shifts, (tuple, list)) else (int(shifts),)
            if len(s) != 1:
                raise RuntimeError("roll: sin dims, shifts debe ser un único número")
            return RA.Roll.apply(self.reshape(-1), shifts=s[0], dims=None).reshape(self.shape)
        if self.ndim == 0:
            raise IndexError("roll: un tensor 0-D no tiene ejes que desplazar (usa dims=None)")
        s = int_list((shifts,), "roll") if isinstance(shifts, (tuple, list)) else (int(shifts),)
        ds = int_list((dims,), "roll") if isinstance(dims, (tuple, list)) else (int(dims),)
        if len(s) != len(ds):
            raise RuntimeError(f"roll: shifts ({len(s)}) y dims ({len(ds)}) deben tener la misma longitud")
        return RA.Roll.apply(self, shifts=s, dims=tuple(self._dim(d) for d in ds))

    def rot90(self, k=1, dims=(0, 1)):
        """Gira 90° ``k`` veces en el plano de ``dims`` (del primer eje hacia el segundo)."""
        if len(dims) != 2:
            raise RuntimeError(f"rot90: dims debe tener 2 ejes, no {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"rot90: la entrada debe tener al menos 2 dimensiones, y tiene {self.ndim}")
        d0, d1 = self._dim(dims[0]), self._dim(dims[1])
        if d0 == d1:
            raise RuntimeError(f"rot90: los dos ejes deben ser distintos ({dims})")
        k %= 4
        if k == 1:
            return self.flip(d1).transpose(d0, d1)
        if k == 2:
            return self.flip(d0, d1)
        if k == 3:
            return self.flip(d0).transpose(d0, d1)
        return self.clone()

    # -- triángulos y diagonales -----------------------------------------------------------------
    def _tri(self, diagonal, upper):
        if not isinstance(diagonal, (numbers.Integral, np.integer)) or isinstance(diagonal, bool):
            raise TypeError(f"{'triu' if upper else 'tril'}: diagonal debe ser un entero, no {diagonal!r}")
        if self.ndim < 2:
            raise RuntimeError(f"{'triu' if upper else 'tril'}: la entrada debe tener al menos 2 dimensiones")
        return RA.Triangle.apply(self, diagonal=int(diagonal), upper=upper)

    def tril(self, diagonal=0):
        """Triángulo inferior (lo demás, 0): la máscara causal de los transformers."""
        return self._tri(diagonal, False)

    def triu(self, diagonal=0):
        """Triángulo superior (lo demás, 0)."""
        return self._tri(diagonal, True)

    def tril_(self, diagonal=0):
        """``tril`` in situ."""
        return self._inplace("tril_", lambda s: s.tril(diagonal))

    def triu_(self, diagonal=0):
        """``triu`` in situ."""
        return self._inplace("triu_", lambda s: s.triu(diagonal))

    def diag(self, diagonal=0):
        """Vector → matriz con él en la diagonal; matriz → su diagonal."""
        if self.ndim not in (1, 2):
            raise RuntimeError(f"diag: la entrada debe ser 1-D o 2-D, y tiene {self.ndim} dimensiones")
        return RA.Diag.apply(self, diagonal=int(diagonal))

    def diagflat(self, offset=0):
        """El tensor aplanado puesto en la diagonal ``offset`` de una matriz cuadrada. En PyTorch:
        ``torch.diagflat``."""
        return self.reshape(-1).diag(offset)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        """La diagonal ``offset`` de los ejes ``dim1`` y ``dim2`` (queda como último eje)."""
        d1, d2 = self._dim(dim1), self._dim(dim2)
        if d1 == d2:
            raise RuntimeError(f"diagonal: dim1 y dim2 no pueden ser el mismo eje ({dim1}, {dim2})")
        return RA.Diagonal.apply(self, offset=int(offset), dim1=d1, dim2=d2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        """Matrices (en los ejes nuevos ``dim1``, ``dim2``) con el último eje en la diagonal."""
        d1, d2 = norm_dim(dim1, self.ndim + 1), norm_dim(dim2, self.ndim + 1)
        if d1 == d2:
            raise RuntimeError("diag_embed: dim1 y dim2 no pueden ser el mismo eje")
        x = self.reshape(1) if self.ndim == 0 else self
        return RA.DiagEmbed.apply(x, offset=int(offset), dim1=d1, dim2=d2)

    def trace(self):
        """Suma de la diagonal de una matriz (enteros → int64)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: la entrada debe ser una matriz 2-D, y tiene {self.ndim} dimensiones")
        return self.diagonal().sum()

    # -- productos ----------------------------------------------------------------------------
    def outer(self, vec2):
        """Producto exterior de dos vectores: ``out[i, j] = self[i]·vec2[j]``."""
        if self.ndim != 1 or getattr(vec2, "ndim", None) != 1:
            raise RuntimeError("outer: las dos entradas deben ser vectores 1-D")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def cross(self, other, dim=None):
        """Producto vectorial a lo largo de ``dim`` (sin ``dim``: el primer eje de tamaño 3)."""
        if not isinstance(other, TensorBase) or other.ndim != self.ndim:
            raise RuntimeError(f"cross: las dos entradas deben tener el mismo número de dimensiones "
                               f"({self.ndim} y {getattr(other, 'ndim', None)})")
        a, b = promote(self, other)
        shape = np.broadcast_shapes(a._data.shape, b._data.shape)
        if dim is None:
            cand = [i for i, n in enumerate(shape) if n == 3]
            if not cand:
                raise RuntimeError(f"cross: ningún eje tiene tamaño 3 (formas {tuple(self.shape)} y "
                                   f"{tuple(other.shape)})")
            d = cand[0]
        else:
            d = norm_dim(dim, len(shape))
        sizes = [t._data.shape[d - len(shape) + t.ndim] for t in (a, b) if d - len(shape) + t.ndim >= 0]
        if shape[d] != 3 or any(v != 3 for v in sizes):
            raise RuntimeError(f"cross: el eje {d} debe tener tamaño 3 en las dos entradas "
                               f"({tuple(self.shape)} y {tuple(other.shape)})")
        return MM.Cross.apply(a, b, dim=d)

    # -- la inversa de una vista: copia con el trozo sustituido ---------------------------------
    def select_scatter(self, src, dim, index):
        """Copia de ``self`` con ``out.select(dim, index) = src`` (``src`` con la forma de ese corte).
        Derivadas: ∂/∂self = g con 0 en el corte; ∂/∂src = g.select(dim, index). En PyTorch:
        ``torch.select_scatter``.

        >>> torch.zeros(2, 2).select_scatter(torch.ones(2), 0, 0)   # tensor([[1., 1.], [0., 0.]])
        """
        d = norm_dim(dim, self.ndim)
        n = self.shape[d]
        if not -n <= index < n:
            raise IndexError(f"select_scatter(): el índice {index} está fuera de rango para el eje {dim} de "
                             f"tamaño {n}")
        return self._put_slice("select_scatter", src.unsqueeze(d) if isinstance(src, TensorBase) else src, d,
                               np.array([index % n], np.int64))

    def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
        """Copia de ``self`` con ``out[..., start:end:step, ...] = src`` a lo largo de ``dim``.
        Derivadas: como ``select_scatter``. En PyTorch: ``torch.slice_scatter``.

        >>> torch.zeros(4).slice_scatter(torch.ones(2), 0, None, None, 2)   # tensor([1., 0., 1., 0.])
        """
        d = norm_dim(dim, self.ndim)
        if step <= 0:
            raise RuntimeError(f"slice_scatter(): el paso debe ser > 0, no {step}")
        return self._put_slice("slice_scatter", src, d,
                               np.arange(self.shape[d], dtype=np.int64)[slice(start, end, step)])

    def _put_slice(self, op, src, d, idx):
        if not isinstance(src, TensorBase):
            raise TypeError(f"{op}(): src debe ser un Tensor, no {type(src).__name__}")
        want = tuple(self.shape[:d]) + (idx.size,) + tuple(self.shape[d + 1:])
        if tuple(src.shape) != want:
            raise RuntimeError(f"{op}(): src debe tener la forma del trozo {want}, y tiene {tuple(src.shape)}")
        if src._data.dtype != self._data.dtype:
            raise RuntimeError(f"{op}(): src debe tener el dtype del tensor ({self.dtype}), y es {src.dtype}")
        return self.index_copy(d, TensorBase._wrap(idx), src)

    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1):
        """Copia de ``self`` con ``out.diagonal(offset, dim1, dim2) = src`` (la diagonal va en el último
        eje de ``src``, como en ``diagonal``). Derivadas: como ``select_scatter``. En PyTorch:
        ``torch.diagonal_scatter``.

        >>> torch.zeros(2, 2).diagonal_scatter(torch.ones(2))   # tensor([[1., 0.], [0., 1.]])
        """
        if not isinstance(src, TensorBase):
            raise TypeError(f"diagonal_scatter(): src debe ser un Tensor, no {type(src).__name__}")
        # la posición de cada elemento de la diagonal, con la misma vista que usa diagonal()
        pos = np.arange(self.numel(), dtype=np.int64).reshape(self.shape)
        diag = np.diagonal(pos, offset, norm_dim(dim1, self.ndim), norm_dim(dim2, self.ndim))
        if tuple(src.shape) != diag.shape:
            raise RuntimeError(f"diagonal_scatter(): src debe tener la forma de la diagonal {diag.shape}, y tiene "
                               f"{tuple(src.shape)}")
        if src._data.dtype != self._data.dtype:
            raise RuntimeError(f"diagonal_scatter(): src debe tener el dtype del tensor ({self.dtype}), y es "
                               f"{src.dtype}")
        flat = self.reshape(-1).index_copy(0, TensorBase._wrap(diag.reshape(-1).copy()), src.reshape(-1))
        return flat.reshape(self.shape)