"""``Embedding``: una tabla de vectores aprendidos indexada por enteros."""
from __future__ import annotations

import numpy as np

from ..._validate import number
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._utils import check_size, factory_dtype

__all__ = ["Embedding"]


class Embedding(Module):
    """``Embedding(num_embeddings, embedding_dim)``: ``emb(idx)`` son las filas ``weight[idx]``
    (inicializadas con N(0, 1)); ``padding_idx`` es una fila a cero que no aprende."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        check_size("Embedding", num_embeddings=(num_embeddings, 0), embedding_dim=(embedding_dim, 0))
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx={padding_idx} debe estar en [-{num_embeddings}, "
                                 f"{num_embeddings})")
            padding_idx = padding_idx % num_embeddings
        if sparse:
            raise NotImplementedError("Embedding(sparse=True) no está soportado: tinygrad_es usa gradientes densos")
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        if max_norm is not None:
            number(max_norm, "max_norm", "Embedding")
        number(norm_type, "norm_type", "Embedding")
        self.max_norm, self.norm_type, self.scale_grad_by_freq, self.sparse = max_norm, norm_type, scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=factory_dtype(device, dtype)),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight debe tener forma ({num_embeddings}, {embedding_dim}), no "
                                 f"{tuple(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
                   _freeze=freeze)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s
