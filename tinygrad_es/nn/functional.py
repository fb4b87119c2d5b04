"""Funciones de redes neuronales (``import tinygrad_es.nn.functional as F``).

Mismos nombres y semántica que ``torch.nn.functional`` donde existen.
"""
from __future__ import annotations

import numpy as np

from ..kernels import conv_output_size
from ..ops import nn as _nn
from ..ops.nn import pair
from .._tensor import Tensor
from .._random import default_rng
from .._functions import where

__all__ = ["linear", "conv2d", "conv1d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "relu",
           "leaky_relu", "sigmoid", "tanh", "softmax", "log_softmax", "dropout", "batch_norm", "flatten",
           "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "l1_penalty", "l2_penalty", "one_hot", "where"]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _check_rank(x: Tensor, ranks, op: str, layout: str):
    if x.ndim not in ranks:
        raise ValueError(f"{op}: se esperaba una entrada {layout} ({' o '.join(f'{r}-D' for r in ranks)}), "
                         f"pero tiene forma {x.shape}")


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


def flatten(x, start_dim=1, end_dim=-1) -> Tensor:
    return _t(x).flatten(start_dim, end_dim)


# ---- activaciones --------------------------------------------------------------------------
def relu(x):
    return _t(x).relu()


def leaky_relu(x, negative_slope=0.01):
    return _t(x).leaky_relu(negative_slope)


def sigmoid(x):
    return _t(x).sigmoid()


def tanh(x):
    return _t(x).tanh()


def softmax(x, dim=-1):
    return _t(x).softmax(axis=dim)


def log_softmax(x, dim=-1):
    return _t(x).log_softmax(axis=dim)


def dropout(x, p=0.5, training=True, rng=None) -> Tensor:
    """Dropout invertido: en entrenamiento anula con probabilidad ``p`` y escala por
    1/(1−p), de modo que la esperanza no cambia; fuera de él es la identidad."""
    x = _t(x)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p debe estar en [0, 1], no {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    r = rng if rng is not None else default_rng()
    keep = (r.random(x.shape) >= p).astype(x.dtype) / x.dtype.type(1 - p)
    return x * Tensor._wrap(keep, False)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5) -> Tensor:
    """Normalización por lotes sobre el eje de canales (1). En entrenamiento usa la media y
    la varianza sesgada del lote y actualiza (in situ) las estadísticas acumuladas con la
    varianza insesgada, como PyTorch; en evaluación usa las acumuladas."""
    x = _t(x)
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        n = x.numel() // x.shape[1]
        if n <= 1:
            raise ValueError(f"batch_norm: se necesita más de un valor por canal en entrenamiento "
                             f"(entrada de forma {x.shape})")
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axis=axes, keepdims=True)
        if running_mean is not None:
            running_mean *= (1 - momentum)
            running_mean += momentum * mean._data.reshape(-1)
            running_var *= (1 - momentum)
            running_var += momentum * var._data.reshape(-1) * (n / (n - 1))
        xhat = centered / (var + eps).sqrt()
    else:
        rm = Tensor._wrap(running_mean.reshape(shape).astype(x.dtype), False)
        rv = Tensor._wrap(running_var.reshape(shape).astype(x.dtype), False)
        xhat = (x - rm) / (rv + eps).sqrt()
    if weight is not None:
        xhat = xhat * weight.reshape(shape)
    if bias is not None:
        xhat = xhat + bias.reshape(shape)
    return xhat


# ---- pérdidas --------------------------------------------------------------------------------
def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction debe ser 'mean', 'sum' o 'none', no {reduction!r}")


def _same_shape(a: Tensor, b: Tensor, op: str):
    if a.shape != b.shape:
        raise ValueError(f"{op}: la predicción tiene forma {a.shape} y el objetivo {b.shape}; deben coincidir")


def mse_loss(input, target, reduction="mean") -> Tensor:
    """Error cuadrático medio: media de (input − target)²."""
    input, target = _t(input), _t(target)
    _same_shape(input, target, "mse_loss")
    d = input - target
    return _reduce(d * d, reduction)


def _int_labels(labels, op):
    """Etiquetas como array int64; texto u objetos → TypeError claro (no 'invalid literal for int')."""
    t = labels._data if isinstance(labels, Tensor) else np.asarray(labels)
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{op}: las etiquetas deben ser índices de clase enteros, no {t.dtype} "
                        f"(p. ej. {t.reshape(-1)[:3].tolist()}); convierte el texto en índices con "
                        f"np.unique(y, return_inverse=True)")
    if t.dtype.kind == "f":
        frac = t[t != np.round(t)]
        if frac.size:
            raise ValueError(f"{op}: las etiquetas deben ser enteras, no {frac[:3].tolist()}")
    return t.astype(np.int64)


def _class_indices(target, n, c, op):
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "biuf":
        _int_labels(t, op)
    if t.ndim != 1 or t.shape[0] != n:
        raise ValueError(f"{op}: los índices de clase deben tener forma ({n},), no {t.shape}")
    if t.dtype.kind == "f":
        if not np.all(t == np.round(t)):
            raise ValueError(f"{op}: los índices de clase deben ser enteros")
    t = t.astype(np.int64)
    bad = (t != -100) & ((t < 0) | (t >= c))
    if np.any(bad):
        raise ValueError(f"{op}: índice de clase fuera de rango [0, {c}): {t[bad][:5].tolist()}")
    return t


def cross_entropy(input, target, reduction="mean", label_smoothing=0.0) -> Tensor:
    """Entropía cruzada desde **logits** (N, C).

    ``target``: índices de clase (N,) o probabilidades / one-hot (N, C). Estable
    numéricamente (log-sum-exp). Con índices, ``-100`` se ignora, como en PyTorch.
    """
    input = _t(input)
    if input.ndim != 2:
        raise ValueError(f"cross_entropy: se esperaban logits (N, C), no forma {input.shape}")
    n, c = input.shape
    tarr = target._data if isinstance(target, Tensor) else np.asarray(target)
    if tarr.ndim == 2:
        tt = target if isinstance(target, Tensor) else Tensor(tarr, dtype=input.dtype)
        _same_shape(input, tt, "cross_entropy")
        if label_smoothing:
            tt = tt * (1 - label_smoothing) + label_smoothing / c
        return _reduce(-(tt * input.log_softmax(axis=1)).sum(axis=1), reduction)
    t = _class_indices(tarr, n, c, "cross_entropy")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction debe ser 'mean', 'sum' o 'none', no {reduction!r}")
    if label_smoothing:
        oh = np.zeros((n, c), dtype=input.dtype)
        oh[np.arange(n), t] = 1
        return cross_entropy(input, oh, reduction, label_smoothing)
    return _nn.CrossEntropyIdx.apply(input, target=t, reduction=reduction)


def nll_loss(input, target, reduction="mean") -> Tensor:
    """Log-verosimilitud negativa sobre log-probabilidades (N, C) e índices (N,)."""
    input = _t(input)
    if input.ndim != 2:
        raise ValueError(f"nll_loss: se esperaban log-probabilidades (N, C), no forma {input.shape}")
    n, c = input.shape
    t = _class_indices(target, n, c, "nll_loss")
    valid = t != -100
    picked = -input[np.arange(n)[valid], t[valid]]
    if reduction == "mean":
        return picked.sum() / max(int(valid.sum()), 1)
    return _reduce(picked, reduction)


def binary_cross_entropy(input, target, reduction="mean") -> Tensor:
    """BCE sobre probabilidades en [0, 1]; los logaritmos se acotan en −100 como en PyTorch."""
    input, target = _t(input), _t(target)
    _same_shape(input, target, "binary_cross_entropy")
    if np.any((input._data < 0) | (input._data > 1)):
        raise ValueError("binary_cross_entropy: la entrada debe ser una probabilidad en [0, 1]; "
                         "para logits usa binary_cross_entropy_with_logits")
    logp = input.log().clip(min=-100.0)
    log1mp = (1 - input).log().clip(min=-100.0)
    return _reduce(-(target * logp + (1 - target) * log1mp), reduction)


def binary_cross_entropy_with_logits(input, target, reduction="mean") -> Tensor:
    """BCE desde logits, estable: max(x, 0) − x·t + log(1 + e^(−|x|))."""
    input, target = _t(input), _t(target)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    loss = input.relu() - input * target + ((-input.abs()).exp() + 1).log()
    return _reduce(loss, reduction)


def one_hot(labels, num_classes: int = -1, dtype=np.float32) -> np.ndarray:
    """Codificación one-hot: ``(...,)`` → ``(..., num_classes)``; ``num_classes=-1`` usa max+1."""
    t = _int_labels(labels, "one_hot")
    if t.size and t.min() < 0:
        raise ValueError(f"one_hot: las clases deben ser no negativas; hay {int(t.min())} "
                         f"en la posición {int(np.argmin(t.reshape(-1)))}")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and t.max() >= num_classes:
        raise ValueError(f"one_hot: la clase {int(t.max())} no es menor que num_classes={num_classes} "
                         f"(las clases van de 0 a {num_classes - 1})")
    out = np.zeros(t.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, t[..., None], 1, axis=-1)
    return out


def _weights(params):
    return [p for p in params if isinstance(p, Tensor)]


def l1_penalty(params, lam: float) -> Tensor:
    """Término L1 de los apuntes: λ · Σ |w| (súmalo a la pérdida)."""
    ps = _weights(params)
    return sum((p.abs().sum() for p in ps[1:]), ps[0].abs().sum()) * lam


def l2_penalty(params, lam: float) -> Tensor:
    """Término L2 (weight decay) de los apuntes: λ · Σ w² (súmalo a la pérdida)."""
    ps = _weights(params)
    return sum(((p * p).sum() for p in ps[1:]), (ps[0] * ps[0]).sum()) * lam

