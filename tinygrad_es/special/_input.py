"""La entrada de las funciones de una variable de ``torch.special`` que sólo tienen núcleo para
float32 y float64 (``ndtri``, ``erfcx``, las de Bessel...): enteros y bool pasan a float32, como en
PyTorch; float16 y complejos dan ``NotImplementedError`` (el "not implemented for 'Half'" de PyTorch)."""
from __future__ import annotations

from .. import _dtype as D
from ..autograd import TensorBase

__all__ = ["real_input"]


def real_input(input, name):
    """``input`` listo para el núcleo (float32 o float64) o el error de PyTorch, en castellano."""
    if not isinstance(input, TensorBase):
        raise TypeError(f"special.{name}(): el argumento 'input' debe ser un Tensor, no {type(input).__name__}")
    dt = input._data.dtype
    if dt.kind in "iub":
        return input.float()
    if dt.kind != "f" or dt.itemsize < 4:
        raise NotImplementedError(f"special.{name}() sólo está implementada para float32 y float64 (y enteros, "
                                  f"que pasan a float32), no para {D._BY_NP.get(dt, dt)} (como en PyTorch)")
    return input
