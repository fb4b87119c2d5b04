"""Operaciones de movimiento: reshape, permute, expand, indexado, cat, stack, pad."""
import numpy as np

from ..autograd import Function, TensorBase


class Reshape(Function):
    """Cambio de forma: el gradiente vuelve a la forma original."""

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
    """Permutación de ejes: el gradiente se permuta con la inversa."""

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
    """Broadcasting explícito: el gradiente se suma sobre los ejes expandidos."""

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


def norm_index(idx, shape=None):
    """Índice de numpy a partir de uno de PyTorch: los Tensores pasan a ndarrays (deben ser enteros o
    bool, como en PyTorch) y las listas a arrays."""
    if isinstance(idx, tuple):
        return tuple(norm_index(i) for i in idx)
    if isinstance(idx, TensorBase):
        idx = idx._data
    elif isinstance(idx, list):
        try:
            idx = np.asarray(idx)
        except ValueError:
            raise IndexError(f"índice no válido: {idx!r}") from None
        if idx.dtype == object:
            raise IndexError(f"índice no válido: {idx!r}")
        if idx.size == 0:
            idx = idx.astype(np.int64)
    if isinstance(idx, np.ndarray) and idx.dtype.kind not in "biu":
        raise IndexError(f"los tensores que se usan como índices deben ser enteros (long, int) o bool, "
                         f"no {idx.dtype}")
    return idx


def _describe(e, shape):
    return IndexError(f"índice no válido para un tensor de forma {tuple(shape)}: {e}")


class GetItem(Function):
    """Indexado con cortes, enteros, arrays de enteros y máscaras booleanas (reglas de numpy, que
    son las de PyTorch). ∂/∂a: el gradiente vuelve a su posición; los índices repetidos suman
    (``np.add.at``)."""

    @staticmethod
    def forward(ctx, a, index=None):
        ctx.shape, ctx.index = a.shape, index
        try:
            out = a[index]
        except IndexError as e:
            raise _describe(e, a.shape) from None
        return np.asarray(out)

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(ctx.shape, dtype=g.dtype)
        if _is_basic(ctx.index):  # cortes y enteros no repiten posiciones: asignar basta (np.add.at es ~50× más lento)
            full[ctx.index] = g
        else:
            np.add.at(full, ctx.index, g)
        return full


def _is_basic(index) -> bool:
    """¿Índice "básico" de numpy (enteros, cortes, None, ...), que nunca elige dos veces el mismo elemento?"""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, slice)
               or (isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))) for i in items)


class SetItem(Function):
    """``a[index] = v`` sin modificar ``a`` (lo usa ``x[...] = v`` con grafo).
    ∂/∂a = g con ceros en ``index``; ∂/∂v = g[index] (reducido a la forma de v)."""

    @staticmethod
    def forward(ctx, a, v, index=None):
        out = a.copy()
        try:
            out[index] = v
        except IndexError as e:
            raise _describe(e, a.shape) from None
        except ValueError as e:
            raise RuntimeError(f"no se puede asignar un valor de forma {v.shape} en un tensor de forma "
                               f"{a.shape}: {e}") from None
        ctx.index, ctx.sel_shape = index, np.shape(out[index])
        return out

    @staticmethod
    def backward(ctx, g):
        ga = g.copy()
        ga[ctx.index] = 0
        return ga, np.asarray(g[ctx.index]).reshape(ctx.sel_shape)


class TakeAlong(Function):
    """Elige ``a`` en los índices ``index`` a lo largo de ``axis`` (los valores de ``max(dim)``).
    ∂/∂a: el gradiente va sólo a la posición elegida."""

    @staticmethod
    def forward(ctx, a, index=None, axis=None, keepdims=False):
        ctx.shape, ctx.index, ctx.axis, ctx.keepdims = a.shape, index, axis, keepdims
        if axis is None:
            return a.copy()
        out = np.take_along_axis(a, index, axis=axis)
        return out if keepdims else np.squeeze(out, axis=axis)

    @staticmethod
    def backward(ctx, g):
        if ctx.axis is None:
            return g
        if not ctx.keepdims:
            g = np.expand_dims(g, ctx.axis)
        full = np.zeros(ctx.shape, dtype=g.dtype)
        np.put_along_axis(full, ctx.index, g, axis=ctx.axis)
        return full


class Cat(Function):
    """Concatenación: el gradiente se parte en los trozos de cada entrada."""

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
    """Apilado en un eje nuevo: cada entrada recibe su corte del gradiente."""

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
