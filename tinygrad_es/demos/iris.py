"""Demo 5: Iris con una red 4-10-3 sigmoide entrenada con SGD, momento y Adam; y la
exactitud según la anchura de la capa oculta."""

from .. import Generator, manual_seed, optim
from ..data import load_iris, standardize
from ..metrics import accuracy
from ..models import MLP
from ..nn import functional as F
from ..train import fit, predict
from ..utils.data import DataLoader, TensorDataset, random_split
from ._common import have_matplotlib, out_path, parse

OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.5),
    "momento": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Adam": lambda p: optim.Adam(p, lr=0.02),
}


def _split(seed):
    X, y, names = load_iris(return_names=True)
    tr, te = random_split(TensorDataset(X, y), [0.8, 0.2], generator=Generator().manual_seed(seed))
    (Xtr, Xte), _ = standardize(X[tr.indices], X[te.indices])
    return Xtr, y[tr.indices], Xte, y[te.indices], names


def train_iris(hidden, opt_name, epochs, seed, Xtr, ytr, Xte, yte):
    manual_seed(seed)
    net = MLP((4, hidden, 3), "sigmoid")
    loader = DataLoader(TensorDataset(Xtr, ytr), 16, shuffle=True, generator=Generator().manual_seed(seed))
    hist = fit(net, F.cross_entropy, OPTIMIZERS[opt_name](net.parameters()), loader, (Xte, yte), epochs=epochs,
               progress=False, verbose=False)
    return hist, accuracy(yte, predict(net, Xte).argmax(1))


def run(epochs: int = 100, seed: int = 0, widths: str = "1,2,3,5,10,20", out_dir: str = None,
        verbose: bool = True) -> dict:
    Xtr, ytr, Xte, yte, names = _split(seed)
    res = {"optimizadores": {}, "anchuras": {}}
    if verbose:
        print(f"Iris: {len(Xtr)} de entrenamiento, {len(Xte)} de test (80/20). Red 4-10-3 sigmoide.")
    for name in OPTIMIZERS:
        hist, acc = train_iris(10, name, epochs, seed, Xtr, ytr, Xte, yte)
        res["optimizadores"][name] = {"test_acc": acc, "val_acc_por_epoca": hist["val_acc"]}
        if verbose:
            marks = [hist["val_acc"][i] for i in (0, epochs // 10, epochs // 2, epochs - 1)]
            print(f"  {name:>8}: exactitud de test {100 * acc:.1f} %  (val. épocas 1/{epochs // 10 + 1}/"
                  f"{epochs // 2 + 1}/{epochs}: " + ", ".join(f"{100 * m:.0f} %" for m in marks) + ")")
    if verbose:
        print("Exactitud según la anchura de la capa oculta (Adam):")
    for w in [int(v) for v in str(widths).split(",")]:
        _, acc = train_iris(w, "Adam", epochs, seed, Xtr, ytr, Xte, yte)
        res["anchuras"][w] = acc
        if verbose:
            print(f"  {w:>3} neuronas: {100 * acc:.1f} %")
    path = out_path(out_dir, "iris_optimizadores.png")
    if path and have_matplotlib():
        from ..viz.plots import lr_comparison
        curves = {k: [100 * a for a in v["val_acc_por_epoca"]] for k, v in res["optimizadores"].items()}
        lr_comparison(curves, path=path, ylabel="exactitud en test (%)", title="Iris 4-10-3 sigmoide")
        res["figura"] = path
        if verbose:
            print(f"Curvas guardadas en {path}")
    return res


def main(argv=None, prog=None):
    run(**parse(argv, {"epochs": 100, "seed": 0, "widths": "1,2,3,5,10,20", "out_dir": None}, __doc__, prog))


if __name__ == "__main__":
    main()
