"""``F.pad``: relleno (o recorte, con valores negativos) de los últimos ejes, con los argumentos,
los modos y los errores de PyTorch (``tests/test_ops_torch_parity.py`` y ``test_ops_torch_edge.py``).

``pad`` va como en PyTorch: ``(izq_último, der_último, izq_penúltimo, der_penúltimo, ...)``.
Modos: ``constant`` (con ``value``), ``reflect`` (espejo sin repetir el borde), ``replicate``
(repite el borde) y ``circular`` (da la vuelta). Los modos no constantes son una selección de
índices por eje (``IndexSelect``): el gradiente suma en cada posición de origen lo que recibieron
sus copias. El constante recorta con un corte y rellena con ``movement.Pad``.
"""
import numbers

import numpy as np

from ..._validate import choice
from ...autograd import TensorBase
from ...ops.indexing import IndexSelect
from ...ops.movement import Pad

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n, left, right, mode):
    """Para cada posición de la salida (de −left a n + right) su posición de origen."""
    i = np.arange(-left, n + right)
    if mode == "reflect":
        i = np.abs(i)
        i = np.where(i > n - 1, 2 * (n - 1) - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, n - 1)
    else:  # circular: da la vuelta dentro de lo que queda tras recortar (como PyTorch)
        lo, hi = max(-left, 0), n - max(-right, 0)
        i = lo + np.mod(i - lo, max(hi - lo, 1))
    return i


def pad(input, pad, mode="constant", value=None):
    """Rellena ``input`` (o lo recorta, con valores negativos) en sus últimos ejes. Derivada: el gradiente
    de la salida recortado a la región de la entrada; en los modos no constantes, cada posición de
    origen suma lo que recibieron sus copias.

    Args:
        input: tensor de cualquier forma.
        pad: pares desde el último eje hacia atrás: ``(izq_último, der_último, izq_penúltimo,
            der_penúltimo, ...)``.
        mode: ``'constant'`` (por defecto), ``'reflect'`` (espejo sin repetir el borde), ``'replicate'``
            (repite el borde) o ``'circular'`` (da la vuelta); los no constantes sólo en los 1–3
            últimos ejes, como PyTorch.
        value: el valor del relleno constante (``None``: 0).

    Forma: el eje ``-k`` crece en ``pad[2k−2] + pad[2k−1]``.

    Ejemplo:
        >>> F.pad(torch.tensor([1., 2.]), (1, 2))
        tensor([0., 1., 2., 0., 0.])
        >>> F.pad(torch.tensor([[1., 2., 3.]]), (2, 0), mode="reflect")
        tensor([[3., 2., 1., 2., 3.]])

    En PyTorch: ``torch.nn.functional.pad``.
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"pad: la entrada debe ser un Tensor, no {type(input).__name__}")
    pads = tuple(pad)
    if not all(isinstance(p, (numbers.Integral, np.integer)) and not isinstance(p, bool) for p in pads):
        raise TypeError(f"pad: los rellenos deben ser enteros, no {pads}")
    if len(pads) % 2:
        raise RuntimeError(f"pad: la longitud de pad debe ser par (un par por eje), y es {len(pads)}")
    k = len(pads) // 2
    if k > input.ndim:
        raise RuntimeError(f"pad: pad tiene {len(pads)} valores pero la entrada sólo tiene {input.ndim} "
                           f"dimensiones (como mucho 2 por dimensión)")
    choice(mode, _MODES, "mode", "pad", exc=NotImplementedError, type_exc=TypeError)
    pairs = [(int(pads[2 * j]), int(pads[2 * j + 1]), input.ndim - 1 - j) for j in range(k)]
    if mode == "constant":
        return _constant(input, pairs, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"pad: el modo {mode!r} no admite value")
    if input.ndim not in (k + 1, k + 2) or k > 3:
        raise NotImplementedError(f"pad: {len(pads)} valores de relleno no se admiten con el modo {mode!r} "
                                  f"para una entrada de {input.ndim} dimensiones (se rellenan 1, 2 o 3 ejes "
                                  f"de una entrada con 1 o 2 ejes más: (N, C, ...) o (C, ...))")
    out = input
    for left, right, d in pairs:
        n = input.shape[d]
        if n + left + right < 0 or (n + left + right == 0 and n > 0 and (left or right)):
            raise RuntimeError(f"pad: el relleno ({left}, {right}) deja el eje {d} (de tamaño {n}) sin "
                               f"elementos")
        if mode == "reflect" and (left >= n or right >= n):
            raise RuntimeError(f"pad: en modo 'reflect' el relleno debe ser menor que el tamaño del eje: "
                               f"({left}, {right}) en un eje de tamaño {n}")
        if mode == "circular" and (left > n or right > n):
            raise RuntimeError(f"pad: en modo 'circular' el relleno no puede ser mayor que el tamaño del eje "
                               f"({left}, {right}) en un eje de tamaño {n}")
        if n == 0 and (left > 0 or right > 0):
            raise RuntimeError(f"pad: no se puede rellenar en modo {mode!r} un eje vacío")
        if left or right:
            out = IndexSelect.apply(out, index=_source_index(n, left, right, mode), dim=d)
    return out


def _constant(x, pairs, value):
    crop = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    for left, right, d in pairs:
        n = x.shape[d]
        if n + left + right < 0:
            raise RuntimeError(f"pad: el relleno ({left}, {right}) deja el eje {d} (de tamaño {n}) con tamaño "
                               f"negativo")
        start = -left if left < 0 else 0
        stop = n + right if right < 0 else n
        crop[d] = slice(start, max(stop, start))
        widths[d] = (max(left, 0), max(right, 0))
    out = x
    if any(s != slice(None) for s in crop):
        out = out[tuple(crop)]
    if any(w != (0, 0) for w in widths):
        v = np.asarray(value).astype(x._data.dtype).item()
        out = Pad.apply(out, pad_width=tuple(widths), value=v)
    elif out is x:
        out = x.clone()
    return out
