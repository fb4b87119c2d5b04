"""Operaciones que reordenan o copian elementos: ``flip``, ``roll``, ``repeat``, ``tril``/``triu``,
diagonales y ``unfold``. Cada una con su gradiente (casi siempre la operación "inversa" aplicada a
g: lo que se copió, se suma de vuelta; lo que se movió, se devuelve a su sitio).
"""
import numpy as np

from ..autograd import ArrayFunction

__all__ = ["Flip", "Roll", "Repeat", "Triangle", "Diag", "Diagonal", "DiagEmbed", "Unfold"]


class Flip(ArrayFunction):
    """Invierte el orden a lo largo de ``dims``. ∂/∂x = flip(g)."""

    linear = True

    @staticmethod
    def forward(ctx, a, dims=()):
        ctx.dims = dims
        return np.flip(a, dims).copy() if dims else a.copy()

    @staticmethod
    def backward(ctx, g):
        return np.flip(g, ctx.dims) if ctx.dims else g


class Roll(ArrayFunction):
    """Desplaza circularmente ``shifts`` posiciones en ``dims`` (todo aplanado si ``dims`` es None).
    ∂/∂x = roll(g, −shifts)."""

    linear = True

    @staticmethod
    def forward(ctx, a, shifts=0, dims=None):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return np.roll(g, neg, ctx.dims)


class Repeat(ArrayFunction):
    """``x.repeat(*reps)``: copia el tensor ``reps[i]`` veces en cada eje (``np.tile``).
    ∂/∂x = suma de g sobre las copias."""

    linear = True

    @staticmethod
    def forward(ctx, a, reps=()):
        src = a.reshape((1,) * (len(reps) - a.ndim) + a.shape)
        ctx.shape, ctx.src_shape, ctx.reps = a.shape, src.shape, reps
        return np.tile(src, reps)

    @staticmethod
    def backward(ctx, g):
        split = []
        for r, s in zip(ctx.reps, ctx.src_shape):
            split += [r, s]
        g = g.reshape(split).sum(axis=tuple(range(0, 2 * len(ctx.reps), 2)))
        return g.reshape(ctx.shape)


class Triangle(ArrayFunction):
    """Triángulo inferior (``tril``) o superior (``triu``) de las dos últimas dimensiones a partir
    de la diagonal ``diagonal``. ∂/∂x = el mismo triángulo de g."""

    linear = True

    @staticmethod
    def forward(ctx, a, diagonal=0, upper=False):
        ctx.k, ctx.upper = diagonal, upper
        return (np.triu if upper else np.tril)(a, diagonal)

    @staticmethod
    def backward(ctx, g):
        return (np.triu if ctx.upper else np.tril)(g, ctx.k)


def _diag_index(n1, n2, offset):
    length = max(0, min(n1 + min(offset, 0), n2 - max(offset, 0)))
    i = np.arange(length) - min(offset, 0)
    return i, i + offset, length


def diagonal_view(a, offset=0, dim1=0, dim2=1):
    """La diagonal como **vista** escribible de ``a`` (``np.diagonal`` es de sólo lectura)."""
    v = np.moveaxis(a, (dim1, dim2), (-2, -1))
    v = v[..., max(-offset, 0):, max(offset, 0):]
    n = max(0, min(v.shape[-2], v.shape[-1]))
    return np.lib.stride_tricks.as_strided(v, v.shape[:-2] + (n,), v.strides[:-2] + (v.strides[-2] + v.strides[-1],),
                                           writeable=a.flags.writeable)


class Diagonal(ArrayFunction):
    """La diagonal ``offset`` de los ejes ``dim1``, ``dim2`` (va al final), como vista de x (comparte
    su memoria). ∂/∂x: g vuelve a esa diagonal y el resto es 0."""

    linear = True

    @staticmethod
    def forward(ctx, a, offset=0, dim1=0, dim2=1):
        ctx.shape, ctx.args = a.shape, (offset, dim1, dim2)
        return diagonal_view(a, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(ctx.shape, dtype=g.dtype)
        diagonal_view(full, *ctx.args)[...] = g
        return full


class DiagEmbed(ArrayFunction):
    """Pone el último eje de x en la diagonal ``offset`` de dos ejes nuevos ``dim1``, ``dim2``.
    ∂/∂x = la diagonal de g."""

    linear = True

    @staticmethod
    def forward(ctx, a, offset=0, dim1=-2, dim2=-1):
        n = a.shape[-1] + abs(offset)
        nd = a.ndim + 1
        d1, d2 = dim1 % nd, dim2 % nd
        ctx.args = (offset, d1, d2)
        out_rest = list(a.shape[:-1])
        shape = [0] * nd
        it = iter(out_rest)
        for k in range(nd):
            shape[k] = n if k in (d1, d2) else next(it)
        out = np.zeros(shape, dtype=a.dtype)
        view = np.moveaxis(out, (d1, d2), (-2, -1))
        i, j, _ = _diag_index(n, n, offset)
        view[..., i, j] = a
        return out

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        return np.diagonal(g, offset, d1, d2)


class Diag(ArrayFunction):
    """``diag``: de un vector, la matriz con él en la diagonal ``diagonal``; de una matriz, esa
    diagonal. ∂/∂x = la operación contraria aplicada a g."""

    linear = True

    @staticmethod
    def forward(ctx, a, diagonal=0):
        ctx.shape, ctx.k = a.shape, diagonal
        return np.diag(a, diagonal).copy()

    @staticmethod
    def backward(ctx, g):
        if len(ctx.shape) == 1:
            return np.diag(g, ctx.k).copy()
        full = np.zeros(ctx.shape, dtype=g.dtype)
        i, j, _ = _diag_index(ctx.shape[0], ctx.shape[1], ctx.k)
        full[i, j] = g
        return full


class Unfold(ArrayFunction):
    """Ventanas deslizantes de tamaño ``size`` y paso ``step`` a lo largo de ``dim`` (la ventana
    va a un eje nuevo al final), como vista de x. ∂/∂x: cada g se suma en la posición de la que se
    copió (las ventanas solapadas suman)."""

    linear = True

    @staticmethod
    def forward(ctx, a, dim=0, size=1, step=1):
        win = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim, writeable=a.flags.writeable)
        sl = [slice(None)] * win.ndim
        sl[dim] = slice(None, None, step)
        out = win[tuple(sl)]
        ctx.shape, ctx.args, ctx.nwin = a.shape, (dim, size, step), out.shape[dim]
        return out

    @staticmethod
    def backward(ctx, g):
        dim, size, step = ctx.args
        full = np.zeros(ctx.shape, dtype=g.dtype)
        fv = np.moveaxis(full, dim, -1)
        gv = np.moveaxis(g, dim, -2)  # (..., nwin, size)
        starts = np.arange(ctx.nwin) * step
        for k in range(size):  # para un k fijo las posiciones no se repiten
            fv[..., starts + k] += gv[..., k]
        return full
