"""Las funciones de redes que PyTorch también pone en ``torch.*`` (``torch.conv2d``, ``torch.dropout``,
``torch.batch_norm``...), con **sus** argumentos, que no siempre son los de ``torch.nn.functional``:
``torch.dropout(x, p, train)`` (``train`` obligatorio), ``torch.batch_norm(x, weight, bias, running_mean,
running_var, training, momentum, eps, cudnn_enabled)`` (otro orden), ``torch.embedding(weight, indices)``
(al revés), las pérdidas con ``reduction`` entero (0 ``"none"``, 1 ``"mean"``, 2 ``"sum"``) y, como en
PyTorch 2.13, **sin reducir por defecto** (``torch.kl_div(a, b)`` da la pérdida de cada elemento, no la
media de ``F.kl_div``)... Cada una llama a la de ``F``.
"""
from __future__ import annotations

from ..._tensor.decompositions import svdvals
from ..._tensor.linalg import multi_dot
from ..._tensor.out import write_out
from . import activation as _act, loss as _loss, margin_loss as _margin
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .conv3d import conv3d, conv_transpose3d
from .pooling3d import max_pool3d as _max_pool3d
from .distance import cosine_similarity, pairwise_distance
from .dropout import dropout as _f_dropout, dropout1d as _dropout1d, dropout2d as _dropout2d
from .linear import bilinear
from .padding import pad as _pad
from .normalization import (batch_norm as _batch_norm, group_norm as _group_norm, instance_norm as _instance_norm,
                            layer_norm as _layer_norm, rms_norm)
from .pixelshuffle import pixel_shuffle, pixel_unshuffle
from .pooling import adaptive_avg_pool1d, adaptive_max_pool1d as _adaptive_max_pool1d, avg_pool1d, max_pool1d, max_pool2d
from .sparse import embedding as _embedding
from .ctc_loss import ctc_loss as _ctc_loss
from .distance import pdist
from .dropout import alpha_dropout as _alpha_dropout, feature_alpha_dropout as _feature_alpha_dropout
from .grid_sample import affine_grid, grid_sample as _grid_sample
from .pixelshuffle import channel_shuffle, native_channel_shuffle

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "conv3d", "conv_transpose3d", "max_pool3d", "avg_pool1d", "max_pool1d", "max_pool2d",
           "max_pool1d_with_indices", "adaptive_avg_pool1d", "adaptive_max_pool1d", "pixel_shuffle",
           "pixel_unshuffle", "cosine_similarity", "pairwise_distance", "prelu", "selu", "celu", "threshold",
           "hardshrink", "dropout", "feature_dropout", "layer_norm", "group_norm", "instance_norm", "batch_norm",
           "rms_norm", "embedding", "bilinear", "kl_div", "binary_cross_entropy_with_logits", "hinge_embedding_loss",
           "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss", "cosine_embedding_loss",
           "chain_matmul", "frobenius_norm", "nuclear_norm", "rrelu", "rrelu_", "selu_", "celu_", "threshold_",
           "alpha_dropout", "feature_alpha_dropout", "channel_shuffle", "native_channel_shuffle", "pdist", "ctc_loss",
           "affine_grid_generator"]
__all__ += ["grid_sampler_2d"]
__all__ += ["constant_pad_nd", "native_layer_norm", "native_batch_norm", "native_group_norm"]

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(r):
    if r in _REDUCTIONS.values():
        return r
    if r not in _REDUCTIONS:
        raise RuntimeError(f"reduction debe ser 0 (none), 1 (mean) o 2 (sum), y es {r!r}")
    return _REDUCTIONS[r]


prelu, hardshrink, threshold = _act.prelu, _act.hardshrink, _act.threshold
rrelu_, selu_, celu_, threshold_ = _act.rrelu_, _act.selu_, _act.celu_, _act.threshold_


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """``torch.rrelu`` (sin ``training``: la pendiente media (lower + upper)/2)."""
    return _act.rrelu(input, lower, upper, training)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """``torch.max_pool3d``: el de ``F.max_pool3d`` sin ``return_indices`` (``stride=()`` es ``kernel_size``)."""
    return _max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def alpha_dropout(input, p, train):
    return _alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train):
    return _feature_alpha_dropout(input, p, train)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    """``torch.ctc_loss``: como ``F.ctc_loss`` pero, como en PyTorch 2.13, sin reducir por defecto."""
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction), zero_infinity)


def affine_grid_generator(theta, size, align_corners):
    """``torch.affine_grid_generator`` (la de ``F.affine_grid``)."""
    return affine_grid(theta, size, align_corners)


def selu(input):
    """``torch.selu(x)`` (``F.selu`` sin ``inplace``)."""
    return _act.selu(input)


def celu(input, alpha=1.0):
    """``torch.celu(x, alpha)``."""
    return _act.celu(input, alpha)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """``(salida, índices)`` de ``max_pool1d``."""
    return max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool1d(input, output_size):
    """``(salida, índices)``: ``torch.adaptive_max_pool1d`` siempre devuelve los dos."""
    return _adaptive_max_pool1d(input, output_size, return_indices=True)


def dropout(input, p, train):
    """``torch.dropout(x, p, train)`` (``train`` obligatorio)."""
    return _f_dropout(input, p, train)


def feature_dropout(input, p, train):
    """Dropout de canales enteros (``torch.feature_dropout``): ``dropout2d`` con lote."""
    return _dropout2d(input, p, train) if input.ndim >= 3 else _dropout1d(input, p, train)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return _layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    return _group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    """``torch.instance_norm``: los argumentos en el orden de ATen (pesos antes que estadísticas)."""
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """``torch.batch_norm``: los argumentos en el orden de ATen (pesos antes que estadísticas)."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """``torch.embedding(weight, indices)``: al revés que ``F.embedding``; ``padding_idx=-1`` es «ninguno»."""
    return _embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                             scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def kl_div(input, target, reduction=0, *, log_target=False):
    return _loss.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return _loss.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                                  pos_weight=pos_weight)


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return _margin.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return _margin.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _margin.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0):
    return _margin.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                       reduction=_reduction(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return _margin.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def chain_matmul(*matrices, out=None):
    """El producto de las matrices en orden (``torch.chain_matmul``, la forma antigua de ``linalg.multi_dot``)."""
    if len(matrices) == 1:
        return matrices[0] if out is None else write_out("chain_matmul", out, matrices[0])
    return multi_dot(matrices, out=out)


def frobenius_norm(input, dim=(-2, -1), keepdim=False):
    """√(Σ x²) sobre ``dim`` (``torch.frobenius_norm``)."""
    return (input * input).sum(dim=dim, keepdim=keepdim).sqrt()


def nuclear_norm(input, dim=None, keepdim=False):
    """La suma de los valores singulares de la matriz (``torch.nuclear_norm``; ``dim``: los dos ejes)."""
    if isinstance(dim, bool):  # nuclear_norm(x, keepdim)
        dim, keepdim = None, dim
    x = input if dim is None else input.movedim(tuple(dim), (-2, -1))
    out = svdvals(x).sum(-1)
    if keepdim:
        out = out.unsqueeze(-1).unsqueeze(-1)
        if dim is not None:
            out = out.movedim((-2, -1), tuple(dim))
    return out


_GRID_MODES, _GRID_PADDINGS = ("bilinear", "nearest", "bicubic"), ("zeros", "border", "reflection")


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler_2d``: ``F.grid_sample`` con los modos enteros de ATen (``interpolation_mode``
    0 bilineal, 1 vecino más cercano, 2 bicúbica; ``padding_mode`` 0 ceros, 1 borde, 2 reflejo) y
    ``align_corners`` obligatorio. Derivada: la de ``F.grid_sample``."""
    for v, names, arg in ((interpolation_mode, _GRID_MODES, "interpolation_mode"),
                          (padding_mode, _GRID_PADDINGS, "padding_mode")):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 3:
            raise RuntimeError(f"grid_sampler_2d: {arg} debe ser 0, 1 o 2 ({', '.join(names)}), no {v!r}")
    return _grid_sample(input, grid, _GRID_MODES[interpolation_mode], _GRID_PADDINGS[padding_mode],
                        bool(align_corners))


def constant_pad_nd(input, pad, value=0):
    """``torch.constant_pad_nd``: ``F.pad(input, pad, "constant", value)`` (un ``pad`` negativo recorta).
    Derivada: 1 en los elementos que quedan, 0 en el relleno."""
    return _pad(input, pad, "constant", value)


def _stats(x, dims, eps):
    """Media y ``1/√(varianza sesgada + eps)`` sobre ``dims`` (con los ejes, ``keepdim``), derivables."""
    mean = x.mean(dims, keepdim=True)
    return mean, (((x - mean) ** 2).mean(dims, keepdim=True) + eps).rsqrt()


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """``torch.native_layer_norm``: ``(salida, media, rstd)`` como ATen. La salida es ``F.layer_norm``; la media
    y ``rstd = 1/√(var + eps)`` son las de los últimos ``len(normalized_shape)`` ejes, con forma
    ``input.shape[:-k] + (1,)*k``. Derivada: la de ``F.layer_norm`` (la media y ``rstd`` no llevan gradiente)."""
    out = _layer_norm(input, normalized_shape, weight, bias, eps)
    k = len(normalized_shape) if isinstance(normalized_shape, (tuple, list)) else 1
    mean, rstd = _stats(input.detach(), tuple(range(input.ndim - k, input.ndim)), eps)  # ATen: sin gradiente
    return out, mean, rstd


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """``torch.native_batch_norm``: ``(salida, media, invstd)`` como ATen. La salida es ``F.batch_norm`` (que
    actualiza ``running_mean``/``running_var`` en entrenamiento); con ``training`` la media y
    ``1/√(var sesgada + eps)`` del lote por canal (C,), en evaluación dos tensores vacíos (0,). ``weight``,
    ``bias``, ``momentum`` y ``eps`` como en ``torch.batch_norm``. Derivadas: las de ``F.batch_norm``."""
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("native_batch_norm: en evaluación (training=False) hacen falta running_mean y "
                           "running_var")
    out = _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        empty = input.new_zeros((0,))
        return out, empty, empty.clone()
    mean, invstd = _stats(input.detach(), (0,) + tuple(range(2, input.ndim)), eps)
    return out, mean.reshape(-1), invstd.reshape(-1)


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """``torch.native_group_norm``: ``(salida, media, rstd)`` como ATen; ``N``, ``C`` y ``HxW`` describen la
    forma de ``input`` (lote, canales, píxeles por canal) y ``group`` es el número de grupos. La salida es
    ``F.group_norm``; la media y ``rstd`` son las de cada grupo, con forma (N, group). Derivadas: la de
    ``F.group_norm`` y, como en ATen, también las de la media y ``rstd``."""
    if input.shape[0] != N or (input.ndim > 1 and input.shape[1] != C) or input.numel() != N * C * HxW:
        raise RuntimeError(f"native_group_norm: la entrada de forma {tuple(input.shape)} no es (N={N}, C={C}, "
                           f"HxW={HxW})")
    out = _group_norm(input, group, weight, bias, eps)
    mean, rstd = _stats(input.reshape(N, group, C // group * HxW), (2,), eps)
    return out, mean.reshape(N, group), rstd.reshape(N, group)
