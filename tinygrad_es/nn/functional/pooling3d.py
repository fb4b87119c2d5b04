"""Pooling 3-D (volúmenes) con la firma de ``torch.nn.functional``: ``max_pool3d``, ``avg_pool3d``,
``max_unpool3d``, ``adaptive_avg_pool3d``, ``adaptive_max_pool3d`` y las variantes ``*_with_indices``.

Las ventanas 3-D son el producto de una ventana por eje, así que cada pooling se hace en dos pasadas
del de 2-D (sus núcleos y sus derivadas): primero sobre (H, W) en cada rodaja de profundidad, luego
sobre D con una ventana ``(kD, 1)`` sobre ``(N, C, D, H_out·W_out)``.

- Máximo: el máximo de la ventana es el máximo por profundidad de los máximos de cada plano; la
  primera pasada elige la primera posición (h, w) que alcanza el máximo de su rodaja y la segunda la
  primera profundidad, es decir, la primera en el orden (d, h, w) en que PyTorch recorre la ventana (un
  NaN gana, como en PyTorch). Derivada: ∂L/∂y va entera a la posición del máximo.
- Media: la suma de la ventana (sumas de las dos pasadas, ``divisor_override=1``) dividida por el
  divisor de PyTorch, que es el producto de lo que cuenta cada eje (con o sin relleno, recortado por
  ``ceil_mode``) o ``divisor_override``. Derivada: ∂L/∂y / divisor repartido por igual en la ventana.
- Adaptativos: las ventanas ``[⌊i·n/m⌋, ⌈(i+1)·n/m⌉)`` también son una por eje.
"""
import numbers

import numpy as np

from ..._tensor import Tensor
from ...kernels.pool import pool_output_size
from ...ops.pooling import MaxUnpool2d
from ._utils import as_tensor, int_tuple, integer_input, unbatched
from .pooling import (_INTS, _pool_args, adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d)

__all__ = ["max_pool3d", "avg_pool3d", "max_unpool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
           "max_pool3d_with_indices", "adaptive_max_pool3d_with_indices"]


def _volume(input, op):
    x = as_tensor(input, op)
    if x.ndim not in (4, 5) or x.numel() == 0 and x.ndim == 4:
        raise RuntimeError(f"{op}: se esperaba una entrada 5-D (N, C, D, H, W) o 4-D sin lote (C, D, H, W) no vacía, "
                           f"pero tiene forma {tuple(x.shape)}")
    return x


def _half(x):
    """float16 se calcula en float32 y el resultado vuelve a float16, como el dtype de PyTorch."""
    return x._data.dtype == np.float16


def _out_sizes(x, k, s, p, d, ceil_mode, op):
    """Tamaños de salida por eje con las comprobaciones de PyTorch (relleno ≤ medio núcleo, y ≤ medio
    núcleo efectivo con la dilatación)."""
    for kk, pp, dd in zip(k, p, d):
        if pp > kk // 2 or pp > (dd * (kk - 1) + 1) // 2:  # PyTorch 3-D mira las dos mitades
            raise RuntimeError(f"{op}: el relleno {p} no puede superar la mitad del núcleo efectivo "
                               f"(kernel_size={k}, dilation={d})")
    out = tuple(pool_output_size(n, kk, ss, pp, dd, bool(ceil_mode))
                for n, kk, ss, pp, dd in zip(x.shape[-3:], k, s, p, d))
    if min(out) < 1:
        raise RuntimeError(f"{op}: el núcleo {k} (dilation {d}) es mayor que la entrada {tuple(x.shape[-3:])} con "
                           f"relleno {p}: la salida tendría tamaño {out}")
    return out


def _depth_pass(y, shape):
    """``(N, C·D, H_o, W_o)`` → ``(N, C, D, H_o·W_o)`` para la pasada sobre la profundidad."""
    n, c, depth = shape[:3]
    return y.reshape(n, c, depth, y.shape[-2] * y.shape[-1])


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max-pooling 3-D: el máximo de cada ventana ``kD×kH×kW`` (la capa es ``nn.MaxPool3d``).

    Args:
        input: ``(N, C, D, H, W)`` o ``(C, D, H, W)``.
        kernel_size, stride, padding, dilation, ceil_mode: como en ``nn.MaxPool3d`` (``stride`` por
            defecto = ``kernel_size``; el relleno vale −∞).
        return_indices (``False``): si es ``True``, devuelve ``(salida, índices)``, con la posición plana
            ``d·H·W + h·W + w`` de cada máximo en su volumen (para ``max_unpool3d``).

    Forma: ``D_out = ⌊(D + 2·padding − dilation·(kD − 1) − 1) / stride⌋ + 1`` (``⌈⌉`` con ``ceil_mode``).

    Derivada: ∂L/∂x[posición del máximo] += ∂L/∂y (con empates, la primera posición en el orden (d, h, w),
    como PyTorch).

    Ejemplo:
        >>> F.max_pool3d(torch.arange(8.).reshape(1, 1, 2, 2, 2), 2)
        tensor([[[[[7.]]]]])

    En PyTorch: ``torch.nn.functional.max_pool3d``.
    """
    op = "max_pool3d"
    x = _volume(input, op)
    if _half(x):
        r = max_pool3d(x.float(), kernel_size, stride, padding, dilation, ceil_mode, return_indices)
        return (r[0].half(), r[1]) if return_indices else r.half()
    x, back = integer_input(x, op, _INTS)  # enteros: el mismo dtype, como PyTorch
    if back is not None:
        r = max_pool3d(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
        return (back(r[0]), r[1]) if return_indices else back(r)
    x, squeeze = unbatched(x, 5)
    k, s, p = _pool_args(kernel_size, stride, padding, op, 3)
    d = int_tuple(dilation, 3, "dilation", op, 1)
    od, oh, ow = _out_sizes(x, k, s, p, d, ceil_mode, op)
    n, c, depth, h, w = x.shape
    if not return_indices:  # sin los índices de cada pasada (cada una guarda los suyos para el backward)
        y1 = max_pool2d(x.reshape(n, c * depth, h, w), k[1:], s[1:], p[1:], d[1:], ceil_mode)
        y = max_pool2d(_depth_pass(y1, x.shape), (k[0], 1), (s[0], 1), (p[0], 0), (d[0], 1), ceil_mode)
        y = y.reshape(n, c, od, oh, ow)
        return y.squeeze(0) if squeeze else y
    y1, i1 = max_pool2d(x.reshape(n, c * depth, h, w), k[1:], s[1:], p[1:], d[1:], ceil_mode, True)
    y2, i2 = max_pool2d(_depth_pass(y1, x.shape), (k[0], 1), (s[0], 1), (p[0], 0), (d[0], 1), ceil_mode, True)
    y = y2.reshape(n, c, od, oh, ow)
    plane = oh * ow
    dsel = i2._data // plane  # profundidad elegida en cada salida (N, C, D_out, plano)
    hw = np.take_along_axis(i1._data.reshape(n, c, depth, plane), dsel, axis=2)
    idx = Tensor._wrap((dsel * (h * w) + hw).reshape(n, c, od, oh, ow))
    return (y.squeeze(0), idx.squeeze(0)) if squeeze else (y, idx)


def _counts(n, k, s, p, m, include_pad):
    """Lo que cuenta cada ventana de un eje en el divisor de PyTorch."""
    start = np.arange(m) * s - p
    end = np.minimum(start + k, n + p)
    return end - start if include_pad else np.minimum(end, n) - np.maximum(start, 0)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None) -> Tensor:
    """Average pooling 3-D: la media de cada ventana ``kD×kH×kW`` (la capa es ``nn.AvgPool3d``).

    Args:
        input: ``(N, C, D, H, W)`` o ``(C, D, H, W)``.
        kernel_size, stride, padding, ceil_mode: como en ``nn.AvgPool3d``.
        count_include_pad: si es ``True``, los ceros del relleno cuentan en la media (``True``).
        divisor_override (``None``): si se da, el divisor de todas las ventanas.

    Forma: ``D_out = ⌊(D + 2·padding − kD) / stride⌋ + 1`` (``⌈⌉`` con ``ceil_mode``), igual en H y W.

    Derivada: cada ∂L/∂y / divisor se reparte por igual en su ventana.

    Ejemplo:
        >>> F.avg_pool3d(torch.arange(8.).reshape(1, 1, 2, 2, 2), 2)
        tensor([[[[[3.5000]]]]])

    En PyTorch: ``torch.nn.functional.avg_pool3d``.
    """
    op = "avg_pool3d"
    x = _volume(input, op)
    if _half(x):
        raise NotImplementedError(f"{op} no está implementada para tensores float16 (tampoco en PyTorch); usa "
                                  f".float()")
    x, back = integer_input(x, op, (np.int64,))  # int64: la división entera de PyTorch (trunca)
    if back is not None:
        return back(avg_pool3d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override))
    x, squeeze = unbatched(x, 5)
    k, s, p = _pool_args(kernel_size, stride, padding, op, 3)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral) or divisor_override == 0):
        raise RuntimeError(f"{op}: divisor_override debe ser un entero distinto de 0, no {divisor_override!r}")
    out = _out_sizes(x, k, s, p, (1, 1, 1), ceil_mode, op)
    n, c, depth, h, w = x.shape
    y1 = avg_pool2d(x.reshape(n, c * depth, h, w), k[1:], s[1:], p[1:], ceil_mode, True, 1)
    y2 = avg_pool2d(_depth_pass(y1, x.shape), (k[0], 1), (s[0], 1), (p[0], 0), ceil_mode, True, 1)
    y = y2.reshape(n, c, *out)
    if divisor_override is not None:
        div = np.array(divisor_override, dtype=x._data.dtype)
    else:
        cd, ch, cw = (_counts(nn, kk, ss, pp, m, count_include_pad)
                      for nn, kk, ss, pp, m in zip(x.shape[2:], k, s, p, out))
        div = (cd[:, None, None] * ch[None, :, None] * cw[None, None, :]).astype(x._data.dtype)
    y = y / Tensor._wrap(div)
    return y.squeeze(0) if squeeze else y


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Coloca cada valor de ``input`` en su posición ``indices`` (los de ``max_pool3d(...,
    return_indices=True)``) en un volumen de ceros de ``(D − 1)·stride − 2·padding + kernel_size`` por eje
    (o ``output_size``). La capa es ``nn.MaxUnpool3d``.

    Args:
        input: ``(N, C, D, H, W)`` o ``(C, D, H, W)``.
        indices: posiciones planas en cada volumen de salida, con la misma forma que ``input``.
        kernel_size, stride, padding: los del ``max_pool3d``.
        output_size: tamaño de la salida (opcional; ``(D_out, H_out, W_out)`` o la forma completa).

    Derivada: ∂L/∂x[n, c, i, j, l] = ∂L/∂y[n, c].flat[indices[n, c, i, j, l]].

    Ejemplo:
        >>> y, idx = F.max_pool3d(torch.arange(8.).reshape(1, 1, 2, 2, 2), 2, return_indices=True)
        >>> F.max_unpool3d(y, idx, 2).flatten()
        tensor([0., 0., 0., 0., 0., 0., 0., 7.])

    En PyTorch: ``torch.nn.functional.max_unpool3d``.
    """
    op = "max_unpool3d"
    x = _volume(input, op)
    if _half(x):
        return max_unpool3d(x.float(), indices, kernel_size, stride, padding, output_size).half()
    integer_input(x, op)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if tuple(idx.shape) != tuple(x.shape):
        raise RuntimeError(f"{op}: los índices tienen forma {tuple(idx.shape)} y la entrada {tuple(x.shape)}; "
                           f"deben coincidir")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: los índices deben ser enteros (int64), no {idx.dtype}")
    x, squeeze = unbatched(x, 5)
    idx = idx[None] if squeeze else idx
    k, s, p = _pool_args(kernel_size, stride, padding, op, 3)
    if output_size is None:
        out = tuple((m - 1) * ss - 2 * pp + kk for m, ss, pp, kk in zip(x.shape[2:], s, p, k))
    else:
        out = tuple(int(v) for v in tuple(output_size)[-3:])
        if len(out) != 3:
            raise RuntimeError(f"{op}: output_size debe tener 3 elementos (D, H, W) o la forma completa, no "
                               f"{output_size!r}")
    if min(out) < 1:
        raise RuntimeError(f"{op}: la salida tendría tamaño {out}")
    size = out[0] * out[1] * out[2]
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise RuntimeError(f"{op}: hay índices fuera de [0, {size}) para una salida {out} "
                           f"(mínimo {int(idx.min())}, máximo {int(idx.max())})")
    n, c, depth, h, w = x.shape
    y = MaxUnpool2d.apply(x.reshape(n, c, depth * h, w), indices=idx.reshape(n, c, depth * h, w),
                          out_hw=(out[0] * out[1], out[2])).reshape(n, c, *out)
    return y.squeeze(0) if squeeze else y


def _adaptive_size(output_size, x, op):
    vals = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * 3
    if len(vals) != 3:
        raise RuntimeError(f"{op}: output_size debe ser un entero o una terna (D, H, W), no {output_size!r}")
    out = tuple(x.shape[-3 + i] if v is None else v for i, v in enumerate(vals))
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in out):
        raise RuntimeError(f"{op}: output_size debe ser enteros ≥ 1 (o None), no {output_size!r}")
    return tuple(int(v) for v in out)


def adaptive_avg_pool3d(input, output_size) -> Tensor:
    """Average pooling 3-D a un tamaño de salida fijo (la capa es ``nn.AdaptiveAvgPool3d``).

    Args:
        input: ``(N, C, D, H, W)`` o ``(C, D, H, W)``.
        output_size: ``(D_out, H_out, W_out)`` o un entero; ``None`` en un eje lo deja igual; ``1`` es la
            media global de cada canal.

    Forma: la ventana ``i`` de un eje de tamaño ``n`` va de ``⌊i·n/n_out⌋`` a ``⌈(i+1)·n/n_out⌉``.

    Derivada: ∂L/∂y / (tamaño de la ventana) repartido por igual en la ventana.

    Ejemplo:
        >>> F.adaptive_avg_pool3d(torch.ones(1, 2, 3, 5, 5), 1).flatten()
        tensor([1., 1.])

    En PyTorch: ``torch.nn.functional.adaptive_avg_pool3d``.
    """
    op = "adaptive_avg_pool3d"
    x = _volume(input, op)
    if _half(x):
        return adaptive_avg_pool3d(x.float(), output_size).half()
    integer_input(x, op)
    x, squeeze = unbatched(x, 5)
    od, oh, ow = _adaptive_size(output_size, x, op)
    n, c, depth, h, w = x.shape
    y1 = adaptive_avg_pool2d(x.reshape(n, c * depth, h, w), (oh, ow))
    y = adaptive_avg_pool2d(_depth_pass(y1, x.shape), (od, oh * ow)).reshape(n, c, od, oh, ow)
    return y.squeeze(0) if squeeze else y


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max-pooling 3-D a un tamaño de salida fijo (la capa es ``nn.AdaptiveMaxPool3d``).

    Args:
        input: ``(N, C, D, H, W)`` o ``(C, D, H, W)``.
        output_size: ``(D_out, H_out, W_out)`` o un entero (``None`` en un eje lo deja igual).
        return_indices (``False``): si es ``True``, devuelve también las posiciones planas de los máximos.

    Derivada: ∂L/∂y entera a la posición del máximo (empates: la primera en el orden (d, h, w)).

    Ejemplo:
        >>> F.adaptive_max_pool3d(torch.arange(8.).reshape(1, 1, 2, 2, 2), 1).flatten()
        tensor([7.])

    En PyTorch: ``torch.nn.functional.adaptive_max_pool3d``.
    """
    op = "adaptive_max_pool3d"
    x = _volume(input, op)
    if _half(x):
        r = adaptive_max_pool3d(x.float(), output_size, return_indices)
        return (r[0].half(), r[1]) if return_indices else r.half()
    integer_input(x, op)
    x, squeeze = unbatched(x, 5)
    od, oh, ow = _adaptive_size(output_size, x, op)
    n, c, depth, h, w = x.shape
    y1, i1 = adaptive_max_pool2d(x.reshape(n, c * depth, h, w), (oh, ow), True)
    y2, i2 = adaptive_max_pool2d(_depth_pass(y1, x.shape), (od, oh * ow), True)
    y = y2.reshape(n, c, od, oh, ow)
    if not return_indices:
        return y.squeeze(0) if squeeze else y
    plane = oh * ow
    dsel = i2._data // plane
    hw = np.take_along_axis(i1._data.reshape(n, c, depth, plane), dsel, axis=2)
    idx = Tensor._wrap((dsel * (h * w) + hw).reshape(n, c, od, oh, ow))
    return (y.squeeze(0), idx.squeeze(0)) if squeeze else (y, idx)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """``F.max_pool3d`` que siempre devuelve ``(salida, índices)`` (``return_indices`` se ignora, como en
    PyTorch).

    Args:
        input, kernel_size, stride, padding, dilation, ceil_mode: como en ``F.max_pool3d``.
        return_indices: se ignora (siempre ``True``).

    Ejemplo:
        >>> F.max_pool3d_with_indices(torch.arange(8.).reshape(1, 1, 2, 2, 2), 2)[1].flatten()
        tensor([7])

    En PyTorch: ``torch.nn.functional.max_pool3d_with_indices``.
    """
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """``F.adaptive_max_pool3d`` que siempre devuelve ``(salida, índices)``.

    Args:
        input, output_size: como en ``F.adaptive_max_pool3d``.
        return_indices: se ignora (siempre ``True``).

    Ejemplo:
        >>> F.adaptive_max_pool3d_with_indices(torch.arange(8.).reshape(1, 1, 2, 2, 2), 1)[1].flatten()
        tensor([7])

    En PyTorch: ``torch.nn.functional.adaptive_max_pool3d_with_indices``.
    """
    return adaptive_max_pool3d(input, output_size, True)
