"""Los datos del curso: el lector IDX (``idx.py``), los conjuntos (``datasets.py``: MNIST,
Fashion-MNIST, Iris, dígitos 8×8 y los de juguete), el cargador sencillo (``loader.py``) y el
preprocesado y los aumentos (``augment.py``).

El ``DataLoader`` de PyTorch, con ``Dataset``, ``TensorDataset``, ``random_split`` y los samplers,
está en ``tinygrad_es.utils.data``.
"""
from .augment import freq_mask, normalize, random_shift, standardize, time_mask
from .datasets import (DATASETS, DatasetNotFoundError, load_digits, load_fashion_mnist, load_iris, load_mnist,
                       load_mnist_sample, mnist_tensors, quadratic_roots, search_paths, spirals, xor)
from .idx import IDXError, read_idx
from .loader import DataLoader, Subset, TensorDataset, kfold, random_split

__all__ = ["read_idx", "IDXError", "load_mnist", "load_fashion_mnist", "load_mnist_sample", "load_iris",
           "load_digits", "xor", "quadratic_roots", "spirals", "search_paths", "DatasetNotFoundError", "DATASETS",
           "TensorDataset", "Subset", "DataLoader", "random_split", "kfold", "normalize", "standardize",
           "random_shift", "time_mask", "freq_mask", "mnist_tensors"]
