"""Métodos aritméticos de ``Tensor``: operadores (``+ − * / ** @``), comparaciones, ``exp``/``log``/
``sqrt``/``abs``, ``clamp``, ``maximum``/``minimum``, los productos matriciales con nombre
(``mm``, ``bmm``, ``mv``, ``dot``) y sus variantes in situ (``add_``, ``fill_``, ``uniform_``...).

Aquí se aplican las reglas de tipos de PyTorch antes de llamar a la operación: se calcula el
dtype del resultado (``_dtype.result_type``) y se convierten las entradas a él (``_args.py``).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._random import default_rng
from ..autograd import TensorBase, broadcast_shape, no_grad
from ..ops import activation as A, arithmetic as E, clamp as CL, matmul as MM, unary as U
from ..ops.copy import Overwrite
from ._args import (alpha_arg, as_operand, check_fits, float_in, floats_only, is_scalar, no_bool, no_bool_input,
                    promote, tensor_other, to_array)

__all__ = ["ArithmeticMixin", "binary", "div_rounding", "register_complex_binary"]


_FAST_SCALARS = (float, int)


def binary(fn, a, b, float_out: bool = False):
    """Aplica ``fn`` a ``a`` y ``b`` tras promoverlos al dtype común (como PyTorch)."""
    # caminos rápidos (cada operación pasa por aquí): mismo dtype, o tensor flotante y número
    if isinstance(a, TensorBase):
        if isinstance(b, TensorBase):
            if a._data.dtype == b._data.dtype and (not float_out or a._data.dtype.kind == "f"):
                return fn.apply(a, b)
        elif b.__class__ in _FAST_SCALARS and a._data.dtype.kind == "f":
            return fn.apply(a, TensorBase._wrap(np.asarray(b, a._data.dtype)))
    elif a.__class__ in _FAST_SCALARS and isinstance(b, TensorBase) and b._data.dtype.kind == "f":
        return fn.apply(TensorBase._wrap(np.asarray(a, b._data.dtype)), b)
    if _COMPLEX and (_COMPLEX[1](a) or _COMPLEX[1](b)):   # algún complejo: lo resuelve complex.py
        if fn not in _COMPLEX_NAMES:
            raise RuntimeError(f"'{fn.__name__}' no está definido para números complejos")
        return _COMPLEX[0](_COMPLEX_NAMES[fn], a, b)
    return fn.apply(*promote(a, b, float_out=float_out))


_COMPLEX = []            # (complex_binary, es_complejo), lo registra _tensor/complex.py
_COMPLEX_NAMES = {E.Add: "add", E.Sub: "sub", E.Mul: "mul", E.Div: "div"}


def register_complex_binary(fn, is_complex) -> None:
    """Las operaciones con un operando complejo las resuelve ``fn(nombre, a, b)`` (``_tensor/complex.py``)."""
    _COMPLEX[:] = [fn, is_complex]


class ArithmeticMixin:
    __slots__ = ()

    def __add__(self, o):
        return binary(E.Add, self, o)

    def __radd__(self, o):
        return binary(E.Add, o, self)

    def __sub__(self, o):
        no_bool(self, o, op="-")
        return binary(E.Sub, self, o)

    def __rsub__(self, o):
        no_bool(self, o, op="-")
        return binary(E.Sub, o, self)

    def __mul__(self, o):
        return binary(E.Mul, self, o)

    def __rmul__(self, o):
        return binary(E.Mul, o, self)

    def __truediv__(self, o):
        return binary(E.Div, self, o, float_out=True)

    def __rtruediv__(self, o):
        return binary(E.Div, o, self, float_out=True)

    def __pow__(self, o):
        if is_scalar(o):
            npd = D.result_type(self, o)
            if npd.kind in "iu" and o < 0:
                raise RuntimeError("no se puede elevar un tensor entero a una potencia entera negativa")
            return E.PowScalar.apply(as_operand(self, npd), p=o)
        return _pow_tensor(self, o)

    def __rpow__(self, o):
        return _pow_tensor(o, self)

    def __neg__(self):
        if self._data.dtype == np.bool_:
            raise RuntimeError("el operador - no está definido para tensores bool; usa ~ o logical_not")
        return E.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __matmul__(self, o):
        return _matmul(self, o)

    def __rmatmul__(self, o):
        return _matmul(o, self)

    def __iadd__(self, o):
        return self.add_(o)

    def __isub__(self, o):
        return self.sub_(o)

    def __imul__(self, o):
        return self.mul_(o)

    def __itruediv__(self, o):
        return self.div_(o)

    def add_(self, o, alpha=1):
        return self._inplace("add_", lambda s: s.add(o, alpha=alpha), (o,))

    def sub_(self, o, alpha=1):
        return self._inplace("sub_", lambda s: s.sub(o, alpha=alpha), (o,))

    def mul_(self, o):
        return self._inplace("mul_", lambda s: s * o, (o,))

    def div_(self, o):
        return self._inplace("div_", lambda s: s / o, (o,))

    def pow_(self, o):
        return self._inplace("pow_", lambda s: s ** o, (o,))

    def neg_(self):
        return self._inplace("neg_", lambda s: -s)

    def abs_(self):
        return self._inplace("abs_", lambda s: s.abs())

    def exp_(self):
        return self._inplace("exp_", lambda s: s.exp())

    def sqrt_(self):
        return self._inplace("sqrt_", lambda s: s.sqrt())

    def relu_(self):
        return self._inplace("relu_", lambda s: s.relu())

    def sigmoid_(self):
        return self._inplace("sigmoid_", lambda s: s.sigmoid())

    def tanh_(self):
        return self._inplace("tanh_", lambda s: s.tanh())

    def clamp_(self, min=None, max=None):
        return self._inplace("clamp_", lambda s: s.clamp(min, max))

    clip_ = clamp_

    def zero_(self):
        """Pone a 0 (in situ); con historia, el tensor sigue en el grafo con gradiente 0 hacia atrás."""
        return self.fill_(0)

    def fill_(self, value):
        """Rellena con ``value`` (in situ). Con historia, el tensor sigue en el grafo: el gradiente
        hacia lo que valía antes es 0 y, si ``value`` es un tensor 0-D con gradiente, le llega Σg."""
        if isinstance(value, TensorBase):
            if value.ndim != 0:
                raise RuntimeError(f"fill_ sólo admite un número o un tensor 0-D, no de forma {tuple(value.shape)}")
            return self._inplace("fill_", lambda s: Overwrite.apply(s, value), (value,))
        v = np.asarray(value)
        if v.dtype.kind == "c":
            raise TypeError("los números complejos no están soportados")
        check_fits(v, self._data.dtype)
        return self._overwrite("fill_", lambda s: np.full(s.shape, v.astype(s.dtype)))

    def _overwrite(self, op, make):
        """Operación in situ que sustituye el valor por ``make(dato)`` (un ndarray): sin historia
        que seguir, pero con grafo el tensor sigue en él (∂/∂antes = 0, ``Overwrite``)."""
        return self._inplace(op, lambda s: Overwrite.apply(s, TensorBase._wrap(make(s._data))))

    def copy_(self, src):
        """Copia ``src`` (con broadcasting y conversión de tipo) en este tensor; el gradiente va a
        ``src`` y no a lo que había antes."""
        srct = src if isinstance(src, TensorBase) else TensorBase._wrap(to_array(src))
        if broadcast_shape(srct._data.shape, self._data.shape, op="copy_") != self._data.shape:
            raise RuntimeError(f"copy_: un tensor de forma {tuple(srct.shape)} no cabe (con broadcasting) en "
                               f"uno de forma {tuple(self.shape)}")
        return self._inplace("copy_", lambda s: Overwrite.apply(s, srct.type(s.dtype)), (srct,))

    def uniform_(self, a=0.0, b=1.0, generator=None):
        r = default_rng(generator)
        return self._overwrite("uniform_", lambda d: r.uniform(a, b, d.shape).astype(d.dtype))

    def normal_(self, mean=0.0, std=1.0, generator=None):
        if not std >= 0:
            raise RuntimeError(f"normal_: std debe ser ≥ 0, no {std}")
        r = default_rng(generator)
        return self._overwrite("normal_", lambda d: (r.standard_normal(d.shape) * std + mean).astype(d.dtype))

    # -- aritmética con nombre -------------------------------------------------------
    def add(self, o, alpha=1):
        """self + alpha·o, en el dtype común de PyTorch (alpha·o no desborda antes: uint8·2 con un float)."""
        if type(alpha) is int and alpha == 1:  # 1.0 o True siguen las reglas de alpha_arg
            return self + o
        a, b = promote(self, o)
        return a + b * alpha_arg(alpha, b, "add")

    def sub(self, o, alpha=1):
        """self − alpha·o (como ``add``); con bool es un error, como en PyTorch."""
        no_bool(self, o, op="sub")
        if type(alpha) is int and alpha == 1:  # 1.0 o True siguen las reglas de alpha_arg
            return self - o
        a, b = promote(self, o)
        return a - b * alpha_arg(alpha, b, "sub")

    subtract = sub

    def mul(self, o):
        return self * o

    multiply = mul

    def div(self, o, rounding_mode=None):
        if rounding_mode is None:
            return self / o
        return div_rounding(self, o, rounding_mode)

    divide = true_divide = div

    def pow(self, o):
        return self ** o

    def matmul(self, o):
        return _matmul(self, o)

    def mm(self, o):
        if self.ndim != 2 or getattr(o, "ndim", 0) != 2:
            raise RuntimeError(f"mm espera dos matrices 2-D; se recibieron formas {tuple(self.shape)} y "
                               f"{tuple(getattr(o, 'shape', ()))}")
        return _matmul(self, o)

    def bmm(self, o):
        if self.ndim != 3 or getattr(o, "ndim", 0) != 3:
            raise RuntimeError(f"bmm espera dos tensores 3-D; se recibieron formas {tuple(self.shape)} y "
                               f"{tuple(getattr(o, 'shape', ()))}")
        if self.shape[0] != o.shape[0]:
            raise RuntimeError(f"bmm: los lotes no coinciden: {tuple(self.shape)} y {tuple(o.shape)}")
        return _matmul(self, o)

    def mv(self, v):
        return _matmul(self, v)

    def dot(self, o):
        if self.ndim != 1 or getattr(o, "ndim", 0) != 1:
            raise RuntimeError("dot espera dos vectores 1-D")
        no_bool_input(self, "dot")
        return _matmul(self, o)

    def neg(self):
        return -self

    negative = neg

    def exp(self):
        return U.Exp.apply(float_in(self))

    def log(self):
        return U.Log.apply(float_in(self))

    def sqrt(self):
        return U.Sqrt.apply(float_in(self))

    def abs(self):
        no_bool_input(self, "abs")
        return U.Abs.apply(self)

    absolute = abs

    def tanh(self):
        return A.Tanh.apply(float_in(self))

    def sigmoid(self):
        return A.Sigmoid.apply(float_in(self))

    def relu(self):
        if self._data.dtype == np.bool_:
            raise RuntimeError("relu no admite tensores bool (como PyTorch)")
        return A.Relu.apply(self)

    def leaky_relu(self, negative_slope=0.01):
        floats_only(self, "leaky_relu")
        return A.LeakyRelu.apply(self, negative_slope=float(negative_slope))

    def clamp(self, min=None, max=None):
        """Recorta a [min, max] (números o tensores, con broadcasting); si min > max, todo vale max.
        El gradiente pasa donde min ≤ x ≤ max (los empates son de la entrada, como PyTorch)."""
        if min is None and max is None:
            raise RuntimeError("clamp: hay que dar al menos min o max")
        if isinstance(min, TensorBase) or isinstance(max, TensorBase):
            bounds = [b for b in (min, max) if b is not None]
            ops = promote(self, *bounds)
            if ops[0]._data.dtype == np.bool_:
                raise NotImplementedError("clamp no está implementada para tensores bool (tampoco en PyTorch)")
            return CL.ClampTensor.apply(*ops, bounds=(min is not None, max is not None))
        npd = D.result_type(self, *[v for v in (min, max) if v is not None])  # bool con 2 → int64
        if npd == np.bool_:
            raise NotImplementedError("clamp no está implementada para tensores bool con límites bool (tampoco en "
                                      "PyTorch)")
        x = self if npd == self._data.dtype else as_operand(self, npd)
        if npd.kind in "iu":  # uint8 con −1: da la vuelta (255), como PyTorch; 200 en int8: error
            check_fits([v for v in (min, max) if v is not None], npd)
            min, max = (None if v is None else np.asarray(v).astype(npd) for v in (min, max))
        return CL.Clip.apply(x, lo=min, hi=max)

    clip = clamp

    def maximum(self, o):
        return binary(CL.Maximum, self, tensor_other(o, "maximum"))

    def minimum(self, o):
        return binary(CL.Minimum, self, tensor_other(o, "minimum"))

    # -- comparaciones: tensores bool sin gradiente -------------------------------------
    def _cmp(self, o, fn):
        """Comparación en el dtype común de PyTorch (``uint8 > -1`` compara con 255, como PyTorch)."""
        if isinstance(o, TensorBase):
            od = o._data
            if od.shape != self._data.shape:
                broadcast_shape(self._data.shape, od.shape, op=fn.__name__)
        elif is_scalar(o):
            od = o
        else:
            od = to_array(o)
            if od.shape != self._data.shape:
                broadcast_shape(self._data.shape, od.shape, op=fn.__name__)
        sd = self._data
        if not (isinstance(od, np.ndarray) and od.dtype == sd.dtype):
            npd = D.result_type(self, od if not isinstance(od, np.ndarray) or isinstance(o, TensorBase) else od)
            with np.errstate(over="ignore", invalid="ignore"):
                sd = sd.astype(npd, copy=False)
                od = np.asarray(od).astype(npd, copy=False)
        return TensorBase._wrap(np.asarray(fn(sd, od)), False)

    def __lt__(self, o):
        """``self < o`` elemento a elemento (un tensor bool), como PyTorch."""
        return self._cmp(o, np.less)

    def __le__(self, o):
        """``self <= o`` elemento a elemento (un tensor bool), como PyTorch."""
        return self._cmp(o, np.less_equal)

    def __gt__(self, o):
        """``self > o`` elemento a elemento (un tensor bool), como PyTorch."""
        return self._cmp(o, np.greater)

    def __ge__(self, o):
        """``self >= o`` elemento a elemento (un tensor bool), como PyTorch."""
        return self._cmp(o, np.greater_equal)

    def __eq__(self, o):  # elemento a elemento, como PyTorch (el hash sigue siendo por identidad)
        """``self == o`` elemento a elemento (un tensor bool), como PyTorch; el hash sigue siendo por identidad."""
        return self._cmp(o, np.equal)

    def __ne__(self, o):
        """``self != o`` elemento a elemento (un tensor bool), como PyTorch."""
        return self._cmp(o, np.not_equal)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__
    less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne

    def equal(self, o) -> bool:
        """``True`` si tienen la misma forma y los mismos valores."""
        tensor_other(o, "equal")
        return self._data.shape == o._data.shape and bool(np.array_equal(self._data, o._data))

    def allclose(self, o, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
        """¿``isclose`` en todos los elementos? (los dos del mismo dtype, como PyTorch)."""
        return bool(self.isclose(o, rtol, atol, equal_nan).all())


def _pow_tensor(a, b):
    """``a ** b`` con algún tensor de exponente: en bool no existe (como PyTorch)."""
    broadcast_shape(*(x._data.shape for x in (a, b) if isinstance(x, TensorBase)), op="**")
    if D.result_type(*(x if isinstance(x, TensorBase) or is_scalar(x) else to_array(x) for x in (a, b))) == np.bool_:
        raise NotImplementedError("pow no está implementada para tensores bool (tampoco en PyTorch)")
    return binary(E.Pow, a, b)


def _matmul(a, b):
    if not isinstance(a, TensorBase) or not isinstance(b, TensorBase):
        ref = a if isinstance(a, TensorBase) else b
        a = a if isinstance(a, TensorBase) else as_operand(a, ref._data.dtype)
        b = b if isinstance(b, TensorBase) else as_operand(b, ref._data.dtype)
    # sin nada que multiplicar PyTorch no llega al núcleo (ni lanza); dot (1-D @ 1-D) sí lanza
    work = (a._data.size and b._data.size) or (a.ndim == 1 and b.ndim == 1)
    if work and max(a.ndim, b.ndim) >= 3:  # por lotes (bmm), PyTorch mira antes el dtype del primero
        no_bool_input(a, "matmul (@) por lotes")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"matmul: los dos operandos deben tener el mismo dtype; se recibieron "
                           f"{D._BY_NP[a._data.dtype]} y {D._BY_NP[b._data.dtype]} (convierte uno con .float())")
    if work:
        no_bool_input(a, "matmul (@)")
    return MM.MatMul.apply(a, b)


def div_rounding(a, b, rounding_mode, differentiable=True):
    """``torch.div(a, b, rounding_mode=...)``: ``None`` (división real), ``"trunc"`` o ``"floor"``.
    Con enteros el resultado sigue siendo entero. Derivada 0 (``//`` no tiene: ``differentiable``)."""
    if rounding_mode is None:
        return a / b
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div: rounding_mode debe ser None, 'trunc' o 'floor', no {rounding_mode!r}")
    a, b = promote(a, b)
    if a._data.dtype == np.bool_:
        raise NotImplementedError("la división entera (//, rounding_mode) no está implementada para bool")
    return E.DivRounding.apply(a, b, mode=rounding_mode, differentiable=differentiable)
