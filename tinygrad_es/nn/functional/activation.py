"""Activaciones de ``torch.nn.functional``: ``relu``, ``sigmoid``, ``softmax``, ``gelu``, ``silu``,
``elu``... Cada una comprueba su entrada y llama a la ``Function`` de ``ops/activation.py`` (donde
está su derivada) o se compone de otras operaciones.

Como en PyTorch: la entrada debe ser de coma flotante (salvo ``hardtanh``/``relu6``/``softsign``), en
los puntos no derivables se usa la misma derivada lateral que PyTorch, y ``inplace=True`` escribe
el resultado en la propia entrada. Los docstrings (fórmula, derivada, argumentos, un ejemplo) salen de la
tabla de ``nn/_activation_docs.py``, la misma que documenta las capas de ``nn``.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..._random import default_rng
from ..._tensor import Tensor
from ..._tensor._args import check_fits, floats_only
from ..._validate import choice, number
from ...autograd import TensorBase
from ...ops.activation import (SELU_ALPHA, SELU_SCALE, Elu, Gelu, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                               Logsigmoid, Mish, Prelu, Silu, Softplus, Softshrink, Threshold)
from .._activation_docs import ACTIVATIONS, function_doc
from ._utils import as_tensor

__all__ = ["relu", "relu_", "leaky_relu", "leaky_relu_", "sigmoid", "tanh", "softmax", "log_softmax", "softmin",
           "gelu", "silu", "elu", "celu", "selu", "softplus", "softsign", "mish", "hardsigmoid", "hardswish",
           "hardtanh", "relu6", "logsigmoid", "prelu", "glu", "tanhshrink", "softshrink", "hardshrink", "threshold",
           "implicit_dim", "elu_", "celu_", "selu_", "hardtanh_", "threshold_", "rrelu", "rrelu_", "gumbel_softmax"]


def relu(input, inplace=False):
    """``max(0, x)``; ∂/∂x = 1 si x > 0, si no 0."""
    x = as_tensor(input, "relu")
    return x.relu_() if inplace else x.relu()


def relu_(input):
    """``relu(input, inplace=True)``: ``max(0, x)`` escrito sobre ``input``, que se devuelve.
    En PyTorch: ``torch.nn.functional.relu_``."""
    return relu(input, inplace=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` si x > 0, si no ``pendiente·x``."""
    x = as_tensor(input, "leaky_relu")
    number(negative_slope, "negative_slope", "leaky_relu")
    if inplace:
        return x._inplace("leaky_relu_", lambda s: s.leaky_relu(negative_slope))
    return x.leaky_relu(negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """``leaky_relu(input, negative_slope, inplace=True)``: el resultado se escribe sobre ``input``.
    En PyTorch: ``torch.nn.functional.leaky_relu_``."""
    return leaky_relu(input, negative_slope, inplace=True)


def sigmoid(input):
    return as_tensor(input, "sigmoid").sigmoid()


def tanh(input):
    return as_tensor(input, "tanh").tanh()


def implicit_dim(ndim: int, name: str, stacklevel: int = 4) -> int:
    """El eje que PyTorch elige si no se indica ``dim`` (obsoleto: avisa, como PyTorch)."""
    warnings.warn(f"Llamar a {name} sin dim está obsoleto (también en PyTorch): indica dim=... "
                  f"(se usa dim={0 if ndim in (0, 1, 3) else 1})", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``e^(x_i) / Σ_j e^(x_j)`` a lo largo de ``dim`` (estable: se resta el máximo)."""
    x = as_tensor(input, "softmax")
    if dim is None:
        dim = implicit_dim(x.ndim, "softmax")
    return x.softmax(dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``x − logsumexp(x)`` a lo largo de ``dim``."""
    x = as_tensor(input, "log_softmax")
    if dim is None:
        dim = implicit_dim(x.ndim, "log_softmax")
    return x.log_softmax(dim, dtype)


def _check(x, op):
    """Las activaciones de ``ops/activation.py`` piden un Tensor de coma flotante (como PyTorch)."""
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}: la entrada debe ser un Tensor, no {type(x).__name__}")
    floats_only(x, op)


def _run(x, op, inplace, fn):
    """Aplica ``fn(x)``; con ``inplace=True`` escribe el resultado en ``x`` (como ``F.xxx(inplace=True)``)."""
    if inplace:
        return x._inplace(op + "_", fn)
    return fn(x)


def gelu(input, approximate="none"):
    """GELU: ``x·Φ(x)`` (exacta) o su aproximación con ``tanh`` (``approximate="tanh"``)."""
    choice(approximate, ("none", "tanh"), "approximate", "gelu", exc=RuntimeError, type_exc=TypeError)
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
    if input._data.dtype == np.bool_:
        raise RuntimeError("hardtanh (y relu6) no admiten tensores bool (como PyTorch)")
    if input._data.dtype.kind == "u" and (min_val < 0 or max_val < 0):
        raise RuntimeError(f"hardtanh: no se puede aplicar a un tensor sin signo ({input.dtype}) con límites "
                           f"negativos ({min_val}, {max_val})")
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
    """``x`` si ``x > threshold`` (o nan), si no ``value``; también con enteros (sin gradiente), como
    PyTorch."""
    if not isinstance(input, TensorBase):
        raise TypeError(f"threshold: la entrada debe ser un Tensor, no {type(input).__name__}")
    if input._data.dtype.kind != "f":
        if input._data.dtype == np.bool_:
            raise NotImplementedError("threshold no está definida para tensores bool")
        check_fits(value, input._data.dtype)  # −1.0 en uint8: error, como PyTorch

        def fn(x):
            d = x._data
            return TensorBase._wrap(np.where(d <= threshold, np.asarray(value).astype(d.dtype), d))
        return _run(input, "threshold", inplace, fn)
    return _run(input, "threshold", inplace, lambda x: Threshold.apply(x, threshold=threshold, value=value))


def elu_(input, alpha=1.0):
    """``elu(input, alpha, inplace=True)``: el resultado se escribe sobre ``input``, que se devuelve.
    En PyTorch: ``torch.nn.functional.elu_``."""
    return elu(input, alpha, inplace=True)


def celu_(input, alpha=1.0):
    """``celu(input, alpha, inplace=True)``: el resultado se escribe sobre ``input``, que se devuelve.
    En PyTorch: ``torch.nn.functional.celu_``."""
    return celu(input, alpha, inplace=True)


def selu_(input):
    """``selu(input, inplace=True)``: el resultado se escribe sobre ``input``, que se devuelve.
    En PyTorch: ``torch.nn.functional.selu_``."""
    return selu(input, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """``hardtanh(input, min_val, max_val, inplace=True)``: el resultado se escribe sobre ``input``.
    En PyTorch: ``torch.nn.functional.hardtanh_``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input, threshold, value):
    """``threshold(input, threshold, value, inplace=True)``: el resultado se escribe sobre ``input``.
    En PyTorch: ``torch.nn.functional.threshold_``."""
    return _threshold(input, threshold, value, inplace=True)


_threshold = threshold


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """RReLU (ReLU con pendiente aleatoria): ``x`` si x ≥ 0, si no ``a·x``. Entrenando, cada elemento
    sortea su ``a ~ U(lower, upper)``; fuera del entrenamiento, ``a = (lower + upper)/2`` (una
    ``leaky_relu``). ∂/∂x = 1 si x > 0, si no ``a`` (la misma ``a`` del forward).

    Args:
        input: tensor de coma flotante, cualquier forma.
        lower: cota inferior de la pendiente (``1/8``).
        upper: cota superior de la pendiente (``1/3``).
        training: si es ``True``, pendientes aleatorias (``False``).
        inplace: si es ``True``, escribe el resultado sobre ``input``.

    Ejemplo:
        >>> F.rrelu(torch.tensor([-1., 2.]), 0.1, 0.3)
        tensor([-0.2000,  2.0000])

    En PyTorch: ``torch.nn.functional.rrelu`` (la capa es ``nn.RReLU``).
    """
    _check(input, "rrelu")
    number(lower, "lower", "rrelu")
    number(upper, "upper", "rrelu")
    if lower > upper:
        raise RuntimeError(f"rrelu: lower ({lower}) no puede ser mayor que upper ({upper})")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    d = input._data
    slope = np.where(d <= 0, default_rng().uniform(lower, upper, d.shape), 1.0).astype(d.dtype)
    a = Tensor._wrap(slope)
    return _run(input, "rrelu", inplace, lambda x: x * a)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """``rrelu(input, lower, upper, training, inplace=True)``: el resultado se escribe sobre ``input``.
    En PyTorch: ``torch.nn.functional.rrelu_``."""
    return rrelu(input, lower, upper, training, inplace=True)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Muestra de la distribución Gumbel-softmax (Concrete): ``softmax((logits + g)/τ)`` con ``g = −log E``,
    ``E ~ Exp(1)`` (ruido de Gumbel): una categoría casi one-hot y derivable. Con ``hard=True`` devuelve el
    one-hot del máximo, pero el gradiente es el de la muestra blanda (*straight-through*:
    ``y_hard − y_soft.detach() + y_soft``). Derivada: la de ``softmax`` entre ``τ`` (el ruido es constante).

    Args:
        logits: log-probabilidades sin normalizar ``(*, C)``.
        tau: temperatura > 0 (``1``); pequeña, casi one-hot.
        hard: si es ``True``, salida one-hot con gradiente de la blanda (``False``).
        eps: sin uso (obsoleto en PyTorch, ``1e-10``).
        dim: eje de las categorías (``−1``).

    Ejemplo:
        >>> y = F.gumbel_softmax(torch.randn(2, 5), tau=0.5, hard=True)
        >>> y.sum(-1), sorted(set(y.flatten().tolist()))
        (tensor([1., 1.]), [0.0, 1.0])

    En PyTorch: ``torch.nn.functional.gumbel_softmax``.
    """
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: el argumento eps no se usa (está obsoleto, como en PyTorch)",
                      UserWarning, stacklevel=2)
    x = as_tensor(logits, "gumbel_softmax")
    floats_only(x, "gumbel_softmax")
    e = default_rng().exponential(1.0, tuple(x.shape)).astype(x._data.dtype)
    y_soft = ((x + Tensor._wrap(-np.log(e))) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.detach().argmax(dim, keepdim=True)
    y_hard = Tensor._wrap(np.zeros(tuple(x.shape), dtype=x._data.dtype)).scatter(dim, index, value=1.0)
    return y_hard - y_soft.detach() + y_soft


for _name, _row in ACTIVATIONS.items():
    globals()[_row[0]].__doc__ = function_doc(_name)
