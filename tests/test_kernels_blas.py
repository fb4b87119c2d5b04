"""Espera activa de OpenBLAS: al importar tinygrad_es se acorta (si numpy usa OpenBLAS),
TINYGRAD_ES_BLAS_SPIN=no lo evita, y las GEMM siguen dando lo mismo tras reiniciar los
hilos."""
import os
import subprocess
import sys

import numpy as np
import pytest

from tinygrad_es.kernels import blas

HERE = os.path.dirname(os.path.abspath(__file__))
CODE = "import numpy, tinygrad_es; from tinygrad_es.kernels import blas; print(blas.spin_timeout())"


def _run(**env):
    r = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, cwd=os.path.dirname(HERE))
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@pytest.mark.skipif(blas.spin_timeout() is None, reason="numpy no usa OpenBLAS con los símbolos necesarios")
def test_spin_timeout_is_shortened_on_import_unless_disabled():
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "TINYGRAD_ES_BLAS_SPIN")}
    assert _run(**env) == str(blas.DEFAULT_LOG2_CYCLES)
    assert _run(**env, TINYGRAD_ES_BLAS_SPIN="no") == "0"
    assert _run(**env, TINYGRAD_ES_BLAS_SPIN="20") == "20"


@pytest.mark.skipif(blas.spin_timeout() is None, reason="numpy no usa OpenBLAS con los símbolos necesarios")
def test_gemm_results_unchanged_after_restarting_threads():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((300, 200)), rng.standard_normal((200, 250))
    before = a @ b
    prev = blas.spin_timeout()
    try:
        assert blas.set_spin_timeout(18)
        assert blas.spin_timeout() == 18
        np.testing.assert_array_equal(a @ b, before)
    finally:
        blas.set_spin_timeout(prev or 28)
    np.testing.assert_array_equal(a @ b, before)


def test_split_gemm_matches_numpy_and_restores_blas_threads():
    from tinygrad_es.kernels import gemm
    rng = np.random.default_rng(1)
    before = blas._threads_fn["get"]() if blas.can_single_thread() else None
    cases = [((300, 200), (200, 250)),            # 2-D: reparto por columnas
             ((16, 64, 32), (16, 32, 500)),       # lote (Winograd)
             ((70, 40), (9, 40, 130))]            # a 2-D difundida sobre un lote
    for sa, sb in cases:
        a, b = rng.standard_normal(sa).astype(np.float32), rng.standard_normal(sb).astype(np.float32)
        out = gemm.matmul(a, b)
        np.testing.assert_allclose(out, np.matmul(a, b), rtol=1e-5, atol=1e-4)
    # vistas con filas rellenadas y traspuestas, como las de los núcleos
    v = np.zeros((16, 32, 501), np.float32)[:, :, :500]
    v[...] = rng.standard_normal(v.shape)
    u = rng.standard_normal((16, 64, 32)).astype(np.float32)
    out = np.zeros((16, 64, 501), np.float32)[:, :, :500]
    gemm.matmul(u, v, out=out)
    np.testing.assert_allclose(out, u @ v, rtol=1e-5, atol=1e-4)
    ref = out.astype(np.float64) @ v.transpose(0, 2, 1).astype(np.float64)
    np.testing.assert_allclose(gemm.matmul(out, v.transpose(0, 2, 1)), ref, rtol=0, atol=1e-5 * np.abs(ref).max())
    if before is not None:
        assert blas._threads_fn["get"]() == before


def test_one_thread_shortcut_gives_the_same_gemm():
    # con OpenBLAS en un hilo por elección del usuario, gemm.matmul llama a np.matmul sin
    # single_thread(): mismos bits
    from tinygrad_es.kernels import gemm
    if not blas.can_single_thread():
        assert blas.one_thread() is False
        return
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((64, 128)).astype(np.float32), rng.standard_normal((128, 64)).astype(np.float32)
    before = blas._threads_fn["get"]()
    with blas.single_thread():
        assert not blas.one_thread()  # uno puesto por single_thread (otro hilo lo devolvería): no vale
        inside = gemm.matmul(a, b)
        one = np.matmul(a, b)
    assert blas._threads_fn["get"]() == before and blas.one_thread() == (before == 1)
    np.testing.assert_array_equal(inside, one)
    np.testing.assert_array_equal(inside, gemm.matmul(a, b))
    blas._threads_fn["set"](1)
    try:
        assert blas.one_thread()
        np.testing.assert_array_equal(inside, gemm.matmul(a, b))  # el atajo
    finally:
        blas._threads_fn["set"](before)
