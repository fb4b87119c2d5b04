"""Arranque en frío y en caliente de la demo principal (``tinygrad-es demo cnn``).

numba compila cada núcleo la primera vez y lo guarda en su caché de disco. Aquí cada medida es un
proceso nuevo con ``NUMBA_CACHE_DIR`` apuntando a una carpeta propia:

* **frío**: la carpeta está vacía (una instalación recién hecha);
* **caliente**: la misma carpeta, ya escrita por la pasada en frío (la segunda vez que se ejecuta);
* **tras preparar**: otra carpeta vacía en la que antes corrió ``tinygrad-es preparar``.

De cada proceso se mide lo que ve el estudiante hasta el final de la primera época de la SimpleCNN con
la muestra incluida (1 600 imágenes de entrenamiento, lotes de 64): importar, leer los datos, preparar
los núcleos de la red (``prepare.warm_up``, lo que hace la demo antes de la época 1) y la época.

    python benchmarks/first_epoch.py [--repeat 1]

Escribe ``benchmarks/results/first_epoch.json``. La máquina compartida cambia mucho las cifras: se
imprime la carga media (``os.getloadavg``) junto a cada medida y el tiempo de CPU del proceso hasta el
fin de la época 1 (compilar usa un hilo: con otros procesos compitiendo, la cifra estable). Los
``.pyc`` de Python se escriben antes en una carpeta propia, como tras ``pip install``.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
c0 = time.process_time()
import tinygrad_es
from tinygrad_es import Generator, manual_seed, optim
from tinygrad_es.demos._common import mnist_data
from tinygrad_es.models import SimpleCNN
from tinygrad_es.nn import functional as F
from tinygrad_es.prepare import warm_up
from tinygrad_es.train import fit
from tinygrad_es.utils.data import DataLoader, TensorDataset, random_split
t_import = time.perf_counter()
Xtr, ytr, Xte, yte, _ = mnist_data(seed=0)
tr, va = random_split(TensorDataset(Xtr, ytr), [0.8, 0.2], generator=Generator().manual_seed(0))
train = DataLoader(tr, 64, shuffle=True, generator=Generator().manual_seed(0))
manual_seed(0)
cnn = SimpleCNN()
opt = optim.Adam(cnn.parameters(), lr=1e-3)
t_data = time.perf_counter()
w = warm_up(cnn, F.cross_entropy, opt, tinygrad_es.tensor(Xtr[:64]), tinygrad_es.tensor(ytr[:64]), progress=False)
t_warm = time.perf_counter()
fit(cnn, F.cross_entropy, opt, train, None, epochs=1, verbose=False, progress=False)
t_epoch = time.perf_counter()
c_epoch = time.process_time()
json.dump({"cpu_hasta_fin_epoca_1": c_epoch - c0, "importar": t_import - t0, "datos": t_data - t_import, "preparar_red": t_warm - t_data,
           "nucleos_compilados": w["nucleos"], "epoca_1": t_epoch - t_warm, "hasta_fin_epoca_1": t_epoch - t0},
          sys.stdout)
"""


PYCACHE = tempfile.mkdtemp(prefix="pycache_")


def run_child(cache, code=CHILD, args=()):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=ROOT, TINYGRAD_ES_AVISO_COMPILACION="0",
               PYTHONPYCACHEPREFIX=PYCACHE)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    if r.returncode:
        raise SystemExit(r.stderr)
    return r.stdout, time.perf_counter() - t0


def measure(cache):
    load = os.getloadavg()[0]
    out, wall = run_child(cache)
    res = json.loads(out)
    res.update(proceso=wall, carga=max(load, os.getloadavg()[0]))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="pasadas completas (frío, caliente, tras preparar)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:  # los .pyc, como tras pip install
        run_child(scratch, "import tinygrad_es, tinygrad_es.demos._common, tinygrad_es.prepare, tinygrad_es.train")
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cold, tempfile.TemporaryDirectory() as prepared:
            rows.append(("frío", measure(cold)))
            rows.append(("caliente", measure(cold)))
            _, t_prep = run_child(prepared, "from tinygrad_es.cli import main; main(['preparar'])")
            r = measure(prepared)
            r["preparar"] = t_prep
            rows.append(("tras preparar", r))
    print(f"{'arranque':<15}{'importar':>10}{'preparar red':>14}{'época 1':>10}{'hasta fin ép. 1':>17}"
          f"{'compilados':>12}{'CPU':>7}{'carga':>7}")
    for name, r in rows:
        print(f"{name:<15}{r['importar']:>9.1f}s{r['preparar_red']:>13.1f}s{r['epoca_1']:>9.1f}s"
              f"{r['hasta_fin_epoca_1']:>16.1f}s{r['nucleos_compilados']:>12}{r['cpu_hasta_fin_epoca_1']:>6.1f}s"
              f"{r['carga']:>7.1f}")
    for name, r in rows:
        if "preparar" in r:
            print(f"tinygrad-es preparar (en frío): {r['preparar']:.1f} s")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "first_epoch.json"), "w") as f:
        json.dump({"cpu": os.cpu_count(), "filas": [{"arranque": n, **r} for n, r in rows]}, f, indent=2,
                  ensure_ascii=False)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(PYCACHE, ignore_errors=True)
