"""``tinygrad_es.linalg`` (como ``torch.linalg``): ``inv``, ``det``, ``solve``, ``norm``,
``vector_norm``, ``matrix_norm``, ``cross``, ``matmul``, ``matrix_power``, ``multi_dot``, ``vecdot``,
las factorizaciones (``cholesky``, ``qr``, ``eigh``, ``eigvalsh``, ``svd``, ``svdvals``), ``pinv``,
``lstsq``, ``matrix_rank``, ``cond``, ``slogdet`` y ``LinAlgError``, con gradiente y lotes de
matrices. El código está en ``_tensor/linalg.py`` y ``_tensor/decompositions.py``.
"""
from ._tensor.decompositions import (cholesky, cholesky_ex, cond, eigh, eigvalsh, lstsq, matrix_rank, pinv, qr,
                                     slogdet, svd, svdvals)
from ._tensor.linalg import (LinAlgError, cross, det, inv, matmul, matrix_norm, matrix_power, multi_dot, norm,
                             solve, vecdot, vector_norm)

__all__ = ["inv", "det", "solve", "norm", "vector_norm", "matrix_norm", "cross", "matmul", "LinAlgError",
           "matrix_power", "multi_dot", "vecdot", "slogdet", "cholesky", "cholesky_ex", "qr", "eigh", "eigvalsh",
           "svd", "svdvals", "pinv", "lstsq", "matrix_rank", "cond"]
