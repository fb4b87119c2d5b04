"""Tuplas con nombre que devuelven algunas operaciones (como ``torch.return_types``):
``values, indices = x.max(dim=1)`` o ``x.max(1).indices``."""
from collections import namedtuple

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin", "aminmax",
           "frexp", "slogdet"]


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
