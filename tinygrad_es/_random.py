"""Generadores aleatorios sembrables (``manual_seed``, ``Generator``), como en PyTorch.

Todo lo aleatorio del paquete (``randn``, la inicialización, Dropout, ``DataLoader(shuffle=True)``...)
usa el generador por defecto salvo que se pase ``generator=``.
"""
from __future__ import annotations

import numpy as np

from ._validate import DataError

__all__ = ["Generator", "manual_seed", "default_generator", "default_rng", "seed", "initial_seed"]


class Generator:
    """Generador de números aleatorios (envuelve ``numpy.random.Generator``)."""

    def __init__(self, device="cpu"):
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.rng = np.random.default_rng(self._seed)
        self.device = device

    def manual_seed(self, seed: int) -> "Generator":
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise DataError(f"la semilla debe ser un entero, no {seed!r}") from None  # TypeError y ValueError
        self._seed = seed
        self.rng = np.random.default_rng(seed % (2**64))
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        return self.rng.bit_generator.state

    def set_state(self, state) -> "Generator":
        self.rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Fija la semilla del generador por defecto (``randn``, ``rand``, inicialización, Dropout...)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def default_rng(generator: Generator | None = None) -> np.random.Generator:
    """El ``numpy.random.Generator`` de ``generator`` (o del generador por defecto)."""
    if generator is None:
        return default_generator.rng
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator debe ser un tinygrad_es.Generator, no {type(generator).__name__}")
