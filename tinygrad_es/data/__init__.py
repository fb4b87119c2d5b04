"""Los datos del curso: el lector IDX (``idx.py``), los conjuntos (``datasets.py``: MNIST,
Fashion-MNIST, Iris, dígitos 8×8 y los de juguete), la validación cruzada (``splits.py``:
``kfold``) y el preprocesado y los aumentos (``augment.py``).

``Dataset``, ``TensorDataset``, ``random_split`` y ``DataLoader`` son los de PyTorch, en
``tinygrad_es.utils.data``.
"""
from .augment import AugmentedLoader, freq_mask, normalize, random_shift, standardize, time_mask
from .datasets import (DATASETS, DatasetNotFoundError, load_digits, load_fashion_mnist, load_iris, load_mnist,
                       load_mnist_sample, mnist_tensors, quadratic_roots, search_paths, spirals, xor)
from .idx import IDXError, read_idx
from .splits import kfold
from .text import CharDataset, CharTokenizer, have_quijote, load_quijote, quijote_excerpt

__all__ = ["read_idx", "IDXError", "load_mnist", "load_fashion_mnist", "load_mnist_sample", "load_iris",
           "load_digits", "xor", "quadratic_roots", "spirals", "search_paths", "DatasetNotFoundError", "DATASETS",
           "kfold", "normalize", "standardize", "random_shift", "time_mask", "freq_mask", "AugmentedLoader",
           "mnist_tensors", "load_quijote", "quijote_excerpt", "have_quijote", "CharTokenizer", "CharDataset"]

_MOVED = ("DataLoader", "TensorDataset", "random_split", "Subset")


def __getattr__(name):
    """El cargador propio del curso (``data.DataLoader(..., seed=0)``) se fue: lo que se aprende es
    el de PyTorch. Un programa antiguo recibe un error que dice qué escribir."""
    if name in _MOVED:
        raise ImportError(f"tinygrad_es.data.{name} ya no existe: usa el de PyTorch, 'from tinygrad_es.utils.data "
                          f"import {name}' (con generator=torch.Generator().manual_seed(0) donde ponías seed=0)")
    raise AttributeError(f"module 'tinygrad_es.data' has no attribute {name!r}")
