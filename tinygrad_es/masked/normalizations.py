"""Las operaciones enmascaradas que conservan la forma: ``cumsum``, ``cumprod``, ``softmax``,
``log_softmax``, ``softmin``, ``normalize`` y ``logaddexp``.

Como las reducciones, cada una es la operación de siempre sobre ``where(mask, input, identidad)`` y su
derivada es la de esa operación con 0 en los enmascarados. En la salida, un elemento enmascarado vale lo
que da la identidad: en ``softmax`` un 0 (e^−∞), en ``log_softmax`` −∞, en ``cumsum`` repite la suma
anterior; una fila del todo enmascarada da ``nan`` en ``softmax``, como en PyTorch.

    >>> x = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
    >>> m = torch.tensor([[True, False, True], [False, False, False]])
    >>> torch.masked.softmax(x, 1, mask=m)
    tensor([[0.1192, 0.0000, 0.8808],
            [   nan,    nan,    nan]])
    >>> torch.masked.cumsum(x, 1, mask=m)
    tensor([[1., 1., 4.],
            [0., 0., 0.]])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor.tensor import Tensor
from ._mask import canonical_dim, check_input, combine_input_and_mask
from .reductions import norm

__all__ = ["cumsum", "cumprod", "softmax", "log_softmax", "softmin", "normalize", "logaddexp"]


def _args(op, input, dim, dtype):
    check_input(input, op)
    return canonical_dim(dim, input.ndim)[0], (input.dtype if dtype is None else D.as_dtype(dtype))


def cumsum(input, dim, *, dtype=None, mask=None):
    """Suma acumulada a lo largo de ``dim`` de los elementos válidos: un elemento enmascarado cuenta como 0
    (en su sitio se repite la suma anterior). ``dtype`` es el tipo de la salida (por defecto el de
    ``input``: un int32 sigue siendo int32). ``mask`` (bool, con broadcasting) marca con ``True`` los
    válidos. Derivada: ∂yⱼ/∂xᵢ = mᵢ si i ≤ j. En PyTorch: ``torch.masked.cumsum``.

    >>> torch.masked.cumsum(torch.tensor([1, 2, 3]), 0, mask=torch.tensor([True, False, True]))
    tensor([1, 1, 4])
    """
    d, dtype = _args("cumsum", input, dim, dtype)
    return combine_input_and_mask("cumsum", input, mask).cumsum(d, dtype=dtype).to(dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    """Producto acumulado a lo largo de ``dim`` de los elementos válidos de ``input`` (un enmascarado cuenta como 1).
    ``dtype`` y ``mask`` como en ``torch.masked.cumsum``. Derivada: ∂yⱼ/∂xᵢ = mᵢ·∏_{k≤j, k≠i} x̃ₖ si
    i ≤ j. En PyTorch: ``torch.masked.cumprod``.

    >>> torch.masked.cumprod(torch.tensor([2., 5., 3.]), 0, mask=torch.tensor([True, False, True]))
    tensor([2., 2., 6.])
    """
    d, dtype = _args("cumprod", input, dim, dtype)
    return combine_input_and_mask("cumprod", input, mask).cumprod(d, dtype=dtype).to(dtype)


def softmax(input, dim, *, dtype=None, mask=None):
    """``softmax`` de ``input`` a lo largo de ``dim`` sólo entre los elementos válidos (los enmascarados cuentan como −∞
    y salen 0; una fila del todo enmascarada sale ``nan``). ``dtype`` convierte la entrada antes de
    calcular; ``mask`` como en ``torch.masked.cumsum``. Derivada: ∂yⱼ/∂xᵢ = mᵢ·yⱼ(δᵢⱼ − yᵢ). En
    PyTorch: ``torch.masked.softmax``.

    >>> torch.masked.softmax(torch.tensor([0., 9., 0.]), 0, mask=torch.tensor([True, False, True]))
    tensor([0.5000, 0.0000, 0.5000])
    """
    d, dtype = _args("softmax", input, dim, dtype)
    return combine_input_and_mask("amax", input, mask).softmax(d, dtype=dtype)


def log_softmax(input, dim, *, dtype=None, mask=None):
    """``log_softmax`` de ``input`` a lo largo de ``dim`` entre los elementos válidos (los enmascarados salen −∞; una
    fila del todo enmascarada sale ``nan``). ``dtype`` y ``mask`` como en ``torch.masked.softmax``.
    Derivada: ∂yⱼ/∂xᵢ = mᵢ(δᵢⱼ − softmax(x̃)ᵢ). En PyTorch: ``torch.masked.log_softmax``.

    >>> torch.masked.log_softmax(torch.tensor([0., 9., 0.]), 0, mask=torch.tensor([True, False, True]))
    tensor([-0.6931,    -inf, -0.6931])
    """
    d, dtype = _args("log_softmax", input, dim, dtype)
    return combine_input_and_mask("amax", input, mask).log_softmax(d, dtype=dtype)


def softmin(input, dim, *, dtype=None, mask=None):
    """``softmin`` (el ``softmax`` de −x) de ``input`` a lo largo de ``dim`` entre los elementos válidos (los
    enmascarados cuentan como +∞ y salen 0). ``dtype`` y ``mask`` como en ``torch.masked.softmax``.
    Derivada: ∂yⱼ/∂xᵢ = −mᵢ·yⱼ(δᵢⱼ − yᵢ). En PyTorch: ``torch.masked.softmin``.

    >>> torch.masked.softmin(torch.tensor([0., -9., 0.]), 0, mask=torch.tensor([True, False, True]))
    tensor([0.5000, 0.0000, 0.5000])
    """
    d, dtype = _args("softmin", input, dim, dtype)
    return (-combine_input_and_mask("amin", input, mask)).softmax(d, dtype=dtype)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    """``x̃ / max(‖x̃‖_ord, eps)`` a lo largo de ``dim``, con x̃ = ``where(mask, input, 0)``: la norma es la de
    ``torch.masked.norm`` (``ord`` 2, 1, ∞...) y los enmascarados salen 0. ``dtype`` es el de la norma;
    ``mask`` como en ``torch.masked.cumsum``. Derivada: la del cociente, ∂yⱼ/∂xᵢ = mᵢ(δᵢⱼ/‖x̃‖ −
    x̃ⱼ·∂‖x̃‖/∂xᵢ/‖x̃‖²) (sin el segundo término donde manda ``eps``). En PyTorch:
    ``torch.masked.normalize``.

    >>> torch.masked.normalize(torch.tensor([3., 9., 4.]), 2.0, 0, mask=torch.tensor([True, False, True]))
    tensor([0.6000, 0.0000, 0.8000])
    """
    check_input(input, "normalize")
    dtype = input.dtype if dtype is None else D.as_dtype(dtype)
    x = combine_input_and_mask("sum", input, mask)
    nrm = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    return x / nrm.maximum(Tensor._wrap(np.array(eps, dtype=nrm._data.dtype)))


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    """``log(e^x + e^y)`` elemento a elemento, donde un elemento enmascarado de ``input`` (según
    ``input_mask``) o de ``other`` (según ``other_mask``) cuenta como −∞; si los dos lo están sale −∞.
    ``dtype`` convierte el resultado (por defecto el de ``input``). Derivada: ∂/∂x = m_x·σ(x̃ − ỹ),
    ∂/∂y = m_y·σ(ỹ − x̃). En PyTorch: ``torch.masked.logaddexp``.

    >>> m = torch.tensor([True, False, True])
    >>> torch.masked.logaddexp(torch.tensor([-100., -200., -300.]), torch.tensor([-1., -2., -3.]),
    ...                        input_mask=m, other_mask=m)
    tensor([-1., -inf, -3.])
    """
    check_input(input, "logaddexp")
    check_input(other, "logaddexp")
    dtype = input.dtype if dtype is None else D.as_dtype(dtype)
    a = combine_input_and_mask("logaddexp", input, input_mask)
    b = combine_input_and_mask("logaddexp", other, other_mask)
    return a.logaddexp(b).to(dtype)
