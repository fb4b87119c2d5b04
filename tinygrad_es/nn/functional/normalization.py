"""Normalizaciones de ``torch.nn.functional``: ``batch_norm``, ``layer_norm``, ``group_norm``,
``instance_norm`` y ``normalize``. Se componen de media, varianza y división (el gradiente sale
de componerlas); ``normalize`` usa ``linalg.vector_norm``."""
from __future__ import annotations

import numbers

import numpy as np

from ..._tensor import Tensor
from ...autograd import watch
from ..._tensor.linalg import vector_norm
from ._utils import as_tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "normalize", "rms_norm"]


def _stats_inplace(buf, new, momentum):
    """``buf ← (1 − m)·buf + m·new`` in situ (los buffers de BatchNorm), avanzando su versión."""
    arr = buf._data if isinstance(buf, Tensor) else buf
    arr *= (1 - momentum)
    arr += momentum * new.astype(arr.dtype, copy=False)
    if isinstance(buf, Tensor):
        buf._vc.value += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalización por lotes sobre el eje de canales (1): ``(x − μ)/√(σ² + ε)·γ + β``.

    En entrenamiento usa la media y la varianza sesgada del lote y actualiza in situ las
    estadísticas acumuladas con la varianza insesgada (como PyTorch); en evaluación usa las
    acumuladas. El gradiente sale de componer media, varianza y división.
    """
    x = as_tensor(input, "batch_norm")
    if x.ndim < 2:  # RuntimeError como PyTorch (que lo dice con el tamaño de running_mean)
        raise RuntimeError(f"batch_norm: se esperaba una entrada (N, C, ...), no forma {tuple(x.shape)}")
    for name, buf in (("running_mean", running_mean), ("running_var", running_var)):
        if buf is not None:
            shp = tuple(np.shape(buf._data if isinstance(buf, Tensor) else buf))
            if len(shp) != 1 or shp[0] != x.shape[1]:
                raise RuntimeError(f"batch_norm: {name} debe ser un vector de {x.shape[1]} elementos (uno por "
                                   f"canal de la entrada {tuple(x.shape)}), no de forma {shp}")
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        n = x.numel() // x.shape[1]
        if n <= 1:
            raise ValueError(f"batch_norm: se necesita más de un valor por canal en entrenamiento "
                             f"(entrada de forma {tuple(x.shape)})")
        mean = x.mean(axes, keepdim=True)
        centered = x - mean
        var = (centered * centered).mean(axes, keepdim=True)
        if running_mean is not None:
            _stats_inplace(running_mean, mean._data.reshape(-1), momentum)
        if running_var is not None:
            _stats_inplace(running_var, var._data.reshape(-1) * (n / (n - 1)), momentum)
        xhat = centered / (var + eps).sqrt()
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: en evaluación (training=False) hacen falta running_mean y running_var")
        rm = running_mean._data if isinstance(running_mean, Tensor) else np.asarray(running_mean)
        rv = running_var._data if isinstance(running_var, Tensor) else np.asarray(running_var)
        rm = Tensor._wrap(rm.reshape(shape).astype(x._data.dtype))
        rv = Tensor._wrap(rv.reshape(shape).astype(x._data.dtype))
        xhat = (x - rm) / (rv + eps).sqrt()
    if weight is not None:
        xhat = xhat * weight.reshape(shape)
    if bias is not None:
        xhat = xhat + bias.reshape(shape)
    return xhat


def _normalize_over(x, axes, eps):
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(axes, keepdim=True)
    return centered / (var + eps).sqrt()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normaliza cada muestra sobre sus últimos ejes (``normalized_shape``) con la varianza sesgada."""
    x = as_tensor(input, "layer_norm")
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or tuple(x.shape[x.ndim - k:]) != ns or x.ndim < k:
        raise RuntimeError(f"layer_norm: normalized_shape={list(ns)} espera una entrada de forma [*, "
                           f"{', '.join(map(str, ns))}], pero la entrada tiene forma {list(x.shape)}")
    out = _normalize_over(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return watch(out, x, weight, bias)  # PyTorch guarda la entrada, weight y bias


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normaliza por grupos de canales (cada muestra y grupo por separado) y aplica γ, β por canal."""
    x = as_tensor(input, "group_norm")
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: se esperaba una entrada (N, C, ...), no forma {tuple(x.shape)}")
    n, c = x.shape[0], x.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: el número de canales ({c}) debe ser divisible por num_groups "
                           f"({num_groups})")
    g = x.reshape(n, num_groups, -1)
    out = _normalize_over(g, (2,), eps).reshape(tuple(x.shape))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normaliza cada canal de cada muestra por separado (= ``group_norm`` con un grupo por canal)."""
    if not use_input_stats or running_mean is not None:
        raise NotImplementedError("instance_norm con estadísticas acumuladas no está soportado en tinygrad_es")
    x = as_tensor(input, "instance_norm")
    return group_norm(x, x.shape[1], weight, bias, eps)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``x / max(‖x‖_p, ε)`` a lo largo de ``dim``."""
    if out is not None:
        raise NotImplementedError("normalize(out=...) no está soportado")
    x = as_tensor(input, "normalize")
    return x / vector_norm(x, p, dim, keepdim=True).clamp(min=eps)  # como PyTorch: x.norm(p, dim)


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """Normalización por la raíz de la media de los cuadrados (``F.rms_norm``)::

        y = x / √(media(x²) + ε) · γ      (media sobre los últimos ejes ``normalized_shape``)

    Sin restar la media (a diferencia de LayerNorm). ``eps=None`` usa el épsilon del dtype
    (``torch.finfo(dtype).eps``), como PyTorch."""
    x = as_tensor(input)
    ns = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != ns:
        raise RuntimeError(f"rms_norm: normalized_shape={list(ns)} espera una entrada de forma [*, "
                           f"{', '.join(map(str, ns))}], pero la entrada tiene forma {list(x.shape)}")
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps) if x.is_floating_point() else float(np.finfo(np.float32).eps)
    dims = tuple(range(x.ndim - k, x.ndim))
    out = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out
