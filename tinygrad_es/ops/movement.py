"""Operaciones de movimiento: reshape, permute, expand, indexado, cat, stack, pad."""
import numpy as np

from ..tensor import Function, Tensor


class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape=None):
        ctx.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ValueError(f"no se puede cambiar la forma {a.shape} ({a.size} elementos) "
                             f"a {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Permute(Function):
    @staticmethod
    def forward(ctx, a, dims=None):
        dims = tuple(d % a.ndim for d in dims) if a.ndim else ()
        if sorted(dims) != list(range(a.ndim)):
            raise ValueError(f"permutación {dims} no válida para un tensor de {a.ndim} dimensiones")
        ctx.inv = tuple(np.argsort(dims))
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, g):
        return np.transpose(g, ctx.inv)


class Expand(Function):
    @staticmethod
    def forward(ctx, a, shape=None):
        ctx.shape = a.shape
        try:
            return np.broadcast_to(a, shape)
        except ValueError:
            raise ValueError(f"no se puede expandir la forma {a.shape} a {tuple(shape)}: "
                             f"sólo se expanden ejes de tamaño 1") from None

    @staticmethod
    def backward(ctx, g):
        return g  # unbroadcast lo reduce a la forma original


def _norm_index(idx):
    """Convierte Tensores dentro del índice en ndarrays."""
    if isinstance(idx, tuple):
        return tuple(_norm_index(i) for i in idx)
    if isinstance(idx, Tensor):
        idx = idx.data
    if isinstance(idx, list):
        idx = np.asarray(idx)
    if isinstance(idx, np.ndarray) and idx.dtype.kind == "f":
        raise IndexError(f"los índices deben ser enteros o booleanos, no {idx.dtype}")
    return idx


class GetItem(Function):
    """Indexado con cortes, enteros, arrays de enteros y máscaras booleanas.
    El gradiente se acumula con ``np.add.at`` (índices repetidos suman)."""

    @staticmethod
    def forward(ctx, a, index=None):
        ctx.shape, ctx.index, ctx.dtype = a.shape, index, a.dtype
        try:
            out = a[index]
        except IndexError as e:
            raise IndexError(f"índice no válido para un tensor de forma {a.shape}: {e}") from None
        return np.asarray(out)

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(ctx.shape, dtype=g.dtype)
        np.add.at(full, ctx.index, g)
        return full


class Cat(Function):
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        shapes = [x.shape for x in arrays]
        nd = arrays[0].ndim
        ax = axis % nd if nd else 0
        for s in shapes[1:]:
            if len(s) != nd or any(s[i] != shapes[0][i] for i in range(nd) if i != ax):
                raise ValueError(f"cat: las formas {shapes} deben coincidir salvo en el eje {axis}")
        ctx.axis = ax
        ctx.splits = np.cumsum([s[ax] for s in shapes])[:-1]
        return np.concatenate(arrays, axis=ax)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.splits, axis=ctx.axis))


class Stack(Function):
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        shapes = {x.shape for x in arrays}
        if len(shapes) != 1:
            raise ValueError(f"stack: todos los tensores deben tener la misma forma; hay {sorted(shapes)}")
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        n = g.shape[ctx.axis]
        return tuple(np.take(g, i, axis=ctx.axis) for i in range(n))


class Pad(Function):
    """Relleno constante. ``pad`` como en numpy: ((antes, después), ...) por eje."""

    @staticmethod
    def forward(ctx, a, pad_width=None, value=0.0):
        pw = np.broadcast_to(np.asarray(pad_width, dtype=int), (a.ndim, 2)) if a.ndim else ()
        if np.any(np.asarray(pw) < 0):
            raise ValueError("pad: los rellenos deben ser ≥ 0")
        ctx.slices = tuple(slice(int(b), int(b) + n) for (b, _), n in zip(pw, a.shape))
        return np.pad(a, pw, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.slices]
