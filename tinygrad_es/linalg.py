"""``tinygrad_es.linalg`` (como ``torch.linalg``): ``inv``, ``det``, ``solve``, ``norm``,
``vector_norm``, ``matrix_norm``, ``cross``, ``matmul``, ``matrix_power``, ``multi_dot``, ``vecdot``,
las factorizaciones (``cholesky``, ``qr``, ``eigh``, ``eigvalsh``, ``eig``, ``eigvals``, ``svd``, ``svdvals``), ``pinv``,
``lstsq``, ``matrix_rank``, ``cond``, ``slogdet``, la LU (``lu_factor``, ``lu``, ``lu_solve``),
``solve_triangular``, ``inv_ex``, ``solve_ex``, ``matrix_exp``, ``tensorinv``, ``tensorsolve``, ``vander``,
``diagonal``, ``householder_product``, la LDLᵀ (``ldl_factor``, ``ldl_factor_ex``, ``ldl_solve``) y ``LinAlgError``, con gradiente y lotes de
matrices. El código está en ``_tensor/linalg.py``, ``_tensor/decompositions.py``, ``_tensor/solvers.py``, ``_tensor/householder.py`` y ``_tensor/ldl.py``.
"""
from ._tensor.decompositions import (cholesky, cholesky_ex, cond, eig, eigh, eigvals, eigvalsh, lstsq, matrix_rank,
                                     pinv, qr, slogdet, svd, svdvals)
from ._tensor.solvers import (cholesky_inverse, cholesky_solve, diagonal, inv_ex, lu, lu_factor, lu_factor_ex,
                               lu_solve, matrix_exp, solve_ex, solve_triangular, tensorinv, tensorsolve, vander)
from ._tensor.householder import householder_product
from ._tensor.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from ._tensor.linalg import (LinAlgError, cross, det, inv, matmul, matrix_norm, matrix_power, multi_dot, norm,
                             solve, vecdot, vector_norm)

__all__ = ["inv", "det", "solve", "norm", "vector_norm", "matrix_norm", "cross", "matmul", "LinAlgError",
           "matrix_power", "multi_dot", "vecdot", "slogdet", "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh",
           "svd", "svdvals", "pinv", "lstsq", "matrix_rank", "cond", "solve_triangular", "lu_factor", "lu_factor_ex",
           "lu", "lu_solve", "inv_ex", "solve_ex", "matrix_exp", "tensorinv", "tensorsolve", "vander", "diagonal",
           "householder_product", "ldl_factor", "ldl_factor_ex", "ldl_solve", "eigvals", "eig"]
