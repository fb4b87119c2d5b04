"""Funciones de activación (las de ``torch.nn.functional``): cada una es una ``Function`` con su
derivada en el docstring, o se compone de otras. ``nn.functional`` las reexporta y ``nn`` las
envuelve como módulos.

Como en PyTorch: la entrada debe ser de coma flotante (salvo ``hardtanh``/``relu6``/``softsign``), en
los puntos no derivables se usa la misma derivada lateral que PyTorch, y ``inplace=True`` escribe
el resultado en la propia entrada.
"""
import math

import numpy as np

from ..autograd import Function, TensorBase, unbroadcast
from .elementwise import stable_sigmoid
from .elementwise_more import erf

__all__ = ["gelu", "silu", "elu", "celu", "selu", "softplus", "softsign", "mish", "hardsigmoid",
           "hardswish", "hardtanh", "relu6", "logsigmoid", "softmin", "prelu", "glu", "tanhshrink",
           "softshrink", "hardshrink", "threshold"]

_ERR = dict(over="ignore", invalid="ignore", divide="ignore")
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
# PyTorch usa la constante 1/6 en float32 también para float64 en el backward de hardsigmoid
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _check(x, op):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}: la entrada debe ser un Tensor, no {type(x).__name__}")
    if x._data.dtype.kind != "f":
        from .._dtype import _BY_NP
        raise NotImplementedError(f"{op} sólo está definida para tensores de coma flotante, no para "
                                  f"{_BY_NP[x._data.dtype]} (convierte con .float())")


def _run(x, op, inplace, fn):
    """Aplica ``fn(x)``; con ``inplace=True`` escribe el resultado en ``x`` (como ``F.xxx(inplace=True)``)."""
    if inplace:
        return x._inplace(op + "_", fn)
    return fn(x)


class _Pointwise(Function):
    """Base de las activaciones elemento a elemento: ``backward`` = g · ``_df(x)``."""

    @staticmethod
    def backward(ctx, g):
        with np.errstate(**_ERR):
            return g * ctx.klass._df(ctx.saved_tensors[0], **ctx.kw)


def _pointwise(name, f, df, doc):
    def forward(ctx, x, **kw):
        ctx.klass, ctx.kw = cls, kw
        ctx.save_for_backward(x)
        with np.errstate(**_ERR):
            return np.asarray(f(x, **kw)).astype(x.dtype, copy=False)
    cls = type(name, (_Pointwise,), {"forward": staticmethod(forward), "_df": classmethod(lambda c, x, **kw: df(x, **kw)),
                                     "__doc__": doc, "__module__": __name__})
    return cls


def _gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x)))
    return x * 0.5 * (1 + erf(x * (1 / math.sqrt(2.0))))


def _dgelu(x, approximate="none"):
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_PI * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + 3 * 0.044715 * x * x)
    return 0.5 * (1 + erf(x * (1 / math.sqrt(2.0)))) + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)


def _softplus(x, beta=1.0, threshold=20.0):
    bx = x * beta
    return np.where(bx > threshold, x, np.log1p(np.exp(bx)) / beta)


def _dsoftplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, 1, stable_sigmoid(x * beta))


def _elu(x, alpha=1.0, scale=1.0, input_scale=1.0):
    return np.where(x > 0, x * scale, (np.expm1(x * input_scale)) * (alpha * scale))


def _delu(x, alpha=1.0, scale=1.0, input_scale=1.0):
    return np.where(x > 0, scale, np.exp(x * input_scale) * (alpha * scale * input_scale))


def _mish(x):
    return x * np.tanh(_softplus(x))


def _dmish(x):
    t = np.tanh(_softplus(x))
    return t + x * (1 - t * t) * stable_sigmoid(x)


Gelu = _pointwise("Gelu", _gelu, _dgelu,
                  "x·Φ(x) con Φ la normal acumulada: ∂/∂x = Φ(x) + x·φ(x). Con approximate='tanh', "
                  "½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³): ∂/∂x = ½(1 + t) + ½x(1 − t²)·u'.")
Silu = _pointwise("Silu", lambda x: x * stable_sigmoid(x),
                  lambda x: stable_sigmoid(x) * (1 + x * (1 - stable_sigmoid(x))),
                  "x·σ(x); ∂/∂x = σ(x)·(1 + x·(1 − σ(x))).")
Elu = _pointwise("Elu", _elu, _delu,
                 "scale·x si x > 0, si no scale·α·(e^(x·s) − 1); ∂/∂x = scale o scale·α·s·e^(x·s) "
                 "(en 0 se usa la rama negativa, como PyTorch). elu, celu (s = 1/α) y selu.")
Softplus = _pointwise("Softplus", _softplus, _dsoftplus,
                      "log(1 + e^(βx))/β (x si βx > umbral); ∂/∂x = σ(βx) (1 por encima del umbral).")
Mish = _pointwise("Mish", _mish, _dmish,
                  "x·tanh(softplus(x)); ∂/∂x = t + x·(1 − t²)·σ(x), t = tanh(softplus(x)).")
Hardsigmoid = _pointwise("Hardsigmoid", lambda x: np.clip(x / 6 + 0.5, 0, 1),
                         lambda x: np.where((x > -3) & (x < 3), _ONE_SIXTH_F32, 0),
                         "clip(x/6 + ½, 0, 1); ∂/∂x = 1/6 en (−3, 3) y 0 fuera (bordes incluidos).")
Hardswish = _pointwise("Hardswish", lambda x: x * np.clip(x + 3, 0, 6) / 6,
                       lambda x: np.where(x <= -3, 0, np.where(x < 3, x / 3 + 0.5, 1)),
                       "x·relu6(x + 3)/6; ∂/∂x = 0 si x ≤ −3, x/3 + ½ si −3 < x < 3, 1 si x ≥ 3.")
Hardtanh = _pointwise("Hardtanh", lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val),
                      lambda x, min_val=-1.0, max_val=1.0: ((x > min_val) & (x < max_val)).astype(x.dtype),
                      "clip(x, min, max); ∂/∂x = 1 en (min, max) abierto, 0 fuera y en los bordes.")
Logsigmoid = _pointwise("Logsigmoid", lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))),
                        lambda x: stable_sigmoid(-x), "log σ(x) = −softplus(−x); ∂/∂x = σ(−x) = 1 − σ(x).")
Softshrink = _pointwise("Softshrink", lambda x, lambd=0.5: np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)),
                        lambda x, lambd=0.5: (np.abs(x) > lambd).astype(x.dtype),
                        "x ∓ λ fuera de [−λ, λ] y 0 dentro; ∂/∂x = [|x| > λ].")
Hardshrink = _pointwise("Hardshrink", lambda x, lambd=0.5: np.where(np.abs(x) > lambd, x, 0),
                        lambda x, lambd=0.5: (np.abs(x) > lambd).astype(x.dtype),
                        "x fuera de [−λ, λ] y 0 dentro; ∂/∂x = [|x| > λ].")
Threshold = _pointwise("Threshold", lambda x, threshold=0.0, value=0.0: np.where(x > threshold, x, value),
                       lambda x, threshold=0.0, value=0.0: (x > threshold).astype(x.dtype),
                       "x si x > umbral, si no ``value``; ∂/∂x = [x > umbral].")


def gelu(input, approximate="none"):
    """GELU: ``x·Φ(x)`` (exacta) o su aproximación con ``tanh`` (``approximate="tanh"``)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: approximate debe ser 'none' o 'tanh', no {approximate!r}")
    _check(input, "gelu")
    return Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    """SiLU (swish): ``x·σ(x)``."""
    _check(input, "silu")
    return _run(input, "silu", inplace, lambda x: Silu.apply(x))


def elu(input, alpha=1.0, inplace=False):
    """ELU: ``x`` si x > 0, si no ``α·(eˣ − 1)``."""
    _check(input, "elu")
    return _run(input, "elu", inplace, lambda x: Elu.apply(x, alpha=float(alpha)))


def celu(input, alpha=1.0, inplace=False):
    """CELU: ``max(0, x) + min(0, α·(e^(x/α) − 1))``."""
    _check(input, "celu")
    if alpha == 0:
        raise RuntimeError("celu: alpha no puede ser 0 (ZeroDivisionError)")
    return _run(input, "celu", inplace, lambda x: Elu.apply(x, alpha=float(alpha), input_scale=1.0 / alpha))


def selu(input, inplace=False):
    """SELU: ``scale·elu(x, α)`` con las constantes autonormalizantes de Klambauer et al."""
    _check(input, "selu")
    return _run(input, "selu", inplace, lambda x: Elu.apply(x, alpha=SELU_ALPHA, scale=SELU_SCALE))


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + e^(βx))/β``; lineal (``x``) donde ``βx > threshold`` para no desbordar."""
    _check(input, "softplus")
    return Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def softsign(input):
    """``x/(1 + |x|)``; ∂/∂x = 1/(1 + |x|)². (Compuesta de otras operaciones, como en PyTorch.)"""
    return input / (input.abs() + 1)


def mish(input, inplace=False):
    """Mish: ``x·tanh(softplus(x))``."""
    _check(input, "mish")
    return _run(input, "mish", inplace, lambda x: Mish.apply(x))


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3)/6``."""
    _check(input, "hardsigmoid")
    return _run(input, "hardsigmoid", inplace, lambda x: Hardsigmoid.apply(x))


def hardswish(input, inplace=False):
    """``x·relu6(x + 3)/6``."""
    _check(input, "hardswish")
    return _run(input, "hardswish", inplace, lambda x: Hardswish.apply(x))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Recorta a [min_val, max_val]; la derivada es 1 sólo en el interior (0 en los bordes)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) no puede ser mayor que max_val ({max_val})")
    if not isinstance(input, TensorBase):
        raise TypeError(f"hardtanh: la entrada debe ser un Tensor, no {type(input).__name__}")
    return _run(input, "hardtanh", inplace, lambda x: Hardtanh.apply(x, min_val=min_val, max_val=max_val))


def relu6(input, inplace=False):
    """``min(max(0, x), 6)`` (= ``hardtanh(x, 0, 6)``)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def logsigmoid(input):
    """``log σ(x)`` estable (sin desbordar para |x| grande)."""
    _check(input, "logsigmoid")
    return Logsigmoid.apply(input)


def _implicit_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(−x, dim)``: pesos que favorecen los valores pequeños."""
    if dim is None:
        dim = _implicit_dim(input.ndim)
    x = input if dtype is None else input.type(dtype)
    _check(x, "softmin")
    return (-x).softmax(dim)


class Prelu(Function):
    """``x`` si x > 0, si no ``w·x`` con un peso por canal (eje 1) o uno común.
    ∂/∂x = 1 si x > 0, si no w;  ∂/∂w = Σ (x si x ≤ 0, si no 0) sobre lo que comparte peso."""

    @staticmethod
    def forward(ctx, x, w):
        wb = w.reshape((1, w.size) + (1,) * (x.ndim - 2)) if x.ndim >= 2 else w.reshape(())
        ctx.save_for_backward(x, wb)
        ctx.wshape = w.shape
        return np.where(x > 0, x, wb * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, wb = ctx.saved_tensors
        pos = x > 0
        gx = np.where(pos, g, g * wb)
        gw = None
        if ctx.needs_input_grad[1]:
            gw = unbroadcast(np.where(pos, 0, g * x), wb.shape).reshape(ctx.wshape)
        return gx, gw


def prelu(input, weight):
    """PReLU: ``max(0, x) + w·min(0, x)``, ``weight`` con 1 elemento o uno por canal (eje 1)."""
    _check(input, "prelu")
    if not isinstance(weight, TensorBase):
        raise TypeError(f"prelu: weight debe ser un Tensor, no {type(weight).__name__}")
    if weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"prelu: la entrada y weight deben tener el mismo dtype ({input.dtype} y "
                           f"{weight.dtype})")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"prelu: weight tiene {weight.numel()} elementos pero la entrada tiene {channels} "
                           f"canales (eje 1); usa 1 peso o uno por canal")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: weight debe ser 0-D o 1-D, no de forma {tuple(weight.shape)}")
    return Prelu.apply(input, weight)


def glu(input, dim=-1):
    """GLU: parte la entrada en dos mitades ``a, b`` a lo largo de ``dim`` y da ``a·σ(b)``."""
    _check(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu no admite tensores 0-D")
    d = input._dim(dim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: el eje {dim} debe tener tamaño par para partirlo en dos, y tiene {n}")
    lead = (slice(None),) * d
    a = input[lead + (slice(0, n // 2),)]
    b = input[lead + (slice(n // 2, n),)]
    return a * b.sigmoid()


def tanhshrink(input):
    """``x − tanh(x)``."""
    return input - input.tanh()


def softshrink(input, lambd=0.5):
    """``x ∓ λ`` fuera de [−λ, λ] y 0 dentro."""
    _check(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambd debe ser ≥ 0, no {lambd}")
    return Softshrink.apply(input, lambd=float(lambd))


def hardshrink(input, lambd=0.5):
    """``x`` fuera de [−λ, λ] y 0 dentro."""
    _check(input, "hardshrink")
    return Hardshrink.apply(input, lambd=float(lambd))


def threshold(input, threshold, value, inplace=False):
    """``x`` si ``x > threshold``, si no ``value``."""
    _check(input, "threshold")
    return _run(input, "threshold", inplace, lambda x: Threshold.apply(x, threshold=threshold, value=value))
