"""Inicializaciones con estructura de ``nn.init``: identidad (``eye_``), delta de Dirac (``dirac_``),
(semi)ortogonal (``orthogonal_``) y dispersa (``sparse_``)."""
import math

import numpy as np

from ._init_fill import _fill, _rng

__all__ = ["eye_", "dirac_", "orthogonal_", "sparse_"]


def eye_(tensor):
    """Llena un tensor 2-D con la matriz identidad (rectangular si hace falta): una capa lineal así
    inicializada deja pasar su entrada.

    Args:
        tensor: tensor 2-D.

    Ejemplo:
        >>> nn.init.eye_(torch.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])

    En PyTorch: ``torch.nn.init.eye_``.
    """
    if tensor.ndim != 2:
        raise ValueError(f"eye_: sólo para tensores 2-D, no de forma {tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Filtro delta de Dirac (tensores 3, 4 o 5-D): un 1 en el centro del filtro ``(d, d)``, así la
    convolución conserva los canales de entrada.

    Args:
        tensor: pesos de una convolución, ``(C_out, C_in, *k)``.
        groups: grupos de la convolución (``1``); ``C_out`` debe ser divisible por ``groups``.

    Ejemplo:
        >>> nn.init.dirac_(torch.empty(2, 2, 3))[:, :, 1]
        tensor([[1., 0.],
                [0., 1.]])

    En PyTorch: ``torch.nn.init.dirac_``.
    """
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: sólo para tensores 3, 4 o 5-D, no de forma {tuple(tensor.shape)}")
    out_ch = tensor.shape[0]
    if out_ch % groups:
        raise ValueError(f"dirac_: la dimensión 0 ({out_ch}) debe ser divisible por groups ({groups})")
    per = out_ch // groups
    w = np.zeros(tuple(tensor.shape))
    centre = tuple(s // 2 for s in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per, tensor.shape[1])):
            w[(g * per + d, d) + centre] = 1
    return _fill(tensor, w)


def orthogonal_(tensor, gain=1.0, generator=None):
    """Matriz (semi)ortogonal (Saxe et al.) a partir de la descomposición QR de una gaussiana, por ``gain``;
    los tensores de más de 2 ejes se tratan como ``(forma[0], resto)``.

    Args:
        tensor: tensor de 2 o más ejes.
        gain: factor de escala (``1.0``).
        generator: ``torch.Generator`` (``None``: el global).

    Ejemplo:
        >>> q = nn.init.orthogonal_(torch.empty(3, 3))
        >>> torch.allclose(q @ q.T, torch.eye(3), atol=1e-5)
        True

    En PyTorch: ``torch.nn.init.orthogonal_``.
    """
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: sólo para tensores de 2 o más dimensiones, no de forma {tuple(tensor.shape)}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, q.reshape(tuple(tensor.shape)) * gain)


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Matriz dispersa (Martens, 2010): valores de N(0, std²) y, en cada columna, una fracción
    ``sparsity`` de las filas (``ceil(sparsity·filas)``, elegidas al azar) a cero.

    Args:
        tensor: tensor 2-D.
        sparsity: fracción de ceros por columna.
        std: desviación típica de los valores no nulos (``0.01``).
        generator: ``torch.Generator`` (``None``: el global).

    Ejemplo:
        >>> w = nn.init.sparse_(torch.empty(10, 3), sparsity=0.3)
        >>> (w == 0).sum(0)
        tensor([3, 3, 3])

    En PyTorch: ``torch.nn.init.sparse_``.
    """
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: sólo para tensores 2-D, no de forma {tuple(tensor.shape)}")
    rows, cols = tensor.shape
    zeros = math.ceil(sparsity * rows)
    r = _rng(generator)
    w = r.normal(0.0, std, (rows, cols))
    for c in range(cols):
        w[r.permutation(rows)[:zeros], c] = 0
    return _fill(tensor, w)
