"""Pooling con la firma de ``torch.nn.functional``: ``max_pool1d``/``2d``, ``avg_pool1d``/``2d``,
``max_unpool1d``/``2d``, los adaptativos (``adaptive_avg_pool1d/2d``, ``adaptive_max_pool1d/2d``) y las
variantes ``*_with_indices`` (siempre devuelven ``(salida, índices)``).

Las comprobaciones (tamaños de ventana, relleno, ``ceil_mode``) están aquí; el cálculo y el
gradiente, en ``ops/pooling.py`` (y sus núcleos, en ``kernels/pool/``).
"""
import numbers

import numpy as np

from ..._tensor import Tensor
from ...kernels.pool import pool_output_size
from ...ops.pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d, MaxUnpool2d
from ._utils import as_tensor, check_rank, int_tuple, integer_input, unbatched

_INTS = (np.int64, np.int32, np.int16, np.int8, np.uint8)

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "max_unpool1d", "max_unpool2d",
           "adaptive_avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices"]


def _pool_sizes(x, k, s, p, d, ceil_mode, op):
    for kk, pp, dd in zip(k, p, d):
        if pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"{op}: el relleno {p} no puede superar la mitad del núcleo efectivo "
                             f"(kernel_size={k}, dilation={d})")
    out = tuple(pool_output_size(n, kk, ss, pp, dd, bool(ceil_mode))
                for n, kk, ss, pp, dd in zip(x.shape[-2:], k, s, p, d))
    if min(out) < 1:
        raise RuntimeError(f"{op}: el núcleo {k} es mayor que la entrada con relleno "
                         f"({x.shape[-2] + 2 * p[0]}, {x.shape[-1] + 2 * p[1]}): la salida tendría tamaño {out}")
    return out


def _pool_args(kernel_size, stride, padding, op, n=2):
    k = int_tuple(kernel_size, n, "kernel_size", op, 1)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        int_tuple(stride, n, "stride", op, 1)
    return k, s, int_tuple(padding, n, "padding", op, 0)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max-pooling 2-D: el máximo de cada ventana (la capa es ``nn.MaxPool2d``; allí, la fórmula del
    tamaño de salida, ``H_out = ⌊(H + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1``).

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        kernel_size, stride, padding, dilation, ceil_mode: como en ``nn.MaxPool2d`` (``stride`` por
            defecto = ``kernel_size``; el relleno vale −∞).
        return_indices (``False``): si es ``True``, devuelve ``(salida, índices)``, con la posición plana de cada
            máximo en su plano (para ``max_unpool2d``).

    Ejemplo:
        >>> F.max_pool2d(torch.tensor([[[[1., 2.], [3., 4.]]]]), 2)
        tensor([[[[4.]]]])

    En PyTorch: ``torch.nn.functional.max_pool2d``.
    """
    op = "max_pool2d"
    x = as_tensor(input, op)
    check_rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    x, back = integer_input(x, op, _INTS)  # enteros: el mismo dtype, como PyTorch
    if back is not None:
        r = max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
        return (back(r[0]), r[1]) if return_indices else back(r)
    x, squeeze = unbatched(x, 4)
    k, s, p = _pool_args(kernel_size, stride, padding, op)
    d = int_tuple(dilation, 2, "dilation", op, 1)
    holder = {} if return_indices else None
    out = MaxPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=_pool_sizes(x, k, s, p, d, ceil_mode, op),
                          dilation=d, holder=holder)
    out = out.squeeze(0) if squeeze else out
    if not return_indices:
        return out
    idx = Tensor._wrap(np.asarray(holder["indices"], dtype=np.int64))
    return out, (idx.squeeze(0) if squeeze else idx)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max-pooling 1-D sobre ``input`` ``(N, C, L)`` o ``(C, L)`` (la capa es ``nn.MaxPool1d``).

    Args:
        input: la secuencia.
        kernel_size, stride, padding, dilation, ceil_mode, return_indices: como en ``nn.MaxPool1d``.

    Ejemplo:
        >>> F.max_pool1d(torch.tensor([[[1., 5., 2., 0.]]]), 2)
        tensor([[[5., 2.]]])

    En PyTorch: ``torch.nn.functional.max_pool1d``.
    """
    op = "max_pool1d"
    x = as_tensor(input, op)
    check_rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    integer_input(x, op)
    (k,), (p,), (d,) = (int_tuple(kernel_size, 1, "kernel_size", op, 1), int_tuple(padding, 1, "padding", op, 0),
                        int_tuple(dilation, 1, "dilation", op, 1))
    s = k if stride is None else int_tuple(stride, 1, "stride", op, 1)[0]
    r = max_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average pooling 2-D: la media de cada ventana (la capa es ``nn.AvgPool2d``; allí, la fórmula del
    tamaño de salida, ``H_out = ⌊(H + 2·padding − kernel_size) / stride⌋ + 1``).

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        kernel_size, stride, padding, ceil_mode: como en ``nn.AvgPool2d``.
        count_include_pad: si es ``True``, los ceros del relleno cuentan en la media.
        divisor_override (``None``): si se da, el divisor de todas las ventanas.

    Ejemplo:
        >>> F.avg_pool2d(torch.tensor([[[[1., 2.], [3., 4.]]]]), 2)
        tensor([[[[2.5000]]]])

    En PyTorch: ``torch.nn.functional.avg_pool2d``.
    """
    op = "avg_pool2d"
    x = as_tensor(input, op)
    check_rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    x, back = integer_input(x, op, (np.int64,))  # int64: la división entera de PyTorch (trunca)
    if back is not None:
        return back(avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override))
    x, squeeze = unbatched(x, 4)
    k, s, p = _pool_args(kernel_size, stride, padding, op)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral) or divisor_override == 0):
        raise RuntimeError(f"{op}: divisor_override debe ser un entero distinto de 0, no {divisor_override!r}")
    out = AvgPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=_pool_sizes(x, k, s, p, (1, 1), ceil_mode, op),
                          count_include_pad=bool(count_include_pad), divisor=int(divisor_override or 0))
    return out.squeeze(0) if squeeze else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Average pooling 1-D sobre ``input`` ``(N, C, L)`` o ``(C, L)`` (la capa es ``nn.AvgPool1d``).

    Args:
        input: la secuencia.
        kernel_size, stride, padding, ceil_mode, count_include_pad: como en ``nn.AvgPool1d``.

    Ejemplo:
        >>> F.avg_pool1d(torch.tensor([[[1., 3., 5., 7.]]]), 2)
        tensor([[[2., 6.]]])

    En PyTorch: ``torch.nn.functional.avg_pool1d``.
    """
    op = "avg_pool1d"
    x = as_tensor(input, op)
    check_rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    integer_input(x, op, (np.int64,))
    (k,), (p,) = int_tuple(kernel_size, 1, "kernel_size", op, 1), int_tuple(padding, 1, "padding", op, 0)
    s = k if stride is None else int_tuple(stride, 1, "stride", op, 1)[0]
    return avg_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad).squeeze(-2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Coloca cada valor de ``input`` en su posición ``indices`` (los de ``max_pool2d(...,
    return_indices=True)``) en una salida de ceros de ``(H − 1)·stride − 2·padding + kernel_size``
    (o ``output_size``). La capa es ``nn.MaxUnpool2d``.

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        indices: posiciones planas, con la misma forma que ``input``.
        kernel_size, stride, padding: los del ``max_pool2d``.
        output_size: tamaño de la salida (opcional; ``(H_out, W_out)`` o la forma completa).

    Ejemplo:
        >>> y, idx = F.max_pool2d(torch.tensor([[[[1., 2.], [3., 4.]]]]), 2, return_indices=True)
        >>> F.max_unpool2d(y, idx, 2)
        tensor([[[[0., 0.],
                  [0., 4.]]]])

    En PyTorch: ``torch.nn.functional.max_unpool2d``.
    """
    op = "max_unpool2d"
    x = as_tensor(input, op)
    check_rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if tuple(idx.shape) != tuple(x.shape):
        raise RuntimeError(f"{op}: los índices tienen forma {tuple(idx.shape)} y la entrada {tuple(x.shape)}; "
                         f"deben coincidir")
    x, squeeze = unbatched(x, 4)
    idx = idx[None] if squeeze else idx
    k, s, p = _pool_args(kernel_size, stride, padding, op)
    if output_size is None:
        out_hw = tuple((n - 1) * ss - 2 * pp + kk for n, ss, pp, kk in zip(x.shape[2:], s, p, k))
    else:
        out_hw = tuple(int(v) for v in tuple(output_size)[-2:])
    if min(out_hw) < 1:
        raise RuntimeError(f"{op}: la salida tendría tamaño {out_hw}")
    if idx.size and (idx.min() < 0 or idx.max() >= out_hw[0] * out_hw[1]):
        raise RuntimeError(f"{op}: hay índices fuera de [0, {out_hw[0] * out_hw[1]}) para una salida {out_hw} "
                         f"(mínimo {int(idx.min())}, máximo {int(idx.max())})")
    out = MaxUnpool2d.apply(x, indices=idx, out_hw=out_hw)
    return out.squeeze(0) if squeeze else out


def _adaptive_size(output_size, x, op):
    vals = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(vals) != 2:
        raise RuntimeError(f"{op}: output_size debe ser un entero o un par, no {output_size!r}")
    out = tuple(x.shape[-2 + i] if v is None else v for i, v in enumerate(vals))
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in out):
        raise RuntimeError(f"{op}: output_size debe ser enteros ≥ 1 (o None), no {output_size!r}")
    return tuple(int(v) for v in out)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average pooling a un tamaño de salida fijo (la capa es ``nn.AdaptiveAvgPool2d``).

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        output_size: ``(H_out, W_out)`` o un entero; ``1`` es la media global de cada canal.

    Ejemplo:
        >>> F.adaptive_avg_pool2d(torch.ones(1, 2, 5, 5), 1).flatten()
        tensor([1., 1.])

    En PyTorch: ``torch.nn.functional.adaptive_avg_pool2d``.
    """
    op = "adaptive_avg_pool2d"
    x = as_tensor(input, op)
    check_rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    integer_input(x, op, error=RuntimeError)
    x, squeeze = unbatched(x, 4)
    out = AdaptiveAvgPool2d.apply(x, out_hw=_adaptive_size(output_size, x, op))
    return out.squeeze(0) if squeeze else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max-pooling a un tamaño de salida fijo (la capa es ``nn.AdaptiveMaxPool2d``).

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        output_size: ``(H_out, W_out)`` o un entero.
        return_indices (``False``): si es ``True``, devuelve también las posiciones planas de los máximos.

    Ejemplo:
        >>> F.adaptive_max_pool2d(torch.arange(16.).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])

    En PyTorch: ``torch.nn.functional.adaptive_max_pool2d``.
    """
    op = "adaptive_max_pool2d"
    x = as_tensor(input, op)
    check_rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    integer_input(x, op)
    x, squeeze = unbatched(x, 4)
    holder = {} if return_indices else None
    out = AdaptiveMaxPool2d.apply(x, out_hw=_adaptive_size(output_size, x, op), holder=holder)
    out = out.squeeze(0) if squeeze else out
    if not return_indices:
        return out
    idx = Tensor._wrap(np.asarray(holder["indices"], dtype=np.int64))
    return out, (idx.squeeze(0) if squeeze else idx)


def _as_2d(x, op):
    x = as_tensor(x, op)
    check_rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    return x.unsqueeze(-2)


def _size_1d(output_size, op):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"{op}: output_size debe tener un elemento, no {output_size!r}")
        output_size = output_size[0]
    return (1, output_size)


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Average pooling 1-D a un tamaño de salida fijo, hecho como ``adaptive_avg_pool2d`` de altura 1.

    Args:
        input: ``(N, C, L)`` o ``(C, L)``.
        output_size: número de posiciones de la salida; ``1`` es la media global de cada canal.

    Forma: salida ``(N, C, output_size)``.

    Ejemplo:
        >>> F.adaptive_avg_pool1d(torch.tensor([[[1., 3., 5., 7.]]]), 2)
        tensor([[[2., 6.]]])

    En PyTorch: ``torch.nn.functional.adaptive_avg_pool1d``.
    """
    op = "adaptive_avg_pool1d"
    return adaptive_avg_pool2d(_as_2d(input, op), _size_1d(output_size, op)).squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max-pooling 1-D a un tamaño de salida fijo, hecho como ``adaptive_max_pool2d`` de altura 1.

    Args:
        input: ``(N, C, L)`` o ``(C, L)``.
        output_size: número de posiciones de la salida.
        return_indices (``False``): si es ``True``, devuelve también la posición de cada máximo en ``L``.

    Forma: salida ``(N, C, output_size)``.

    Ejemplo:
        >>> F.adaptive_max_pool1d(torch.tensor([[[1., 5., 2., 0.]]]), 2)
        tensor([[[5., 2.]]])

    En PyTorch: ``torch.nn.functional.adaptive_max_pool1d``.
    """
    op = "adaptive_max_pool1d"
    out = adaptive_max_pool2d(_as_2d(input, op), _size_1d(output_size, op), return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Coloca cada valor de ``input`` en su posición ``indices`` (los de ``max_pool1d(...,
    return_indices=True)``) en una salida de ceros de longitud ``(L − 1)·stride − 2·padding + kernel_size``
    (o ``output_size``), como ``max_unpool2d`` de altura 1. La capa es ``nn.MaxUnpool1d``. Derivada: el
    gradiente de cada posición de la salida vuelve al valor que se colocó allí.

    Args:
        input: ``(N, C, L)`` o ``(C, L)``.
        indices: posiciones en ``L``, con la misma forma que ``input``.
        kernel_size, stride, padding: los del ``max_pool1d``.
        output_size: longitud de la salida (opcional; ``(L_out,)`` o la forma completa).

    Ejemplo:
        >>> y, idx = F.max_pool1d(torch.tensor([[[1., 5., 2., 0.]]]), 2, return_indices=True)
        >>> F.max_unpool1d(y, idx, 2)
        tensor([[[0., 5., 2., 0.]]])

    En PyTorch: ``torch.nn.functional.max_unpool1d``.
    """
    op = "max_unpool1d"
    x = _as_2d(input, op)
    idx = indices.unsqueeze(-2) if isinstance(indices, Tensor) else np.asarray(indices)[..., None, :]
    (k,), (p,) = int_tuple(kernel_size, 1, "kernel_size", op, 1), int_tuple(padding, 1, "padding", op, 0)
    s = k if stride is None else int_tuple(stride, 1, "stride", op, 1)[0]
    size = None if output_size is None else (1, int(tuple(output_size)[-1]))
    return max_unpool2d(x, idx, (1, k), (1, s), (0, p), size).squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """``max_pool1d`` que devuelve siempre ``(salida, índices)`` (``return_indices`` no cuenta, como en PyTorch).

    Args:
        input, kernel_size, stride, padding, dilation, ceil_mode, return_indices: como en ``max_pool1d``.

    Ejemplo:
        >>> F.max_pool1d_with_indices(torch.tensor([[[1., 5., 2., 0.]]]), 2)[1]
        tensor([[[1, 2]]])

    En PyTorch: ``torch.nn.functional.max_pool1d_with_indices``.
    """
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """``max_pool2d`` que devuelve siempre ``(salida, índices)`` (``return_indices`` no cuenta, como en PyTorch).

    Args:
        input, kernel_size, stride, padding, dilation, ceil_mode, return_indices: como en ``max_pool2d``.

    Ejemplo:
        >>> F.max_pool2d_with_indices(torch.tensor([[[[1., 2.], [4., 3.]]]]), 2)[1]
        tensor([[[[2]]]])

    En PyTorch: ``torch.nn.functional.max_pool2d_with_indices``.
    """
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` que devuelve siempre ``(salida, índices)``.

    Args:
        input, output_size, return_indices: como en ``adaptive_max_pool1d`` (``return_indices`` no cuenta).

    Ejemplo:
        >>> F.adaptive_max_pool1d_with_indices(torch.tensor([[[1., 5., 2., 0.]]]), 2)[1]
        tensor([[[1, 2]]])

    En PyTorch: ``torch.nn.functional.adaptive_max_pool1d_with_indices``.
    """
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` que devuelve siempre ``(salida, índices)``.

    Args:
        input, output_size, return_indices: como en ``adaptive_max_pool2d`` (``return_indices`` no cuenta).

    Ejemplo:
        >>> F.adaptive_max_pool2d_with_indices(torch.tensor([[[[1., 2.], [4., 3.]]]]), 1)[1]
        tensor([[[[2]]]])

    En PyTorch: ``torch.nn.functional.adaptive_max_pool2d_with_indices``.
    """
    return adaptive_max_pool2d(input, output_size, True)
