"""Parámetros ↔ un solo vector (``parameters_to_vector``, ``vector_to_parameters``)."""
from __future__ import annotations

from ..._tensor import Tensor
from ..._tensor.joins import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters) -> Tensor:
    """Todos los parámetros aplanados y concatenados en un vector (conserva el grafo: es derivable).

    Args:
        parameters: iterable de tensores (``model.parameters()``).

    Forma: salida ``(Σ numel,)``.

    Ejemplo:
        >>> nn.utils.parameters_to_vector(nn.Linear(2, 1).parameters()).shape
        torch.Size([3])

    En PyTorch: ``torch.nn.utils.parameters_to_vector``.
    """
    params = list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: la lista de parámetros está vacía")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters) -> None:
    """Copia los trozos consecutivos de ``vec`` en los parámetros, en orden (in situ, sin gradiente): la
    inversa de ``parameters_to_vector``.

    Args:
        vec: tensor 1-D con tantos elementos como los parámetros juntos.
        parameters: iterable de tensores.

    Ejemplo:
        >>> capa = nn.Linear(2, 1)
        >>> nn.utils.vector_to_parameters(torch.tensor([1., 2., 3.]), capa.parameters())
        >>> capa.weight.tolist(), capa.bias.tolist()
        ([[1.0, 2.0]], [3.0])

    En PyTorch: ``torch.nn.utils.vector_to_parameters``.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: se esperaba un Tensor, no {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec debe ser 1-D, no de forma {tuple(vec.shape)}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if total != vec.numel():
        raise ValueError(f"vector_to_parameters: el vector tiene {vec.numel()} elementos y los parámetros {total}")
    src, pos = vec._data, 0
    for p in params:
        n = p.numel()
        p._data[...] = src[pos:pos + n].reshape(p._data.shape)
        p._vc.value += 1
        pos += n
