"""``tinygrad_es.linalg`` (como ``torch.linalg``): ``inv``, ``det``, ``solve``, ``norm``,
``vector_norm``, ``matrix_norm``, ``cross``, ``matmul`` y ``LinAlgError``, con gradiente y lotes de
matrices. El código está en ``_tensor/linalg.py``.
"""
from ._tensor.linalg import LinAlgError, cross, det, inv, matmul, matrix_norm, norm, solve, vector_norm

__all__ = ["inv", "det", "solve", "norm", "vector_norm", "matrix_norm", "cross", "matmul", "LinAlgError"]
