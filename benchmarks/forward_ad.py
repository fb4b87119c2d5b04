"""El modo hacia delante frente a PyTorch (CPU), en el mismo proceso y con los mismos hilos.

J·v de un MLP 784-128-10 (lote 64, float32, tanh) y de una CNN pequeña (conv 3×3 1→8, ReLU,
max-pool, lineal; lote 32, 1×28×28), por cuatro caminos:

* ``forward_ad``: números duales (``make_dual``/``unpack_dual``), los dos;
* ``func.jvp``: el nuestro traspone la VJP (un forward y dos backward), PyTorch usa duales;
* ``linearize``: la llamada a ``jvp_fn`` ya construida (un backward por el grafo de la VJP);
* ``forward``: el forward solo, para ver cuánto añade la tangente.

Además, nuestros caminos entre sí (``forward_ad`` / ``func.jvp`` y ``forward_ad`` / ``forward``).
Tiempos **intercalados** (mediana de los cocientes por par, ``timing.py``). Imprime una tabla y
escribe ``benchmarks/results/forward_ad.json``.

Uso: ``python benchmarks/forward_ad.py [--threads 1] [--repeat 30] [--cpu-clock]``
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
import timing  # noqa: E402
from timing import interleaved  # noqa: E402


def _nets(L, ps):
    F = L.nn.functional
    mlp = lambda x: F.linear(F.linear(x, ps["w1"], ps["b1"]).tanh(), ps["w2"], ps["b2"])  # noqa: E731

    def cnn(x):
        h = F.max_pool2d(F.conv2d(x, ps["k"], ps["kb"], padding=1).relu(), 2)
        return F.linear(h.flatten(1), ps["w3"], ps["b3"])
    return {"MLP 784-128-10, lote 64": (mlp, (64, 784)), "CNN conv8+pool+lineal, lote 32": (cnn, (32, 1, 28, 28))}


def _params(rng):
    s = {"w1": (128, 784), "b1": (128,), "w2": (10, 128), "b2": (10,), "k": (8, 1, 3, 3), "kb": (8,),
         "w3": (10, 8 * 14 * 14), "b3": (10,)}
    return {k: (rng.standard_normal(v) * 0.05).astype(np.float32) for k, v in s.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--cpu-clock", action="store_true", help="tiempo de CPU del proceso en vez de pared")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "forward_ad.json"))
    args = ap.parse_args()
    import tinygrad_es as tg
    import tinygrad_es.autograd.forward_ad as fw
    import numba
    import torch
    import torch.autograd.forward_ad as tfw
    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    if args.cpu_clock:
        timing.use_cpu_clock()
    rng = np.random.default_rng(0)
    p = _params(rng)
    ours = _nets(tg, {k: tg.tensor(v) for k, v in p.items()})
    theirs = _nets(torch, {k: torch.tensor(v) for k, v in p.items()})
    rows = []
    print(f"{'caso':<52} {'a ms':>8} {'b ms':>8} {'a/b':>6}")
    for name, (f, shape) in ours.items():
        tf = theirs[name][0]
        x0 = rng.standard_normal(shape).astype(np.float32)
        v0 = rng.standard_normal(shape).astype(np.float32)
        x, v, tx, tv = tg.tensor(x0), tg.tensor(v0), torch.tensor(x0), torch.tensor(v0)

        def o_fwad():
            with fw.dual_level():
                return fw.unpack_dual(f(fw.make_dual(x, v))).tangent

        def t_fwad():
            with tfw.dual_level():
                return tfw.unpack_dual(tf(tfw.make_dual(tx, tv))).tangent

        o_jvp = lambda: tg.func.jvp(f, (x,), (v,))[1]  # noqa: E731
        t_jvp = lambda: torch.func.jvp(tf, (tx,), (tv,))[1]  # noqa: E731
        _, o_fn = tg.func.linearize(f, x)
        _, t_fn = torch.func.linearize(tf, tx)
        o_lin = lambda: o_fn(v)  # noqa: E731
        t_lin = lambda: t_fn(tv)  # noqa: E731
        o_fwd = lambda: f(x)  # noqa: E731
        t_fwd = lambda: tf(tx)  # noqa: E731
        ref = t_fwad().numpy()
        for got in (o_fwad(), o_jvp(), o_lin()):
            assert np.allclose(got.numpy(), ref, rtol=1e-3, atol=1e-4), name
        pairs = {"forward_ad: nuestro / torch": (o_fwad, t_fwad), "func.jvp: nuestro / torch": (o_jvp, t_jvp),
                 "linearize (jvp_fn): nuestro / torch": (o_lin, t_lin), "forward: nuestro / torch": (o_fwd, t_fwd),
                 "nuestro: forward_ad / func.jvp": (o_fwad, o_jvp), "nuestro: forward_ad / forward": (o_fwad, o_fwd)}
        for label, (a, b) in pairs.items():
            ta, tb, ratio = interleaved(a, b, args.repeat)
            rows.append(dict(case=name, pair=label, a_ms=ta, b_ms=tb, ratio=ratio))
            print(f"{name[:14] + ' ' + label:<52} {ta:>8.2f} {tb:>8.2f} {ratio:>6.2f}", flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(dict(threads=args.threads, clock="cpu" if args.cpu_clock else "pared",
                       load_avg=list(os.getloadavg()), rows=rows), fh, indent=2)


if __name__ == "__main__":
    main()
