"""Funciones de redes neuronales (``import tinygrad_es.nn.functional as F``).

Mismos nombres, argumentos y semántica que ``torch.nn.functional``, repartidas por tema como las
capas de ``nn/modules/`` (``modules/conv.py`` ↔ ``functional/conv.py`` ↔ ``ops/conv.py``):

====================  ==============================================================================
fichero               funciones
====================  ==============================================================================
linear.py             linear bilinear flatten unflatten
conv.py               conv1d conv2d conv_transpose1d conv_transpose2d
conv3d.py             conv3d conv_transpose3d (volúmenes: se despliegan en una conv2d)
grad.py               conv1d/2d/3d_input conv1d/2d/3d_weight (``torch.nn.grad``, ``F.grad``)
fold.py               unfold fold (im2col y col2im)
grid_sample.py        affine_grid grid_sample (2-D)
pooling.py            max_pool1d/2d avg_pool1d/2d max_unpool1d/2d adaptive_avg/max_pool1d/2d (+ *_with_indices)
pooling3d.py          max_pool3d avg_pool3d max_unpool3d adaptive_avg/max_pool3d (+ *_with_indices)
lp_pool.py            lp_pool1d lp_pool2d lp_pool3d
fractional_pool.py    fractional_max_pool2d/3d (+ *_with_indices): ventanas de paso pseudoaleatorio
upsampling.py         interpolate upsample upsample_nearest upsample_bilinear
padding.py            pad
pixelshuffle.py       pixel_shuffle pixel_unshuffle channel_shuffle native_channel_shuffle
activation.py         relu sigmoid tanh softmax log_softmax gelu silu elu… (y sus variantes in situ)
dropout.py            dropout dropout1d dropout2d dropout3d
normalization.py      batch_norm layer_norm group_norm instance_norm normalize rms_norm local_response_norm
attention.py          scaled_dot_product_attention multi_head_attention_forward
rnn.py                (sin equivalente en F) las celdas rnn_tanh_cell lstm_cell gru_cell y la pila rnn_layers
distance.py           cosine_similarity pairwise_distance pdist
sparse.py             embedding embedding_bag one_hot
loss.py               cross_entropy nll_loss binary_cross_entropy(_with_logits) kl_div
linear_cross_entropy.py  linear_cross_entropy (cross_entropy de una lineal; nn.LinearCrossEntropyOptions)
regression_loss.py    mse_loss l1_loss smooth_l1_loss huber_loss l1_penalty l2_penalty
ctc_loss.py           ctc_loss
margin_loss.py        soft_margin margin_ranking hinge_embedding cosine_embedding triplet_margin… poisson/gaussian_nll
multi_margin_loss.py  multi_margin_loss multilabel_margin_loss
====================  ==============================================================================

Cada función comprueba sus argumentos (errores de PyTorch en castellano) y llama a la
``ArrayFunction`` de ``ops/``; ``_utils.py`` tiene las comprobaciones comunes.
"""
from __future__ import annotations

from ..._tensor import Tensor  # noqa: F401  (también torch.nn.functional.Tensor)
from ..._tensor.joins import where
from .activation import (celu, celu_, elu, elu_, gumbel_softmax, hardtanh_, rrelu, rrelu_, selu_, threshold_, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leaky_relu, leaky_relu_,
                         log_softmax, logsigmoid, mish, prelu, relu, relu6, relu_, selu, sigmoid, silu, softmax,
                         softmin, softplus, softshrink, softsign, tanh, tanhshrink, threshold)
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .conv3d import conv3d, conv_transpose3d
from . import grad
from .distance import cosine_similarity, pairwise_distance, pdist
from .dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout
from .ctc_loss import ctc_loss
from .fold import fold, unfold
from .grid_sample import affine_grid, grid_sample
from .margin_loss import (cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss, margin_ranking_loss,
                          multilabel_soft_margin_loss, poisson_nll_loss, soft_margin_loss, triplet_margin_loss,
                          triplet_margin_with_distance_loss)
from .multi_margin_loss import multi_margin_loss, multilabel_margin_loss
from .linear import bilinear, flatten, linear, unflatten
from .linear_cross_entropy import linear_cross_entropy
from .loss import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, kl_div, nll_loss
from .regression_loss import huber_loss, l1_loss, l1_penalty, l2_penalty, mse_loss, smooth_l1_loss
from .attention import multi_head_attention_forward, scaled_dot_product_attention
from .normalization import (batch_norm, group_norm, instance_norm, layer_norm, local_response_norm, normalize,
                            rms_norm)
from .padding import pad
from .pixelshuffle import channel_shuffle, native_channel_shuffle, pixel_shuffle, pixel_unshuffle
from .lp_pool import lp_pool1d, lp_pool2d, lp_pool3d
from .fractional_pool import (fractional_max_pool2d, fractional_max_pool2d_with_indices, fractional_max_pool3d,
                              fractional_max_pool3d_with_indices)
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool1d_with_indices,
                      adaptive_max_pool2d, adaptive_max_pool2d_with_indices, avg_pool1d, avg_pool2d, max_pool1d,
                      max_pool1d_with_indices, max_pool2d, max_pool2d_with_indices, max_unpool1d, max_unpool2d)
from .pooling3d import (adaptive_avg_pool3d, adaptive_max_pool3d, adaptive_max_pool3d_with_indices, avg_pool3d,
                        max_pool3d, max_pool3d_with_indices, max_unpool3d)
from .sparse import embedding, embedding_bag, one_hot
from .upsampling import interpolate, upsample, upsample_nearest, upsample_bilinear

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "max_unpool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "flatten", "unflatten", "pad", "relu", "relu_", "leaky_relu", "leaky_relu_", "sigmoid", "tanh", "softmax",
           "log_softmax", "softmin", "gelu", "silu", "elu", "celu", "selu", "softplus", "softsign", "mish",
           "hardsigmoid", "hardswish", "hardtanh", "relu6", "logsigmoid", "prelu", "glu", "tanhshrink", "softshrink",
           "hardshrink", "threshold", "dropout", "dropout1d", "dropout2d", "dropout3d", "batch_norm", "layer_norm",
           "group_norm", "instance_norm", "normalize", "embedding", "one_hot", "cosine_similarity",
           "pairwise_distance", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "l1_penalty", "l2_penalty", "where",
           "scaled_dot_product_attention", "multi_head_attention_forward", "rms_norm", "unfold", "fold", "local_response_norm", "soft_margin_loss",
           "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "multilabel_soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss", "conv_transpose1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d", "pixel_shuffle", "pixel_unshuffle"]
__all__ += ["max_unpool1d", "max_pool1d_with_indices", "max_pool2d_with_indices", "adaptive_max_pool1d_with_indices",
            "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d"]
__all__ += ["elu_", "celu_", "selu_", "hardtanh_", "threshold_", "rrelu", "rrelu_"]
__all__ += ["alpha_dropout", "feature_alpha_dropout"]
__all__ += ["channel_shuffle", "native_channel_shuffle"]
__all__ += ["pdist", "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss"]
__all__ += ["gumbel_softmax"]
__all__ += ["embedding_bag"]
__all__ += ["affine_grid", "grid_sample"]
__all__ += ["ctc_loss"]
__all__ += ["conv3d", "conv_transpose3d", "max_pool3d", "avg_pool3d", "max_unpool3d", "adaptive_avg_pool3d",
            "adaptive_max_pool3d", "max_pool3d_with_indices", "adaptive_max_pool3d_with_indices", "lp_pool3d"]
__all__ += ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
            "fractional_max_pool3d_with_indices"]
__all__ += ["linear_cross_entropy"]
