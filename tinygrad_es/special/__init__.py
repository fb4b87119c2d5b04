"""``torch.special``: las funciones especiales con sus nombres de SciPy/PyTorch. Casi todas son las
mismas de ``torch.x`` (``special.expit`` es ``sigmoid``); ``ndtr`` y ``entr`` se componen aquí
(su derivada sale de ``erfc`` y de ``log``). En módulos aparte: ``normal.py`` (``ndtri``,
``log_ndtr``, ``erfcx``), ``bessel.py`` (J₀, J₁, Y₀, Y₁, K₀, K₁ y Ai) y ``polynomials.py``.

    >>> import tinygrad_es as torch
    >>> torch.special.expit(torch.tensor([0.0]))   # tensor([0.5000])
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor.functional import polygamma
from .._tensor.functions import (digamma, erf, erfc, erfinv, exp2, expm1, i0, igamma, igammac, lgamma, log1p,
                                log_softmax, logit, logsumexp, round, sigmoid, sinc, softmax, xlogy)
from .._tensor.joins import where
from ..ops import gamma as _G
from .._tensor.tensor import Tensor

from .polynomials import *  # noqa: F401,F403  (chebyshev_polynomial_t, hermite_polynomial_h...)
from .polynomials import __all__ as _polynomials
from .bessel import *  # noqa: F401,F403  (bessel_j0, modified_bessel_k0, airy_ai...)
from .bessel import __all__ as _bessel
from .normal import erfcx, log_ndtr, ndtri
from .._tensor.out import write_out

__all__ = ["expit", "logit", "xlogy", "sinc", "erf", "erfc", "exp2", "expm1", "log1p", "logsumexp", "softmax",
           "log_softmax", "round", "ndtr", "entr", "gammaln", "digamma", "psi", "polygamma", "erfinv", "i0", "i1",
           "i0e", "i1e", "zeta", "xlog1py", "multigammaln", "spherical_bessel_j0", "modified_bessel_i0",
           "modified_bessel_i1", "ndtri", "log_ndtr", "erfcx", "gammainc", "gammaincc"] + list(_polynomials) + list(_bessel)

expit = sigmoid
modified_bessel_i0 = i0
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


def _one_tensor(name, a, b):
    if not (isinstance(a, Tensor) or isinstance(b, Tensor)):
        raise TypeError(f"special.{name}(): al menos uno de los dos argumentos debe ser un Tensor (como en PyTorch), "
                        f"y son {type(a).__name__} y {type(b).__name__}")


def _float(input):
    return input if input._data.dtype.kind == "f" else input.float()


def i0e(input):
    """e^(−|x|)·I₀(x): la Bessel modificada de orden 0 escalada (no desborda con |x| grande). Derivada:
    i1e(x) − sgn(x)·i0e(x). En PyTorch: ``torch.special.i0e``.

    >>> torch.special.i0e(torch.tensor([1000.0]))   # tensor([0.0126])
    """
    return _G.I0e.apply(_float(input))


def i1e(input):
    """e^(−|x|)·I₁(x). Derivada: i0e(x) − i1e(x)·(sgn(x) + 1/x). En PyTorch: ``torch.special.i1e``."""
    return _G.I1e.apply(_float(input))


def zeta(input, other, *, out=None):
    """La zeta de Hurwitz ζ(x, q) = Σ_{k≥0} (k + q)^(−x) (``other`` = q; con q = 1, la de Riemann).
    Derivada respecto de q: −x·ζ(x + 1, q) (respecto de x, como en PyTorch, no hay). En PyTorch:
    ``torch.special.zeta``.

    >>> torch.special.zeta(torch.tensor([2.0]), 1.0)   # tensor([1.6449]) = π²/6
    """
    _one_tensor("zeta", input, other)
    x = input if isinstance(input, Tensor) else Tensor._wrap(np.asarray(input, dtype=np.float64))
    q = other if isinstance(other, Tensor) else Tensor._wrap(np.asarray(other, dtype=x._data.dtype
                                                                        if x._data.dtype.kind == "f" else np.float64))
    if x._data.dtype != q._data.dtype:
        dt = np.result_type(x._data.dtype, q._data.dtype)
        x, q = x.to(dt), q.to(dt)
    res = _G.Zeta.apply(_float(x), _float(q))
    return res if out is None else write_out("zeta", out, res)


def xlog1py(input, other, *, out=None):
    """``x·log1p(y)``, con 0 donde x = 0 (salvo si y es ``nan``). Derivadas: ∂/∂x = log1p(y) (0 donde
    x = 0), ∂/∂y = x/(1 + y). En PyTorch: ``torch.special.xlog1py``.

    >>> torch.special.xlog1py(torch.tensor([0.0, 2.0]), torch.tensor([-1.0, 1.0]))   # tensor([0.0000, 1.3863])
    """
    _one_tensor("xlog1py", input, other)
    x = input if isinstance(input, Tensor) else Tensor._wrap(np.asarray(input, dtype=np.float32))
    y = other if isinstance(other, Tensor) else Tensor._wrap(np.asarray(other, dtype=x._data.dtype
                                                                        if x._data.dtype.kind == "f" else np.float32))
    zero = (x == 0).logical_and(y.isnan().logical_not())
    safe = where(zero, Tensor._wrap(np.zeros((), y._data.dtype if y._data.dtype.kind == "f" else np.float32)), y)
    res = x * log1p(safe)
    return res if out is None else write_out("xlog1py", out, res)


def multigammaln(input, p):
    """La log-gamma multivariante (``mvlgamma``). En PyTorch: ``torch.special.multigammaln``."""
    return input.mvlgamma(p)


def spherical_bessel_j0(input, *, out=None):
    """j₀(x) = sin(x)/x (1 en x = 0; cerca de 0, su serie 1 − x²/6 + x⁴/120 − x⁶/5040). Derivada:
    (cos x − j₀(x))/x. En PyTorch: ``torch.special.spherical_bessel_j0``.

    >>> torch.special.spherical_bessel_j0(torch.tensor([0.0, 3.14159265]))   # tensor([1., 0.])
    """
    x = _float(input)
    small = x.abs() < 0.5
    safe = where(small, Tensor._wrap(np.ones((), x._data.dtype)), x)
    x2 = x * x
    series = 1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72 * (1 - x2 / 110 * (1 - x2 / 156)))))
    res = where(small, series, safe.sin() / safe)
    return res if out is None else write_out("spherical_bessel_j0", out, res)


modified_bessel_i1 = i1


def gammainc(input, other, *, out=None):
    """P(a, x), la gamma incompleta inferior regularizada (``torch.igamma``; véase ``Tensor.igamma``).
    En PyTorch: ``torch.special.gammainc``."""
    return igamma(input, other, out=out)


def gammaincc(input, other, *, out=None):
    """Q(a, x) = 1 − P(a, x), la superior (``torch.igammac``; véase ``Tensor.igammac``). En PyTorch:
    ``torch.special.gammaincc``."""
    return igammac(input, other, out=out)
