"""Dropout de ``torch.nn.functional``: ``dropout`` (elemento a elemento), ``dropout1d``/``2d``/``3d``
(canales enteros) y los de las redes SELU, ``alpha_dropout`` y ``feature_alpha_dropout``. En entrenamiento anulan con probabilidad ``p`` y escalan el resto por
1/(1 − p); fuera de él son la identidad."""
from __future__ import annotations

import warnings

import numpy as np

from ..._random import default_rng
from ..._tensor import Tensor
from ..._validate import number
from ._utils import as_tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


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


# −λ·α de SELU: el valor al que satura una SELU; alpha_dropout pone ahí lo que anula
_SELU_SAT = 1.7580993408473766


def _alpha(x, mask_shape, p, training, inplace, generator, op):
    x = as_tensor(x, op)
    _check_p(p, op)
    if not training or p == 0:
        return x
    if p == 1:
        return x._inplace(op + "_", lambda s: s * 0) if inplace else x * 0
    keep = (_rng(generator).random(mask_shape) >= p).astype(x._data.dtype)
    a = 1.0 / np.sqrt((_SELU_SAT ** 2 * p + 1) * (1 - p))
    scale = Tensor._wrap((keep * a).astype(x._data.dtype))
    shift = Tensor._wrap(((keep - 1) * _SELU_SAT * a + _SELU_SAT * a * p).astype(x._data.dtype))
    if inplace:
        return x._inplace(op + "_", lambda s: s * scale + shift)
    return x * scale + shift


def alpha_dropout(input, p=0.5, training=False, inplace=False, *, generator=None):
    """Alpha dropout (Klambauer et al., 2017), el de las redes SELU: en entrenamiento pone cada elemento
    anulado (probabilidad ``p``) en el valor de saturación de SELU, ``−λα ≈ −1,7581``, y aplica después
    ``a·x + b`` para que la media y la varianza (0 y 1) no cambien; fuera de él es la identidad.
    Derivada: ``a`` donde se conserva, 0 donde se anula, con ``a = ((1 − p)(1 + p·λ²α²))^(−1/2)``.

    Args:
        input: el tensor, cualquier forma.
        p: probabilidad de anular (``0.5``).
        training: si es ``False`` (por defecto, como en PyTorch), devuelve ``input`` tal cual.
        inplace: si es ``True``, escribe el resultado sobre ``input``.
        generator: (de tinygrad_es) un ``numpy.random.Generator`` o un ``torch.Generator``; sin él, el global.

    Ejemplo:
        >>> F.alpha_dropout(torch.ones(3), 0.5, training=False)
        tensor([1., 1., 1.])

    En PyTorch: ``torch.nn.functional.alpha_dropout`` (la capa es ``nn.AlphaDropout``).
    """
    x = as_tensor(input, "alpha_dropout")
    return _alpha(x, x.shape, p, training, inplace, generator, "alpha_dropout")


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False, *, generator=None):
    """Alpha dropout de canales enteros: como ``alpha_dropout`` pero sortea un valor por ``(n, c)`` (los dos
    primeros ejes), como ``dropout2d`` frente a ``dropout``. Derivada: la de ``alpha_dropout``.

    Args:
        input: ``(N, C, *)`` (al menos 2 ejes; el primero se toma como lote, también en 2-D).
        p: probabilidad de anular cada canal (``0.5``).
        training: si es ``False`` (por defecto), devuelve ``input`` tal cual.
        inplace: si es ``True``, escribe el resultado sobre ``input``.
        generator: (de tinygrad_es) un ``numpy.random.Generator`` o un ``torch.Generator``; sin él, el global.

    Ejemplo:
        >>> F.feature_alpha_dropout(torch.ones(1, 2, 2), 0.2).shape
        torch.Size([1, 2, 2])

    En PyTorch: ``torch.nn.functional.feature_alpha_dropout`` (la capa es ``nn.FeatureAlphaDropout``).
    """
    op = "feature_alpha_dropout"
    x = as_tensor(input, op)
    if training and p != 0 and x.ndim < 2:
        raise RuntimeError(f"{op}: hacen falta al menos 2 ejes (N, C, ...); la entrada tiene forma {tuple(x.shape)}")
    mask = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    return _alpha(x, mask, p, training, inplace, generator, op)
