"""BatchNorm en un nodo (``ops/normalization.py`` sobre ``kernels/normalization.py``): derivadas contra
diferencias finitas, estadísticas acumuladas como PyTorch, la misma salida para la misma entrada y,
con torch, los mismos valores que ``torch.nn.functional.batch_norm``."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
import tinygrad_es.nn.functional as F
from tinygrad_es import nn
from tinygrad_es.ops.normalization import BatchNorm

from helpers import check, leaf


@given(st.integers(2, 4), st.integers(1, 3), st.lists(st.integers(1, 3), max_size=2), st.booleans(),
       st.booleans(), st.integers(0, 2 ** 31 - 1))
def test_gradcheck_train_and_eval(n, c, rest, training, affine, seed):
    rng = np.random.default_rng(seed)
    shape = (n, c) + tuple(rest)
    x = rng.standard_normal(shape) * 2 + rng.standard_normal((1, c) + (1,) * len(rest)) * 5
    rm, rv = rng.standard_normal(c), rng.random(c) + 0.5
    if affine:
        check(lambda x, w, b: F.batch_norm(x, tg.tensor(rm), tg.tensor(rv), w, b, training=training),
              x, rng.standard_normal(c), rng.standard_normal(c))
    else:
        check(lambda x: F.batch_norm(x, tg.tensor(rm), tg.tensor(rv), training=training), x)


def test_gradcheck_weight_without_bias():
    rng = np.random.default_rng(3)
    check(lambda x, w: F.batch_norm(x, None, None, w, None, training=True), rng.standard_normal((5, 2, 3)),
          rng.standard_normal(2))


def test_matches_composed_formula_and_updates_running_stats():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3, 4, 5)) * 3 + 7
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 1
    m_rm, m_rv = tg.tensor(rm.copy()), tg.tensor(rv.copy())
    y = F.batch_norm(leaf(x), m_rm, m_rv, leaf(w), leaf(b), training=True, momentum=0.3, eps=1e-3)
    mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    ref = (x - mu[:, None, None]) / np.sqrt(var[:, None, None] + 1e-3) * w[:, None, None] + b[:, None, None]
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-12, atol=1e-12)
    m = x.size // 3
    np.testing.assert_allclose(m_rm.numpy(), 0.7 * rm + 0.3 * mu, rtol=1e-13)
    np.testing.assert_allclose(m_rv.numpy(), 0.7 * rv + 0.3 * var * m / (m - 1), rtol=1e-13)
    ye = F.batch_norm(leaf(x), m_rm, m_rv, leaf(w), leaf(b), training=False, eps=1e-3)
    ref_e = (x - m_rm.numpy()[:, None, None]) / np.sqrt(m_rv.numpy()[:, None, None] + 1e-3) * w[:, None, None] \
        + b[:, None, None]
    np.testing.assert_allclose(ye.numpy(), ref_e, rtol=1e-12, atol=1e-12)


def test_running_stats_bump_version_and_keep_dtype():
    bn = nn.BatchNorm2d(2)
    v0 = bn.running_mean._version
    bn(tg.tensor(np.random.default_rng(0).random((3, 2, 2, 2), dtype=np.float32)))
    assert bn.running_mean._version == v0 + 1
    assert bn.running_mean.dtype == tg.float32 and bn.running_var.dtype == tg.float32
    assert int(bn.num_batches_tracked) == 1


def test_large_mean_small_spread_float32_is_correctly_rounded():
    """Media 1000 y desviación 10⁻²: la fórmula de una pasada E[x²] − E[x]² en float32 da basura (hasta
    varianza negativa); con dos pasadas y sumas en float64 la salida float32 está a medio ulp del
    resultado exacto."""
    rng = np.random.default_rng(1)
    x64 = 1000 + 1e-2 * rng.standard_normal((64, 4, 8, 8))
    x32 = x64.astype(np.float32)
    y32 = F.batch_norm(tg.tensor(x32), None, None, training=True).numpy()
    x = x32.astype(np.float64)  # la entrada que de verdad recibe, sin redondeo adicional
    mu, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    exact = (x - mu) / np.sqrt(var + 1e-5)
    err = np.abs(y32 - exact) / np.spacing(np.abs(exact).astype(np.float32))
    assert err.max() <= 0.5 + 1e-6


def test_equal_inputs_give_equal_outputs():
    """Dos elementos iguales del mismo canal dan exactamente la misma salida y el mismo gradiente
    si su ∂L/∂y es igual: un empate de max-pooling después sigue siendo un empate."""
    rng = np.random.default_rng(2)
    x = rng.random((4, 3, 9, 9)).astype(np.float32)
    x[:, :, 5:, :] = x[:, :, :4, :]  # filas repetidas
    y = F.batch_norm(tg.tensor(x), None, None, tg.tensor(rng.random(3, dtype=np.float32)),
                     tg.tensor(rng.random(3, dtype=np.float32)), training=True).numpy()
    assert np.array_equal(y[:, :, 5:, :], y[:, :, :4, :])


def test_wrong_parameter_size_is_refused():
    with pytest.raises(RuntimeError, match="3 elementos"):
        F.batch_norm(tg.tensor(np.ones((2, 3), np.float32)), None, None, tg.ones(4), training=True)


def test_function_returns_one_gradient_per_tensor_input():
    x = leaf(np.random.default_rng(0).standard_normal((4, 2)), grad=True)
    b = leaf(np.zeros(2), grad=True)
    y = BatchNorm.apply(x, None, b, training=True)
    y.sum().backward()
    assert x.grad.shape == (4, 2) and b.grad.shape == (2,)
    np.testing.assert_allclose(b.grad.numpy(), [4.0, 4.0])


def test_like_torch_float32_values_and_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for shape in [(16, 8, 6, 6), (32, 5), (8, 4, 10)]:
        c = shape[1]
        x = (rng.random(shape) * 3 + 2).astype(np.float32)
        w, b = rng.standard_normal(c).astype(np.float32), rng.standard_normal(c).astype(np.float32)
        g = rng.standard_normal(shape).astype(np.float32)
        outs = {}
        for lib, mk in (("torch", torch.tensor), ("tg", tg.tensor)):
            xt, wt, bt = (mk(a.copy(), requires_grad=True) for a in (x, w, b))
            rm, rv = mk(np.zeros(c, np.float32)), mk(np.ones(c, np.float32))
            y = F_of(lib, torch).batch_norm(xt, rm, rv, wt, bt, True, 0.1, 1e-5)
            y.backward(mk(g))
            outs[lib] = [a.detach().numpy() for a in (y, xt.grad, wt.grad, bt.grad, rm, rv)]
        for a, r in zip(outs["tg"], outs["torch"]):
            np.testing.assert_allclose(a, r, rtol=2e-5, atol=2e-5)


def F_of(lib, torch):
    return torch.nn.functional if lib == "torch" else F


@pytest.mark.parametrize("shape", [(16, 8, 40), (6, 130, 9), (8, 5, 1)])
def test_kernels_split_by_channel_same_bits_with_1_or_2_threads(shape):
    """Forward y backward de entrenamiento reparten canales (o bloques de canales con filas cortas) entre
    hilos de Python y cada canal lo suma un solo hilo: los mismos bits con 1 y 2 hilos."""
    import numba
    from tinygrad_es.kernels import normalization as KN

    assert KN.batch_norm_train_forward.chunked and KN.batch_norm_backward.chunked
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(shape) * 2 + 7).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    c = shape[1]
    gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
    before = numba.get_num_threads()
    res = []
    try:
        for nt in (1, 2):
            numba.set_num_threads(min(nt, numba.config.NUMBA_NUM_THREADS))
            mean, var, invstd, out = np.empty(c), np.empty(c), np.empty(c), np.empty_like(x)
            KN.batch_norm_train_forward(x, 1e-5, gamma, beta, mean, var, invstd, out)
            dx, dgamma, dbeta = np.empty_like(x), np.empty(c), np.empty(c)
            KN.batch_norm_backward(g, x, mean, invstd, gamma, True, True, dx, dgamma, dbeta)
            res.append((mean, var, out, dx, dgamma, dbeta))
    finally:
        numba.set_num_threads(before)
    for a, b in zip(*res):
        assert np.array_equal(a, b)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(res[0][0], x64.mean(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(res[0][1], x64.var(axis=(0, 2)), rtol=1e-10)
