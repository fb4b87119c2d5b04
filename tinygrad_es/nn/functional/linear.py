"""Capas lineales, convolución, pooling, reescalado y relleno de ``torch.nn.functional`` con las firmas
de PyTorch. La convolución y el pooling delegan en ``ops/conv_functional.py`` (núcleos numba con
dilation, groups, ceil_mode...)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._f_util import as_tensor as _t

from ..ops import conv_functional as _CF
from ..ops.matmul import Linear as _Linear
from .._dtype import float32, float64

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "max_unpool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "upsample",
           "flatten", "unflatten", "pad"]


# ---- capas lineales y convolucionales -----------------------------------------------------
def linear(x, weight, bias=None) -> Tensor:
    """``x @ weightᵀ + bias`` con ``weight`` de forma (salidas, entradas), como PyTorch."""
    x = _t(x)
    if x.ndim == 0:
        raise ValueError(f"linear: la entrada es un escalar (forma ()); se esperaba forma (..., {weight.shape[-1]}) "
                         f"con {weight.shape[-1]} características (pesos de forma {tuple(weight.shape)})")
    if x.shape[-1] != weight.shape[-1]:
        raise ValueError(f"linear: la entrada tiene {x.shape[-1]} características (forma {x.shape}) "
                         f"pero la capa espera {weight.shape[-1]} (pesos de forma {weight.shape})")
    if (isinstance(weight, Tensor) and x.dtype == weight.dtype and x.dtype in (float32, float64)
            and (bias is None or (isinstance(bias, Tensor) and bias.dtype == x.dtype and bias.shape == weight.shape[:1]))
            and weight.ndim == 2):
        return _Linear.apply(x, weight, bias)  # un nodo; ∂L/∂W contiguo
    out = x @ weight.T
    return out + bias if bias is not None else out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 2-D (correlación cruzada) de (N, C, H, W) o (C, H, W) con ``weight`` (O, C/groups, kh, kw).
    Salida: ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1."""
    return _CF.conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 1-D sobre (N, C, L) o (C, L)."""
    return _CF.conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Convolución traspuesta 2-D (el gradiente de conv2d respecto de su entrada) con ``weight``
    (C_in, C_out/groups, kh, kw). Salida: (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1."""
    return _CF.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Máximo por ventana (relleno −inf); con ``return_indices`` también las posiciones planas."""
    return _CF.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Media por ventana (``count_include_pad``: el relleno cuenta como ceros en el divisor)."""
    return _CF.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _CF.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _CF.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverso parcial de ``max_pool2d``: cada valor vuelve a su posición; el resto, ceros."""
    return _CF.max_unpool2d(input, indices, kernel_size, stride, padding, output_size)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Media en ventanas adaptativas hasta ``output_size``; ``1`` es la media global."""
    return _CF.adaptive_avg_pool2d(input, output_size)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _CF.adaptive_max_pool2d(input, output_size, return_indices)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Reescala a ``size`` o por ``scale_factor`` ('nearest', 'linear', 'bilinear'; ``align_corners``)."""
    return _CF.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor, antialias)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Nombre antiguo de ``interpolate`` (obsoleto también en PyTorch)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def flatten(x, start_dim=1, end_dim=-1) -> Tensor:
    return _t(x).flatten(start_dim, end_dim)


def unflatten(x, dim, sizes) -> Tensor:
    x = _t(x)
    d = x._dim(dim)
    return x.reshape(tuple(x.shape[:d]) + tuple(sizes) + tuple(x.shape[d + 1:]))


def bilinear(input1, input2, weight, bias=None) -> Tensor:
    """``y_k = x1ᵀ·W_k·x2 + b_k`` con ``weight`` de forma (salidas, in1, in2)."""
    x1, x2 = _t(input1), _t(input2)
    out, in1, in2 = weight.shape
    flat = weight.permute(1, 0, 2).reshape(in1, out * in2)
    y = (x1 @ flat).reshape(tuple(x1.shape[:-1]) + (out, in2))
    y = (y * x2.unsqueeze(-2)).sum(-1)
    return y + bias if bias is not None else y


def _pad_index(n, left, right, mode):
    idx = np.arange(-left, n + right)
    if mode == "replicate":
        return np.clip(idx, 0, n - 1)
    if mode == "circular":
        if left > n or right > n:
            raise RuntimeError(f"pad: el relleno circular ({left}, {right}) no puede superar el tamaño {n}")
        return idx % n
    if left >= n or right >= n:
        raise RuntimeError(f"pad: el relleno reflect ({left}, {right}) debe ser menor que el tamaño {n}")
    period = 2 * (n - 1) if n > 1 else 1
    m = np.abs(idx) % period
    return np.where(m >= n, period - m, m)


def pad(input, pad, mode="constant", value=None) -> Tensor:
    """Relleno como PyTorch: ``pad = (izq_último, der_último, izq_penúltimo, ...)``, en modos
    'constant' (``value``), 'reflect', 'replicate' y 'circular'. Los valores negativos recortan.
    Los modos no constantes copian elementos del borde (el gradiente se suma en ellos)."""
    x = _t(input)
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: la longitud de pad ({len(pad)}) debe ser par y como mucho 2·{x.ndim}")
    pairs = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        pairs[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if any(a < 0 or b < 0 for a, b in pairs):  # recorte
        sl = tuple(slice(max(-a, 0), x.shape[d] - max(-b, 0)) for d, (a, b) in enumerate(pairs))
        x = x[sl]
        pairs = [(max(a, 0), max(b, 0)) for a, b in pairs]
    if mode == "constant":
        return x.pad(tuple(pairs), value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: modo {mode!r} no soportado (constant, reflect, replicate, circular)")
    if value:
        raise ValueError(f"pad: value sólo tiene sentido con mode='constant', no con {mode!r}")
    for d, (a, b) in enumerate(pairs):
        if a or b:
            idx = _pad_index(x.shape[d], a, b, mode)
            x = x[(slice(None),) * d + (Tensor._wrap(idx),)]
    return x
