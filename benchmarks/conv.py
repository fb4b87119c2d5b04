"""Convolución, pooling y reescalado de tinygrad_es frente a PyTorch (CPU), en el mismo proceso.

Requiere torch (sólo para este benchmark). Ambas bibliotecas usan el mismo número de
hilos. Tiempos **intercalados** (una llamada de cada, alternando; mediana de los
cocientes por par: véase ``timing.py``). Imprime una tabla y escribe
``benchmarks/results/conv.json``.

Uso: ``python benchmarks/conv.py [--threads 2] [--repeat 30] [--no-train] [--only a,b,p1]``
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
import timing  # noqa: E402
from timing import interleaved  # noqa: E402

# casos del issue #13: (a)–(f) objetivo ≤ 1,5× PyTorch, (g)–(j) ≤ 2,5×
CONV = {
    "a": dict(n=64, c=1, o=32, k=3, hw=28),
    "b": dict(n=64, c=32, o=64, k=3, hw=13),
    "c": dict(n=64, c=3, o=16, k=5, hw=32, pad=2),
    "d": dict(n=64, c=64, o=64, k=3, hw=14, pad=1),
    "e": dict(n=64, c=32, o=64, k=3, hw=28, pad=1, stride=2),
    "f": dict(n=64, c=64, o=128, k=1, hw=14),
    "g": dict(n=64, c=32, o=32, k=3, hw=28, pad=1, groups=32),
    "h": dict(n=64, c=16, o=16, k=3, hw=28, pad=2, dilation=2),
    "s": dict(n=64, c=16, o=32, k=1, hw=32, stride=2),  # atajo 1×1 con stride de ResNet (objetivo ≤ 1,5×)
}
CONVT = {"i": dict(n=64, c=32, o=16, k=4, hw=7, stride=2, pad=1)}
UPSAMPLE = {"j": dict(shape=(64, 16, 14, 14), scale=2, mode="bilinear")}
POOLS = {  # objetivo ≤ 0,6×
    "p1": dict(kind="max", shape=(64, 32, 26, 26), k=2),
    "p2": dict(kind="max", shape=(64, 64, 11, 11), k=2),
    "p3": dict(kind="avg", shape=(64, 32, 26, 26), k=2),
    "p4": dict(kind="max", shape=(64, 32, 28, 28), k=3, stride=2, pad=1),
    "p5": dict(kind="max", shape=(64, 64, 11, 11), k=2, ceil=True),
}


def conv_label(name, s, kind="conv"):
    extra = "".join(f" {t}{s[k]}" for k, t in (("stride", "s"), ("pad", "p"), ("groups", "g"), ("dilation", "d"))
                    if s.get(k, 1 if k != "pad" else 0) != (1 if k != "pad" else 0))
    pre = "convT " if kind == "convT" else ""
    return f"({name}) {pre}{s['n']}x{s['c']}->{s['o']} {s['k']}x{s['k']} {s['hw']}px{extra}"


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


def functional_pair(fn, arrays, kw):
    """(fwd, f+b) de una función de ``nn.functional`` sobre Tensors: el camino completo
    (comprobaciones, autograd, núcleos)."""
    from tinygrad_es import Tensor, no_grad
    ts = [Tensor(a, requires_grad=True) for a in arrays]

    def f():
        with no_grad():
            fn(*ts, **kw)

    def fb():
        y = fn(*ts, **kw)
        y.backward(np.ones(y.shape, y.dtype))
        for t in ts:
            t.grad = None

    return f, fb


def make_cases(rng, torch, only, level="functional"):
    """Para cada caso: (etiqueta, fwd nuestro, f+b nuestro, fwd torch, f+b torch, flops)."""
    from tinygrad_es import kernels as K
    import tinygrad_es.nn.functional as CF
    TF = torch.nn.functional
    cases = []
    for name, s in CONV.items():
        if only and name not in only:
            continue
        st, pd, dl, gr = (s.get("stride", 1),) * 2, (s.get("pad", 0),) * 2, (s.get("dilation", 1),) * 2, \
            s.get("groups", 1)
        x = rng.standard_normal((s["n"], s["c"], s["hw"], s["hw"])).astype(np.float32)
        w = (rng.standard_normal((s["o"], s["c"] // gr, s["k"], s["k"])) * 0.1).astype(np.float32)
        b = np.zeros(s["o"], np.float32)
        X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        y0, st0 = K.conv2d_forward(x, w, b, st, pd, dl, gr)
        g = np.ones_like(y0)
        # algoritmos del backward (∂x y ∂w; el forward es siempre el directo)
        algo = st0.algo if st0.algo == st0.algo_w else f"{st0.algo}+{st0.algo_w}"
        flops = 2 * y0.size * (s["c"] // gr) * s["k"] ** 2

        def of(x=x, w=w, b=b, st=st, pd=pd, dl=dl, gr=gr):
            K.conv2d_forward(x, w, b, st, pd, dl, gr, save=False)

        def ofb(x=x, w=w, b=b, st=st, pd=pd, dl=dl, gr=gr, g=g):
            _, state = K.conv2d_forward(x, w, b, st, pd, dl, gr)
            K.conv2d_backward(g, state)
            K.conv_release(state)

        def tf(X=X, W=W, B=B, st=st, pd=pd, dl=dl, gr=gr):
            with torch.no_grad():
                TF.conv2d(X, W, B, st, pd, dl, gr)

        def tfb(X=X, W=W, B=B, st=st, pd=pd, dl=dl, gr=gr, shape=y0.shape):
            TF.conv2d(X, W, B, st, pd, dl, gr).backward(torch.ones(shape))

        if level == "functional":
            of, ofb = functional_pair(CF.conv2d, [x, w, b], dict(stride=st, padding=pd, dilation=dl, groups=gr))
        cases.append((conv_label(name, s) + f" [{algo}]", name, of, ofb, tf, tfb, flops))
    for name, s in CONVT.items():
        if only and name not in only:
            continue
        st, pd = (s["stride"],) * 2, (s["pad"],) * 2
        x = rng.standard_normal((s["n"], s["c"], s["hw"], s["hw"])).astype(np.float32)
        w = (rng.standard_normal((s["c"], s["o"], s["k"], s["k"])) * 0.1).astype(np.float32)
        b = np.zeros(s["o"], np.float32)
        X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        y0, _ = K.conv_transpose2d_forward(x, w, b, st, pd)
        g = np.ones_like(y0)

        def of(x=x, w=w, b=b, st=st, pd=pd):
            K.conv_transpose2d_forward(x, w, b, st, pd, save=False)

        def ofb(x=x, w=w, b=b, st=st, pd=pd, g=g):
            _, state = K.conv_transpose2d_forward(x, w, b, st, pd)
            K.conv_transpose2d_backward(g, state)

        def tf(X=X, W=W, B=B, st=st, pd=pd):
            with torch.no_grad():
                TF.conv_transpose2d(X, W, B, st, pd)

        def tfb(X=X, W=W, B=B, st=st, pd=pd, shape=y0.shape):
            TF.conv_transpose2d(X, W, B, st, pd).backward(torch.ones(shape))

        if level == "functional":
            of, ofb = functional_pair(CF.conv_transpose2d, [x, w, b], dict(stride=st, padding=pd))
        cases.append((conv_label(name, s, "convT"), name, of, ofb, tf, tfb, 2 * x.size * s["o"] * s["k"] ** 2))
    for name, s in UPSAMPLE.items():
        if only and name not in only:
            continue
        x = rng.standard_normal(s["shape"]).astype(np.float32)
        X = torch.tensor(x, requires_grad=True)
        n, c, h, w = x.shape
        oh, ow = h * s["scale"], w * s["scale"]

        def tables(h=h, w=w, oh=oh, ow=ow):
            return K.linear_weights(h, oh, False) + K.linear_weights(w, ow, False)

        def of(x=x):
            K.upsample_bilinear2d_forward(x, *tables())

        def ofb(x=x, h=h, w=w):
            t = tables()
            y = K.upsample_bilinear2d_forward(x, *t)
            K.upsample_bilinear2d_backward(np.ones_like(y), h, w, *t)

        def tf(X=X, sc=s["scale"]):
            with torch.no_grad():
                TF.interpolate(X, scale_factor=sc, mode="bilinear", align_corners=False)

        def tfb(X=X, sc=s["scale"]):
            y = TF.interpolate(X, scale_factor=sc, mode="bilinear", align_corners=False)
            y.backward(torch.ones_like(y))

        if level == "functional":
            of, ofb = functional_pair(CF.interpolate, [x], dict(scale_factor=s["scale"], mode="bilinear",
                                                               align_corners=False))
        cases.append((f"({name}) bilinear x{s['scale']} {s['shape']}", name, of, ofb, tf, tfb, None))
    for name, s in POOLS.items():
        if only and name not in only:
            continue
        cases.append(_pool_case(name, s, rng, torch, K, level))
    return cases


def _pool_case(name, s, rng, torch, K, level):
    TF = torch.nn.functional
    x = rng.standard_normal(s["shape"]).astype(np.float32)
    X = torch.tensor(x, requires_grad=True)
    k, st, pd, ceil = s["k"], s.get("stride", s["k"]), s.get("pad", 0), s.get("ceil", False)
    n, c, h, w = x.shape
    oh, ow = (K.pool_output_size(v, k, st, pd, 1, ceil) for v in (h, w))
    fast = k == 2 and st == 2 and pd == 0
    fast_avg = fast and oh == h // 2 and ow == w // 2
    inv = np.array([1 / (k * k)], np.float32)
    if s["kind"] == "max":
        def fwd():  # el núcleo elige el camino por forma
            return K.max_pool2d_forward(x, k, k, st, st, pd, pd, 1, 1, oh, ow)

        def bwd(y, idx):
            K.max_pool2d_backward(np.ones_like(y), idx, h, w)

        tfn = TF.max_pool2d
    else:
        def fwd():
            if fast_avg:
                return K.avg_pool2x2_forward(x, oh, ow, inv), None
            return K.avg_pool2d_forward(x, k, k, st, st, pd, pd, oh, ow, True, 0), None

        def bwd(y, idx):
            if fast_avg:
                K.avg_pool2x2_backward(np.ones_like(y), h, w, inv)
            else:
                K.avg_pool2d_backward(np.ones_like(y), h, w, k, k, st, st, pd, pd, True, 0)

        tfn = TF.avg_pool2d

    def ofb():
        bwd(*fwd())

    def tf():
        with torch.no_grad():
            tfn(X, k, st, pd, ceil_mode=ceil)

    def tfb():
        y = tfn(X, k, st, pd, ceil_mode=ceil)
        y.backward(torch.ones_like(y))

    label = f"({name}) {s['kind']}pool {k}x{k} s{st} p{pd}{' ceil' if ceil else ''} {s['shape']}"
    if level == "functional":
        import tinygrad_es.nn.functional as CF
        fn = CF.max_pool2d if s["kind"] == "max" else CF.avg_pool2d
        fwd, ofb = functional_pair(fn, [x], dict(kernel_size=k, stride=st, padding=pd, ceil_mode=ceil))
    return label, name, fwd, ofb, tf, tfb, None


def blas_spin():
    """CPU quemada por los hilos de OpenBLAS en 50 ms de reposo tras una GEMM 512×512, con
    la espera que deja tinygrad_es y con la de OpenBLAS por defecto (2²⁸ ciclos)."""
    import time
    from tinygrad_es.kernels import blas
    now = blas.spin_timeout()
    if now is None:
        return {}
    a = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)
    res = {}
    for label, v in (("tinygrad_es", now or 28), ("openblas_defecto", 28)):
        blas.set_spin_timeout(v)
        a @ a
        time.sleep(0.2)
        burn = []
        for _ in range(10):
            a @ a
            c = time.process_time()
            time.sleep(0.05)
            burn.append(time.process_time() - c)
        res[label] = dict(log2_cycles=v, cpu_ms_in_50ms_idle=float(np.median(burn) * 1e3))
    blas.set_spin_timeout(now or 28)
    return res


def tiny_ops(torch):
    """Bucle de operaciones diminutas (las de los apuntes: escalares y vectores de 3)."""
    from tinygrad_es import Tensor
    xs = np.array([1.0, -2.0, 3.0], np.float32)
    x, w, b = Tensor(xs, requires_grad=True), Tensor(xs * 0.5, requires_grad=True), Tensor(xs * 0.1)
    X, W, B = torch.tensor(xs, requires_grad=True), torch.tensor(xs * 0.5, requires_grad=True), torch.tensor(xs * 0.1)

    def ours():
        for _ in range(20):
            ((x * w + b).relu() * 2.0 - w).sum().backward()

    def theirs():
        for _ in range(20):
            ((X * W + B).relu() * 2.0 - W).sum().backward()

    return ours, theirs


def summarize(runs):
    """Mediana y extremos de cada cociente entre pasadas; imprime la tabla resumen."""
    out = []
    print(f"\nResumen de {len(runs)} pasadas: cociente nuestro/torch (mediana [mín–máx])")
    print(f"{'caso':<48} {'fwd':>18} {'f+b':>18}")
    for i, row in enumerate(runs[0]):
        per = [r[i] for r in runs]
        item = dict(case=row["case"], label=row["label"])
        cells = []
        for key in ("fwd_ratio", "fb_ratio"):
            vals = [p[key] for p in per if key in p]
            if vals:
                item[key] = dict(median=float(np.median(vals)), min=float(min(vals)), max=float(max(vals)))
                cells.append(f"{np.median(vals):5.2f} [{min(vals):4.2f}–{max(vals):4.2f}]")
            else:
                cells.append("")
        print(f"{row['label']:<48} {cells[0]:>18} {cells[1]:>18}")
        out.append(item)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3, help="pasadas completas de la tabla (mediana y extremos)")
    ap.add_argument("--no-train", action="store_true")
    ap.add_argument("--only", default="", help="casos separados por comas (p. ej. a,b,p1)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "conv.json"))
    ap.add_argument("--cpu-clock", action="store_true", help="tiempo de CPU del proceso en vez de pared")
    ap.add_argument("--level", choices=("functional", "kernels"), default="functional",
                    help="functional: Tensors y autograd (lo que usa un programa); kernels: sólo los núcleos")
    args = ap.parse_args()
    if args.cpu_clock:
        timing.use_cpu_clock()
    only = set(filter(None, args.only.split(",")))
    comp = compile_times() if not only else {}

    import tinygrad_es  # noqa: F401  (antes de tocar numba: fija la capa de hilos)
    import numba
    import torch
    from tinygrad_es import kernels as K

    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    K.max_pool2x2_forward(np.ones((1, 1, 2, 2), np.float32), 1, 1)  # arranca la capa de hilos
    layer = numba.threading_layer()
    print(f"hilos: {args.threads}; capa numba: {layer} (GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT')}); "
          f"torch {torch.__version__} (comparte libgomp); cerrojo en núcleos paralelos: {K.uses_lock()}; "
          f"espera de OpenBLAS: 2^{K.blas.spin_timeout()} ciclos")
    if comp:
        print(f"JIT (primera llamada, proceso nuevo): caché fría {comp['fria']:.2f} s, "
              f"caché caliente {comp['caliente']:.2f} s")
    cases = make_cases(rng, torch, only, args.level)
    runs = []
    for run in range(args.runs):
        hdr = (f"{'caso':<48} {'fwd ms':>7} {'torch':>7} {'ratio':>6} {'f+b ms':>7} {'torch':>7} {'ratio':>6} "
               f"{'GF/s':>6}")
        print(f"\nPasada {run + 1} de {args.runs}\n" + hdr + "\n" + "-" * len(hdr))
        rows = []
        for label, name, of, ofb, tf, tfb, flops in cases:
            a, b, r = interleaved(of, tf, args.repeat)
            c, d, r2 = interleaved(ofb, tfb, args.repeat)
            gf = f"{3 * flops / c / 1e6:6.1f}" if flops else ""
            print(f"{label:<48} {a:7.2f} {b:7.2f} {r:6.2f} {c:7.2f} {d:7.2f} {r2:6.2f} {gf}")
            rows.append(dict(case=name, label=label, fwd_ms=a, torch_fwd_ms=b, fwd_ratio=r, fb_ms=c, torch_fb_ms=d,
                             fb_ratio=r2))
        if not only or "tiny" in only:
            a, b, r = interleaved(*tiny_ops(torch), args.repeat)
            print(f"{'operaciones diminutas (20 × 6 ops + backward)':<48} {'':>7} {'':>7} {'':>6} {a:7.2f} {b:7.2f} "
                  f"{r:6.2f}")
            rows.append(dict(case="tiny", label="operaciones diminutas", fb_ms=a, torch_fb_ms=b, fb_ratio=r))
        if not args.no_train and not only:
            from train_step import compare_training_steps
            for t in compare_training_steps(args.repeat):
                rows.append(dict(case=t["case"] + "_step", label=f"paso de entrenamiento {t['case'].upper()}",
                                 fb_ms=t["ours_ms"], torch_fb_ms=t["torch_ms"], fb_ratio=t["ratio"]))
        runs.append(rows)
    summary = summarize(runs)
    spin = blas_spin() if not only else {}
    if spin:
        print("\nCPU quemada por OpenBLAS en 50 ms de reposo tras una GEMM: " + ", ".join(
            f"{k} (2^{v['log2_cycles']} ciclos) {v['cpu_ms_in_50ms_idle']:.1f} ms" for k, v in spin.items()))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(dict(threads=args.threads, clock="cpu" if args.cpu_clock else "pared",
                       threading_layer=layer, gomp_spincount=os.environ.get("GOMP_SPINCOUNT"),
                       blas_spin_log2=K.blas.spin_timeout(), load_avg=list(os.getloadavg()), compile_s=comp,
                       blas_spin=spin, level=args.level,
                       summary=summary, runs=runs), f, indent=2)
    print(f"\nJSON escrito en {args.out}")


if __name__ == "__main__":
    main()
