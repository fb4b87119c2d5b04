"""Funciones elemento a elemento compuestas de otras operaciones de ``Tensor``: ``xlogy``, ``logit``,
``sinc``, ``copysign``, ``fmax``/``fmin``, ``float_power``, ``heaviside``, ``deg2rad``,
``clamp_min``, ``ldexp``, ``frexp``, ``gcd``/``lcm``, ``nextafter``, ``isreal``... (y ``igamma``/``igammac``,
las gammas incompletas, que sí tienen su ``Function``: ``ops/gamma.py``).

Ninguna tiene ``Function`` propia: se escriben con ``where``, ``log``, ``abs``... así que su
derivada (y la segunda) sale de la regla de la cadena sobre esas piezas. Cada docstring da la
derivada que resulta. Los "huecos" (``x = 0`` en ``xlogy``, ``x = 0`` en ``sinc``) se tapan con
``where`` sobre un argumento seguro, para que la rama descartada no meta ``nan`` en el gradiente.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import return_types as RT
from ..autograd import TensorBase
from ..ops import activation as A
from ..ops import gamma as G
from ._args import floats_only, promote, tensor_other
from .joins import where

__all__ = ["SpecialMixin"]


def _pair(a, b, op, float_out=True):
    """Los dos operandos (tensor o número, al menos uno tensor) en el dtype común de PyTorch."""
    if not isinstance(a, TensorBase) and not isinstance(b, TensorBase):
        raise TypeError(f"{op}(): al menos uno de los argumentos debe ser un Tensor")
    return promote(a, b, float_out=float_out)


def _const(value, like):
    return TensorBase._wrap(np.asarray(value, dtype=like._data.dtype))


def xlogy(input, other):
    """``input · log(other)``, con 0 donde ``input == 0`` (aunque ``other`` sea 0); ``nan`` si
    ``other`` es ``nan``. Enteros → flotante por defecto. Derivadas: ∂/∂x = log(y) (0 donde
    x = 0), ∂/∂y = x / y. En PyTorch: ``torch.xlogy`` / ``torch.special.xlogy``.

    >>> xlogy(tensor([0., 2.]), tensor([0., 3.]))   # tensor([0.0000, 2.1972])
    """
    x, y = _pair(input, other, "xlogy")
    zero = (x == 0).logical_and(y.isnan().logical_not())
    safe = where(zero, _const(1, y), y)
    return x * safe.log()


class SpecialMixin:
    __slots__ = ()

    def mvlgamma(self, p):
        """La log-gamma multivariante de dimensión ``p``: Σᵢ₌₀^{p−1} lgamma(x − i/2) + p(p−1)/4·log π (todos
        los elementos deben ser > (p − 1)/2). Derivada: Σᵢ digamma(x − i/2). En PyTorch: ``torch.mvlgamma``.

        >>> torch.mvlgamma(torch.tensor([2.5]), 2)   # tensor([1.0900])
        """
        if not isinstance(p, numbers.Integral) or p < 1:
            raise RuntimeError(f"mvlgamma(): p debe ser un entero ≥ 1, y es {p!r}")
        x = self if self.dtype.is_floating_point else self.float()
        if bool((x._data <= (p - 1) / 2).any()):
            raise RuntimeError(f"mvlgamma(): todos los elementos deben ser mayores que (p-1)/2 = {(p - 1) / 2}")
        out = x.lgamma()
        for i in range(1, p):
            out = out + (x - i / 2).lgamma()
        return out + p * (p - 1) / 4 * math.log(math.pi)

    def masked_scatter(self, mask, source):
        """Copia los elementos de ``source`` (en orden) en las posiciones donde ``mask`` es ``True``. Derivadas:
        ∂/∂self = g donde no hay máscara; ∂/∂source = g de las posiciones copiadas. En PyTorch:
        ``Tensor.masked_scatter``.

        >>> torch.zeros(3).masked_scatter(torch.tensor([True, False, True]), torch.tensor([1., 2.]))   # [1, 0, 2]
        """
        m = mask._data if isinstance(mask, TensorBase) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_scatter(): la máscara debe ser bool, y es {m.dtype}")
        shape = np.broadcast_shapes(m.shape, self._data.shape)  # el resultado, como PyTorch: los dos a la vez
        m = np.broadcast_to(m, shape)
        k = int(m.sum())
        if k > source.numel():
            raise RuntimeError(f"masked_scatter(): la máscara elige {k} posiciones y source sólo tiene "
                               f"{source.numel()} elementos")
        out = (self.expand(*shape) if tuple(self.shape) != shape else self).clone()
        out[TensorBase._wrap(np.ascontiguousarray(m))] = source.reshape(-1)[:k].to(self.dtype)
        return out

    def xlogy(self, other):
        """``self · log(other)`` con 0 donde ``self == 0``; véase ``tinygrad_es.xlogy``."""
        return xlogy(self, other)

    def hardshrink(self, lambd=0.5):
        """``x`` fuera de [−λ, λ] y 0 dentro (sólo coma flotante). Derivada: 1 fuera, 0 dentro.
        Ejemplo: ``tensor([-1., 0.3, 0.7]).hardshrink()`` → ``[-1., 0., 0.7]``. En PyTorch:
        ``torch.Tensor.hardshrink`` (y ``F.hardshrink``, ``nn.Hardshrink``)."""
        floats_only(self, "hardshrink")
        return A.Hardshrink.apply(self, lambd=float(lambd))

    def logit(self, eps=None):
        """``log(p / (1 − p))``, la inversa de ``sigmoid``. Con ``eps``, ``p`` se recorta antes a
        ``[eps, 1 − eps]`` (y el gradiente es 0 fuera). Derivada: 1 / (p · (1 − p)).
        Ejemplo: ``tensor([0.5, 0.75]).logit()`` → ``[0.0, 1.0986]``. En PyTorch: ``torch.logit``."""
        p = self if self._data.dtype.kind == "f" else self.float()
        if eps is not None:
            p = p.clamp(eps, 1 - eps)
        return p.log() - (-p).log1p()

    def sinc(self):
        """``sin(πx) / (πx)``, 1 en x = 0 (la sinc normalizada). Derivada:
        (cos(πx) − sinc(x)) / x, 0 en x = 0. En PyTorch: ``torch.sinc``."""
        x = self if self._data.dtype.kind == "f" else self.float()
        # cerca de 0, la serie 1 − (πx)²/6 + (πx)⁴/120: su derivada no divide por (πx)² (que se
        # anula en coma flotante para |x| diminuto y daría −inf)
        small = x.abs() < 1e-3
        px = where(small, _const(1, x), x) * math.pi
        t2 = (x * math.pi) ** 2
        series = 1 - t2 / 6 + t2 * t2 / 120
        return where(small, series, px.sin() / px)

    def deg2rad(self):
        """Grados → radianes (``x · π/180``; enteros → flotante). En PyTorch: ``torch.deg2rad``."""
        return (self if self._data.dtype.kind == "f" else self.float()) * (math.pi / 180)

    def rad2deg(self):
        """Radianes → grados (``x · 180/π``; enteros → flotante). En PyTorch: ``torch.rad2deg``."""
        return (self if self._data.dtype.kind == "f" else self.float()) * (180 / math.pi)

    def copysign(self, other):
        """``|self|`` con el signo de ``other`` (también el de ``-0.0``); siempre flotante.
        Derivada: respecto de ``self``, ``sign(self)·sign(other)`` (0 donde self = 0); respecto de
        ``other``, 0. En PyTorch: ``torch.copysign``."""
        a, b = _pair(self, other, "copysign")
        neg = TensorBase._wrap(np.signbit(b._data))
        return where(neg, -a.abs(), a.abs())

    def float_power(self, exponent):
        """``self ** exponent`` en float64 (siempre, como PyTorch). En PyTorch: ``torch.float_power``."""
        a = self.double()
        e = exponent.double() if isinstance(exponent, TensorBase) else float(exponent)
        return a.pow(e)

    def heaviside(self, values):
        """El escalón: 0 si x < 0, ``values`` si x = 0, 1 si x > 0 (sin gradiente, como PyTorch).
        ``self`` y ``values`` deben tener el mismo dtype. En PyTorch: ``torch.heaviside``."""
        if not isinstance(values, TensorBase):
            raise TypeError(f"heaviside(): 'values' debe ser un Tensor, no {type(values).__name__}")
        if self._data.dtype != values._data.dtype:
            raise RuntimeError(f"heaviside no está implementada para tensores de dtypes distintos "
                               f"({self.dtype} y {values.dtype})")
        x, v = self._data, values._data
        out = np.where(x == 0, v, (x > 0).astype(x.dtype)).astype(x.dtype)
        return TensorBase._wrap(np.asarray(out))

    def fmax(self, other):
        """Máximo elemento a elemento que ignora ``nan`` (si sólo uno es ``nan``, gana el otro). En
        los empates el gradiente va entero a ``self`` (como PyTorch). En PyTorch: ``torch.fmax``."""
        a, b = _pair(self, other, "fmax", float_out=False)
        return where((a >= b).logical_or(b.isnan()), a, b)

    def fmin(self, other):
        """Mínimo elemento a elemento que ignora ``nan``; empates: el gradiente a ``self``. En
        PyTorch: ``torch.fmin``."""
        a, b = _pair(self, other, "fmin", float_out=False)
        return where((a <= b).logical_or(b.isnan()), a, b)

    def logaddexp2(self, other):
        """``log2(2^self + 2^other)`` sin desbordamiento. Derivada respecto de ``self``:
        2^self / (2^self + 2^other). En PyTorch: ``torch.logaddexp2``."""
        a, b = _pair(self, other, "logaddexp2")
        return (a * math.log(2)).logaddexp(b * math.log(2)) / math.log(2)

    def clamp_min(self, min):
        """``clamp(min=min)``. En PyTorch: ``torch.clamp_min`` (que, a diferencia de ``clamp``, admite dos
        tensores bool: el máximo, un «o» lógico)."""
        if _both_bool(self, min):
            return self.maximum(min)
        return self.clamp(min=min)

    def clamp_max(self, max):
        """``clamp(max=max)``. En PyTorch: ``torch.clamp_max`` (con dos tensores bool, el mínimo: un «y»)."""
        if _both_bool(self, max):
            return self.minimum(max)
        return self.clamp(max=max)

    def positive(self):
        """Devuelve ``self`` (``+x``); con un tensor bool es un error, como en PyTorch."""
        if self._data.dtype == np.bool_:
            raise TypeError("positive(): no se admite un tensor bool (como en PyTorch)")
        return self

    def ldexp(self, other):
        """``self · 2^other`` (como PyTorch: ``self * pow(2., other)``; enteros → flotante).

        Derivadas: ∂/∂self = 2^other, ∂/∂other = self·2^other·ln 2. En PyTorch: ``torch.ldexp``.

        >>> torch.tensor([1., 3.]).ldexp(torch.tensor([2, 1]))   # tensor([4., 6.])
        """
        return self * tensor_other(other, "ldexp").__rpow__(2.0)

    def frexp(self):
        """``(mantissa, exponent)`` con ``self = mantissa · 2^exponent`` y 0.5 ≤ |mantissa| < 1
        (``exponent`` int32). Derivada: ∂mantissa/∂self = 2^(−exponent). En PyTorch: ``torch.frexp``.

        >>> torch.tensor([8.]).frexp()   # (mantissa=tensor([0.5000]), exponent=tensor([4], dtype=torch.int32))
        """
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"torch.frexp() sólo admite tensores de coma flotante, y la entrada es {self.dtype}")
        _, e = np.frexp(self._data)
        e = e.astype(np.int32)
        scale = _const(np.ldexp(np.ones((), self._data.dtype), -e), self)  # 2^(−e), exacto
        return RT.frexp(self * scale, TensorBase._wrap(e))

    def _integer_pair(self, other, op):
        a, b = _pair(self, tensor_other(other, op), op, float_out=False)
        if a._data.dtype.kind not in "iu":
            raise RuntimeError(f"{op}: sólo está definido para enteros, y los operandos son {a.dtype}")
        return a, b

    def gcd(self, other):
        """Máximo común divisor elemento a elemento (≥ 0; gcd(0, 0) = 0), sólo enteros. En PyTorch:
        ``torch.gcd``.

        >>> torch.tensor([12, -9]).gcd(torch.tensor([18, 6]))   # tensor([6, 3])
        """
        a, b = self._integer_pair(other, "gcd")
        return TensorBase._wrap(np.gcd(a._data, b._data).astype(a._data.dtype))

    def lcm(self, other):
        """Mínimo común múltiplo elemento a elemento (≥ 0; con un 0, 0), sólo enteros. En PyTorch:
        ``torch.lcm``.

        >>> torch.tensor([4, -6]).lcm(torch.tensor([6, 4]))   # tensor([12, 12])
        """
        a, b = self._integer_pair(other, "lcm")
        return TensorBase._wrap(np.lcm(a._data, b._data).astype(a._data.dtype))

    def nextafter(self, other):
        """El siguiente número representable después de ``self`` en la dirección de ``other``.
        Derivadas (las de PyTorch 2.13): ∂/∂self = 1, ∂/∂other = 0. En PyTorch: ``torch.nextafter``.

        >>> torch.tensor([1.]).nextafter(torch.tensor([2.])) - 1   # tensor([1.1921e-07])
        """
        a, b = _pair(self, tensor_other(other, "nextafter"), "nextafter", float_out=False)
        if a._data.dtype.kind != "f":
            raise RuntimeError(f"nextafter: sólo está definido para coma flotante, y los operandos son {a.dtype}")
        n = TensorBase._wrap(np.nextafter(a._data, b._data))
        if not a.requires_grad:
            return n
        # −(a.detach() − a) vale −0 (−0 + n = n, también con n = ±0) y tiene derivada 1
        step = where(a.isfinite(), -(a.detach() - a), _const(-0.0, a))
        return step + n

    def isreal(self):
        """``True`` donde el elemento es real (en un tensor real, todos; en uno complejo, parte
        imaginaria 0). En PyTorch: ``torch.isreal``."""
        if self._data.dtype.kind == "c":
            return TensorBase._wrap(self._data.imag == 0)
        return TensorBase._wrap(np.ones(self._data.shape, bool))

    def _igamma(self, other, lower):
        name = "igamma" if lower else "igammac"
        a, x = _pair(self, tensor_other(other, name), name, float_out=False)
        if a._data.dtype.kind != "f":
            raise NotImplementedError(f"{name}() sólo está definida para coma flotante, y los operandos son {a.dtype} "
                                      f"(como en PyTorch; convierte con .float())")
        return G.Igamma.apply(a, x, lower=lower)

    def igamma(self, other):
        """P(a, x) = γ(a, x)/Γ(a) = 1/Γ(a)·∫₀ˣ t^(a−1)·e^(−t) dt, la gamma incompleta inferior
        regularizada, con a = ``self`` y x = ``other`` (tensores, con broadcasting; nan si a < 0 o
        x < 0). Es la función de distribución de una Gamma(a, 1) en x. Derivada: ∂/∂x = x^(a−1)·e^(−x)/Γ(a);
        respecto de a no existe (como en PyTorch: ``NotImplementedError`` en el backward). Método:
        la serie de potencias o la fracción continua, según (a, x) (``kernels/igamma.py``). En
        PyTorch: ``torch.igamma`` / ``torch.special.gammainc``.

        >>> torch.igamma(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))   # tensor([0.6321, 0.2642])
        """
        return self._igamma(other, True)

    def igammac(self, other):
        """Q(a, x) = 1 − P(a, x) = Γ(a, x)/Γ(a), la gamma incompleta superior regularizada (calculada
        directamente donde es pequeña, no como 1 − P). Derivada: ∂/∂x = −x^(a−1)·e^(−x)/Γ(a); respecto
        de a, no existe (como en PyTorch). En PyTorch: ``torch.igammac`` / ``torch.special.gammaincc``.

        >>> torch.igammac(torch.tensor([1.0]), torch.tensor([30.0]))   # tensor([9.3576e-14])
        """
        return self._igamma(other, False)

    def igamma_(self, other):
        """``igamma`` in situ."""
        return self._inplace("igamma_", lambda s: s.igamma(other), (other,))

    def igammac_(self, other):
        """``igammac`` in situ."""
        return self._inplace("igammac_", lambda s: s.igammac(other), (other,))

    def gcd_(self, other):
        """``gcd`` in situ."""
        return self._inplace("gcd_", lambda s: s.gcd(other))

    def lcm_(self, other):
        """``lcm`` in situ."""
        return self._inplace("lcm_", lambda s: s.lcm(other))

    def ldexp_(self, other):
        """``ldexp`` in situ."""
        return self._inplace("ldexp_", lambda s: s.ldexp(other), (other,))

    def nextafter_(self, other):
        """``nextafter`` in situ."""
        return self._inplace("nextafter_", lambda s: s.nextafter(other))


def _both_bool(x, bound) -> bool:
    return x._data.dtype == np.bool_ and isinstance(bound, TensorBase) and bound._data.dtype == np.bool_
