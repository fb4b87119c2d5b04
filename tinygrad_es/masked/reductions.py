"""Las reducciones enmascaradas de ``torch.masked``: ``sum``, ``prod``, ``amax``, ``amin``, ``argmax``,
``argmin``, ``mean``, ``median``, ``logsumexp``, ``norm``, ``var`` y ``std``.

Cada una reduce ``where(mask, input, identidad)`` (véase ``_mask``) con la reducción de siempre, así que
su derivada es la de esa reducción, con 0 en los elementos enmascarados. Una fila del todo enmascarada da
la identidad (0 en la suma, 1 en el producto, −∞ en ``amax``...) o ``nan`` donde no hay identidad
(``mean``, ``median``, ``var``, ``std``), como en PyTorch.

    >>> x = torch.tensor([[1., 2., 3.], [4., 5., 6.]])
    >>> m = torch.tensor([[True, False, True], [False, False, False]])
    >>> torch.masked.sum(x, 1, mask=m)
    tensor([4., 0.])
    >>> torch.masked.amax(x, 1, mask=m)
    tensor([3., -inf])
    >>> torch.masked.mean(x, 1, mask=m)
    tensor([2., nan])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor.linalg import vector_norm
from .._tensor.tensor import Tensor
from ._mask import canonical_dim, check_input, combine_input_and_mask, input_mask

__all__ = ["sum", "prod", "amax", "amin", "argmax", "argmin", "mean", "median", "logsumexp", "norm", "var", "std"]

_SMALL_INTS = ("bool", "uint8", "int8", "int16", "int32")


def _sum_dtype(input, dtype):
    """El dtype de ``sum``/``prod`` sin ``dtype=``: los enteros pequeños y bool suben a int64."""
    if dtype is not None:
        return D.as_dtype(dtype)
    return D.int64 if input.dtype.name in _SMALL_INTS else input.dtype


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Suma de los elementos válidos de ``input`` sobre ``dim`` (todos si es ``None``); una fila del todo
    enmascarada suma 0. ``mask`` (bool, se extiende por broadcasting) marca con ``True`` los válidos; sin
    ``mask`` todos lo son. ``keepdim`` conserva los ejes reducidos con tamaño 1; ``dtype`` es el tipo de
    la suma (sin él, bool y los enteros pequeños suman en int64). Derivada: ∂/∂xᵢ = mᵢ (1 si es válido,
    0 si no). En PyTorch: ``torch.masked.sum``.

    >>> torch.masked.sum(torch.tensor([1, 2, 3]), mask=torch.tensor([True, False, True]))
    tensor(4)
    """
    check_input(input, "sum")
    dtype = _sum_dtype(input, dtype)
    dims = canonical_dim(dim, input.ndim)
    return combine_input_and_mask("sum", input, mask).sum(dims, bool(keepdim), dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Producto de los elementos válidos de ``input`` sobre ``dim`` (los enmascarados cuentan como 1; una fila del todo
    enmascarada da 1). ``keepdim``, ``dtype`` y ``mask`` como en ``torch.masked.sum``. Derivada:
    ∂/∂xᵢ = mᵢ·∏_{j≠i} x̃ⱼ (la del producto de ``where(mask, x, 1)``, exacta también con ceros). En
    PyTorch: ``torch.masked.prod``.

    >>> torch.masked.prod(torch.tensor([2., 0., 3.]), mask=torch.tensor([True, False, True]))
    tensor(6.)
    """
    check_input(input, "prod")
    dtype = _sum_dtype(input, dtype)
    dims = canonical_dim(dim, input.ndim)
    result = combine_input_and_mask("prod", input, mask).to(dtype)
    for d in reversed(dims):  # eje a eje, del último al primero, como PyTorch
        result = result.prod(dim=d, keepdim=bool(keepdim))
    return result


def _extreme(op, input, dim, keepdim, dtype, mask):
    check_input(input, op)
    dtype = input.dtype if dtype is None else D.as_dtype(dtype)
    x = combine_input_and_mask(op, input, mask)
    dims = canonical_dim(dim, x.ndim)
    return getattr(x, op)(dims, bool(keepdim)).to(dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Máximo de los elementos válidos de ``input`` sobre ``dim`` (los enmascarados cuentan como −∞, o el mínimo de un
    entero; una fila del todo enmascarada da ese valor). ``keepdim``, ``mask`` como en
    ``torch.masked.sum``; ``dtype`` convierte el resultado. Derivada: 1 en el máximo válido (repartida
    entre los empates), 0 en el resto. En PyTorch: ``torch.masked.amax``.

    >>> torch.masked.amax(torch.tensor([1., 9., 3.]), mask=torch.tensor([True, False, True]))
    tensor(3.)
    """
    return _extreme("amax", input, dim, keepdim, dtype, mask)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Mínimo de los elementos válidos de ``input`` sobre ``dim`` (los enmascarados cuentan como +∞, o el máximo de un
    entero). ``keepdim``, ``dtype`` y ``mask`` como en ``torch.masked.amax``. Derivada: 1 en el mínimo
    válido (repartida entre los empates), 0 en el resto. En PyTorch: ``torch.masked.amin``.

    >>> torch.masked.amin(torch.tensor([1., -9., 3.]), mask=torch.tensor([True, False, True]))
    tensor(1.)
    """
    return _extreme("amin", input, dim, keepdim, dtype, mask)


def _arg(op, input, dim, keepdim, dtype, mask):
    check_input(input, op)
    dtype = input.dtype if dtype is None else D.as_dtype(dtype)
    x = combine_input_and_mask(op, input, mask)
    return getattr(x, op)(dim, bool(keepdim)).to(dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Índice del máximo válido sobre el eje ``dim`` (o del tensor aplanado si es ``None``); el primero
    en caso de empate. Como en PyTorch, el índice sale con el dtype de ``input`` (o ``dtype``).
    ``keepdim`` y ``mask`` como en ``torch.masked.sum``. No es derivable. En PyTorch:
    ``torch.masked.argmax``.

    >>> torch.masked.argmax(torch.tensor([1., 9., 3.]), mask=torch.tensor([True, False, True]))
    tensor(2.)
    """
    return _arg("argmax", input, dim, keepdim, dtype, mask)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Índice del mínimo válido sobre ``dim``, con el dtype de ``input`` (o ``dtype``); ``keepdim`` y
    ``mask`` como en ``torch.masked.argmax``. No es derivable. En PyTorch: ``torch.masked.argmin``.

    >>> torch.masked.argmin(torch.tensor([1., -9., 3.]), mask=torch.tensor([True, False, True]))
    tensor(0.)
    """
    return _arg("argmin", input, dim, keepdim, dtype, mask)


def _count(input, mask, dim, keepdim):
    """Cuántos elementos válidos hay sobre ``dim`` (int64)."""
    valid = np.ones(input.shape, np.int64) if mask is None else input_mask(input, mask)._data
    return Tensor._wrap(valid).sum(canonical_dim(dim, input.ndim), bool(keepdim), dtype=D.int64)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Media de los elementos válidos de ``input`` sobre ``dim``: ``masked.sum / cuántos válidos``; una fila del todo
    enmascarada da ``nan``. La entrada (o ``dtype``) tiene que ser de coma flotante (si no,
    ``ValueError``). ``keepdim`` y ``mask`` como en ``torch.masked.sum``. Derivada: ∂/∂xᵢ = mᵢ/n, con n
    los válidos de su fila. En PyTorch: ``torch.masked.mean``.

    >>> torch.masked.mean(torch.tensor([1., 9., 3.]), mask=torch.tensor([True, False, True]))
    tensor(2.)
    """
    check_input(input, "mean")
    source = "dtype= " if dtype is not None else "la entrada "
    dtype = input.dtype if dtype is None else D.as_dtype(dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"torch.masked.mean: no se puede deducir el dtype de salida: {source}tiene que ser de "
                         f"coma flotante o complejo, y es {dtype}")
    if mask is not None:
        mask = input_mask(input, mask)
    count = _count(input, mask, dim, keepdim)
    return sum(input, dim, keepdim=keepdim, dtype=dtype, mask=mask) / count


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    """Mediana de los elementos válidos de ``input`` a lo largo del eje ``dim`` (uno solo; por defecto el último): la
    menor de las dos centrales si son pares, como ``torch.nanmedian``; una fila del todo enmascarada da
    ``nan`` (con una entrada entera eso es ``ValueError``). ``keepdim``, ``dtype`` y ``mask`` como en
    ``torch.masked.amax``. Derivada: 1 en el elemento elegido, 0 en el resto. En PyTorch:
    ``torch.masked.median``.

    >>> torch.masked.median(torch.tensor([1., 9., 3., 5.]), mask=torch.tensor([True, False, True, True]))
    tensor(3.)
    """
    check_input(input, "median")
    dtype = input.dtype if dtype is None else D.as_dtype(dtype)
    d = canonical_dim(dim, input.ndim)[0]
    is_float = input.dtype.is_floating_point
    if not is_float:
        input = input.to(D.float32)
    out = combine_input_and_mask("median", input, mask).nanmedian(d, keepdim).values
    if is_float:
        return out
    if bool(out.isnan().any()):
        raise ValueError("torch.masked.median: con una entrada que no es de coma flotante no puede haber filas del "
                         "todo enmascaradas (su mediana sería nan)")
    return out.to(dtype)


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``log Σ exp(xᵢ)`` sobre los elementos válidos de ``input`` a lo largo de ``dim`` (los enmascarados
    cuentan como −∞; una fila del todo enmascarada da −∞). ``keepdim``, ``dtype`` y ``mask`` como en
    ``torch.masked.amax``.
    Derivada: ∂/∂xᵢ = mᵢ·softmax(x̃)ᵢ. En PyTorch: ``torch.masked.logsumexp``.

    >>> torch.masked.logsumexp(torch.tensor([0., 9., 0.]), mask=torch.tensor([True, False, True]))
    tensor(0.6931)
    """
    check_input(input, "logsumexp")
    dtype = input.dtype if dtype is None else D.as_dtype(dtype)
    dims = canonical_dim(dim, input.ndim)
    x = combine_input_and_mask("logsumexp", input, mask)
    return x.logsumexp(dims, keepdim=bool(keepdim)).to(dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Norma ``ord`` (2, 1, ∞, −∞, 0 o cualquier real, como ``torch.linalg.vector_norm``) de los elementos
    válidos de ``input`` sobre ``dim``; los enmascarados cuentan como 0 (como +∞ si ``ord=-inf``). ``keepdim``,
    ``dtype`` y ``mask`` como en ``torch.masked.sum``. Derivada (ord = p): ∂/∂xᵢ =
    mᵢ·sign(xᵢ)·|xᵢ|^(p−1)/‖x̃‖^(p−1). En PyTorch: ``torch.masked.norm``.

    >>> torch.masked.norm(torch.tensor([3., 9., 4.]), 2.0, mask=torch.tensor([True, False, True]))
    tensor(5.)
    """
    check_input(input, "norm")
    x = combine_input_and_mask("norm", input, mask, ord)
    return vector_norm(x, ord, canonical_dim(dim, input.ndim), bool(keepdim), dtype=dtype)


def _std_var(op, input, dim, unbiased, correction, keepdim, dtype, mask):
    check_input(input, op)
    if unbiased is not None and correction is not None:
        raise AssertionError(f"torch.masked.{op}: da unbiased o correction, no los dos")
    corr = 1.0
    if unbiased is not None:
        corr = 1.0 if unbiased else 0.0
    if correction is not None:
        corr = float(correction)
    if dtype is None:
        dtype = input.dtype if input.dtype.is_floating_point else D.float32
    dtype = D.as_dtype(dtype)
    compute = dtype if dtype.is_floating_point else D.float32
    if mask is not None:
        mask = input_mask(input, mask)
    count = _count(input, mask, dim, True)
    mean_ = sum(input, dim, keepdim=True, dtype=dtype, mask=mask) / count
    x = input - mean_
    total = sum(x * x, dim, keepdim=keepdim, dtype=compute, mask=mask)
    if not keepdim:
        count = count.reshape(total.shape)
    if corr != 0:
        count = (count.to(compute) - corr).clamp(min=0)
    out = (total / count).to(dtype)
    return out.sqrt() if op == "std" else out


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """Varianza de los elementos válidos de ``input`` sobre ``dim``: Σ mᵢ(xᵢ − x̄)² / max(n − correction, 0), con x̄ la
    media enmascarada y n los válidos; ``correction`` es 1 por defecto (``unbiased=False`` es 0; no se dan
    los dos). Una fila del todo enmascarada da ``nan``. ``keepdim``, ``dtype`` (los enteros calculan en
    float32) y ``mask`` como en ``torch.masked.sum``. Derivada: ∂/∂xᵢ = 2mᵢ(xᵢ − x̄)/(n − correction).
    En PyTorch: ``torch.masked.var``.

    >>> torch.masked.var(torch.tensor([1., 9., 3.]), mask=torch.tensor([True, False, True]))
    tensor(2.)
    """
    return _std_var("var", input, dim, unbiased, correction, keepdim, dtype, mask)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """Desviación típica de los elementos válidos de ``input``: la raíz de ``torch.masked.var`` (mismos ``dim``,
    ``unbiased``, ``correction``, ``keepdim``, ``dtype`` y ``mask``). Derivada: ∂/∂xᵢ =
    mᵢ(xᵢ − x̄)/((n − correction)·σ). En PyTorch: ``torch.masked.std``.

    >>> torch.masked.std(torch.tensor([1., 9., 3.]), mask=torch.tensor([True, False, True]))
    tensor(1.4142)
    """
    return _std_var("std", input, dim, unbiased, correction, keepdim, dtype, mask)
