"""Funciones elemento a elemento de una entrada: ``exp``, ``log``, ``sqrt``, ``abs``, trigonométricas,
hiperbólicas, logaritmos y exponenciales de otras bases, ``erf``, los redondeos (derivada 0) y
``nan_to_num``.

Cada ``ArrayFunction`` lleva su derivada en el docstring. Las de la tabla se generan con ``_unary``
(``_util.pointwise``) a partir de la función y su derivada, escrita en términos de la entrada ``x``
o de la salida ``y`` (lo que PyTorch guarda), para que la fórmula quede a la vista en una línea.
Las operaciones escalonadas (``floor``, ``sign``...) tienen derivada 0 en todas partes, como en
PyTorch.
"""
import functools
import math

import numpy as np

from ..autograd import ArrayFunction
from ..kernels.special import erf, erfc
from ._util import elementwise_tangent, pointwise

__all__ = ["Exp", "Log", "Sqrt", "Abs", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh",
           "Acosh", "Atanh", "Log2", "Log10", "Log1p", "Exp2", "Expm1", "Rsqrt", "Reciprocal", "Erf", "Erfc", "Frac",
           "Step", "Sgn", "sign_zero_nan", "round_half_even", "NanToNum"]


class Exp(ArrayFunction):
    """eᵃ: ∂/∂a = eᵃ (se guarda la salida)."""

    differentiable = True

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


class Log(ArrayFunction):
    """ln a: ∂/∂a = 1/a."""

    differentiable = True

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


class Sqrt(ArrayFunction):
    """√a: ∂/∂a = 1/(2√a)."""

    differentiable = True

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


class Abs(ArrayFunction):
    """|a|: ∂/∂a = signo(a) (0 en a = 0, como PyTorch)."""

    tangent = staticmethod(elementwise_tangent)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sign_zero_nan(a)  # en 0 (y en nan) el gradiente es 0, como en PyTorch


# y = f(x) y su derivada, escrita con lo que PyTorch guarda para el backward: la entrada (x) o la
# salida (y, como en tan, exp2, expm1, rsqrt y reciprocal)
_unary = functools.partial(pointwise, module=__name__)


_SQRT_PI_2 = 2.0 / math.sqrt(math.pi)
Sin = _unary("Sin", np.sin, lambda xp, x: xp.cos(x), "sin(x); ∂/∂x = cos(x).")
Cos = _unary("Cos", np.cos, lambda xp, x: -xp.sin(x), "cos(x); ∂/∂x = −sin(x).")
Tan = _unary("Tan", np.tan, lambda xp, y: 1 + y * y, "tan(x); ∂/∂x = 1 + tan²(x).", saves="y")
Asin = _unary("Asin", np.arcsin, lambda xp, x: 1 / xp.sqrt(1 - x * x), "asin(x); ∂/∂x = 1/√(1 − x²).")
Acos = _unary("Acos", np.arccos, lambda xp, x: -1 / xp.sqrt(1 - x * x), "acos(x); ∂/∂x = −1/√(1 − x²).")
Atan = _unary("Atan", np.arctan, lambda xp, x: 1 / (1 + x * x), "atan(x); ∂/∂x = 1/(1 + x²).")
Sinh = _unary("Sinh", np.sinh, lambda xp, x: xp.cosh(x), "sinh(x); ∂/∂x = cosh(x).")
Cosh = _unary("Cosh", np.cosh, lambda xp, x: xp.sinh(x), "cosh(x); ∂/∂x = sinh(x).")
Asinh = _unary("Asinh", np.arcsinh, lambda xp, x: 1 / xp.sqrt(x * x + 1), "asinh(x); ∂/∂x = 1/√(x² + 1).")
Acosh = _unary("Acosh", np.arccosh, lambda xp, x: 1 / xp.sqrt(x * x - 1), "acosh(x); ∂/∂x = 1/√(x² − 1).")
Atanh = _unary("Atanh", np.arctanh, lambda xp, x: 1 / (1 - x * x), "atanh(x); ∂/∂x = 1/(1 − x²).")
Log2 = _unary("Log2", np.log2, lambda xp, x: 1 / (x * math.log(2)), "log2(x); ∂/∂x = 1/(x·ln 2).")
Log10 = _unary("Log10", np.log10, lambda xp, x: 1 / (x * math.log(10)), "log10(x); ∂/∂x = 1/(x·ln 10).")
Log1p = _unary("Log1p", np.log1p, lambda xp, x: 1 / (1 + x), "log(1 + x) preciso cerca de 0; ∂/∂x = 1/(1 + x).")
Exp2 = _unary("Exp2", np.exp2, lambda xp, y: y * math.log(2), "2^x; ∂/∂x = 2^x·ln 2.", saves="y")
Expm1 = _unary("Expm1", np.expm1, lambda xp, y: y + 1, "eˣ − 1 preciso cerca de 0; ∂/∂x = eˣ = y + 1.", saves="y")
Rsqrt = _unary("Rsqrt", lambda x: 1 / np.sqrt(x), lambda xp, y: -0.5 * y * y * y, "1/√x; ∂/∂x = −½·x^(−3/2) = −y³/2.",
               saves="y")
Reciprocal = _unary("Reciprocal", lambda x: 1 / x, lambda xp, y: -(y * y), "1/x; ∂/∂x = −1/x² = −y².",
                    saves="y")
Erf = _unary("Erf", erf, lambda xp, x: _SQRT_PI_2 * xp.exp(-x * x), "erf(x); ∂/∂x = (2/√π)·e^(−x²).")
Erfc = _unary("Erfc", erfc, lambda xp, x: -_SQRT_PI_2 * xp.exp(-x * x),
               "erfc(x) = 1 − erf(x); ∂/∂x = −(2/√π)·e^(−x²).")
Frac = _unary("Frac", lambda x: x - np.trunc(x), lambda xp: 1, "x − trunc(x); ∂/∂x = 1 (salvo en los enteros).",
               saves="")


class Step(ArrayFunction):
    """Funciones escalonadas (``floor``, ``ceil``, ``round``, ``trunc``, ``sign``): constantes a
    trozos, así que ∂/∂x = 0 en todas partes (también en los saltos, como PyTorch)."""

    tangent = staticmethod(elementwise_tangent)

    @staticmethod
    def forward(ctx, a, fn=None):
        ctx.shape = a.shape
        return np.asarray(fn(a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return np.zeros(ctx.shape, dtype=g.dtype)


class Sgn(Step):
    """``sgn`` (en reales, como ``sign``): ∂/∂x = 0, pero PyTorch guarda x y la salida."""

    reads = ((0, -1),)


def sign_zero_nan(a):
    """signo con 0 en nan y en ±0 (el de PyTorch: (0 < x) − (x < 0); ``np.sign`` da nan)."""
    return (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)


def round_half_even(a, decimals=0):
    """Redondeo al par más cercano (como ``torch.round``); con ``decimals`` escala por 10^d."""
    if decimals == 0:
        return np.round(a)
    s = a.dtype.type(10.0 ** decimals) if decimals > 0 else a.dtype.type(10.0 ** -decimals)
    return np.round(a * s) / s if decimals > 0 else np.round(a / s) * s


class NanToNum(ArrayFunction):
    """Sustituye nan/±inf por números finitos; ∂/∂x = 1 donde x es finito y 0 donde no."""

    tangent = staticmethod(elementwise_tangent)

    reads = ((0,),)

    @staticmethod
    def forward(ctx, a, nan=0.0, posinf=None, neginf=None):
        ctx.save_for_backward(np.isfinite(a))
        return np.nan_to_num(a, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (finite,) = ctx.saved_tensors
        return g * finite
