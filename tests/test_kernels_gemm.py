"""``kernels/gemm.matmul_k``: las capas lineales en float32 con K largo, por bloques sumados por parejas."""
import numba
import numpy as np

from tinygrad_es.kernels import gemm


def test_long_k_in_blocks_is_each_block_summed_in_pairs_with_the_same_bits_at_any_thread_count():
    """``gemm.matmul_k``: K en bloques iguales de como mucho MAX_K (pocas filas) o MAX_K_WIDE, sumados por
    parejas; mismos bits con 1 y 2 hilos; K que no se parte en bloques iguales, por ``matmul_rows``."""
    rng = np.random.default_rng(3)
    threads = numba.get_num_threads()
    try:
        for m, k, n in ((8, 512, 40), (8, 520, 40), (40, 1024, 24), (3, 100, 7)):
            a = rng.standard_normal((m, k)).astype(np.float32)
            b = rng.standard_normal((n, k)).astype(np.float32).T  # la vista traspuesta de una lineal
            numba.set_num_threads(1)
            one = gemm.matmul_k(a, b)
            numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
            assert np.array_equal(gemm.matmul_k(a, b), one), (m, k, n)
            top = gemm.MAX_K if m <= gemm.FEW_ROWS else gemm.MAX_K_WIDE
            nb = -(-k // top) if k > top else 1
            if k % nb == 0:
                blocks = [a[:, i:i + k // nb] @ b[i:i + k // nb] for i in range(0, k, k // nb)]
                while len(blocks) > 1:  # por parejas, en orden
                    blocks = [blocks[i] + blocks[i + 1] if i + 1 < len(blocks) else blocks[i]
                              for i in range(0, len(blocks), 2)]
                np.testing.assert_allclose(one, blocks[0], rtol=0, atol=1e-6 * np.abs(one).max())
            ref = a.astype(np.float64) @ b.astype(np.float64)
            np.testing.assert_allclose(one, ref, rtol=0, atol=1e-5 * np.abs(ref).max())
    finally:
        numba.set_num_threads(threads)


def test_row_blocks_of_a_weight_gradient_give_the_same_bits_at_any_thread_count(monkeypatch):
    """``gemm.matmul_rows`` (∂W = aᵀ·b sumando N filas por bloques): los bloques van por tandas en una GEMM por
    lotes repartida por bloques enteros, así que 1 y 2 hilos dan los mismos bits (OpenBLAS da otros si se le
    parten filas o columnas); con ``fixed``, también la GEMM única. El resultado no retiene la tanda entera."""
    monkeypatch.setattr(gemm, "MIN_SPLIT_FLOPS", 0.0)  # que se reparta aunque sea pequeño
    rng = np.random.default_rng(5)
    threads = numba.get_num_threads()
    try:
        for n, m, k, kw in ((1024, 96, 40, {}), (1000, 70, 33, {}), (520, 64, 48, dict(max_rows=64)),
                            (50, 80, 30, dict(fixed=True))):
            a = rng.standard_normal((n, m)).astype(np.float32)
            b = rng.standard_normal((n, k)).astype(np.float32)
            numba.set_num_threads(1)
            one = gemm.matmul_rows(a, b, **kw)
            numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
            two = gemm.matmul_rows(a, b, **kw)
            assert np.array_equal(one, two), (n, m, k, kw)
            assert one.base is None or one.base.size == one.size
            ref = a.T.astype(np.float64) @ b.astype(np.float64)
            np.testing.assert_allclose(one, ref, rtol=0, atol=1e-5 * np.abs(ref).max())
    finally:
        numba.set_num_threads(threads)


def test_a_split_gemm_gives_the_same_bits_with_one_or_two_threads():
    """``gemm.matmul``: una GEMM que se reparte se parte igual con 1 hilo (uno tras otro) que con 2 — por filas
    si es alta, por columnas si no —, y un lote 3-D por matrices enteras: los mismos bits (OpenBLAS da otros
    si se le parten filas o columnas). Las lineales del MiniGPT (2 048 filas) y la del MLP (64 filas)."""
    if numba.config.NUMBA_NUM_THREADS < 2:
        import pytest
        pytest.skip("hacen falta 2 hilos de numba")
    rng = np.random.default_rng(7)
    threads = numba.get_num_threads()
    try:
        for m, k, n in ((2048, 128, 384), (2048, 512, 128), (2048, 128, 90), (64, 784, 128), (1, 2048, 3000)):
            a = rng.standard_normal((m, k)).astype(np.float32)
            b = rng.standard_normal((n, k)).astype(np.float32).T
            res = []
            for t in (1, 2):
                numba.set_num_threads(t)
                res.append(gemm.matmul(a, b))
            assert np.array_equal(*res), (m, k, n)
            np.testing.assert_allclose(res[0], a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)
        a3 = rng.standard_normal((3, 300, 64)).astype(np.float32)
        b3 = rng.standard_normal((3, 64, 200)).astype(np.float32)
        res = []
        for t in (1, 2):
            numba.set_num_threads(t)
            res.append(gemm.matmul(a3, b3))
        assert np.array_equal(*res)
    finally:
        numba.set_num_threads(threads)
