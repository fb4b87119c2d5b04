"""Distancias de ``torch.nn.functional``: ``cosine_similarity``, ``pairwise_distance`` y ``pdist``."""
from __future__ import annotations

import numpy as np

from ..._tensor.linalg import vector_norm
from ...autograd import no_grad
from ._utils import as_tensor

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``Σ x1·x2 / (‖x1‖·‖x2‖)`` a lo largo de ``dim`` (cada norma acotada abajo por ``eps``, como PyTorch:
    se normaliza antes de multiplicar, así el resultado queda en [−1, 1]). La capa es
    ``nn.CosineSimilarity``.

    Args:
        x1, x2: tensores difundibles entre sí.
        dim: eje de los vectores (``1``).
        eps: cota inferior de cada norma (``1e-8``).

    Ejemplo:
        >>> F.cosine_similarity(torch.tensor([[1., 0.]]), torch.tensor([[1., 1.]]))
        tensor([0.7071])

    En PyTorch: ``torch.nn.functional.cosine_similarity``.
    """
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
    """``‖x1 − x2 + eps‖_p`` sobre el último eje (la capa es ``nn.PairwiseDistance``).

    Args:
        x1, x2: ``(N, D)`` o ``(D,)``.
        p: orden de la norma (``2.0``).
        eps: se suma a la diferencia (``1e-6``).
        keepdim: conserva el último eje (``False``).

    Ejemplo:
        >>> F.pairwise_distance(torch.tensor([[0., 0.]]), torch.tensor([[3., 4.]]), p=1)
        tensor([7.0000])

    En PyTorch: ``torch.nn.functional.pairwise_distance``.
    """
    d = as_tensor(x1, "pairwise_distance", "x1") - as_tensor(x2, "pairwise_distance", "x2") + eps
    if p == 2:
        return vector_norm(d, 2, -1, keepdim=keepdim)
    return (d.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


def pdist(input, p=2):
    """Las distancias de orden ``p`` entre cada par de filas de ``input`` ``(N, M)``: ``‖x_i − x_j‖_p`` para
    ``i < j``, en el orden de la triangular superior fila a fila (``N·(N − 1)/2`` valores). Derivada:
    la de ``vector_norm`` sobre ``x_i − x_j`` (``(x_i − x_j)/d`` con ``p = 2``; 0 donde ``d = 0``).

    Args:
        input: ``(N, M)``.
        p: orden de la norma, ≥ 0 (``2``; también ``0`` y ``float('inf')``).

    Ejemplo:
        >>> F.pdist(torch.tensor([[0., 0.], [3., 4.], [6., 8.]]))
        tensor([ 5., 10.,  5.])

    En PyTorch: ``torch.nn.functional.pdist``.
    """
    x = as_tensor(input, "pdist")
    if x.ndim != 2:
        raise RuntimeError(f"pdist: sólo admite tensores 2-D (N, M), no {x.ndim}-D de forma {tuple(x.shape)}")
    if p < 0:
        raise RuntimeError(f"pdist: p debe ser ≥ 0, no {p}")
    i, j = np.triu_indices(x.shape[0], 1)
    d = x[i] - x[j]
    if p == 0:  # el número de coordenadas distintas: gradiente 0 (no None), como PyTorch
        return vector_norm(d, 0, -1) + (d * 0).sum(-1)
    return vector_norm(d, p, -1)
