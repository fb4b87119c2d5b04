"""La distancia al límite de la máquina: FLOPs de un paso de entrenamiento y el pico medido de la CPU.

**Cómo se cuentan los FLOPs** (una multiplicación-suma = 2 FLOPs; sólo las capas «tipo GEMM», que son
casi todo el trabajo; lo elemento a elemento —activaciones, BatchNorm, pooling, softmax, el
optimizador— no cuenta):

* ``Conv2d``: 2·N·C_out·H_out·W_out·(C_in/grupos)·k_h·k_w;
* ``Linear``: 2·filas·entradas·salidas;
* ``LSTM`` (por capa y dirección): 2·T·B·(I + H)·4H (las dos GEMM de las puertas);
* ``MultiheadAttention`` (d = embed_dim, N·T tokens, S claves): proyecciones 2·N·T·d·3d y 2·N·T·d·d,
  puntuaciones y suma ponderada 2·2·N·T·S·d (entera, aunque la máscara sea causal: es lo que se
  calcula).

Paso de entrenamiento ≈ 3 × forward: el backward de cada GEMM son dos GEMM del mismo tamaño (∂entrada y
∂pesos). Es una cota por arriba pequeña: la primera capa no necesita ∂entrada.

**El pico**: SGEMM float32 grande (``numpy.matmul`` con OpenBLAS y ``torch.mm``, 2048³) a 1 y 2 hilos;
el mejor de varios intentos y de las dos bibliotecas, con el mismo reloj que los pasos. Con la máquina
cargada por otros procesos sale más bajo: por eso se mide en la misma ejecución que los pasos. (Con
``--cpu-clock`` y 2 hilos es GFLOP por segundo de CPU: el pico y los pasos cuentan los dos hilos.)
"""
import time

import numpy as np


def _mha_flops(m, q_shape, batch_first):
    d = m.embed_dim
    if len(q_shape) == 2:  # sin lote
        n, t = 1, q_shape[0]
    else:
        n, t = (q_shape[0], q_shape[1]) if batch_first else (q_shape[1], q_shape[0])
    s = t  # autoatención
    return 2 * n * t * d * 3 * d + 2 * n * t * d * d + 2 * 2 * n * t * s * d


def forward_flops(L, model, x):
    """FLOPs del forward de ``model`` (de la biblioteca ``L``) con la entrada ``x``, contados con
    ganchos de forward en las capas tipo GEMM (ver el docstring del módulo)."""
    nn = L.nn
    total = [0]
    handles = []
    inside_mha = set()
    for m in model.modules():
        if isinstance(m, nn.MultiheadAttention):
            inside_mha.update(id(c) for c in m.modules() if c is not m)

    def hook(m, inputs, out):
        if id(m) in inside_mha:
            return
        a = inputs[0]
        if isinstance(m, nn.Conv2d):
            o = out.shape
            k = int(np.prod(m.kernel_size))
            total[0] += 2 * o[0] * o[1] * o[2] * o[3] * (m.in_channels // m.groups) * k
        elif isinstance(m, nn.Linear):
            total[0] += 2 * (int(np.prod(a.shape)) // m.in_features) * m.in_features * m.out_features
        elif isinstance(m, nn.LSTM):
            shape = a.shape if not hasattr(a, "data") or not hasattr(a, "batch_sizes") else None
            t, b = (shape[1], shape[0]) if m.batch_first else (shape[0], shape[1])
            h, dirs = m.hidden_size, 2 if m.bidirectional else 1
            for layer in range(m.num_layers):
                i = m.input_size if layer == 0 else h * dirs
                total[0] += dirs * 2 * t * b * (i + h) * 4 * h
        elif isinstance(m, nn.MultiheadAttention):
            total[0] += _mha_flops(m, a.shape, m.batch_first)

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear, nn.LSTM, nn.MultiheadAttention)):
            handles.append(m.register_forward_hook(hook))
    try:
        with L.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return total[0]


def step_flops(L, model, x):
    """FLOPs de un paso de entrenamiento ≈ 3 × los del forward."""
    return 3 * forward_flops(L, model, x)


def sgemm_peak(threads, n=2048, tries=3, clock=time.perf_counter):
    """GFLOP/s de la mejor SGEMM n³ en float32 con ``threads`` hilos (numpy/OpenBLAS y torch si está),
    medida con ``clock`` (el mismo reloj que los pasos: de pared o de CPU del proceso)."""
    import tinygrad_es  # noqa: F401  (fija la capa de hilos de numba antes que nadie)
    from tinygrad_es.kernels import blas

    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    flops = 2.0 * n ** 3
    best = {}

    def run(name, fn):
        fn()
        ts = []
        for _ in range(tries):
            t = clock()
            fn()
            ts.append(clock() - t)
        best[name] = flops / min(ts) / 1e9

    if threads == 1:
        with blas.single_thread():
            run("numpy", lambda: np.matmul(a, b, out=out))
    else:
        run("numpy", lambda: np.matmul(a, b, out=out))
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        ta, tb, to = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(out)
        run("torch", lambda: torch.mm(ta, tb, out=to))
        torch.set_num_threads(before)
    return max(best.values()), best
