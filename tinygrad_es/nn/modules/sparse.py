"""``Embedding``: una tabla de vectores aprendidos indexada por enteros; ``EmbeddingBag``: la suma, media o
máximo de las filas de cada bolsa de índices."""
from __future__ import annotations

import numpy as np

from ..._validate import number
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ._utils import check_size, factory_dtype

__all__ = ["Embedding", "EmbeddingBag"]



def _table_args(name, num_embeddings, embedding_dim, padding_idx, sparse):
    """Comprueba los argumentos comunes de ``Embedding`` y ``EmbeddingBag`` y devuelve ``padding_idx`` ya
    positivo (o ``None``)."""
    check_size(name, num_embeddings=(num_embeddings, 0), embedding_dim=(embedding_dim, 0))
    if sparse:
        raise NotImplementedError(f"{name}(sparse=True) no está soportado: tinygrad_es usa gradientes densos")
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{name}: padding_idx={padding_idx} debe estar en [-{num_embeddings}, {num_embeddings})")
    return padding_idx % num_embeddings

class Embedding(Module):
    """Tabla de vectores aprendidos indexada por enteros: ``emb(idx)`` son las filas ``weight[idx]`` (una
    palabra, un carácter o una clase → un vector denso). Equivale a ``one_hot(idx) @ weight`` sin
    construir el one-hot; el gradiente de ``weight`` suma en cada fila lo que llega a sus apariciones.

    Args:
        num_embeddings: filas de la tabla (tamaño del vocabulario).
        embedding_dim: longitud de cada vector.
        padding_idx: fila que empieza a cero y no recibe gradiente (relleno de secuencias) (``None``).
        max_norm: si se da, las filas consultadas con norma mayor se reescalan in situ a ``max_norm``
            (``None``).
        norm_type: orden p de la norma de ``max_norm`` (``2.0``).
        scale_grad_by_freq: divide el gradiente de cada fila por su frecuencia en el lote (``False``).
        sparse: gradientes dispersos; no soportado (``True`` da ``NotImplementedError``: aquí son densos).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de la tabla (``float32``).

    Forma: entrada ``(*)`` de índices int64 (o int32) en [0, num_embeddings); salida
    ``(*, embedding_dim)``.

    Atributos: ``weight`` ``(num_embeddings, embedding_dim)`` con N(0, 1), como PyTorch.

    Ejemplo:
        >>> emb = nn.Embedding(10, 3)
        >>> emb(torch.tensor([[1, 2], [4, 9]])).shape
        torch.Size([2, 2, 3])
        >>> nn.Embedding.from_pretrained(torch.tensor([[0., 1.], [2., 3.]]))(torch.tensor([1, 0]))
        tensor([[2., 3.],
                [0., 1.]])

    En PyTorch: ``torch.nn.Embedding``; como función, ``F.embedding``.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__()
        padding_idx = _table_args("Embedding", num_embeddings, embedding_dim, padding_idx, sparse)
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
        """Vuelve a sortear ``weight`` con N(0, 1) (y pone a cero la fila ``padding_idx``)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """Crea un ``Embedding`` con la tabla ``embeddings`` ``(filas, columnas)`` ya entrenada.

        Args:
            embeddings: la tabla (un tensor 2-D).
            freeze: si es ``True`` (por defecto), la tabla no aprende (``requires_grad=False``).
            padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse: como en el constructor.
        """
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


class EmbeddingBag(Module):
    """Una tabla de vectores como ``Embedding`` que devuelve, por cada bolsa de índices, la suma, la media o
    el máximo de sus filas, sin construir la ``(bolsas, longitud, dim)`` intermedia (clasificación de
    textos con bolsas de palabras, fastText). Derivada: la de ``F.embedding_bag``.

    Args:
        num_embeddings: filas de la tabla (tamaño del vocabulario).
        embedding_dim: longitud de cada vector.
        max_norm: si se da, las filas consultadas con norma mayor se reescalan in situ (``None``).
        norm_type: orden p de la norma de ``max_norm`` (``2.0``).
        scale_grad_by_freq: divide el gradiente de cada fila por su frecuencia (``False``).
        mode: ``'sum'``, ``'mean'`` (por defecto) o ``'max'``.
        sparse: gradientes dispersos; no soportado (``True`` da ``NotImplementedError``).
        include_last_offset: ``offsets`` trae al final el fin de la última bolsa (``False``).
        padding_idx: fila que empieza a cero, no recibe gradiente y no cuenta en las bolsas (``None``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de la tabla (``float32``).

    Forma: ``forward(input, offsets=None, per_sample_weights=None)``: ``input`` ``(B, N)`` (cada fila, una
    bolsa) o 1-D con ``offsets`` ``(B,)``; salida ``(B, embedding_dim)``.

    Atributos: ``weight`` ``(num_embeddings, embedding_dim)`` con N(0, 1), como PyTorch.

    Ejemplo:
        >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(torch.tensor([1, 2, 4, 5, 4]), torch.tensor([0, 2])).shape
        torch.Size([2, 3])
        >>> bag
        EmbeddingBag(10, 3, mode='sum')

    En PyTorch: ``torch.nn.EmbeddingBag``; como función, ``F.embedding_bag``.
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        """Véase el docstring de la clase."""
        super().__init__()
        padding_idx = _table_args("EmbeddingBag", num_embeddings, embedding_dim, padding_idx, sparse)
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"EmbeddingBag: mode debe ser 'sum', 'mean' o 'max', no {mode!r}")
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=factory_dtype(device, dtype)))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"EmbeddingBag: _weight debe tener forma ({num_embeddings}, {embedding_dim}), no "
                                 f"{tuple(_weight.shape)}")
            self.weight = Parameter(_weight)

    def reset_parameters(self):
        """Vuelve a sortear ``weight`` con N(0, 1) (y pone a cero la fila ``padding_idx``)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """Crea un ``EmbeddingBag`` con la tabla ``embeddings`` ``(filas, columnas)`` ya entrenada.

        Args:
            embeddings: la tabla (un tensor 2-D).
            freeze: si es ``True`` (por defecto), la tabla no aprende (``requires_grad=False``).
            max_norm, norm_type, scale_grad_by_freq, mode, sparse, include_last_offset, padding_idx: como en el
                constructor.
        """
        if embeddings.ndim != 2:
            raise ValueError(f"EmbeddingBag.from_pretrained: embeddings debe ser 2-D, no de forma "
                             f"{tuple(embeddings.shape)}")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings, include_last_offset,
                  padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag
