"""El MLP de los apuntes (784-128-64-10, ReLU, lote 64, entropía cruzada, SGD lr=0,01): un paso de
entrenamiento con tinygrad_es, PyTorch y JAX (el paso entero compilado con ``jax.jit``).

Cada biblioteca vive en **su propio proceso** (importar las tres en uno mezcla sus grupos de hilos) y
los procesos se turnan: el padre pide a uno ``--steps`` pasos, luego al siguiente, alternando el orden
en cada ronda, y sólo uno trabaja a la vez (los otros esperan bloqueados en su tubería). De cada ronda
salen los ms por paso (mediana de los pasos) de cada biblioteca; los cocientes se toman **por ronda**
(las dos mediciones más cercanas en el tiempo) y se da su mediana: con la máquina cargada por otros
procesos, sólo los cocientes son comparables. Los tres empiezan con los mismos pesos (de numpy) y
el primer paso debe dar la misma pérdida.

Hilos: ``--threads 1`` (por defecto) fija un hilo en las tres (JAX: ``XLA_FLAGS`` sin el grupo de
Eigen); con más, PyTorch y numba usan ese número y JAX el suyo por defecto.

Uso: ``python benchmarks/mlp_jax.py [--rounds 15] [--steps 50] [--threads 1] [--cpu-clock]``.
Escribe ``benchmarks/results/mlp_jax.json``. ``make_jax_step`` lo puede llamar otro benchmark.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
SIZES = (784, 128, 64, 10)
BATCH = 64
LR = 0.01
LIBS = ("tinygrad_es", "torch", "jax")
sys.path.insert(0, HERE)
from timing import train_step  # noqa: E402


def initial_weights(seed=0):
    """Pesos como los de ``nn.Linear`` (uniforme ±1/√entradas), el lote y las etiquetas, en numpy."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                       rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    x = (rng.integers(0, 256, (BATCH, 1, 28, 28)) / 255.0).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    return params, x, y


def make_torch_like_step(L, params, x, y):
    """El paso con ``L`` = ``torch`` o ``tinygrad_es`` (el mismo código, como lo escribe el curso)."""
    nn = L.nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    with L.no_grad():
        for layer, (w, b) in zip([m for m in model if isinstance(m, nn.Linear)], params):
            layer.weight.copy_(L.from_numpy(w.copy()))
            layer.bias.copy_(L.from_numpy(b.copy()))
    opt = L.optim.SGD(model.parameters(), lr=LR)
    xt, yt = L.from_numpy(x), L.from_numpy(y)
    return train_step(model, opt, nn.functional.cross_entropy, xt, yt)


def make_jax_step(params, x, y):
    """El paso de JAX: forward, pérdida, gradiente y SGD en una función compilada con ``jax.jit``
    (los parámetros entran y salen: el paso no modifica nada in situ). Devuelve ``step()`` → pérdida."""
    import jax
    import jax.numpy as jnp

    def loss_fn(ps, xb, yb):
        h = xb.reshape(xb.shape[0], -1)
        for i, (w, b) in enumerate(ps):
            h = h @ w.T + b
            if i < len(ps) - 1:
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], axis=1))

    @jax.jit
    def train_step(ps, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(ps, xb, yb)
        return jax.tree_util.tree_map(lambda p, g: p - LR * g, ps, grads), loss

    state = {"ps": [(jnp.asarray(w), jnp.asarray(b)) for w, b in params]}
    xb, yb = jnp.asarray(x), jnp.asarray(y.astype(np.int32))

    def step():
        state["ps"], loss = train_step(state["ps"], xb, yb)
        return float(loss)  # espera al resultado (como loss.item())

    return step


def _child(lib, threads, cpu_clock):
    """Proceso hijo: crea su paso y responde a cada línea ``n`` con los tiempos de ``n`` pasos."""
    if lib == "jax" and threads == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    params, x, y = initial_weights()
    if lib == "jax":
        step = make_jax_step(params, x, y)
    else:
        sys.path.insert(0, ROOT)
        if lib == "torch":
            import torch as L
            L.set_num_threads(threads)
        else:
            import tinygrad_es as L
            import numba
            numba.set_num_threads(threads)
        step = make_torch_like_step(L, params, x, y)
    clock = time.process_time if cpu_clock else time.perf_counter
    first = step()  # primer paso (compila en JAX): la pérdida de partida
    for _ in range(5):
        step()
    print(json.dumps({"first_loss": first}), flush=True)
    for line in sys.stdin:
        n = int(line)
        times = []
        for _ in range(n):
            t = clock()
            step()
            times.append(clock() - t)
        print(json.dumps({"ms": float(np.median(times) * 1e3)}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--steps", type=int, default=50, help="pasos por turno de cada proceso")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cpu-clock", action="store_true", help="tiempo de CPU del proceso en vez de pared")
    ap.add_argument("--libs", default=",".join(LIBS))
    ap.add_argument("--child", choices=LIBS, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "mlp_jax.json"))
    args = ap.parse_args()
    if args.child:
        return _child(args.child, args.threads, args.cpu_clock)
    libs = [s for s in args.libs.split(",") if s]
    procs, first = {}, {}
    for lib in libs:
        cmd = [sys.executable, os.path.abspath(__file__), "--child", lib, "--threads", str(args.threads)]
        if args.cpu_clock:
            cmd.append("--cpu-clock")
        procs[lib] = p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first[lib] = json.loads(p.stdout.readline())["first_loss"]  # uno a uno: no compiten al arrancar
    ref = first[libs[0]]
    for lib, v in first.items():
        assert abs(v - ref) < 1e-4 * max(1.0, abs(ref)), f"primer paso distinto: {first}"
    times = {lib: [] for lib in libs}
    load0 = os.getloadavg()[0]
    for r in range(args.rounds):
        order = libs if r % 2 == 0 else libs[::-1]
        for lib in order:
            p = procs[lib]
            p.stdin.write(f"{args.steps}\n")
            p.stdin.flush()
            times[lib].append(json.loads(p.stdout.readline())["ms"])
    for p in procs.values():
        p.stdin.close()
        p.wait()
    load1 = os.getloadavg()[0]
    med = {lib: float(np.median(t)) for lib, t in times.items()}
    base = libs[0]
    ratios = {f"{base}/{lib}": float(np.median(np.array(times[base]) / np.array(times[lib])))
              for lib in libs[1:]}
    print(f"MLP 784-128-64-10, lote {BATCH}, SGD — {args.threads} hilo(s), {args.rounds} rondas × {args.steps} pasos, "
          f"reloj de {'CPU' if args.cpu_clock else 'pared'}, carga {load0:.1f}→{load1:.1f}")
    for lib in libs:
        print(f"  {lib:<12} {med[lib]:7.3f} ms/paso")
    for k, v in ratios.items():
        print(f"  {k:<24} {v:5.2f}×  (mediana de los cocientes por ronda)")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(dict(threads=args.threads, rounds=args.rounds, steps=args.steps,
                       clock="cpu" if args.cpu_clock else "pared", load_avg=[load0, load1], first_loss=first,
                       ms_per_step=med, ratios=ratios, per_round=times), f, indent=2)


if __name__ == "__main__":
    main()
