"""Estadística descriptiva de PyTorch: ``nansum``, ``nanmean``, ``quantile``/``nanquantile``,
``cov``, ``corrcoef``, ``cdist``, ``dist`` y los recuentos y búsquedas ``bincount``, ``isin``,
``bucketize``, ``searchsorted`` (éstos sin gradiente: devuelven enteros o bool).

Las diferenciables se componen de ``sort``, ``gather``, ``where``, ``sum`` y ``matmul``: su
derivada sale de esas piezas (``quantile`` reparte el gradiente entre los dos valores ordenados que
interpola, con los pesos de la interpolación).
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ._args import norm_dim
from .joins import where
from .linalg import vector_norm

__all__ = ["StatisticsMixin", "isin", "bucketize", "searchsorted", "cdist"]

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _float_only(x, op):
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}(): la entrada debe ser de coma flotante (float o double), no {x.dtype}")


def _data(x):
    return x._data if isinstance(x, TensorBase) else np.asarray(x)


class StatisticsMixin:
    __slots__ = ()

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        """Suma tratando los ``nan`` como 0 (su gradiente es 0). Ejemplo:
        ``tensor([1., nan, 2.]).nansum()`` → 3. En PyTorch: ``torch.nansum``."""
        x = self
        if x._data.dtype.kind == "f":
            x = where(x.isnan(), TensorBase._wrap(np.zeros((), x._data.dtype)), x)
        return x.sum(dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        """Media de los valores que no son ``nan`` (``nan`` si no queda ninguno). En PyTorch:
        ``torch.nanmean``."""
        if self._data.dtype.kind != "f" and dtype is None:
            raise RuntimeError(f"nanmean(): se esperaba un tensor de coma flotante, no {self.dtype}")
        x = self if dtype is None else self.type(dtype)
        count = x.isnan().logical_not().sum(dim, keepdim)
        return x.nansum(dim, keepdim) / count.type(x.dtype)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        """Cuantil ``q`` (un número o un tensor 0-D/1-D en [0, 1]) a lo largo de ``dim`` (todo el
        tensor si es ``None``); con ``nan`` en la fila, ``nan``. ``interpolation``: ``"linear"``
        (por defecto), ``"lower"``, ``"higher"``, ``"midpoint"`` o ``"nearest"``. Con ``q`` 1-D el
        primer eje de la salida recorre ``q``. Ejemplo: ``tensor([1., 2., 3., 4.]).quantile(0.5)``
        → 2.5. En PyTorch: ``torch.quantile``."""
        return self._quantile(q, dim, keepdim, interpolation, "quantile", ignore_nan=False)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        """``quantile`` ignorando los ``nan`` (``nan`` sólo si la fila es toda ``nan``). En PyTorch:
        ``torch.nanquantile``."""
        return self._quantile(q, dim, keepdim, interpolation, "nanquantile", ignore_nan=True)

    def _quantile(self, q, dim, keepdim, interpolation, op, ignore_nan):
        _float_only(self, op)
        if interpolation not in _INTERPOLATIONS:
            raise RuntimeError(f"{op}(): interpolation debe ser uno de {_INTERPOLATIONS}, no {interpolation!r}")
        if isinstance(q, TensorBase):
            if q._data.dtype != self._data.dtype:
                raise RuntimeError(f"{op}(): q ({q.dtype}) debe tener el dtype de la entrada ({self.dtype})")
            if q.ndim > 1:
                raise RuntimeError(f"{op}(): q debe ser un número o un tensor 0-D o 1-D, no de forma {tuple(q.shape)}")
            scalar_q, qs = q.ndim == 0, np.atleast_1d(q._data).astype(np.float64)
        else:
            scalar_q, qs = True, np.array([float(q)])
        if ((qs < 0) | (qs > 1) | np.isnan(qs)).any():
            raise RuntimeError(f"{op}(): q debe estar en el intervalo [0, 1], y vale {qs.tolist()}")
        if dim is None:
            x, out_shape = self.reshape(-1), ((1,) * self.ndim if keepdim else ())
        else:
            d = norm_dim(dim, max(self.ndim, 1))
            x = self.reshape(1) if self.ndim == 0 else self.movedim(d, -1)
            shp = list(self.shape)
            if shp:
                if keepdim:
                    shp[d] = 1
                else:
                    del shp[d]
            out_shape = tuple(shp)
        n_all = x.shape[-1]
        if n_all == 0:
            raise RuntimeError(f"{op}(): la entrada no puede estar vacía")
        srt = x.sort(-1).values  # los nan van al final, como en PyTorch
        nan_rows = np.isnan(x._data).any(-1)
        n = (n_all - np.isnan(x._data).sum(-1)) if ignore_nan else np.full(nan_rows.shape, n_all)
        pos = qs * (np.maximum(n, 1)[..., None] - 1)  # (..., Q)
        if interpolation == "lower":
            pos = np.floor(pos)
        elif interpolation == "higher":
            pos = np.ceil(pos)
        elif interpolation == "nearest":
            pos = np.round(pos)  # mitades al par, como torch.round
        lo, hi = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
        if interpolation == "linear" and isinstance(q, TensorBase):
            # el peso depende de q: PyTorch deriva también respecto de q (∂/∂q = (hi − lo)·(n − 1))
            nm1 = TensorBase._wrap((np.maximum(n, 1)[..., None] - 1).astype(self._data.dtype))
            w = q.reshape(-1) * nm1 - TensorBase._wrap(lo.astype(self._data.dtype))
        else:
            w = TensorBase._wrap((0.5 * (hi > lo) if interpolation == "midpoint" else pos - lo)
                                 .astype(self._data.dtype))
        v_lo = srt.gather(-1, TensorBase._wrap(lo))
        v_hi = srt.gather(-1, TensorBase._wrap(hi))
        res = v_lo.lerp(v_hi, w)
        bad = (nan_rows if not ignore_nan else (n == 0))[..., None] & np.ones(len(qs), bool)
        if bad.any():
            res = where(TensorBase._wrap(bad), TensorBase._wrap(np.array(np.nan, self._data.dtype)), res)
        res = res.movedim(-1, 0).reshape(len(qs), *out_shape)  # (Q, ...)
        return res.reshape(*out_shape) if scalar_q else res

    def cov(self, *, correction=1, fweights=None, aweights=None):
        """Matriz de covarianza de las variables (filas) observadas en las columnas: entrada (V, N)
        → (V, V); 1-D → 0-D. ``correction=1`` es la de Bessel; ``fweights`` (enteros) repite
        observaciones y ``aweights`` las pondera. En PyTorch: ``torch.cov``."""
        x = self if self.ndim == 2 else self.reshape(1, -1)
        if self.ndim > 2:
            raise RuntimeError(f"cov(): la entrada debe tener 2 ejes o menos, no forma {tuple(self.shape)}")
        if x._data.dtype.kind != "f":
            x = x.type(D.get_default_dtype())
        n = x.shape[1]
        # como PyTorch (Correlation.cpp): los pesos se quedan en su dtype (fweights·aweights), y con
        # ellos la suma de pesos y el factor de normalización
        w = None
        if fweights is not None:
            if fweights._data.dtype.kind not in "iu":
                raise RuntimeError("cov(): fweights debe ser de enteros")
            if (fweights._data < 0).any():
                raise RuntimeError("cov(): fweights no puede tener valores negativos")
            w = fweights
        if aweights is not None:
            if aweights._data.dtype.kind != "f":
                raise RuntimeError("cov(): aweights debe ser de coma flotante")
            if (aweights._data < 0).any():
                raise RuntimeError("cov(): aweights no puede tener valores negativos")
            w = aweights if w is None else w * aweights
        if w is None:
            avg = x.mean(1, keepdim=True)
            norm = TensorBase._wrap(np.asarray(n - correction, np.int64))
        else:
            if w.ndim != 1 or w.shape[0] != n:
                raise RuntimeError(f"cov(): los pesos deben ser 1-D de tamaño {n}, no de forma {tuple(w.shape)}")
            w_sum = w.sum()
            if not w_sum._data.any():
                raise RuntimeError("cov(): los pesos suman cero: no se puede normalizar")
            avg = (x * w).sum(1, keepdim=True) / w_sum
            if correction == 0:
                norm = w_sum
            elif aweights is None:
                norm = w_sum - correction
            else:
                norm = w_sum - correction * (w * aweights).sum() / w_sum
        if (norm._data <= 0).any():  # PyTorch avisa y usa 0 (resultado inf/nan)
            norm = norm * 0
        xc = x - avg
        xw = xc if w is None else xc * w
        return (xw.matmul(xc.t()) / norm).squeeze()

    def corrcoef(self):
        """Coeficientes de correlación de Pearson entre las filas (``cov`` normalizada, recortada a
        [−1, 1]). En PyTorch: ``torch.corrcoef``."""
        c = self.cov()
        if c.ndim == 0:
            return c / c
        s = c.diagonal().sqrt()
        return (c / s.unsqueeze(1) / s.unsqueeze(0)).clamp(-1, 1)

    def bincount(self, weights=None, minlength=0):
        """Cuántas veces aparece cada entero no negativo de un tensor 1-D (con ``weights``, la suma
        de sus pesos). Ejemplo: ``tensor([0, 2, 2]).bincount()`` → ``[1, 0, 2]``. Sin gradiente.
        En PyTorch: ``torch.bincount``."""
        x = self._data
        if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
            raise RuntimeError("bincount sólo admite entradas 1-D de enteros no negativos")
        if minlength < 0:
            raise RuntimeError(f"bincount: minlength debe ser ≥ 0, no {minlength}")
        if weights is None:
            return TensorBase._wrap(np.bincount(x, minlength=minlength).astype(np.int64))
        wd = _data(weights)
        if wd.shape != x.shape:
            raise RuntimeError(f"bincount: weights debe tener la forma de la entrada {tuple(x.shape)}, no"
                               f" {tuple(wd.shape)}")
        out_dt = wd.dtype if wd.dtype.kind == "f" else np.float64
        return TensorBase._wrap(np.bincount(x, weights=wd.astype(np.float64), minlength=minlength).astype(out_dt))

    def dist(self, other, p=2):
        """‖self − other‖_p sobre todos los elementos (con difusión). En PyTorch: ``torch.dist``."""
        return vector_norm(self - other, p)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Tensor bool: ¿está cada elemento de ``elements`` en ``test_elements``? (uno de los dos puede
    ser un número). En PyTorch: ``torch.isin``."""
    if not isinstance(elements, TensorBase) and not isinstance(test_elements, TensorBase):
        raise TypeError("isin(): al menos uno de los argumentos debe ser un Tensor")
    e = _data(elements)
    return TensorBase._wrap(np.asarray(np.isin(e, _data(test_elements), assume_unique=assume_unique,
                                               invert=invert)))


def _index_dtype(out_int32):
    return np.int32 if out_int32 else np.int64


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """El índice del cubo de cada valor según los límites 1-D ordenados ``boundaries``: con
    ``right=False``, ``boundaries[i-1] < x ≤ boundaries[i]``. En PyTorch: ``torch.bucketize``."""
    b = _data(boundaries)
    if b.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries debe ser 1-D, no de forma {tuple(b.shape)}")
    idx = np.searchsorted(b, _data(input), side="right" if right else "left")
    return TensorBase._wrap(np.asarray(idx, dtype=_index_dtype(out_int32)))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Dónde insertar cada valor de ``input`` en ``sorted_sequence`` (ordenada en su último eje)
    para mantener el orden; con una secuencia N-D, fila a fila. ``right=True`` (o
    ``side="right"``) da el último sitio posible. En PyTorch: ``torch.searchsorted``."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted: side debe ser 'left' o 'right', no {side!r}")
        if right and side == "left":
            raise RuntimeError("searchsorted: right=True y side='left' se contradicen")
        right = side == "right"
    s, v = _data(sorted_sequence), _data(input)
    if sorter is not None:
        s = np.take_along_axis(s, _data(sorter), -1)
    sd = "right" if right else "left"
    if s.ndim <= 1:
        return TensorBase._wrap(np.asarray(np.searchsorted(s, v, side=sd), dtype=_index_dtype(out_int32)))
    if v.ndim != s.ndim or v.shape[:-1] != s.shape[:-1]:
        raise RuntimeError(f"searchsorted: los ejes previos al último deben coincidir: {tuple(s.shape)} y"
                           f" {tuple(v.shape)}")
    out = np.zeros(v.shape, _index_dtype(out_int32))
    if v.size and s.shape[-1]:
        rows_s, rows_v = s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1])
        out[...] = np.stack([np.searchsorted(a, b, side=sd) for a, b in zip(rows_s, rows_v)]).reshape(v.shape)
    return TensorBase._wrap(out)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Distancias ‖x1[i] − x2[j]‖_p entre cada fila de ``x1`` (..., P, M) y de ``x2`` (..., R, M):
    salida (..., P, R). En PyTorch: ``torch.cdist`` (la usan k-medias y k-vecinos)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist: las entradas deben tener al menos 2 ejes, no {tuple(x1.shape)} y {tuple(x2.shape)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist: x1 y x2 deben tener el mismo número de columnas ({x1.shape[-1]} y {x2.shape[-1]})")
    if not isinstance(p, numbers.Real) or p < 0:
        raise RuntimeError(f"cdist: p debe ser un número ≥ 0, no {p!r}")
    _float_only(x1, "cdist")
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)

