"""Funciones elemento a elemento de una entrada: ``exp``, ``log``, ``sqrt``, ``abs``, trigonométricas,
hiperbólicas, logaritmos y exponenciales de otras bases, ``erf``, los redondeos (derivada 0) y
``nan_to_num``.

Cada ``Function`` lleva su derivada en el docstring. Las de la tabla se generan con ``_unary`` a
partir de la función y su derivada (en términos de la entrada ``x``, la salida ``y`` o ambas) para
que la fórmula quede a la vista en una línea. Las operaciones escalonadas (``floor``, ``sign``...)
tienen derivada 0 en todas partes, como en PyTorch.
"""
import math

import numpy as np

from ..autograd import Function
from ..kernels.special import erf, erfc
from ._util import IGNORE_FP_ERRORS as _ERR

__all__ = ["Exp", "Log", "Sqrt", "Abs", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh",
           "Acosh", "Atanh", "Log2", "Log10", "Log1p", "Exp2", "Expm1", "Rsqrt", "Reciprocal", "Erf", "Erfc", "Frac",
           "Step", "round_half_even", "NanToNum"]


class Exp(Function):
    """eᵃ: ∂/∂a = eᵃ (se guarda la salida)."""

    @staticmethod
    def forward(ctx, a):
        with np.errstate(over="ignore"):
            out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    """ln a: ∂/∂a = 1/a."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / a


class Sqrt(Function):
    """√a: ∂/∂a = 1/(2√a)."""

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (2 * out)


class Abs(Function):
    """|a|: ∂/∂a = signo(a) (0 en a = 0, como PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * np.sign(a)  # en 0 el gradiente es 0, como en PyTorch


def _unary(name, fwd, dfdx, doc):
    """Crea una ``Function`` unaria: ``y = fwd(x)``, ``∂y/∂x = dfdx(x, y)``."""

    def forward(ctx, a):
        with np.errstate(**_ERR):
            out = np.asarray(fwd(a)).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    def backward(ctx, g):
        a, out = ctx.saved_tensors
        with np.errstate(**_ERR):
            return g * dfdx(a, out)

    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                    "__doc__": doc, "__module__": __name__})


_SQRT_PI_2 = 2.0 / math.sqrt(math.pi)
Sin = _unary("Sin", np.sin, lambda x, y: np.cos(x), "sin(x); ∂/∂x = cos(x).")
Cos = _unary("Cos", np.cos, lambda x, y: -np.sin(x), "cos(x); ∂/∂x = −sin(x).")
Tan = _unary("Tan", np.tan, lambda x, y: 1 + y * y, "tan(x); ∂/∂x = 1 + tan²(x).")
Asin = _unary("Asin", np.arcsin, lambda x, y: 1 / np.sqrt(1 - x * x), "asin(x); ∂/∂x = 1/√(1 − x²).")
Acos = _unary("Acos", np.arccos, lambda x, y: -1 / np.sqrt(1 - x * x), "acos(x); ∂/∂x = −1/√(1 − x²).")
Atan = _unary("Atan", np.arctan, lambda x, y: 1 / (1 + x * x), "atan(x); ∂/∂x = 1/(1 + x²).")
Sinh = _unary("Sinh", np.sinh, lambda x, y: np.cosh(x), "sinh(x); ∂/∂x = cosh(x).")
Cosh = _unary("Cosh", np.cosh, lambda x, y: np.sinh(x), "cosh(x); ∂/∂x = sinh(x).")
Asinh = _unary("Asinh", np.arcsinh, lambda x, y: 1 / np.sqrt(x * x + 1), "asinh(x); ∂/∂x = 1/√(x² + 1).")
Acosh = _unary("Acosh", np.arccosh, lambda x, y: 1 / np.sqrt(x * x - 1), "acosh(x); ∂/∂x = 1/√(x² − 1).")
Atanh = _unary("Atanh", np.arctanh, lambda x, y: 1 / (1 - x * x), "atanh(x); ∂/∂x = 1/(1 − x²).")
Log2 = _unary("Log2", np.log2, lambda x, y: 1 / (x * math.log(2)), "log2(x); ∂/∂x = 1/(x·ln 2).")
Log10 = _unary("Log10", np.log10, lambda x, y: 1 / (x * math.log(10)), "log10(x); ∂/∂x = 1/(x·ln 10).")
Log1p = _unary("Log1p", np.log1p, lambda x, y: 1 / (1 + x), "log(1 + x) preciso cerca de 0; ∂/∂x = 1/(1 + x).")
Exp2 = _unary("Exp2", np.exp2, lambda x, y: y * math.log(2), "2^x; ∂/∂x = 2^x·ln 2.")
Expm1 = _unary("Expm1", np.expm1, lambda x, y: y + 1, "eˣ − 1 preciso cerca de 0; ∂/∂x = eˣ = y + 1.")
Rsqrt = _unary("Rsqrt", lambda x: 1 / np.sqrt(x), lambda x, y: -0.5 * y * y * y, "1/√x; ∂/∂x = −½·x^(−3/2) = −y³/2.")
Reciprocal = _unary("Reciprocal", lambda x: 1 / x, lambda x, y: -(y * y), "1/x; ∂/∂x = −1/x² = −y².")
Erf = _unary("Erf", erf, lambda x, y: _SQRT_PI_2 * np.exp(-x * x), "erf(x); ∂/∂x = (2/√π)·e^(−x²).")
Erfc = _unary("Erfc", erfc, lambda x, y: -_SQRT_PI_2 * np.exp(-x * x), "erfc(x) = 1 − erf(x); ∂/∂x = −(2/√π)·e^(−x²).")
Frac = _unary("Frac", lambda x: x - np.trunc(x), lambda x, y: np.ones_like(x), "x − trunc(x); ∂/∂x = 1 (salvo en los enteros).")


class Step(Function):
    """Funciones escalonadas (``floor``, ``ceil``, ``round``, ``trunc``, ``sign``): constantes a
    trozos, así que ∂/∂x = 0 en todas partes (también en los saltos, como PyTorch)."""

    @staticmethod
    def forward(ctx, a, fn=None):
        ctx.shape = a.shape
        return np.asarray(fn(a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return np.zeros(ctx.shape, dtype=g.dtype)


def round_half_even(a, decimals=0):
    """Redondeo al par más cercano (como ``torch.round``); con ``decimals`` escala por 10^d."""
    if decimals == 0:
        return np.round(a)
    s = a.dtype.type(10.0 ** decimals) if decimals > 0 else a.dtype.type(10.0 ** -decimals)
    return np.round(a * s) / s if decimals > 0 else np.round(a / s) * s


class NanToNum(Function):
    """Sustituye nan/±inf por números finitos; ∂/∂x = 1 donde x es finito y 0 donde no."""

    @staticmethod
    def forward(ctx, a, nan=0.0, posinf=None, neginf=None):
        ctx.save_for_backward(np.isfinite(a))
        return np.nan_to_num(a, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (finite,) = ctx.saved_tensors
        return g * finite
