"""``torch.nn.utils``: recorte de gradientes y conversión parámetros ↔ vector."""
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import rnn

clip_grad_norm = clip_grad_norm_  # nombre antiguo (obsoleto en PyTorch)

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "parameters_to_vector", "vector_to_parameters", "rnn"]
