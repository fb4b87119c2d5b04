"""Max-pooling fraccionario (Graham, 2014): ``fractional_max_pool2d`` y ``fractional_max_pool3d``.

Las ventanas tienen el tamaño fijo ``kernel_size``, pero sus inicios avanzan con un paso pseudoaleatorio
de media ``(entrada − k)/(salida − 1)``, de modo que la salida puede tener cualquier tamaño entre ~½ y 1
veces la entrada. Con la muestra ``u ∈ [0, 1)`` de cada plano (``_random_samples``) y ``α = (entrada − k)
/ (salida − 1)``, el inicio de la ventana ``i`` es ``⌊(i + u)·α⌋ − ⌊u·α⌋`` y la última empieza en
``entrada − k``; la cuenta se hace en el dtype de la entrada (float32 en float32), como ATen, así que con
las mismas muestras los valores y los índices son los de PyTorch, bit a bit. En cada ventana gana el
primer máximo en orden de lectura (un ``nan`` gana siempre, el último si hay varios).

La salida es ``gather`` de la entrada en esos índices: la derivada es la del max-pooling, el gradiente de
cada salida va entero al elemento elegido (y se suma si una entrada gana en varias ventanas).
"""
from __future__ import annotations

import numbers

import numpy as np

from ..._tensor.creation import rand
from ..._tensor.tensor import Tensor
from ._utils import as_tensor

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

_AXES = {2: "height width".split(), 3: "time height width".split()}
_AXES_ES = {"time": "el tiempo (profundidad)", "height": "el alto", "width": "el ancho"}


def _ints(v, n, name, op):
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    if len(vals) == 1:
        vals = vals * n
    if len(vals) != n:
        raise RuntimeError(f"{op}: {name} tiene que ser un entero o una tupla de {n} enteros, y es {v!r}")
    if not all(isinstance(a, (numbers.Integral, np.integer)) and not isinstance(a, bool) for a in vals):
        raise TypeError(f"{op}: {name} tiene que ser un entero o una tupla de {n} enteros, y es {v!r}")
    return tuple(int(a) for a in vals)


def intervals(samples, size, out, k):
    """Los inicios de las ventanas de un eje para cada plano: ``samples`` (P,) en el dtype de la entrada →
    (P, out) int64. Es ``generate_intervals`` de ATen, con la aritmética en ese dtype."""
    dt = samples.dtype.type
    seq = np.empty((samples.shape[0], out), np.int64)
    if out > 1:
        alpha = dt(size - k) / dt(out - 1)
        i = np.arange(out - 1).astype(samples.dtype)
        seq[:, :-1] = ((i[None, :] + samples[:, None]) * alpha).astype(np.int64) - \
            (samples * alpha).astype(np.int64)[:, None]
    if out > 0:
        seq[:, -1] = size - k
    return seq


def _window_values(plane, starts, kernel):
    """Los valores de cada ventana, (P, *salida, ∏kernel): un ``take`` sobre ``plane`` (P, *espacio) aplanado
    con el índice de cada elemento, suma por broadcasting de un término por eje."""
    P, nd, spatial = plane.shape[0], len(kernel), plane.shape[1:]
    flat = (np.arange(P, dtype=np.intp) * int(np.prod(spatial))).reshape((P,) + (1,) * (2 * nd))
    for d in range(nd):
        shape = [P] + [1] * (2 * nd)
        shape[1 + d], shape[1 + nd + d] = starts[d].shape[1], kernel[d]
        pos = (starts[d][:, :, None] + np.arange(kernel[d])) * int(np.prod(spatial[d + 1:]))
        flat = flat + pos.reshape(shape)
    vals = np.take(plane.reshape(-1), flat)
    return vals.reshape(vals.shape[:1 + nd] + (int(np.prod(kernel)),))


def _winner_index(starts, kernel, spatial, choice):
    """El índice plano (dentro del plano) del elemento elegido ``choice`` (posición dentro de su ventana)."""
    nd = len(kernel)
    offsets = np.unravel_index(choice, kernel)
    flat = 0
    for d in range(nd):
        shape = [starts[d].shape[0]] + [1] * nd
        shape[1 + d] = starts[d].shape[1]
        flat = flat + (starts[d].reshape(shape) + offsets[d]) * int(np.prod(spatial[d + 1:]))
    return flat


def _argmax_nan_last(vals):
    """El primer máximo de cada ventana (eje −1) o, si la ventana tiene ``nan``, el último ``nan``."""
    isn = np.isnan(vals)
    if not isn.any():  # lo normal: sin nan, el primer máximo
        return np.argmax(vals, axis=-1)
    last_nan = vals.shape[-1] - 1 - np.argmax(isn[..., ::-1], axis=-1)
    first_max = np.argmax(np.where(isn, -np.inf, vals), axis=-1)
    return np.where(isn.any(axis=-1), last_nan, first_max)


def _fractional(nd, input, kernel_size, output_size, output_ratio, _random_samples):
    op = f"fractional_max_pool{nd}d"
    x = as_tensor(input, op)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op}: da output_size o output_ratio")
    if output_size is None:
        if nd == 2 and not isinstance(output_ratio, (tuple, list)):  # PyTorch: len() de un número
            raise TypeError(f"{op}: output_ratio tiene que ser una tupla (rH, rW), y es {output_ratio!r} (la capa "
                            f"nn.FractionalMaxPool2d sí admite un número)")
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(f"{op}: output_ratio tiene que ser un número o una tupla de 2, y es {output_ratio!r}")
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * nd
        if len(ratio) == 1:
            ratio = ratio * nd
        output_size = [int(x.shape[-nd + d] * ratio[d]) for d in range(nd)]
    if x.ndim < nd + 1:
        raise IndexError(f"{op}: la entrada de forma {tuple(x.shape)} no tiene eje de canales: se esperaba "
                         f"{nd + 1}-D o {nd + 2}-D")
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"{op}: no está implementado para {x.dtype} (usa una entrada de coma flotante)")
    if _random_samples is None:
        n_batch = 1 if x.ndim == nd + 1 else x.shape[0]
        _random_samples = rand(n_batch, x.shape[-nd - 1], nd, dtype=x.dtype)
    kernel = _ints(kernel_size, nd, "kernel_size", op)
    outs = _ints(output_size, nd, "output_size", op)
    if min(kernel) < 1 or min(outs) < 0:  # PyTorch da −∞ e índices fuera del plano con una ventana vacía
        raise RuntimeError(f"{op}: kernel_size tiene que ser ≥ 1 y output_size ≥ 0, y son {kernel} y {outs}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: se esperaba una entrada {nd + 1}-D o {nd + 2}-D, y tiene forma {tuple(x.shape)}")
    batched = x.ndim == nd + 2
    xb = x if batched else x.unsqueeze(0)
    N, C, spatial = xb.shape[0], xb.shape[1], tuple(xb.shape[2:])
    if any(s == 0 for s in xb.shape[1:]):
        raise RuntimeError(f"{op}: la entrada no puede tener tamaño 0 fuera del lote, y tiene forma {tuple(x.shape)}")
    for name, size, k, o in zip(_AXES[nd], spatial, kernel, outs):
        if o + k - 1 > size or (nd == 3 and o + k - 1 == size):  # ATen: ≤ en 2-D, < en 3-D
            rel = "≤" if nd == 2 else "<"
            raise RuntimeError(f"{op}: la ventana de {k} es demasiado grande para {_AXES_ES[name]} de la entrada "
                               f"({size}) con una salida de {o} (hace falta salida + k − 1 {rel} {size})")
    s = _random_samples
    if not isinstance(s, Tensor):
        raise TypeError(f"{op}: _random_samples tiene que ser un Tensor, y es {type(s).__name__}")
    if s.dtype != x.dtype:
        raise RuntimeError(f"{op}: _random_samples tiene que tener el dtype de la entrada ({x.dtype}), y es {s.dtype}")
    if s.ndim != 3:
        raise RuntimeError(f"{op}: _random_samples tiene que ser 3-D (lote, canales, {nd}), y tiene forma "
                           f"{tuple(s.shape)}")
    if s.shape[0] < N or s.shape[1] != C or s.shape[2] != nd:
        raise RuntimeError(f"{op}: _random_samples tiene forma {tuple(s.shape)}; para una entrada de {N} muestras y "
                           f"{C} canales se esperaba (≥ {N}, {C}, {nd})")
    u = s._data[:N].reshape(N * C, nd)
    # 2-D: la muestra 0 es la del ancho y la 1 la del alto; 3-D: tiempo, alto, ancho (como ATen)
    order = (1, 0) if nd == 2 else (0, 1, 2)
    starts = [intervals(np.ascontiguousarray(u[:, order[d]]), spatial[d], outs[d], kernel[d]) for d in range(nd)]
    for d in range(nd):
        if starts[d].size and (starts[d].min() < 0 or starts[d].max() > spatial[d] - kernel[d]):
            raise RuntimeError(f"{op}: con esas _random_samples las ventanas se salen de la entrada "
                               f"(las muestras tienen que estar en [0, 1))")
    npix = int(np.prod(spatial))
    if N == 0:  # lote vacío: salida vacía
        idx = np.zeros((0,) + outs, np.int64)
    else:
        vals = _window_values(xb._data.reshape((N * C,) + spatial), starts, kernel)
        idx = _winner_index(starts, kernel, spatial, _argmax_nan_last(vals))
    index = Tensor._wrap(idx.reshape(N, C, *outs).astype(np.int64))
    out = xb.reshape(N, C, npix).gather(2, index.reshape(N, C, int(np.prod(outs)))).reshape(N, C, *outs)
    if not batched:
        out, index = out.squeeze(0), index.squeeze(0)
    return out, index


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` que devuelve siempre ``(salida, índices)``; los argumentos son los de
    ``fractional_max_pool2d`` (``input``, ``kernel_size``, ``output_size``, ``output_ratio``, y
    ``return_indices``, que aquí no cambia nada). En PyTorch:
    ``torch.nn.functional.fractional_max_pool2d_with_indices``."""
    return _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool3d`` que devuelve siempre ``(salida, índices)``; los argumentos son los de
    ``fractional_max_pool3d`` (``input``, ``kernel_size``, ``output_size``, ``output_ratio``, y
    ``return_indices``, que aquí no cambia nada). En PyTorch:
    ``torch.nn.functional.fractional_max_pool3d_with_indices``."""
    return _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max-pooling fraccionario 2-D: el máximo de ventanas ``kH × kW`` cuyos inicios avanzan con paso
    pseudoaleatorio hasta dar la salida pedida.

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``, de coma flotante.
        kernel_size: ``k`` o ``(kH, kW)``.
        output_size: ``(H_out, W_out)`` o un entero; hace falta ``H_out + kH − 1 ≤ H``.
        output_ratio: en vez de ``output_size``, ``H_out = ⌊H·r⌋`` (una tupla ``(rH, rW)``).
        return_indices: devuelve también los índices del máximo (planos, ``h·W + w``; int64), los que
            usa ``F.max_unpool2d``.
        _random_samples: ``(N, C, 2)`` con las muestras ``u ∈ [0, 1)`` de cada plano (la 0 para el ancho,
            la 1 para el alto); sin ellas se sortean con ``torch.rand``. Con las mismas muestras, la salida
            y los índices son los de PyTorch.

    Derivada: la del max-pooling: cada gradiente de salida va al elemento elegido de su ventana.

    >>> x = torch.arange(25.).reshape(1, 1, 5, 5)
    >>> F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=torch.full((1, 1, 2), 0.5))
    tensor([[[[ 6.,  8.,  9.],
              [16., 18., 19.],
              [21., 23., 24.]]]])

    En PyTorch: ``torch.nn.functional.fractional_max_pool2d``; como capa, ``nn.FractionalMaxPool2d``.
    """
    out, idx = _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max-pooling fraccionario 3-D: el máximo de ventanas ``kT × kH × kW`` con inicios de paso
    pseudoaleatorio en los tres ejes.

    Args:
        input: ``(N, C, T, H, W)`` o ``(C, T, H, W)``, de coma flotante.
        kernel_size: ``k`` o ``(kT, kH, kW)``.
        output_size: ``(T_out, H_out, W_out)`` o un entero; hace falta ``T_out + kT − 1 ≤ T`` (y en H, W).
        output_ratio: en vez de ``output_size``, ``T_out = ⌊T·r⌋`` (un número o una tupla de 3).
        return_indices: devuelve también los índices del máximo (``t·H·W + h·W + w``; int64), los que usa
            ``F.max_unpool3d``.
        _random_samples: ``(N, C, 3)`` con las muestras ``u ∈ [0, 1)`` (tiempo, alto, ancho); sin ellas se
            sortean con ``torch.rand``.

    Derivada: la del max-pooling: cada gradiente de salida va al elemento elegido de su ventana.

    >>> x = torch.arange(64.).reshape(1, 1, 4, 4, 4)
    >>> F.fractional_max_pool3d(x, 2, output_size=2, _random_samples=torch.full((1, 1, 3), 0.5)).flatten()
    tensor([21., 23., 29., 31., 53., 55., 61., 63.])

    En PyTorch: ``torch.nn.functional.fractional_max_pool3d``; como capa, ``nn.FractionalMaxPool3d``.
    """
    out, idx = _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return (out, idx) if return_indices else out
