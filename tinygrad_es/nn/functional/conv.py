"""Convolución, pooling y reescalado con la firma de ``torch.nn.functional``.

Mismos nombres, argumentos y valores por defecto que PyTorch; argumentos erróneos dan
un error en español que nombra el problema. ``tinygrad_es.nn.functional`` los
reexporta y las capas de ``nn`` se construyen sobre ellos.
"""
import math
import numbers

import numpy as np

from ..autograd import TensorBase as Tensor  # ops no importa la fachada: sólo el estado
from .conv import Conv2d, ConvTranspose2d
from .pool import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d, MaxUnpool2d, Upsample

__all__ = ["conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
           "max_unpool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate"]


def _t(x, op, name="input") -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    if isinstance(x, (list, tuple, numbers.Number)):
        return Tensor._wrap(np.asarray(x, dtype=np.float32))
    raise TypeError(f"{op}: {name} debe ser un Tensor, no {type(x).__name__}")


def _ints(v, n, name, op, minimum=None):
    """Un entero o una tupla de ``n`` enteros -> tupla de ``n`` enteros (≥ ``minimum``)."""
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    if len(vals) == 1:
        vals = vals * n
    if len(vals) != n or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in vals):
        raise ValueError(f"{op}: {name} debe ser un entero o una tupla de {n} enteros, no {v!r}")
    vals = tuple(int(a) for a in vals)
    if minimum is not None and min(vals) < minimum:
        what = "negativo" if minimum == 0 else f"menor que {minimum}"
        raise ValueError(f"{op}: {name} no puede ser {what} (se recibió {v!r})")
    return vals


def _rank(x, ranks, op, layout):
    if x.ndim not in ranks:
        raise ValueError(f"{op}: se esperaba una entrada {layout} ({' o '.join(f'{r}-D' for r in ranks)}), "
                         f"pero tiene forma {tuple(x.shape)}")


def _unbatched(x, full_rank):
    """Entrada sin la dimensión del lote (como acepta PyTorch): se añade y se quita."""
    return (x.unsqueeze(0), True) if x.ndim == full_rank - 1 else (x, False)


# ---- convolución ----------------------------------------------------------------------------
def _conv_padding(padding, k, dilation, stride, op):
    """(relleno a cada lado, relleno de más al final) por eje: 'same' con un núcleo efectivo
    par es asimétrico y PyTorch pone el relleno sobrante al final."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding debe ser un entero, una tupla, 'same' o 'valid', no {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' no admite stride distinto de 1 (stride={stride})")
        total = [d * (kk - 1) for d, kk in zip(dilation, k)]
        return tuple(t // 2 for t in total), tuple(t % 2 for t in total)
    p = _ints(padding, 2, "padding", op, 0)
    return p, (0, 0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 2-D (correlación cruzada) de ``input`` (N, C, H, W) o (C, H, W) con ``weight``
    (O, C/groups, kh, kw). Salida: ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1."""
    op = "conv2d"
    x, w = _t(input, op), _t(weight, op, "weight")
    _rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    if w.ndim != 4:
        raise ValueError(f"{op}: los pesos deben tener forma (salidas, entradas/groups, kh, kw); tienen "
                         f"{tuple(w.shape)}")
    x, squeeze = _unbatched(x, 4)
    s, d = _ints(stride, 2, "stride", op, 1), _ints(dilation, 2, "dilation", op, 1)
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups debe ser un entero ≥ 1, no {groups!r}")
    c, o = x.shape[1], w.shape[0]
    if c % groups or o % groups:
        raise ValueError(f"{op}: groups={groups} debe dividir los canales de entrada ({c}) y de salida ({o})")
    if w.shape[1] * groups != c:
        raise ValueError(f"{op}: la entrada tiene {c} canales (forma {tuple(x.shape)}) pero los pesos esperan "
                         f"{w.shape[1] * groups} (forma {tuple(w.shape)}, groups={groups})")
    k = tuple(w.shape[2:])
    (ph, pw), extra = _conv_padding(padding, k, d, s, op)
    if extra != (0, 0):
        x = x.pad(((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    hp, wp = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    eff = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    if eff[0] > hp or eff[1] > wp:
        raise ValueError(f"{op}: el núcleo {k} (efectivo {eff} con dilation {d}) es mayor que la entrada con "
                         f"relleno ({hp}, {wp}) (entrada {tuple(x.shape[2:])}, padding {(ph, pw)})")
    if bias is not None:
        bias = _t(bias, op, "bias")
        if tuple(bias.shape) != (o,):
            raise ValueError(f"{op}: el sesgo debe tener forma ({o},), no {tuple(bias.shape)}")
    args = (x, w) if bias is None else (x, w, bias)
    out = Conv2d.apply(*args, stride=s, padding=(ph, pw), dilation=d, groups=int(groups))
    return out.squeeze(0) if squeeze else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 1-D sobre (N, C, L) o (C, L), hecha como ``conv2d`` de altura 1."""
    op = "conv1d"
    x, w = _t(input, op), _t(weight, op, "weight")
    _rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    if w.ndim != 3:
        raise ValueError(f"{op}: los pesos deben tener forma (salidas, entradas/groups, k); tienen {tuple(w.shape)}")
    x, squeeze = _unbatched(x, 3)
    (s,), (d,) = _ints(stride, 1, "stride", op, 1), _ints(dilation, 1, "dilation", op, 1)
    pad = padding if isinstance(padding, str) else (0, _ints(padding, 1, "padding", op, 0)[0])
    out = conv2d(x.unsqueeze(2), w.unsqueeze(2), bias, (1, s), pad, (1, d), groups).squeeze(2)
    return out.squeeze(0) if squeeze else out


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """Convolución traspuesta 2-D con ``weight`` (C_in, C_out/groups, kh, kw). Salida:
    (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1."""
    op = "conv_transpose2d"
    x, w = _t(input, op), _t(weight, op, "weight")
    _rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    if w.ndim != 4:
        raise ValueError(f"{op}: los pesos deben tener forma (entradas, salidas/groups, kh, kw); tienen "
                         f"{tuple(w.shape)}")
    x, squeeze = _unbatched(x, 4)
    s, d = _ints(stride, 2, "stride", op, 1), _ints(dilation, 2, "dilation", op, 1)
    p, op_ = _ints(padding, 2, "padding", op, 0), _ints(output_padding, 2, "output_padding", op, 0)
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups debe ser un entero ≥ 1, no {groups!r}")
    c = x.shape[1]
    if c % groups:
        raise ValueError(f"{op}: groups={groups} debe dividir los canales de entrada ({c})")
    if w.shape[0] != c:
        raise ValueError(f"{op}: la entrada tiene {c} canales (forma {tuple(x.shape)}) pero los pesos esperan "
                         f"{w.shape[0]} (forma {tuple(w.shape)})")
    for a, b, e in zip(op_, s, d):
        if a >= max(b, e):
            raise ValueError(f"{op}: output_padding {op_} debe ser menor que stride {s} o que dilation {d}")
    hout = [(n - 1) * b - 2 * pp + e * (k - 1) + a + 1
            for n, b, pp, e, k, a in zip(x.shape[2:], s, p, d, w.shape[2:], op_)]
    if min(hout) < 1:
        raise ValueError(f"{op}: la salida tendría tamaño {tuple(hout)} (entrada {tuple(x.shape[2:])}, "
                         f"padding {p}): demasiado relleno")
    o = w.shape[1] * groups
    if bias is not None:
        bias = _t(bias, op, "bias")
        if tuple(bias.shape) != (o,):
            raise ValueError(f"{op}: el sesgo debe tener forma ({o},), no {tuple(bias.shape)}")
    args = (x, w) if bias is None else (x, w, bias)
    out = ConvTranspose2d.apply(*args, stride=s, padding=p, output_padding=op_, dilation=d, groups=int(groups))
    return out.squeeze(0) if squeeze else out


# ---- pooling --------------------------------------------------------------------------------
def _pool_sizes(x, k, s, p, d, ceil_mode, op):
    from ..kernels import pool_output_size
    for kk, pp, dd in zip(k, p, d):
        if pp > (dd * (kk - 1) + 1) // 2:
            raise ValueError(f"{op}: el relleno {p} no puede superar la mitad del núcleo efectivo "
                             f"(kernel_size={k}, dilation={d})")
    out = tuple(pool_output_size(n, kk, ss, pp, dd, bool(ceil_mode))
                for n, kk, ss, pp, dd in zip(x.shape[-2:], k, s, p, d))
    if min(out) < 1:
        raise ValueError(f"{op}: el núcleo {k} es mayor que la entrada con relleno "
                         f"({x.shape[-2] + 2 * p[0]}, {x.shape[-1] + 2 * p[1]}): la salida tendría tamaño {out}")
    return out


def _pool_args(kernel_size, stride, padding, op, n=2):
    k = _ints(kernel_size, n, "kernel_size", op, 1)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        _ints(stride, n, "stride", op, 1)
    return k, s, _ints(padding, n, "padding", op, 0)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Máximo por ventana (stride = kernel_size por defecto; relleno = −∞). Con
    ``return_indices`` devuelve también los índices planos (para ``max_unpool2d``)."""
    op = "max_pool2d"
    x = _t(input, op)
    _rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    x, squeeze = _unbatched(x, 4)
    k, s, p = _pool_args(kernel_size, stride, padding, op)
    d = _ints(dilation, 2, "dilation", op, 1)
    holder = {} if return_indices else None
    out = MaxPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=_pool_sizes(x, k, s, p, d, ceil_mode, op),
                          dilation=d, holder=holder)
    out = out.squeeze(0) if squeeze else out
    if not return_indices:
        return out
    idx = Tensor._wrap(np.asarray(holder["indices"], dtype=np.int64))
    return out, (idx.squeeze(0) if squeeze else idx)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Máximo por ventana sobre (N, C, L) o (C, L)."""
    op = "max_pool1d"
    x = _t(input, op)
    _rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    (k,), (p,), (d,) = (_ints(kernel_size, 1, "kernel_size", op, 1), _ints(padding, 1, "padding", op, 0),
                        _ints(dilation, 1, "dilation", op, 1))
    s = k if stride is None else _ints(stride, 1, "stride", op, 1)[0]
    r = max_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Media por ventana; divisor como PyTorch (``count_include_pad``, ``divisor_override``)."""
    op = "avg_pool2d"
    x = _t(input, op)
    _rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    x, squeeze = _unbatched(x, 4)
    k, s, p = _pool_args(kernel_size, stride, padding, op)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral) or divisor_override == 0):
        raise ValueError(f"{op}: divisor_override debe ser un entero distinto de 0, no {divisor_override!r}")
    out = AvgPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=_pool_sizes(x, k, s, p, (1, 1), ceil_mode, op),
                          count_include_pad=bool(count_include_pad), divisor=int(divisor_override or 0))
    return out.squeeze(0) if squeeze else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Media por ventana sobre (N, C, L) o (C, L)."""
    op = "avg_pool1d"
    x = _t(input, op)
    _rank(x, (2, 3), op, "(N, C, L) o (C, L)")
    (k,), (p,) = _ints(kernel_size, 1, "kernel_size", op, 1), _ints(padding, 1, "padding", op, 0)
    s = k if stride is None else _ints(stride, 1, "stride", op, 1)[0]
    return avg_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad).squeeze(-2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Coloca cada valor en su índice (los de ``max_pool2d(..., return_indices=True)``) en una
    salida de ceros de (H − 1)·stride − 2·padding + kernel_size (o ``output_size``)."""
    op = "max_unpool2d"
    x = _t(input, op)
    _rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if tuple(idx.shape) != tuple(x.shape):
        raise ValueError(f"{op}: los índices tienen forma {tuple(idx.shape)} y la entrada {tuple(x.shape)}; "
                         f"deben coincidir")
    x, squeeze = _unbatched(x, 4)
    idx = idx[None] if squeeze else idx
    k, s, p = _pool_args(kernel_size, stride, padding, op)
    if output_size is None:
        out_hw = tuple((n - 1) * ss - 2 * pp + kk for n, ss, pp, kk in zip(x.shape[2:], s, p, k))
    else:
        out_hw = tuple(int(v) for v in tuple(output_size)[-2:])
    if min(out_hw) < 1:
        raise ValueError(f"{op}: la salida tendría tamaño {out_hw}")
    if idx.size and (idx.min() < 0 or idx.max() >= out_hw[0] * out_hw[1]):
        raise ValueError(f"{op}: hay índices fuera de [0, {out_hw[0] * out_hw[1]}) para una salida {out_hw} "
                         f"(mínimo {int(idx.min())}, máximo {int(idx.max())})")
    out = MaxUnpool2d.apply(x, indices=idx, out_hw=out_hw)
    return out.squeeze(0) if squeeze else out


def _adaptive_size(output_size, x, op):
    vals = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(vals) != 2:
        raise ValueError(f"{op}: output_size debe ser un entero o un par, no {output_size!r}")
    out = tuple(x.shape[-2 + i] if v is None else v for i, v in enumerate(vals))
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in out):
        raise ValueError(f"{op}: output_size debe ser enteros ≥ 1 (o None), no {output_size!r}")
    return tuple(int(v) for v in out)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Pooling medio a un tamaño de salida fijo; ``output_size=1`` es la media global."""
    op = "adaptive_avg_pool2d"
    x = _t(input, op)
    _rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    x, squeeze = _unbatched(x, 4)
    out = AdaptiveAvgPool2d.apply(x, out_hw=_adaptive_size(output_size, x, op))
    return out.squeeze(0) if squeeze else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Máximo en ventanas adaptativas; con ``return_indices`` también los índices planos."""
    op = "adaptive_max_pool2d"
    x = _t(input, op)
    _rank(x, (3, 4), op, "(N, C, H, W) o (C, H, W)")
    x, squeeze = _unbatched(x, 4)
    holder = {} if return_indices else None
    out = AdaptiveMaxPool2d.apply(x, out_hw=_adaptive_size(output_size, x, op), holder=holder)
    out = out.squeeze(0) if squeeze else out
    if not return_indices:
        return out
    idx = Tensor._wrap(np.asarray(holder["indices"], dtype=np.int64))
    return out, (idx.squeeze(0) if squeeze else idx)


# ---- reescalado -----------------------------------------------------------------------------
_MODES = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,)}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False) -> Tensor:
    """Reescala (N, C, L) o (N, C, H, W) a ``size`` o por ``scale_factor`` (⌊tamaño·escala⌋),
    con ``mode`` 'nearest', 'linear' (3-D) o 'bilinear' (4-D), como PyTorch."""
    op = "interpolate"
    x = _t(input, op)
    if mode not in _MODES:
        raise ValueError(f"{op}: modo {mode!r} no disponible; modos: {', '.join(_MODES)}")
    if x.ndim not in _MODES[mode]:
        raise ValueError(f"{op}: el modo {mode!r} necesita una entrada "
                         f"{' o '.join(f'{r}-D' for r in _MODES[mode])}, pero tiene forma {tuple(x.shape)}")
    if antialias:
        raise ValueError(f"{op}: antialias=True no está disponible")
    if align_corners is not None and mode == "nearest":
        raise ValueError(f"{op}: align_corners sólo tiene sentido con los modos 'linear' y 'bilinear'")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: indica exactamente uno de size o scale_factor")
    nd = x.ndim - 2
    if size is not None:
        out = _ints(size, nd, "size", op, 1)
        scales = (None,) * nd
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
        if len(sf) != nd or not all(isinstance(v, numbers.Real) and v > 0 for v in sf):
            raise ValueError(f"{op}: scale_factor debe ser un número > 0 o una tupla de {nd}, no {scale_factor!r}")
        out = tuple(int(math.floor(n * float(v))) for n, v in zip(x.shape[2:], sf))
        if min(out) < 1:
            raise ValueError(f"{op}: con scale_factor={scale_factor} la salida tendría tamaño {out}")
        scales = (None,) * nd if recompute_scale_factor else tuple(float(v) for v in sf)
    x4 = x.unsqueeze(2) if nd == 1 else x
    out_hw = (1,) + out if nd == 1 else out
    scales = (None,) + scales if nd == 1 else scales
    y = Upsample.apply(x4, out_hw=out_hw, mode="nearest" if mode == "nearest" else "bilinear",
                       align_corners=bool(align_corners), scales=scales)
    return y.squeeze(2) if nd == 1 else y
