"""Utilidades compartidas por las demos."""
import os

import numpy as np

from ..data import DatasetNotFoundError, load_mnist, load_mnist_sample, mnist_tensors


def mnist_data(flatten=False, limit_train=None, limit_test=None, root=None, seed=0):
    """MNIST de disco si está (sin descargar), si no la muestra incluida. Devuelve
    ``(Xtr, ytr, Xte, yte, origen)`` ya en float32 [0, 1]."""
    try:
        (xtr, ytr), (xte, yte) = load_mnist(root=root, download=False)
        origin = f"MNIST en disco ({len(xtr)} de entrenamiento, {len(xte)} de test)"
    except DatasetNotFoundError:
        (xtr, ytr), (xte, yte) = load_mnist_sample()
        origin = (f"muestra de MNIST incluida en el paquete ({len(xtr)} de entrenamiento, {len(xte)} de test); "
                  f"para el conjunto completo consulta el README")
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(xtr))  # el subconjunto de 5 000 viene ordenado por clase
    xtr, ytr = xtr[perm], ytr[perm]
    if limit_train:
        xtr, ytr = xtr[:limit_train], ytr[:limit_train]
    if limit_test:
        xte, yte = xte[:limit_test], yte[:limit_test]
    Xtr, ytr = mnist_tensors(xtr, ytr, flatten)
    Xte, yte = mnist_tensors(xte, yte, flatten)
    return Xtr, ytr, Xte, yte, origin


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def out_path(out_dir, name):
    if not out_dir:
        return None
    os.makedirs(out_dir, exist_ok=True)
    return os.path.join(out_dir, name)


def parse(argv, defaults: dict, desc: str):
    """argparse a partir de los valores por defecto de ``run``."""
    import argparse
    ap = argparse.ArgumentParser(description=desc)
    for k, v in defaults.items():
        flag = "--" + k.replace("_", "-")
        if isinstance(v, bool):
            ap.add_argument(flag, action="store_true" if not v else "store_false", default=v)
        elif v is None:
            ap.add_argument(flag, default=None)
        else:
            ap.add_argument(flag, type=type(v), default=v)
    return vars(ap.parse_args(argv))
