"""Utilidades compartidas por las demos."""
import argparse
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


# argumentos numéricos de las demos y su mínimo: 0 épocas o un lote de 0 no tienen sentido
_MINIMUM = {"epochs": 1, "batch_size": 1, "n": 1, "k": 2, "limit_train": 0, "limit_test": 0, "noise": 0}


def parse(argv, defaults: dict, desc: str, prog: str | None = None):
    """argparse (en español) a partir de los valores por defecto de ``run``."""
    import inspect
    import math

    from .._argparse_es import SpanishParser
    if prog is None:   # "tinygrad-es demo NOMBRE", con el nombre de la demo que llama
        from . import DEMOS
        caller = inspect.getmodule(inspect.stack()[1].frame)
        mod = (caller.__name__ if caller else "").rsplit(".", 1)[-1]
        prog = "tinygrad-es demo " + next((k for k, (m, _) in DEMOS.items() if m == mod), mod)
    ap = SpanishParser(prog=prog, description=desc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k, v in defaults.items():
        flag = "--" + k.replace("_", "-")
        if isinstance(v, bool):
            ap.add_argument(flag, action="store_true" if not v else "store_false", default=v)
        elif v is None:
            ap.add_argument(flag, default=None)
        else:
            ap.add_argument(flag, type=type(v), default=v)
    args = vars(ap.parse_args(argv))
    for k, v in args.items():
        flag = "--" + k.replace("_", "-")
        if k in _MINIMUM and v is not None and not v >= _MINIMUM[k]:
            ap.error(f"{flag} debe ser ≥ {_MINIMUM[k]}, no {v}")
        if k == "lr" and not (math.isfinite(v) and v > 0):
            ap.error(f"{flag} debe ser un número positivo, no {v}")
    return args
