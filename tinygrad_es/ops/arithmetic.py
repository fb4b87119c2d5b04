"""Aritmética elemento a elemento (con broadcasting): ``+ − · / **``, ``neg`` y las binarias de la
biblioteca matemática (``atan2``, ``hypot``, ``logaddexp``, los restos ``fmod``/``remainder``, la
división con redondeo y ``lerp``). Los recortes y los máximos (``clamp``, ``maximum``) están en
``clamp.py``.

Aquí llegan arrays ya promovidos al dtype del resultado (de eso se ocupa ``_tensor/``). Los
gradientes pueden devolverse con la forma del resultado: el motor los reduce a la forma de cada
entrada con ``unbroadcast``.
"""
import numpy as np

from ..autograd import ArrayFunction, broadcast_shape
from ._namespace import namespace
from ._util import IGNORE_FP_ERRORS as _ERR, check_broadcast as _check2, elementwise_tangent

__all__ = ["Add", "Sub", "Mul", "Div", "Pow", "PowScalar", "Neg", "Atan2", "Hypot", "LogAddExp", "Fmod", "Remainder",
           "DivRounding", "Lerp"]


class Add(ArrayFunction):
    """a + b: ∂/∂a = 1, ∂/∂b = 1 (el motor suma sobre los ejes del broadcasting)."""

    differentiable = True

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "+")
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(ArrayFunction):
    """a − b: ∂/∂a = 1, ∂/∂b = −1."""

    differentiable = True

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "-")
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(ArrayFunction):
    """a · b: ∂/∂a = b, ∂/∂b = a."""

    bilinear = True  # forward_ad: J·(ȧ, ḃ) = f(ȧ, b) + f(a, ḃ), dos forwards
    differentiable = True
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


class Div(ArrayFunction):
    """a / b: ∂/∂a = 1/b, ∂/∂b = −a/b²."""

    differentiable = True
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


class Pow(ArrayFunction):
    """a ** b con b tensor.

    ∂/∂a = b·a^(b−1) (0 donde b = 0);  ∂/∂b = a^b·ln(a) (0 donde a = 0 y b ≥ 0), como PyTorch."""

    differentiable = True
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
        xp = namespace(g)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            ga = gb = None
            if ctx.needs_input_grad[0]:
                ga = xp.where(b == 0, 0, g * b * a ** (b - 1))
            if ctx.needs_input_grad[1]:
                gb = g * xp.where((a == 0) & (b >= 0), 0, out * xp.log(a))  # multiplica como PyTorch (g nan → nan)
        return ga, gb


class PowScalar(ArrayFunction):
    """a ** p con p número: ∂/∂a = p·a^(p−1) (0 si p = 0)."""

    differentiable = True
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
            return namespace(g).zeros_like(g)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return g * (p * a ** (p - 1))


class Neg(ArrayFunction):
    """−a: ∂/∂a = −1."""

    differentiable = True

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


def _int_zero_division(b, op, a=None):
    """``RuntimeError`` si un divisor entero vale 0 (con un dividendo vacío no hay división: PyTorch no
    lanza)."""
    if a is not None and np.size(a) == 0:
        return
    if b.dtype.kind in "iub" and np.any(b == 0):
        raise RuntimeError(f"ZeroDivisionError: {op} entero con divisor 0 (la división entera por cero no "
                           f"está definida)")


class Atan2(ArrayFunction):
    """atan2(a, b), el ángulo de (b, a). ∂/∂a = b/(a² + b²); ∂/∂b = −a/(a² + b²) (0 en el origen,
    como PyTorch)."""

    differentiable = True
    reads = ((0, 1),)

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "atan2")
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = namespace(g)
        r2 = a * a + b * b
        with np.errstate(**_ERR):
            k = g * xp.where(r2 == 0, 0, 1 / xp.where(r2 == 0, 1, r2))  # en el origen 0·g (nan si g es nan)
        return k * b, -k * a


class Hypot(ArrayFunction):
    """√(a² + b²). ∂/∂a = a/h; ∂/∂b = b/h (nan en el origen, como PyTorch)."""

    differentiable = True
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


class LogAddExp(ArrayFunction):
    """log(eᵃ + eᵇ) sin desbordamiento. ∂/∂a = σ(a − b) = 1/(1 + e^(b−a)); ∂/∂b = σ(b − a)."""

    differentiable = True
    reads = ((0, 1),)

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "logaddexp")
        ctx.save_for_backward(a, b)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = namespace(g)
        with np.errstate(**_ERR):
            return g / (1 + xp.exp(b - a)), g / (1 + xp.exp(a - b))


class Fmod(ArrayFunction):
    """Resto de la división truncada (signo del dividendo, como ``math.fmod``).
    ∂/∂a = 1; ∂/∂b = −trunc(a/b)."""

    tangent = staticmethod(elementwise_tangent)
    reads = ((), (0, 1))

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "fmod")
        _int_zero_division(b, "fmod", a)
        ctx.save_for_backward(a, b)
        with np.errstate(**_ERR):
            return np.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(**_ERR):
            return g, None if not ctx.needs_input_grad[1] else -g * np.trunc(a / b)


class Remainder(ArrayFunction):
    """Resto de la división entera por defecto, ``a − b·⌊a/b⌋`` (signo del divisor, como ``%`` de
    Python). ∂/∂a = 1; ∂/∂b = −⌊a/b⌋. Con ``a`` un número de Python (``2.0 % x``) PyTorch no tiene
    derivada: ``scalar_first`` hace que el backward lo diga."""

    tangent = staticmethod(elementwise_tangent)
    reads = ((), (0, 1))

    @staticmethod
    def forward(ctx, a, b, scalar_first=False):
        _check2(a, b, "remainder (%)")
        _int_zero_division(b, "remainder (%)", a)
        ctx.save_for_backward(a, b)
        ctx.scalar_first = scalar_first
        with np.errstate(**_ERR):
            if np.result_type(a, b).kind != "f":
                return np.remainder(a, b)
            # el de PyTorch: fmod y, si el signo no es el del divisor, + b (3 % −0.25 = +0, no el −0 de numpy)
            mod = np.fmod(a, b)
            return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)

    @staticmethod
    def backward(ctx, g):
        if ctx.scalar_first:
            raise RuntimeError("la derivada de remainder (número % tensor) no está implementada (tampoco en "
                               "PyTorch); usa tensor % tensor o calcula fuera del grafo")
        a, b = ctx.saved_tensors
        with np.errstate(**_ERR):
            # el cociente por defecto de PyTorch (el de divmod: 1 // −inf = −1, inf // 1 = nan)
            return g, None if not ctx.needs_input_grad[1] else -g * np.floor_divide(a, b)


class DivRounding(ArrayFunction):
    """División con redondeo (``trunc`` o ``floor``): el resultado es constante a trozos, así que
    ∂/∂a = ∂/∂b = 0 (como ``torch.div(..., rounding_mode=...)``). ``floor_divide`` (``//``) no tiene
    derivada en PyTorch: con ``differentiable=False`` el backward lo dice. Aunque la derivada sea 0,
    PyTorch guarda ``b`` (y ``a`` para ∂/∂b): cambiarlos in situ antes del backward es un error."""

    tangent = staticmethod(elementwise_tangent)
    reads = ((1,), (0, 1))

    @staticmethod
    def forward(ctx, a, b, mode="floor", differentiable=True):
        _check2(a, b, "div")
        _int_zero_division(b, "div", a)
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


class Lerp(ArrayFunction):
    """Interpolación lineal ``a + w·(b − a)`` (con la fórmula simétrica de PyTorch para w ≥ ½).
    ∂/∂a = 1 − w; ∂/∂b = w; ∂/∂w = b − a."""

    differentiable = True
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
