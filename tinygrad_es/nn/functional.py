"""Funciones de redes neuronales (``import tinygrad_es.nn.functional as F``).

Mismos nombres, argumentos y semántica que ``torch.nn.functional``. Están repartidas por tema:
``_f_conv`` (lineal, convolución, pooling, relleno), ``_f_activation`` (activaciones y dropout),
``_f_norm`` (normalizaciones, incrustaciones, distancias) y ``_f_loss`` (pérdidas).
"""
from __future__ import annotations

from .._functions import where
from .._tensor import Tensor
from ._f_attention import multi_head_attention_forward, rms_norm, scaled_dot_product_attention
from ._f_activation import (celu, dropout, dropout1d, dropout2d, dropout3d, elu, gelu, glu, hardshrink, hardsigmoid,
                            hardswish, hardtanh, leaky_relu, leaky_relu_, log_softmax, logsigmoid, mish, prelu, relu,
                            relu6, relu_, selu, sigmoid, silu, softmax, softmin, softplus, softshrink, softsign, tanh,
                            tanhshrink, threshold)
from ._f_conv import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d, bilinear, conv1d, conv2d,
                      conv_transpose2d, flatten, interpolate, linear, max_pool1d, max_pool2d, max_unpool2d, pad,
                      unflatten, upsample)
from ._f_loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, kl_div,
                      l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from ._f_norm import (batch_norm, cosine_similarity, embedding, group_norm, instance_norm, layer_norm, normalize,
                      one_hot, pairwise_distance)

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "max_unpool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "upsample",
           "flatten", "unflatten", "pad", "relu", "relu_", "leaky_relu", "leaky_relu_", "sigmoid", "tanh", "softmax",
           "log_softmax", "softmin", "gelu", "silu", "elu", "celu", "selu", "softplus", "softsign", "mish",
           "hardsigmoid", "hardswish", "hardtanh", "relu6", "logsigmoid", "prelu", "glu", "tanhshrink", "softshrink",
           "hardshrink", "threshold", "dropout", "dropout1d", "dropout2d", "dropout3d", "batch_norm", "layer_norm",
           "group_norm", "instance_norm", "normalize", "embedding", "one_hot", "cosine_similarity",
           "pairwise_distance", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "l1_penalty", "l2_penalty", "where"]
__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward", "rms_norm"]


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

