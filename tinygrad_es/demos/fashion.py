"""Demo 8: LeNet-5 y una ResNet pequeña en Fashion-MNIST (si está instalado:
``apt-get install dataset-fashion-mnist``), con curvas de aprendizaje."""
import numpy as np

from .. import Generator, manual_seed, optim
from ..data import DatasetNotFoundError, load_fashion_mnist, mnist_tensors
from ..models import LeNet5, ResNet
from ..nn import functional as F
from ..train import fit
from ..utils.data import DataLoader, TensorDataset
from ._common import have_matplotlib, out_path, parse

CLASSES = ["camiseta", "pantalón", "jersey", "vestido", "abrigo", "sandalia", "camisa", "zapatilla", "bolso",
           "botín"]


def run(epochs: int = 3, limit_train: int = 0, limit_test: int = 0, seed: int = 0, out_dir: str = None,
        root: str = None, verbose: bool = True) -> dict:
    (xtr, ytr), (xte, yte) = load_fashion_mnist(root=root, download=False)  # DatasetNotFoundError si falta
    if limit_train:
        xtr, ytr = xtr[:limit_train], ytr[:limit_train]
    if limit_test:
        xte, yte = xte[:limit_test], yte[:limit_test]
    Xtr, ytr = mnist_tensors(xtr, ytr)
    Xte, yte = mnist_tensors(xte, yte)
    if verbose:
        print(f"Fashion-MNIST: {len(Xtr)} de entrenamiento, {len(Xte)} de test. Clases: {', '.join(CLASSES)}")
    res = {}
    for name, make, lr in (("LeNet-5", LeNet5, 1e-3), ("ResNet", ResNet, 2e-3)):
        manual_seed(seed)
        model = make()
        if verbose:
            print(f"\n{name} ({model.num_parameters()} parámetros)")
        h = fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=lr),
                DataLoader(TensorDataset(Xtr, ytr), 64, shuffle=True, generator=Generator().manual_seed(seed)),
                DataLoader(TensorDataset(Xte, yte), 512), epochs=epochs, verbose=verbose, progress=verbose)
        res[name] = {"test_acc": h["val_acc"][-1], "s_por_epoca": float(np.mean(h["time"])), "history": dict(h)}
        path = out_path(out_dir, f"fashion_{name.lower().replace('-', '')}.png")
        if path and have_matplotlib():
            from ..viz.plots import learning_curves
            learning_curves(h, path=path, title=f"{name} en Fashion-MNIST", val_label="test")
    return res


def main(argv=None, prog=None):
    args = parse(argv, {"epochs": 3, "limit_train": 0, "limit_test": 0, "seed": 0, "out_dir": None, "root": None},
                 __doc__, prog)
    try:
        run(**args)
    except DatasetNotFoundError as e:  # sin datos no hay demo: código de salida 1 y qué hacer, en español
        raise SystemExit(f"error: Fashion-MNIST no está disponible, así que la demo no se puede ejecutar.\n{e}.\n"
                         f"Para descargarlo (30 MB, con verificación md5): python -c \"from tinygrad_es.data "
                         f"import load_fashion_mnist; load_fashion_mnist()\"; o indica su carpeta con --root")


if __name__ == "__main__":
    main()
