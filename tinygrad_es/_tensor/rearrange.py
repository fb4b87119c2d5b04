"""Métodos de forma de ``Tensor`` que añade el issue de operadores: ``repeat``, ``tile``,
``repeat_interleave``, ``split``, ``chunk``, ``unbind``, ``flip``, ``roll``, ``rot90``, ``tril``,
``triu``, ``diag``, ``diag_embed``, ``diagonal``, ``trace``, ``unflatten``, ``unfold``, ``movedim``,
``narrow``, ``broadcast_to``, ``outer``, ``cross``.

Los que sólo mueven o cortan se componen de operaciones existentes (indexado, ``permute``,
``reshape``); el resto son ``Function`` de ``ops/shape_more.py``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .autograd import TensorBase
from .ops import indexing as I, shape_more as SM

__all__ = ["LayoutMixin", "int_list"]


def int_list(args, op):
    """``f(1, 2)``, ``f((1, 2))`` o ``f([1, 2])`` como tupla de enteros."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    if len(args) == 1 and isinstance(args[0], TensorBase):
        args = tuple(int(v) for v in args[0]._data.reshape(-1))
    out = []
    for a in args:
        if not isinstance(a, (numbers.Integral, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: se esperaban enteros, no {a!r}")
        out.append(int(a))
    return tuple(out)


def _kw_arg(args, kw, name, op):
    """``f(1, 2)``, ``f((1, 2))`` o ``f(name=(1, 2))`` (como PyTorch) → tupla de argumentos."""
    if kw:
        if set(kw) != {name} or args:
            raise TypeError(f"{op}() recibió argumentos no válidos: {sorted(kw)} (se esperaba {name}=...)")
        return (kw[name],)
    return args


class LayoutMixin:
    __slots__ = ()

    def _need_dims(self, op):
        if self.ndim == 0:
            raise RuntimeError(f"{op}: la entrada debe tener al menos 1 dimensión (es un tensor 0-D)")

    # -- copias ---------------------------------------------------------------------------------
    def repeat(self, *sizes):
        """Repite el tensor ``sizes[i]`` veces en cada eje (como ``np.tile``)."""
        reps = int_list(sizes, "repeat")
        if len(reps) < self.ndim:
            raise RuntimeError(f"repeat: el número de repeticiones ({len(reps)}) no puede ser menor que el "
                               f"número de dimensiones del tensor ({self.ndim})")
        if any(r < 0 for r in reps):
            raise RuntimeError(f"repeat: las repeticiones deben ser ≥ 0, no {reps}")
        return SM.Repeat.apply(self, reps=reps)

    def tile(self, *dims, **kw):
        """Como ``repeat``, pero si hay menos repeticiones que ejes se completan con 1 por delante."""
        reps = int_list(_kw_arg(dims, kw, "dims", "tile"), "tile")
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

    # -- trocear --------------------------------------------------------------------------------
    def split(self, split_size, dim=0):
        """Trozos de tamaño ``split_size`` (el último puede ser menor) o de los tamaños de la lista."""
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
        if isinstance(indices_or_sections, (numbers.Integral, np.integer)):
            k = int(indices_or_sections)
            if k <= 0:
                raise RuntimeError(f"tensor_split: el número de trozos debe ser > 0, no {k}")
            sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
            bounds = np.cumsum([0] + sizes)
        else:
            bounds = [0] + [min(max(int(i), 0), n) for i in indices_or_sections] + [n]
        return tuple(self.narrow(d, int(a), max(int(b) - int(a), 0)) for a, b in zip(bounds[:-1], bounds[1:]))

    def chunk(self, chunks, dim=0):
        """Hasta ``chunks`` trozos de ⌈n/chunks⌉ elementos (puede salir alguno menos, como en PyTorch)."""
        self._need_dims("chunk")
        if chunks <= 0:
            raise RuntimeError(f"chunk: el número de trozos debe ser > 0, no {chunks}")
        d = self._dim(dim)
        n = self.shape[d]
        if n == 0:  # PyTorch devuelve `chunks` trozos vacíos
            return tuple(self.narrow(d, 0, 0) for _ in range(chunks))
        return self.split(-(-n // chunks), dim)

    def unbind(self, dim=0):
        """Tupla con los cortes del eje ``dim`` (cada uno sin ese eje)."""
        d = self._dim(dim)
        lead = (slice(None),) * d
        return tuple(self[lead + (i,)] for i in range(self.shape[d]))

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

    # -- mover ----------------------------------------------------------------------------------
    def flip(self, *dims, **kw):
        """Invierte el orden de los ejes ``dims``."""
        ds = int_list(_kw_arg(dims, kw, "dims", "flip"), "flip")
        axes = tuple(self._dim(d) for d in ds)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"flip: el eje aparece repetido en {ds}")
        return SM.Flip.apply(self, dims=axes if self.ndim else ())

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
            return SM.Roll.apply(self.reshape(-1), shifts=s[0], dims=None).reshape(self.shape)
        if self.ndim == 0:
            raise IndexError("roll: un tensor 0-D no tiene ejes que desplazar (usa dims=None)")
        s = int_list((shifts,), "roll") if isinstance(shifts, (tuple, list)) else (int(shifts),)
        ds = int_list((dims,), "roll") if isinstance(dims, (tuple, list)) else (int(dims),)
        if len(s) != len(ds):
            raise RuntimeError(f"roll: shifts ({len(s)}) y dims ({len(ds)}) deben tener la misma longitud")
        return SM.Roll.apply(self, shifts=s, dims=tuple(self._dim(d) for d in ds))

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
        return self.expand(*_kw_arg(shape, kw, "size", "broadcast_to"))

    # -- triángulos y diagonales -----------------------------------------------------------------
    def _tri(self, diagonal, upper):
        if not isinstance(diagonal, (numbers.Integral, np.integer)) or isinstance(diagonal, bool):
            raise TypeError(f"{'triu' if upper else 'tril'}: diagonal debe ser un entero, no {diagonal!r}")
        if self.ndim < 2:
            raise RuntimeError(f"{'triu' if upper else 'tril'}: la entrada debe tener al menos 2 dimensiones")
        return SM.Triangle.apply(self, diagonal=int(diagonal), upper=upper)

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
        return SM.Diag.apply(self, diagonal=int(diagonal))

    def diagonal(self, offset=0, dim1=0, dim2=1):
        """La diagonal ``offset`` de los ejes ``dim1`` y ``dim2`` (queda como último eje)."""
        d1, d2 = self._dim(dim1), self._dim(dim2)
        if d1 == d2:
            raise RuntimeError(f"diagonal: dim1 y dim2 no pueden ser el mismo eje ({dim1}, {dim2})")
        return SM.Diagonal.apply(self, offset=int(offset), dim1=d1, dim2=d2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        """Matrices (en los ejes nuevos ``dim1``, ``dim2``) con el último eje en la diagonal."""
        nd = self.ndim + 1
        for v in (dim1, dim2):
            if not -nd <= v < nd:
                raise IndexError(f"eje fuera de rango: se esperaba uno en [{-nd}, {nd - 1}], pero se recibió {v}")
        if dim1 % nd == dim2 % nd:
            raise RuntimeError("diag_embed: dim1 y dim2 no pueden ser el mismo eje")
        x = self.reshape(1) if self.ndim == 0 else self
        return SM.DiagEmbed.apply(x, offset=int(offset), dim1=dim1 % nd, dim2=dim2 % nd)

    def trace(self):
        """Suma de la diagonal de una matriz (enteros → int64)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: la entrada debe ser una matriz 2-D, y tiene {self.ndim} dimensiones")
        return self.diagonal().sum()

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
        return SM.Unfold.apply(self, dim=d, size=int(size), step=int(step))

    # -- productos ----------------------------------------------------------------------------
    def outer(self, vec2):
        """Producto exterior de dos vectores: ``out[i, j] = self[i]·vec2[j]``."""
        if self.ndim != 1 or getattr(vec2, "ndim", None) != 1:
            raise RuntimeError("outer: las dos entradas deben ser vectores 1-D")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def cross(self, other, dim=None):
        """Producto vectorial a lo largo de ``dim`` (sin ``dim``: el primer eje de tamaño 3)."""
        from .ops.elementwise_more import promote
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
            n = len(shape)
            if not -n <= dim < n:
                raise IndexError(f"eje fuera de rango: se esperaba uno en [{-n}, {n - 1}], pero se recibió {dim}")
            d = dim % n
        sizes = [t._data.shape[d - len(shape) + t.ndim] for t in (a, b) if d - len(shape) + t.ndim >= 0]
        if shape[d] != 3 or any(v != 3 for v in sizes):
            raise RuntimeError(f"cross: el eje {d} debe tener tamaño 3 en las dos entradas "
                               f"({tuple(self.shape)} y {tuple(other.shape)})")
        return SM.Cross.apply(a, b, dim=d)
