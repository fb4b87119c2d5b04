"""Exactitud de los modelos del curso en datos reales, con el tiempo por época.

* MNIST: entrenamiento con el subconjunto de 5 000 imágenes, test con las 10 000 oficiales
  (objetivos: SimpleCNN ≥ 97.5 %, MLP ≥ 93 %).
* Fashion-MNIST completo (objetivos: SimpleCNN ≥ 91 %, MLP ≥ 88 %), si está instalado.
* Iris (≥ 95 % en una partición reservada) y XOR (4/4).

Uso: ``python benchmarks/accuracy.py [--mnist-root DIR] [--quick]``; imprime una tabla y
escribe ``benchmarks/results/accuracy.json``. No es un test unitario.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from tinygrad_es import Generator, manual_seed, optim  # noqa: E402
from tinygrad_es.data import (AugmentedLoader, DatasetNotFoundError, load_fashion_mnist, load_mnist,  # noqa: E402
                              mnist_tensors, random_shift)
from tinygrad_es.demos import iris as iris_demo, xor_mlp  # noqa: E402
from tinygrad_es.models import MnistMLP, SimpleCNN  # noqa: E402
from tinygrad_es.nn import functional as F  # noqa: E402
from tinygrad_es.train import fit  # noqa: E402
from tinygrad_es.utils.data import DataLoader, TensorDataset  # noqa: E402

ROWS = []


def record(dataset, model, acc, target, epochs, s_epoch, n_train):
    ok = acc >= target
    ROWS.append(dict(dataset=dataset, model=model, accuracy=acc, target=target, passed=ok, epochs=epochs,
                     s_per_epoch=s_epoch, n_train=n_train))
    print(f"{dataset:<28} {model:<10} {100 * acc:>8.2f} % {'≥' if ok else '<'} {100 * target:.1f} %  "
          f"{epochs:>3} épocas  {s_epoch:>7.1f} s/época", flush=True)


def train_eval(model, Xtr, ytr, Xte, yte, epochs, lr, augment, seed=0, step=None):
    manual_seed(seed)
    opt = optim.Adam(model.parameters(), lr=lr)
    sched = optim.StepLR(opt, step_size=step, gamma=0.3) if step else None
    g = Generator().manual_seed(seed)
    train = DataLoader(TensorDataset(Xtr, ytr), 64, shuffle=True, generator=g)
    if augment:
        train = AugmentedLoader(train, lambda x, rng: random_shift(x, 2, rng), g)
    h = fit(model, F.cross_entropy, opt, train, DataLoader(TensorDataset(Xte, yte), 1000), epochs=epochs,
            scheduler=sched, verbose=False, progress=False)
    return h["val_acc"][-1], float(np.mean(h["time"]))


def bench_dataset(name, load, specs, shuffle=False, limit=None):
    """Entrena y evalúa cada ``(clase, nombre, objetivo, épocas, aumento, paso_lr)`` en un conjunto."""
    try:
        (xtr, ytr), (xte, yte) = load()
    except DatasetNotFoundError as err:
        print(f"{name} no disponible: {err}")
        return
    Xtr, ytr = mnist_tensors(xtr, ytr)
    Xte, yte = mnist_tensors(xte, yte)
    if shuffle:
        perm = np.random.default_rng(0).permutation(len(Xtr))
        Xtr, ytr = Xtr[perm], ytr[perm]
    if limit:
        Xtr, ytr = Xtr[:limit], ytr[:limit]
    for cls, label, target, epochs, augment, step in specs:
        acc, t = train_eval(cls(), Xtr, ytr, Xte, yte, epochs, 1e-3, augment, step=step)
        record(f"{name} {len(Xtr)}/{len(Xte)}", label, acc, target, epochs, t, len(Xtr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mnist-root", default=os.path.join(HERE, "..", "..", "shared", "datasets"))
    ap.add_argument("--quick", action="store_true", help="pocas épocas (comprobar que funciona)")
    args = ap.parse_args()
    q = args.quick
    print(f"{'conjunto':<28} {'modelo':<10} {'exactitud':>10}   objetivo")
    t_all = time.perf_counter()
    # XOR e Iris
    r = xor_mlp.run(epochs=5000, verbose=False)
    record("XOR", "2-2-1", r["aciertos"] / 4, 1.0, 5000, float("nan"), 4)
    r = iris_demo.run(epochs=100, widths="10", verbose=False)
    record("Iris (80/20)", "4-10-3", r["optimizadores"]["Adam"]["test_acc"], 0.95, 100, float("nan"), 120)
    # MNIST: subconjunto de 5 000 / test oficial (barajado: viene ordenado por clase)
    bench_dataset("MNIST", lambda: load_mnist(root=args.mnist_root, download=False),
                  [(SimpleCNN, "SimpleCNN", 0.975, 3 if q else 30, True, 12),
                   (MnistMLP, "MLP", 0.93, 3 if q else 40, True, 15)], shuffle=True)
    # Fashion-MNIST completo
    bench_dataset("Fashion-MNIST", lambda: load_fashion_mnist(download=False),
                  [(SimpleCNN, "SimpleCNN", 0.91, 1 if q else 12, False, 8),
                   (MnistMLP, "MLP", 0.88, 1 if q else 20, False, 12)], limit=5000 if q else None)
    print(f"tiempo total {time.perf_counter() - t_all:.0f} s")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", "accuracy.json" if not q else "accuracy_quick.json")
    with open(path, "w") as f:
        json.dump(ROWS, f, indent=2)
    print(f"JSON escrito en {path}")


if __name__ == "__main__":
    main()
