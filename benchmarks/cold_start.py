"""Arranque en frío: un proceso nuevo que importa la biblioteca y da un paso de la CNN del curso
(conv-ReLU-maxpool ×2, dos lineales, entropía cruzada, backward, SGD; lote 64 de 1×28×28).

* **frío**: la caché de numba vacía (``NUMBA_CACHE_DIR`` en un directorio nuevo): importar, compilar
  los núcleos que usa el paso y escribir la caché;
* **caliente**: otro proceso con esa misma caché ya escrita (lo normal desde la segunda vez);
* PyTorch, el mismo paso en su propio proceso, como referencia.

El frío se mide dos veces por ronda, en orden alterno: con la compilación en segundo plano
(``cold``: con la caché vacía, un segundo proceso compila el backward de la CNN mientras el programa
compila el forward, ``kernels/precompile.py``; la biblioteca sólo lo lanza si hay una CPU libre, salvo
con ``--fondo si``) y sin ella (``cold_nobg``,
``TINYGRAD_ES_COMPILAR_FONDO=0``). «CPU todo» es la CPU del proceso y de sus descendientes, de
principio a fin (con el segundo plano, lo que compila el otro proceso está ahí y no en «CPU paso»).

Cada proceso mide su reloj de pared desde antes del ``import`` hasta el final del primer paso
(``import``, construir el modelo y el paso por separado) y el total visto desde fuera (arranque del
intérprete incluido), y también su **tiempo de CPU** (``import`` y primer paso): compilar usa un solo
hilo, así que con la máquina cargada por otros procesos el tiempo de CPU es la cifra estable (en una
máquina tranquila, pared ≈ CPU). Se imprime la carga media junto a cada ronda. Los ``.pyc`` de
Python se escriben antes en una carpeta propia (``PYTHONPYCACHEPREFIX``), como tras ``pip install``;
sin ellos cada ``import`` recompila el código fuente (~1 s más). Se alterna el orden en cada ronda;
mediana de ``--rounds`` rondas (cada ronda de frío con su caché nueva). Objetivo del issue: ≤ 10 s en
frío, ≤ 1 s en caliente. Escribe ``benchmarks/results/cold_start.json``.

Uso: ``python benchmarks/cold_start.py [--rounds 3] [--threads 2]``
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")

_CHILD = r"""
import time
t0 = time.perf_counter()
c0 = time.process_time()
import sys
sys.path.insert(0, {tests!r})
lib = {lib!r}
if lib == "torch":
    import torch as L
else:
    import tinygrad_es as L
t1 = time.perf_counter()
c1 = time.process_time()
L.set_num_threads({threads})
import numpy as np
import zoo_models as Z
L.manual_seed(0)
model = Z.course_cnn(L)
opt = L.optim.SGD(model.parameters(), lr=0.01)
rng = np.random.default_rng(0)
x = L.from_numpy(Z.image_like(rng, (64, 1, 28, 28)))
y = L.from_numpy(rng.integers(0, 10, 64))
t2 = time.perf_counter()
c2 = time.process_time()
loss = L.nn.functional.cross_entropy(model(x), y)
opt.zero_grad()
loss.backward()
opt.step()
loss.item()
t3 = time.perf_counter()
c3 = time.process_time()
print(t1 - t0, t2 - t1, t3 - t2, t3 - t0, c1 - c0, c3 - c2)
"""


def run(lib, threads, cache_dir=None, pycache=None, background=None):
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("TINYGRAD_ES_COMPILAR_FONDO", None)
    if background is not None:  # None: lo que decida la biblioteca (sólo con una CPU libre)
        env["TINYGRAD_ES_COMPILAR_FONDO"] = "1" if background else "0"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = pycache
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    code = _CHILD.format(tests=os.path.join(ROOT, "tests"), lib=lib, threads=threads)
    t = time.perf_counter()
    c = os.times()
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    total = time.perf_counter() - t
    c1 = os.times()
    # CPU del proceso y de sus descendientes (el que compila en segundo plano), de principio a fin
    all_cpu = (c1.children_user + c1.children_system) - (c.children_user + c.children_system)
    imp, build, step, inside, imp_cpu, step_cpu = map(float, r.stdout.split()[-6:])
    return dict(import_s=imp, build_s=build, first_step_s=step, inside_s=inside, process_s=total,
                import_cpu_s=imp_cpu, first_step_cpu_s=step_cpu, all_cpu_s=all_cpu, load=load())


def load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--fondo", choices=("auto", "si"), default="auto",
                    help="la fila «cold»: compilación en segundo plano como la decida la biblioteca (sólo con una "
                         "CPU libre) o siempre (TINYGRAD_ES_COMPILAR_FONDO=1)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "cold_start.json"))
    args = ap.parse_args()
    rows = {"cold": [], "cold_nobg": [], "warm": [], "torch": []}
    load_before = load()
    pycache = tempfile.mkdtemp(prefix="pycache_")
    scratch = tempfile.mkdtemp(prefix="numba_cache_")
    try:
        for lib in ("tinygrad_es", "torch"):  # los .pyc, como los deja pip install
            run(lib, args.threads, scratch, pycache)
        shutil.rmtree(scratch, ignore_errors=True)
        for r in range(args.rounds):
            cache = tempfile.mkdtemp(prefix="numba_cache_")
            other = tempfile.mkdtemp(prefix="numba_cache_")
            try:
                # frío con y sin la compilación en segundo plano (kernels/precompile.py), alternando el orden
                for bg in ((True, False) if r % 2 == 0 else (False, True)):
                    rows["cold" if bg else "cold_nobg"].append(
                        run("tinygrad_es", args.threads, cache if bg else other, pycache,
                            background=(True if args.fondo == "si" else None) if bg else False))
                order = ("warm", "torch") if r % 2 == 0 else ("torch", "warm")
                for kind in order:
                    rows[kind].append(run("tinygrad_es" if kind == "warm" else "torch", args.threads,
                                          cache if kind == "warm" else None, pycache))
            finally:
                shutil.rmtree(cache, ignore_errors=True)
                shutil.rmtree(other, ignore_errors=True)
            print(f"ronda {r + 1}: " + ", ".join(f"{k} {v[-1]['process_s']:.1f} s (CPU {v[-1]['import_cpu_s'] + v[-1]['first_step_cpu_s']:.1f} s, carga {v[-1]['load']:.1f})"
                                              for k, v in rows.items()), flush=True)
    finally:
        shutil.rmtree(pycache, ignore_errors=True)
    summary = {k: {f: float(np.median([row[f] for row in v])) for f in v[0]} for k, v in rows.items()}
    print(f"\n{'caso':<8} {'import':>8} {'modelo':>8} {'1.er paso':>10} {'dentro':>8} {'proceso':>8}"
          f" {'CPU import':>11} {'CPU paso':>9} {'CPU todo':>9} {'carga':>6}  (s, mediana)")
    for k, s in summary.items():
        print(f"{k:<8} {s['import_s']:>8.2f} {s['build_s']:>8.2f} {s['first_step_s']:>10.2f} {s['inside_s']:>8.2f}"
              f" {s['process_s']:>8.2f} {s['import_cpu_s']:>11.2f} {s['first_step_cpu_s']:>9.2f} {s['all_cpu_s']:>9.2f}"
              f" {s['load']:>6.1f}")
    res = dict(threads=args.threads, rounds=args.rounds, load_before=load_before, load_after=load(),
               targets=dict(cold_s=10.0, warm_s=1.0), median=summary, runs=rows)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
    print(f"\nescrito {args.out} (carga {load_before} → {load()})")


if __name__ == "__main__":
    main()
