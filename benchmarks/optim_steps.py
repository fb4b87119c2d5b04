"""``optimizer.step()`` de los optimizadores de ``torch.optim`` sobre los parámetros del MLP 784-128-64-10
(float32, gradientes fijos), frente a PyTorch, intercalados (mediana de los cocientes por par); y un
``LBFGS.step(closure)`` (5 iteraciones, Wolfe fuerte) entrenando ese MLP con un lote de 64, que incluye
forward y backward. ``python benchmarks/optim_steps.py [--wall]`` (por omisión, tiempo de CPU)."""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import timing  # noqa: E402

CASES = {
    "SGD": lambda m, p: m.SGD(p, lr=0.01, momentum=0.9),
    "Adam": lambda m, p: m.Adam(p),
    "Rprop": lambda m, p: m.Rprop(p),
    "ASGD": lambda m, p: m.ASGD(p),
    "Adafactor": lambda m, p: m.Adafactor(p),
    "Muon": lambda m, p: m.Muon([q for q in p if q.ndim == 2]),
}


def _params(T, P, rng_seed=0):
    rng = np.random.default_rng(rng_seed)
    shapes = [(128, 784), (128,), (64, 128), (64,), (10, 64), (10,)]
    ps = [P(T.from_numpy(rng.standard_normal(s).astype(np.float32) * 0.05)) for s in shapes]
    for p in ps:
        p.grad = T.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.01)
    return ps


def _lbfgs(T, nn, optim, x, y):
    T.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.LBFGS(model.parameters(), max_iter=5, line_search_fn="strong_wolfe")
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = T.from_numpy(x), T.from_numpy(y)

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        return loss
    return lambda: opt.step(closure)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wall", action="store_true", help="tiempo de pared en vez de tiempo de CPU")
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    if not args.wall:
        timing.use_cpu_clock()
    import torch
    import tinygrad_es as tg
    from tinygrad_es import nn, optim
    rows = {}
    print(f"{'optimizador':<12}{'nuestro ms':>12}{'torch ms':>10}{'cociente':>10}")
    for name, make in CASES.items():
        o = make(optim, _params(tg, nn.Parameter))
        t = make(torch.optim, _params(torch, torch.nn.Parameter))
        ms_o, ms_t, ratio = timing.interleaved(o.step, t.step, repeat=args.repeat)
        rows[name] = dict(ours_ms=ms_o, torch_ms=ms_t, ratio=ratio)
        print(f"{name:<12}{ms_o:>12.3f}{ms_t:>10.3f}{ratio:>10.2f}")
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 784), dtype=np.float32), rng.integers(0, 10, 64)
    ms_o, ms_t, ratio = timing.interleaved(_lbfgs(tg, nn, optim, x, y), _lbfgs(torch, torch.nn, torch.optim, x, y),
                                           repeat=max(5, args.repeat // 4))
    rows["LBFGS(closure)"] = dict(ours_ms=ms_o, torch_ms=ms_t, ratio=ratio)
    print(f"{'LBFGS(clos.)':<12}{ms_o:>12.3f}{ms_t:>10.3f}{ratio:>10.2f}")
    info = dict(clock="wall" if args.wall else "cpu", torch_threads=torch.get_num_threads(),
                load=os.getloadavg()[0], rows=rows)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "optim_steps.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    print(f"carga {info['load']:.1f}, hilos de torch {info['torch_threads']}")


if __name__ == "__main__":
    main()
