"""El tanh de float32 (``kernels/activation.py``): correctamente redondeado, casos especiales como
``torch.tanh``, el mismo resultado con 1 y 2 hilos, y el backward igual bit a bit al de numpy."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_es.kernels import activation as KA


def _rounded_tanh(x):
    return np.tanh(x.astype(np.float64)).astype(np.float32)


def test_tanh_float32_is_correctly_rounded():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(100_000) * s for s in (1e-7, 1e-3, 0.1, 1.0, 3.0, 9.0, 30.0)])
    x = x.astype(np.float32)
    np.testing.assert_array_equal(KA.tanh(x), _rounded_tanh(x))


@given(hnp.arrays(np.float32, st.integers(KA.MIN_KERNEL, 3 * KA.MIN_KERNEL),
                  elements=st.floats(width=32, allow_nan=True, allow_infinity=True)))
def test_tanh_float32_any_value(x):
    """Subnormales, ±0 (con su signo), ±inf → ±1, NaN, valores enormes: lo que da float64 redondeado."""
    out = KA.tanh(x)
    ref = _rounded_tanh(x)
    np.testing.assert_array_equal(out, ref)
    num = ~np.isnan(ref)  # el signo de un NaN no significa nada
    assert np.array_equal(np.signbit(out[num]), np.signbit(ref[num]))


def test_tanh_special_values_like_torch():
    torch = pytest.importorskip("torch")
    x = np.zeros(KA.MIN_KERNEL, np.float32)
    x[:8] = [0.0, -0.0, np.inf, -np.inf, np.nan, 9.0, 9.02, -1e-40]
    out, ref = KA.tanh(x), torch.tanh(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(out, ref)
    num = ~np.isnan(ref)
    assert np.array_equal(np.signbit(out[num]), np.signbit(ref[num]))


def test_tanh_small_float64_and_strided_arrays_use_numpy():
    x64 = np.linspace(-3, 3, 5000)
    np.testing.assert_array_equal(KA.tanh(x64), np.tanh(x64))
    small = np.linspace(-3, 3, 10, dtype=np.float32)
    np.testing.assert_array_equal(KA.tanh(small), np.tanh(small))
    strided = np.linspace(-3, 3, 8000, dtype=np.float32)[::2]
    np.testing.assert_array_equal(KA.tanh(strided), np.tanh(strided))
    assert KA.tanh(np.zeros((3, 0), np.float32)).shape == (3, 0)


def test_tanh_backward_is_numpys_bit_for_bit():
    rng = np.random.default_rng(1)
    y = KA.tanh(rng.standard_normal((64, 6, 28, 28)).astype(np.float32))
    g = rng.standard_normal(y.shape).astype(np.float32)
    g.flat[:3] = [np.inf, np.nan, -0.0]
    np.testing.assert_array_equal(KA.tanh_backward(g, y), g * (1 - y * y))


def test_tanh_same_result_with_one_and_two_threads():
    import numba
    x = np.random.default_rng(2).standard_normal(5 * KA._BLOCK + 7).astype(np.float32)
    before = numba.get_num_threads()
    try:
        res = []
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            res.append(KA.tanh(x))
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(res[0], res[1])
