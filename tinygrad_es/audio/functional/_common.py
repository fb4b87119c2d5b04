"""Comprobaciones comunes de ``audio.functional``."""
from __future__ import annotations

from ...autograd import TensorBase

__all__ = []


def _signal(x, op: str, min_dim: int = 1):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}: se esperaba un tensor, no {type(x).__name__}")
    if x.ndim < min_dim:
        raise ValueError(f"{op}: se esperaba un tensor de al menos {min_dim} dimensiones, pero tiene forma "
                         f"{tuple(x.shape)}")
    return x
