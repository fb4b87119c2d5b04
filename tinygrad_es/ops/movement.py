"""Operaciones de movimiento: reshape, permute, expand, indexado (``GetItem``/``SetItem``), la
escritura en una vista (``WriteView``), cat, stack, pad."""
import numpy as np

from ..autograd import ArrayFunction


def _fits(size, shape) -> bool:
    """¿Caben ``size`` elementos en ``shape`` (con como mucho un −1)?"""
    known = int(np.prod([n for n in shape if n != -1]))
    if list(shape).count(-1) > 1:
        return False
    return (known != 0 and size % known == 0) if -1 in shape else known == size


class Reshape(ArrayFunction):
    """Cambio de forma (una vista si la memoria lo permite; con ``view=True`` tiene que serlo, como
    ``x.view``): el gradiente vuelve a la forma original."""

    linear = True

    @staticmethod
    def forward(ctx, a, shape=None, view=False):
        ctx.shape = a.shape
        try:
            # el método (vista si se puede, si no copia) cuesta ~0,8 µs menos que np.reshape(copy=None)
            return np.reshape(a, shape, copy=False) if view else a.reshape(shape)
        except ValueError:
            if view and _fits(a.size, shape):
                raise RuntimeError(f"view: la forma {tuple(shape)} no es compatible con la disposición en memoria "
                                   f"del tensor (forma {tuple(a.shape)}, no contiguo); usa .reshape(...)") from None
            raise RuntimeError(f"no se puede cambiar la forma {tuple(a.shape)} ({a.size} elementos) "
                               f"a {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Permute(ArrayFunction):
    """Permutación de ejes: el gradiente se permuta con la inversa."""

    linear = True

    @staticmethod
    def forward(ctx, a, dims=None):
        dims = tuple(d % a.ndim for d in dims) if a.ndim else ()
        if sorted(dims) != list(range(a.ndim)):
            raise RuntimeError(f"permutación {dims} no válida para un tensor de {a.ndim} dimensiones")
        inv = [0] * len(dims)  # la permutación inversa (sin np.argsort: ~2 µs por llamada)
        for i, d in enumerate(dims):
            inv[d] = i
        ctx.inv = tuple(inv)
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(ctx.inv) if isinstance(g, np.ndarray) else np.transpose(g, ctx.inv)


class Expand(ArrayFunction):
    """Broadcasting explícito (una vista; de sólo lectura si de verdad repite elementos): el
    gradiente se suma sobre los ejes expandidos."""

    linear = True

    @staticmethod
    def forward(ctx, a, shape=None):
        ctx.shape = a.shape
        if tuple(shape) == a.shape:
            return a[...]
        try:
            out = np.broadcast_to(a, shape)
        except ValueError:
            raise RuntimeError(f"no se puede expandir la forma {tuple(a.shape)} a {tuple(shape)}: "
                               f"sólo se expanden ejes de tamaño 1") from None
        if out.size == a.size:  # sólo ejes nuevos de tamaño 1: nada se repite y se puede escribir (PyTorch)
            out = a.reshape(out.shape)  # añadir ejes de tamaño 1 nunca copia
        return out

    @staticmethod
    def backward(ctx, g):
        return g  # unbroadcast lo reduce a la forma original


def storage_of(a):
    """``(memoria plana, posición de a[0…] en ella)``: el array dueño de la memoria de ``a`` visto como un
    vector (si es contiguo; si no, la propia ``a`` copiada hace de memoria) y el desplazamiento en elementos."""
    root = a
    while isinstance(getattr(root, "base", None), np.ndarray):
        root = root.base
    if root.flags.c_contiguous and root.dtype == a.dtype:
        flat = root.reshape(-1)
        start = flat.__array_interface__["data"][0]
        return flat, (a.__array_interface__["data"][0] - start) // max(a.itemsize, 1)
    return np.ascontiguousarray(a).reshape(-1), 0


def strided_positions(n, size, stride, offset):
    """La posición en la memoria de cada elemento de la vista ``(size, stride, offset)`` (en elementos)."""
    pos = np.full(tuple(size), offset, dtype=np.int64)
    for d, (s, st) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = s
        pos = pos + (np.arange(s, dtype=np.int64) * st).reshape(shape)
    return pos


class AsStrided(ArrayFunction):
    """Una vista con otra forma, otros pasos y otro principio sobre la **memoria** de ``a`` (la de su
    base): ``out[i…] = memoria[offset + Σ iₖ·strideₖ]``. ∂/∂a: el gradiente de cada elemento de la vista
    se suma en su posición de la memoria (``np.add.at``: las posiciones repetidas suman) y ``a`` recoge
    el de las suyas."""

    @staticmethod
    def forward(ctx, a, size=(), stride=(), offset=None):
        flat, own = storage_of(a)
        offset = own if offset is None else offset
        ctx.meta = (flat.size, tuple(size), tuple(stride), offset, a.shape,
                    tuple(st // max(a.itemsize, 1) for st in a.strides), own)
        out = np.lib.stride_tricks.as_strided(flat[offset:] if flat.size > offset else flat[:0], shape=tuple(size),
                                              strides=tuple(st * flat.itemsize for st in stride))
        return out

    @staticmethod
    def backward(ctx, g):
        n, size, stride, offset, shape, strides, own = ctx.meta
        storage = np.zeros(n, dtype=g.dtype)
        np.add.at(storage, strided_positions(n, size, stride, offset), g)
        mine = strided_positions(n, shape, strides, own)
        return storage[mine]


class GetItem(ArrayFunction):
    """Indexado ``x[índice]`` con las reglas de PyTorch. ``index = (básico, avanzado)`` lo prepara
    ``_tensor/_args.torch_index``: ``básico`` (enteros, cortes, ``None``, ``...``) da una **vista**
    de ``a``; ``avanzado`` (arrays de enteros o máscaras, ``None`` si no hay) elige sobre esa vista
    (una copia), con los ejes de los índices avanzados en su sitio si van juntos y delante si no.
    ∂/∂a: el gradiente vuelve a su posición; los índices repetidos suman (``np.add.at``)."""

    linear = True

    @staticmethod
    def forward(ctx, a, index=None):
        basic, adv = index
        ctx.shape, ctx.index = a.shape, index
        view = a[basic]
        return view if adv is None else view[adv]

    @staticmethod
    def backward(ctx, g):
        basic, adv = ctx.index
        full = np.zeros(ctx.shape, dtype=g.dtype)
        region = full[basic]
        if adv is None:
            region[...] = g
        else:
            np.add.at(region, adv, g)
        return full


class SetItem(ArrayFunction):
    """``a[index] = v`` sin modificar ``a`` (lo usa ``x[...] = v`` con grafo); ``index`` como en
    ``GetItem``. ∂/∂a = g con ceros en la región escrita; ∂/∂v = g[index] (el motor lo reduce a la
    forma de v)."""

    linear = True

    @staticmethod
    def write(a, index, v) -> None:
        """Escribe ``v`` (con broadcasting) en ``a[index]``, in situ."""
        basic, adv = index
        region = a[basic]
        try:
            if adv is None:
                region[...] = v
            else:
                region[adv] = v
        except ValueError as e:
            sel = region.shape if adv is None else np.shape(region[adv])
            raise RuntimeError(f"no se puede asignar un valor de forma {tuple(np.shape(v))} a una selección de "
                               f"forma {tuple(sel)} (tensor de forma {tuple(a.shape)}): {e}") from None

    @staticmethod
    def forward(ctx, a, v, index=None):
        out = a.copy()
        SetItem.write(out, index, v)
        ctx.index = index
        return out

    @staticmethod
    def backward(ctx, g):
        basic, adv = ctx.index
        ga = np.array(g, copy=True)
        region, gregion = ga[basic], g[basic]
        if adv is None:
            region[...] = 0
            return ga, np.array(gregion)
        region[adv] = 0
        return ga, np.asarray(gregion[adv])


class WriteView(ArrayFunction):
    """La base con la región de una de sus vistas sustituida por ``src``: el nodo que deja en la
    base una operación in situ sobre una vista (``CopySlices`` en PyTorch). ``index`` da, para cada
    elemento de la vista, su posición en la base aplanada (``ViewInfo.flat_index``).
    ∂/∂base = g con ceros en la región (lo que había allí se sobrescribió); ∂/∂src = g[región]."""

    linear = True

    @staticmethod
    def forward(ctx, base, src, index=None):
        out = np.array(base, order="C", copy=True)
        out.reshape(-1)[index] = src
        ctx.index = index
        return out

    @staticmethod
    def backward(ctx, g):
        gb = np.array(g, order="C", copy=True)
        flat = gb.reshape(-1)
        gs = flat[ctx.index]
        flat[ctx.index] = 0
        return gb, gs


class TakeAlong(ArrayFunction):
    """Elige ``a`` en los índices ``index`` a lo largo de ``axis`` (los valores de ``max(dim)``).
    ∂/∂a: el gradiente va sólo a la posición elegida."""

    linear = True

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


class Cat(ArrayFunction):
    """Concatenación: el gradiente se parte en los trozos de cada entrada. Como PyTorch, un tensor
    1-D vacío (forma (0,)) se admite con cualquier forma y no aporta nada (su gradiente es vacío)."""

    linear = True

    @staticmethod
    def forward(ctx, *arrays, axis=0):
        used = [not (x.ndim == 1 and x.size == 0) for x in arrays]
        if not any(used):
            used = [True] * len(arrays)
        parts = [x for x, u in zip(arrays, used) if u]
        shapes = [x.shape for x in parts]
        nd = parts[0].ndim
        ax = axis % nd if nd else 0
        for s in shapes[1:]:
            if len(s) != nd or any(s[i] != shapes[0][i] for i in range(nd) if i != ax):
                raise RuntimeError(f"cat: las formas {shapes} deben coincidir salvo en el eje {axis}")
        ctx.axis, ctx.used, ctx.dtype_shapes = ax, used, [x.shape for x in arrays]
        ctx.splits = np.cumsum([s[ax] for s in shapes])[:-1]
        return np.concatenate(parts, axis=ax)

    @staticmethod
    def backward(ctx, g):
        pieces = iter(np.split(g, ctx.splits, axis=ctx.axis))
        return tuple(next(pieces) if u else np.zeros(s, dtype=g.dtype) for u, s in zip(ctx.used, ctx.dtype_shapes))


class Stack(ArrayFunction):
    """Apilado en un eje nuevo: cada entrada recibe su corte del gradiente."""

    linear = True

    @staticmethod
    def forward(ctx, *arrays, axis=0):
        shapes = {x.shape for x in arrays}
        if len(shapes) != 1:
            raise RuntimeError(f"stack: todos los tensores deben tener la misma forma; hay {sorted(shapes)}")
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        n = g.shape[ctx.axis]
        return tuple(np.take(g, i, axis=ctx.axis) for i in range(n))


class Pad(ArrayFunction):
    """Relleno constante. ``pad`` como en numpy: ((antes, después), ...) por eje. ∂/∂a: el
    gradiente sin el relleno (el recorte de g)."""

    linear = True

    @staticmethod
    def forward(ctx, a, pad_width=None, value=0.0):
        pw = np.broadcast_to(np.asarray(pad_width, dtype=int), (a.ndim, 2)) if a.ndim else ()
        if np.any(np.asarray(pw) < 0):
            raise RuntimeError("pad: los rellenos deben ser ≥ 0")
        ctx.slices = tuple(slice(int(b), int(b) + n) for (b, _), n in zip(pw, a.shape))
        ctx.pw = pw
        return np.pad(a, pw, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.slices]

    @staticmethod
    def tangent(ctx, dx):  # afín: la parte lineal rellena con ceros
        return np.pad(dx, ctx.pw, mode="constant")
