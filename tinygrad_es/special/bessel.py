"""Las funciones de Bessel de orden 0 y 1 y la de Airy de ``torch.special``: J₀, J₁ (primera especie),
Y₀, Y₁ (segunda especie), K₀, K₁ (modificadas de segunda especie), e^x·K₀, e^x·K₁ y Ai.

Los valores salen de ``kernels/bessel.py`` (las aproximaciones de Cephes que usa PyTorch: cocientes
de polinomios cerca de 0, la forma asintótica de Hankel lejos, series de Chebyshev para K; el
docstring del núcleo las detalla). Como en PyTorch, **no tienen derivada**: el resultado no guarda
historia (``requires_grad=False`` aunque la entrada lo pida; las derivadas serían
J₀' = −J₁, Y₀' = −Y₁, K₀' = −K₁, J₁' = J₀ − J₁/x, Ai' = la otra Airy, que PyTorch no ofrece).
Enteros → float32; float16 y complejos → ``NotImplementedError``.

    >>> import tinygrad_es as torch
    >>> torch.special.bessel_j0(torch.tensor([0.0, 2.404825557695773]))   # tensor([1., 0.])
"""
from __future__ import annotations

from ..autograd import TensorBase
from ..kernels import bessel as K
from .._tensor.out import write_out
from ._input import real_input

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_k0",
           "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"]

_DOCS = {
    "airy_ai": "Ai(x), la función de Airy de primera especie (solución de y'' = x·y que decae con x → +inf); "
               "nan en ±inf",
    "bessel_j0": "J₀(x), la Bessel de primera especie de orden 0 (par)",
    "bessel_j1": "J₁(x), la Bessel de primera especie de orden 1 (impar)",
    "bessel_y0": "Y₀(x), la Bessel de segunda especie de orden 0: −inf en 0, nan con x < 0",
    "bessel_y1": "Y₁(x), la Bessel de segunda especie de orden 1: −inf en 0, nan con x < 0",
    "modified_bessel_k0": "K₀(x), la Bessel modificada de segunda especie de orden 0: inf en 0, nan con x < 0",
    "modified_bessel_k1": "K₁(x), la Bessel modificada de segunda especie de orden 1: inf en 0, nan con x < 0",
    "scaled_modified_bessel_k0": "e^x·K₀(x) (no se anula por debajo con x grande): inf en 0, nan con x < 0",
    "scaled_modified_bessel_k1": "e^x·K₁(x): inf en 0, nan con x < 0",
}


def _function(name):
    kernel = getattr(K, name)

    def fn(input, *, out=None):
        x = real_input(input, name)
        res = TensorBase._wrap(kernel(x._data))   # sin historia: PyTorch no la deriva
        return res if out is None else write_out(name, out, res)
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    fn.__doc__ = (f"``{name}(input, *, out=None)``: {_DOCS[name]}. Sin derivada (como en PyTorch: el "
                  f"resultado no tiene ``grad_fn``). En PyTorch: ``torch.special.{name}``.")
    return fn


airy_ai = _function("airy_ai")
bessel_j0 = _function("bessel_j0")
bessel_j1 = _function("bessel_j1")
bessel_y0 = _function("bessel_y0")
bessel_y1 = _function("bessel_y1")
modified_bessel_k0 = _function("modified_bessel_k0")
modified_bessel_k1 = _function("modified_bessel_k1")
scaled_modified_bessel_k0 = _function("scaled_modified_bessel_k0")
scaled_modified_bessel_k1 = _function("scaled_modified_bessel_k1")
