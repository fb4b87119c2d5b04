"""``kernels/_parallel.py``: el ``prange`` repartido entre hilos de Python da lo mismo que el bucle
secuencial, con cualquier número de trozos, y los núcleos sin la forma siguen con numba."""
import os
import sys

import numba
import numpy as np
import pytest
from numba import njit, prange

from tinygrad_es import kernels as K
from tinygrad_es.kernels import _parallel as P
from tinygrad_es.kernels import _pool as Q
from tinygrad_es.kernels._parallel import chunk_source, parallel_kernel


@parallel_kernel
@njit(parallel=True)
def _owner(x, scale):
    """Cada posición apunta quién la calculó (el índice) y un valor; prólogo con reserva y return."""
    n = x.shape[0]
    out = np.empty(n, dtype=x.dtype)
    seen = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        acc = 0.0
        for j in range(i + 1):
            acc += x[j] * scale
        out[i] = acc
        seen[i] += 1
    return out, seen


@parallel_kernel
@njit(parallel=True)
def _two_loops(x):
    out = np.empty_like(x)
    for i in prange(x.shape[0]):
        out[i] = x[i] + 1
    for i in prange(x.shape[0]):
        out[i] *= 2
    return out


@parallel_kernel
@njit(parallel=True)
def _fails_at(x, bad):
    for i in prange(x.shape[0]):
        if i == bad:
            raise ValueError("fallo a propósito")
        x[i] = i


def _reference(x, scale):
    return np.array([sum(float(v) * scale for v in x[:i + 1]) for i in range(x.size)])


@parallel_kernel
@njit(parallel=True)
def _fails_in_worker(x, flag, bad):
    """La iteración 0 (la primera del hilo que llama) espera a que otro hilo llegue a ``bad`` y falle."""
    for i in prange(x.shape[0]):
        if i == 0 and bad != 0:
            while Q._atomic_load(flag, 0) == 0:
                pass
        if i == bad:
            Q._atomic_add(flag, 0, 1)
            raise ValueError("fallo a propósito")
        x[i] = i


@pytest.mark.parametrize("n", [1, 5, 64])
def test_chunked_kernel_equals_sequential_for_any_number_of_chunks(n):
    x = np.random.default_rng(n).standard_normal(n)
    assert _owner.chunked
    out, seen = _owner(x, 0.5)
    np.testing.assert_allclose(out, _reference(x, 0.5), rtol=1e-12)
    assert (seen == 1).all()
    ch = _owner._chunked
    assert ch.loop_args == ["n", "out", "seen"]
    for nk in (1, 2, 3, 7, n + 2):
        out2, seen2 = np.empty(n), np.zeros(n, np.int64)  # un solo hilo con el reparto de nk: todo el bucle
        assert ch.trozo(x, 0.5, n, out2, seen2, n, np.zeros(2, np.int64), nk, 0, Q._NO_BELL) == n
        assert (seen2 == 1).all()
        np.testing.assert_array_equal(out2, out)
        out3, seen3 = np.empty(n), np.zeros(n, np.int64)
        Q._POOL.blocks(ch.trozo, n, (x, 0.5, n, out3, seen3), nk)  # la reserva de hilos, con nk hilos
        assert (seen3 == 1).all()
        np.testing.assert_array_equal(out3, out)


@pytest.mark.parametrize("nk", [1, 2, 3, 7])
def test_blocks_cover_the_range_once_and_shrink(nk):
    """``_take`` da bloques contiguos que cubren ``range(n)`` una vez; con un hilo, uno solo."""
    for n in (1, 2, 9, 1000):
        ctl, blocks = np.zeros(2, np.int64), []
        while True:
            lo, hi = Q._take(ctl, n, nk)
            if lo >= n:
                break
            blocks.append((lo, hi))
        assert blocks[0][0] == 0 and blocks[-1][1] == n
        assert all(b[1] == c[0] for b, c in zip(blocks, blocks[1:]))
        sizes = [hi - lo for lo, hi in blocks]
        assert min(sizes) >= 1 and sizes == sorted(sizes, reverse=True)
        if nk == 1:
            assert len(blocks) == 1
        else:
            assert sizes[0] <= max(1, n // (2 * nk))


def test_caller_never_waits_for_a_busy_worker():
    """Si la reserva está ocupada (otra tarea, o tarda en despertar), quien llama hace todo el bucle
    y vuelve sin esperarla; la tarea atrasada, al llegar, ya no tiene bloques."""
    Q._POOL._grow(1)
    gate = Q._thread.allocate_lock()
    gate.acquire()
    box = [None, Q._thread.allocate_lock()]
    box[1].acquire()
    Q._POOL.workers[0].slot.append((gate.acquire, (), box))
    Q._POOL.workers[0].q.put(None)  # la ocupa
    try:
        x = np.random.default_rng(3).standard_normal(50)
        out, seen = np.empty(50), np.zeros(50, np.int64)
        Q._POOL.blocks(_owner._chunked.trozo, 50, (x, 0.5, 50, out, seen), 2)
        assert (seen == 1).all()
        np.testing.assert_allclose(out, _reference(x, 0.5), rtol=1e-12)
    finally:
        gate.release()
    assert box[1].acquire(timeout=60)  # la reserva sigue viva y atiende lo que tenía en cola
    out2, seen2 = np.empty(50), np.zeros(50, np.int64)
    Q._POOL.blocks(_owner._chunked.trozo, 50, (x, 0.5, 50, out2, seen2), 2)
    np.testing.assert_array_equal(out2, out)


def test_kernels_without_the_shape_fall_back_to_numba_parallel():
    assert isinstance(chunk_source(_two_loops.py_func), str)
    assert not _two_loops.chunked
    x = np.arange(5.0)
    np.testing.assert_array_equal(_two_loops(x), (x + 1) * 2)


def test_error_in_any_chunk_reaches_the_caller():
    x = np.zeros(10)
    assert _fails_at.chunked and _fails_in_worker.chunked
    for bad in (0, 9):
        with pytest.raises(ValueError, match="a propósito"):
            _fails_at(x, bad)
    _fails_at(x, -1)
    np.testing.assert_array_equal(x, np.arange(10.0))
    # en un hilo de la reserva: quien llama hace los demás bloques, ve que falta uno, espera y lo propaga
    with pytest.raises(ValueError, match="a propósito"):  # compila (falla en la iteración 0)
        _fails_in_worker(np.zeros(8), np.zeros(1, np.int64), 0)
    ch = _fails_in_worker._chunked
    for bad in (2, 7):
        y = np.full(8, -1.0)
        with pytest.raises(ValueError, match="a propósito"):
            Q._POOL.blocks(ch.trozo, 8, (y, np.zeros(1, np.int64), bad), 2)
        assert (y == -1).sum() == 1 and y[bad] == -1  # todas las demás iteraciones se hicieron


def _parallel_kernels():
    seen = {}
    for name, mod in list(sys.modules.items()):
        if name.startswith("tinygrad_es.kernels"):
            for obj in vars(mod).values():
                if isinstance(obj, parallel_kernel):
                    seen[id(obj)] = obj
    return list(seen.values())


_COURSE_STEP = r"""
import sys
sys.path.insert(0, {tests!r})
import numba
import tinygrad_es as torch
from tinygrad_es.models import SimpleCNN
import test_kernels_parallel as T
torch.manual_seed(0)
model = SimpleCNN()
x = torch.randn(2 * numba.get_num_threads(), 1, 28, 28)
torch.nn.functional.cross_entropy(model(x), torch.arange(x.shape[0]) % 10).backward()
used = [k for k in T._parallel_kernels() if k._chunked is not None]  # los llamados en este proceso
print(len(used), [k.__name__ for k in used if not k.chunked])
"""


def test_course_kernels_are_chunked_and_keep_numbas_signatures_api():
    """Todos los núcleos paralelos que usa un paso de la CNN del curso compilan sin el compilador
    paralelo de numba (se reescriben por trozos). El paso va en un proceso nuevo: en éste otros tests
    ya han llamado a núcleos que la CNN del curso no usa (BatchNorm)."""
    import subprocess
    tests = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(tests), os.environ.get("PYTHONPATH", "")]))
    res = subprocess.run([sys.executable, "-c", _COURSE_STEP.format(tests=tests)], capture_output=True,
                         text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    n, not_chunked = res.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(n) >= 5  # convolución, pooling, ReLU...
    assert not_chunked == "[]", not_chunked
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    out = np.empty((2, 3, 8, 8), np.float32)
    K.pad_input(x, 1, 1, out)
    ref = np.zeros_like(out)
    ref[:, :, 1:7, 1:7] = x
    np.testing.assert_array_equal(out, ref)
    assert len(K.pad_input.signatures) >= 1  # las firmas compiladas (las cuenta tinygrad-es preparar)


def test_same_bits_with_one_and_two_threads():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 16, 10, 10)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    before = numba.get_num_threads()
    res = []
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            y, st = K.conv2d_forward(x, w, None, (1, 1), (1, 1))
            res.append((y,) + K.conv2d_backward(np.ones_like(y), st)[:2])
            K.conv_release(st)
    finally:
        numba.set_num_threads(before)
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


def test_worker_busy_waiting_gives_the_same_bits():
    """Con la espera activa de la reserva (``TINYGRAD_ES_ESPERA_US``), el timbre la despierta y el
    resultado es el mismo; al quitarla, vuelve a dormir en su cola."""
    x = np.random.default_rng(4).standard_normal(300)
    ref = _owner(x, 0.5)[0]
    Q._POOL.blocks(_owner._chunked.trozo, 300, (x, 0.5, 300, np.empty(300), np.zeros(300, np.int64)), 2)  # calibra
    before = Q._spins["worker"]
    Q._spins["worker"] = max(Q._spins["caller"], 1000)
    try:
        for _ in range(30):
            out, seen = np.empty(300), np.zeros(300, np.int64)
            Q._POOL.blocks(_owner._chunked.trozo, 300, (x, 0.5, 300, out, seen), 2)
            assert (seen == 1).all()
            np.testing.assert_array_equal(out, ref)
    finally:
        Q._spins["worker"] = before
    out, seen = np.empty(300), np.zeros(300, np.int64)
    Q._POOL.blocks(_owner._chunked.trozo, 300, (x, 0.5, 300, out, seen), 2)
    np.testing.assert_array_equal(out, ref)


def test_static_split_runs_every_chunk_once_and_propagates_errors():
    """``_POOL.run(fn, args, nk)``: ``fn(*args, k, nk)`` para cada ``k``, esperando a todos (lo usan
    funciones de Python que llaman a núcleos ``nogil``, p. ej. la LSTM por bloques de unidades)."""
    import threading
    for nk in (1, 2, 3):
        seen, caller = [], threading.get_ident()
        Q._POOL.run(lambda tag, k, n: seen.append((tag, k, n, threading.get_ident() == caller)), ("t",), nk)
        assert sorted(seen) == sorted([("t", 0, nk, True)] + [("t", k, nk, False) for k in range(1, nk)])

    def fails(k, nk):
        if k == nk - 1:
            raise ValueError("fallo a propósito")
    with pytest.raises(ValueError, match="a propósito"):
        Q._POOL.run(fails, (), 2)


_MODULE = '''
import numpy as np
from numba import njit, prange
from tinygrad_es.kernels._parallel import parallel_kernel


@parallel_kernel
@njit(parallel=True, cache=True)
def scaled(x):
    out = np.empty_like(x)
    for i in prange(x.shape[0]):
        out[i] = FACTOR * x[i]
    return out
'''

_USE = r"""
import numpy as np
from tinygrad_es.kernels import _parallel as P
calls = []
orig = P.chunk_source
P.chunk_source = lambda f: calls.append(1) or orig(f)
import mod_scaled as M
x = np.arange(5000.0)
print(len(calls), float(M.scaled(x)[3] / x[3]), len(calls),
      M.scaled._chunked.trozo._cache._cache_file._source_stamp[1] == P._POOL_STAMP)
"""


def test_rewrite_is_saved_beside_numbas_cache_and_invalidated_when_the_kernel_changes(tmp_path):
    """``_rewrite_cache``: el segundo proceso no reescribe (lee el código generado del disco); si el
    fichero del núcleo cambia, se reescribe y numba recompila el trozo (resultado nuevo); un fichero
    guardado roto se ignora. La caché de numba del trozo depende también de ``_pool.py``."""
    import subprocess
    src = tmp_path / "mod_scaled.py"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), root]), NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               TINYGRAD_ES_AVISO_COMPILACION="0", TINYGRAD_ES_COMPILAR_FONDO="0", PYTHONDONTWRITEBYTECODE="1")

    def run():
        r = subprocess.run([sys.executable, "-c", _USE], env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()

    src.write_text("FACTOR = 2.0\n" + _MODULE)
    assert run() == ["0", "2.0", "1", "True"]  # reescrito y guardado
    assert run() == ["0", "2.0", "0", "True"]  # leído del disco
    saved = list((tmp_path / "cache").rglob("*.trozo"))
    assert len(saved) == 1
    src.write_text("FACTOR = 3.0  # otro\n" + _MODULE)  # otro tamaño: otra marca del fichero
    assert run() == ["0", "3.0", "1", "True"]
    saved[0].write_bytes(b"roto")
    assert run() == ["0", "3.0", "1", "True"]
    assert run() == ["0", "3.0", "0", "True"]
