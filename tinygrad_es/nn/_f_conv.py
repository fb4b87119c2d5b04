"""Capas lineales, convolución, pooling, reescalado y relleno de ``torch.nn.functional`` con las firmas
de PyTorch. La convolución y el pooling delegan en ``ops/conv_functional.py`` (núcleos numba con
dilation, groups, ceil_mode...); si no está, en los núcleos básicos de ``_f_conv_legacy``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _f_conv_legacy as _legacy
from ._f_util import as_tensor as _t
from ._f_util import check_rank as _check_rank

try:  # la rama de los núcleos: convolución y pooling con todas las opciones de PyTorch
    from ..ops import conv_functional as _CF
except ImportError:  # pragma: no cover - depende de qué ramas estén ya unidas
    _CF = None

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
    out = x @ weight.T
    return out + bias if bias is not None else out


def _new_kernels(op, what):
    raise NotImplementedError(f"{op}: {what} necesita los núcleos de ops/conv_functional.py, que aún no están "
                              f"en esta versión de tinygrad_es")


def _is_one(v):
    return all(int(e) == 1 for e in (v if isinstance(v, (tuple, list)) else (v,)))


def _same_padding(x, w, padding, dilation, op):
    """'valid' = sin relleno; 'same' (stride 1) rellena k − 1 en total, lo que sobra al final (PyTorch)."""
    if padding == "valid":
        return x, 0
    if padding != "same":
        raise ValueError(f"{op}: padding debe ser un entero, una tupla, 'same' o 'valid', no {padding!r}")
    ks = tuple(w.shape[2:])
    pads = []
    for k in reversed(ks):
        total = k - 1
        pads += [total // 2, total - total // 2]
    return pad(x, pads), 0


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 2-D (correlación cruzada) de (N, C, H, W) o (C, H, W) con ``weight`` (O, C/groups, kh, kw).
    Salida: ⌊(H + 2·padding − dilation·(kh − 1) − 1)/stride⌋ + 1."""
    if _CF is not None:
        return _CF.conv2d(input, weight, bias, stride, padding, dilation, groups)
    if not _is_one(dilation) or groups != 1:
        _new_kernels("conv2d", "dilation/groups")
    x = _t(input)
    if isinstance(padding, str):
        if padding == "same" and not _is_one(stride):
            raise ValueError(f"conv2d: padding='same' no admite stride distinto de 1 (stride={stride})")
        x, padding = _same_padding(x, weight, padding, dilation, "conv2d")
    return _legacy.conv2d(x, weight, bias, stride, padding)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """Convolución 1-D sobre (N, C, L) o (C, L)."""
    if _CF is not None:
        return _CF.conv1d(input, weight, bias, stride, padding, dilation, groups)
    if not _is_one(dilation) or groups != 1:
        _new_kernels("conv1d", "dilation/groups")
    x = _t(input)
    if isinstance(padding, str):
        if padding == "same" and not _is_one(stride):
            raise ValueError(f"conv1d: padding='same' no admite stride distinto de 1 (stride={stride})")
        x, padding = _same_padding(x, weight, padding, dilation, "conv1d")
    return _legacy.conv1d(x, weight, bias, stride, padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Convolución traspuesta 2-D (el gradiente de conv2d respecto de su entrada) con ``weight``
    (C_in, C_out/groups, kh, kw). Salida: (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1."""
    if _CF is None:
        _new_kernels("conv_transpose2d", "la convolución traspuesta")
    return _CF.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Máximo por ventana (relleno −inf); con ``return_indices`` también las posiciones planas."""
    if _CF is not None:
        return _CF.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    if not _is_one(dilation) or ceil_mode or return_indices:
        _new_kernels("max_pool2d", "dilation, ceil_mode y return_indices")
    return _legacy.max_pool2d(input, kernel_size, stride, padding)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Media por ventana (``count_include_pad``: el relleno cuenta como ceros en el divisor)."""
    if _CF is not None:
        return _CF.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    if ceil_mode or not count_include_pad or divisor_override is not None:
        _new_kernels("avg_pool2d", "ceil_mode, count_include_pad=False y divisor_override")
    return _legacy.avg_pool2d(input, kernel_size, stride, padding)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if _CF is None:
        _new_kernels("max_pool1d", "el pooling 1-D")
    return _CF.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    if _CF is None:
        _new_kernels("avg_pool1d", "el pooling 1-D")
    return _CF.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverso parcial de ``max_pool2d``: cada valor vuelve a su posición; el resto, ceros."""
    if _CF is None:
        _new_kernels("max_unpool2d", "MaxUnpool2d")
    return _CF.max_unpool2d(input, indices, kernel_size, stride, padding, output_size)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Media en ventanas adaptativas hasta ``output_size``; ``1`` es la media global."""
    if _CF is not None:
        return _CF.adaptive_avg_pool2d(input, output_size)
    return _legacy.adaptive_avg_pool2d(input, output_size)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    if _CF is None:
        _new_kernels("adaptive_max_pool2d", "AdaptiveMaxPool2d")
    return _CF.adaptive_max_pool2d(input, output_size, return_indices)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Reescala a ``size`` o por ``scale_factor`` ('nearest', 'linear', 'bilinear'; ``align_corners``)."""
    if _CF is None:
        _new_kernels("interpolate", "el reescalado")
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
