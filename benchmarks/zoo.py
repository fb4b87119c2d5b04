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
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, HERE)
import timing  # noqa: E402
from timing import interleaved, train_step  # noqa: E402
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
    return train_step(model, opt, L.nn.functional.cross_entropy, x, y)


def initial_state(name):
    """Los pesos iniciales del modelo (los sortea tinygrad_es con ``manual_seed(0)``), en numpy."""
    import tinygrad_es as tg

    tg.manual_seed(0)
    return {k: v.numpy().copy() for k, v in MODELS[name][0](tg).state_dict().items()}


def time_model(name, repeat, state):
    """Intercalado en un proceso: (ms nuestro, ms torch, mediana de los cocientes por par)."""
    import torch
    import tinygrad_es as tg

    ours, theirs = make_step(tg, name, state), make_step(torch, name, state)
    l0, t0 = ours(), theirs()
    assert abs(l0 - t0) < 1e-3 * max(1.0, abs(t0)), (name, l0, t0)  # mismas redes, mismo primer paso
    return interleaved(ours, theirs, repeat, warmup=2)


def _worker(lib, name, threads, weights, cpu_clock):
    """Proceso hijo del modo de procesos separados: importa SÓLO su biblioteca (``torch``,
    ``tinygrad_es`` o ``jax``), crea el paso con los pesos de ``weights`` (.npz), da la pérdida del
    primer paso y responde a cada línea ``n`` de la entrada con la mediana de ``n`` pasos (ms)."""
    import time

    state = dict(np.load(weights))
    if lib == "jax":
        if threads == 1:
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                       " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
        import mlp_jax  # benchmarks/mlp_jax.py: el paso de JAX compilado entero con jax.jit
        x, y = Z.sample(name, np.random.default_rng(0), MODELS[name][2], MODELS[name][1])
        params = [(state[f"{i}.weight"], state[f"{i}.bias"]) for i in (1, 3, 5)]
        step = mlp_jax.make_jax_step(params, x, y)
    else:
        if lib == "torch":
            import torch as L
            L.set_num_threads(threads)
        else:
            import tinygrad_es as L
            import numba
            numba.set_num_threads(threads)
        step = make_step(L, name, state)
    clock = time.process_time if cpu_clock else time.perf_counter
    first = step()
    for _ in range(2):
        step()
    print(json.dumps({"first_loss": first}), flush=True)
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            t = clock()
            step()
            times.append(clock() - t)
        print(json.dumps({"ms": float(np.median(times) * 1e3)}), flush=True)


def separate_processes(name, libs, state, rounds, steps, threads, cpu_clock):
    """Cada biblioteca en su proceso (sin importar las otras), con los mismos pesos; se turnan ``rounds``
    veces (``steps`` pasos por turno, alternando el orden; mientras uno trabaja los otros esperan
    bloqueados). Devuelve ``{lib: ms}`` (mediana de las rondas) y ``{lib: cociente}`` de
    ``libs[0]`` sobre cada otra (mediana de los cocientes por ronda)."""
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, "pesos.npz")
        np.savez(weights, **state)
        procs, first = {}, {}
        try:
            for lib in libs:  # uno a uno: no compiten al arrancar
                cmd = [sys.executable, os.path.abspath(__file__), "--worker", lib, "--only", name,
                       "--threads", str(threads), "--weights", weights] + (["--cpu-clock"] if cpu_clock else [])
                procs[lib] = p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                line = p.stdout.readline()
                if not line:
                    raise RuntimeError(f"{name} ({lib}): el proceso terminó sin dar el primer paso")
                first[lib] = json.loads(line)["first_loss"]
            ref = first[libs[0]]
            for lib, v in first.items():  # mismos pesos, mismos datos: misma pérdida de partida
                assert abs(v - ref) < 1e-3 * max(1.0, abs(ref)), (name, first)
            times = {lib: [] for lib in libs}
            for r in range(rounds):
                for lib in (libs if r % 2 == 0 else libs[::-1]):
                    procs[lib].stdin.write(f"{steps}\n")
                    procs[lib].stdin.flush()
                    times[lib].append(json.loads(procs[lib].stdout.readline())["ms"])
        finally:
            for p in procs.values():
                p.stdin.close()
                p.wait()
    med = {lib: float(np.median(t)) for lib, t in times.items()}
    ratios = {lib: float(np.median(np.array(times[libs[0]]) / np.array(times[lib]))) for lib in libs[1:]}
    return med, ratios


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


def _has_jax():
    try:
        import importlib.util
        return importlib.util.find_spec("jax") is not None and os.path.exists(os.path.join(HERE, "mlp_jax.py"))
    except (ImportError, ValueError):
        return False


def _fmt(v, spec, dash="—"):
    return format(v, spec) if v is not None else dash


def main():
    ap = argparse.ArgumentParser(description="Un paso de entrenamiento de cada modelo del curso frente a PyTorch.")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=20, help="pares intercalados por modelo (AlexNet: un cuarto)")
    ap.add_argument("--rounds", type=int, default=5, help="turnos del modo de procesos separados (0: sin él)")
    ap.add_argument("--steps", type=int, default=5, help="pasos por turno en procesos separados")
    ap.add_argument("--only", default="", help="modelos separados por comas (" + ",".join(MODELS) + ")")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--mem-steps", type=int, default=5)
    ap.add_argument("--no-precision", action="store_true", help="sin la distancia de los gradientes a float64")
    ap.add_argument("--cpu-clock", action="store_true", help="tiempo de CPU del proceso en vez de pared")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "zoo.json"))
    ap.add_argument("--worker", choices=("tinygrad_es", "torch", "jax"), help=argparse.SUPPRESS)
    ap.add_argument("--weights", help=argparse.SUPPRESS)
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(MODELS)
    for n in names:
        if n not in MODELS:
            sys.exit(f"modelo desconocido: {n!r} (hay: {', '.join(MODELS)})")
    if args.worker:
        return _worker(args.worker, names[0], args.threads, args.weights, args.cpu_clock)
    import tinygrad_es  # noqa: F401  (antes de tocar numba: fija la capa de hilos)
    import numba
    import torch
    import zoo_limits
    torch.set_num_threads(args.threads)
    numba.set_num_threads(args.threads)
    if args.cpu_clock:
        timing.use_cpu_clock()
    load_start = os.getloadavg()[0]
    peak, peak_by_lib = zoo_limits.sgemm_peak(args.threads, clock=timing.CLOCK)
    print(f"pico medido de la CPU (SGEMM 2048³ float32, {args.threads} hilo(s)): {peak:.0f} GFLOP/s "
          f"({', '.join(f'{k} {v:.0f}' for k, v in peak_by_lib.items())}); carga {load_start:.1f}")
    rows = []
    head = (f"{'modelo':<40} {'ms nuestro/torch':>17} {'intercal.':>9} {'procesos':>8} {'MB nuestro/torch':>16} "
            f"{'memoria':>7} {'exactitud peor/media':>20} {'GFLOP/s nuestro/torch':>21} {'% del pico':>10} {'carga':>5}")
    print(head)
    for name in names:
        build, shape, batch, opt = MODELS[name]
        load0 = os.getloadavg()[0]
        state = initial_state(name)
        x, _ = Z.sample(name, np.random.default_rng(0), batch, shape)
        flops = zoo_limits.step_flops(tinygrad_es, build(tinygrad_es), tinygrad_es.from_numpy(x))
        to, tt, ratio = time_model(name, max(6, args.repeat // (4 if name == "alexnet" else 1)), state)
        row = dict(model=name, label=LABELS[name], batch=batch, optimizer=opt, ours_ms=to, torch_ms=tt,
                   time_ratio=ratio, load_avg_1min=load0, step_gflop=flops / 1e9,
                   ours_gflops=flops / to / 1e6, torch_gflops=flops / tt / 1e6)
        row.update(ours_pct_peak=100 * row["ours_gflops"] / peak, torch_pct_peak=100 * row["torch_gflops"] / peak)
        if args.rounds:
            libs = ["tinygrad_es", "torch"] + (["jax"] if name == "mlp" and _has_jax() else [])
            med, rat = separate_processes(name, libs, state, args.rounds, args.steps, args.threads, args.cpu_clock)
            row.update(sep_ours_ms=med["tinygrad_es"], sep_torch_ms=med["torch"], sep_time_ratio=rat["torch"])
            if "jax" in med:
                row.update(sep_jax_ms=med["jax"], sep_jax_ratio=rat["jax"])
        if not args.no_memory:
            mo, fo, bo = memory_model(name, "tinygrad_es", args.mem_steps, args.threads)
            mt, ft, bt = memory_model(name, "torch", args.mem_steps, args.threads)
            row.update(ours_added_mb=mo, torch_added_mb=mt, memory_ratio=mo / mt if mt else float("inf"),
                       ours_cold_added_mb=fo, torch_cold_added_mb=ft, cold_memory_ratio=fo / ft if ft else float("inf"),
                       ours_rss_before_mb=bo, torch_rss_before_mb=bt)
        if not args.no_precision:
            p = precision_model(name)
            if p is not None:
                row.update(precision_worst_ratio=p[0], precision_geomean_ratio=p[1])
        row["load_avg_end"] = os.getloadavg()[0]
        rows.append(row)
        g = row.get
        mem = (f"{g('ours_added_mb'):.0f}/{g('torch_added_mb'):.0f}" if "ours_added_mb" in row else "—")
        prec = (f"{g('precision_worst_ratio'):.2f}/{g('precision_geomean_ratio'):.2f}"
                if "precision_worst_ratio" in row else "—")
        ms = f"{to:.1f}/{tt:.1f}"
        gf = f"{row['ours_gflops']:.1f}/{row['torch_gflops']:.1f}"
        pct = f"{row['ours_pct_peak']:.0f}/{row['torch_pct_peak']:.0f} %"
        print(f"{LABELS[name]:<40} {ms:>17} {ratio:>8.2f}× {_fmt(g('sep_time_ratio'), '7.2f')}× {mem:>16} "
              f"{_fmt(g('memory_ratio'), '6.2f')}× {prec:>20} {gf:>21} {pct:>10} {load0:>5.1f}", flush=True)
        if "sep_jax_ms" in row:
            jx = f"{g('sep_ours_ms'):.2f}/{g('sep_jax_ms'):.2f}"
            print(f"{'  └ frente a JAX (jit), procesos separados':<40} {jx:>17} {'nuestro/JAX':>9} "
                  f"{g('sep_jax_ratio'):>7.2f}×", flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(dict(threads=args.threads, clock="cpu" if args.cpu_clock else "pared", repeat=args.repeat,
                       rounds=args.rounds, steps=args.steps, mem_steps=args.mem_steps,
                       sgemm_peak_gflops=peak, sgemm_peak_by_lib=peak_by_lib, load_avg_start=load_start,
                       load_avg_end=list(os.getloadavg()), rows=rows), f, indent=2)


if __name__ == "__main__":
    main()
