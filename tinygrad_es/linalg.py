"""``tinygrad_es.linalg`` (como ``torch.linalg``): ``inv``, ``det``, ``solve``, ``norm``,
``vector_norm``, ``matrix_norm``, ``cross``, ``matmul``, ``matrix_power``, ``multi_dot``, ``vecdot``,
``slogdet`` y ``LinAlgError``, con gradiente y lotes de
matrices. El código está en ``_tensor/linalg.py``.
"""
from ._tensor.linalg import (LinAlgError, cross, det, inv, matmul, matrix_norm, matrix_power, multi_dot, norm,
                             slogdet, solve, vecdot, vector_norm)

__all__ = ["inv", "det", "solve", "norm", "vector_norm", "matrix_norm", "cross", "matmul", "LinAlgError",
           "matrix_power", "multi_dot", "vecdot", "slogdet"]
