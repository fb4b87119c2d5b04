"""Memoria y tiempo de ``utils.checkpoint``: una MLP profunda (16 bloques Linear+Tanh de 256,
lote 2048: las activaciones pesan más que los pesos) entrenada un paso sin checkpoint y con
``checkpoint_sequential`` en 4 tramos (las dos variantes).

La memoria es el pico de ``tracemalloc`` (numpy registra ahí sus arrays) durante forward + backward,
descontando la de los pesos; el tiempo, la mediana de cocientes intercalados (tiempo de CPU, 1 hilo)
frente al paso sin checkpoint (el precio de repetir el forward). Escribe
``benchmarks/results/checkpoint_memory.json``.

    nice -n 5 python benchmarks/checkpoint_memory.py
"""
import json
import os
import pathlib
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import tinygrad_es as tg  # noqa: E402
from tinygrad_es import nn  # noqa: E402
from tinygrad_es.utils.checkpoint import checkpoint_sequential  # noqa: E402

WIDTH, DEPTH, BATCH, SEGMENTS = 256, 16, 2048, 4


def model():
    tg.manual_seed(0)
    layers = []
    for _ in range(DEPTH):
        layers += [nn.Linear(WIDTH, WIDTH), nn.Tanh()]
    return nn.Sequential(*layers)


def step(m, x, mode):
    m.zero_grad()
    x.grad = None
    if mode == "sin checkpoint":
        y = m(x)
    else:
        y = checkpoint_sequential(m, SEGMENTS, x, use_reentrant=(mode == "use_reentrant=True"))
    (y ** 2).mean().backward()


def peak(m, x, mode):
    step(m, x, mode)  # calienta (y crea los .grad)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    step(m, x, mode)
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (top - base) / 2 ** 20


def main():
    tg.set_num_threads(1)
    m = model()
    x = tg.randn(BATCH, WIDTH, requires_grad=True)  # use_reentrant=True necesita una entrada con gradiente
    modes = ["sin checkpoint", "use_reentrant=True", "use_reentrant=False"]
    mem = {mode: peak(m, x, mode) for mode in modes}
    times = {mode: [] for mode in modes}
    for _ in range(7):
        for mode in modes:
            t0 = time.process_time()
            step(m, x, mode)
            times[mode].append(time.process_time() - t0)
    ratio = {mode: float(np.median(np.array(times[mode]) / np.array(times[modes[0]]))) for mode in modes}
    load = os.getloadavg()[0]
    print(f"MLP {DEPTH}×(Linear {WIDTH} + Tanh), lote {BATCH}, {SEGMENTS} tramos; carga {load:.1f}")
    print(f"{'modo':<22}{'pico MB':>10}{'tiempo / sin ckpt':>20}")
    for mode in modes:
        print(f"{mode:<22}{mem[mode]:>10.1f}{ratio[mode]:>20.2f}")
    out = pathlib.Path(__file__).parent / "results" / "checkpoint_memory.json"
    out.write_text(json.dumps({"peak_mb": mem, "time_ratio": ratio, "load": load,
                               "config": [WIDTH, DEPTH, BATCH, SEGMENTS]}, indent=1))


if __name__ == "__main__":
    main()
