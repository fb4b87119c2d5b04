"""Operaciones elemento a elemento (con broadcasting).

Los gradientes pueden devolverse con la forma del resultado: el motor los
reduce a la forma de cada entrada con ``unbroadcast``.
"""
import numpy as np

from ..autograd import Function, broadcast_shape
from ..kernels import relu as K


def _check2(a, b, op):
    if a.shape != b.shape:
        broadcast_shape(a.shape, b.shape, op=op)


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

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "**")
        if a.dtype.kind in "iu" and np.any(b < 0):
            raise RuntimeError("no se puede elevar un tensor entero a una potencia entera negativa")
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
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


class Tanh(Function):
    """tanh a: ∂/∂a = 1 − tanh²a."""

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 - out * out)


def stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) sin desbordamiento: exp sólo de números ≤ 0."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


class Sigmoid(Function):
    """σ(a) = 1/(1+e⁻ᵃ): ∂/∂a = σ(a)·(1 − σ(a))."""

    @staticmethod
    def forward(ctx, a):
        out = stable_sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)


class Relu(Function):
    """max(a, 0): ∂/∂a = 1 si a > 0, 0 si no (también en a = 0)."""

    @staticmethod
    def forward(ctx, a):
        out = K.relu(a)  # una pasada; NaN se propaga como en torch.relu
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # derivada en 0: 0; donde out ≤ 0 el gradiente es 0 aunque g sea inf o NaN, y un
        # NaN de la entrada deja pasar g (threshold_backward de PyTorch)
        return K.relu_backward(g, out)


class LeakyRelu(Function):
    """a si a > 0, pendiente·a si no: ∂/∂a = 1 o pendiente."""

    @staticmethod
    def forward(ctx, a, negative_slope=0.01):
        mask = a > 0
        ctx.save_for_backward(mask)
        ctx.slope = negative_slope
        return np.where(mask, a, a * a.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return np.where(mask, g, g * g.dtype.type(ctx.slope))


class Clip(Function):
    """clip(a, lo, hi); el gradiente pasa donde lo ≤ a ≤ hi (bordes incluidos, como torch.clamp)."""

    @staticmethod
    def forward(ctx, a, lo=None, hi=None):
        mask = np.ones(a.shape, dtype=bool)
        if lo is not None:
            mask &= a >= lo
        if hi is not None:
            mask &= a <= hi
        ctx.save_for_backward(mask)
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask


class Maximum(Function):
    """max elemento a elemento; en empates cada entrada recibe la mitad (como torch.maximum)."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "maximum")
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        wa = (a > b) + 0.5 * (a == b)
        return g * wa, g * (1 - wa)


class Minimum(Function):
    """min elemento a elemento; en empates cada entrada recibe la mitad (como torch.minimum)."""

    @staticmethod
    def forward(ctx, a, b):
        _check2(a, b, "minimum")
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        wa = (a < b) + 0.5 * (a == b)
        return g * wa, g * (1 - wa)


class Where(Function):
    """where(c, a, b): ∂/∂a = [c], ∂/∂b = [¬c]."""

    @staticmethod
    def forward(ctx, a, b, cond=None):
        broadcast_shape(cond.shape, a.shape, b.shape, op="where")
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        z = g.dtype.type(0)
        return np.where(cond, g, z), np.where(cond, z, g)


class Cast(Function):
    """Conversión de dtype: ∂/∂a = 1 (el gradiente vuelve al dtype de la entrada)."""

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.src = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.src)


class Clone(Function):
    """Copia con memoria propia; ∂/∂a = 1."""

    @staticmethod
    def forward(ctx, a):
        return np.array(a, copy=True)

    @staticmethod
    def backward(ctx, g):
        return g
