"""Normalizaciones, incrustaciones y distancias de ``torch.nn.functional``: ``batch_norm``,
``layer_norm``, ``group_norm``, ``normalize``, ``embedding``, ``one_hot``, ``cosine_similarity``,
``pairwise_distance``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd import Function, no_grad
from ._f_loss import int_labels
from ._f_util import as_tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "normalize", "embedding", "one_hot",
           "cosine_similarity", "pairwise_distance", "vector_norm"]


def _stats_inplace(buf, new, momentum):
    """``buf ← (1 − m)·buf + m·new`` in situ (los buffers de BatchNorm), avanzando su versión."""
    arr = buf._data if isinstance(buf, Tensor) else buf
    arr *= (1 - momentum)
    arr += momentum * new.astype(arr.dtype, copy=False)
    if isinstance(buf, Tensor):
        buf._version.value += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalización por lotes sobre el eje de canales (1): ``(x − μ)/√(σ² + ε)·γ + β``.

    En entrenamiento usa la media y la varianza sesgada del lote y actualiza in situ las
    estadísticas acumuladas con la varianza insesgada (como PyTorch); en evaluación usa las
    acumuladas. El gradiente sale de componer media, varianza y división.
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: se esperaba una entrada (N, C, ...), no forma {tuple(x.shape)}")
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
    x = as_tensor(input)
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
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normaliza por grupos de canales (cada muestra y grupo por separado) y aplica γ, β por canal."""
    x = as_tensor(input)
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
    x = as_tensor(input)
    return group_norm(x, x.shape[1], weight, bias, eps)


class _VectorNorm(Function):
    """‖x‖₂ sobre ``dim``: √Σx². ∂/∂x = x/‖x‖ (0 si ‖x‖ = 0, como el subgradiente de PyTorch)."""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        n = np.sqrt((x * x).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(x, n)
        ctx.keepdim, ctx.dim = keepdim, dim
        return n if keepdim else np.squeeze(n, axis=dim)

    @staticmethod
    def backward(ctx, g):
        x, n = ctx.saved_tensors
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dim)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * np.where(n > 0, x / n, 0)


def vector_norm(x, dim, keepdim=False):
    x = as_tensor(x)
    return _VectorNorm.apply(x, dim=x._dim(dim), keepdim=keepdim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``x / max(‖x‖_p, ε)`` a lo largo de ``dim``."""
    if out is not None:
        raise NotImplementedError("normalize(out=...) no está soportado")
    x = as_tensor(input)
    if p == 2:
        n = vector_norm(x, dim, keepdim=True)
    else:
        n = (x.abs() ** p).sum(dim, keepdim=True) ** (1.0 / p)
    return x / n.clamp(min=eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``Σ x1·x2 / (‖x1‖·‖x2‖)`` a lo largo de ``dim`` (cada norma acotada abajo por ``eps``, como
    PyTorch: se normaliza antes de multiplicar, así el resultado queda en [−1, 1])."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(f"cosine_similarity: formas incompatibles {tuple(x1.shape)} y {tuple(x2.shape)}") from None
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1, n2 = vector_norm(x1, dim, keepdim=True).clone(), vector_norm(x2, dim, keepdim=True).clone()
    with no_grad():  # como PyTorch: la cota no corta el gradiente
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``‖x1 − x2 + ε‖_p`` sobre el último eje."""
    d = as_tensor(x1) - as_tensor(x2) + eps
    if p == 2:
        return vector_norm(d, -1, keepdim=keepdim)
    return (d.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


class _Embedding(Function):
    """``weight[idx]``: ∂/∂weight acumula el gradiente de cada aparición en su fila (0 en
    ``padding_idx``; dividido por su frecuencia con ``scale_grad_by_freq``)."""

    @staticmethod
    def forward(ctx, w, idx=None, padding_idx=None, scale=False):
        ctx.save_for_backward(idx)
        ctx.rows, ctx.padding_idx, ctx.scale = w.shape[0], padding_idx, scale
        return w[idx]

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        flat = idx.reshape(-1)
        gw = np.zeros((ctx.rows,) + g.shape[idx.ndim:], dtype=g.dtype)
        gg = g.reshape((flat.size,) + g.shape[idx.ndim:])
        if ctx.scale:
            counts = np.bincount(flat, minlength=ctx.rows)
            gg = gg / counts[flat].reshape((-1,) + (1,) * (gg.ndim - 1))
        np.add.at(gw, flat, gg)
        if ctx.padding_idx is not None:
            gw[ctx.padding_idx] = 0
        return gw


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Busca las filas ``weight[input]`` (índices enteros de cualquier forma)."""
    idx = int_labels(input, "embedding")
    rows = weight.shape[0]
    if idx.size and (idx.min() < -rows or idx.max() >= rows):
        bad = idx[(idx < 0) | (idx >= rows)][:5].tolist()
        raise IndexError(f"embedding: índices fuera de rango {bad}; la tabla tiene {rows} filas (0 a {rows - 1})")
    idx = np.where(idx < 0, idx + rows, idx)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    if max_norm is not None:  # renormaliza in situ (sin gradiente) las filas usadas, como PyTorch
        w = weight._data
        used = np.unique(idx)
        norms = np.linalg.norm(w[used], ord=norm_type, axis=1)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        w[used] *= scale[:, None].astype(w.dtype)
        weight._version.value += 1
    return _Embedding.apply(weight, idx=idx, padding_idx=padding_idx, scale=scale_grad_by_freq)


def one_hot(tensor, num_classes: int = -1, dtype=None) -> Tensor:
    """Codificación one-hot: ``(...,)`` → ``(..., num_classes)``, int64 como en PyTorch (usa
    ``.float()`` para sumarla a pérdidas); ``num_classes=-1`` usa max+1."""
    t = int_labels(tensor, "one_hot")
    if t.size and t.min() < 0:
        raise ValueError(f"one_hot: las clases deben ser no negativas; hay {int(t.min())} "
                         f"en la posición {int(np.argmin(t.reshape(-1)))}")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and t.max() >= num_classes:
        raise ValueError(f"one_hot: la clase {int(t.max())} no es menor que num_classes={num_classes} "
                         f"(las clases van de 0 a {num_classes - 1})")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64 if dtype is None else np.dtype(dtype))
    np.put_along_axis(out, t[..., None], 1, axis=-1)
    return Tensor._wrap(out)
