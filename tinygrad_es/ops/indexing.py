"""Indexado con tensores de índices: ``gather``, ``scatter`` (y ``scatter_add``/``scatter_reduce``),
``index_select``, ``index_add``, ``masked_fill``, ``masked_select``, ``take``, ``where`` y la
búsqueda de filas de ``embedding``.

Los índices llegan como opciones (ndarrays enteros ya validados por ``check_index``): no son
diferenciables. Cada ``ArrayFunction`` devuelve el gradiente de la entrada y, si la hay, de la fuente.
"""
import numpy as np

from ..autograd import ArrayFunction, broadcast_shape
from ..kernels import indexing as K

__all__ = ["check_index", "along", "Gather", "Pick", "Scatter", "ScatterAdd", "ScatterReduce", "IndexSelect",
           "IndexAdd", "MaskedFill", "MaskedSelect", "Take", "Where", "Embedding"]


def check_index(index, x_shape, dim, op, src_shape=None):
    """Valida ``index`` para gather/scatter como PyTorch: mismas dimensiones que la entrada, no mayor
    que ella fuera de ``dim`` (ni que ``src``) y valores en [0, tamaño)."""
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): el índice debe ser un tensor entero (int64), no {index.dtype}")
    nd = max(len(x_shape), 1)
    if index.ndim != len(x_shape) and not (index.ndim <= 1 and len(x_shape) <= 1):
        raise RuntimeError(f"{op}(): el índice debe tener el mismo número de dimensiones que la entrada "
                           f"({len(x_shape)}), y tiene {index.ndim}")
    ishape = index.shape if index.ndim else (1,) * min(len(x_shape), 1)
    xs = tuple(x_shape) if x_shape else (1,)
    for d in range(len(ishape)):
        if d != dim and ishape[d] > xs[d]:
            raise RuntimeError(f"{op}(): el índice de forma {tuple(index.shape)} no puede ser mayor que la "
                               f"entrada {tuple(x_shape)} fuera del eje {dim}")
        if src_shape is not None and ishape[d] > (tuple(src_shape) or (1,))[d]:
            raise RuntimeError(f"{op}(): el índice de forma {tuple(index.shape)} no puede ser mayor que src "
                               f"{tuple(src_shape)}")
    if index.size:
        lo, hi = int(index.min()), int(index.max())
        n = xs[dim % nd]
        if lo < 0 or hi >= n:
            bad = lo if lo < 0 else hi
            raise RuntimeError(f"{op}(): el índice {bad} está fuera de rango para el eje {dim} de tamaño {n}")


def along(index, dim):
    """Tupla de índices de numpy que elige, para cada posición de ``index``, el elemento de la
    entrada en la misma posición salvo en el eje ``dim``, donde manda ``index``."""
    grids = list(np.ogrid[tuple(slice(0, n) for n in index.shape)])
    grids[dim] = index
    return tuple(grids)


def _lead(src, index):
    """La parte de ``src`` que usa ``index`` (``src`` puede ser mayor)."""
    if src.ndim == 0:
        return src
    return src[tuple(slice(0, n) for n in index.shape)]


def _pad_to(g, shape):
    if g.shape == tuple(shape):
        return g
    full = np.zeros(shape, dtype=g.dtype)
    full[tuple(slice(0, n) for n in g.shape)] = g
    return full


class Gather(ArrayFunction):
    """``out[i][j] = x[i][index[i][j]]`` (con ``dim=1``). ∂/∂x: cada g vuelve a la posición de la
    que salió; las posiciones repetidas suman (``scatter_add``)."""

    linear = True
    reads = ((0,),)

    @staticmethod
    def forward(ctx, x, index=None, dim=0):
        ctx.shape, ctx.tup = x.shape, along(index, dim)
        return np.asarray(x[ctx.tup])

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(ctx.shape, dtype=g.dtype)
        np.add.at(full, ctx.tup, g)
        return full


class Pick(Gather):
    """Los valores que eligen ``sort``, ``topk``, ``kthvalue``, ``median``, ``mode``... (un ``Gather``
    con los índices que calculó la selección). La derivada sólo lee los índices: cambiar la entrada
    in situ después no invalida el backward (como en PyTorch)."""

    reads = ((),)


class Scatter(ArrayFunction):
    """``out = x`` salvo ``out[i][index[i][j]] = src[i][j]`` (``dim=1``); ``src`` puede ser un número.
    ∂/∂x = g con 0 donde se escribió; ∂/∂src = g[index] (``gather``)."""

    linear = True  # con src; con value es afín (tangent)

    @staticmethod
    def forward(ctx, x, *src, index=None, dim=0, value=None):
        tup = along(index, dim)
        out = x.copy()
        out[tup] = _lead(src[0], index) if src else value
        ctx.tup, ctx.src_shape = tup, (src[0].shape if src else None)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        gx[ctx.tup] = 0
        if ctx.src_shape is None:
            return gx
        return gx, _pad_to(np.asarray(g[ctx.tup]), ctx.src_shape)

    @staticmethod
    def tangent(ctx, dx, dsrc=None):  # lineal en (x, src); con ``value`` la parte lineal escribe 0
        out = np.zeros(ctx.out_shape, ctx.out_dtype) if dx is None else dx.copy()
        out[ctx.tup] = 0 if dsrc is None else _lead(dsrc, ctx.kwargs["index"])
        return out


class ScatterAdd(ArrayFunction):
    """``out = x``; ``out[i][index[i][j]] += src[i][j]``. ∂/∂x = g; ∂/∂src = g[index]."""

    linear = True

    @staticmethod
    def forward(ctx, x, src, index=None, dim=0):
        tup = along(index, dim)
        out = x.copy()
        np.add.at(out, tup, _lead(src, index))
        ctx.tup, ctx.src_shape = tup, src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        return g, _pad_to(np.asarray(g[ctx.tup]), ctx.src_shape)


_INIT = {"sum": 0, "mean": 0, "prod": 1}


class ScatterReduce(ArrayFunction):
    """Reduce en ``out[..index..]`` los valores de ``src`` que caen en cada posición (y el de ``x`` si
    ``include_self``) con ``sum``, ``prod``, ``mean``, ``amax`` o ``amin``.

    Cada posición es una reducción de un grupo de "contribuyentes" (x y los src que apuntan a
    ella); el gradiente de cada contribuyente es el de esa reducción: 1 (sum), 1/n (mean), el
    producto de los demás (prod) y, en amax/amin, g repartido por igual entre los que empatan con
    el resultado (como PyTorch)."""

    @staticmethod
    def forward(ctx, x, src, index=None, dim=0, reduce="sum", include_self=True):
        tup = along(index, dim)
        s = _lead(src, index)
        flat_t = np.ravel_multi_index(np.broadcast_arrays(*tup), x.shape).reshape(-1)
        s = s.reshape(-1)
        hit = np.zeros(x.size, dtype=bool)
        hit[flat_t] = True
        self_in = np.ones(x.size, dtype=bool) if include_self else ~hit
        out = x.reshape(-1).copy()
        if reduce in ("sum", "mean", "prod"):
            if not include_self:
                out[hit] = _INIT[reduce]
            (np.multiply if reduce == "prod" else np.add).at(out, flat_t, s)
        else:
            fill = _extreme(x.dtype, reduce == "amax")
            if not include_self:
                out[hit] = fill
            (np.maximum if reduce == "amax" else np.minimum).at(out, flat_t, s)
        count = self_in.astype(np.int64)
        np.add.at(count, flat_t, 1)
        if reduce == "mean":
            c = np.maximum(count, 1)
            out = np.floor_divide(out, c) if out.dtype.kind in "iu" else (out / c).astype(x.dtype)
        ctx.save_for_backward(x, s, out)
        ctx.info = (flat_t, self_in, count, reduce, x.shape, src.shape, index.shape)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x, s, out = ctx.saved_tensors
        flat_t, self_in, count, reduce, xshape, sshape, ishape = ctx.info
        gf = g.reshape(-1)
        xf = x.reshape(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            if reduce == "sum":
                w_self, w_src = np.ones_like(gf), np.ones(s.shape, g.dtype)
                gt = gf
            elif reduce == "mean":
                gt = gf / np.maximum(count, 1)
                w_self, w_src = np.ones_like(gf), np.ones(s.shape, g.dtype)
            elif reduce == "prod":
                gt = gf
                w_self, w_src = _others_product(xf, s, flat_t, self_in)
            else:
                # PyTorch cuenta el empate de x aunque include_self=False (y luego le da 0)
                eq_self = _same(xf, out)
                eq_src = _same(s, out[flat_t])
                n = eq_self.astype(g.dtype)
                np.add.at(n, flat_t, eq_src.astype(g.dtype))
                gt = gf / n
                w_self, w_src = eq_self.astype(g.dtype), eq_src.astype(g.dtype)
            gx = np.where(self_in, gt * w_self, 0).reshape(xshape)
            gs = (gt[flat_t] * w_src).reshape(ishape)
        return gx, _pad_to(gs, sshape)


def _extreme(dtype, for_max):
    if dtype.kind == "f":
        return -np.inf if for_max else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    return (info.min if for_max else info.max) if info else (not for_max)


def _same(a, b):
    eq = a == b
    if a.dtype.kind == "f":
        eq |= np.isnan(a) & np.isnan(b)
    return eq


def _others_product(xf, s, flat_t, self_in):
    """Para cada contribuyente, el producto de los demás de su grupo (exacto con ceros)."""
    n = xf.size
    nz = np.where(self_in & (xf != 0), xf, 1).astype(xf.dtype)
    zeros = (self_in & (xf == 0)).astype(np.int64)
    np.multiply.at(nz, flat_t, np.where(s != 0, s, 1))
    np.add.at(zeros, flat_t, (s == 0).astype(np.int64))

    def others(v, t):
        z, p = zeros[t], nz[t]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            alone = np.where(v != 0, p / np.where(v != 0, v, 1), p)
        return np.where(z == 0, alone, np.where((z == 1) & (v == 0), p, 0))

    return others(xf, np.arange(n)), others(s, flat_t)


class IndexSelect(ArrayFunction):
    """Elige las posiciones ``index`` (1-D) del eje ``dim``. ∂/∂x: ``index_add`` de g (los índices
    repetidos suman)."""

    linear = True

    @staticmethod
    def forward(ctx, x, index=None, dim=0):
        ctx.shape, ctx.index, ctx.dim = x.shape, index, dim
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(ctx.shape, dtype=g.dtype)
        np.add.at(full, (slice(None),) * ctx.dim + (ctx.index,), g)
        return full


class IndexAdd(ArrayFunction):
    """``out = x``; ``out[..., index[k], ...] += alpha·source[..., k, ...]`` en el eje ``dim``.
    ∂/∂x = g; ∂/∂source = alpha·g[..., index, ...]."""

    linear = True

    @staticmethod
    def forward(ctx, x, source, index=None, dim=0, alpha=1):
        out = x.copy()
        lead = (slice(None),) * dim
        np.add.at(out, lead + (index,), source * alpha if alpha != 1 else source)
        ctx.lead, ctx.index, ctx.alpha, ctx.sshape = lead, index, alpha, source.shape
        return np.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g, (np.asarray(g[ctx.lead + (ctx.index,)]) * ctx.alpha).reshape(ctx.sshape)


class MaskedFill(ArrayFunction):
    """``value`` donde ``mask`` es cierto y ``x`` donde no (``mask`` hace broadcasting).
    ∂/∂x = g donde mask es falso; ∂/∂value = Σ g donde mask es cierto."""

    linear = True

    @staticmethod
    def forward(ctx, x, value, mask=None):
        ctx.save_for_backward(mask)
        return np.where(mask, value.astype(x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        z = g.dtype.type(0)
        gv = np.asarray(np.where(mask, g, z).sum()) if ctx.needs_input_grad[1] else None
        return np.where(mask, z, g), gv


class MaskedSelect(ArrayFunction):
    """Los elementos de ``x`` donde ``mask`` es cierto (1-D, en orden). ∂/∂x: g vuelve a su sitio."""

    linear = True

    @staticmethod
    def forward(ctx, x, mask=None):
        shape = np.broadcast_shapes(x.shape, mask.shape)
        m = np.broadcast_to(mask, shape)
        ctx.mask, ctx.shape = m, shape
        return np.broadcast_to(x, shape)[m]

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(ctx.shape, dtype=g.dtype)
        full[ctx.mask] = g
        return full


class Take(ArrayFunction):
    """``x`` aplanado, elegido en ``index`` (admite negativos). ∂/∂x: g vuelve a su sitio (suma)."""

    linear = True

    @staticmethod
    def forward(ctx, x, index=None):
        flat = x.reshape(-1)
        ctx.shape, ctx.index = x.shape, index
        return flat[index]

    @staticmethod
    def backward(ctx, g):
        full = np.zeros(int(np.prod(ctx.shape)), dtype=g.dtype)
        np.add.at(full, ctx.index, g)
        return full.reshape(ctx.shape)


class Where(ArrayFunction):
    """where(c, a, b): ∂/∂a = [c], ∂/∂b = [¬c]."""

    linear = True

    @staticmethod
    def forward(ctx, a, b, cond=None):
        broadcast_shape(cond.shape, a.shape, b.shape, op="where")
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        z = g.dtype.type(0)
        return np.where(cond, g, z), np.where(cond, z, g)


class Embedding(ArrayFunction):
    """``weight[idx]``: ∂/∂weight acumula el gradiente de cada aparición en su fila (0 en
    ``padding_idx``; dividido por su frecuencia con ``scale_grad_by_freq``)."""

    @staticmethod
    def forward(ctx, w, idx=None, padding_idx=None, scale=False):
        ctx.save_for_backward(idx)
        ctx.rows, ctx.padding_idx, ctx.scale = w.shape[0], padding_idx, scale
        return w[idx]

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        flat = idx.reshape(-1)
        gw = np.zeros((ctx.rows,) + g.shape[idx.ndim:], dtype=g.dtype)
        gg = g.reshape((flat.size,) + g.shape[idx.ndim:])
        if ctx.scale:
            gg = gg / _counts(flat, ctx.rows).reshape((-1,) + (1,) * (gg.ndim - 1))
        if gg.ndim == 2 and gg.dtype == gw.dtype and gg.dtype.kind == "f":
            K.add_rows(gw, flat, np.ascontiguousarray(gg))  # mismo orden de suma que add.at, más rápido
        else:
            np.add.at(gw, flat, gg)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return gw

    @staticmethod
    def tangent(ctx, dw):  # la traspuesta del backward: filas elegidas (la de relleno, a 0)
        (idx,) = ctx.saved_tensors
        if ctx.padding_idx is not None:
            dw = dw.copy()
            dw[ctx.padding_idx] = 0
        out = dw[idx]
        if ctx.scale:
            out = out / _counts(idx.reshape(-1), ctx.rows).reshape(idx.shape + (1,) * (out.ndim - idx.ndim))
        return out


def _counts(flat, rows):
    return np.bincount(flat, minlength=rows)[flat]
