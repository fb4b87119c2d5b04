"""Validación cruzada: ``kfold`` da los índices ``(entrenamiento, validación)`` de cada bloque.

Las particiones aleatorias son las de PyTorch: ``tinygrad_es.utils.data.random_split``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["kfold"]


def kfold(n: int, k: int = 5, shuffle: bool = True, seed=None):
    """Índices ``(train_idx, val_idx)`` de validación cruzada en K bloques: cada muestra
    está en validación exactamente una vez."""
    if not 2 <= k <= n:
        raise ValueError(f"kfold: k debe estar entre 2 y n={n}, no {k}")
    idx = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    folds = np.array_split(idx, k)
    for i in range(k):
        val = folds[i]
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        yield train, val
