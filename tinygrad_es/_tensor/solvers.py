"""Sistemas lineales con factorizaciones de ``torch.linalg`` (``tinygrad_es.linalg`` las reexporta):
``solve_triangular``, la familia LU (``lu_factor``, ``lu_factor_ex``, ``lu``, ``lu_unpack``, ``lu_solve``),
``cholesky_solve``, ``cholesky_inverse``, ``inv_ex``, ``solve_ex``, ``matrix_exp``, ``tensorinv``,
``tensorsolve``, ``vander`` y ``diagonal``.

Casi todas se componen de operaciones con derivada (``solve``, ``tril``, ``@``...): su gradiente (y el
de orden superior) sale solo. La LU y la exponencial tienen su ``Function`` en ``ops/lu.py``.
"""
from __future__ import annotations

import numpy as np

from .. import return_types as RT
from ..autograd import TensorBase
from ..ops import lu as K
from .decompositions import _matrix
from .joins import cat
from .linalg import LinAlgError, _square, inv, solve
from .out import write_out

__all__ = ["solve_triangular", "lu_factor", "lu_factor_ex", "lu", "lu_unpack", "lu_solve", "cholesky_solve",
           "cholesky_inverse", "inv_ex", "solve_ex", "matrix_exp", "tensorinv", "tensorsolve", "vander",
           "diagonal"]


def _wrap(a):
    return TensorBase._wrap(np.asarray(a))


def _triangle(A, upper, unitriangular):
    """La parte triangular que se usa de A (con unos en la diagonal si ``unitriangular``)."""
    T = A.triu() if upper else A.tril()
    if unitriangular:
        n = A.shape[-1]
        T = (A.triu(1) if upper else A.tril(-1)) + _wrap(np.eye(n, dtype=A._data.dtype))
    return T


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X con A·X = B (``left``) o X·A = B, A triangular (sólo se lee su triángulo ``upper``/inferior; con
    ``unitriangular`` la diagonal se toma como unos). Derivadas: las de ``solve`` con A triangular
    (Ā = −B̄·Xᵀ restringida al triángulo). En PyTorch: ``torch.linalg.solve_triangular``.

    >>> torch.linalg.solve_triangular(torch.tensor([[2., 0.], [1., 1.]]), torch.tensor([[2.], [3.]]), upper=False)
    tensor([[1.], [2.]])
    """
    _square(A, "solve_triangular")
    _matrix(B, "solve_triangular")
    X = solve(_triangle(A, upper, unitriangular), B, left=left)
    return X if out is None else write_out("solve_triangular", out, X)


def _zero_pivot(info, op):
    i = int(info[info > 0].min())
    return (f"linalg.{op}: U[{i},{i}] es 0 y usarla en lu_solve dividiría por cero; si aun así quieres la "
            f"factorización, usa linalg.lu(A) o linalg.lu_factor_ex(A)")


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """``(LU, pivots, info)``: la LU con pivoteo parcial de A (m×n) en una matriz, los pivotes de LAPACK
    (int32, base 1) e ``info`` (0, o el primer pivote nulo, base 1). En PyTorch: ``torch.linalg.lu_factor_ex``.

    >>> torch.linalg.lu_factor_ex(torch.tensor([[1., 2.], [3., 4.]])).pivots   # tensor([2, 2], dtype=torch.int32)
    """
    _matrix(A, "lu_factor")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: la LU sin pivoteo sólo existe en CUDA (como en PyTorch, en CPU "
                           "pivot debe ser True)")
    lu_data, piv, info = K.lu_factor_array(A._data)
    LU = K.LUFactor.apply(A, lu=lu_data, pivots=piv)
    if check_errors and info.any():
        raise LinAlgError(_zero_pivot(info, "lu_factor_ex"))
    return RT.linalg_lu_factor_ex(LU, _wrap(piv), _wrap(info))


def lu_factor(A, *, pivot=True, out=None):
    """``(LU, pivots)`` de A = P·L·U (véase ``lu_factor_ex``; si A es singular, lanza ``LinAlgError``).
    Derivada: la de ``ops/lu.LUFactor``. En PyTorch: ``torch.linalg.lu_factor``.

    >>> LU, piv = torch.linalg.lu_factor(torch.tensor([[1., 2.], [3., 4.]]))
    """
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    if info._data.any():
        raise RuntimeError(_zero_pivot(info._data, "lu_factor"))
    return RT.linalg_lu_factor(LU, piv)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """``(P, L, U)`` desde ``lu_factor``: A = P·L·U (L con unos en la diagonal). En PyTorch:
    ``torch.lu_unpack``.

    >>> P, L, U = torch.lu_unpack(*torch.linalg.lu_factor(torch.tensor([[1., 2.], [3., 4.]])))
    """
    *batch, m, n = LU_data.shape
    k = min(m, n)
    dtype = LU_data._data.dtype
    empty = _wrap(np.empty((0,), dtype))
    L = U = P = empty
    if unpack_data:
        L = LU_data[..., :, :k].tril(-1) + _wrap(np.eye(m, k, dtype=dtype))
        U = LU_data[..., :k, :].triu()
    if unpack_pivots:
        perm = K.permutation(np.asarray(LU_pivots._data), m)
        q = np.zeros(tuple(batch) + (m, m), dtype)
        np.put_along_axis(q, perm[..., None], 1, axis=-1)       # Q·A = A[perm]
        P = _wrap(np.swapaxes(q, -1, -2))                        # A = Qᵀ·L·U
    return RT.lu_unpack(P, L, U)


def lu(A, *, pivot=True):
    """``(P, L, U)`` con A = P·L·U (L m×k con unos en la diagonal, U k×n, k = min(m, n)). Derivada: la de
    la LU. En PyTorch: ``torch.linalg.lu``.

    >>> P, L, U = torch.linalg.lu(torch.tensor([[1., 2.], [3., 4.]]))   # L[1, 0] = 1/3
    """
    LU, piv, _ = lu_factor_ex(A, pivot=pivot)
    return RT.linalg_lu(*lu_unpack(LU, piv))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X con A·X = B (``left``; o X·A = B), dada la LU de A de ``lu_factor`` (``adjoint``: con Aᵀ).
    Derivadas: las de los dos sistemas triangulares y la permutación. En PyTorch: ``torch.linalg.lu_solve``.

    >>> LU, piv = torch.linalg.lu_factor(torch.tensor([[2., 0.], [0., 4.]]))
    >>> torch.linalg.lu_solve(LU, piv, torch.tensor([[2.], [4.]]))   # tensor([[1.], [1.]])
    """
    P, L, U = lu_unpack(LU, pivots)
    if left and not adjoint:      # A = P·L·U: X = U⁻¹·L⁻¹·Pᵀ·B
        X = solve_triangular(U, solve_triangular(L, P.mT @ B, upper=False, unitriangular=True), upper=True)
    elif left:                    # Aᵀ·X = B: X = P·L⁻ᵀ·U⁻ᵀ·B
        X = P @ solve_triangular(L.mT, solve_triangular(U.mT, B, upper=False), upper=True, unitriangular=True)
    elif not adjoint:             # X·A = B: X = B·U⁻¹·L⁻¹·Pᵀ
        X = solve_triangular(L, solve_triangular(U, B, upper=True, left=False), upper=False, left=False,
                             unitriangular=True) @ P.mT
    else:                         # X·Aᵀ = B: X = B·P·L⁻ᵀ·U⁻ᵀ
        X = solve_triangular(U.mT, solve_triangular(L.mT, B @ P, upper=True, left=False, unitriangular=True),
                             upper=False, left=False)
    return X if out is None else write_out("lu_solve", out, X)


def _cholesky_product(L, upper):
    return L.mT @ L if upper else L @ L.mT


def cholesky_solve(B, L, upper=False, *, out=None):
    """X con (L·Lᵀ)·X = B dado el factor de Cholesky L (``upper``: A = Uᵀ·U). Derivadas: las de
    ``solve`` con A = L·Lᵀ (como PyTorch, para la matriz L entera). En PyTorch: ``torch.cholesky_solve``.

    >>> torch.cholesky_solve(torch.tensor([[4.], [2.]]), torch.tensor([[2., 0.], [1., 1.]]))   # tensor([[1.], [0.]])
    """
    _square(L, "cholesky_solve")
    X = solve(_cholesky_product(L, upper), B)
    return X if out is None else write_out("cholesky_solve", out, X)


def cholesky_inverse(L, upper=False, *, out=None):
    """(L·Lᵀ)⁻¹ dado el factor de Cholesky L. En PyTorch: ``torch.cholesky_inverse``.

    >>> torch.cholesky_inverse(torch.tensor([[2., 0.], [0., 1.]]))   # tensor([[0.25, 0.], [0., 1.]])
    """
    _square(L, "cholesky_inverse")
    X = inv(_cholesky_product(L, upper))
    return X if out is None else write_out("cholesky_inverse", out, X)


def _singular_info(A):
    return K.lu_factor_array(A._data)[2] if A.numel() else np.zeros(tuple(A.shape[:-2]), np.int32)


def _singular_to_identity(A, info):
    """``(máscara, A')``: las matrices singulares del lote (``info`` > 0) cambiadas por la identidad, para
    resolver las demás de una vez; luego su resultado se pone a ``nan``."""
    bad = _wrap((info > 0)[..., None, None])
    return bad, A.masked_fill(bad, 0) + _wrap(np.eye(A.shape[-1], dtype=A._data.dtype)) * bad


def inv_ex(A, *, check_errors=False):
    """``(inverse, info)``: como ``inv`` sin lanzar si A es singular (``info`` > 0: el primer pivote nulo;
    entonces la inversa no vale nada, aquí ``nan``). En PyTorch: ``torch.linalg.inv_ex``.

    >>> torch.linalg.inv_ex(torch.tensor([[1., 2.], [2., 4.]])).info   # tensor(2, dtype=torch.int32)
    """
    _square(A, "inv_ex")
    info = _singular_info(A)
    if not info.any():
        return RT.linalg_inv_ex(inv(A), _wrap(info))
    if check_errors:
        inv(A)
    bad, safe = _singular_to_identity(A, info)
    return RT.linalg_inv_ex(inv(safe).masked_fill(bad, float("nan")), _wrap(info))


def solve_ex(A, B, *, left=True, check_errors=False):
    """``(result, info)``: como ``solve`` sin lanzar si A es singular (``info`` > 0; el resultado, ``nan``).
    En PyTorch: ``torch.linalg.solve_ex``.

    >>> torch.linalg.solve_ex(torch.eye(2), torch.ones(2)).info   # tensor(0, dtype=torch.int32)
    """
    _square(A, "solve_ex")
    info = _singular_info(A)
    if not info.any():
        return RT.linalg_solve_ex(solve(A, B, left=left), _wrap(info))
    if check_errors:
        solve(A, B, left=left)
    bad, safe = _singular_to_identity(A, info)
    X = solve(safe, B, left=left)
    mask = bad if X.ndim == A.ndim else bad[..., 0]
    return RT.linalg_solve_ex(X.masked_fill(mask, float("nan")), _wrap(info))


def matrix_exp(A):
    """La exponencial de una matriz e^A = Σ Aᵏ/k! (escalado y cuadrados). Derivada (de Fréchet): el
    bloque de arriba a la derecha de exp([[Aᵀ, Ḡ], [0, Aᵀ]]). En PyTorch: ``torch.linalg.matrix_exp``.

    >>> torch.linalg.matrix_exp(torch.zeros(2, 2))   # la identidad
    """
    _square(A, "matrix_exp")
    return K.MatrixExp.apply(A)


def tensorinv(A, ind=2, *, out=None):
    """La inversa de A para ``tensordot``: con A de forma ``S₁ + S₂`` (``ind`` ejes en S₁, prod(S₁) =
    prod(S₂)), devuelve B de forma ``S₂ + S₁``. En PyTorch: ``torch.linalg.tensorinv``.

    >>> torch.linalg.tensorinv(torch.eye(4).reshape(4, 2, 2), ind=1).shape   # torch.Size([2, 2, 4])
    """
    if ind <= 0:
        raise RuntimeError(f"linalg.tensorinv: ind debe ser un entero positivo, y es {ind}")
    s1, s2 = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if int(np.prod(s1)) != int(np.prod(s2)):
        raise RuntimeError(f"linalg.tensorinv: el producto de las {ind} primeras dimensiones ({int(np.prod(s1))}) "
                           f"debe ser igual al de las demás ({int(np.prod(s2))}); la forma es {tuple(A.shape)}")
    res = inv(A.reshape(int(np.prod(s1)), -1)).reshape(*s2, *s1)
    return res if out is None else write_out("tensorinv", out, res)


def tensorsolve(A, B, dims=None, *, out=None):
    """X con ``tensordot(A, X, X.ndim) = B`` (``dims``: ejes de A que van al final antes). En PyTorch:
    ``torch.linalg.tensorsolve``.

    >>> torch.linalg.tensorsolve(torch.eye(6).reshape(2, 3, 6), torch.ones(2, 3)).shape   # torch.Size([6])
    """
    if dims is not None:
        rest = [d for d in range(A.ndim) if d not in [x % A.ndim for x in dims]]
        A = A.permute(*rest, *[x % A.ndim for x in dims])
    xs = tuple(A.shape[B.ndim:])
    n = int(np.prod(xs))
    if int(np.prod(B.shape)) != n:
        raise RuntimeError(f"linalg.tensorsolve: B de forma {tuple(B.shape)} no encaja con A de forma "
                           f"{tuple(A.shape)} (hacen falta {n} elementos)")
    res = solve(A.reshape(-1, n), B.reshape(-1)).reshape(*xs)
    return res if out is None else write_out("tensorsolve", out, res)


def vander(x, *, N=None):
    """La matriz de Vandermonde de potencias crecientes: columnas 1, x, x², …, x^(N−1) (N = len(x) por
    defecto). En PyTorch: ``torch.linalg.vander``.

    >>> torch.linalg.vander(torch.tensor([1., 2., 3.]))   # [[1, 1, 1], [1, 2, 4], [1, 3, 9]]
    """
    if x.ndim == 0:  # un número es un vector de un elemento (como PyTorch)
        x = x.reshape(1)
    n = x.shape[-1] if N is None else int(N)
    if n <= 1:
        raise RuntimeError(f"linalg.vander: N debe ser mayor que 1, y es {n}")
    xs = x.unsqueeze(-1)
    cols = [xs ** 0]
    for _ in range(n - 1):
        cols.append(cols[-1] * xs)
    return cat(cols, -1)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """La diagonal de cada matriz (una vista), como ``torch.diagonal`` con los ejes de ``linalg``. En
    PyTorch: ``torch.linalg.diagonal``.

    >>> torch.linalg.diagonal(torch.eye(2))   # tensor([1., 1.])
    """
    return A.diagonal(offset=offset, dim1=dim1, dim2=dim2)
