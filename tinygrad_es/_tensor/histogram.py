"""Histogramas: ``Tensor.histc`` y ``Tensor.histogram`` (``torch.histc``/``torch.histogram`` se generan
de ellos en ``functions.py``), para mirar cómo se reparten activaciones y gradientes, como en
makemore, y ``torch.histogramdd`` (varias dimensiones; sólo función, como en PyTorch). Sin gradiente."""
from __future__ import annotations

from collections import namedtuple

import builtins

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase

__all__ = ["HistogramMixin", "histogram_result", "histogramdd"]

histogram_result = namedtuple("histogram", ["hist", "bin_edges"])
histogram_result.__module__ = "tinygrad_es.return_types"
histogramdd_result = namedtuple("histogramdd", ["hist", "bin_edges"])
histogramdd_result.__module__ = "tinygrad_es.return_types"


def _float_data(t, op):
    a = t._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"{op}: se necesita un tensor de coma flotante, no {D._BY_NP[a.dtype]}")
    return a


class HistogramMixin:
    def histc(self, bins=100, min=0, max=0):  # noqa: A002 - nombres de PyTorch
        """Cuenta en ``bins`` intervalos iguales entre ``min`` y ``max`` (si los dos son 0, entre el
        mínimo y el máximo de los datos); lo que cae fuera no cuenta. Mismo dtype que la entrada."""
        a = _float_data(self, "histc")
        if bins <= 0:
            raise RuntimeError(f"histc: bins debe ser > 0, no {bins}")
        lo, hi = float(min), float(max)
        if lo == hi == 0 and a.size:
            lo, hi = float(a.min()), float(a.max())
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        if lo > hi:
            raise RuntimeError(f"histc: max ({hi}) debe ser ≥ min ({lo})")
        counts, _ = np.histogram(a[np.isfinite(a)], bins=bins, range=(lo, hi))
        return TensorBase._wrap(counts.astype(a.dtype))

    def histogram(self, bins=100, *, range=None, weight=None, density=False):  # noqa: A002
        """``(hist, bin_edges)``: recuentos (o densidad, con ``density=True``) en ``bins`` intervalos
        (o con los bordes dados en un tensor ``bins``)."""
        a = _float_data(self, "histogram")
        edges = bins._data if isinstance(bins, TensorBase) else int(bins)
        w = weight._data if isinstance(weight, TensorBase) else weight
        hist, e = np.histogram(a.reshape(-1), bins=edges, range=range,
                               weights=None if w is None else np.asarray(w).reshape(-1), density=density)
        return histogram_result(TensorBase._wrap(hist.astype(a.dtype)), TensorBase._wrap(e.astype(a.dtype)))


def histogramdd(input, bins, *, range=None, weight=None, density=False):  # noqa: A002 - nombres de PyTorch
    """Histograma de ``D`` dimensiones de los puntos de ``input`` (``(..., D)``: cada fila es un punto).

    ``bins`` es el número de intervalos (uno para todas las dimensiones o una lista de ``D``) o una lista de
    ``D`` tensores 1-D con los bordes. Sin bordes, ``range`` (``[min₀, max₀, min₁, max₁, ...]``, ``2·D``
    números) fija los extremos; si no, van del mínimo al máximo de los datos (±0,5 si son iguales). Un punto
    en el borde derecho cuenta en el último intervalo; fuera de los extremos no cuenta. ``weight`` (forma
    ``input.shape[:-1]``) pesa cada punto y ``density=True`` divide por el total y el volumen de cada celda.
    Devuelve ``(hist, bin_edges)`` con ``bin_edges`` una tupla de ``D`` tensores. Sin gradiente.

    >>> torch.histogramdd(torch.tensor([[0., 0.], [1., 1.], [1., 0.]]), bins=2).hist
    tensor([[1., 0.],
            [1., 1.]])

    En PyTorch: ``torch.histogramdd``."""
    if not isinstance(input, TensorBase):
        raise TypeError(f"histogramdd: input tiene que ser un Tensor, y es {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"histogramdd: no está implementado para {input.dtype} (usa coma flotante)")
    if input.ndim < 1:
        raise RuntimeError("histogramdd: la entrada necesita al menos una dimensión (la de las coordenadas)")
    D_ = input.shape[-1]
    a = input._data.reshape(-1, D_)
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], TensorBase):
        spec = [b._data.astype(np.float64) for b in bins]
        given = True
    else:
        spec = [int(b) for b in bins] if isinstance(bins, (list, tuple)) else [int(bins)] * D_
        given = False
    if len(spec) != D_:
        raise RuntimeError(f"histogramdd: bins tiene {len(spec)} elementos y los puntos {D_} coordenadas (el último "
                           f"eje de input); tienen que ser los mismos")
    for d, b in enumerate(spec):
        if not given and b <= 0:
            raise RuntimeError(f"torch.histogram(): bins tiene que ser > 0, y es {b} en la dimensión {d}")
    rng = None
    if range is not None and not given:
        r = [float(v) for v in range]
        if len(r) != 2 * D_:
            raise RuntimeError(f"torch.histogramdd: para un histograma de {D_} dimensiones range necesita {2 * D_} "
                               f"números, y tiene {len(r)}")
        rng = [(r[2 * d], r[2 * d + 1]) for d in builtins.range(D_)]
        for d, (lo, hi) in enumerate(rng):
            if lo > hi:
                raise RuntimeError(f"torch.histogramdd: el mínimo ({lo}) no puede superar al máximo ({hi}) en la "
                                   f"dimensión {d}")
    w = None
    if weight is not None:
        w = weight._data if isinstance(weight, TensorBase) else np.asarray(weight)
        if tuple(w.shape) != tuple(input.shape[:-1]):
            raise RuntimeError(f"histogramdd: weight tiene forma {tuple(w.shape)} y tiene que ser la de input sin el "
                               f"último eje, {tuple(input.shape[:-1])}")
        w = w.reshape(-1)
    dt = a.dtype
    if given:
        edges = [np.asarray(e, dt) for e in spec]
    else:
        edges = []
        for d in builtins.range(D_):
            lo, hi = rng[d] if rng is not None else (0.0, 1.0)  # vacío: [0, 1], como en PyTorch
            if rng is None and a.size:
                lo, hi = float(a[:, d].min()), float(a[:, d].max())
            if lo == hi and a.size:
                lo, hi = lo - 0.5, hi + 0.5
            edges.append(_linspace(lo, hi, spec[d] + 1, dt))
    hist = _bin_counts(a, edges, None if w is None else w.astype(dt), dt)
    if density:
        hist = hist / hist.sum()
        for d, e in enumerate(edges):
            shape = [1] * D_
            shape[d] = -1
            hist = hist / np.diff(e).reshape(shape)
    return histogramdd_result(TensorBase._wrap(hist.astype(dt)), tuple(TensorBase._wrap(e) for e in edges))


def _linspace(lo, hi, steps, dt):
    """``torch.linspace`` en el dtype ``dt`` (la primera mitad desde ``lo``, la segunda desde ``hi``, como ATen)."""
    t = dt.type
    start, end = t(lo), t(hi)
    step = (end - start) / t(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    return np.where(i < half, start + step * i.astype(dt), end - step * (steps - 1 - i).astype(dt)).astype(dt)


def _bin_counts(a, edges, w, dt):
    """Cada punto en su celda (``upper_bound`` en los bordes − 1; el borde derecho cuenta en el último
    intervalo); los puntos fuera de [primer borde, último borde] en algún eje no cuentan."""
    keep = np.ones(a.shape[0], bool)
    cells = []
    for d, e in enumerate(edges):
        x = a[:, d]
        keep &= ~((x < e[0]) | (x > e[-1]))
        pos = np.searchsorted(e, x, side="right") - 1
        cells.append(np.clip(pos, 0, len(e) - 2))
    hist = np.zeros(tuple(len(e) - 1 for e in edges), dt)
    np.add.at(hist, tuple(c[keep] for c in cells), 1 if w is None else w[keep])
    return hist
