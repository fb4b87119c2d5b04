"""Datos: lector IDX, conjuntos del curso, DataLoader, particiones y aumentos."""
from .datasets import (DATASETS, DatasetNotFoundError, load_digits, load_fashion_mnist, load_iris, load_mnist,
                       load_mnist_sample, quadratic_roots, search_paths, spirals, xor)
from .idx import IDXError, read_idx
from .loader import (DataLoader, Subset, TensorDataset, freq_mask, kfold, normalize, random_shift, random_split,
                     standardize, time_mask)
from .text import CharDataset, CharTokenizer, have_quijote, load_quijote, quijote_excerpt

__all__ = ["read_idx", "IDXError", "load_mnist", "load_fashion_mnist", "load_mnist_sample", "load_iris",
           "load_digits", "xor", "quadratic_roots", "spirals", "search_paths", "DatasetNotFoundError", "DATASETS",
           "TensorDataset", "Subset", "DataLoader", "random_split", "kfold", "normalize", "standardize",
           "random_shift", "time_mask", "freq_mask", "mnist_tensors", "load_quijote", "quijote_excerpt", "have_quijote",
           "CharTokenizer", "CharDataset"]


def mnist_tensors(x, y, flatten=False):
    """uint8 N×28×28 -> float32 en [0, 1] con forma (N, 1, 28, 28) (o (N, 784))."""
    import numpy as np
    xf = (np.asarray(x, dtype=np.float32) / 255.0)
    xf = xf.reshape(len(xf), -1) if flatten else xf[:, None]
    return xf, np.asarray(y, dtype=np.int64)
