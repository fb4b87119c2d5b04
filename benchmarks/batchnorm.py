"""BatchNorm frente a PyTorch (CPU), en el mismo proceso y con los mismos hilos.

* forward + backward de ``F.batch_norm`` en entrenamiento (y el forward en evaluación) en las formas
  de la CNN de CIFAR y de ResNet, y ``BatchNorm1d`` tras una capa lineal;
* lo mismo con la BatchNorm compuesta de media, varianza y división (lo que había antes del nodo
  propio), para ver qué aporta el núcleo;
* el paso de entrenamiento entero (forward, entropía cruzada, backward, SGD con Nesterov) de la CNN
  de CIFAR con BatchNorm ([conv3×3-BN-ReLU-maxpool]×3, 32-64-128 canales, lote 128) y de ResNet-8
  (3×32×32, lote 64), con los mismos pesos en las dos bibliotecas.

Tiempos **intercalados** (una llamada de cada, alternando; mediana de los cocientes por par: véase
``timing.py``). Imprime una tabla y escribe ``benchmarks/results/batchnorm.json``.

Uso: ``python benchmarks/batchnorm.py [--threads 2] [--repeat 30] [--only bn,paso] [--cpu-clock]``
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
import timing  # noqa: E402
import zoo_models as Z  # noqa: E402
from timing import interleaved  # noqa: E402

BN_CASES = {  # nombre: (forma, entrenamiento)
    "cifar-bn1 (128,32,32,32)": ((128, 32, 32, 32), True),
    "cifar-bn2 (128,64,16,16)": ((128, 64, 16, 16), True),
    "cifar-bn3 (128,128,8,8)": ((128, 128, 8, 8), True),
    "resnet (64,16,32,32)": ((64, 16, 32, 32), True),
    "bn1d (256,512)": ((256, 512), True),
    "eval (128,64,16,16)": ((128, 64, 16, 16), False),
}


def composed_batch_norm(x, weight, bias, eps=1e-5):
    """La BatchNorm de antes: media, varianza y división con operaciones de Tensor (el gradiente
    sale de componerlas)."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(axes, keepdim=True)
    return centered / (var + eps).sqrt() * weight.reshape(shape) + bias.reshape(shape)


def bn_pair(shape, training, composed=False):
    import torch
    import tinygrad_es as tg
    import tinygrad_es.nn.functional as F

    rng = np.random.default_rng(0)
    c = shape[1]
    x = (rng.random(shape, dtype=np.float32) * 2 + 1).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    w, b = np.ones(c, np.float32), np.zeros(c, np.float32)
    xt, wt, bt = (tg.tensor(a, requires_grad=True) for a in (x, w, b))
    rm, rv = tg.tensor(np.zeros(c, np.float32)), tg.tensor(np.ones(c, np.float32))
    gt = tg.tensor(g)
    X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    RM, RV = torch.zeros(c), torch.ones(c)
    G = torch.tensor(g)

    def ours():
        for t in (xt, wt, bt):
            t.grad = None
        if composed:
            y = composed_batch_norm(xt, wt, bt)
        else:
            y = F.batch_norm(xt, rm, rv, wt, bt, training=training)
        if training:
            y.backward(gt)

    def theirs():
        for t in (X, W, B):
            t.grad = None
        y = torch.nn.functional.batch_norm(X, RM, RV, W, B, training=training)
        if training:
            y.backward(G)

    return ours, theirs


# ---- modelos: los del zoo (``tests/zoo_models.py``, el mismo código con las dos bibliotecas) -----
def step_pair(build, batch):
    import torch
    import tinygrad_es as tg

    torch.manual_seed(0)
    ref = build(torch)
    ours = build(tg)
    ours.load_state_dict({k: tg.tensor(v.detach().numpy().copy()) for k, v in ref.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.random((batch, 3, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    opt = tg.optim.SGD(ours.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    topt = torch.optim.SGD(ref.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    xt, yt, X, Y = tg.tensor(x), tg.tensor(y), torch.tensor(x), torch.tensor(y)

    def ours_step():
        loss = tg.nn.functional.cross_entropy(ours(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    def torch_step():
        loss = torch.nn.functional.cross_entropy(ref(X), Y)
        topt.zero_grad()
        loss.backward()
        topt.step()
        return loss.item()

    l0, t0 = ours_step(), torch_step()
    assert abs(l0 - t0) < 1e-3 * max(1.0, abs(t0)), (l0, t0)  # mismas redes, mismo primer paso
    return ours_step, torch_step


STEPS = {"CNN de CIFAR con BN, lote 128": (Z.cifar_bn_cnn, 128), "ResNet-8, lote 64": (Z.resnet8, 64)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--only", default="", help="bn, compuesta, paso (separados por comas); vacío = todo")
    ap.add_argument("--cpu-clock", action="store_true", help="tiempo de CPU del proceso en vez de pared")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "batchnorm.json"))
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    import tinygrad_es  # noqa: F401  (antes de tocar numba: fija la capa de hilos)
    import numba
    import torch
    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    if args.cpu_clock:
        timing.use_cpu_clock()
    rows = []
    print(f"{'caso':<40} {'nuestro ms':>11} {'torch ms':>9} {'ratio':>6}")
    for kind in ("bn", "compuesta"):
        if only and kind not in only:
            continue
        for name, (shape, training) in BN_CASES.items():
            if kind == "compuesta" and not training:
                continue
            ours, theirs = bn_pair(shape, training, composed=kind == "compuesta")
            to, tt, ratio = interleaved(ours, theirs, args.repeat)
            label = f"{'compuesta ' if kind == 'compuesta' else ''}{name} {'f+b' if training else 'fwd'}"
            rows.append(dict(kind=kind, case=name, training=training, ours_ms=to, torch_ms=tt, ratio=ratio))
            print(f"{label:<40} {to:>11.2f} {tt:>9.2f} {ratio:>6.2f}", flush=True)
    if not only or "paso" in only:
        for name, (build, batch) in STEPS.items():
            ours, theirs = step_pair(build, batch)
            to, tt, ratio = interleaved(ours, theirs, max(10, args.repeat // 2))
            rows.append(dict(kind="paso", case=name, ours_ms=to, torch_ms=tt, ratio=ratio))
            print(f"{'paso: ' + name:<40} {to:>11.2f} {tt:>9.2f} {ratio:>6.2f}", flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(dict(threads=args.threads, clock="cpu" if args.cpu_clock else "pared",
                       load_avg=list(os.getloadavg()), rows=rows), f, indent=2)


if __name__ == "__main__":
    main()
