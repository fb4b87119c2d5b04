"""El «zoo» del curso frente a PyTorch (CPU): un paso de entrenamiento de cada modelo (forward,
entropía cruzada, backward, paso del optimizador), con los mismos pesos en las dos bibliotecas.

Para cada modelo:

* **tiempo**: los dos pasos en el mismo proceso, **intercalados** (uno de cada, alternando el orden;
  mediana de los cocientes por par: véase ``timing.py``), con los mismos hilos;
* **memoria que añaden los pasos**: cada biblioteca en su propio proceso (sin importar la otra, con
  sus propios pesos iniciales). Primero un paso con lote 2 (carga los núcleos de la caché de numba, o
  los compila, y lo que cada biblioteca prepara una sola vez); luego el pico de RSS durante
  ``--mem-steps`` pasos del lote de verdad (``VmHWM``, puesto a cero con ``/proc/self/clear_refs``)
  menos el RSS de antes: lo que ocupa entrenar (activaciones, gradientes, estado del optimizador,
  temporales). En frío (``cold``): el pico de todo, desde antes del primer paso, como lo mide el issue
  (incluye la carga de los núcleos);
* **exactitud** (``--precision``): distancia relativa de cada gradiente en float32 al de float64, la
  nuestra frente a la de PyTorch en el mismo paso (la de ``tests/test_precision_models.py``, con los
  lotes pequeños de los tests): peor cociente y media geométrica.

Los modelos están escritos una vez para las dos bibliotecas en ``tests/zoo_models.py``.
Imprime una tabla y escribe ``benchmarks/results/zoo.json`` (con la carga de la máquina al medir: en
una máquina compartida sólo los cocientes son comparables).

Uso: ``python benchmarks/zoo.py [--only mlp,resnet8] [--repeat 20] [--threads 2] [--no-memory]
[--precision]``
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)
import timing  # noqa: E402
from timing import interleaved  # noqa: E402
import zoo_models as Z  # noqa: E402


# nombre: (constructor, forma de un ejemplo, lote, optimizador)
MODELS = {
    "mlp": (Z.mlp, (1, 28, 28), 64, "sgd"),
    "course_cnn": (Z.course_cnn, (1, 28, 28), 64, "sgd"),
    "lenet5": (Z.lenet5, (3, 32, 32), 64, "sgd"),
    "cifar_bn_cnn": (Z.cifar_bn_cnn, (3, 32, 32), 128, "nesterov"),
    "resnet8": (Z.resnet8, (3, 32, 32), 64, "nesterov"),
    "resnet20": (Z.resnet, (3, 32, 32), 128, "nesterov"),
    "speech_cnn": (Z.speech_cnn, (1, 40, 65), 64, "adam"),
    "alexnet": (Z.alexnet, (3, 224, 224), 8, "nesterov"),
    "char_lstm": (Z.char_lstm, (64,), 32, "adam"),
    "minigpt": (Z.minigpt, (128,), 16, "adamw"),
}
LABELS = {
    "mlp": "MLP 784-128-64-10, lote 64",
    "course_cnn": "CNN del curso (MNIST), lote 64",
    "lenet5": "LeNet-5 3×32×32, lote 64",
    "cifar_bn_cnn": "CNN de CIFAR con BN, lote 128",
    "resnet8": "ResNet-8 con BN, lote 64",
    "resnet20": "ResNet-20 con BN, lote 128",
    "speech_cnn": "CNN de voz 1×40×65 con BN, lote 64",
    "alexnet": "AlexNet 3×224×224, lote 8",
    "char_lstm": "LSTM de caracteres T=64 H=256, lote 32",
    "minigpt": "MiniGPT 2 capas d=128, lote 16×128",
}


def _optimizer(L, params, kind):
    if kind == "adam":
        return L.optim.Adam(params, lr=1e-3)
    if kind == "adamw":
        return L.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    return L.optim.SGD(params, lr=0.01, momentum=0.9 if kind == "nesterov" else 0.0,
                       nesterov=kind == "nesterov")


def make_step(L, name, state=None, seed=0, batch=None):
    """El paso de entrenamiento de ``name`` con la biblioteca ``L`` (``torch`` o ``tinygrad_es``);
    con ``state`` (arrays de numpy) se cargan esos pesos; ``batch`` cambia el lote."""
    build, shape, default_batch, opt_kind = MODELS[name]
    batch = batch or default_batch
    model = build(L)
    if state is not None:
        mk = L.from_numpy
        model.load_state_dict({k: mk(v.copy()) for k, v in state.items()})
    opt = _optimizer(L, model.parameters(), opt_kind)
    rng = np.random.default_rng(seed)
    x, y = (L.from_numpy(a) for a in Z.sample(name, rng, batch, shape))
    F = L.nn.functional

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def time_model(name, repeat):
    import torch
    import tinygrad_es as tg

    tg.manual_seed(0)
    state = {k: v.numpy().copy() for k, v in MODELS[name][0](tg).state_dict().items()}
    ours, theirs = make_step(tg, name, state), make_step(torch, name, state)
    l0, t0 = ours(), theirs()
    assert abs(l0 - t0) < 1e-3 * max(1.0, abs(t0)), (name, l0, t0)  # mismas redes, mismo primer paso
    return interleaved(ours, theirs, repeat, warmup=2)


_CHILD = r"""
import os, resource, sys
sys.path[:0] = {paths!r}
lib = {lib!r}
import numpy as np
if lib == "torch":
    import torch as L
else:
    import tinygrad_es as L
    import numba
    numba.set_num_threads({threads})
import zoo
if lib == "torch":
    L.set_num_threads({threads})
L.manual_seed(0)
def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
def reset_peak():  # VmHWM vuelve al RSS actual (Linux ≥ 4.0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
before0 = status("VmRSS:")
reset_peak()
zoo.make_step(L, {name!r}, batch=2)()  # carga (o compila) los núcleos y lo que cada biblioteca prepara una vez
loaded = status("VmHWM:")
step = zoo.make_step(L, {name!r})
before = status("VmRSS:")
reset_peak()
for _ in range({steps}):
    step()
peak = status("VmHWM:")
print(max(0, peak - before) / 2**20, max(0, max(loaded, peak) - before0) / 2**20, before0 / 2**20)
"""


def memory_model(name, lib, steps, threads):
    """MB que añaden ``steps`` pasos (RSS máximo − RSS antes del primero) en un proceso nuevo."""
    code = _CHILD.format(paths=[os.path.join(HERE, ".."), os.path.join(HERE, "..", "tests"), HERE], lib=lib,
                         name=name, steps=steps, threads=threads)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
    if r.returncode:
        raise RuntimeError(f"{name} ({lib}): {r.stderr[-2000:]}")
    added, cold, base = map(float, r.stdout.split()[-3:])
    return added, cold, base


def precision_model(name):
    """(peor cociente, media geométrica) de nuestra distancia float32↔float64 sobre la de PyTorch."""
    import test_precision_models as P
    import torch
    import tinygrad_es as tg

    if name not in Z.ZOO:
        return None
    ours, ref = P.distances(tg, name), P.distances(torch, name)
    ratios = [e / ref[k] for k, e in ours.items() if not isinstance(e, tuple)]
    return float(max(ratios)), float(np.exp(np.mean(np.log(ratios))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--only", default="", help="modelos separados por comas (" + ",".join(MODELS) + ")")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--mem-steps", type=int, default=5)
    ap.add_argument("--precision", action="store_true", help="también la distancia de los gradientes a float64")
    ap.add_argument("--cpu-clock", action="store_true", help="tiempo de CPU del proceso en vez de pared")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "zoo.json"))
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(MODELS)
    for n in names:
        if n not in MODELS:
            sys.exit(f"modelo desconocido: {n!r} (hay: {', '.join(MODELS)})")
    import tinygrad_es  # noqa: F401  (antes de tocar numba: fija la capa de hilos)
    import numba
    import torch
    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    if args.cpu_clock:
        timing.use_cpu_clock()
    rows = []
    head = (f"{'modelo':<36} {'nuestro ms':>10} {'torch ms':>9} {'tiempo':>7} {'MB nuestro':>10} {'MB torch':>9} "
            f"{'memoria':>8} {'en frío MB':>13}")
    if args.precision:
        head += f" {'exactitud peor/media':>21}"
    print(head)
    for name in names:
        load0 = os.getloadavg()[0]
        to, tt, ratio = time_model(name, max(6, args.repeat // (4 if name == "alexnet" else 1)))
        row = dict(model=name, label=LABELS[name], batch=MODELS[name][2], optimizer=MODELS[name][3],
                   ours_ms=to, torch_ms=tt, time_ratio=ratio, load_avg_1min=load0)
        if not args.no_memory:
            mo, fo, bo = memory_model(name, "tinygrad_es", args.mem_steps, args.threads)
            mt, ft, bt = memory_model(name, "torch", args.mem_steps, args.threads)
            row.update(ours_added_mb=mo, torch_added_mb=mt, memory_ratio=mo / mt if mt else float("inf"),
                       ours_cold_added_mb=fo, torch_cold_added_mb=ft, cold_memory_ratio=fo / ft if ft else float("inf"),
                       ours_rss_before_mb=bo, torch_rss_before_mb=bt)
        if args.precision:
            p = precision_model(name)
            if p is not None:
                row.update(precision_worst_ratio=p[0], precision_geomean_ratio=p[1])
        rows.append(row)
        mem = (f" {row['ours_added_mb']:>10.0f} {row['torch_added_mb']:>9.0f} {row['memory_ratio']:>7.2f}×"
               f" {row['ours_cold_added_mb']:>6.0f}/{row['torch_cold_added_mb']:<6.0f}"
               if "ours_added_mb" in row else f" {'—':>10} {'—':>9} {'—':>8} {'—':>13}")
        line = f"{LABELS[name]:<36} {to:>10.1f} {tt:>9.1f} {ratio:>6.2f}×{mem}"
        if args.precision:
            line += (f" {row['precision_worst_ratio']:>10.2f}/{row['precision_geomean_ratio']:.2f}"
                     if "precision_worst_ratio" in row else f" {'—':>21}")
        print(line, flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(dict(threads=args.threads, clock="cpu" if args.cpu_clock else "pared", repeat=args.repeat,
                       mem_steps=args.mem_steps, load_avg_end=list(os.getloadavg()), rows=rows), f, indent=2)


if __name__ == "__main__":
    main()
