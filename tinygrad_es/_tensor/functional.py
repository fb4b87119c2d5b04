"""Las funciones de nivel superior de PyTorch que no son un método de ``Tensor`` (como
``torch/functional.py``): ``einsum``, ``tensordot``, ``meshgrid``, ``broadcast_tensors``,
``broadcast_shapes``, ``split``, ``std_mean``, ``var_mean``, ``repeat_interleave(repeats)``,
``det``, ``inverse``, ``is_nonzero``, ``rsub``, ``fill`` y ``unravel_index``.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd import TensorBase
from ..ops import matmul as MM
from .creation import tensor
from .linalg import det as _det, inv as _inv
from .solvers import lu_unpack
from .out import write_out
from .tensor import Size

__all__ = ["einsum", "tensordot", "meshgrid", "std_mean", "var_mean", "broadcast_tensors", "broadcast_shapes",
           "repeat_interleave", "det", "inverse", "split", "is_nonzero", "rsub", "fill", "unravel_index",
           "polygamma", "lu_unpack", "result_type"]


def split(tensor, split_size_or_sections, dim=0):
    """``torch.split``: trozos de tamaño ``split_size_or_sections`` o de los tamaños de la lista."""
    return tensor.split(split_size_or_sections, dim)


def rsub(input, other, *, alpha=1):
    """``other − alpha·input`` (la resta al revés), con la promoción de tipos de ``sub``.

    Args:
        input: tensor.
        other: tensor o número.
        alpha: multiplica a ``input`` (``1``).

    Derivadas: ∂/∂input = −alpha·g, ∂/∂other = g. En PyTorch: ``torch.rsub``.

    >>> torch.rsub(torch.tensor([1., 2.]), 5)   # tensor([4., 3.])
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"rsub(): el argumento 'input' (posición 1) debe ser un Tensor, no {type(input).__name__}")
    if isinstance(other, TensorBase):
        return other.sub(input, alpha=alpha)
    return (input if alpha == 1 else input * alpha).__rsub__(other)


def fill(input, value):
    """Un tensor como ``input`` (forma y dtype) lleno de ``value``: ``input.clone().fill_(value)``.

    Derivadas: 0 hacia ``input``; Σg hacia ``value`` si es un tensor 0-D con gradiente. En PyTorch:
    ``torch.fill``.

    >>> torch.fill(torch.zeros(2), 3)   # tensor([3., 3.])
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"fill(): el argumento 'input' debe ser un Tensor, no {type(input).__name__}")
    return input.clone().fill_(value)


def polygamma(n, input, *, out=None):
    """``torch.polygamma(n, input)``: ψ⁽ⁿ⁾(input) (``n`` va primero); véase ``Tensor.polygamma``."""
    if not isinstance(input, TensorBase):
        raise TypeError(f"polygamma(): 'input' debe ser un Tensor, no {type(input).__name__}")
    res = input.polygamma(n)
    return res if out is None else write_out("polygamma", out, res)


def unravel_index(indices, shape):
    """Los índices planos ``indices`` (de un tensor de forma ``shape`` en orden C) como una tupla de
    tensores de coordenadas, uno por eje (int64, forma la de ``indices``). Como PyTorch, un índice
    fuera de rango o negativo se reduce módulo el tamaño de cada eje.

    >>> torch.unravel_index(torch.tensor([5, 7]), (2, 4))   # (tensor([1, 1]), tensor([1, 3]))
    """
    a = indices._data if isinstance(indices, TensorBase) else np.asarray(indices)
    if a.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: 'indices' debe ser de un dtype entero, y es {a.dtype}")
    shp = (int(shape),) if isinstance(shape, (numbers.Integral, np.integer)) else tuple(int(n) for n in shape)
    if any(n < 0 for n in shp):
        raise RuntimeError(f"unravel_index: los tamaños de 'shape' deben ser ≥ 0, y son {list(shp)}")
    a = a.astype(np.int64)
    out = []
    for n in reversed(shp):
        if n == 0:
            raise RuntimeError(f"unravel_index: no hay índices válidos en una forma con un eje 0: {list(shp)}")
        out.append(np.mod(a, n))
        a = np.floor_divide(a, n)
    return tuple(TensorBase._wrap(c) for c in reversed(out))


def einsum(equation, *operands):
    """Suma de Einstein: ``einsum("ij,jk->ik", A, B)`` es ``A @ B``; admite ``...``, modo implícito
    (sin ``->``), letras repetidas (diagonales, ``"ii"`` es la traza) y broadcasting."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: el primer argumento debe ser la ecuación (str), no {type(equation).__name__}")
    ts = [o if isinstance(o, TensorBase) else tensor(o) for o in operands]
    if not ts:
        raise RuntimeError("einsum: se necesita al menos un operando")
    dts = {t._data.dtype for t in ts}
    if len(dts) > 1:
        names = ", ".join(str(D._BY_NP[d]) for d in dts)
        raise RuntimeError(f"einsum: todos los operandos deben tener el mismo dtype, y hay {names}")
    try:
        ins, out, sizes = MM.parse_einsum(equation, [t.shape for t in ts])
    except ValueError as e:
        raise RuntimeError(str(e)) from None
    if len(ts) == 1 and ts[0]._data.dtype.kind in "biu" and set(ins[0]) - set(out):
        ts = [ts[0].type(D.int64)]  # una reducción de un solo operando es una suma: enteros → int64, como PyTorch
    return MM.Einsum.apply(*ts, ins=tuple(ins), out=out, sizes=sizes)


def tensordot(a, b, dims=2, out=None):
    """Contrae los últimos ``dims`` ejes de ``a`` con los primeros de ``b`` (o los pares de ejes
    ``dims = ([ejes de a], [ejes de b])``)."""
    if out is not None:
        raise NotImplementedError("tensordot(out=...) no está soportado; usa el valor devuelto")
    if isinstance(dims, TensorBase):
        dims = dims.tolist()
    if isinstance(dims, (numbers.Integral, np.integer)):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot: dims = {dims} fuera de rango para formas {tuple(a.shape)} y "
                               f"{tuple(b.shape)}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, numbers.Integral) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError(f"tensordot: las dos listas de ejes deben tener la misma longitud ({da}, {db})")
        da, db = [a._dim(d) for d in da], [b._dim(d) for d in db]
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    sa = list(letters[:a.ndim])
    sb = list(letters[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        if b.shape[j] == 1 and a.shape[i] != 1:  # un eje de tamaño 1 se difunde: el otro se suma ya (PyTorch)
            a = a.sum(i, keepdim=True)
        elif a.shape[i] == 1 and b.shape[j] != 1:
            b = b.sum(j, keepdim=True)
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"tensordot: el eje {i} de a ({a.shape[i]}) y el {j} de b ({b.shape[j]}) no "
                               f"coinciden")
        sb[j] = sa[i]
    res = "".join(c for k, c in enumerate(sa) if k not in da) + "".join(c for k, c in enumerate(sb) if k not in db)
    return einsum(f"{''.join(sa)},{''.join(sb)}->{res}", a, b)


def meshgrid(*tensors, indexing=None):
    """Rejillas de coordenadas: con ``indexing="ij"`` (por defecto) la salida i varía a lo largo
    del eje i; con ``"xy"`` se intercambian los dos primeros ejes (como numpy)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("meshgrid: pasa indexing='ij' o 'xy' explícitamente (se usa 'ij', como PyTorch)",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing debe ser 'ij' o 'xy', no {indexing!r}")
    ts = [t.reshape(-1) if t.ndim == 0 else t for t in tensors]
    for t in ts:
        if t.ndim != 1:
            raise RuntimeError(f"meshgrid: cada entrada debe ser 0-D o 1-D, no de forma {tuple(t.shape)}")
    if len({t._data.dtype for t in ts}) > 1:
        raise RuntimeError("meshgrid: todas las entradas deben tener el mismo dtype")
    k = len(ts)
    pos = list(range(k))
    if indexing == "xy" and k >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * k
    for t, p in zip(ts, pos):
        shape[p] = t.shape[0]
    out = []
    for t, p in zip(ts, pos):
        view = [1] * k
        view[p] = -1
        out.append(t.reshape(view).expand(shape))
    return tuple(out)


def _stat_args(dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # std_mean(x, True): el segundo argumento es unbiased
        dim, unbiased = None, dim
    return dim, unbiased, keepdim, correction


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` en una llamada (tupla)."""
    dim, unbiased, keepdim, correction = _stat_args(dim, unbiased, keepdim, correction)
    return input.std(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` en una llamada (tupla)."""
    dim, unbiased, keepdim, correction = _stat_args(dim, unbiased, keepdim, correction)
    return input.var(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def broadcast_shapes(*shapes):
    """La forma común de varias formas (reglas de broadcasting)."""
    try:
        return Size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: las formas {shapes} no hacen broadcasting") from None


def broadcast_tensors(*tensors):
    """Los tensores expandidos a su forma común (vistas, sin copiar)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """``repeat_interleave(x, repeats, dim)``; con un solo tensor de repeticiones ``r`` devuelve
    ``[0]*r[0] + [1]*r[1] + ...`` (como PyTorch)."""
    if repeats is None:
        r = input._data if isinstance(input, TensorBase) else np.asarray(input)
        return tensor(np.repeat(np.arange(r.size, dtype=np.int64), r.reshape(-1)))
    if not isinstance(input, TensorBase):
        input = tensor(input)
    return input.repeat_interleave(repeats, dim, output_size=output_size)


def det(input):
    """Determinante (``linalg.det``)."""
    return _det(input)


def inverse(input):
    """Matriz inversa (``linalg.inv``)."""
    return _inv(input)


def is_nonzero(input) -> bool:
    return bool(input)


def result_type(tensor, other):
    """El dtype que daría una operación aritmética entre ``tensor`` y ``other`` (tensores o números), con
    las reglas de promoción de PyTorch. En PyTorch: ``torch.result_type``.

    >>> torch.result_type(torch.tensor([1, 2]), 1.0)   # torch.float32
    """
    return D.as_dtype(D.result_type(tensor, other))

