"""Convolución y pooling de tinygrad_es frente a PyTorch (CPU), en el mismo proceso.

Requiere ``pip install torch==2.13.0`` (sólo para este benchmark). Ambas
bibliotecas usan el mismo número de hilos. Imprime una tabla y escribe
``benchmarks/results/conv.json``.

Uso: ``python benchmarks/conv.py [--threads 2] [--repeat 20] [--no-train]``
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from train_step import bench  # noqa: E402

CONV_SHAPES = {
    "a": dict(n=64, c=1, o=32, k=3, hw=28, pad=0),
    "b": dict(n=64, c=32, o=64, k=3, hw=13, pad=0),
    "c": dict(n=64, c=3, o=16, k=5, hw=32, pad=2),
    "d": dict(n=64, c=64, o=64, k=3, hw=14, pad=1),
}
POOL_SHAPES = {"p1": (64, 32, 26, 26), "p2": (64, 64, 11, 11)}


def compile_times():
    """Tiempo de la primera llamada en un proceso nuevo: caché fría y caché caliente."""
    code = ("import time,numpy as np;t=time.perf_counter();"
            "from tinygrad_es import Tensor;import tinygrad_es.nn.functional as F;"
            "x=Tensor(np.ones((2,3,8,8),np.float32),requires_grad=True);"
            "w=Tensor(np.ones((4,3,3,3),np.float32),requires_grad=True);"
            "y=F.max_pool2d(F.conv2d(x,w,padding=1),2);y.sum().backward();"
            "print(time.perf_counter()-t)")
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("fria", "caliente"):
            r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                               cwd=os.path.join(HERE, ".."))
            out[label] = float(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-train", action="store_true")
    args = ap.parse_args()

    comp = compile_times()

    from tinygrad_es import Tensor  # antes de tocar numba: fija la capa de hilos workqueue
    import tinygrad_es.nn.functional as F

    import numba
    import torch
    import torch.nn.functional as TF

    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    rows = []
    blas = os.environ.get("OPENBLAS_CORETYPE", "detección automática")
    print(f"hilos: {args.threads}; capa numba: {numba.config.THREADING_LAYER}; torch {torch.__version__}; "
          f"núcleo OpenBLAS de numpy: {blas}")
    if "OPENBLAS_CORETYPE" in os.environ:
        print("  (OPENBLAS_CORETYPE fuerza un núcleo BLAS más antiguo; para medir el nativo: "
              "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/conv.py)")
    print(f"compilación JIT (primera llamada, proceso nuevo): caché fría {comp['fria']:.2f} s, "
          f"caché caliente {comp['caliente']:.2f} s\n")
    hdr = (f"{'caso':<34} {'fwd ms':>8} {'torch':>8} {'ratio':>6} {'f+b ms':>8} {'torch':>8} "
           f"{'ratio':>6} {'GFLOP/s':>8}")
    print(hdr)
    print("-" * len(hdr))
    for name, s in CONV_SHAPES.items():
        x = rng.standard_normal((s["n"], s["c"], s["hw"], s["hw"])).astype(np.float32)
        w = (rng.standard_normal((s["o"], s["c"], s["k"], s["k"])) * 0.1).astype(np.float32)
        b = np.zeros(s["o"], np.float32)
        tx, tw, tb = (Tensor(a, requires_grad=True) for a in (x, w, b))
        X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        oh = s["hw"] + 2 * s["pad"] - s["k"] + 1
        flops = 2 * s["n"] * s["o"] * oh * oh * s["c"] * s["k"] ** 2

        def ours_f():
            return F.conv2d(tx, tw, tb, padding=s["pad"])

        def ours_fb():
            y = F.conv2d(tx, tw, tb, padding=s["pad"])
            y.backward(np.ones(y.shape, np.float32))

        def torch_f():
            with torch.no_grad():
                return TF.conv2d(X, W, B, padding=s["pad"])

        def torch_fb():
            y = TF.conv2d(X, W, B, padding=s["pad"])
            y.backward(torch.ones_like(y))

        tf, tt = bench(ours_f, args.repeat), bench(torch_f, args.repeat)
        tfb, ttb = bench(ours_fb, args.repeat), bench(torch_fb, args.repeat)
        label = f"({name}) {s['n']}x{s['c']}->{s['o']} {s['k']}x{s['k']} {s['hw']}px p{s['pad']}"
        rows.append(dict(case=name, **s, fwd_ms=tf * 1e3, torch_fwd_ms=tt * 1e3, fwd_ratio=tf / tt,
                         fb_ms=tfb * 1e3, torch_fb_ms=ttb * 1e3, fb_ratio=tfb / ttb,
                         gflops_fwd=flops / tf / 1e9, gflops_fb=3 * flops / tfb / 1e9))
        print(f"{label:<34} {tf*1e3:>8.2f} {tt*1e3:>8.2f} {tf/tt:>6.2f} {tfb*1e3:>8.2f} {ttb*1e3:>8.2f} "
              f"{tfb/ttb:>6.2f} {3*flops/tfb/1e9:>8.1f}")
    for name, shp in POOL_SHAPES.items():
        x = rng.standard_normal(shp).astype(np.float32)
        tx = Tensor(x, requires_grad=True)
        X = torch.tensor(x, requires_grad=True)

        def ours_f():
            return F.max_pool2d(tx, 2)

        def ours_fb():
            y = F.max_pool2d(tx, 2)
            y.backward(np.ones(y.shape, np.float32))

        def torch_f():
            with torch.no_grad():
                return TF.max_pool2d(X, 2)

        def torch_fb():
            y = TF.max_pool2d(X, 2)
            y.backward(torch.ones_like(y))

        tf, tt = bench(ours_f, args.repeat), bench(torch_f, args.repeat)
        tfb, ttb = bench(ours_fb, args.repeat), bench(torch_fb, args.repeat)
        rows.append(dict(case=name, shape=shp, fwd_ms=tf * 1e3, torch_fwd_ms=tt * 1e3, fwd_ratio=tf / tt,
                         fb_ms=tfb * 1e3, torch_fb_ms=ttb * 1e3, fb_ratio=tfb / ttb))
        print(f"{'maxpool 2x2 ' + str(shp):<34} {tf*1e3:>8.2f} {tt*1e3:>8.2f} {tf/tt:>6.2f} "
              f"{tfb*1e3:>8.2f} {ttb*1e3:>8.2f} {tfb/ttb:>6.2f} {'':>8}")

    train = []
    if not args.no_train:
        from train_step import compare_training_steps
        train = compare_training_steps(args.repeat)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", "conv.json" if "OPENBLAS_CORETYPE" in os.environ else "conv_blas_nativo.json")
    with open(path, "w") as f:
        json.dump(dict(threads=args.threads, threading_layer=numba.config.THREADING_LAYER, openblas_coretype=blas,
                       compile_s=comp, rows=rows, train_steps=train), f, indent=2)
    print(f"\nJSON escrito en {path}")


if __name__ == "__main__":
    main()
