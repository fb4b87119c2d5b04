"""``torch.special``: las funciones especiales con sus nombres de SciPy/PyTorch. Casi todas son las
mismas de ``torch.x`` (``special.expit`` es ``sigmoid``); ``ndtr`` y ``entr`` se componen aquí
(su derivada sale de ``erfc`` y de ``log``).

    >>> import tinygrad_es as torch
    >>> torch.special.expit(torch.tensor([0.0]))   # tensor([0.5000])
"""
from __future__ import annotations

import math

import numpy as np

from ._tensor.functional import polygamma
from ._tensor.functions import (digamma, erf, erfc, erfinv, exp2, expm1, i0, lgamma, log1p, log_softmax, logit,
                                logsumexp, round, sigmoid, sinc, softmax, xlogy)
from ._tensor.joins import where
from .ops import gamma as _G
from ._tensor.tensor import Tensor

__all__ = ["expit", "logit", "xlogy", "sinc", "erf", "erfc", "exp2", "expm1", "log1p", "logsumexp", "softmax",
           "log_softmax", "round", "ndtr", "entr", "gammaln", "digamma", "psi", "polygamma", "erfinv", "i0", "i1"]

expit = sigmoid
gammaln, psi = lgamma, digamma


def i1(input):
    """Bessel modificada de primera especie de orden 1: I₁(x) = Σ (x/2)^(2k+1)/(k!(k+1)!) (enteros →
    float32). Derivada: I₀(x) − I₁(x)/x (½ en x = 0). En PyTorch: ``torch.special.i1``.

    >>> torch.special.i1(torch.tensor([1.0]))   # tensor([0.5652])
    """
    x = input if input._data.dtype.kind == "f" else input.float()
    return _G.I1.apply(x)


def ndtr(input):
    """La función de distribución de la normal estándar: ``½·erfc(−x/√2)``. En PyTorch:
    ``torch.special.ndtr``."""
    x = input if input._data.dtype.kind == "f" else input.float()
    return 0.5 * erfc(-x / math.sqrt(2))


def entr(input):
    """La entropía elemento a elemento: ``−x·log(x)`` si x > 0, 0 si x = 0, ``−inf`` si x < 0.
    Derivada: −(log(x) + 1). En PyTorch: ``torch.special.entr``."""
    x = input if input._data.dtype.kind == "f" else input.float()
    pos = x > 0
    safe = where(pos, x, Tensor._wrap(np.ones((), x._data.dtype)))
    val = -x * safe.log()
    out = where(pos, val, Tensor._wrap(np.zeros((), x._data.dtype)))
    out = where(x < 0, Tensor._wrap(np.array(-np.inf, x._data.dtype)), out)
    return where(x.isnan(), x, out)
