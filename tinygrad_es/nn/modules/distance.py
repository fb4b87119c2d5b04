"""``CosineSimilarity`` y ``PairwiseDistance``."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Coseno del ángulo entre ``x1`` y ``x2`` a lo largo de ``dim``: ``Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps))``.

    Args:
        dim: eje de los vectores (``1``).
        eps: cota inferior de cada norma (``1e-8``).

    Forma: ``x1`` y ``x2`` difundibles entre sí, p. ej. ``(N, D)``; salida sin el eje ``dim``, ``(N,)``.

    Ejemplo:
        >>> nn.CosineSimilarity()(torch.tensor([[1., 0.], [1., 1.]]), torch.tensor([[0., 1.], [2., 2.]]))
        tensor([0.0000, 1.0000])

    En PyTorch: ``torch.nn.CosineSimilarity``; como función, ``F.cosine_similarity``.
    """

    def __init__(self, dim=1, eps=1e-8):
        """Véase el docstring de la clase."""
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)

    def extra_repr(self):
        return f"dim={self.dim}, eps={self.eps}"


class PairwiseDistance(Module):
    """Distancia de orden ``p`` entre las filas de ``x1`` y ``x2``: ``‖x1 − x2 + eps‖_p`` sobre el último eje.

    Args:
        p: orden de la norma (``2.0``).
        eps: se suma a la diferencia, para que la derivada exista con ``x1 = x2`` (``1e-6``).
        keepdim: conserva el último eje con tamaño 1 (``False``).

    Forma: ``(N, D)`` o ``(D,)``; salida ``(N,)`` (``(N, 1)`` con ``keepdim``).

    Ejemplo:
        >>> nn.PairwiseDistance()(torch.tensor([[0., 0.]]), torch.tensor([[3., 4.]]))
        tensor([5.0000])

    En PyTorch: ``torch.nn.PairwiseDistance``; como función, ``F.pairwise_distance``.
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        """Véase el docstring de la clase."""
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
