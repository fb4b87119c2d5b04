"""Más operaciones de forma: ``flip``, ``roll``, ``repeat``, ``tril``/``triu``, diagonales,
``unfold``, ``cross`` y ``einsum``. Cada una con su gradiente (casi siempre la operación "inversa"
aplicada a g: lo que se copió, se suma de vuelta; lo que se movió, se devuelve a su sitio).
"""
import numpy as np

from ..autograd import Function

__all__ = ["Contiguous", "Flip", "Roll", "Repeat", "Triangle", "Diag", "Diagonal", "DiagEmbed", "Unfold", "Cross",
           "Einsum", "parse_einsum"]


class Contiguous(Function):
    """Copia con memoria contigua en orden C (``x.contiguous()``); ∂/∂x = g."""

    @staticmethod
    def forward(ctx, a):
        return np.ascontiguousarray(a) if not a.flags.c_contiguous else a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class Flip(Function):
    """Invierte el orden a lo largo de ``dims``. ∂/∂x = flip(g)."""

    @staticmethod
    def forward(ctx, a, dims=()):
        ctx.dims = dims
        return np.flip(a, dims).copy() if dims else a.copy()

    @staticmethod
    def backward(ctx, g):
        return np.flip(g, ctx.dims) if ctx.dims else g


class Roll(Function):
    """Desplaza circularmente ``shifts`` posiciones en ``dims`` (todo aplanado si ``dims`` es None).
    ∂/∂x = roll(g, −shifts)."""

    @staticmethod
    def forward(ctx, a, shifts=0, dims=None):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return np.roll(g, neg, ctx.dims)


class Repeat(Function):
    """``x.repeat(*reps)``: copia el tensor ``reps[i]`` veces en cada eje (``np.tile``).
    ∂/∂x = suma de g sobre las copias."""

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


class Triangle(Function):
    """Triángulo inferior (``tril``) o superior (``triu``) de las dos últimas dimensiones a partir
    de la diagonal ``diagonal``. ∂/∂x = el mismo triángulo de g."""

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


class Diagonal(Function):
    """La diagonal ``offset`` de los ejes ``dim1``, ``dim2`` (va al final). ∂/∂x: g vuelve a esa
    diagonal y el resto es 0."""

    @staticmethod
    def forward(ctx, a, offset=0, dim1=0, dim2=1):
        ctx.shape, ctx.args = a.shape, (offset, dim1, dim2)
        return np.diagonal(a, offset, dim1, dim2).copy()

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        full = np.zeros(ctx.shape, dtype=g.dtype)
        view = np.moveaxis(full, (d1, d2), (-2, -1))
        i, j, _ = _diag_index(view.shape[-2], view.shape[-1], offset)
        view[..., i, j] = g
        return full


class DiagEmbed(Function):
    """Pone el último eje de x en la diagonal ``offset`` de dos ejes nuevos ``dim1``, ``dim2``.
    ∂/∂x = la diagonal de g."""

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


class Diag(Function):
    """``diag``: de un vector, la matriz con él en la diagonal ``diagonal``; de una matriz, esa
    diagonal. ∂/∂x = la operación contraria aplicada a g."""

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


class Unfold(Function):
    """Ventanas deslizantes de tamaño ``size`` y paso ``step`` a lo largo de ``dim`` (la ventana
    va a un eje nuevo al final). ∂/∂x: cada g se suma en la posición de la que se copió."""

    @staticmethod
    def forward(ctx, a, dim=0, size=1, step=1):
        win = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim)
        sl = [slice(None)] * win.ndim
        sl[dim] = slice(None, None, step)
        out = win[tuple(sl)].copy()
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


class Cross(Function):
    """Producto vectorial a lo largo de ``dim`` (tamaño 3). ∂/∂a = b × g; ∂/∂b = g × a."""

    @staticmethod
    def forward(ctx, a, b, dim=-1):
        a2, b2 = np.broadcast_arrays(a, b)
        ctx.save_for_backward(a2, b2)
        ctx.dim = dim
        return np.cross(a2, b2, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        d = ctx.dim
        return np.cross(b, g, axis=d), np.cross(g, a, axis=d)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def parse_einsum(equation, shapes):
    """Ecuación explícita sin ``...`` (letras únicas para los ejes de la elipsis) y tamaño de cada
    letra. Errores en castellano para ecuaciones mal formadas."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: la ecuación '{equation}' tiene {len(ins)} operandos y se dieron {len(shapes)}")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for s, shp in zip(ins, shapes):
        if any(not (c.isalpha() or c == ".") for c in s):
            raise ValueError(f"einsum: subíndice no válido en '{s}' (sólo letras y '...')")
        named = len(s.replace("...", ""))
        if "..." in s:
            n_ell = max(n_ell, len(shp) - named)
        elif named != len(shp):
            raise ValueError(f"einsum: el operando '{s}' tiene {named} subíndices pero {len(shp)} dimensiones")
    ell = "".join(free[:n_ell])
    new_ins = []
    for s, shp in zip(ins, shapes):
        if "..." in s:
            k = len(shp) - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ell - k:] if k else "")
        new_ins.append(s)
    if arrow:
        rhs = rhs.replace("...", ell)  # sin "..." en la salida, los ejes de la elipsis se suman
    else:
        counts = {}
        for s in new_ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    sizes = {}
    for s, shp in zip(new_ins, shapes):
        for c, n in zip(s, shp):
            if c not in sizes or sizes[c] == 1:
                sizes[c] = n
            elif n != 1 and n != sizes[c]:  # tamaño 1 hace broadcasting (también con 0)
                raise RuntimeError(f"einsum: el subíndice '{c}' tiene tamaños distintos: {sizes[c]} y {n}")
    for c in rhs:
        if c not in sizes:
            raise ValueError(f"einsum: el subíndice de salida '{c}' no aparece en ningún operando")
    return new_ins, rhs, sizes


class Einsum(Function):
    """Suma de Einstein. ∂/∂Aₖ = einsum de g con los demás operandos hacia los subíndices de Aₖ
    (con unos para las letras que sólo aparecen en Aₖ, y devuelto a la diagonal si Aₖ repite
    letra, p. ej. ``"ii->i"``)."""

    @staticmethod
    def forward(ctx, *arrays, ins=(), out="", sizes=None):
        ops = [np.broadcast_to(a, tuple(sizes[c] for c in s)) for a, s in zip(arrays, ins)]
        ctx.ops, ctx.ins, ctx.out, ctx.sizes = ops, ins, out, sizes
        ctx.save_for_backward(*ops)
        res = np.einsum(",".join(ins) + "->" + out, *ops, optimize=len(ops) > 2)
        return np.asarray(res, dtype=arrays[0].dtype)

    @staticmethod
    def backward(ctx, g):
        ops, ins, out, sizes = ctx.saved_tensors, ctx.ins, ctx.out, ctx.sizes
        grads = []
        for k, s in enumerate(ins):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            uniq = "".join(dict.fromkeys(s))
            others = [(ins[j], ops[j]) for j in range(len(ops)) if j != k]
            present = set(out).union(*[set(t) for t, _ in others])
            ones = [(c, np.ones(sizes[c], dtype=g.dtype)) for c in uniq if c not in present]
            subs = [out] + [t for t, _ in others] + [c for c, _ in ones]
            arrs = [g] + [a for _, a in others] + [a for _, a in ones]
            gu = np.einsum(",".join(subs) + "->" + uniq, *arrs, optimize=len(arrs) > 2)
            if uniq != s:  # letras repetidas: el gradiente vive en la diagonal
                full = np.zeros(tuple(sizes[c] for c in s), dtype=g.dtype)
                grids = np.ogrid[tuple(slice(0, sizes[c]) for c in uniq)]
                full[tuple(grids[uniq.index(c)] for c in s)] = gu
                gu = full
            grads.append(gu)
        return tuple(grads)
