"""Normalizaciones de ``torch.nn.functional``: ``batch_norm``, ``layer_norm``, ``group_norm``,
``instance_norm`` y ``normalize``. ``batch_norm`` es un nodo con núcleo propio (``ops/normalization.py``);
las demás se componen de media, varianza y división (el gradiente sale de componerlas);
``normalize`` usa ``linalg.vector_norm``."""
from __future__ import annotations

import numbers

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import cat
from ...autograd import watch
from ..._tensor.linalg import vector_norm
from ...ops.normalization import BatchNorm
from ._utils import as_tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "normalize", "rms_norm", "local_response_norm"]


def _buffer(buf):
    """El ndarray de un buffer de estadísticas (Tensor o array), o ``None``."""
    if buf is None:
        return None
    return buf._data if isinstance(buf, Tensor) else np.asarray(buf)


def _bump(buf):
    if isinstance(buf, Tensor):
        buf._vc.value += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalización por lotes sobre el eje de canales (1): ``(x − μ)/√(σ² + ε)·γ + β``.

    Args:
        input: (N, C, ...) en coma flotante.
        running_mean, running_var: (C,) estadísticas acumuladas (o ``None``).
        weight, bias: γ y β de forma (C,) (o ``None``: 1 y 0).
        training: con ``True`` usa la media y la varianza sesgada del lote y actualiza in situ las
            acumuladas (``(1 − momentum)·acumulada + momentum·del lote``, la varianza insesgada,
            como PyTorch); con ``False`` usa las acumuladas.

    Un solo nodo (``ops.normalization.BatchNorm``, derivada en su docstring) con las sumas en
    float64 y un redondeo por elemento. Ejemplo (igual que ``torch.nn.functional.batch_norm``)::

        y = F.batch_norm(x, rm, rv, gamma, beta, training=True)
    """
    x = as_tensor(input, "batch_norm")
    if x.ndim < 2:  # RuntimeError como PyTorch (que lo dice con el tamaño de running_mean)
        raise RuntimeError(f"batch_norm: se esperaba una entrada (N, C, ...), no forma {tuple(x.shape)}")
    c = x.shape[1]
    for name, buf in (("running_mean", running_mean), ("running_var", running_var)):
        if buf is not None:
            shp = tuple(np.shape(buf._data if isinstance(buf, Tensor) else buf))
            if len(shp) != 1 or shp[0] != c:
                raise RuntimeError(f"batch_norm: {name} debe ser un vector de {c} elementos (uno por "
                                   f"canal de la entrada {tuple(x.shape)}), no de forma {shp}")
    for name, t in (("weight", weight), ("bias", bias)):
        size = None if t is None else np.size(t._data if isinstance(t, Tensor) else t)
        if size is not None and size != c:
            raise RuntimeError(f"batch_norm: {name} debe tener {c} elementos (los canales de la entrada de "
                               f"forma {tuple(x.shape)}), no {size}")
    if training:
        if x.numel() // c <= 1:
            raise ValueError(f"batch_norm: se necesita más de un valor por canal en entrenamiento "
                             f"(entrada de forma {tuple(x.shape)})")
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: en evaluación (training=False) hacen falta running_mean y running_var")
    w = None if weight is None else as_tensor(weight)
    b = None if bias is None else as_tensor(bias)
    out = BatchNorm.apply(x, w, b, running_mean=_buffer(running_mean), running_var=_buffer(running_var),
                          training=bool(training), momentum=float(momentum), eps=float(eps))
    if training:
        _bump(running_mean)
        _bump(running_var)
    return out


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


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalización de respuesta local (la de AlexNet): cada canal se divide entre
    ``(k + alpha · media de x² en los size canales vecinos)^beta``. Entrada (N, C, ...) con al menos
    3 ejes; la ventana va de ``c − size//2`` a ``c + (size−1)//2`` (con ceros fuera).

    Se compone de ``x·x``, una media deslizante por canales y ``pow``: la derivada sale de esas
    piezas. Ejemplo: ``F.local_response_norm(x, size=5, alpha=1e-4, beta=0.75, k=2.0)`` (AlexNet).
    En PyTorch: ``torch.nn.functional.local_response_norm``.
    """
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: se esperaba una entrada de 3 o más ejes (N, C, ...), y tiene "
                         f"{input.ndim} (forma {tuple(input.shape)})")
    if input.numel() == 0:
        return input
    c = input.shape[1]
    sq = (input * input).movedim(1, -1)  # canales al final para rellenar y desplazar por ellos
    zeros = Tensor._wrap(np.zeros(sq.shape[:-1] + (size // 2,), sq._data.dtype))
    tail = Tensor._wrap(np.zeros(sq.shape[:-1] + ((size - 1) // 2,), sq._data.dtype))
    padded = cat([zeros, sq, tail], -1)
    win = padded.narrow(-1, 0, c)
    for i in range(1, size):
        win = win + padded.narrow(-1, i, c)
    # con enteros la media de PyTorch (avg_pool) trunca: división entera
    mean = win // size if win._data.dtype.kind in "iu" else win / size
    div = mean.movedim(-1, 1).mul(alpha).add(k).pow(beta)
    return input / div
