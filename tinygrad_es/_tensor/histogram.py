"""Histogramas: ``Tensor.histc`` y ``Tensor.histogram`` (``torch.histc``/``torch.histogram`` se generan
de ellos en ``functions.py``), para mirar cómo se reparten activaciones y gradientes, como en
makemore. Sin gradiente."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase

__all__ = ["HistogramMixin", "histogram_result"]

histogram_result = namedtuple("histogram", ["hist", "bin_edges"])
histogram_result.__module__ = "tinygrad_es.return_types"


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
