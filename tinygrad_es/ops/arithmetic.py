"""Aritmética elemento a elemento (con broadcasting): ``+ − · / **``, ``neg``, ``clip``, ``maximum``/
``minimum`` y las binarias de la biblioteca matemática (``atan2``, ``hypot``, ``logaddexp``, los
restos ``fmod``/``remainder``, la división con redondeo y ``lerp``).

Aquí llegan arrays ya promovidos al dtype del resultado (de eso se ocupa ``_tensor/``). Los
gradientes pueden devolverse con la forma del resultado: el motor los reduce a la forma de cada
entrada con ``unbroadcast``.
"""
import numpy as np

from ..autograd import Function, broadcast_shape
from ._util import IGNORE_FP_ERRORS as _ERR, check_broadcast as _check2

__all__ = ["Add", "Sub", "Mul", "Div", "Pow", "PowScalar", "Neg", "Clip", "ClampTensor", "Maximum", "Minimum", "Atan2", "Hypot",
           "LogAddExp", "Fmod", "Remainder", "DivRounding", "Lerp"]


class Add(Function):
    """a + b: ∂/∂a = 1, ∂/∂b = 1 (el motor suma sobre los ejes del broadcasting)."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "+")
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """a − b: ∂/∂a = 1, ∂/∂b = −1."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "-")
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Function):
    """a · b: ∂/∂a = b, ∂/∂b = a."""

    reads = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "*")
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


class Div(Function):
    """a / b: ∂/∂a = 1/b, ∂/∂b = −a/b²."""

    reads = ((1,), (0, 1))

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "/")
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gb = -g * a / (b * b) if ctx.needs_input_grad[1] else None
            return g / b, gb


class Pow(Function):
    """a ** b con b tensor.

    ∂/∂a = b·a^(b−1) (0 donde b = 0);  ∂/∂b = a^b·ln(a) (0 donde a = 0 y b ≥ 0), como PyTorch."""

    reads = ((0, 1, -1),)  # como PyTorch, que guarda siempre la salida que usa alguna derivada

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "**")
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if a.dtype.kind in "iu" and np.any(b < 0):
                # enteros con exponente tensor negativo, como PyTorch: 1 → 1, −1 → ±1, el resto → 0
                neg = b < 0
                out = np.power(a, np.where(neg, 0, b))
                odd = (np.abs(b) % 2).astype(bool)
                out = np.where(neg, np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0)), out)
                out = out.astype(np.result_type(a, b), copy=False)
            else:
                out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        z = g.dtype.type(0)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            ga = gb = None
            if ctx.needs_input_grad[0]:
                ga = np.where(b == 0, z, g * b * np.power(a, b - 1))
            if ctx.needs_input_grad[1]:
                gb = np.where((a == 0) & (b >= 0), z, g * out * np.log(a))
        return ga, gb


class PowScalar(Function):
    """a ** p con p número: ∂/∂a = p·a^(p−1) (0 si p = 0)."""

    reads = ((0,),)

    @staticmethod
    def forward(ctx, a, p):
        ctx.save_for_backward(a)
        ctx.p = p
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if a.dtype.kind in "iub":
                return np.power(a, int(p)).astype(a.dtype, copy=False)
            return np.power(a, a.dtype.type(p))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros_like(g)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return g * (p * np.power(a, a.dtype.type(p - 1)))


class Neg(Function):
    """−a: ∂/∂a = −1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def _select(mask, g):
    """``g`` donde ``mask`` y 0 donde no, **eligiendo** (no multiplicando): un gradiente inf o nan
    de arriba da 0 donde la derivada es 0, como PyTorch."""
    return np.where(mask, g, g.dtype.type(0))


class Clip(Function):
    """clip(a, lo, hi) con números ``lo``/``hi``; ∂/∂a = [lo ≤ a ≤ hi] (bordes incluidos, 0 en nan,
    como torch.clamp)."""

    @staticmethod
    def forward(ctx, a, lo=None, hi=None):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            mask = np.ones(a.shape, dtype=bool)
            if ctx.lo is not None:
                mask &= a >= ctx.lo
            if ctx.hi is not None:
                mask &= a <= ctx.hi
        return _select(mask, g)


class ClampTensor(Function):
    """clamp(a, lo, hi) con límites tensor (``lo`` o ``hi`` pueden faltar: ``bounds`` dice cuáles
    hay). Los empates van a la entrada. Derivadas (las de PyTorch):
    ∂/∂a = [lo ≤ a ≤ hi];  ∂/∂lo = [a < lo y lo < hi];  ∂/∂hi = [a > hi o hi < lo]."""

    reads = ((0, 1, 2),)

    @staticmethod
    def forward(ctx, a, *lims, bounds=(True, True)):
        it = iter(lims)
        lo = next(it) if bounds[0] else None
        hi = next(it) if bounds[1] else None
        broadcast_shape(a.shape, *(x.shape for x in lims), op="clamp")
        ctx.save_for_backward(a, lo, hi)
        out = a if lo is None else np.maximum(a, lo)
        out = out if hi is None else np.minimum(out, hi)
        return np.asarray(out, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            ok = np.ones(a.shape, dtype=bool)
            if lo is not None:
                ok = ok & (a >= lo)
            if hi is not None:
                ok = ok & (a <= hi)
            grads = [_select(ok, g)]
            if lo is not None:
                grads.append(_select((a < lo) & (lo < hi) if hi is not None else a < lo, g))
            if hi is not None:
                grads.append(_select((a > hi) | (hi < lo) if lo is not None else a > hi, g))
        return tuple(grads)


class Maximum(Function):
    """max elemento a elemento (nan se propaga). Derivadas (las de torch.maximum): cada entrada
    recibe g salvo donde es la menor (0); en un empate, g/2 cada una."""

    reads = ((0, 1),)

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "maximum")
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            half = np.where(a == b, g / 2, g)
            return _select(~(a < b), half), _select(~(a > b), half)


class Minimum(Function):
    """min elemento a elemento (nan se propaga). Derivadas: cada entrada recibe g salvo donde es la
    mayor (0); en un empate, g/2 cada una (como torch.minimum)."""

    reads = ((0, 1),)

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "minimum")
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            half = np.where(a == b, g / 2, g)
            return _select(~(a > b), half), _select(~(a < b), half)


def _int_zero_division(b, op):
    if b.dtype.kind in "iub" and np.any(b == 0):
        raise RuntimeError(f"ZeroDivisionError: {op} entero con divisor 0 (la división entera por cero no "
                           f"está definida)")


class Atan2(Function):
    """atan2(a, b), el ángulo de (b, a). ∂/∂a = b/(a² + b²); ∂/∂b = −a/(a² + b²) (0 en el origen,
    como PyTorch)."""

    reads = ((0, 1),)

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

    reads = ((0, -1), (1, -1))

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

    reads = ((0, 1),)

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

    reads = ((), (0, 1))

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
    Python). ∂/∂a = 1; ∂/∂b = −⌊a/b⌋. Con ``a`` un número de Python (``2.0 % x``) PyTorch no tiene
    derivada: ``scalar_first`` hace que el backward lo diga."""

    reads = ((), (0, 1))

    @staticmethod
    def forward(ctx, a, b, scalar_first=False):
        _check2(a, b, "remainder (%)")
        _int_zero_division(b, "remainder (%)")
        ctx.save_for_backward(a, b)
        ctx.scalar_first = scalar_first
        with np.errstate(**_ERR):
            return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        if ctx.scalar_first:
            raise RuntimeError("la derivada de remainder (número % tensor) no está implementada (tampoco en "
                               "PyTorch); usa tensor % tensor o calcula fuera del grafo")
        a, b = ctx.saved_tensors
        with np.errstate(**_ERR):
            return g, None if not ctx.needs_input_grad[1] else -g * np.floor(a / b)


class DivRounding(Function):
    """División con redondeo (``trunc`` o ``floor``): el resultado es constante a trozos, así que
    ∂/∂a = ∂/∂b = 0 (como ``torch.div(..., rounding_mode=...)``). ``floor_divide`` (``//``) no tiene
    derivada en PyTorch: con ``differentiable=False`` el backward lo dice."""

    @staticmethod
    def forward(ctx, a, b, mode="floor", differentiable=True):
        _check2(a, b, "div")
        _int_zero_division(b, "div")
        ctx.shapes, ctx.differentiable = (a.shape, b.shape), differentiable
        with np.errstate(**_ERR):
            if mode == "floor":
                return np.floor_divide(a, b)
            if a.dtype.kind in "iu":  # división entera truncada (la de C)
                q = np.floor_divide(a, b)
                return np.where((q < 0) & (q * b != a), q + 1, q).astype(a.dtype, copy=False)
            return np.trunc(a / b)

    @staticmethod
    def backward(ctx, g):
        if not ctx.differentiable:
            raise RuntimeError("la derivada de floor_divide (//) no está implementada (tampoco en PyTorch); "
                               "usa torch.div(a, b, rounding_mode='floor'), cuya derivada es 0")
        return tuple(np.zeros(s, dtype=g.dtype) for s in ctx.shapes)


class Lerp(Function):
    """Interpolación lineal ``a + w·(b − a)`` (con la fórmula simétrica de PyTorch para w ≥ ½).
    ∂/∂a = 1 − w; ∂/∂b = w; ∂/∂w = b − a."""

    reads = ((2,), (2,), (0, 1))

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
