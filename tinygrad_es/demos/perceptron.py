"""Demo 1: el perceptrón aprende AND y OR, pero no XOR."""
import numpy as np

from ..models import Perceptron
from ._common import have_matplotlib, out_path, parse


def run(epochs: int = 100, lr: float = 0.1, seed: int = 0, out_dir: str = None, verbose: bool = True) -> dict:
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    tables = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
    res, models = {}, {}
    for name, y in tables.items():
        p = Perceptron(2, lr=lr, seed=seed).fit(X, y, epochs=epochs)
        models[name] = p
        pred = p.predict(X)
        hits = int((pred == np.array(y)).sum())
        res[name] = {"aciertos": hits, "epocas": len(p.errors_), "pesos": p.w.tolist(), "sesgo": p.b}
        if verbose:
            print(f"{name:>4}: predicción {pred.tolist()} esperado {y} -> {hits}/4 aciertos "
                  f"({len(p.errors_)} épocas; w = {np.round(p.w, 2).tolist()}, b = {p.b:.2f})")
    if verbose:
        print("\nXOR no es linealmente separable: ninguna recta w·x + b = 0 deja (0,1) y (1,0) a un lado\n"
              "y (0,0) y (1,1) al otro, así que la regla del perceptrón nunca llega a 4/4.\n"
              "Hace falta una capa oculta (demo 'xor').")
    path = out_path(out_dir, "perceptron_fronteras.png")
    if path and have_matplotlib():
        decision_boundaries(X, tables, models, path)
        res["figura"] = path
        if verbose:
            print(f"Fronteras de decisión guardadas en {path}")
    return res


def decision_boundaries(X, tables, models, path=None):
    """Los cuatro puntos de cada tabla y la recta w·x + b = 0 que ha aprendido el perceptrón.
    Devuelve la figura; con ``path`` la guarda y la cierra."""
    from ..viz.plots import DPI, _plt, projector_style
    plt = _plt()
    with projector_style():
        fig, axes = plt.subplots(1, len(tables), figsize=(4.2 * len(tables), 4.4), layout="constrained")
        grid = np.linspace(-0.5, 1.5, 200)
        G = np.stack(np.meshgrid(grid, grid), -1).reshape(-1, 2)
        for ax, (name, y) in zip(axes, tables.items()):
            p = models[name]
            ax.contourf(grid, grid, p.predict(G).reshape(200, 200), levels=[-0.5, 0.5, 1.5],
                        colors=["#dbe8f5", "#f8dcd0"])
            y = np.asarray(y)
            ax.scatter(*X[y == 0].T, s=160, c="C0", marker="o", label="salida 0", zorder=3)
            ax.scatter(*X[y == 1].T, s=160, c="C3", marker="s", label="salida 1", zorder=3)
            w, b = p.w, p.b
            if abs(w[1]) > 1e-12:
                ax.plot(grid, -(w[0] * grid + b) / w[1], "k-", lw=2, label="w·x + b = 0")
            hits = int((p.predict(X) == y).sum())
            ax.set_title(f"{name}: {hits}/4 aciertos")
            ax.set_xlim(-0.5, 1.5); ax.set_ylim(-0.5, 1.5)
            ax.set_xlabel("x₁"); ax.set_ylabel("x₂"); ax.set_xticks([0, 1]); ax.set_yticks([0, 1])
        axes[0].legend(loc="upper left", fontsize=9)
        fig.suptitle("Perceptrón: la frontera es una recta (AND y OR sí, XOR no)")
    if path:
        fig.savefig(path, dpi=DPI)
        plt.close(fig)
    return fig


def main(argv=None, prog=None):
    run(**parse(argv, {"epochs": 100, "lr": 0.1, "seed": 0, "out_dir": None}, __doc__, prog))


if __name__ == "__main__":
    main()
