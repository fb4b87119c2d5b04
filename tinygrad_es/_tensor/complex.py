"""Tensores complejos (``complex64``/``complex128``), lo justo para el audio y ``torch.fft``.

Un tensor cuyo ndarray es complejo es un ``ComplexTensor`` (``TensorBase._wrap`` elige la clase por
el dtype): un ``Tensor`` con las operaciones de PyTorch que tienen sentido en ℂ y con gradiente
(convención de ``ops/complex.py``): ``abs``, ``angle``, ``real``, ``imag``, ``conj``, ``exp``,
``+ − × ÷`` (con reales, complejos o números de Python), ``pow`` con exponente real, ``sum``,
``mean`` y las de forma e índices (reshape, permute, transpose, ``[...]``, cat/stack, flip, roll…),
que son lineales con coeficientes reales y valen tal cual. Las demás (``relu``, ``max``, ``<``,
``matmul``…) dan un error claro en lugar de un resultado silenciosamente equivocado.

Se crean con ``torch.stft(..., return_complex=True)``, ``torch.fft.*``, ``torch.complex(re, im)``,
``torch.polar(r, θ)``, ``torch.view_as_complex(x)`` o ``.to(torch.complex64)``.

>>> S = torch.stft(x, 400, window=torch.hann_window(400), return_complex=True)
>>> S.abs().pow(2)              # espectrograma de potencia (real, con gradiente hacia x)
>>> torch.view_as_real(S)       # (…, 2): parte real e imaginaria
"""
from __future__ import annotations

import builtins
import numbers
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..ops import complex as C
from .arithmetic import register_complex_binary
from .tensor import Tensor

__all__ = ["ComplexTensor", "view_as_real", "view_as_complex", "complex", "polar", "real", "imag", "complex_binary"]


def _is_complex_value(x) -> bool:
    return isinstance(x, (builtins.complex, np.complexfloating)) or (
        isinstance(x, TensorBase) and x._data.dtype.kind == "c")


def _result_dtype(*ops) -> np.dtype:
    """dtype complejo del resultado, como PyTorch: la precisión la dan los tensores con dimensiones
    (o, si no hay, los 0-D): float64/complex128 → complex128; si no, complex64."""
    tensors = [o for o in ops if isinstance(o, TensorBase)]
    lead = [t for t in tensors if t.ndim] or tensors
    wide = any(t._data.dtype in (np.float64, np.complex128) for t in lead)
    return np.dtype(np.complex128 if wide else np.complex64)


def _operand(x, npd: np.dtype):
    """Un número, lista o ndarray como tensor (real si es real, en la precisión de ``npd``)."""
    if isinstance(x, TensorBase):
        if x._data.dtype.kind not in "fc":   # enteros y bool se convierten (sin gradiente)
            return TensorBase._wrap(x._data.astype(C.real_dtype(npd)))
        return x
    a = np.asarray(x)
    if a.dtype == object or a.dtype.kind not in "biufc":
        raise TypeError(f"operando no numérico: {type(x).__name__}")
    return TensorBase._wrap(a.astype(npd if a.dtype.kind == "c" else C.real_dtype(npd)))


def complex_binary(name: str, a, b, **kw):
    """``a op b`` con al menos un complejo (``name``: add, sub, mul, div)."""
    npd = _result_dtype(a, b)
    fn = {"add": C.Add, "sub": C.Sub, "mul": C.Mul, "div": C.Div}[name]
    return fn.apply(_operand(a, npd), _operand(b, npd), out_dtype=npd, **kw)


register_complex_binary(complex_binary, _is_complex_value)


class ComplexTensor(Tensor):
    """Tensor complejo (``complex64`` o ``complex128``); véase el docstring del módulo."""

    __slots__ = ()

    # -- partes -----------------------------------------------------------------------------
    @property
    def real(self) -> Tensor:
        """Parte real (real, con gradiente)."""
        return C.Real.apply(self)

    @property
    def imag(self) -> Tensor:
        """Parte imaginaria (real, con gradiente)."""
        return C.Imag.apply(self)

    def is_complex(self) -> bool:
        return True

    def abs(self) -> Tensor:
        """Módulo |z| (real). ∂: g·z/|z| (0 en z = 0, como PyTorch)."""
        return C.Abs.apply(self)

    absolute = abs

    def __abs__(self):
        return C.Abs.apply(self)

    def angle(self) -> Tensor:
        """Argumento atan2(Im z, Re z) en (−π, π] (real)."""
        return C.Angle.apply(self)

    def conj(self):
        """Conjugado (PyTorch lo hace perezoso con una marca; aquí es una copia)."""
        return C.Conj.apply(self)

    conj_physical = conj

    def resolve_conj(self):
        return self

    resolve_neg = resolve_conj

    def exp(self):
        return C.Exp.apply(self)

    # -- aritmética ---------------------------------------------------------------------------
    def add(self, other, *, alpha=1):
        return complex_binary("add", self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        if alpha != 1:
            return complex_binary("add", self, other, alpha=-alpha)
        return complex_binary("sub", self, other)

    def mul(self, other):
        return complex_binary("mul", self, other)

    def div(self, other, *, rounding_mode=None):
        if rounding_mode is not None:
            raise RuntimeError("div: rounding_mode no está definido para números complejos")
        return complex_binary("div", self, other)

    subtract, multiply, divide, true_divide = sub, mul, div, div

    def __add__(self, o):
        return complex_binary("add", self, o)

    def __radd__(self, o):
        return complex_binary("add", o, self)

    def __sub__(self, o):
        return complex_binary("sub", self, o)

    def __rsub__(self, o):
        return complex_binary("sub", o, self)

    def __mul__(self, o):
        return complex_binary("mul", self, o)

    def __rmul__(self, o):
        return complex_binary("mul", o, self)

    def __truediv__(self, o):
        return complex_binary("div", self, o)

    def __rtruediv__(self, o):
        return complex_binary("div", o, self)

    def pow(self, exponent):
        """z^p con p real (un número); para z² también vale ``z * z``."""
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise NotImplementedError("pow de un tensor complejo: sólo con un exponente real (un número "
                                      f"de Python), no con {type(exponent).__name__}")
        return C.PowScalar.apply(self, p=float(exponent) if not isinstance(exponent, numbers.Integral)
                                 else int(exponent))

    __pow__ = pow

    def __rpow__(self, o):
        raise NotImplementedError("un número elevado a un tensor complejo no está soportado en tinygrad_es")

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        """Media (compleja) sobre ``dim``."""
        x = self if dtype is None else self.to(dtype)
        s = x.sum(dim, keepdim=keepdim)
        n = x.numel() // max(s.numel(), 1) if x.numel() else 0
        return s / float(n) if n else s / float("nan")

    def __complex__(self):
        return builtins.complex(self.item())

    # -- conversiones --------------------------------------------------------------------------
    def type(self, dtype=None):
        """Conversión de dtype (``to``, ``float()``... pasan por aquí). A un dtype real descarta la
        parte imaginaria con un aviso, como PyTorch."""
        if dtype is None:
            return Tensor.type(self)
        npd = D.np_dtype(dtype)
        if npd.kind != "c":
            warnings.warn("convertir complejos a reales descarta la parte imaginaria", UserWarning, stacklevel=3)
            return Tensor.type(C.Real.apply(self), dtype)
        return Tensor.type(self, dtype)

    # -- gradiente ------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True):
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("sólo se puede cambiar requires_grad en hojas; usa .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if gradient is None:
            raise RuntimeError(f"backward() sin gradient sólo vale para una salida real de un elemento; ésta "
                               f"es {self.dtype}. Reduce a un número real antes (p. ej. z.abs().sum())")
        return Tensor.backward(self, gradient, retain_graph, create_graph, inputs)

    def __repr__(self):
        r = Tensor.__repr__(self)
        return r.replace(", dtype=tinygrad_es.complex64", "")   # el complejo por defecto, como PyTorch


# Lo heredado de Tensor que es lineal con coeficientes reales (o no mira los valores) vale para
# complejos tal cual; el resto se bloquea con un error que lo dice.
_ALLOWED = set("""
to float double half astype type_as stft istft is_conj T mT shape dtype ndim device is_cuda is_leaf size numel nelement dim element_size is_floating_point
grad grad_fn data retains_grad requires_grad name detach detach_ numpy item tolist clone contiguous
is_contiguous retain_grad register_hook reshape reshape_as view view_as flatten unflatten squeeze
unsqueeze permute transpose t movedim moveaxis swapaxes swapdims narrow index_select expand expand_as
broadcast_to repeat tile flip fliplr flipud roll chunk split unbind tensor_split sum cumsum neg negative
zero_ copy_ fill_ eq ne equal not_equal cpu cuda pad diff diagonal diag trace
add_ sub_ mul_ div_ neg_ pow_ isnan isfinite isinf isreal
""".split())


def _blocked(name):
    def no(self, *args, **kwargs):
        raise RuntimeError(f"'{name}' no está definido (o no está soportado en tinygrad_es) para tensores "
                           f"complejos ({self.dtype}); trabaja con .abs(), .angle(), .real o .imag")
    no.__name__ = name
    return no


for _n in dir(Tensor):
    if _n.startswith("_") and not (_n.startswith("__") and _n.endswith("__")):
        continue
    if _n in _ALLOWED or _n in ComplexTensor.__dict__ or _n.startswith("graph_"):
        continue
    _attr = getattr(Tensor, _n, None)
    if _n.startswith("__"):
        if _n in ("__lt__", "__le__", "__gt__", "__ge__", "__matmul__", "__rmatmul__", "__floordiv__",
                  "__rfloordiv__", "__mod__", "__rmod__", "__and__", "__or__", "__xor__", "__invert__",
                  "__lshift__", "__rshift__", "__float__", "__int__", "__index__", "__ifloordiv__", "__imod__"):
            setattr(ComplexTensor, _n, _blocked(_n))
        continue
    if callable(_attr) or isinstance(_attr, property):
        setattr(ComplexTensor, _n, _blocked(_n))
del _n, _attr

TensorBase._complex = ComplexTensor


# -- funciones de torch --------------------------------------------------------------------------
def _tensor_arg(x, op):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op} espera un tensor, no {type(x).__name__}")
    return x


def view_as_real(input) -> Tensor:
    """(…) complejo → (…, 2) real con la parte real e imaginaria (una vista, como PyTorch)."""
    z = _tensor_arg(input, "view_as_real")
    if z._data.dtype.kind != "c":
        raise RuntimeError(f"view_as_real sólo vale para tensores complejos, y éste es {z.dtype}")
    return C.ViewAsReal.apply(z)


def view_as_complex(input) -> ComplexTensor:
    """(…, 2) real → (…) complejo: x[…, 0] + i·x[…, 1] (una vista, como PyTorch)."""
    x = _tensor_arg(input, "view_as_complex")
    if x._data.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"view_as_complex sólo vale para tensores float32 o float64, y éste es {x.dtype}")
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError(f"view_as_complex: el último eje debe tener tamaño 2 (parte real e imaginaria), "
                           f"pero la forma es {tuple(x.shape)}")
    return C.ViewAsComplex.apply(x)


def complex(real, imag) -> ComplexTensor:  # noqa: A001 - nombre de PyTorch
    """``torch.complex(real, imag)``: real + i·imag (mismo dtype flotante, con broadcasting)."""
    re, im = _tensor_arg(real, "complex"), _tensor_arg(imag, "complex")
    if re._data.dtype != im._data.dtype or re._data.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"complex: real e imag deben ser del mismo dtype float32 o float64, y son "
                           f"{re.dtype} y {im.dtype}")
    return C.Complex.apply(re, im)


def polar(abs, angle) -> ComplexTensor:  # noqa: A002 - nombres de PyTorch
    """``torch.polar(abs, angle)``: abs·(cos θ + i·sen θ)."""
    r, th = _tensor_arg(abs, "polar"), _tensor_arg(angle, "polar")
    if r._data.dtype != th._data.dtype or r._data.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"polar: abs y angle deben ser del mismo dtype float32 o float64, y son "
                           f"{r.dtype} y {th.dtype}")
    return C.Polar.apply(r, th)


def real(input):
    """``torch.real(x)``: la parte real (un tensor real devuelve el propio tensor)."""
    return _tensor_arg(input, "real").real


def imag(input):
    """``torch.imag(x)``: la parte imaginaria (sólo de un tensor complejo)."""
    return _tensor_arg(input, "imag").imag
