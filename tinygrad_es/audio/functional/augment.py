"""Aumento de datos de SpecAugment sobre espectrogramas ``(..., freq, tiempo)``: máscaras de
frecuencia y de tiempo (``mask_along_axis``, ``mask_along_axis_iid``, como torchaudio) y la
deformación temporal del artículo (``time_warp``, que torchaudio no tiene). Los números al azar salen
del generador global (``tinygrad_es.manual_seed``)."""
from __future__ import annotations

import numpy as np

from ... import _dtype as D
from ..._tensor.creation import rand, tensor
from ..._tensor.joins import where
from ...autograd import TensorBase
from ._common import _signal

__all__ = ['mask_along_axis', 'mask_along_axis_iid', 'time_warp']


def _mask_param(mask_param, p, axis_length):
    return mask_param if p == 1.0 else min(mask_param, int(axis_length * p))


def _check_mask(x, axis, p, op, min_dim):
    dim = x.ndim
    if dim < min_dim:
        raise ValueError(f"{op}: el espectrograma debe tener al menos {min_dim} dimensiones (freq, tiempo"
                         f"{' y lote' if min_dim == 3 else ''}), pero tiene forma {tuple(x.shape)}")
    if axis not in (dim - 2, dim - 1):
        raise ValueError(f"{op}: sólo se enmascara la frecuencia (eje {dim - 2}) o el tiempo (eje {dim - 1}), "
                         f"no el eje {axis}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p debe estar entre 0 y 1, no {p}")


def mask_along_axis(specgram, mask_param, mask_value, axis, p=1.0):
    """Una máscara igual para todo el lote: las posiciones [v₀, v₀ + v) del eje ``axis`` (el de
    frecuencia o el de tiempo) pasan a valer ``mask_value``, con v ~ U(0, max_v) y
    v₀ ~ U(0, tamaño − v); max_v = ``mask_param`` (con ``p`` < 1, como mucho ``p``·tamaño)."""
    x = _signal(specgram, "mask_along_axis")
    _check_mask(x, axis, p, "mask_along_axis", 2)
    dim = x.ndim
    size = x.shape[axis]
    mask_param = _mask_param(mask_param, p, size)
    if mask_param < 1:
        return x
    value = float(rand(1)._data[0]) * mask_param
    min_value = float(rand(1)._data[0]) * (size - value)
    start, end = int(min_value), int(min_value) + int(value)
    m = (np.arange(size) >= start) & (np.arange(size) < end)
    if axis == dim - 2:
        m = m[:, None]
    return x.masked_fill(tensor(m), mask_value)


def mask_along_axis_iid(specgrams, mask_param, mask_value, axis, p=1.0):
    """Como ``mask_along_axis`` pero con una máscara independiente por ejemplo (y canal) del lote
    ``(..., freq, tiempo)`` (al menos 3 dimensiones)."""
    x = _signal(specgrams, "mask_along_axis_iid")
    _check_mask(x, axis, p, "mask_along_axis_iid", 3)
    dim = x.ndim
    size = x.shape[axis]
    mask_param = _mask_param(mask_param, p, size)
    if mask_param < 1:
        return x
    lead = tuple(x.shape[:dim - 2])
    dt = x.dtype if x.dtype.is_floating_point else D.float32
    value = rand(*lead, dtype=dt)._data * mask_param
    min_value = rand(*lead, dtype=dt)._data * (size - value)
    start = min_value.astype(np.int64)[..., None, None]
    end = (min_value.astype(np.int64) + value.astype(np.int64))[..., None, None]
    pos = np.arange(size)
    m = (pos >= start) & (pos < end)              # (..., 1, tamaño): en el último eje
    if axis == dim - 2:
        m = np.swapaxes(m, -1, -2)                # (..., tamaño, 1)
    if isinstance(mask_value, TensorBase):
        return where(tensor(m), mask_value.expand(*x.shape) if mask_value.ndim == 0 else mask_value, x)
    return x.masked_fill(tensor(m), mask_value)


def time_warp(specgram, W, generator=None):
    """Deformación temporal de SpecAugment (Park et al., 2019; **no está en torchaudio**): se elige un
    instante t₀ ∈ [W, T − W) y un desplazamiento w ∈ [−W, W], y el tiempo se estira linealmente a
    trozos para que lo que estaba en t₀ pase a t₀ + w (el principio y el final no se mueven). La
    interpolación es lineal entre tramas, así que es diferenciable respecto de ``specgram``.

    ``specgram``: ``(..., freq, T)``. Con T ≤ 2·W no hace nada.
    """
    x = _signal(specgram, "time_warp", 2)
    T = x.shape[-1]
    if W < 0:
        raise ValueError(f"time_warp: W debe ser ≥ 0, no {W}")
    if W == 0 or T <= 2 * W + 1:
        return x
    u = rand(2, generator=generator)._data.astype(np.float64)
    t0 = W + int(u[0] * (T - 2 * W))
    w = int(round((u[1] * 2 - 1) * W))
    t1 = min(max(t0 + w, 1), T - 2)
    out = np.arange(T, dtype=np.float64)
    src = np.where(out <= t1, out * t0 / t1, t0 + (out - t1) * (T - 1 - t0) / (T - 1 - t1))
    i0 = np.clip(np.floor(src).astype(np.int64), 0, T - 1)
    i1 = np.clip(i0 + 1, 0, T - 1)
    a = tensor((src - i0).astype(x.dtype.np))
    return x[..., tensor(i0)] * (1 - a) + x[..., tensor(i1)] * a
