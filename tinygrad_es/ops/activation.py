"""Funciones de activación: cada una es una ``ArrayFunction`` con su derivada en el docstring. Las
funciones públicas (``F.gelu``...) están en ``nn/functional/activation.py`` y los módulos en
``nn/modules/activation.py``.

En los puntos no derivables se usa la misma derivada lateral que PyTorch. Las de la tabla se
generan con ``_pointwise`` (``_util.pointwise``, la misma fábrica que ``unary.py``) a partir de la
función y su derivada.
"""
import functools
import math
import sys

import numpy as np

from ..autograd import ArrayFunction, engine
from ..kernels import activation as KA
from ..kernels import relu as K
from ..kernels import special as KS
from ._namespace import NUMPY, namespace, stable_sigmoid
from ._util import elementwise_tangent, pointwise

__all__ = ["Tanh", "Sigmoid", "Relu", "LeakyRelu", "stable_sigmoid", "Gelu", "Silu", "Elu", "Softplus", "Mish",
           "Hardsigmoid", "Hardswish", "Hardtanh", "Logsigmoid", "Softshrink", "Hardshrink", "Threshold", "Prelu",
           "SELU_ALPHA", "SELU_SCALE"]

_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
# PyTorch usa la constante 1/6 en float32 también para float64 en el backward de hardsigmoid
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Tanh(ArrayFunction):
    """tanh a: ∂/∂a = 1 − tanh²a (en float32, núcleos de ``kernels/activation.py``: tanh
    correctamente redondeado y el backward en una pasada)."""

    differentiable = True
    reads = ((-1,),)  # la derivada lee la salida (el contador de versiones la vigila sin buscarla)

    @staticmethod
    def forward(ctx, a):
        out = KA.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return KA.tanh_backward(g, out)


class Sigmoid(ArrayFunction):
    """σ(a) = 1/(1+e⁻ᵃ): ∂/∂a = σ(a)·(1 − σ(a))."""

    differentiable = True
    reads = ((-1,),)  # la derivada lee la salida (el contador de versiones la vigila sin buscarla)

    @staticmethod
    def forward(ctx, a):
        out = stable_sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)


# Referencias a ``g`` dentro de un ``backward`` cuando sólo lo tiene el motor: la variable local de
# ``engine.run_backward``, el parámetro y el argumento de ``sys.getrefcount``. Quien guarde ``g`` en
# otro sitio (un hook, ``retain_grad``, ``autograd.grad`` que lo captura, el gradiente que pasa el
# usuario) lo sube y entonces no se reutiliza.
# Sólo en CPython 3.11, donde se midió: otras versiones cuentan de otro modo las referencias de la pila
# (3.14 las toma prestadas) y un recuento más bajo haría escribir en un ``g`` que alguien más ve.
_ENGINE_REFS = 3 if sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 11) else 0


def _private(g) -> bool:
    """¿Se puede escribir en ``g`` sin que nadie más lo vea? (ndarray escribible cuya memoria es suya
    o de una base que sólo él mira, y sin observadores del backward, que lo leen después)."""
    if g.__class__ is not np.ndarray or not g.flags.writeable or engine._observers:
        return False
    return g.base is None or (g.base.__class__ is np.ndarray and g.base.base is None
                              and sys.getrefcount(g.base) <= 2)  # la vista y el argumento


class Relu(ArrayFunction):
    """max(a, 0): ∂/∂a = 1 si a > 0, 0 si no (también en a = 0)."""

    tangent = staticmethod(elementwise_tangent)
    reads = ((-1,),)

    @staticmethod
    def forward(ctx, a):
        out = K.relu(a)  # una pasada; NaN se propaga como en torch.relu
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # derivada en 0: 0; donde out ≤ 0 el gradiente es 0 aunque g sea inf o NaN, y un
        # NaN de la entrada deja pasar g (threshold_backward de PyTorch). Si sólo el motor ve g
        # (recién calculado por el backward de después), el resultado va en su memoria: en la CNN del
        # curso, una activación de 5 MB menos en el pico del backward (PyTorch reserva otra)
        reuse = sys.getrefcount(g) <= _ENGINE_REFS and _private(g)  # antes de la llamada: sus argumentos contarían
        return K.relu_backward(g, out, reuse)


class LeakyRelu(ArrayFunction):
    """a si a > 0, pendiente·a si no: ∂/∂a = 1 o pendiente."""

    tangent = staticmethod(elementwise_tangent)

    reads = ((0,),)

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


# y = f(x, **opciones) con su derivada en x (las activaciones guardan la entrada, como PyTorch). Las
# fórmulas reciben el espacio de nombres (xp): el forward las usa con numpy y el orden superior
# deriva las derivadas con tensores.
_pointwise = functools.partial(pointwise, module=__name__)


def _np(fn):
    """La forma de un forward: ``f(x, **opciones)`` con numpy."""
    return functools.partial(fn, NUMPY)


def _gelu(xp, x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + xp.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x)))
    if xp is NUMPY and x.dtype == np.float32:  # un núcleo: erf escalar de libm era la mitad del paso
        return KS.gelu_f32(x)
    return x * 0.5 * (1 + xp.erf(x * (1 / math.sqrt(2.0))))


def _dgelu(xp, x, approximate="none"):
    if approximate == "tanh":
        t = xp.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + 3 * 0.044715 * x * x)
    if xp is NUMPY and x.dtype == np.float32:
        return KS.gelu_slope_f32(x)
    return 0.5 * (1 + xp.erf(x * (1 / math.sqrt(2.0)))) + x * _INV_SQRT_2PI * xp.exp(-0.5 * x * x)


def _softplus(xp, x, beta=1.0, threshold=20.0):
    bx = x * beta
    return xp.where(bx > threshold, x, xp.log1p(xp.exp(bx)) / beta)


def _dsoftplus(xp, x, beta=1.0, threshold=20.0):
    return xp.where(x * beta > threshold, 1, xp.sigmoid(x * beta))


def _elu(xp, x, alpha=1.0, scale=1.0, input_scale=1.0):
    return xp.where(x > 0, x * scale, (xp.expm1(x * input_scale)) * (alpha * scale))


def _delu(xp, x, alpha=1.0, scale=1.0, input_scale=1.0):
    return xp.where(x > 0, scale, xp.exp(x * input_scale) * (alpha * scale * input_scale))


def _mish(xp, x):
    return x * xp.tanh(_softplus(xp, x))


def _dmish(xp, x):
    t = xp.tanh(_softplus(xp, x))
    return t + x * (1 - t * t) * xp.sigmoid(x)


def _hardswish(x):
    return x * np.clip(x + 3, 0, 6) / 6


_Gelu = _pointwise("Gelu", _np(_gelu), _dgelu, "")


class Gelu(_Gelu):
    """x·Φ(x) con Φ la normal acumulada: ∂/∂x = Φ(x) + x·φ(x). Con approximate='tanh', ½x(1 + tanh(u)),
    u = √(2/π)(x + 0.044715x³): ∂/∂x = ½(1 + t) + ½x(1 − t²)·u'. En float32 (la exacta) el backward
    g·(Φ + x·φ) es un núcleo de una pasada (``kernels/special.py``)."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if (type(g) is np.ndarray and g.dtype == np.float32 and x.dtype == np.float32 and g.shape == x.shape
                and ctx.kw.get("approximate", "none") == "none"):
            return KS.gelu_backward_f32(g, x)
        return _Gelu.backward(ctx, g)
Silu = _pointwise("Silu", lambda x: x * stable_sigmoid(x),
                  lambda xp, x: xp.sigmoid(x) * (1 + x * (1 - xp.sigmoid(x))),
                  "x·σ(x); ∂/∂x = σ(x)·(1 + x·(1 − σ(x))).")
Elu = _pointwise("Elu", _np(_elu), _delu,
                 "scale·x si x > 0, si no scale·α·(e^(x·s) − 1); ∂/∂x = scale o scale·α·s·e^(x·s) "
                 "(en 0 se usa la rama negativa, como PyTorch). elu, celu (s = 1/α) y selu.")
Softplus = _pointwise("Softplus", _np(_softplus), _dsoftplus,
                      "log(1 + e^(βx))/β (x si βx > umbral); ∂/∂x = σ(βx) (1 por encima del umbral).")
Mish = _pointwise("Mish", _np(_mish), _dmish,
                  "x·tanh(softplus(x)); ∂/∂x = t + x·(1 − t²)·σ(x), t = tanh(softplus(x)).")
Hardsigmoid = _pointwise("Hardsigmoid", lambda x: np.clip(x / 6 + 0.5, 0, 1), lambda xp, x: _ONE_SIXTH_F32,
                         "clip(x/6 + ½, 0, 1); ∂/∂x = 1/6 en (−3, 3) y 0 fuera (bordes incluidos, y en nan).",
                         zero=lambda x: ~((x > -3) & (x < 3)), constant=True)
Hardswish = _pointwise("Hardswish", _hardswish, lambda xp, x: xp.where(x < 3, x / 3 + 0.5, 1),
                       "x·relu6(x + 3)/6; ∂/∂x = 0 si x ≤ −3, x/3 + ½ si −3 < x < 3, 1 si x ≥ 3 (las ramas de PyTorch).",
                       zero=lambda x: x <= -3)
Hardtanh = _pointwise("Hardtanh", lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val), None,
                      "clip(x, min, max); ∂/∂x = 1 en (min, max) abierto, 0 fuera y en los bordes (1 en nan).",
                      zero=lambda x, min_val=-1.0, max_val=1.0: (x <= min_val) | (x >= max_val), constant=True)
Logsigmoid = _pointwise("Logsigmoid", lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))),
                        lambda xp, x: xp.sigmoid(-x), "log σ(x) = −softplus(−x); ∂/∂x = σ(−x) = 1 − σ(x).")
Softshrink = _pointwise("Softshrink", lambda x, lambd=0.5: np.where(np.abs(x) <= lambd, 0, x - np.sign(x) * lambd),
                        None, "x ∓ λ fuera de [−λ, λ] y 0 dentro (nan sigue siendo nan); ∂/∂x = [|x| > λ].",
                        zero=lambda x, lambd=0.5: np.abs(x) <= lambd, constant=True)
Hardshrink = _pointwise("Hardshrink", lambda x, lambd=0.5: np.where(np.abs(x) <= lambd, 0, x), None,
                        "x fuera de [−λ, λ] y 0 dentro (nan sigue siendo nan); ∂/∂x = [|x| > λ].",
                        zero=lambda x, lambd=0.5: np.abs(x) <= lambd, constant=True)
Threshold = _pointwise("Threshold", lambda x, threshold=0.0, value=0.0: np.where(x <= threshold, value, x), None,
                       "x si x > umbral (o nan), si no ``value``; ∂/∂x = [no x ≤ umbral].",
                       zero=lambda x, threshold=0.0, value=0.0: x <= threshold, constant=True)


class Prelu(ArrayFunction):
    """``x`` si x > 0, si no ``w·x`` con un peso por canal (eje 1) o uno común.
    ∂/∂x = 1 si x > 0, si no w;  ∂/∂w = Σ (x si x ≤ 0, si no 0) sobre lo que comparte peso."""

    differentiable = True

    @staticmethod
    def forward(ctx, x, w):
        ctx.wb_shape = (1, w.size) + (1,) * (x.ndim - 2) if x.ndim >= 2 else ()
        ctx.save_for_backward(x, w)
        ctx.wshape = w.shape
        # ejes que comparten cada peso (todos si hay uno solo)
        ctx.w_axes = tuple(i for i in range(x.ndim) if i != 1 or w.size == 1 or x.ndim < 2)
        return np.where(x > 0, x, w.reshape(ctx.wb_shape) * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        xp = namespace(g)
        pos = x > 0
        gx = xp.where(pos, g, g * w.reshape(ctx.wb_shape))
        gw = None
        if ctx.needs_input_grad[1]:
            gw = xp.sum(xp.where(pos, 0, g * x), axis=ctx.w_axes).reshape(ctx.wshape)
        return gx, gw
