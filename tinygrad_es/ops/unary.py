"""Más funciones elemento a elemento: trigonométricas, hiperbólicas, logaritmos, redondeos, restos.

Cada ``Function`` lleva su derivada en el docstring. Las unarias se generan con ``_unary`` a partir
de la función y su derivada (en términos de la entrada ``x``, la salida ``y`` o ambas) para que la
fórmula quede a la vista en una línea. Las operaciones escalonadas (``floor``, ``sign``...) tienen
derivada 0 en todas partes, como en PyTorch.

Aquí llegan arrays ya promovidos al dtype del resultado (de eso se ocupa la fachada).
"""
import math

import numpy as np
from numba import njit

from .. import _dtype as D
from ..autograd import Function, TensorBase, broadcast_shape

_ERR = dict(divide="ignore", invalid="ignore", over="ignore")


# --------------------------------------------------------------------------
# erf: numpy no la trae; un bucle de numba (compilado una vez y guardado en caché)
# --------------------------------------------------------------------------
@njit(cache=True)
def _erf_loop(a, out, complement):
    for i in range(a.size):
        out[i] = math.erfc(a[i]) if complement else math.erf(a[i])
    return out


def _erf_any(a, complement):
    if a.dtype == np.float16:
        return _erf_any(a.astype(np.float32), complement).astype(np.float16)
    flat = np.ascontiguousarray(a).reshape(-1)
    return _erf_loop(flat, np.empty_like(flat), complement).reshape(a.shape)


def erf(a: np.ndarray) -> np.ndarray:
    return _erf_any(np.asarray(a), False)


def erfc(a: np.ndarray) -> np.ndarray:
    return _erf_any(np.asarray(a), True)


# --------------------------------------------------------------------------
# unarias diferenciables
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# binarias (con broadcasting)
# --------------------------------------------------------------------------
def _check2(a, b, op):
    if a.shape != b.shape:
        broadcast_shape(a.shape, b.shape, op=op)


def _int_zero_division(b, op):
    if b.dtype.kind in "iub" and np.any(b == 0):
        raise RuntimeError(f"ZeroDivisionError: {op} entero con divisor 0 (la división entera por cero no "
                           f"está definida)")


class Atan2(Function):
    """atan2(a, b), el ángulo de (b, a). ∂/∂a = b/(a² + b²); ∂/∂b = −a/(a² + b²) (0 en el origen,
    como PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "atan2")
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        r2 = a * a + b * b
        with np.errstate(**_ERR):
            k = np.where(r2 == 0, 0, g / np.where(r2 == 0, 1, r2))
        return k * b, -k * a


class Hypot(Function):
    """√(a² + b²). ∂/∂a = a/h; ∂/∂b = b/h (nan en el origen, como PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "hypot")
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, h = ctx.saved_tensors
        with np.errstate(**_ERR):
            return g * a / h, g * b / h


class LogAddExp(Function):
    """log(eᵃ + eᵇ) sin desbordamiento. ∂/∂a = σ(a − b) = 1/(1 + e^(b−a)); ∂/∂b = σ(b − a)."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "logaddexp")
        ctx.save_for_backward(a, b)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(**_ERR):
            return g / (1 + np.exp(b - a)), g / (1 + np.exp(a - b))


class Fmod(Function):
    """Resto de la división truncada (signo del dividendo, como ``math.fmod``).
    ∂/∂a = 1; ∂/∂b = −trunc(a/b)."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "fmod")
        _int_zero_division(b, "fmod")
        ctx.save_for_backward(a, b)
        with np.errstate(**_ERR):
            return np.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(**_ERR):
            return g, None if not ctx.needs_input_grad[1] else -g * np.trunc(a / b)


class Remainder(Function):
    """Resto de la división entera por defecto, ``a − b·⌊a/b⌋`` (signo del divisor, como ``%`` de
    Python). ∂/∂a = 1; ∂/∂b = −⌊a/b⌋."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "remainder (%)")
        _int_zero_division(b, "remainder (%)")
        ctx.save_for_backward(a, b)
        with np.errstate(**_ERR):
            return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(**_ERR):
            return g, None if not ctx.needs_input_grad[1] else -g * np.floor(a / b)


class DivRounding(Function):
    """División con redondeo (``trunc`` o ``floor``): el resultado es constante a trozos, así que
    ∂/∂a = ∂/∂b = 0 (como ``torch.div(..., rounding_mode=...)``)."""

    @staticmethod
    def forward(ctx, a, b, mode="floor"):
        _check2(a, b, "div")
        _int_zero_division(b, "div")
        ctx.shapes = (a.shape, b.shape)
        with np.errstate(**_ERR):
            if mode == "floor":
                return np.floor_divide(a, b)
            if a.dtype.kind in "iu":  # división entera truncada (la de C)
                q = np.floor_divide(a, b)
                return np.where((q < 0) & (q * b != a), q + 1, q).astype(a.dtype, copy=False)
            return np.trunc(a / b)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.zeros(s, dtype=g.dtype) for s in ctx.shapes)


class Lerp(Function):
    """Interpolación lineal ``a + w·(b − a)`` (con la fórmula simétrica de PyTorch para w ≥ ½).
    ∂/∂a = 1 − w; ∂/∂b = w; ∂/∂w = b − a."""

    @staticmethod
    def forward(ctx, a, b, w):
        broadcast_shape(a.shape, b.shape, w.shape, op="lerp")
        ctx.save_for_backward(a, b, w)
        d = b - a
        return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        return g * (1 - w), g * w, g * (b - a)


# --------------------------------------------------------------------------
# promoción de tipos para las funciones de esta capa (sin subir a la fachada)
# --------------------------------------------------------------------------
def operand(x, npd):
    """``x`` (tensor, número o lista) como tensor de dtype ``npd``; convertir es diferenciable."""
    from .elementwise import Cast
    if isinstance(x, TensorBase):
        return x if x._data.dtype == npd else Cast.apply(x, dtype=npd)
    return TensorBase._wrap(np.asarray(x, dtype=npd))


def _for_promotion(x):
    if isinstance(x, (TensorBase, bool, int, float, np.number, np.bool_)):
        return x
    a = np.asarray(x) if not isinstance(x, np.ndarray) else x
    if a.dtype.kind not in "biuf":
        raise TypeError(f"operando no numérico: {x!r} (se esperaba un tensor o un número)")
    if a.dtype == np.float64 and not isinstance(x, np.ndarray):  # listas de float: float32, como tensor()
        a = a.astype(D.get_default_dtype().np)
    return a


def promote(*xs, float_out=False):
    """Los operandos convertidos al dtype común de PyTorch (``float_out``: enteros → float32)."""
    xs = [_for_promotion(x) for x in xs]
    npd = D.result_type(*xs)
    if float_out:
        npd = D.float_result(npd)
    return [operand(x, npd) for x in xs]


def div_rounding(a, b, rounding_mode):
    """``torch.div(a, b, rounding_mode=...)``: ``None`` (división real), ``"trunc"`` o ``"floor"``.
    Con enteros el resultado sigue siendo entero."""
    if rounding_mode is None:
        return a / b
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div: rounding_mode debe ser None, 'trunc' o 'floor', no {rounding_mode!r}")
    a, b = promote(a, b)
    if a._data.dtype == np.bool_:
        raise NotImplementedError("la división entera (//, rounding_mode) no está implementada para bool")
    return DivRounding.apply(a, b, mode=rounding_mode)
