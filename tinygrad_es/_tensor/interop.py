"""Crear tensores desde otros objetos y control de flujo de ``torch.*``: ``asarray`` (con ``copy=``),
``frombuffer`` (bytes → tensor, sin copiar), ``range`` (el antiguo, con el extremo incluido),
``scalar_tensor``, ``empty_strided``, y ``cond``/``while_loop`` (en PyTorch, para compilar; aquí se
ejecutan como el ``if``/``while`` de Python que describen).
"""
from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from .creation import _finish, tensor, zeros

__all__ = ["asarray", "frombuffer", "range", "scalar_tensor", "empty_strided", "empty_permuted", "cond", "while_loop"]


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Un tensor a partir de ``obj`` (tensor, ndarray, lista, número o algo con el protocolo de buffer):
    comparte memoria cuando se puede (``copy=None``), copia siempre con ``copy=True`` y con ``copy=False``
    falla si tendría que copiar. Como ``torch.asarray``.

    >>> torch.asarray(np.arange(3.)).dtype   # torch.float64 (comparte memoria con el array)
    """
    if isinstance(obj, (bytes, bytearray, memoryview)):
        obj = np.frombuffer(obj, dtype=D.np_dtype(dtype) if dtype is not None else np.uint8)
    if isinstance(obj, TensorBase) or isinstance(obj, np.ndarray):
        src = obj._data if isinstance(obj, TensorBase) else obj
        npd = src.dtype if dtype is None else D.np_dtype(dtype)
        if copy is False and npd != src.dtype:
            raise ValueError(f"asarray: con copy=False no se puede convertir de {src.dtype} a {npd}")
        data = np.array(src, dtype=npd, copy=True) if copy or npd != src.dtype else src
        out = TensorBase._wrap(data)
    else:
        if copy is False:
            raise ValueError("asarray: con copy=False sólo se aceptan tensores, arrays o buffers (sin copiar)")
        out = tensor(obj, dtype=dtype)
    return out.requires_grad_(True) if requires_grad else out


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """Un tensor 1-D que **comparte memoria** con ``buffer`` (``bytes``, ``bytearray``, ``array``...),
    leyendo ``count`` elementos de ``dtype`` desde el byte ``offset`` (``count=-1``: hasta el final).
    Como ``torch.frombuffer``.

    >>> torch.frombuffer(bytearray(b"\\x01\\x02"), dtype=torch.uint8)   # tensor([1, 2], dtype=torch.uint8)
    """
    npd = D.np_dtype(dtype)
    size = memoryview(buffer).nbytes
    if offset < 0 or offset > size:
        raise ValueError(f"frombuffer: offset debe estar entre 0 y {size} bytes, y es {offset}")
    if count == -1 and (size - offset) % npd.itemsize:
        raise ValueError(f"frombuffer: quedan {size - offset} bytes, que no son un número entero de elementos de "
                         f"{npd.itemsize} bytes ({D.as_dtype(npd)})")
    if count != -1 and (count <= 0 or offset + count * npd.itemsize > size):
        raise ValueError(f"frombuffer: {count} elementos de {npd.itemsize} bytes desde el byte {offset} no caben en "
                         f"un buffer de {size} bytes")
    if size - offset == 0:
        raise ValueError("frombuffer: el buffer está vacío (como en PyTorch, no se crea un tensor vacío)")
    arr = np.frombuffer(buffer, dtype=npd, count=count, offset=offset)
    out = TensorBase._wrap(arr)
    return out.requires_grad_(True) if requires_grad else out


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """El ``torch.range`` antiguo: de ``start`` a ``end`` **incluido**, en el flotante por defecto (obsoleto
    en PyTorch, que avisa igual; usa ``arange``)."""
    warnings.warn("torch.range está obsoleta y desaparecerá en PyTorch: usa torch.arange (que no incluye el "
                  "extremo)", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("range: step debe ser distinto de 0")
    n = builtins.max(int(math.floor((end - start) / step)) + 1, 0)
    npd = D.get_default_dtype().np if dtype is None else D.np_dtype(dtype)
    return _finish((start + np.arange(n, dtype=np.float64) * step).astype(npd), requires_grad, device)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """Un tensor 0-D con el número ``s`` en el flotante por defecto (o ``dtype``). Como ``torch.scalar_tensor``."""
    npd = D.get_default_dtype().np if dtype is None else D.np_dtype(dtype)
    return _finish(np.array(s, dtype=npd), requires_grad, device)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    """Un tensor (con ceros) de forma ``size`` y pasos ``stride``: la memoria justa para esos pasos, vista
    con ``as_strided``. Como ``torch.empty_strided``."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    need = 0 if 0 in size else 1 + builtins.sum((s - 1) * st for s, st in zip(size, stride))
    base = zeros(need, dtype=dtype, device=device)
    out = base.as_strided(size, stride, 0)
    return out.requires_grad_(True) if requires_grad else out


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """Un tensor (con ceros) de forma ``size`` cuyo orden en memoria es ``physical_layout``: el eje
    ``physical_layout[0]`` es el más externo y ``physical_layout[-1]`` el contiguo (``(0, 2, 3, 1)`` en 4-D es
    channels_last). Se crea en ese orden y se permuta a ``size``. ``dtype``, ``device`` y ``requires_grad``
    como en ``torch.empty``; ``layout`` y ``pin_memory`` se aceptan y no cambian nada en CPU.

    >>> torch.empty_permuted((2, 3, 4), (0, 2, 1)).stride()
    (12, 1, 3)

    En PyTorch: ``torch.empty_permuted``."""
    size, perm = tuple(int(s) for s in size), tuple(int(p) for p in physical_layout)
    if len(size) != len(perm):
        raise RuntimeError(f"empty_permuted: size tiene {len(size)} dimensiones y physical_layout {len(perm)}; "
                           f"tienen que ser las mismas")
    if sorted(perm) != list(builtins.range(len(perm))):
        raise RuntimeError(f"empty_permuted: physical_layout={perm} tiene que ser una permutación de "
                           f"0..{len(perm) - 1}, sin ejes repetidos")
    base = zeros(*[size[p] for p in perm], dtype=dtype, device=device)
    out = TensorBase._wrap(base._data.transpose(np.argsort(perm)))
    return out.requires_grad_(True) if requires_grad else out


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` si ``pred`` (un bool o un tensor de un elemento) es cierto, si no
    ``false_fn(*operands)``. En PyTorch sirve para compilar; el resultado y el gradiente son los mismos."""
    take = bool(pred.item() if isinstance(pred, TensorBase) else pred)
    return (true_fn if take else false_fn)(*tuple(operands))


def while_loop(cond_fn, body_fn, carried_inputs):
    """Mientras ``cond_fn(*estado)`` sea cierto, ``estado = body_fn(*estado)``; devuelve el estado final
    (una tupla), como ``torch._higher_order_ops.while_loop``."""
    state = tuple(carried_inputs)
    while bool(cond_fn(*state)):
        out = body_fn(*state)
        state = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return state
