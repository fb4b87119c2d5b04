"""``DataLoader(num_workers=...)``: ¿cuánto más rápido con procesos de carga?

Un conjunto con un ``__getitem__`` caro (dos variantes: espera de E/S con ``time.sleep`` y cálculo
en Python puro) recorrido entero con ``num_workers`` = 0, 1, 2, con el DataLoader de tinygrad_es y
con el de PyTorch (si está instalado), intercalados; mediana de ``--repeat`` épocas. Imprime una
tabla y escribe ``benchmarks/results/dataloader_workers.json``.

Uso: ``python benchmarks/dataloader_workers.py [--repeat 3] [--n 192]``
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import tinygrad_es  # noqa: E402,F401  (fija la capa de hilos de numba antes que nada)
from tinygrad_es.utils.data import DataLoader, Dataset  # noqa: E402


class Expensive(Dataset):
    """``kind='sleep'``: 10 ms de espera por muestra (como leer de disco); ``'python'``: un bucle
    de Python puro de ~10 ms (como decodificar o aumentar una imagen a mano)."""

    def __init__(self, n, kind):
        self.n, self.kind = n, kind

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.kind == "sleep":
            time.sleep(0.01)
            acc = float(i)
        else:
            acc = 0.0
            for k in range(60_000):
                acc += (k * i) % 7
        return np.full(16, acc, np.float32), i


def epoch(loader):
    t = time.perf_counter()
    for _ in loader:
        pass
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n", type=int, default=192)
    args = ap.parse_args()
    try:
        import torch.utils.data as TD
    except ImportError:
        TD = None
    rows = []
    for kind in ("sleep", "python"):
        ds = Expensive(args.n, kind)
        times = {}
        for _ in range(args.repeat):
            for nw in (0, 1, 2):
                times.setdefault(("ours", nw), []).append(epoch(DataLoader(ds, batch_size=8, num_workers=nw)))
                if TD is not None:
                    times.setdefault(("torch", nw), []).append(epoch(TD.DataLoader(ds, batch_size=8, num_workers=nw)))
        base = statistics.median(times[("ours", 0)])
        for (lib, nw), ts in sorted(times.items()):
            med = statistics.median(ts)
            rows.append(dict(kind=kind, lib=lib, num_workers=nw, epoch_s=med,
                             speedup_vs_ours_0=base / med))
    print(f"{'__getitem__':<8} {'biblioteca':<8} {'workers':>7} {'época (s)':>10} {'aceleración':>12}")
    for r in rows:
        print(f"{r['kind']:<8} {r['lib']:<8} {r['num_workers']:>7} {r['epoch_s']:>10.3f} {r['speedup_vs_ours_0']:>11.2f}×")
    out = os.path.join(HERE, "results", "dataloader_workers.json")
    with open(out, "w") as f:
        json.dump({"n": args.n, "batch_size": 8, "cpus": os.cpu_count(), "rows": rows}, f, indent=2)
    print("escrito", out)


if __name__ == "__main__":
    main()
