"""Demo 6: un MLP aprende a resolver ax² + bx + c = 0 (regresión de las dos raíces),
evaluado con validación cruzada K-fold."""
import numpy as np

from .. import Generator, manual_seed, optim
from ..data import kfold, quadratic_roots
from ..models import MLP
from ..nn import functional as F
from ..train import fit, predict
from ..utils.data import DataLoader, TensorDataset
from ._common import have_matplotlib, out_path, parse


def train_fold(Xtr, ytr, epochs, seed, hidden=64):
    manual_seed(seed)
    net = MLP((3, hidden, hidden, 2), "tanh")
    loader = DataLoader(TensorDataset(Xtr, ytr), 32, shuffle=True, generator=Generator().manual_seed(seed))
    fit(net, F.mse_loss, optim.Adam(net.parameters(), lr=3e-3), loader, epochs=epochs, progress=False, verbose=False)
    return net


def run(n: int = 2000, k: int = 5, epochs: int = 60, seed: int = 0, out_dir: str = None,
        verbose: bool = True) -> dict:
    X, Y = quadratic_roots(n, seed=seed)
    if verbose:
        print(f"{n} ecuaciones ax² + bx + c = 0 con dos raíces reales en [-1, 1]; entrada (a, b, c), "
              f"salida (x₁, x₂). Validación cruzada con K = {k}.")
    maes = []
    for i, (tr, va) in enumerate(kfold(n, k, seed=seed)):
        net = train_fold(X[tr], Y[tr], epochs, seed + i)
        pred = predict(net, X[va])
        mae = float(np.abs(pred - Y[va]).mean())
        maes.append(mae)
        if verbose:
            print(f"  bloque {i + 1}/{k}: error absoluto medio {mae:.4f}")
    base = float(np.abs(Y - Y.mean(0)).mean())
    if verbose:
        print(f"MAE medio {np.mean(maes):.4f} ± {np.std(maes):.4f} (predecir la media daría {base:.4f})")
        a, b, c = 1.0, -0.5, -0.14  # raíces -0.2 y 0.7
        p = predict(net, np.array([[a, b, c]], np.float32))[0]
        print(f"Ejemplo: x² − 0.5x − 0.14 = 0 -> red: {p[0]:.3f}, {p[1]:.3f} (exacto: -0.200, 0.700)")
    res = {"mae_por_bloque": maes, "mae_medio": float(np.mean(maes)), "mae_base": base}
    path = out_path(out_dir, "cuadratica_raices.png")
    if path and have_matplotlib():
        _roots_figure(Y[va], pred, path)
        res["figura"] = path
        if verbose:
            print(f"Figura guardada en {path}")
    return res


def _roots_figure(exact, pred, path):
    """Raíz predicha frente a la exacta en el último bloque de validación (ideal: la diagonal)."""
    from ..viz.plots import DPI, _plt, projector_style
    plt = _plt()
    with projector_style():
        fig, ax = plt.subplots(figsize=(6.5, 6), layout="constrained")
        for j, m in ((0, "o"), (1, "s")):
            ax.scatter(exact[:, j], pred[:, j], s=14, marker=m, alpha=0.6, label=f"x{'₁₂'[j]}")
        ax.plot([-1, 1], [-1, 1], "k--", lw=1, label="predicción perfecta")
        ax.set_xlabel("raíz exacta"); ax.set_ylabel("raíz predicha por la red")
        ax.set_title("ax² + bx + c = 0: raíces en el último bloque de validación")
        ax.legend(); ax.set_aspect("equal"); ax.grid(alpha=0.3)
        fig.savefig(path, dpi=DPI)
    plt.close(fig)


def main(argv=None, prog=None):
    run(**parse(argv, {"n": 2000, "k": 5, "epochs": 60, "seed": 0, "out_dir": None}, __doc__, prog))


if __name__ == "__main__":
    main()
