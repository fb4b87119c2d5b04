"""La familia 3-D contra PyTorch: ``conv3d``, ``conv_transpose3d``, ``max_pool3d``, ``avg_pool3d``,
``adaptive_avg_pool3d`` (forward + backward, float32) y un paso de entrenamiento de una CNN 3-D pequeña
(vídeo/TAC de 16×32×32). Intercalado en un proceso (``timing.interleaved``: mediana de los cocientes por
par); por omisión 1 hilo y tiempo de CPU, lo estable con la máquina compartida. Escribe
``benchmarks/results/volumetric.json``.

Uso: ``python benchmarks/volumetric.py [--threads 1] [--repeat 20] [--wall]``
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import timing  # noqa: E402
from timing import interleaved, train_step  # noqa: E402


def cases(rng):
    """(nombre, función(L, F, arrays) → salida, formas de las entradas con gradiente)."""
    return [
        ("conv3d 8→16 k3 p1, (4, 8, 16, 32, 32)", lambda F, x, w: F.conv3d(x, w, padding=1),
         [(4, 8, 16, 32, 32), (16, 8, 3, 3, 3)]),
        ("conv3d 3→16 k3 s2, (4, 3, 16, 64, 64)", lambda F, x, w: F.conv3d(x, w, stride=2, padding=1),
         [(4, 3, 16, 64, 64), (16, 3, 3, 3, 3)]),
        ("conv_transpose3d 16→8 k2 s2, (4, 16, 8, 16, 16)", lambda F, x, w: F.conv_transpose3d(x, w, stride=2),
         [(4, 16, 8, 16, 16), (16, 8, 2, 2, 2)]),
        ("max_pool3d 2, (4, 16, 16, 32, 32)", lambda F, x: F.max_pool3d(x, 2), [(4, 16, 16, 32, 32)]),
        ("max_pool3d 3 s2 p1, (4, 16, 16, 32, 32)", lambda F, x: F.max_pool3d(x, 3, 2, 1), [(4, 16, 16, 32, 32)]),
        ("avg_pool3d 2, (4, 16, 16, 32, 32)", lambda F, x: F.avg_pool3d(x, 2), [(4, 16, 16, 32, 32)]),
        ("adaptive_avg_pool3d 1, (4, 32, 8, 16, 16)", lambda F, x: F.adaptive_avg_pool3d(x, 1),
         [(4, 32, 8, 16, 16)]),
    ]


def make_net(nn):
    return nn.Sequential(nn.Conv3d(1, 8, 3, padding=1), nn.BatchNorm3d(8), nn.ReLU(), nn.MaxPool3d(2),
                         nn.Conv3d(8, 16, 3, padding=1), nn.BatchNorm3d(16), nn.ReLU(), nn.MaxPool3d(2),
                         nn.Conv3d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool3d(1), nn.Flatten(),
                         nn.Linear(32, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--wall", action="store_true", help="tiempo de pared en vez de CPU del proceso")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "volumetric.json"))
    args = ap.parse_args()
    if not args.wall:
        timing.use_cpu_clock()
    import tinygrad_es as tg
    import numba
    import torch

    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    load = os.getloadavg()[0]
    print(f"hilos: {args.threads}; reloj: {'pared' if args.wall else 'CPU'}; carga media: {load:.1f}")
    print(f"{'caso (forward + backward, float32)':<52} {'nuestro ms':>10} {'torch ms':>9} {'cociente':>8}")
    rows = []
    for name, fn, shapes in cases(rng):
        arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        g_out = None

        def run(L, F):
            ts = [L.tensor(a, requires_grad=True) for a in arrays]
            y = fn(F, *ts)
            nonlocal g_out
            if g_out is None:
                g_out = rng.standard_normal(tuple(y.shape)).astype(np.float32)
            y.backward(L.tensor(g_out))
        run(tg, tg.nn.functional)
        a, b, r = interleaved(lambda: run(tg, tg.nn.functional), lambda: run(torch, torch.nn.functional),
                              repeat=args.repeat)
        print(f"{name:<52} {a:>10.1f} {b:>9.1f} {r:>7.2f}×")
        rows.append(dict(case=name, ours_ms=a, torch_ms=b, ratio=r))
    tg.manual_seed(0)
    torch.manual_seed(0)
    nets = make_net(tg.nn), make_net(torch.nn)
    nets[0].load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in nets[1].state_dict().items()})
    x = rng.standard_normal((8, 1, 16, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, 8)
    steps = [train_step(net, L.optim.SGD(net.parameters(), lr=0.01), L.nn.CrossEntropyLoss(), L.tensor(x),
                        L.tensor(y)) for net, L in zip(nets, (tg, torch))]
    a, b, r = interleaved(*steps, repeat=args.repeat)
    name = "paso de entrenamiento CNN 3-D, b8 (8, 1, 16, 32, 32)"
    print(f"{name:<52} {a:>10.1f} {b:>9.1f} {r:>7.2f}×")
    rows.append(dict(case=name, ours_ms=a, torch_ms=b, ratio=r))
    print(f"carga media al terminar: {os.getloadavg()[0]:.1f}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(dict(threads=args.threads, clock="pared" if args.wall else "cpu", load=[load, os.getloadavg()[0]],
                       torch=torch.__version__, rows=rows), f, indent=1)


if __name__ == "__main__":
    main()
