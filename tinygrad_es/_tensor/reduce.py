"""Reducciones de ``Tensor``: ``sum``, ``mean``, ``var``/``std``, ``max``/``min`` (con índices),
``amax``/``amin``, ``argmax``/``argmin``, ``any``/``all``, ``logsumexp``, ``softmax``/``log_softmax``,
``prod``, ``aminmax``, ``norm`` y los atajos ``det``/``inverse`` (cada uno delega en una ``ArrayFunction``).

Los ejes siguen a PyTorch: ``dim``/``keepdim`` (también valen ``axis``/``keepdims``, como en
PyTorch), un 0-D admite ``dim=0`` y ``dim=-1``, y un eje fuera de rango es un ``IndexError``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .. import return_types as RT
from ..autograd import TensorBase
from ..ops import movement as M, reduce as R
from ..return_types import max as _max_t, min as _min_t
from ._args import floats_only, norm_dims
from .decompositions import cholesky, logdet, pinv, qr, slogdet, svd
from .linalg import det, inv, matrix_norm, matrix_power, vector_norm
from .householder import geqrf, householder_product, ormqr
from .solvers import cholesky_inverse, cholesky_solve, lu_factor_ex, lu_solve, matrix_exp, solve_triangular

__all__ = ["ReduceMixin"]

_NO = object()


def _dk(dim, keepdim, axis, keepdims):
    if axis is not _NO:
        dim = axis
    if keepdims is not _NO:
        keepdim = keepdims
    return dim, bool(keepdim)


class ReduceMixin:
    __slots__ = ()

    # -- reducciones -----------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        """Suma sobre ``dim``. Enteros y bool suman en int64 (como PyTorch)."""
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        x = self
        if dtype is not None:
            x = x.type(dtype)
        elif x._data.dtype.kind in "biu":
            x = x.type(D.int64)
        return R.Sum.apply(x, axis=norm_dims(dim, x.ndim), keepdims=keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=_NO, keepdims=_NO):
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.type(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"mean(): no se puede deducir el dtype de salida: la entrada debe ser de "
                               f"coma flotante y es {x.dtype} (usa .float() o dtype=)")
        return R.Mean.apply(x, axis=norm_dims(dim, x.ndim), keepdims=keepdim)

    def _var_args(self, unbiased, correction, dim, keepdim, axis, keepdims):
        if isinstance(dim, bool):  # torch.std(x, True): la sobrecarga std(input, unbiased)
            if unbiased is not None:
                raise TypeError(f"std/var: con unbiased={dim} como segundo argumento no se admite otro "
                                f"unbiased={unbiased} (usa std(x, dim, unbiased, keepdim))")
            dim, unbiased = None, dim
        if isinstance(unbiased, bool) or unbiased is None:
            corr = 1 if unbiased is None else int(unbiased)
        else:  # var(dim_int_o_tupla, ...) posicional: PyTorch acepta var(x, 1)
            raise TypeError("var: unbiased debe ser bool")
        if correction is not None:
            corr = correction
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"std y var sólo admiten tensores de coma flotante, no {self.dtype} (usa .float())")
        x = self
        return x, dict(axis=None if dim is None else norm_dims(dim, x.ndim), keepdims=keepdim, correction=corr)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=_NO, keepdims=_NO):
        """Varianza con corrección de Bessel (``correction=1`` por defecto); con N − corrección ≤ 0
        da inf (o nan si todos los valores son iguales), como PyTorch."""
        x, kw = self._var_args(unbiased, correction, dim, keepdim, axis, keepdims)
        return R.Var.apply(x, **kw)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=_NO, keepdims=_NO):
        """Desviación típica (√var); donde vale 0 su gradiente es 0, como en PyTorch."""
        x, kw = self._var_args(unbiased, correction, dim, keepdim, axis, keepdims)
        return R.Std.apply(x, **kw)

    def _extreme(self, which, dim, keepdim, axis, keepdims):
        if isinstance(dim, TensorBase):  # torch.max(a, b): máximo elemento a elemento
            return self.maximum(dim) if which == "max" else self.minimum(dim)
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        if self._data.size == 0 and (dim is None or self._data.shape[self._dim(dim)] == 0):
            # como PyTorch: sin eje, RuntimeError; con un eje vacío, IndexError
            raise (RuntimeError if dim is None else IndexError)(
                f"{which}(): la reducción de un tensor vacío (forma {tuple(self.shape)}) no está definida"
                + ("; indica el eje con dim=" if dim is None else ""))
        if dim is None:  # reducción total: los empates se reparten el gradiente
            return (R.Amax if which == "max" else R.Amin).apply(self, axis=norm_dims(None, self.ndim),
                                                                keepdims=False, evenly=True)
        d = self._dim(dim)
        argf = np.argmax if which == "max" else np.argmin
        idx = argf(self._data, axis=d, keepdims=True) if self.ndim else np.zeros((), np.int64)
        vals = M.TakeAlong.apply(self, index=idx, axis=d if self.ndim else None, keepdims=keepdim)
        ind = idx if (keepdim or not self.ndim) else np.squeeze(idx, axis=d)
        return (_max_t if which == "max" else _min_t)(vals, TensorBase._wrap(ind.astype(np.int64)))

    def max(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        """``max()``: el máximo (empates: el gradiente se reparte por igual). ``max(dim)``: la
        tupla ``(values, indices)``; el gradiente va al índice devuelto."""
        return self._extreme("max", dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        """Como ``max`` pero con el mínimo."""
        return self._extreme("min", dim, keepdim, axis, keepdims)

    def _check_empty_axes(self, dim, op):
        """Reducir un eje vacío: ``IndexError`` si se nombra el eje, ``RuntimeError`` si se reduce todo
        (como PyTorch)."""
        if self._data.size == 0 and dim != () and any(self._data.shape[d] == 0 for d in norm_dims(dim, self.ndim)):
            raise IndexError(f"{op}(): el eje a reducir tiene tamaño 0 (forma {tuple(self.shape)}); la reducción "
                             f"de un tensor vacío no está definida")

    def amax(self, dim=(), keepdim=False):
        """Máximo sobre ``dim`` (todos si se omite); los empates se reparten el gradiente."""
        self._check_empty_axes(dim, "amax")
        return R.Amax.apply(self, axis=norm_dims(None if dim == () else dim, self.ndim), keepdims=keepdim)

    def amin(self, dim=(), keepdim=False):
        self._check_empty_axes(dim, "amin")
        return R.Amin.apply(self, axis=norm_dims(None if dim == () else dim, self.ndim), keepdims=keepdim)

    def _arg(self, fn, dim, keepdim, axis):
        if axis is not _NO:
            dim = axis
        if self._data.size == 0 and (dim is None or self.ndim == 0 or self._data.shape[self._dim(dim)] == 0):
            raise IndexError(f"arg{fn.__name__[3:]}(): el tensor está vacío (no se puede reducir un eje de tamaño 0)")
        if dim is None:
            out = np.asarray(fn(self._data.reshape(-1)))
            if keepdim:
                out = out.reshape((1,) * self.ndim)
        else:
            d = self._dim(dim)
            out = fn(self._data, axis=d, keepdims=keepdim) if self.ndim else np.asarray(0)
        return TensorBase._wrap(np.asarray(out, dtype=np.int64))

    def argmax(self, dim=None, keepdim=False, *, axis=_NO):
        if self._data.dtype == np.bool_:
            raise RuntimeError("argmax(): no admite tensores bool (como PyTorch); convierte con .long()")
        return self._arg(np.argmax, dim, keepdim, axis)

    def argmin(self, dim=None, keepdim=False, *, axis=_NO):
        if self._data.dtype == np.bool_:
            raise RuntimeError("argmin(): no admite tensores bool (como PyTorch); convierte con .long()")
        return self._arg(np.argmin, dim, keepdim, axis)

    def _logic(self, fn, dim, keepdim):
        """``any``/``all``: bool, salvo con uint8, que da uint8 (como PyTorch)."""
        if dim is None:
            out = np.asarray(fn(self._data))
        else:
            out = np.asarray(fn(self._data, axis=norm_dims(dim, self.ndim), keepdims=keepdim))
        return TensorBase._wrap(out.astype(np.uint8) if self._data.dtype == np.uint8 else out)

    def any(self, dim=None, keepdim=False):
        """¿Algún elemento distinto de 0? Devuelve un tensor bool (como PyTorch)."""
        return self._logic(np.any, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return self._logic(np.all, dim, keepdim)

    def logsumexp(self, dim=None, keepdim=False, *, axis=_NO, keepdims=_NO):
        dim, keepdim = _dk(dim, keepdim, axis, keepdims)
        x = self if self._data.dtype.kind == "f" else self.type(D.get_default_dtype())
        return R.LogSumExp.apply(x, axis=norm_dims(dim, x.ndim), keepdims=keepdim)

    def _soft_input(self, dtype, op):
        """La entrada de softmax/log_softmax: ``dtype`` si se da; si no, de coma flotante (los enteros
        dan ``NotImplementedError``, como PyTorch)."""
        if dtype is not None:
            return self.type(dtype)
        if self._data.size:  # vacío: PyTorch no llega al núcleo y devuelve el mismo dtype
            floats_only(self, op)
        return self

    def softmax(self, dim=-1, dtype=None, *, axis=_NO):
        d = self._dim(dim if axis is _NO else axis)
        x = self._soft_input(dtype, "softmax")
        if x._data.dtype.kind != "f":  # vacío y entero: PyTorch lo devuelve tal cual
            return TensorBase._wrap(x._data.copy())
        return R.Softmax.apply(x, axis=d if x.ndim else None)

    def log_softmax(self, dim=-1, dtype=None, *, axis=_NO):
        d = self._dim(dim if axis is _NO else axis)
        x = self._soft_input(dtype, "log_softmax")
        if x._data.dtype.kind != "f":  # vacío y entero: PyTorch lo devuelve tal cual
            return TensorBase._wrap(x._data.copy())
        return R.LogSoftmax.apply(x, axis=d if x.ndim else None)

    def prod(self, dim=None, keepdim=False, *, dtype=None):
        """Producto de los elementos (o a lo largo de ``dim``). Enteros y bool → int64. El
        gradiente es exacto también con ceros."""
        x = self
        if dtype is not None:
            x = x.type(dtype)
        elif x._data.dtype.kind in "biu":
            x = x.type(D.int64)
        if dim is None:
            return R.Prod.apply(x, axis=norm_dims(None, x.ndim), keepdims=False, whole=True)
        return R.Prod.apply(x, axis=(x._dim(dim),) if x.ndim else (), keepdims=bool(keepdim))

    def aminmax(self, *, dim=None, keepdim=False):
        """``(min, max)`` a la vez (tupla con nombre)."""
        if self.numel() == 0:
            raise RuntimeError("aminmax(): no se puede reducir un tensor vacío")
        d = () if dim is None else dim
        return RT.aminmax(self.amin(d, keepdim), self.amax(d, keepdim))

    def renorm(self, p, dim, maxnorm):
        """Cada subtensor ``self.select(dim, i)`` cuya norma ``p`` pase de ``maxnorm`` se escala para que
        valga ``maxnorm`` (``x·maxnorm/(‖x‖ₚ + 1e-7)``, como PyTorch); los demás quedan igual.

        Args:
            p: orden de la norma (> 0).
            dim: el eje que recorre los subtensores.
            maxnorm: la norma máxima (≥ 0).

        Derivada: la del producto x·f(‖x‖ₚ) con f = maxnorm/(‖x‖ₚ + 1e-7) donde se recorta (incluye
        la de la norma) y 1 donde no. En PyTorch: ``torch.renorm``.

        >>> torch.tensor([[3., 4.], [0.3, 0.4]]).renorm(2, 0, 1.0)   # tensor([[0.6, 0.8], [0.3, 0.4]])
        """
        floats_only(self, "renorm")
        if not p > 0:
            raise RuntimeError(f"renorm: p debe ser > 0, no {p}")
        if not maxnorm >= 0:
            raise RuntimeError(f"renorm: maxnorm debe ser ≥ 0, no {maxnorm}")
        if self.ndim <= 1:
            raise RuntimeError(f"renorm: la entrada necesita al menos 2 dimensiones, y tiene {self.ndim}")
        d = self._dim(dim)
        nrm = vector_norm(self, p, tuple(i for i in range(self.ndim) if i != d), keepdim=True)
        big = nrm > maxnorm
        safe = nrm.masked_fill(~big, 0.0)  # sin la rama descartada en el gradiente
        factor = (maxnorm / (safe + 1e-7)).masked_fill(~big, 1.0)
        return self * factor

    def renorm_(self, p, dim, maxnorm):
        """``renorm`` in situ."""
        return self._inplace("renorm_", lambda s: s.renorm(p, dim, maxnorm))

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """``torch.norm``: ``p`` numérico → norma vectorial sobre ``dim`` (todo si es ``None``);
        ``"fro"`` → la de Frobenius; ``"nuc"`` → la nuclear (suma de valores singulares)."""
        if isinstance(dim, numbers.Integral):
            dim = (dim,)
        if p == "fro":
            if dim is not None and len(dim) > 2:
                raise RuntimeError("norm: la norma de Frobenius admite como mucho 2 ejes")
            return vector_norm(self, 2, dim, keepdim, dtype=dtype)
        if p == "nuc":
            return matrix_norm(self, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
        if p is None:
            p = 2
        return vector_norm(self, p, dim, keepdim, dtype=dtype)

    def det(self):
        """Determinante (``torch.linalg.det``)."""
        return det(self)

    def matrix_power(self, n):
        """Aⁿ (``torch.linalg.matrix_power``)."""
        return matrix_power(self, n)

    def slogdet(self):
        """``(sign, logabsdet)`` del determinante (``torch.linalg.slogdet``)."""
        return RT.slogdet(*slogdet(self))

    def cholesky(self, upper=False):
        """El factor de Cholesky (``torch.linalg.cholesky``; ``upper=True``: el triangular superior)."""
        return cholesky(self, upper=upper)

    def qr(self, some=True):
        """``(Q, R)`` (``torch.linalg.qr`` con ``mode="reduced"`` si ``some``, ``"complete"`` si no)."""
        return RT.qr(*qr(self, "reduced" if some else "complete"))

    def svd(self, some=True, compute_uv=True):
        """``(U, S, V)`` con A = U·diag(S)·Vᵀ: ojo, V y no Vh (la forma antigua de PyTorch; ``some=True``
        da las matrices reducidas). Con ``compute_uv=False``, U y V salen con ceros, como PyTorch."""
        U, S, Vh = svd(self, full_matrices=not some)
        if not compute_uv:
            *batch, m, n = self.shape
            z = lambda r, c: TensorBase._wrap(np.zeros((*batch, r, c), self._data.dtype))  # noqa: E731
            return RT.svd(z(m, m if not some else min(m, n)), S, z(n, n if not some else min(m, n)))
        return RT.svd(U, S, Vh.mT)

    def cholesky_solve(self, input2, upper=False):
        """X con (L·Lᵀ)·X = self, L = ``input2`` (``torch.cholesky_solve``)."""
        return cholesky_solve(self, input2, upper)

    def lu(self, pivot=True, get_infos=False):
        """``(LU, pivots)`` de A = P·L·U (la forma antigua de ``torch.linalg.lu_factor``; con
        ``get_infos=True``, ``(LU, pivots, info)``). Como en PyTorch, una matriz singular no es un
        error: ``info`` dice el primer pivote nulo. Derivada: la de ``linalg.lu_factor``. En PyTorch:
        ``torch.lu`` / ``Tensor.lu`` (obsoleta allí; aquí sin el aviso)."""
        LU, piv, info = lu_factor_ex(self, pivot=pivot)
        return RT._lu_with_info(LU, piv, info) if get_infos else (LU, piv)

    def lu_solve(self, LU_data, LU_pivots):
        """X con A·X = self, dada la LU de A de ``torch.lu`` (la forma antigua de
        ``torch.linalg.lu_solve(LU, pivots, B)``, con los argumentos al revés). En PyTorch:
        ``torch.lu_solve`` / ``Tensor.lu_solve``."""
        return lu_solve(LU_data, LU_pivots, self)

    def geqrf(self):
        """``(a, tau)``: la QR en la forma compacta de LAPACK (``torch.geqrf``; ``_tensor/householder.py``)."""
        return geqrf(self)

    def orgqr(self, input2):
        """Q de los vectores de Householder de ``self`` y τ = ``input2`` (``torch.linalg.householder_product``)."""
        return householder_product(self, input2)

    def ormqr(self, input2, input3, left=True, transpose=False):
        """Q·C, Qᵀ·C, C·Q o C·Qᵀ con Q en la forma de ``geqrf`` (``torch.ormqr``)."""
        return ormqr(self, input2, input3, left, transpose)

    def cholesky_inverse(self, upper=False):
        """(L·Lᵀ)⁻¹ con L = self (``torch.cholesky_inverse``)."""
        return cholesky_inverse(self, upper)

    def matrix_exp(self):
        """e^A (``torch.linalg.matrix_exp``)."""
        return matrix_exp(self)

    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
        """``(solution, cloned_coefficient)`` con A·X = self, A triangular (forma antigua de
        ``torch.linalg.solve_triangular``; ``transpose``: con Aᵀ)."""
        T = A.mT if transpose else A
        X = solve_triangular(T, self, upper=upper != bool(transpose), unitriangular=unitriangular)
        return RT.triangular_solve(X, A.clone())

    def pinverse(self, rcond=1e-15):
        """La pseudoinversa (``torch.linalg.pinv`` con ``rtol=rcond``)."""
        return pinv(self, rtol=rcond)

    def logdet(self):
        """log(det(A)) (``torch.logdet``)."""
        return logdet(self)

    def inverse(self):
        """Matriz inversa (``torch.linalg.inv``)."""
        return inv(self)
