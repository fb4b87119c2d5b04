"""Funciones especiales de una entrada: ``lgamma``, ``digamma``, ``polygamma``, ``erfinv``, ``i0`` e
``i1`` (los valores, en ``kernels/gamma.py``). Cada derivada es otra función de la familia, así que
con ``create_graph=True`` el backward se registra con las mismas ``ArrayFunction`` y se puede derivar
otra vez:

    d/dx lgamma(x) = ψ(x)            d/dx ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x)          (ψ = ψ⁽⁰⁾ = digamma)
    d/dx erfinv(x) = √π/2 · e^(erfinv(x)²)
    d/dx I₀(x) = I₁(x)               d/dx I₁(x) = I₀(x) − I₁(x)/x   (½ + 3x²/16 si |x| < 1e-5)
    d/dx i0e(x) = i1e(x) − sgn(x)·i0e(x)      d/dx i1e(x) = i0e(x) − i1e(x)·(sgn(x) + 1/x)
    ∂/∂q ζ(s, q) = −s·ζ(s + 1, q)   (PyTorch no da la derivada respecto de s, y aquí tampoco)
    ∂/∂x P(a, x) = −∂/∂x Q(a, x) = x^(a−1)·e^(−x)/Γ(a)   (igamma/igammac; respecto de a, tampoco)
"""
import functools
import math

import numpy as np

from ..autograd import ArrayFunction, TensorBase
from ..kernels import gamma as K
from ..kernels import igamma as KI
from ._namespace import namespace
from ._util import IGNORE_FP_ERRORS, pointwise

__all__ = ["Lgamma", "Digamma", "Polygamma", "Erfinv", "I0", "I1", "I0e", "I1e", "Zeta", "Igamma"]

_fn = functools.partial(pointwise, module=__name__)


def _apply(fn, kernel, x, **kw):
    """``fn`` (la ArrayFunction, registrada) si ``x`` es un tensor; si no, el núcleo sobre el ndarray."""
    return fn.apply(x, **kw) if isinstance(x, TensorBase) else kernel(x, **kw)


def _polygamma(x, n=0):
    return K.polygamma(n, x)


def _i1_slope(xp, x):
    # cerca de 0 (y con subnormales, donde I₁(x)/x se redondea mal) la serie ½ + 3x²/16 (error O(x⁴))
    i0, i1 = _apply(I0, K.i0, x), _apply(I1, K.i1, x)
    small = xp.abs(x) < 1e-5
    small = small._data if isinstance(small, TensorBase) else small
    safe = xp.where(small, 1, x)
    return xp.where(small, 0.5 + 0.1875 * x * x, i0 - i1 / safe)


Polygamma = _fn("Polygamma", _polygamma, lambda xp, x, n=0: _apply(Polygamma, _polygamma, x, n=n + 1),
                "ψ⁽ⁿ⁾(x), la n-ésima derivada de digamma; ∂/∂x = ψ⁽ⁿ⁺¹⁾(x).")
Digamma = _fn("Digamma", K.digamma, lambda xp, x: _apply(Polygamma, _polygamma, x, n=1),
              "ψ(x) = Γ'(x)/Γ(x); ∂/∂x = ψ⁽¹⁾(x) (trigamma).")
Lgamma = _fn("Lgamma", K.lgamma, lambda xp, x: _apply(Polygamma, _polygamma, x, n=0),
             "ln|Γ(x)|; ∂/∂x = ψ(x) (digamma).")
Erfinv = _fn("Erfinv", K.erfinv, lambda xp, y: (math.sqrt(math.pi) / 2) * xp.exp(y * y),
             "erf⁻¹(x); ∂/∂x = √π/2·e^(y²) con y = erf⁻¹(x) (se guarda la salida).", saves="y")
I0 = _fn("I0", K.i0, lambda xp, x: _apply(I1, K.i1, x), "I₀(x) (Bessel modificada); ∂/∂x = I₁(x).")
I1 = _fn("I1", K.i1, _i1_slope, "I₁(x) (Bessel modificada); ∂/∂x = I₀(x) − I₁(x)/x (½ + 3x²/16 si |x| < 1e-5).")



def _i1e_slope(xp, x):
    i0e, i1e = _apply(I0e, K.i0e, x), _apply(I1e, K.i1e, x)
    small = xp.abs(x) < 1e-5
    small = small._data if isinstance(small, TensorBase) else small
    safe = xp.where(small, 1, x)
    return xp.where(small, 0.5 - xp.abs(x), i0e - i1e * (xp.sign(x) + 1 / safe))


I0e = _fn("I0e", K.i0e, lambda xp, x: _apply(I1e, K.i1e, x) - xp.sign(x) * _apply(I0e, K.i0e, x),
          "e^(−|x|)·I₀(x); ∂/∂x = i1e(x) − sgn(x)·i0e(x).")
I1e = _fn("I1e", K.i1e, _i1e_slope, "e^(−|x|)·I₁(x); ∂/∂x = i0e(x) − i1e(x)·(sgn(x) + 1/x) (½ − |x| si |x| < 1e-5).")


class Zeta(ArrayFunction):
    """ζ(s, q) = Σ_{k≥0} (k + q)^(−s) (Hurwitz). ∂/∂q = −s·ζ(s + 1, q); respecto de s no está definida
    (como en PyTorch: pedirla es un error)."""

    @staticmethod
    def forward(ctx, s, q):
        ctx.save_for_backward(s, q)
        return K.zeta(s, q)

    @staticmethod
    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise RuntimeError("la derivada de special.zeta respecto de su primer argumento (s) no está "
                               "implementada (tampoco en PyTorch)")
        s, q = ctx.saved_tensors
        return None, g * (-s * K.zeta(s + 1.0, q))


class Igamma(ArrayFunction):
    """P(a, x) (``lower=True``) o Q(a, x) = 1 − P(a, x), las gammas incompletas regularizadas.
    ∂/∂x P = x^(a−1)·e^(−x)/Γ(a) = exp((a − 1)·log x − x − lgamma(a)) y ∂/∂x Q = −∂/∂x P (la
    densidad de la Gamma(a, 1), escrita con ``exp``/``log``/``lgamma`` para poder derivarla otra vez);
    respecto de a no está definida (como en PyTorch: pedirla es ``NotImplementedError``)."""
    differentiable = True

    @staticmethod
    def forward(ctx, a, x, lower=True):
        ctx.save_for_backward(a, x)
        ctx.lower = lower
        return KI.igamma(a, x) if lower else KI.igammac(a, x)

    @staticmethod
    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            name = "igamma" if ctx.lower else "igammac"
            raise NotImplementedError(f"la derivada de {name} respecto de su primer argumento (input, a) no está "
                                      f"implementada (tampoco en PyTorch: 'the derivative for {name}: input is not "
                                      f"implemented')")
        a, x = ctx.saved_tensors
        xp = namespace(g)
        with np.errstate(**IGNORE_FP_ERRORS):
            density = xp.exp((a - 1) * xp.log(x) - x - _apply(Lgamma, K.lgamma, a))
            return None, (g * density if ctx.lower else -g * density)
