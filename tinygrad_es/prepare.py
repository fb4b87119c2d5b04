"""Compilar los núcleos de antemano (``tinygrad-es preparar``) y calentar un modelo antes de entrenar.

numba compila cada núcleo la primera vez que se llama con unos tipos y lo guarda en su caché de disco;
después se carga en milisegundos. Una CNN del curso necesita unos 15 núcleos (~13 s de CPU la primera
vez en la máquina de desarrollo, ``benchmarks/cold_start.py`` y ``benchmarks/first_epoch.py``). Aquí:

* ``prepare()``: recorre ``TASKS`` (cada una llama a una operación pública, hacia delante y hacia
  atrás, con formas pequeñas elegidas para que pasen por cada algoritmo: Winograd F(2×2) y F(4×4),
  convolución directa, im2col, traspuesta, los pooling, el reescalado, ReLU, Adam, la ordenación y
  ``erf``) en float32 y float64, con una barra de progreso. Es lo que hace ``tinygrad-es preparar``.
* ``warm_up(model, loss_fn, optimizer, x, y)``: un paso de entrenamiento y uno de evaluación sobre
  *copias* del modelo y del optimizador (el original no cambia), con una barra: compila exactamente lo
  que ese entrenamiento va a usar. Lo hacen las demos antes de la primera época.
"""
from __future__ import annotations

import copy
import os
import signal
import sys
import time

import numpy as np
import numba
from tqdm import tqdm

from . import optim
from ._tensor import Tensor
from .autograd import no_grad
from .kernels import cache_lock, compile_notice
from .kernels.conv import ConvState, choose_backward, conv2d_backward
from .kernels.linear import sum_rows_f64
from .nn import functional as F

__all__ = ["TASKS", "COURSE", "BACKGROUND", "BACKGROUND_TRANSFORMER", "prepare", "warm_up", "cache_dir",
           "background"]


def _t(shape, dtype, grad=True, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return Tensor(a, requires_grad=grad)


def _fwd_bwd(fn, *inputs):
    """La operación hacia delante y hacia atrás (con un gradiente de salida contiguo y denso) y, sin
    grafo, otra vez hacia delante (la evaluación usa a veces otro camino)."""
    out = fn(*inputs)
    out.backward(_t(out.shape, out._data.dtype, grad=False, seed=1))
    with no_grad():
        fn(*inputs)


# Formas de la convolución que pasan por cada algoritmo que el despachador elige por su cuenta (el
# forward siempre es el directo; el backward, kernels/conv/dispatch.choose_backward; un test comprueba que
# siguen cubriéndolos todos; Winograd F(4×4) sólo se usa pidiéndolo con algo=):
# (entrada, pesos, stride, padding, dilation, groups)
CONV_SHAPES = {
    "winograd": ((2, 24, 12, 12), (24, 24, 3, 3), 1, 1, 1, 1),  # (C·O > WIDE_DW_3X3)
    "direct": ((2, 1, 12, 12), (8, 1, 3, 3), 1, 0, 1, 1),
    "direct_depthwise": ((2, 8, 12, 12), (8, 1, 3, 3), 1, 1, 1, 8),
    "direct_dilated": ((2, 3, 12, 12), (8, 3, 3, 3), 1, 2, 2, 1),
    "gemm1x1": ((2, 8, 6, 6), (16, 8, 1, 1), 1, 0, 1, 1),
    "im2col_img": ((2, 16, 20, 20), (16, 16, 3, 3), 2, 1, 1, 1),
    "im2col": ((2, 16, 8, 8), (16, 16, 3, 3), 2, 1, 1, 1),
}


def _conv(name):
    xs, ws, s, p, d, g = CONV_SHAPES[name]

    def task(dtype):
        x, w, b = _t(xs, dtype), _t(ws, dtype, seed=2), _t((ws[0],), dtype, seed=3)
        _fwd_bwd(lambda x, w, b: F.conv2d(x, w, b, stride=s, padding=p, dilation=d, groups=g), x, w, b)
        # la primera capa de una red: la entrada no pide gradiente
        _fwd_bwd(lambda w: F.conv2d(x.detach(), w, None, stride=s, padding=p, dilation=d, groups=g), w)
        # con al menos 2 imágenes por hilo el forward directo rellena dentro del núcleo (flat_corr_pad)
        xb = _t((2 * numba.get_num_threads(),) + tuple(xs[1:]), dtype, grad=False)
        _fwd_bwd(lambda w: F.conv2d(xb, w, b.detach(), stride=s, padding=p, dilation=d, groups=g), w)
    return task


def _conv_transpose(dtype):
    x, w = _t((2, 8, 5, 5), dtype), _t((8, 4, 3, 3), dtype, seed=2)
    _fwd_bwd(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), x, w)


def _max_pool(dtype):
    for shape, k, s, p in (((2, 4, 16, 16), 2, 2, 0), ((2, 8, 6, 6), 2, 2, 0), ((2, 4, 9, 9), 3, 2, 1)):
        _fwd_bwd(lambda x: F.max_pool2d(x, k, s, p), _t(shape, dtype))
    x = _t((2, 4, 8, 8), dtype)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    _fwd_bwd(lambda o: F.max_unpool2d(o, idx, 2), out.detach().requires_grad_())
    _fwd_bwd(lambda x: F.adaptive_max_pool2d(x, 3), _t((2, 4, 7, 7), dtype))


def _avg_pool(dtype):
    for shape, k, s, p in (((2, 4, 16, 16), 2, 2, 0), ((2, 4, 9, 9), 3, 2, 1)):
        _fwd_bwd(lambda x: F.avg_pool2d(x, k, s, p), _t(shape, dtype))
    for size in (1, 3):
        _fwd_bwd(lambda x: F.adaptive_avg_pool2d(x, size), _t((2, 4, 7, 7), dtype))


def _upsample(dtype):
    for mode, corners in (("nearest", None), ("bilinear", False), ("bilinear", True)):
        _fwd_bwd(lambda x: F.interpolate(x, scale_factor=2, mode=mode, align_corners=corners), _t((2, 3, 5, 5), dtype))


def _relu(dtype):
    _fwd_bwd(F.relu, _t((2, 32, 32, 32), dtype))   # ≥ 2¹⁶ elementos: el núcleo de dos hilos
    _fwd_bwd(F.relu, _t((8, 128), dtype))          # los de las capas lineales: el núcleo sin hilos


def _cross_entropy(dtype):
    z = _t((8, 10), dtype)
    F.cross_entropy(z, Tensor(np.arange(8) % 10).long()).backward()  # Tensor(datos) es float32, como en PyTorch


def _adam(dtype):
    for cls, kw in ((optim.Adam, {}), (optim.Adam, {"weight_decay": 0.01}), (optim.AdamW, {})):
        p = _t((4, 3), dtype)
        opt = cls([p], lr=1e-3, **kw)
        (p * p).sum().backward()
        opt.step()


def _sgd(dtype):
    p = _t((4, 3), dtype)
    opt = optim.SGD([p], lr=1e-2, momentum=0.9)  # el paso y el momento (kernels/sgd.py)
    for _ in range(2):
        (p * p).sum().backward()
        opt.step()


def _sort(dtype):
    for dt in (dtype, np.int64):
        x = Tensor(np.random.default_rng(0).integers(0, 5, (3, 20)).astype(dt))
        x.sort(dim=1)
        x.sort(dim=1, descending=True)
        x.topk(3, dim=1)
        x.kthvalue(2, dim=1)
        x.median(dim=1)
        x.mode(dim=1)


def _erf(dtype):
    _fwd_bwd(lambda x: x.erf() + x.erfc() + F.gelu(x), _t((3, 4), dtype))


# nombre → (descripción, función(dtype)); el orden es el de la barra
TASKS = {
    "conv_winograd": ("convolución Winograd F(2×2,3×3)", _conv("winograd")),
    "conv_direct": ("convolución directa", _conv("direct")),
    "conv_depthwise": ("convolución por grupos (depthwise)", _conv("direct_depthwise")),
    "conv_dilated": ("convolución dilatada", _conv("direct_dilated")),
    "conv_1x1": ("convolución 1×1", _conv("gemm1x1")),
    "conv_im2col_img": ("convolución im2col por imagen", _conv("im2col_img")),
    "conv_im2col": ("convolución im2col", _conv("im2col")),
    "conv_transpose": ("convolución traspuesta", _conv_transpose),
    "max_pool": ("max-pooling", _max_pool),
    "avg_pool": ("average pooling", _avg_pool),
    "upsample": ("reescalado", _upsample),
    "relu": ("ReLU", _relu),
    "cross_entropy": ("entropía cruzada", _cross_entropy),
    "adam": ("paso de Adam", _adam),
    "sgd": ("paso de SGD", _sgd),
    "sort": ("ordenación", _sort),
    "erf": ("erf", _erf),
}
# lo que entrenan los modelos del curso (en float32): lo mínimo para las demos y los cuadernos
COURSE = ("conv_winograd", "conv_direct", "conv_im2col", "max_pool", "avg_pool", "relu", "cross_entropy", "adam",
          "sgd")


# ---- compilación en segundo plano (kernels/precompile.py) ----------------------------------------
# La CNN del curso (conv 1→32 y 32→64 3×3, ReLU, max-pool 2×2, lineales, entropía cruzada) sobre MNIST
# con lotes de 64: todo lo que compila un paso salvo el forward de la convolución, en el orden en que
# el paso lo pide. Con las formas reales: el núcleo que se elige depende del tamaño (ReLU en dos hilos
# desde 2¹⁶ elementos, max-pool «canales» desde 8 canales...). Un test comprueba que, tras estas
# tareas, el paso sólo compila el forward de la convolución.
_COURSE_BATCH = 64


def _course_relu(dtype):
    for shape in ((_COURSE_BATCH, 32, 26, 26), (_COURSE_BATCH, 128)):
        _fwd_bwd(F.relu, _t(shape, dtype))


def _course_max_pool(dtype):
    for shape in ((_COURSE_BATCH, 32, 26, 26), (_COURSE_BATCH, 64, 11, 11)):
        _fwd_bwd(lambda x: F.max_pool2d(x, 2), _t(shape, dtype))


def _course_conv_backward(dtype):
    """El backward de las dos convoluciones con el algoritmo que elige el despachador, sin su forward
    (que compila el programa a la vez): la primera capa sólo pide ∂L/∂w (su entrada son los datos).
    En el orden inverso al del paso (que empieza por ∂L/∂x de la última capa): si el programa llega al
    backward antes de que esto acabe, compila él lo que le queda por delante mientras aquí se hace lo
    del otro extremo, en vez de esperar núcleo a núcleo lo mismo."""
    for xs, ws, need_x, need_w in (((_COURSE_BATCH, 1, 28, 28), (32, 1, 3, 3), False, True),
                                   ((_COURSE_BATCH, 32, 13, 13), (64, 32, 3, 3), False, True),
                                   ((_COURSE_BATCH, 32, 13, 13), (64, 32, 3, 3), True, False)):
        x = np.ascontiguousarray(_t(xs, dtype)._data)
        w = np.ascontiguousarray(_t(ws, dtype, seed=2)._data)
        out_hw = (xs[2] - ws[2] + 1, xs[3] - ws[3] + 1)
        algo, algo_w = choose_backward(xs, ws, (1, 1), (0, 0), (1, 1), 1)
        state = ConvState(algo, xs, w, (1, 1), (0, 0), (1, 1), 1, out_hw, (x,), None, "x", algo_w)
        g = np.ascontiguousarray(_t((xs[0], ws[0]) + out_hw, dtype, seed=1)._data)
        conv2d_backward(g, state, need_x=need_x, need_w=need_w, need_b=True)


def _course_optimizers(dtype):
    """Un paso de SGD y uno de Adam (los de los apuntes y la demo) sobre parámetros con las formas de
    la CNN del curso (si el optimizador usa un núcleo, queda compilado)."""
    shapes = ((32, 1, 3, 3), (32,), (64, 32, 3, 3), (64,), (128, 1600), (128,), (10, 128), (10,))
    for cls, kw in ((optim.SGD, {"lr": 0.01}), (optim.Adam, {"lr": 1e-3})):
        params = [_t(s, dtype, seed=i) for i, s in enumerate(shapes)]
        for p in params:
            p.grad = _t(p.shape, dtype, grad=False, seed=7)
        cls(params, **kw).step()


BACKGROUND = (("ReLU", _course_relu), ("max-pooling", _course_max_pool), ("entropía cruzada", _cross_entropy),
              ("backward de la convolución", _course_conv_backward), ("optimizadores", _course_optimizers))


def _seq_embedding(dtype):
    emb = _t((10, 4), dtype)
    F.embedding(Tensor(np.arange(6).reshape(2, 3) % 10).long(), emb).backward(_t((2, 3, 4), dtype, grad=False))


def _seq_attention(dtype):
    """La atención causal (el softmax por filas en float32) y la autoatención de varias cabezas."""
    q = _t((2, 2, 8, 4), dtype)
    _fwd_bwd(lambda t: F.scaled_dot_product_attention(t, t, t, is_causal=True), q)


def _seq_bias_sum(dtype):
    """∂b de una lineal sobre una secuencia (``kernels/linear.py``)."""
    sum_rows_f64(np.zeros((4, 3), dtype))


def _seq_gelu(dtype):
    _fwd_bwd(F.gelu, _t((4, 16), dtype))


def _seq_layer_norm(dtype):
    _fwd_bwd(lambda t: F.layer_norm(t, (16,), _t((16,), dtype, seed=1), _t((16,), dtype, seed=2)), _t((4, 16), dtype))


# Un Transformer (el MiniGPT del zoo: embeddings, LayerNorm, autoatención causal, GELU, lineales sobre
# 2 048 filas, entropía cruzada, AdamW): en el orden inverso al del paso, como el backward de la
# convolución arriba (el programa compila desde el principio, el hijo desde el final). La LayerNorm
# o el softmax de la atención lo lanzan: el programa ya está compilando uno de los dos.
BACKGROUND_TRANSFORMER = (("optimizadores", _adam), ("embeddings", _seq_embedding),
                          ("∂b de las lineales", _seq_bias_sum), ("GELU", _seq_gelu), ("entropía cruzada", _cross_entropy), ("atención", _seq_attention),
                          ("LayerNorm", _seq_layer_norm))
_GROUPS = {"cnn": BACKGROUND, "transformer": BACKGROUND_TRANSFORMER}


def background(dtype="float32", group="cnn") -> None:
    """Lo que hace el proceso que lanza ``kernels/precompile.py``: las tareas de ``BACKGROUND`` (``group``
    ``"cnn"``) o de ``BACKGROUND_TRANSFORMER`` (``"transformer"``) una a una; termina al llegar ``SIGTERM``
    o, entre dos tareas, si el proceso padre ya no existe."""
    # SIGTERM (el padre termina): salir ya, sin acabar el núcleo en curso, salvo si se está escribiendo
    # en la caché (entonces al acabar de escribir)
    signal.signal(signal.SIGTERM, lambda *_: cache_lock.exit_soon())
    parent = int(os.environ.get("TINYGRAD_ES_FONDO_PADRE", os.getppid()))
    dtype = np.dtype(dtype)
    with compile_notice.quiet():
        for _name, task in _GROUPS[group]:
            if os.getppid() != parent:
                return
            task(dtype)


def cache_dir() -> str:
    """Dónde guarda numba los núcleos compilados (``NUMBA_CACHE_DIR`` o junto al código)."""
    return numba.config.CACHE_DIR or os.path.join(os.path.dirname(os.path.abspath(__file__)), "**", "__pycache__")


def prepare(names=None, dtypes=("float32", "float64"), progress: bool = True, file=None) -> dict:
    """Compila (o carga de la caché) los núcleos de las tareas ``names`` (por defecto todas, ``TASKS``)
    en los ``dtypes`` dados, con una barra de progreso. Devuelve ``{"segundos", "nucleos", "tareas"}``
    (``nucleos``: los que hubo que compilar de verdad; 0 si ya estaban en la caché).

    Ejemplo::

        from tinygrad_es.prepare import prepare, COURSE
        prepare(COURSE, dtypes=("float32",))     # lo que usan las demos
    """
    names = list(TASKS) if names is None else list(names)
    unknown = [n for n in names if n not in TASKS]
    if unknown:
        raise ValueError(f"tarea desconocida {unknown[0]!r}; las tareas son: {', '.join(TASKS)}")
    dtypes = [np.dtype(str(d).replace("torch.", "")) for d in dtypes]
    jobs = [(n, d) for n in names for d in dtypes]
    before = compile_notice.stats["kernels"]
    t0 = time.perf_counter()
    bar = tqdm(jobs, desc="preparando núcleos", unit="tarea", disable=not progress, file=file or sys.stderr,
               bar_format="{desc}: {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt} [{elapsed}] {postfix}")
    with compile_notice.quiet():
        for name, dtype in bar:
            bar.set_postfix_str(f"{TASKS[name][0]} ({dtype.name})")
            TASKS[name][1](dtype)
        bar.set_postfix_str("")
    bar.close()
    return {"segundos": time.perf_counter() - t0, "nucleos": compile_notice.stats["kernels"] - before,
            "tareas": len(jobs)}


def warm_up(model, loss_fn, optimizer, x, y, progress: bool = True, file=None) -> dict:
    """Un paso de entrenamiento y una evaluación sobre copias de ``model`` y ``optimizer`` con el lote
    ``(x, y)``: numba compila (la primera vez) o carga de su caché los núcleos que usará ese
    entrenamiento, antes de empezar. El modelo y el optimizador originales no cambian. Con
    ``progress``, una barra de cuatro pasos (sólo si hay que compilar algo aparece el aviso).

    Devuelve ``{"segundos", "nucleos"}``."""
    clone = copy.deepcopy(model)
    opt = type(optimizer)(clone.parameters(), **optimizer.defaults)
    before = compile_notice.stats["kernels"]
    t0 = time.perf_counter()
    steps = ["hacia delante", "hacia atrás", "paso del optimizador", "evaluación"]
    bar = tqdm(steps, desc="preparando núcleos de la red", unit="paso", disable=not progress, delay=1.0,
               file=file or sys.stderr, leave=False,
               bar_format="{desc}: {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt} [{elapsed}] {postfix}")
    with compile_notice.quiet():
        clone.train()
        for step in bar:
            bar.set_postfix_str(step)
            if step == "hacia delante":
                loss = loss_fn(clone(x), y)
            elif step == "hacia atrás":
                opt.zero_grad()
                loss.backward()
            elif step == "paso del optimizador":
                opt.step()
            else:
                clone.eval()
                with no_grad():
                    clone(x)
    bar.close()
    n = compile_notice.stats["kernels"] - before
    dt = time.perf_counter() - t0
    if progress and n:
        print(f"núcleos preparados: {n} compilados en {_seconds(dt)} (la próxima vez se cargan de la caché)",
              file=file or sys.stderr)
    return {"segundos": dt, "nucleos": n}


def _seconds(s: float) -> str:
    return f"{s:.1f}".replace(".", ",") + " s"
