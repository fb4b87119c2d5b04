"""Dropout de ``torch.nn.functional``: ``dropout`` (elemento a elemento) y ``dropout1d``/``2d``/``3d``
(canales enteros). En entrenamiento anulan con probabilidad ``p`` y escalan el resto por
1/(1 − p); fuera de él son la identidad."""
from __future__ import annotations

import warnings

import numpy as np

from ..._random import default_rng
from ..._tensor import Tensor
from ..._validate import number
from ._utils import as_tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d"]


def _rng(generator):
    if generator is None or isinstance(generator, np.random.Generator):
        return generator if generator is not None else default_rng()
    return default_rng(generator)


def _check_p(p, op):
    number(p, "p (probabilidad)", op, low=0.0, high=1.0)


def _apply_mask(x, mask_shape, p, inplace, generator, op):
    """Anula con probabilidad ``p`` y escala por 1/(1 − p) (la esperanza no cambia).
    ∂/∂x = máscara/(1 − p)."""
    if p == 1:
        keep = np.zeros(mask_shape, dtype=x._data.dtype)
    else:
        keep = (_rng(generator).random(mask_shape) >= p).astype(x._data.dtype) / x._data.dtype.type(1 - p)
    m = Tensor._wrap(keep)
    if inplace:
        return x._inplace(op + "_", lambda s: s * m)
    return x * m


def dropout(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Dropout: en entrenamiento anula cada elemento con probabilidad ``p`` y escala el resto por
    1/(1 − p) (la media no cambia); fuera de él es la identidad. ∂/∂x = máscara/(1 − p).

    Args:
        input: el tensor.
        p: probabilidad de anular (``0.5``).
        training: si es ``False``, devuelve ``input`` tal cual (en un módulo: ``self.training``).
        inplace: si es ``True``, escribe el resultado sobre ``input``.
        generator: (de tinygrad_es) un ``numpy.random.Generator`` o una semilla; sin él, el generador global.

    Ejemplo:
        >>> F.dropout(torch.ones(4), p=0.5, training=False)
        tensor([1., 1., 1., 1.])

    En PyTorch: ``torch.nn.functional.dropout`` (la capa es ``nn.Dropout``).
    """
    x = as_tensor(input, "dropout")
    _check_p(p, "dropout")
    if not training or p == 0:
        return x
    return _apply_mask(x, x.shape, p, inplace, generator, "dropout")


def _channel_dropout(x, p, training, inplace, generator, batched_ndim, op):
    x = as_tensor(x, op)
    _check_p(p, op)
    if x.ndim not in (batched_ndim - 1, batched_ndim):
        raise RuntimeError(f"{op}: se esperaba una entrada {batched_ndim - 1}-D (sin lote) o {batched_ndim}-D "
                           f"(con lote), no de forma {tuple(x.shape)}")
    if not training or p == 0:
        return x
    lead = 2 if x.ndim == batched_ndim else 1  # (N, C) o sólo (C,)
    mask = tuple(x.shape[:lead]) + (1,) * (x.ndim - lead)
    return _apply_mask(x, mask, p, inplace, generator, op)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Anula canales enteros de (N, C, L) o (C, L) con probabilidad ``p`` y escala el resto por 1/(1 − p).

    Args:
        input: el tensor.
        p: probabilidad de anular (``0.5``).
        training: si es ``False``, devuelve ``input`` tal cual (en un módulo: ``self.training``).
        inplace: si es ``True``, escribe el resultado sobre ``input``.

    En PyTorch: ``torch.nn.functional.dropout1d`` (la capa es ``nn.Dropout1d``).
    """
    return _channel_dropout(input, p, training, inplace, None, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Anula canales enteros (mapas de activación completos) de (N, C, H, W) o (C, H, W) con
    probabilidad ``p`` y escala el resto por 1/(1 − p).

    Args:
        input: el tensor.
        p: probabilidad de anular (``0.5``).
        training: si es ``False``, devuelve ``input`` tal cual (en un módulo: ``self.training``).
        inplace: si es ``True``, escribe el resultado sobre ``input``.

    En PyTorch: ``torch.nn.functional.dropout2d`` (la capa es ``nn.Dropout2d``).
    """
    x = as_tensor(input, "dropout2d")
    if x.ndim == 3:
        warnings.warn("dropout2d: una entrada 3-D se trata como (C, H, W) sin lote, como en PyTorch "
                      "(para (N, C, L) usa dropout1d)", UserWarning, stacklevel=2)
    elif x.ndim >= 2 and x.ndim != 4:  # PyTorch avisa y anula por (N, C): con 2-D, elemento a elemento
        warnings.warn(f"dropout2d: recibió una entrada {x.ndim}-D (obsoleto en PyTorch, que la acepta con este "
                      f"aviso); para anular elementos sueltos usa dropout", UserWarning, stacklevel=2)
        _check_p(p, "dropout2d")
        if not training or p == 0:
            return x
        return _apply_mask(x, tuple(x.shape[:2]) + (1,) * (x.ndim - 2), p, inplace, None, "dropout2d")
    return _channel_dropout(x, p, training, inplace, None, 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Anula canales enteros de (N, C, D, H, W) o (C, D, H, W) con probabilidad ``p``.

    Args:
        input: el tensor.
        p: probabilidad de anular (``0.5``).
        training: si es ``False``, devuelve ``input`` tal cual (en un módulo: ``self.training``).
        inplace: si es ``True``, escribe el resultado sobre ``input``.

    En PyTorch: ``torch.nn.functional.dropout3d`` (la capa es ``nn.Dropout3d``).
    """
    return _channel_dropout(input, p, training, inplace, None, 5, "dropout3d")
