"""Exactitud de cada modelo del zoo con el lote del benchmark (``benchmarks/zoo.py``) y varias semillas.

Un paso (forward, entropía cruzada, backward) en float32 y en float64 con los mismos pesos (sorteados por
tinygrad_es con ``manual_seed(semilla)``) y los mismos datos, en tinygrad_es y en PyTorch; para cada
parámetro, la distancia ``‖g₃₂ − g₆₄‖/‖g₆₄‖`` de cada biblioteca (la de
``tests/test_precision_models.distances``) y el cociente nuestra/PyTorch. Imprime, por modelo y
semilla, el peor cociente (y su parámetro) y la media geométrica; con ``--detail`` la tabla de cada
parámetro. JSON en ``benchmarks/results/precision_zoo.json``.

    python benchmarks/precision_zoo.py [--only resnet20 alexnet] [--seeds 0 1 2] [--batch N] [--detail]
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)
import torch  # noqa: E402

import tinygrad_es as tg  # noqa: E402
import test_precision_models as P  # noqa: E402
from zoo import MODELS  # noqa: E402


class SameBranches:
    """Dentro de ``with``, ``F.relu`` y ``F.max_pool2d`` de la biblioteca ``L`` apuntan las ramas que toma
    el paso en float32 (la máscara ``x > 0`` de cada ReLU, el ganador de cada ventana del max-pooling) y el
    paso en float64 siguiente toma esas mismas: ``x·máscara`` y la recogida de los mismos índices, que
    son exactas (el gradiente también). Así la distancia a float64 mide sólo el redondeo, no en qué lado
    de una discontinuidad cae un casi empate que el float32 decide al azar. ``flips`` cuenta las ramas
    que el float64 habría tomado distintas (ReLU, max-pooling)."""

    def __init__(self, L):
        self.L, self.F = L, L.nn.functional
        self.log, self.i, self.flips = [], 0, [0, 0]

    def __enter__(self):
        self.relu0, self.pool0 = self.F.relu, self.F.max_pool2d
        self.F.relu, self.F.max_pool2d = self.relu, self.max_pool2d
        return self

    def __exit__(self, *exc):
        self.F.relu, self.F.max_pool2d = self.relu0, self.pool0

    def _np(self, t):
        return t.detach().numpy().copy()

    def _record(self, x):
        if str(x.dtype).endswith("float32"):
            return True
        if self.i == 0:
            self.replay = list(self.log)
        return False

    def relu(self, x, inplace=False):
        if self._record(x):
            self.log.append(self._np(x) > 0)
            return self.relu0(x, inplace)
        m = self.replay[self.i]
        self.i += 1
        self.flips[0] += int(np.count_nonzero(m != (self._np(x) > 0)))
        return x * self.L.from_numpy(m.astype(np.float64))

    def max_pool2d(self, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        args = (kernel_size, stride, padding, dilation, ceil_mode)
        if self._record(x):
            self.log.append(self._np(self.pool0(x.detach(), *args, return_indices=True)[1]))
            return self.pool0(x, *args, return_indices=return_indices)
        idx = self.replay[self.i]
        self.i += 1
        self.flips[1] += int(np.count_nonzero(idx != self._np(self.pool0(x.detach(), *args, return_indices=True)[1])))
        n, c = idx.shape[:2]
        return x.flatten(2).gather(2, self.L.from_numpy(idx.reshape(n, c, -1))).reshape(idx.shape)


def _distances(L, name, batch, seed, model, same_branches):
    if not same_branches:
        return P.distances(L, name, batch, seed, model), None
    with SameBranches(L) as sb:
        d = P.distances(L, name, batch, seed, model)
    return d, sb.flips


def measure(name, seed, batch=None, same_branches=False):
    """``(lote, {parámetro: (nuestra distancia, la de PyTorch)}, ramas cambiadas nuestras y de PyTorch)``
    (los parámetros de gradiente exacto nulo, aparte)."""
    build, shape, default_batch, _ = MODELS[name]
    batch = batch or default_batch
    ours, fo = _distances(tg, name, batch, seed, (build, shape), same_branches)
    ref, ft = _distances(torch, name, batch, seed, (build, shape), same_branches)
    return batch, {k: (ours[k], ref[k]) for k in ours}, (fo, ft)


def summary(rows):
    ratios = {k: o / r for k, (o, r) in rows.items() if not isinstance(o, tuple)}
    worst = max(ratios, key=ratios.get)
    return worst, ratios[worst], float(np.exp(np.mean(np.log(list(ratios.values())))))


def main():
    ap = argparse.ArgumentParser(description="Distancia a float64 de los gradientes del zoo (lotes del benchmark), "
                                             "la nuestra frente a la de PyTorch.")
    ap.add_argument("--only", nargs="*", default=list(MODELS), help="modelos (por defecto todos)")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0], help="semillas de pesos y datos")
    ap.add_argument("--batch", type=int, default=None, help="otro lote (por defecto, el del benchmark)")
    ap.add_argument("--test-batch", action="store_true", help="el lote de tests/test_precision_models.py")
    ap.add_argument("--detail", action="store_true", help="la tabla de cada parámetro")
    ap.add_argument("--same-branches", action="store_true",
                    help="el float64 toma las ramas (ReLU, max-pooling) del float32 de cada biblioteca")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "precision_zoo.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    results = []
    print("| modelo | lote | semilla | peor cociente (parámetro) | media geométrica |"
          + (" ramas cambiadas ReLU/max-pool, nuestras; PyTorch |" if args.same_branches else ""))
    print("|---|---|---|---|---|" + ("---|" if args.same_branches else ""))
    for name in args.only:
        for seed in args.seeds:
            batch = P.ZOO[name][2] if args.test_batch and name in P.ZOO else args.batch
            batch, rows, flips = measure(name, seed, batch, args.same_branches)
            worst, w, g = summary(rows)
            extra = f" {flips[0][0]}/{flips[0][1]}; {flips[1][0]}/{flips[1][1]} |" if args.same_branches else ""
            print(f"| {name} | {batch} | {seed} | {w:.3f} ({worst}) | {g:.3f} |{extra}", flush=True)
            if args.detail:
                for k, (o, r) in rows.items():
                    if isinstance(o, tuple):
                        print(f"    {k:32s} gradiente exacto 0: nuestro ‖g₃₂‖ {o[1]:.1e}, PyTorch {r[1]:.1e}")
                    else:
                        print(f"    {k:32s} nuestra {o:.3e}  PyTorch {r:.3e}  cociente {o / r:.3f}")
            results.append(dict(model=name, batch=batch, seed=seed, same_branches=args.same_branches,
                                branch_flips=dict(ours=flips[0], torch=flips[1]), worst_param=worst, worst_ratio=w,
                                geomean_ratio=g, params={k: dict(ours=o, torch=r) for k, (o, r) in rows.items()
                                                         if not isinstance(o, tuple)}))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
