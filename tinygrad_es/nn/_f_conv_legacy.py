"""Convolución y pooling sobre los núcleos de ``ops/nn.py`` (sin dilation, groups ni ceil_mode).

Es el camino que se usa mientras ``ops/conv_functional.py`` (con todas las opciones de PyTorch, en la
rama de los núcleos) no está disponible; ``_f_conv`` elige uno u otro.
"""
from __future__ import annotations

from ..kernels import conv_output_size
from ..ops import nn as _nn
from ..ops.nn import pair
from .._tensor import Tensor
from ._f_util import as_tensor as _t
from ._f_util import check_rank as _check_rank


def conv2d(x, w, b=None, stride=1, padding=0) -> Tensor:
    """Convolución 2-D (correlación cruzada, como PyTorch) sobre (N, C, H, W) o (C, H, W).

    Tamaño de salida: ⌊(H + 2·padding − k) / stride⌋ + 1.
    """
    x = _t(x)
    _check_rank(x, (3, 4), "conv2d", "(N, C, H, W) o (C, H, W)")
    if w.ndim != 4:
        raise ValueError(f"conv2d: los pesos deben tener forma (salidas, entradas, kh, kw); tienen {w.shape}")
    if x.ndim == 3:
        return conv2d(x.unsqueeze(0), w, b, stride, padding).squeeze(0)
    s, p = pair(stride, "stride"), pair(padding, "padding")
    if min(s) < 1 or min(p) < 0:
        raise ValueError(f"conv2d: stride debe ser ≥ 1 y padding ≥ 0 (stride={s}, padding={p})")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"conv2d: la entrada tiene {x.shape[1]} canales (forma {x.shape}) pero los pesos "
                         f"esperan {w.shape[1]} (forma {w.shape})")
    hp, wp = x.shape[2] + 2 * p[0], x.shape[3] + 2 * p[1]
    if w.shape[2] > hp or w.shape[3] > wp:
        raise ValueError(f"conv2d: el núcleo {tuple(w.shape[2:])} es mayor que la entrada con relleno "
                         f"({hp}, {wp}) (entrada {tuple(x.shape[2:])}, padding {p})")
    if b is not None and tuple(b.shape) != (w.shape[0],):
        raise ValueError(f"conv2d: el sesgo debe tener forma ({w.shape[0]},), no {tuple(b.shape)}")
    args = (x, w, b) if b is not None else (x, w)
    return _nn.Conv2d.apply(*args, stride=s, padding=p)


def conv1d(x, w, b=None, stride=1, padding=0) -> Tensor:
    """Convolución 1-D sobre (N, C, L) o (C, L), hecha como conv2d de altura 1."""
    x = _t(x)
    _check_rank(x, (2, 3), "conv1d", "(N, C, L) o (C, L)")
    if w.ndim != 3:
        raise ValueError(f"conv1d: los pesos deben tener forma (salidas, entradas, k); tienen {w.shape}")
    if x.ndim == 2:
        return conv1d(x.unsqueeze(0), w, b, stride, padding).squeeze(0)
    s = stride[0] if isinstance(stride, (tuple, list)) else stride
    p = padding[0] if isinstance(padding, (tuple, list)) else padding
    out = conv2d(x.unsqueeze(2), w.unsqueeze(2), b, stride=(1, s), padding=(0, p))
    return out.squeeze(2)


def _pool_args(x, kernel_size, stride, padding, op):
    _check_rank(x, (4,), op, "(N, C, H, W)")
    k = pair(kernel_size, "kernel_size")
    s = k if stride is None else pair(stride, "stride")
    p = pair(padding, "padding")
    if min(k) < 1 or min(s) < 1:
        raise ValueError(f"{op}: kernel_size y stride deben ser ≥ 1 (kernel={k}, stride={s})")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{op}: el relleno {p} no puede superar la mitad del núcleo {k}")
    hp, wp = x.shape[2] + 2 * p[0], x.shape[3] + 2 * p[1]
    if k[0] > hp or k[1] > wp:
        raise ValueError(f"{op}: el núcleo {k} es mayor que la entrada con relleno ({hp}, {wp})")
    out_hw = (conv_output_size(x.shape[2], k[0], s[0], p[0]), conv_output_size(x.shape[3], k[1], s[1], p[1]))
    return dict(kernel=k, stride=s, padding=p, out_hw=out_hw)


def max_pool2d(x, kernel_size, stride=None, padding=0) -> Tensor:
    """Max-pooling (stride = kernel por defecto; relleno = −inf). El gradiente va al
    primer máximo de cada ventana."""
    x = _t(x)
    if x.ndim == 3:
        return max_pool2d(x.unsqueeze(0), kernel_size, stride, padding).squeeze(0)
    return _nn.MaxPool2d.apply(x, **_pool_args(x, kernel_size, stride, padding, "max_pool2d"))


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> Tensor:
    """Media por ventana; el relleno cuenta como ceros (``count_include_pad=True``)."""
    x = _t(x)
    if x.ndim == 3:
        return avg_pool2d(x.unsqueeze(0), kernel_size, stride, padding).squeeze(0)
    return _nn.AvgPool2d.apply(x, **_pool_args(x, kernel_size, stride, padding, "avg_pool2d"))


def adaptive_avg_pool2d(x, output_size) -> Tensor:
    """Pooling medio a un tamaño de salida fijo; ``output_size=1`` es la media global."""
    x = _t(x)
    if x.ndim == 3:
        return adaptive_avg_pool2d(x.unsqueeze(0), output_size).squeeze(0)
    _check_rank(x, (4,), "adaptive_avg_pool2d", "(N, C, H, W)")
    o = pair(output_size, "output_size")
    if min(o) < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size debe ser ≥ 1, no {o}")
    return _nn.AdaptiveAvgPool2d.apply(x, out_hw=o)
