"""Distancias de ``torch.nn.functional``: ``cosine_similarity`` y ``pairwise_distance``."""
from __future__ import annotations

import numpy as np

from ..._tensor.linalg import vector_norm
from ...autograd import no_grad
from ._utils import as_tensor

__all__ = ["cosine_similarity", "pairwise_distance"]


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``Σ x1·x2 / (‖x1‖·‖x2‖)`` a lo largo de ``dim`` (cada norma acotada abajo por ``eps``, como
    PyTorch: se normaliza antes de multiplicar, así el resultado queda en [−1, 1])."""
    x1, x2 = as_tensor(x1, "cosine_similarity", "x1"), as_tensor(x2, "cosine_similarity", "x2")
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(f"cosine_similarity: formas incompatibles {tuple(x1.shape)} y {tuple(x2.shape)}") from None
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1, n2 = vector_norm(x1, 2, dim, keepdim=True).clone(), vector_norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():  # como PyTorch: la cota no corta el gradiente
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``‖x1 − x2 + ε‖_p`` sobre el último eje."""
    d = as_tensor(x1, "pairwise_distance", "x1") - as_tensor(x2, "pairwise_distance", "x2") + eps
    if p == 2:
        return vector_norm(d, 2, -1, keepdim=keepdim)
    return (d.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)
