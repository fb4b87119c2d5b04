"""Tuplas con nombre que devuelven algunas operaciones (como ``torch.return_types``):
``values, indices = x.max(dim=1)`` o ``x.max(1).indices``."""
from collections import namedtuple

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin", "aminmax",
           "frexp", "slogdet", "linalg_slogdet", "linalg_qr", "qr", "linalg_eigh", "linalg_svd", "svd",
           "linalg_lstsq", "linalg_cholesky_ex", "linalg_lu_factor", "linalg_lu_factor_ex", "lu_unpack",
           "linalg_lu", "linalg_inv_ex", "linalg_solve_ex", "triangular_solve", "_lu_with_info", "geqrf",
           "linalg_ldl_factor", "linalg_ldl_factor_ex", "linalg_eig"]


def _vi(name):
    t = namedtuple(name, ["values", "indices"])
    t.__module__ = __name__
    return t


max = _vi("max")  # noqa: A001 - mismo nombre que en PyTorch
min = _vi("min")  # noqa: A001
sort = _vi("sort")
topk = _vi("topk")
kthvalue = _vi("kthvalue")
median = _vi("median")
nanmedian = _vi("nanmedian")
mode = _vi("mode")
cummax = _vi("cummax")
cummin = _vi("cummin")
aminmax = namedtuple("aminmax", ["min", "max"])
frexp = namedtuple("frexp", ["mantissa", "exponent"])
slogdet = namedtuple("slogdet", ["sign", "logabsdet"])
linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
linalg_qr = namedtuple("linalg_qr", ["Q", "R"])
qr = namedtuple("qr", ["Q", "R"])
linalg_eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
svd = namedtuple("svd", ["U", "S", "V"])
linalg_lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
linalg_cholesky_ex = namedtuple("linalg_cholesky_ex", ["L", "info"])
linalg_lu_factor = namedtuple("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
lu_unpack = namedtuple("lu_unpack", ["P", "L", "U"])
linalg_lu = namedtuple("linalg_lu", ["P", "L", "U"])
linalg_inv_ex = namedtuple("linalg_inv_ex", ["inverse", "info"])
linalg_solve_ex = namedtuple("linalg_solve_ex", ["result", "info"])
triangular_solve = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])
geqrf = namedtuple("geqrf", ["a", "tau"])
linalg_eig = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])
linalg_ldl_factor = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
linalg_ldl_factor_ex = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])
_lu_with_info = namedtuple("_lu_with_info", ["LU", "pivots", "info"])   # torch.lu(..., get_infos=True)
