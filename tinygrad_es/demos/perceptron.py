"""Demo 1: el perceptrón aprende AND y OR, pero no XOR."""
import numpy as np

from ..models import Perceptron
from ._common import parse


def run(epochs: int = 100, lr: float = 0.1, seed: int = 0, verbose: bool = True) -> dict:
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    tables = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
    res = {}
    for name, y in tables.items():
        p = Perceptron(2, lr=lr, seed=seed).fit(X, y, epochs=epochs)
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
    return res


def main(argv=None):
    run(**parse(argv, {"epochs": 100, "lr": 0.1, "seed": 0}, __doc__))


if __name__ == "__main__":
    main()
