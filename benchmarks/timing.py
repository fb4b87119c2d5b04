"""Medición intercalada: una llamada nuestra, una de PyTorch, alternando el orden en cada
par (así los hilos que uno deja girando penalizan por igual al otro), y la mediana de
los cocientes por par. Con la máquina compartida, esto es lo único estable."""
import time

import numpy as np


CLOCK = time.perf_counter


def use_cpu_clock():
    """Mide tiempo de CPU del proceso (todos sus hilos) en vez de tiempo de pared: con la
    máquina cargada por otros procesos es más estable, y sigue contando los hilos que
    giran en espera (los de BLAS o los de OpenMP de PyTorch)."""
    global CLOCK
    CLOCK = time.process_time


def train_step(model, opt, loss_fn, x, y):
    """Un paso de entrenamiento como lo escribe el curso (forward, pérdida, ``zero_grad``,
    ``backward``, ``step``), igual para las dos bibliotecas; devuelve la pérdida como float.
    Uno solo para todos los benchmarks, así todos miden lo mismo."""

    def step():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def interleaved(ours, theirs, repeat=30, warmup=3):
    """Devuelve ``(ms_nuestro, ms_torch, cociente)``: medianas de los tiempos y mediana de
    los cocientes por par."""
    for _ in range(warmup):
        ours()
        theirs()
    to, tt, ratios = [], [], []
    for r in range(repeat):
        pair = (ours, theirs) if r % 2 == 0 else (theirs, ours)
        times = []
        for fn in pair:
            t = CLOCK()
            fn()
            times.append(CLOCK() - t)
        a, b = times if r % 2 == 0 else times[::-1]
        to.append(a)
        tt.append(b)
        ratios.append(a / b)
    return float(np.median(to) * 1e3), float(np.median(tt) * 1e3), float(np.median(ratios))


def bench(fn, repeat, warmup=3):
    """Mediana de ``repeat`` ejecuciones tras ``warmup`` de calentamiento (segundos)."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))
