"""``default_collate``: une una lista de muestras en un lote, con las reglas de PyTorch.

- tensores -> apilados en una dimensión nueva (deben tener la misma forma);
- arrays de numpy -> tensores apilados; escalares de numpy -> tensor de su dtype;
- ``float`` -> float64, ``int`` -> int64 (o float32 si la lista mezcla enteros y decimales),
  ``bool`` -> bool;
- textos y bytes -> se dejan como la lista (o tupla) de textos;
- dicts, tuplas con nombre, listas y tuplas -> se unen campo a campo (una tupla de muestras da
  una *lista* de lotes, como en PyTorch).
"""
from __future__ import annotations

import collections.abc
import numbers

import numpy as np

from . import _compat

__all__ = ["default_collate", "default_convert"]

_ERR = ("default_collate: el lote debe contener tensores, arrays de numpy, números, dicts o listas; "
        "se encontró {}")


def _stack_tensors(batch):
    shapes = [tuple(t.shape) for t in batch]
    for i, s in enumerate(shapes):
        if s != shapes[0]:
            raise RuntimeError(f"default_collate: no se pueden apilar tensores de formas distintas: "
                               f"{list(shapes[0])} en la posición 0 y {list(s)} en la {i}")
    if any(getattr(t, "requires_grad", False) for t in batch):
        return _compat.stack(batch)
    return _compat.from_array(np.stack([_compat.to_array(t) for t in batch]))


def default_collate(batch):
    """Une ``batch`` (una lista de muestras) en un lote, con las reglas de PyTorch:

    * tensores → apilados en un eje nuevo (deben tener la misma forma); arrays de numpy → tensores
      apilados; escalares de numpy → tensor de su dtype;
    * ``float`` → float64, ``int`` → int64, ``bool`` → bool;
    * textos y bytes → la lista de textos;
    * dicts, tuplas con nombre, listas y tuplas → se unen campo a campo (una tupla de muestras da una
      *lista* de lotes, como en PyTorch).

    Args:
        batch: lista de muestras.

    Ejemplo:
        >>> data.default_collate([(torch.tensor([1., 2.]), 0), (torch.tensor([3., 4.]), 1)])
        [tensor([[1., 2.],
                [3., 4.]]), tensor([0, 1])]

    En PyTorch: ``torch.utils.data.default_collate``.
    """
    elem = batch[0]
    if _compat.is_tensor(elem):
        return _stack_tensors(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, np.ndarray) or isinstance(elem, np.generic):
        if elem.dtype.kind in "OUSV" or elem.dtype == object:
            raise TypeError(_ERR.format(elem.dtype))
        if isinstance(elem, np.ndarray) and elem.ndim:
            return _stack_tensors([_compat.from_array(np.asarray(b)) for b in batch])
        return _compat.from_array(np.array(batch))
    if isinstance(elem, bool):
        return _compat.from_array(np.array(batch, dtype=bool))
    if isinstance(elem, float):
        return _compat.from_array(np.array(batch, dtype=np.float64))
    if isinstance(elem, numbers.Integral):
        a = np.array(batch)
        return _compat.from_array(a.astype(np.float32) if a.dtype.kind == "f" else a.astype(np.int64))
    if isinstance(elem, collections.abc.Mapping):
        out = {k: default_collate([d[k] for d in batch]) for k in elem}
        try:
            return type(elem)(out) if type(elem) is not dict else out
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # tupla con nombre
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        n = len(elem)
        if any(len(e) != n for e in batch):
            raise RuntimeError("default_collate: todas las muestras del lote deben tener el mismo número de "
                               f"elementos (la primera tiene {n})")
        parts = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return parts  # como PyTorch: una tupla de muestras da una lista de lotes
        try:
            return type(elem)(parts)
        except TypeError:
            return parts
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data):
    """Sin lotes (``batch_size=None``): convierte los arrays de numpy en tensores, recursivamente (dentro de
    dicts, listas y tuplas); lo demás queda igual.

    Args:
        data: una muestra.

    Ejemplo:
        >>> data.default_convert({"a": np.arange(3)})
        {'a': tensor([0, 1, 2])}

    En PyTorch: ``torch.utils.data.default_convert``.
    """
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OUSV":
        return _compat.from_array(data)
    if isinstance(data, np.generic) and data.dtype.kind in "biuf":
        return _compat.from_array(np.asarray(data))
    if isinstance(data, collections.abc.Mapping) and not isinstance(data, (str, bytes)):
        out = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(out) if type(data) is not dict else out
        except TypeError:
            return out
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
