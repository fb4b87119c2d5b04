"""Métodos elemento a elemento de ``Tensor``: trigonométricas, logaritmos, redondeos, restos (``%``,
``//``), ``lerp``, ``isnan``... y las operaciones lógicas y de bits con sus operadores
(``& | ^ ~ << >>``).

Reglas de tipos de PyTorch: las funciones trascendentes de enteros o bool dan float32; los
redondeos de enteros devuelven el mismo entero; ``%`` y ``//`` de enteros siguen siendo enteros.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..ops import arithmetic as AR, copy as C, gamma as G, unary as U
from . import logical as L
from ._args import float_in, floats_only, promote, tensor_other
from .arithmetic import div_rounding

__all__ = ["PointwiseMixin", "FLOAT_UNARY"]


# nombre del método -> ArrayFunction (entrada entera o bool → float32)
FLOAT_UNARY = {
    "sin": U.Sin, "cos": U.Cos, "tan": U.Tan, "asin": U.Asin, "acos": U.Acos, "atan": U.Atan,
    "sinh": U.Sinh, "cosh": U.Cosh, "asinh": U.Asinh, "acosh": U.Acosh, "atanh": U.Atanh,
    "log2": U.Log2, "log10": U.Log10, "log1p": U.Log1p, "exp2": U.Exp2, "expm1": U.Expm1,
    "rsqrt": U.Rsqrt, "reciprocal": U.Reciprocal, "erf": U.Erf, "erfc": U.Erfc,
    "lgamma": G.Lgamma, "digamma": G.Digamma, "erfinv": G.Erfinv, "i0": G.I0,
}
_ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
            "arctanh": "atanh"}
_STEP = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc}


def _make_unary(fn):
    def method(self):
        return fn.apply(float_in(self))
    method.__doc__ = fn.__doc__
    return method


def _make_inplace(name):
    def method(self, *args, **kwargs):
        return self._inplace(name + "_", lambda s: getattr(s, name)(*args, **kwargs))
    method.__name__ = name + "_"
    method.__doc__ = f"``{name}`` in situ."
    return method


def _make_binary_inplace(name):
    def method(self, other, *args, **kwargs):
        return self._inplace(name + "_", lambda s: getattr(s, name)(other, *args, **kwargs), (other,))
    method.__name__ = name + "_"
    method.__doc__ = f"``{name}`` in situ."
    return method


class PointwiseMixin:
    __slots__ = ()

    # -- redondeos y signo: derivada 0; los enteros se quedan como están ------------------
    def _step(self, name, fn):
        if self._data.dtype == np.bool_:
            raise NotImplementedError(f"'{name}' no está definida para tensores bool")
        if self._data.dtype.kind in "iu":
            return C.Clone.apply(self)
        return U.Step.apply(self, fn=fn)

    def floor(self):
        """⌊x⌋ (derivada 0). Un tensor entero se devuelve igual (copia)."""
        return self._step("floor", np.floor)

    def ceil(self):
        """⌈x⌉ (derivada 0)."""
        return self._step("ceil", np.ceil)

    def trunc(self):
        """Parte entera hacia cero (derivada 0)."""
        return self._step("trunc", np.trunc)

    fix = trunc

    def round(self, decimals=0):
        """Redondeo al par más cercano (0.5 → 0, 1.5 → 2, como PyTorch); derivada 0."""
        if self._data.dtype == np.bool_:
            raise NotImplementedError("'round' no está definida para tensores bool")
        if self._data.dtype.kind in "iu":
            if decimals:
                raise NotImplementedError("round(decimals=...) no está definida para tensores enteros")
            return C.Clone.apply(self)
        return U.Step.apply(self, fn=lambda a: U.round_half_even(a, int(decimals)))

    def sign(self):
        """−1, 0 o 1 (y 0 en nan, como PyTorch); derivada 0. bool → bool; enteros → el mismo entero."""
        if self._data.dtype == np.bool_:
            return TensorBase._wrap(self._data.copy())
        return U.Step.apply(self, fn=U.sign_zero_nan)

    def sgn(self):
        """Como ``sign`` (en reales); a diferencia de ``sign``, PyTorch guarda la entrada y la salida para
        su derivada (0), así que cambiarlas in situ antes del backward es un error."""
        if self._data.dtype == np.bool_:
            return TensorBase._wrap(self._data.copy())
        return U.Sgn.apply(self, fn=U.sign_zero_nan)

    def frac(self):
        """x − trunc(x); ∂/∂x = 1."""
        floats_only(self, "frac")
        return U.Frac.apply(self)

    def square(self):
        """x²; ∂/∂x = 2x. bool → int64 (como PyTorch)."""
        x = C.Cast.apply(self, dtype=D.int64.np) if self._data.dtype == np.bool_ else self
        return AR.PowScalar.apply(x, p=2)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        """nan → ``nan``, +inf → ``posinf`` (el mayor finito), −inf → ``neginf``; ∂/∂x = [x finito]."""
        if self._data.dtype.kind != "f":
            return C.Clone.apply(self)
        return U.NanToNum.apply(self, nan=nan, posinf=posinf, neginf=neginf)

    # -- binarias -------------------------------------------------------------------------
    def atan2(self, other):
        """atan2(self, other): ángulo de (other, self) en (−π, π]."""
        return AR.Atan2.apply(*promote(self, tensor_other(other, "atan2"), float_out=True))

    arctan2 = atan2

    def hypot(self, other):
        """√(self² + other²) sin desbordamiento; ∂/∂a = a/h, ∂/∂b = b/h."""
        a, b = promote(self, tensor_other(other, "hypot"))
        floats_only(a, "hypot")
        return AR.Hypot.apply(a, b)

    def logaddexp(self, other):
        """log(e^self + e^other) sin desbordamiento; ∂/∂a = σ(a − b)."""
        a, b = promote(self, tensor_other(other, "logaddexp"))
        floats_only(a, "logaddexp")
        return AR.LogAddExp.apply(a, b)

    def fmod(self, other):
        """Resto con el signo del dividendo (C: ``fmod``)."""
        return AR.Fmod.apply(*_arith(self, other))

    def remainder(self, other):
        """Resto con el signo del divisor (``%`` de Python)."""
        return AR.Remainder.apply(*_arith(self, other))

    def floor_divide(self, other):
        """⌊self / other⌋ (``//``); con enteros, entero. Sin derivada (como PyTorch; la de
        ``div(rounding_mode='floor')`` es 0)."""
        return div_rounding(self, other, "floor", differentiable=False)

    def lerp(self, end, weight):
        """self + weight·(end − self). Como PyTorch: ``end`` es un tensor del mismo dtype (de coma
        flotante) que ``self``; ``weight``, un número o un tensor."""
        tensor_other(end, "lerp", "end")
        if end._data.dtype != self._data.dtype:
            raise RuntimeError(f"lerp: end debe tener el dtype de la entrada ({self.dtype}), y es {end.dtype}")
        floats_only(self, "lerp")
        if isinstance(weight, TensorBase):
            if weight._data.dtype != self._data.dtype:
                raise RuntimeError(f"lerp: weight debe tener el dtype de la entrada ({self.dtype}), y es {weight.dtype}")
            w = weight
        else:
            w = TensorBase._wrap(np.asarray(weight, dtype=self._data.dtype))
        return AR.Lerp.apply(self, end, w)

    def __mod__(self, o):
        return self.remainder(o)

    def __rmod__(self, o):
        return AR.Remainder.apply(*_arith(o, self), scalar_first=not isinstance(o, TensorBase))

    def __floordiv__(self, o):
        return div_rounding(self, o, "floor", differentiable=False)

    def __rfloordiv__(self, o):
        return div_rounding(o, self, "floor", differentiable=False)

    def __rdiv__(self, o):
        """``o / self``: el nombre de Python 2 que PyTorch conserva como alias de ``__rtruediv__``.

        Ejemplo:
            >>> torch.tensor([1., 2., 4.]).__rdiv__(2)
            tensor([2.0000, 1.0000, 0.5000])

        En PyTorch: ``torch.Tensor.__rdiv__``.
        """
        if not isinstance(self, TensorBase):  # Tensor.__rdiv__(2, t): PyTorch también lanza
            raise TypeError(f"Tensor.__rdiv__ se aplica a un tensor, no a {type(self).__name__}")
        return self.__rtruediv__(o)  # por el método: los complejos lo redefinen

    def __imod__(self, o):
        return self.remainder_(o)

    def __ifloordiv__(self, o):
        return self.floor_divide_(o)

    # -- pruebas de valores (bool, sin gradiente) ------------------------------------------
    def isnan(self):
        """``True`` donde el valor es nan (tensor bool, sin gradiente)."""
        return L.isnan(self)

    def isinf(self):
        """``True`` donde el valor es ±inf."""
        return L.isinf(self)

    def isposinf(self):
        """``True`` donde el valor es +inf."""
        return L.isposinf(self)

    def isneginf(self):
        """``True`` donde el valor es −inf."""
        return L.isneginf(self)

    def isfinite(self):
        """``True`` donde el valor no es nan ni ±inf."""
        return L.isfinite(self)

    def signbit(self):
        """``True`` donde el bit de signo está activo (también en −0.0)."""
        return L.signbit(self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        """``|self − other| ≤ atol + rtol·|other|`` elemento a elemento (tensor bool)."""
        return L.isclose(self, tensor_other(other, "isclose"), rtol=rtol, atol=atol, equal_nan=equal_nan)

    # -- lógicas y de bits ----------------------------------------------------------------
    def logical_and(self, other):
        """Y lógico elemento a elemento (0 es falso); resultado bool."""
        return L.logical("and", self, tensor_other(other, "logical_and"))

    def logical_or(self, other):
        """O lógico elemento a elemento; resultado bool."""
        return L.logical("or", self, tensor_other(other, "logical_or"))

    def logical_xor(self, other):
        """O exclusivo lógico elemento a elemento; resultado bool."""
        return L.logical("xor", self, tensor_other(other, "logical_xor"))

    def logical_not(self):
        """Negación lógica elemento a elemento; resultado bool."""
        return L.logical_not(self)

    def bitwise_and(self, other):
        """Y bit a bit (``&``) de tensores bool o enteros."""
        return L.bitwise("and", self, other)

    def bitwise_or(self, other):
        """O bit a bit (``|``) de tensores bool o enteros."""
        return L.bitwise("or", self, other)

    def bitwise_xor(self, other):
        """O exclusivo bit a bit (``^``) de tensores bool o enteros."""
        return L.bitwise("xor", self, other)

    def bitwise_not(self):
        """Negación bit a bit (``~``): ``not`` en bool, ``−x − 1`` en enteros."""
        return L.bitwise_not(self)

    def bitwise_left_shift(self, other):
        """Desplazamiento de bits a la izquierda (``<<``) de enteros."""
        return L.bitwise("left_shift", self, other)

    def bitwise_right_shift(self, other):
        """Desplazamiento aritmético de bits a la derecha (``>>``) de enteros."""
        return L.bitwise("right_shift", self, other)

    __and__ = bitwise_and
    __or__ = bitwise_or
    __xor__ = bitwise_xor
    def __invert__(self):
        return L.bitwise_not(self, TypeError)  # ~x en coma flotante: TypeError (bitwise_not: NotImplementedError)

    __lshift__ = bitwise_left_shift
    __rshift__ = bitwise_right_shift

    def __rand__(self, o):
        """``o & self``: «y» bit a bit (o lógico en bool), como PyTorch."""
        return L.bitwise("and", o, self)

    def __ror__(self, o):
        """``o | self``: «o» bit a bit (o lógico en bool), como PyTorch."""
        return L.bitwise("or", o, self)

    def __rxor__(self, o):
        return L.bitwise("xor", o, self)

    def __rlshift__(self, o):
        return L.bitwise("left_shift", o, self)

    def __rrshift__(self, o):
        return L.bitwise("right_shift", o, self)

    def __iand__(self, o):
        return self.bitwise_and_(o)

    def __ior__(self, o):
        return self.bitwise_or_(o)

    def __ixor__(self, o):
        return self.bitwise_xor_(o)

    def __ilshift__(self, o):
        return self.bitwise_left_shift_(o)

    def __irshift__(self, o):
        return self.bitwise_right_shift_(o)


def _arith(a, b):
    a, b = promote(a, b)
    if a._data.dtype == np.bool_:
        raise NotImplementedError("el resto (%, fmod, remainder) no está definido para dos tensores bool")
    return a, b


def _polygamma(self, n):
    """ψ⁽ⁿ⁾(x), la n-ésima derivada de ``digamma`` (``n`` ≥ 0; enteros → float32).

    Derivada: ∂/∂x = ψ⁽ⁿ⁺¹⁾(x). En PyTorch: ``Tensor.polygamma(n)``, ``torch.polygamma(n, x)``.

    >>> torch.tensor([1.0]).polygamma(1)   # tensor([1.6449]) = π²/6
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"polygamma(): n debe ser un entero, no {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma(n, x): n debe ser ≥ 0, no {n}")
    return G.Polygamma.apply(float_in(self), n=int(n))


PointwiseMixin.polygamma = _polygamma
PointwiseMixin.polygamma_ = lambda self, n: self._inplace("polygamma_", lambda s: s.polygamma(n))
PointwiseMixin.polygamma_.__doc__ = "``polygamma`` in situ."
for _n, _fn in FLOAT_UNARY.items():
    setattr(PointwiseMixin, _n, _make_unary(_fn))
for _alias, _n in _ALIASES.items():
    setattr(PointwiseMixin, _alias, getattr(PointwiseMixin, _n))
INPLACE_UNARY = (list(FLOAT_UNARY) + list(_ALIASES) + ["floor", "ceil", "trunc", "fix", "round", "sign",
                                                       "sgn", "frac", "square", "nan_to_num", "logical_not",
                                                       "bitwise_not"])
INPLACE_BINARY = ["atan2", "arctan2", "hypot", "fmod", "remainder", "floor_divide", "lerp", "logical_and",
                  "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
                  "bitwise_left_shift", "bitwise_right_shift"]
# los que están en otros mixins (se buscan por nombre al llamar): comparaciones, alias de la aritmética,
# las compuestas (addcmul, addmm...); los tensores de los argumentos cuentan para el grafo
INPLACE_ANY = ["log", "deg2rad", "rad2deg", "sinc", "negative", "absolute", "logit", "i0", "clamp_min", "clamp_max",
               "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
               "multiply", "divide", "subtract", "true_divide", "copysign", "float_power", "heaviside", "xlogy",
               "ldexp", "gcd", "lcm", "nextafter", "addcmul", "addcdiv", "addmm", "addmv", "addr", "addbmm", "baddbmm",
               "masked_scatter", "mvlgamma"]


def _make_any_inplace(name):
    def method(self, *args, **kwargs):
        others = tuple(a for a in (*args, *kwargs.values()) if isinstance(a, TensorBase))
        return self._inplace(name + "_", lambda s: getattr(s, name)(*args, **kwargs), others)
    method.__name__ = name + "_"
    method.__doc__ = f"``{name}`` in situ."
    return method


for _n in INPLACE_UNARY:
    setattr(PointwiseMixin, _n + "_", _make_inplace(_n))
for _n in INPLACE_BINARY:
    setattr(PointwiseMixin, _n + "_", _make_binary_inplace(_n))
for _n in INPLACE_ANY:
    if not hasattr(PointwiseMixin, _n + "_"):
        setattr(PointwiseMixin, _n + "_", _make_any_inplace(_n))
