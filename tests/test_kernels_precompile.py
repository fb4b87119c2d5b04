"""Compilación en segundo plano (kernels/precompile.py) y la caché de numba con cerrojos entre procesos
(kernels/cache_lock.py)."""
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(cache, **extra):
    env = dict(os.environ, PYTHONPATH=ROOT, NUMBA_CACHE_DIR=str(cache), TINYGRAD_ES_AVISO_COMPILACION="0",
               TINYGRAD_ES_COMPILAR_FONDO="0")
    env.update(extra)
    return env


_RELU = r"""
import sys
import numpy as np
from tinygrad_es.kernels import compile_notice, relu
dtypes = [np.float32, np.float64][::int(sys.argv[1])]
for dt in dtypes:
    a = np.linspace(-3, 3, 2 * relu.MIN_SERIAL + 1).astype(dt)  # el núcleo sin hilos (< MIN_PARALLEL)
    out = relu.relu(a)
    assert out.dtype == dt and np.array_equal(out, np.maximum(a, 0)), dt
    g = relu.relu_backward(np.ones_like(a), out)
    assert np.array_equal(g, (a > 0).astype(dt)), dt
compile_notice.flush()
print(compile_notice.stats["kernels"])
"""


def test_two_processes_compiling_signatures_of_the_same_kernels_share_the_cache(tmp_path):
    """Dos procesos que compilan a la vez, con la caché vacía, las dos firmas (float32 y float64) de los
    mismos núcleos en órdenes opuestos: sin el cerrojo del índice, los dos eligen el fichero ``.1.nbc`` y
    el índice de uno acaba apuntando a los datos del otro. Después, un tercer proceso lo carga todo de
    la caché (no compila nada) y da los resultados correctos en los dos tipos."""
    procs = [subprocess.Popen([sys.executable, "-c", _RELU, order], env=_env(tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for order in ("1", "-1")]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    r = subprocess.run([sys.executable, "-c", _RELU, "1"], env=_env(tmp_path), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[-1] == "0"  # todo cargado de la caché
    sub = [d for d in os.listdir(tmp_path) if d.startswith("kernels")]
    idx = [f for f in os.listdir(tmp_path / sub[0]) if f.startswith("relu._relu_serial")]
    assert sum(f.endswith(".nbc") for f in idx) == 2  # una por firma, ninguna pisada


def test_a_kernel_being_compiled_elsewhere_is_waited_for_and_loaded(tmp_path):
    """Si otro proceso tiene el cerrojo de una firma (la está compilando), este espera y la carga de la
    caché en vez de compilarla otra vez."""
    holder = r"""
import sys, time
import numpy as np
from tinygrad_es.kernels import cache_lock, relu
d = relu._relu_serial
sig = d.typeof_pyval(np.zeros(3, np.float32)), d.typeof_pyval(np.zeros(3, np.float32))
cache = d._cache
fd = cache_lock._fd(cache._cache_file._index_path)
off = cache_lock._offset(cache._index_key(sig, d.targetctx.codegen()))
assert cache_lock._lock(fd, off, wait=0)
print("tomado", flush=True)
time.sleep(1.0)
d.compile(sig)              # numba lo compila y lo guarda (este proceso ya tiene el cerrojo)
cache_lock._unlock(fd, off)
print("hecho", flush=True)
"""
    waiter = r"""
import time
import numpy as np
from tinygrad_es.kernels import compile_notice, relu
a = np.linspace(-1, 1, 2 * relu.MIN_SERIAL + 1).astype(np.float32)
out = np.empty_like(a)
t = time.perf_counter()
relu._relu_serial(a, out)
compile_notice.flush()
assert np.array_equal(out, np.maximum(a, 0))
print(compile_notice.stats["kernels"], time.perf_counter() - t)
"""
    h = subprocess.Popen([sys.executable, "-c", holder], env=_env(tmp_path), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    assert h.stdout.readline().strip() == "tomado"
    w = subprocess.run([sys.executable, "-c", waiter], env=_env(tmp_path), capture_output=True, text=True,
                       timeout=300)
    out, err = h.communicate(timeout=300)
    assert h.returncode == 0 and out.strip() == "hecho", err
    assert w.returncode == 0, w.stderr
    compiled, seconds = w.stdout.split()
    assert compiled == "0"  # esperó y lo cargó: no lo compiló


def test_background_child_never_outlives_the_program(tmp_path):
    """El proceso que compila en segundo plano se detiene cuando el programa termina (no queda vivo)."""
    code = r"""
from tinygrad_es.kernels import precompile
p = precompile.start()
print(p.pid, flush=True)
"""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path, TINYGRAD_ES_COMPILAR_FONDO="1"),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pid = int(r.stdout.split()[0])
    assert time.perf_counter() - t < 60
    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive


def test_background_disabled_by_environment(monkeypatch):
    from tinygrad_es.kernels import precompile
    monkeypatch.setenv(precompile.ENV, "0")
    assert not precompile.enabled()


def test_idle_cpus_uses_the_lower_of_the_load_average_and_the_runnable_threads_now(monkeypatch):
    """La carga media del último minuto va con retraso (tras otro proceso pesado marca ~1 con la máquina
    ya libre): cuenta lo menor entre ella y los hilos ejecutables ahora (/proc/loadavg, sin quien lee)."""
    from tinygrad_es.kernels import precompile
    monkeypatch.setattr(precompile, "_cpus", lambda: 2)
    monkeypatch.setattr(precompile.os, "getloadavg", lambda: (1.05, 1.0, 1.0))
    monkeypatch.setattr(precompile, "_runnable_now", lambda: 0.0)
    assert precompile._idle_cpus() == 2.0  # la media es la del proceso anterior: ya no hay nadie
    monkeypatch.setattr(precompile, "_runnable_now", lambda: 9.0)
    assert abs(precompile._idle_cpus() - 0.95) < 1e-12  # un pico de un instante no manda: la media sí
    monkeypatch.setattr(precompile.os, "getloadavg", lambda: (10.0, 10.0, 10.0))
    assert precompile._idle_cpus() < 1.0  # cargada de verdad: las dos altas, sin hijo
    monkeypatch.setattr(precompile, "_runnable_now", lambda: None)  # sin /proc: sólo la media
    assert precompile._idle_cpus() == -8.0


def test_runnable_now_reads_proc_loadavg_without_counting_the_reader():
    from tinygrad_es.kernels import precompile
    n = precompile._runnable_now(samples=2, gap=0.0)
    if not os.path.exists("/proc/loadavg"):
        assert n is None
        return
    assert n is not None and n >= 0 and n == int(n)


def _kernel_signatures():
    from test_prepare import _kernel_signatures as sigs
    return sigs()


def test_background_tasks_leave_only_the_conv_forward_to_the_course_step():
    """Tras las tareas del proceso en segundo plano (``prepare.background``), un paso de la CNN del
    curso (MNIST, lote 64) sólo pide firmas nuevas al forward de la convolución (lo que compila el propio
    programa mientras tanto)."""
    import tinygrad_es as torch
    from tinygrad_es import nn, optim
    from tinygrad_es.nn import functional as F
    from tinygrad_es.prepare import BACKGROUND
    for _name, task in BACKGROUND:
        task(np.dtype("float32"))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(64, 1, 28, 28)
    y = torch.tensor([i % 10 for i in range(64)])
    before = _kernel_signatures()
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    optim.Adam(model.parameters(), lr=1e-3).step()  # el de la demo
    # firmas nuevas (compiladas o cargadas de la caché: no depende de lo que haya en ella) sólo del
    # forward directo y de sus funciones auxiliares (copias de trozos)
    new = {k for k, v in _kernel_signatures().items() if v != before.get(k, 0)}
    def home(module, attr):  # el módulo que define el núcleo (copy1 de _slices también se ve desde im2col)
        obj = getattr(sys.modules[module], attr)
        return getattr(getattr(obj, "py_func", None), "__module__", module)

    assert not {k for k in new if not home(*k).endswith(("kernels.conv.direct", "kernels._slices"))}, new


def test_loading_a_kernel_does_not_import_scipy_linalg_and_numba_blas_still_works(tmp_path):
    """``numba_startup``: numba arranca (instala sus tablas al cargar o compilar el primer núcleo) sin
    importar ``scipy.linalg``; el código numba del usuario con ``np.dot`` sigue funcionando (numba hace
    entonces su comprobación completa de BLAS)."""
    code = r"""
import sys
import numpy as np
import numba
from tinygrad_es.kernels import relu
a = np.linspace(-1, 1, 2000).astype(np.float32)
assert np.array_equal(relu.relu(a), np.maximum(a, 0))
print("scipy.linalg" in sys.modules)
from numba.np import arraymath
print(arraymath._HAVE_BLAS)
@numba.njit
def dot(x, y):
    return np.dot(x, y)
x = np.arange(6.0).reshape(2, 3)
assert np.allclose(dot(x, x.T), x @ x.T)
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "True", "ok"]


_LOAD = r"""
import sys
import numpy as np
import numba
from tinygrad_es.kernels import normalization, numba_startup, relu
a = np.linspace(-1, 1, 2000).astype(np.float32)
assert np.array_equal(relu.relu(a), np.maximum(a, 0))
x = np.arange(2 * 3 * 20, dtype=np.float64).reshape(2, 3, 20) % 7
mean, var = np.empty(3), np.empty(3)
normalization.batch_norm_stats(x, mean, var)  # parallel=True de numba: sus hilos (reload_init)
assert np.allclose(mean, x.mean(axis=(0, 2))) and np.allclose(var, x.var(axis=(0, 2)))
print(numba_startup.stats["light"] > 0, numba_startup.stats["full"], "numba.np.arraymath" in sys.modules,
      "numpy.ma" in sys.modules, "numba.np.arrayobj" in sys.modules)
from llvmlite.binding import ffi
assert ffi.lib._lock._cblist, "los eventos numba:llvm_lock de numba siguen registrados tras cargar"
@numba.njit
def user(v):  # compilar después: numba hace entonces su refresh completo
    return np.sort(v)[::-1].copy()
assert np.array_equal(user(a), np.sort(a)[::-1])
print("numba.np.arraymath" in sys.modules)
"""


def test_loading_from_the_cache_skips_numba_registry_install_and_compiling_still_works(tmp_path):
    """``numba_startup``: con la caché llena, cargar núcleos (también uno con ``parallel=True`` de numba)
    no instala las tablas de compilar de numba (``numba.np.arraymath`` sin importar); compilar después
    código numba del usuario en el mismo proceso las instala y funciona. ``TINYGRAD_ES_CARGA_LIGERA=0``:
    la carga de numba tal cual."""
    def run(**extra):
        r = subprocess.run([sys.executable, "-c", _LOAD], env=_env(tmp_path, **extra), capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()

    run()  # llena la caché
    assert run() == ["True", "0", "False", "False", "False", "True"]
    assert run(TINYGRAD_ES_CARGA_LIGERA="0")[:3] == ["False", "0", "True"]


def test_typing_a_plain_ndarray_matches_numba_and_masked_arrays_are_still_rejected():
    """``numba_startup``: tipar un ``np.ndarray`` exacto sin importar ``numpy.ma`` da el mismo tipo que
    numba (dtype, dimensiones, disposición, sólo lectura); un ``MaskedArray`` sigue siendo un error."""
    import numba
    import pytest
    from numba.core import errors
    from numba.core.typing import typeof as T
    import tinygrad_es.kernels  # noqa: F401  (instala el parche)
    from tinygrad_es.kernels import numba_startup

    ro = np.zeros(3)
    ro.flags.writeable = False
    base = np.arange(24.0).reshape(2, 3, 4)
    for a in (np.zeros((2, 3), np.float32), base, base.transpose(2, 0, 1), base[:, ::2], np.asfortranarray(base),
              ro, np.zeros(0, np.int64), np.ones((2, 2), bool), np.zeros(2, "U3"), np.zeros(2, object)):
        assert numba.typeof(a) == numba_startup._orig_typeof_ndarray(a, None)
    with pytest.raises(errors.NumbaValueError):
        numba.typeof(np.zeros(2, dtype="V4"))
    with pytest.raises(errors.NumbaTypeError):
        numba.typeof(np.ma.masked_array([1.0, 2.0], mask=[0, 1]))
    assert T.typeof_impl.dispatch(np.ndarray) is numba_startup._typeof_ndarray


def test_object_code_using_the_hash_secret_gets_the_full_refresh():
    from tinygrad_es.kernels import numba_startup
    plain = ("lib", "object", (b"\x7fELF...NRT_MemInfo_alloc...", b"bitcode"))
    assert numba_startup._plain_object_code((plain, None))
    hashing = ("lib", "object", (b"\x7fELF..._numba_hashsecret_siphash_k0...", b"bitcode"))
    assert not numba_startup._plain_object_code((hashing, None))
    assert not numba_startup._plain_object_code((("lib", "bitcode", b"..."), None))  # otro formato
    assert not numba_startup._plain_object_code(None)


_USER = """
import numpy as np
from numba import njit


@njit(cache=True)
def peak(a):
    return a.reshape(2, -1)[1].max() + max(a[0], a[1])
"""

_USE_USER = r"""
import sys
import numpy as np
if sys.argv[1] in ("tg", "fill"):
    from tinygrad_es.kernels import relu, numba_startup
    from tinygrad_es.kernels.conv import im2col_image as I
    a = np.linspace(-1, 1, 2000).astype(np.float32)
    relu.relu(a)  # carga ligera: entornos de numba (reshape, max) sin importar su módulo
    x = np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
    cols = np.empty((3 * 9 + 1, 16), np.float32)
    I.im2col_image(x, 1, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, 1, cols)  # enlaza el reshape de numba.np.arrayobj
    assert cols[-1].sum() == 16 and cols[4].sum() == x[1, 0].sum()
    if sys.argv[1] == "fill":
        sys.exit(0)
    assert numba_startup.stats["light"] and "numba.np.arrayobj" not in sys.modules
import user_peak
x = np.arange(8.0)
print(user_peak.peak(x), sum(user_peak.peak.stats.cache_hits.values()))
"""


def test_user_kernels_compiled_after_a_light_load_cache_and_load_without_tinygrad_es(tmp_path):
    """Tras cargar núcleos con entornos de numba a medias, el código numba del usuario que enlaza las
    mismas implementaciones (``reshape``, ``max``) compila, se guarda en su caché y otro proceso **sin**
    tinygrad_es lo carga (la caché no nombra a tinygrad_es)."""
    (tmp_path / "user_peak.py").write_text(_USER)
    env = _env(tmp_path / "cache", PYTHONPATH=os.pathsep.join([str(tmp_path), ROOT]))

    def run(mode):
        r = subprocess.run([sys.executable, "-c", _USE_USER, mode], env=env, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()

    run("fill")  # llena la caché de relu
    assert run("tg") == ["8.0", "0"]  # relu cargado ligero; peak compilado y guardado
    assert run("plain") == ["8.0", "1"]  # sin tinygrad_es: cargado de la caché
    assert run("tg") == ["8.0", "1"]
    for f in (tmp_path / "cache").rglob("*peak*.nbc"):
        assert b"tinygrad_es" not in f.read_bytes()


def test_cfunc_wrapper_skipped_only_for_tinygrad_es_kernels():
    """Los núcleos de tinygrad_es se compilan sin el envoltorio de C (nadie los llama por puntero);
    las funciones del usuario, como siempre (``numba.cfunc`` y funciones de primera clase siguen)."""
    import numba
    from numba.core import compiler, dispatcher
    from tinygrad_es.kernels import _slices, numba_startup  # noqa: F401  (instala el parche)

    class Fake:
        pass

    ours, theirs = Fake(), Fake()
    ours.py_func = _slices.copy1.py_func
    theirs.py_func = lambda x: x
    customize = dispatcher._FunctionCompiler._customize_flags
    assert customize(ours, compiler.Flags()).no_cfunc_wrapper
    assert not customize(theirs, compiler.Flags()).no_cfunc_wrapper

    @numba.cfunc("float64(float64)")
    def twice(x):
        return 2 * x

    assert twice.ctypes(1.5) == 3.0
    dst = np.zeros(3)
    _slices.copy1(dst, np.arange(3.0))  # un núcleo sin envoltorio de C se llama desde Python igual
    assert dst.tolist() == [0.0, 1.0, 2.0]


def test_transformer_background_tasks_leave_nothing_to_a_transformer_step():
    """Tras las tareas de ``prepare.BACKGROUND_TRANSFORMER`` (las del hijo que lanza la primera LayerNorm o
    el primer softmax de atención), un paso de un GPT pequeño como el del zoo (embeddings, LayerNorm antes,
    autoatención causal, GELU, lineales sobre 512 filas, entropía cruzada, AdamW) no pide ninguna firma
    nueva."""
    import tinygrad_es as torch
    from tinygrad_es import nn, optim
    from tinygrad_es.nn import functional as F
    from tinygrad_es.prepare import BACKGROUND_TRANSFORMER
    for _name, task in BACKGROUND_TRANSFORMER:
        task(np.dtype("float32"))
    torch.manual_seed(0)
    d, T, V = 64, 128, 11
    tok, pos = nn.Embedding(V, d), nn.Embedding(T, d)
    block = nn.TransformerEncoderLayer(d, 4, 4 * d, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
    norm, head = nn.LayerNorm(d), nn.Linear(d, V)
    params = [p for m in (tok, pos, block, norm, head) for p in m.parameters()]
    opt = optim.AdamW(params, lr=1e-3)
    x = torch.tensor(np.arange(4 * T).reshape(4, T) % V)
    mask = nn.Transformer.generate_square_subsequent_mask(T)
    before = _kernel_signatures()
    h = block(tok(x) + pos(torch.arange(T)), src_mask=mask, is_causal=True)
    loss = F.cross_entropy(head(norm(h)).reshape(-1, V), x.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert {k for k, v in _kernel_signatures().items() if v != before.get(k, 0)} == set()
