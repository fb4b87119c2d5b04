"""Paso de entrenamiento completo (forward, entropía cruzada, backward, Adam) de la CNN
conv32-pool-conv64-pool-1600-128-10 y del MLP 784-128-64-10 con lotes de 64, frente a
las mismas redes (mismos pesos) en PyTorch. Lo usa ``conv.py``; también se puede
ejecutar solo: ``python benchmarks/train_step.py [--profile]``."""
import argparse
import cProfile
import io
import json
import os
import pstats
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from timing import interleaved, train_step  # noqa: E402


def _ours(kind):
    from tinygrad_es import nn
    import tinygrad_es.nn.functional as F

    if kind == "cnn":
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 32, 3)
                self.conv2 = nn.Conv2d(32, 64, 3)
                self.fc1 = nn.Linear(1600, 128)
                self.fc2 = nn.Linear(128, 10)

            def forward(self, x):
                x = F.max_pool2d(F.relu(self.conv1(x)), 2)
                x = F.max_pool2d(F.relu(self.conv2(x)), 2)
                return self.fc2(F.relu(self.fc1(x.flatten(1))))
        return Net()
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def _torch(kind):
    import torch.nn as tnn
    if kind == "cnn":
        return tnn.Sequential(tnn.Conv2d(1, 32, 3), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(32, 64, 3), tnn.ReLU(),
                              tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(1600, 128), tnn.ReLU(), tnn.Linear(128, 10))
    return tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 128), tnn.ReLU(), tnn.Linear(128, 64), tnn.ReLU(),
                          tnn.Linear(64, 10))


def make_steps(kind, batch=64, seed=0):
    import torch
    from tinygrad_es import Tensor, optim
    import tinygrad_es.nn.functional as F

    rng = np.random.default_rng(seed)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    ours, ref = _ours(kind), _torch(kind)
    with torch.no_grad():  # mismos pesos
        for p, q in zip(ours.parameters(), ref.parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy().copy()))
    opt = optim.Adam(ours.parameters(), lr=1e-3)
    topt = torch.optim.Adam(ref.parameters(), lr=1e-3)
    X, Y = torch.tensor(x), torch.tensor(y)
    xt = Tensor(x)

    return (train_step(ours, opt, F.cross_entropy, xt, y),
            train_step(ref, topt, torch.nn.functional.cross_entropy, X, Y))


def compare_training_steps(repeat=20):
    rows = []
    print(f"\n{'paso de entrenamiento (lote 64)':<34} {'nuestro ms':>11} {'torch ms':>9} {'ratio':>6} "
          f"{'s/60 000 img':>13}")
    for kind, label in (("cnn", "CNN conv32-pool-conv64-pool-128-10"), ("mlp", "MLP 784-128-64-10")):
        ours_step, torch_step = make_steps(kind)
        l0, t0 = ours_step(), torch_step()
        assert abs(l0 - t0) < 1e-3, (l0, t0)  # mismas redes, mismo primer paso
        to, tt, ratio = interleaved(ours_step, torch_step, repeat)
        rows.append(dict(case=kind, ours_ms=to, torch_ms=tt, ratio=ratio,
                         epoch_60k_s=to * 60 / 64, torch_epoch_60k_s=tt * 60 / 64))
        print(f"{label:<34} {to:>11.2f} {tt:>9.2f} {ratio:>6.2f} {to*60/64:>13.1f}")
    return rows


def profile_step(kind="cnn", steps=20, top=15):
    ours_step, _ = make_steps(kind)
    for _ in range(3):
        ours_step()
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(steps):
        ours_step()
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(top)
    return s.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    import tinygrad_es  # noqa: F401  (antes de tocar numba: fija la capa de hilos workqueue)
    import numba
    import torch
    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    rows = compare_training_steps(args.repeat)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "train_step.json"), "w") as f:
        json.dump(rows, f, indent=2)
    if args.profile:
        print(profile_step())


if __name__ == "__main__":
    main()
