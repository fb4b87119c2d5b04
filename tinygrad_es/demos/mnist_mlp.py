"""Demo 3: MLP 784-128-64-10 (ReLU, Adam lr 0.003) en MNIST, y la red sigmoide 784-100-10
entrenada con SGD, momento y Adam."""
import numpy as np

from .. import Generator, manual_seed, optim
from ..utils.data import DataLoader, TensorDataset
from ..models import MnistMLP, SigmoidMLP
from ..nn import functional as F
from ..train import fit
from ._common import have_matplotlib, mnist_data, out_path, parse


def run(epochs: int = 5, limit_train: int = 0, limit_test: int = 0, batch_size: int = 64, seed: int = 0,
        out_dir: str = None, verbose: bool = True) -> dict:
    Xtr, ytr, Xte, yte, origin = mnist_data(flatten=True, limit_train=limit_train or None,
                                            limit_test=limit_test or None, seed=seed)
    if verbose:
        print(f"Datos: {origin}")
    train = DataLoader(TensorDataset(Xtr, ytr), batch_size, shuffle=True, generator=Generator().manual_seed(seed))
    test = DataLoader(TensorDataset(Xte, yte), 512)
    manual_seed(seed)
    mlp = MnistMLP()
    if verbose:
        print(f"\nMLP 784-128-64-10 ReLU, Adam lr=0.003 ({mlp.num_parameters()} parámetros)")
    hist = fit(mlp, F.cross_entropy, optim.Adam(mlp.parameters(), lr=3e-3), train, test, epochs=epochs,
               verbose=verbose, progress=verbose)
    res = {"mlp": {"test_acc": hist["val_acc"][-1], "s_por_epoca": float(np.mean(hist["time"]))}, "sigmoide": {}}
    curves = {}
    if verbose:
        print("\nRed 784-100-10 sigmoide con tres optimizadores:")
    for name, make in (("SGD", lambda p: optim.SGD(p, lr=0.5)),
                       ("momento", lambda p: optim.SGD(p, lr=0.1, momentum=0.9)),
                       ("Adam", lambda p: optim.Adam(p, lr=1e-3))):
        manual_seed(seed)
        net = SigmoidMLP()
        h = fit(net, F.cross_entropy, make(net.parameters()), train, test, epochs=epochs, verbose=False,
                progress=False)
        res["sigmoide"][name] = h["val_acc"][-1]
        curves[name] = [1 - a for a in h["val_acc"]]
        if verbose:
            print(f"  {name:>8}: exactitud de test por época " +
                  ", ".join(f"{100 * a:.1f} %" for a in h["val_acc"]))
    path = out_path(out_dir, "mnist_optimizadores.png")
    if path and have_matplotlib():
        from ..viz.plots import lr_comparison
        lr_comparison(curves, path=path, ylabel="error de test", title="784-100-10 sigmoide")
    res["mlp_model"] = mlp
    return res


def main(argv=None, prog=None):
    run(**parse(argv, {"epochs": 5, "limit_train": 0, "limit_test": 0, "batch_size": 64, "seed": 0,
                       "out_dir": None}, __doc__, prog))


if __name__ == "__main__":
    main()
