"""Utilidades comunes de ``nn.functional``: conversión a tensor, reducciones y comprobaciones."""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor

__all__ = ["as_tensor", "reduce_loss", "reduction_arg", "same_shape", "check_rank"]


def as_tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    a = np.asarray(x)
    return Tensor._wrap(a if a.dtype.kind != "f" or isinstance(x, np.ndarray) else a.astype(np.float32))


def reduction_arg(size_average, reduce, reduction):
    """Los argumentos antiguos ``size_average``/``reduce`` (obsoletos también en PyTorch) → ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average y reduce están obsoletos (también en PyTorch): usa reduction='mean', 'sum' o "
                  "'none'", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction debe ser 'mean', 'sum' o 'none', no {reduction!r}")


def same_shape(a: Tensor, b: Tensor, op: str):
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{op}: la predicción tiene forma {tuple(a.shape)} y el objetivo {tuple(b.shape)}; deben "
                         f"coincidir (PyTorch avisa y hace broadcasting, lo que casi siempre es un error: p. ej. "
                         f"salida (N, 1) y objetivo (N,); usa .squeeze(1) o .view(-1, 1))")


def check_rank(x: Tensor, ranks, op: str, layout: str):
    if x.ndim not in ranks:
        raise ValueError(f"{op}: se esperaba una entrada {layout} ({' o '.join(f'{r}-D' for r in ranks)}), "
                         f"pero tiene forma {x.shape}")
