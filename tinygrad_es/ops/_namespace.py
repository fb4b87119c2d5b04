"""El espacio de nombres con el que se escriben los ``backward`` derivables: ``xp = namespace(g)``.

En primer orden ``g`` es un ndarray y ``xp`` es numpy (el camino rápido de siempre). Con
``create_graph=True`` el motor llama al mismo ``backward`` con tensores (``autograd/higher_order.py``):
entonces ``xp`` ofrece los mismos nombres de numpy hechos con métodos de ``Tensor``, así que cada
operación del backward se registra y el gradiente se puede derivar otra vez. La derivada de cada
operación está escrita una sola vez.

Sólo están los nombres que usan los backward de ``ops/``; los operadores (``+ − * / ** @``, las
comparaciones) ya valen para los dos tipos. Con tensores no se importa nada de ``_tensor/``: se
llama a los métodos del propio tensor. El lado de numpy es el propio numpy más dos funciones que
numpy no tiene (``sigmoid`` estable y ``erf``).
"""
from __future__ import annotations

import types

import numpy as np

from ..autograd import TensorBase, unbroadcast
from ..autograd.higher_order import sum_to
from ..kernels.special import erf as _erf

__all__ = ["namespace", "TensorNamespace", "NUMPY", "stable_sigmoid"]


def stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) sin desbordamiento: exp sólo de números ≤ 0."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def _t(x):
    return isinstance(x, TensorBase)


def _like(x, ref):
    """``x`` como tensor del dtype de ``ref`` (``Tensor.maximum`` no admite un número, como PyTorch)."""
    return x if _t(x) else TensorBase._wrap(np.asarray(x, dtype=ref._data.dtype))


class TensorNamespace:
    """Los nombres de numpy que usan los backward, con operaciones de ``Tensor`` (diferenciables)."""

    errstate = staticmethod(np.errstate)

    # -- elemento a elemento ---------------------------------------------------------------
    @staticmethod
    def exp(x):
        return x.exp() if _t(x) else np.exp(x)

    @staticmethod
    def log(x):
        return x.log() if _t(x) else np.log(x)

    @staticmethod
    def log1p(x):
        return x.log1p() if _t(x) else np.log1p(x)

    @staticmethod
    def expm1(x):
        return x.expm1() if _t(x) else np.expm1(x)

    @staticmethod
    def sqrt(x):
        return x.sqrt() if _t(x) else np.sqrt(x)

    @staticmethod
    def sin(x):
        return x.sin() if _t(x) else np.sin(x)

    @staticmethod
    def cos(x):
        return x.cos() if _t(x) else np.cos(x)

    @staticmethod
    def sinh(x):
        return x.sinh() if _t(x) else np.sinh(x)

    @staticmethod
    def cosh(x):
        return x.cosh() if _t(x) else np.cosh(x)

    @staticmethod
    def tanh(x):
        return x.tanh() if _t(x) else np.tanh(x)

    @staticmethod
    def sigmoid(x):
        return x.sigmoid() if _t(x) else stable_sigmoid(x)

    @staticmethod
    def erf(x):
        return x.erf() if _t(x) else _erf(x)

    @staticmethod
    def abs(x):
        return x.abs() if _t(x) else np.abs(x)

    @staticmethod
    def sign(x):  # derivada 0: una constante, como numpy
        return np.sign(x._data) if _t(x) else np.sign(x)

    @staticmethod
    def floor(x):
        return np.floor(x._data) if _t(x) else np.floor(x)

    @staticmethod
    def trunc(x):
        return np.trunc(x._data) if _t(x) else np.trunc(x)

    @staticmethod
    def power(a, b):
        return a ** b

    @staticmethod
    def maximum(a, b):
        if _t(a):
            return a.maximum(_like(b, a))
        return b.maximum(_like(a, b)) if _t(b) else np.maximum(a, b)

    @staticmethod
    def minimum(a, b):
        if _t(a):
            return a.minimum(_like(b, a))
        return b.minimum(_like(a, b)) if _t(b) else np.minimum(a, b)

    @staticmethod
    def where(cond, a, b):
        if _t(cond):
            cond = cond._data
        if _t(a):
            return a.where(cond, b)
        if _t(b):
            return b.where(~np.asarray(cond), a)
        return np.where(cond, a, b)

    # -- formas y reducciones ---------------------------------------------------------------
    @staticmethod
    def sum(x, axis=None, keepdims=False):
        if not _t(x):
            return np.sum(x, axis=axis, keepdims=keepdims)
        return x.sum(dim=axis, keepdim=keepdims) if axis is not None else (
            x.sum().reshape((1,) * x.ndim) if keepdims else x.sum())

    @staticmethod
    def expand_dims(x, axis):
        if not _t(x):
            return np.expand_dims(x, axis)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        nd = x.ndim + len(axes)
        shape, it = [], iter(x.shape)
        axes = {a % nd for a in axes}
        for i in range(nd):
            shape.append(1 if i in axes else next(it))
        return x.reshape(tuple(shape))

    @staticmethod
    def broadcast_to(x, shape):
        return x.expand(*shape) if _t(x) else np.broadcast_to(x, shape)

    @staticmethod
    def swapaxes(x, a, b):
        return x.transpose(a, b) if _t(x) else np.swapaxes(x, a, b)

    @staticmethod
    def transpose(x, axes):
        return x.permute(*axes) if _t(x) else np.transpose(x, axes)

    @staticmethod
    def matmul(a, b):
        return a @ b

    @staticmethod
    def unbroadcast(g, shape):
        return sum_to(g, shape) if _t(g) else unbroadcast(g, shape)

    @staticmethod
    def cross(a, b, axis=-1):
        if _t(a):
            return a.cross(b, dim=axis)
        return (-b.cross(a, dim=axis)) if _t(b) else np.cross(a, b, axis=axis)

    @staticmethod
    def softmax(x, axis=-1):
        if _t(x):
            return x.softmax(axis)
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def zeros_like(x):
        return np.zeros(tuple(x.shape), x._data.dtype if _t(x) else x.dtype)

    @staticmethod
    def ones_like(x):
        return np.ones(tuple(x.shape), x._data.dtype if _t(x) else x.dtype)

    @staticmethod
    def asarray(x):
        return x if _t(x) else np.asarray(x)


_TENSOR_NS = TensorNamespace()
NUMPY = types.SimpleNamespace(**{k: v for k, v in vars(np).items() if not k.startswith("__")})
NUMPY.sigmoid, NUMPY.erf, NUMPY.unbroadcast = stable_sigmoid, _erf, unbroadcast
NUMPY.softmax = TensorNamespace.softmax


def namespace(g):
    """numpy (con ``sigmoid`` y ``erf``) si ``g`` es un ndarray; si es un tensor, el espacio de
    nombres de tensores."""
    return _TENSOR_NS if _t(g) else NUMPY
