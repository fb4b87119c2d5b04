"""Demo 2: XOR con un MLP 2-2-1 sigmoide (error cuadrático medio) y estudio de la tasa
de aprendizaje η = 10, 0.5 y 0.05."""
import numpy as np

from .. import manual_seed, optim
from ..data import xor
from ..models import MLP
from ..nn import functional as F
from .._tensor import Tensor
from ..autograd import no_grad
from ._common import have_matplotlib, out_path, parse


def train_xor(lr, epochs, seed):
    manual_seed(seed)
    X, y = xor()
    Xt, yt = Tensor(X), Tensor(y[:, None])
    net = MLP((2, 2, 1), "sigmoid", out_activation="sigmoid")
    opt = optim.SGD(net.parameters(), lr=lr)
    errs = []
    for _ in range(epochs):
        loss = F.mse_loss(net(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        errs.append(loss.item())
    with no_grad():
        out = net(Xt).numpy()[:, 0]
    return net, errs, out


def _verdict(e):
    tail = np.asarray(e[-max(len(e) // 10, 2):])
    if np.mean(np.abs(np.diff(tail))) > 0.01:
        return "oscila (paso demasiado grande)"
    if e[-1] < 0.01:
        return "converge"
    if e[-1] > 0.9 * e[0]:
        return "apenas avanza (paso demasiado pequeño o atascado)"
    return "avanza despacio"


def run(epochs: int = 5000, seed: int = 1, out_dir: str = None, verbose: bool = True) -> dict:
    X, y = xor()
    net, errs, out = train_xor(0.5 * 4, epochs, seed)  # η = 2 para la red final (4 muestras)
    hits = int(((out > 0.5) == (y > 0.5)).sum())
    if verbose:
        print("Red 2-2-1 sigmoide entrenada con descenso del gradiente (MSE):")
        for xi, o in zip(X, out):
            print(f"  {xi.astype(int).tolist()} -> {o:.3f} -> {int(o > 0.5)}")
        print(f"Aciertos: {hits}/4 (error final {errs[-1]:.5f})\n")
        print("Estudio de la tasa de aprendizaje (error cuadrático medio por época):")
    curves = {}
    for lr in (10.0, 0.5, 0.05):
        _, e, _ = train_xor(lr, epochs, seed)
        curves[f"η = {lr:g}"] = e
        if verbose:
            idx = [0, len(e) // 10, len(e) // 2, len(e) - 1]
            print(f"  η = {lr:<5g} " + "  ".join(f"época {i + 1}: {e[i]:.4f}" for i in idx)
                  + f"  -> {_verdict(e)}")
    fig_path = out_path(out_dir, "xor_tasas.png")
    if fig_path and have_matplotlib():
        from ..viz.plots import lr_comparison
        lr_comparison(curves, path=fig_path)
        if verbose:
            print(f"Curvas guardadas en {fig_path}")
    return {"aciertos": hits, "error_final": errs[-1], "curvas": {k: v[-1] for k, v in curves.items()}}


def main(argv=None, prog=None):
    run(**parse(argv, {"epochs": 5000, "seed": 1, "out_dir": None}, __doc__, prog))


if __name__ == "__main__":
    main()
