"""Dropout: ``Dropout`` (elemento a elemento) y ``Dropout1d/2d`` (canales enteros); identidad en ``eval()``."""
from __future__ import annotations

import numpy as np

from ..._validate import number
from .. import functional as F
from ..module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False, *, seed=None):
        super().__init__()
        number(p, "p (probabilidad)", type(self).__name__, low=0.0, high=1.0)
        self.p, self.inplace = p, inplace
        # seed (extensión de tinygrad_es): un generador propio y reproducible para esta capa
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Dropout invertido: en entrenamiento anula con probabilidad ``p`` y escala por 1/(1 − p)."""

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace, generator=self._rng)


class Dropout1d(_DropoutNd):
    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Anula mapas de activación completos (canales) de (N, C, H, W)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)
