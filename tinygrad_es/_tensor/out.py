"""El argumento ``out=`` de las funciones de PyTorch (``torch.add(a, b, out=c)``) y los nombres de
PyTorch para el segundo operando (``torch.matmul(input=a, other=b)``).

``out=`` escribe el resultado en un tensor que ya existe y lo devuelve, con las reglas de PyTorch:

* el resultado se convierte al dtype de ``out`` si PyTorch lo permite (de entero a coma flotante sí;
  de coma flotante a entero o de número a ``bool``, no: ``RuntimeError``); ``matmul``, ``clamp``,
  ``softmax``, ``where``... (``EXACT_DTYPE``) exigen el mismo dtype, como PyTorch;
* si la forma no coincide, ``out`` se redimensiona (con un aviso si tenía elementos);
* no hay gradiente a través de ``out=``: si el resultado lo necesitaría, ``RuntimeError``.

En PyTorch: el parámetro ``out`` de ``torch.add``, ``torch.matmul``, ``torch.cat``...
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd import TensorBase, is_grad_enabled, no_grad

__all__ = ["write_out", "OPERAND_KEYWORDS"]

# nombre de PyTorch del segundo operando de los métodos (``other`` de add/mul/matmul/maximum...,
# ``exponent`` de pow, ``mat2`` de mm/bmm, ``tensor`` de dot, ``vec`` de mv)
OPERAND_KEYWORDS = ("other", "exponent", "mat2", "tensor", "vec")

# las que PyTorch no convierte: out debe tener exactamente el dtype del resultado
EXACT_DTYPE = frozenset("""matmul mm bmm mv dot clamp clip softmax log_softmax where amax amin argmax argmin
gather index_select tril triu""".split())

# orden de las categorías de dtype para el casting de out= (torch.can_cast)
_KIND = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def write_out(name: str, out, result):
    """Escribe ``result`` en ``out`` (un tensor, o una tupla de tensores para resultados múltiples)
    como ``out=`` de PyTorch y devuelve ``out``."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): out debe ser una tupla de {len(result)} tensores")
        outs = [write_out(name, o, r) for o, r in zip(out, result)]
        return type(result)(*outs) if hasattr(result, "_fields") else tuple(outs)
    if not isinstance(out, TensorBase):
        raise TypeError(f"{name}(): el argumento 'out' debe ser un Tensor, no {type(out).__name__}")
    if not isinstance(result, TensorBase):
        result = TensorBase._wrap(np.asarray(result))
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{name}(): las funciones con out=... no admiten gradiente automático y uno de los "
                           f"argumentos necesita gradiente (usa la versión sin out=, o with torch.no_grad())")
    src, dst = result._data.dtype, out._data.dtype
    if name in EXACT_DTYPE and src != dst:
        raise RuntimeError(f"{name}(): out debe tener el dtype del resultado ({result.dtype}), no {out.dtype}")
    if _KIND[src.kind] > _KIND[dst.kind]:
        raise RuntimeError(f"{name}(): el resultado es de tipo {result.dtype} y no se puede convertir al dtype de "
                           f"out ({out.dtype})")
    if tuple(out.shape) != tuple(result.shape):
        if out._data.size:
            warnings.warn(f"{name}(): se redimensiona out, de forma {tuple(out.shape)} a {tuple(result.shape)} "
                          f"(PyTorch avisa igual; pasa un tensor vacío o de la forma correcta)", UserWarning,
                          stacklevel=3)
        out._data = np.empty(result._data.shape, dtype=dst)
    with no_grad():
        out.copy_(result)
    return out
