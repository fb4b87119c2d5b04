"""``torch.nn.utils``: recorte de gradientes, conversión parámetros ↔ vector, parametrizaciones
(``parametrize``, ``parametrizations``: ``weight_norm``, ``spectral_norm``), poda (``prune``), fusión
conv/lineal + BatchNorm (``fuse_*``), ``skip_init``, ``stateless.functional_call`` y las versiones
antiguas con hooks de ``weight_norm``/``spectral_norm``."""
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import parametrize, parametrizations, prune, rnn, stateless
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .init import skip_init
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

clip_grad_norm = clip_grad_norm_  # nombre antiguo (obsoleto en PyTorch)

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "parameters_to_vector", "vector_to_parameters", "rnn", "parametrize", "parametrizations",
           "weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm", "prune", "stateless",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights",
           "skip_init"]
