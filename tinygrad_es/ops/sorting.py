"""Ordenación y selección (``sort``, ``topk``, ``kthvalue``, ``median``, ``mode``) y barridos
acumulados (``cumsum``, ``cumprod``, ``cummax``/``cummin``, ``logcumsumexp``).

Los valores elegidos por índice se calculan con ``indexing.Gather`` (el gradiente vuelve a la
posición de la que salió cada valor), así que aquí sólo se calculan los índices con las reglas de
PyTorch: nan cuenta como el mayor valor, los empates de ``sort`` conservan el orden original,
``median`` da la mediana inferior y ``kthvalue`` usa la misma selección rápida (quickselect) que
PyTorch, de modo que con empates devuelve el mismo índice.
"""
import numpy as np

from ..autograd import ArrayFunction
from ._namespace import namespace
from ..kernels.sort import kth_rows, std_sort_rows, topk_rows

__all__ = ["sort_indices", "kth_indices", "median_indices", "mode_indices", "cum_extreme", "MedianAll",
           "Cumsum", "Cumprod", "LogCumSumExp", "Unique"]


def sort_indices(a: np.ndarray, axis: int, descending: bool, stable: bool = True) -> np.ndarray:
    """Índices que ordenan ``a`` a lo largo de ``axis`` (nan al final en orden ascendente y al
    principio en descendente, como PyTorch). ``stable=False`` reproduce el ``std::sort`` de
    PyTorch, que con empates de más de 16 elementos no conserva el orden original."""
    radix = a.ndim == 1 and a.dtype.kind in "iu" and a.size >= 32768  # PyTorch usa radix sort (estable)
    if not stable and not radix and a.shape[axis] > 16:
        rows, lead = _rows(a, axis)
        idx = std_sort_rows(rows, 1 if descending else 0)
        return np.moveaxis(idx.reshape(lead + (a.shape[axis],)), -1, axis)
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        key = np.where(nan, -np.inf, -a)  # el resto, de mayor a menor...
        idx = np.argsort(key, axis=axis, kind="stable")
        # ...y los nan delante, en su orden original (segunda pasada estable por "es nan")
        first = np.argsort(~np.take_along_axis(nan, idx, axis=axis), axis=axis, kind="stable")
        return np.take_along_axis(idx, first, axis=axis)
    return np.argsort(np.invert(a), axis=axis, kind="stable")  # ~x invierte el orden sin desbordar


def topk_indices(a: np.ndarray, k: int, axis: int, largest: bool, sorted_: bool = True) -> np.ndarray:
    """Índices de ``topk`` con el mismo algoritmo que PyTorch (y por tanto los mismos empates)."""
    rows, lead = _rows(a, axis)
    idx = topk_rows(rows, k, largest, sorted_)
    return np.moveaxis(idx.reshape(lead + (k,)), -1, axis)


def _rows(a, axis):
    moved = np.moveaxis(a, axis, -1)
    lead = moved.shape[:-1]
    return np.ascontiguousarray(moved.reshape(int(np.prod(lead, dtype=np.int64)), moved.shape[-1])), lead


def kth_indices(a: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Índice (con ``keepdims``) del k-ésimo menor (k desde 0) a lo largo de ``axis``."""
    rows, lead = _rows(a, axis)
    idx = kth_rows(rows, k).reshape(lead)
    return np.expand_dims(idx, axis)


def median_indices(a: np.ndarray, axis: int, ignore_nan: bool = False) -> np.ndarray:
    """Índice (con ``keepdims``) de la mediana inferior: la posición ⌊(n−1)/2⌋ del orden estable
    (como PyTorch, que desempata por índice). Si hay nan, el primer nan (salvo ``ignore_nan``)."""
    order = sort_indices(a, axis, False)
    n = a.shape[axis]
    if a.dtype.kind == "f":
        nans = np.isnan(a).sum(axis=axis, keepdims=True)
        if ignore_nan:
            pos = np.maximum(n - nans - 1, 0) // 2
        else:
            pos = np.where(nans > 0, n - nans, (n - 1) // 2)  # el primer nan del orden estable
        return np.take_along_axis(order, pos.astype(np.int64), axis=axis)
    return np.take(order, [(n - 1) // 2], axis=axis)


def mode_indices(a: np.ndarray, axis: int) -> np.ndarray:
    """Índice (con ``keepdims``) de la moda como PyTorch: ordena los pares (valor, índice) con
    ``std::sort`` y recorre las rachas de valores iguales; gana la primera racha más larga (el
    menor valor) y su índice es el del último par de la racha."""
    rows, lead = _rows(a, axis)
    order = std_sort_rows(rows, 2)
    s = np.take_along_axis(rows, order, axis=1)
    out = np.empty(rows.shape[0], dtype=np.int64)
    for r in range(rows.shape[0]):
        ends = np.append(np.flatnonzero(s[r, 1:] != s[r, :-1]), s.shape[1] - 1)
        lengths = np.diff(np.concatenate(([-1], ends)))
        out[r] = order[r, ends[int(np.argmax(lengths))]]
    return np.expand_dims(out.reshape(lead), axis)


def cum_extreme(a: np.ndarray, axis: int, for_max: bool) -> np.ndarray:
    """Índices de ``cummax``/``cummin``: en los empates gana el último; un nan se queda hasta
    que aparece otro (como PyTorch)."""
    x = np.moveaxis(a, axis, 0)
    idx = np.zeros(x.shape, dtype=np.int64)
    if x.shape[0] == 0:
        return np.moveaxis(idx, 0, axis)
    best = x[0].copy()
    cur = np.zeros(x.shape[1:], dtype=np.int64)
    isf = a.dtype.kind == "f"
    for j in range(x.shape[0]):
        v = x[j]
        better = (v >= best) if for_max else (v <= best)
        if isf:
            better = np.isnan(v) | (~np.isnan(best) & better)
        best = np.where(better, v, best)
        cur = np.where(better, j, cur)
        idx[j] = cur
    return np.moveaxis(idx, 0, axis)


class MedianAll(ArrayFunction):
    """Mediana inferior de todos los elementos. ∂/∂x: g repartido por igual entre los elementos
    iguales a la mediana (como PyTorch)."""

    @staticmethod
    def forward(ctx, a, ignore_nan=False):
        flat = a.reshape(-1)
        if ignore_nan and flat.dtype.kind == "f":
            flat = flat[~np.isnan(flat)]
        if flat.size == 0:
            m = np.asarray(np.nan, dtype=a.dtype)
        elif flat.dtype.kind == "f" and np.isnan(flat).any():
            m = np.asarray(np.nan, dtype=a.dtype)
        else:
            m = np.asarray(np.sort(flat, kind="stable")[(flat.size - 1) // 2], dtype=a.dtype)
        mask = np.isnan(a) if (a.dtype.kind == "f" and np.isnan(m)) else (a == m)
        ctx.save_for_backward(mask)
        return m

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return np.where(mask, g / max(int(mask.sum()), 1), 0).astype(g.dtype)

    @staticmethod
    def tangent(ctx, dx):  # J (la máscara de los empates) no depende de x
        (mask,) = ctx.saved_tensors
        return np.asarray(np.where(mask, dx, 0).sum() / max(int(mask.sum()), 1), dtype=dx.dtype)


class Cumsum(ArrayFunction):
    """Suma acumulada. ∂/∂xᵢ = Σ_{j≥i} g_j (la suma acumulada de g al revés)."""

    linear = True

    @staticmethod
    def forward(ctx, a, axis=0):
        ctx.axis = axis
        return np.cumsum(a, axis=axis, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        r = np.flip(g, ctx.axis)
        return np.flip(np.cumsum(r, axis=ctx.axis), ctx.axis)


class Cumprod(ArrayFunction):
    """Producto acumulado yⱼ = Π_{k≤j} xₖ. Con el cálculo de PyTorch: antes del primer cero,
    ∂/∂xᵢ = (Σ_{j≥i} g_j·y_j)/xᵢ; en el primer cero z, P_{z−1}·S_z con P el producto exclusivo por la
    izquierda y S_z = Σ_{j≥z} g_j·Π_{z<k≤j} xₖ (recurrencia Sᵢ = gᵢ + xᵢ₊₁·Sᵢ₊₁); después, 0."""

    differentiable = True  # (orden superior sin ceros: véase backward)
    reads = ((0, -1),)

    @staticmethod
    def forward(ctx, a, axis=0):
        ctx.axis = axis
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.cumprod(a, axis=axis, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        if not isinstance(g, np.ndarray):  # orden superior: (Σ_{j≥i} g_j·y_j) / x_i, sin ceros
            if bool((a._data == 0).any()):
                raise RuntimeError("la derivada segunda de 'Cumprod' con ceros en la entrada no está implementada")
            d = ctx.axis
            return (g * out).flip(d).cumsum(d).flip(d) / a
        x = np.moveaxis(a, ctx.axis, 0)
        gg = np.moveaxis(g, ctx.axis, 0)
        n = x.shape[0]
        if x.size <= 1 or n == 1:
            return g.copy()
        y = np.moveaxis(out, ctx.axis, 0)
        out = np.empty_like(gg)
        before = np.logical_or.accumulate(x == 0, axis=0) == 0  # antes del primer cero
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            w = np.where(before, y * gg, 0)
            division = np.flip(np.cumsum(np.flip(w, 0), axis=0), 0) / x
            excl = np.ones_like(x)
            excl[1:] = np.cumprod(x[:-1], axis=0)
            # S del primer cero: sólo hasta el segundo cero (lo que hay detrás no cuenta, ni con nan)
            live = np.cumsum(x == 0, axis=0) <= 1
            gl, xl = np.where(live, gg, 0), np.where(live, x, 0)
            s = gl[n - 1].copy()
            out[n - 1] = excl[n - 1] * s
            for i in range(n - 2, -1, -1):
                s = gl[i] + xl[i + 1] * s
                out[i] = excl[i] * s
        # tras el primer cero la derivada es 0 exacto (elegido: un g inf o nan no se cuela, como PyTorch)
        zero_before = np.zeros(x.shape, dtype=bool)
        zero_before[1:] = np.logical_or.accumulate(x[:-1] == 0, axis=0)
        out[zero_before] = 0
        out = np.where(before, division, out)
        return np.moveaxis(out, 0, ctx.axis)


def _logcumsumexp(z, axis):
    """logaddexp acumulado en float64 y redondeado a cada paso al dtype de ``z`` (como el acumulador
    ``double`` de PyTorch en CPU: con valores grandes, ±1e4, el float32 pierde tres cifras)."""
    return np.logaddexp.accumulate(z.astype(np.float64, copy=False), axis=axis).astype(z.dtype, copy=False)


def _rev_logcumsumexp(z, axis):
    return np.flip(_logcumsumexp(np.flip(z, axis), axis), axis)


class LogCumSumExp(ArrayFunction):
    """yⱼ = log Σ_{k≤j} e^(xₖ) (acumulado con logaddexp en float64, sin desbordar).
    ∂/∂xᵢ = Σ_{j≥i} g_j·e^(xᵢ − yⱼ); se calcula en escala logarítmica separando g > 0 y g < 0:
    e^(xᵢ + revlcse(log g⁺ − y)ᵢ) − e^(xᵢ + revlcse(log g⁻ − y)ᵢ), en el orden de PyTorch."""

    differentiable = True

    @staticmethod
    def forward(ctx, a, axis=0):
        out = _logcumsumexp(a, axis) if a.shape[axis] else a.copy()
        ctx.save_for_backward(a, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        if not isinstance(g, np.ndarray):  # orden superior: e^(x_i)·Σ_{j≥i} g_j·e^(−y_j), registrado
            xp, d = namespace(g), ctx.axis
            return xp.exp(a) * (g * xp.exp(-out)).flip(d).cumsum(d).flip(d)
        if g.size == 0:
            return g
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lg = np.log(np.abs(g))
            pos = np.where(g > 0, lg, -np.inf) - out
            neg = np.where(g < 0, lg, -np.inf) - out
            return (np.exp(a + _rev_logcumsumexp(pos, ctx.axis))
                    - np.exp(a + _rev_logcumsumexp(neg, ctx.axis))).astype(g.dtype)


class Unique(ArrayFunction):
    """Los valores distintos (``values``, ya calculados). Como en PyTorch el resultado sigue en el
    grafo (``requires_grad``) pero no tiene derivada: el backward lo dice."""

    @staticmethod
    def forward(ctx, a, values=None):
        return values

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("la derivada de unique no está implementada (tampoco en PyTorch); "
                           "calcula unique sobre x.detach()")
