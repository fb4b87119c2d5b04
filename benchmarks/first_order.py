"""¿Se ha vuelto más lento el backward de primer orden? Este árbol frente a otra versión del motor.

Las derivadas de orden superior (``create_graph=True``) no deben costar nada a quien no las usa.
Este benchmark mide, **en el mismo proceso e intercalando** (``timing.interleaved``), el mismo
trabajo con el paquete de este árbol y con el de una versión de referencia (por defecto
``main``; ``--ref`` acepta cualquier referencia de git), que se extrae con ``git archive`` a una
carpeta temporal y se importa con otro nombre (el paquete sólo usa importaciones relativas):

* el bucle de operaciones diminutas de ``conv.py`` (escalares y vectores de 3: el coste fijo de
  cada operación y de su paso de backward);
* el paso de entrenamiento de la CNN del curso (conv32-pool-conv64-pool-128-10, lote 64, Adam).

Imprime ``este/referencia`` (mediana de los cocientes por par) y, si está PyTorch, el cociente
frente a PyTorch del bucle diminuto. Escribe ``benchmarks/results/first_order.json``.

Uso: ``python benchmarks/first_order.py [--ref main] [--repeat 40] [--threads 2] [--cpu-clock]``
"""
import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)
import timing  # noqa: E402
from timing import interleaved  # noqa: E402


def load_reference(ref: str, folder: str):
    """El paquete ``tinygrad_es`` de ``ref`` importado como ``tinygrad_es_ref``."""
    tar = subprocess.run(["git", "-C", ROOT, "archive", ref, "tinygrad_es"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=tar, check=True)
    os.rename(os.path.join(folder, "tinygrad_es"), os.path.join(folder, "tinygrad_es_ref"))
    sys.path.insert(0, folder)
    return importlib.import_module("tinygrad_es_ref")


def tiny_ops(T):
    """El bucle de ``conv.py``: 20 × (6 operaciones + backward) con vectores de 3."""
    xs = np.array([1.0, -2.0, 3.0], np.float32)
    x, w, b = T.tensor(xs, requires_grad=True), T.tensor(xs * 0.5, requires_grad=True), T.tensor(xs * 0.1)

    def run():
        for _ in range(20):
            ((x * w + b).relu() * 2.0 - w).sum().backward()
    return run


def cnn_step(T, seed=0):
    """Un paso de entrenamiento de la CNN del curso con los mismos pesos y datos en cada versión."""
    nn, F = T.nn, T.nn.functional
    T.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    rng = np.random.default_rng(seed)
    x = T.tensor(rng.random((64, 1, 28, 28), dtype=np.float32))
    y = T.tensor(rng.integers(0, 10, 64))
    opt = T.optim.Adam(model.parameters(), lr=1e-3)

    def run():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", default="main", help="referencia de git con la que comparar (por defecto main)")
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "first_order.json"))
    ap.add_argument("--cpu-clock", action="store_true", help="tiempo de CPU del proceso (más estable con la "
                    "máquina cargada) en vez de pared")
    args = ap.parse_args()
    if args.cpu_clock:
        timing.use_cpu_clock()
    import tinygrad_es as ours  # antes de numba: fija la capa de hilos
    import numba
    numba.set_num_threads(args.threads)
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    with tempfile.TemporaryDirectory() as folder:
        ref = load_reference(args.ref, folder)
        rows = []
        for run in range(args.runs):
            row = {}
            for name, make, rep in (("tiny", tiny_ops, args.repeat), ("cnn_step", cnn_step, max(args.repeat // 2, 5))):
                a, b, r = interleaved(make(ours), make(ref), rep)
                row[name] = dict(ours_ms=a, ref_ms=b, ratio=r)
            if torch is not None:
                a, b, r = interleaved(tiny_ops(ours), tiny_ops(torch), args.repeat)
                row["tiny_vs_torch"] = dict(ours_ms=a, torch_ms=b, ratio=r)
            rows.append(row)
            print(f"pasada {run + 1}: " + "; ".join(f"{k} {v['ratio']:.3f}" for k, v in row.items()))
    summary = {k: float(np.median([r[k]["ratio"] for r in rows])) for k in rows[0]}
    print(f"\n{'caso':<42} {'cociente (mediana de pasadas)':>30}")
    labels = {"tiny": f"diminutas: este árbol / {args.ref}", "cnn_step": f"paso CNN: este árbol / {args.ref}",
              "tiny_vs_torch": "diminutas: este árbol / PyTorch"}
    for k, v in summary.items():
        print(f"{labels[k]:<42} {v:>30.3f}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(dict(ref=args.ref, threads=args.threads, clock="cpu" if args.cpu_clock else "pared", load_avg=list(os.getloadavg()), summary=summary,
                       runs=rows), f, indent=2)
    print(f"\nJSON escrito en {args.out}")


if __name__ == "__main__":
    main()
