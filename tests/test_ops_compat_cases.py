"""Casos de la tarjeta OpInfo (``docs/compatibilidad.md``) que fallaban, comprobados sin torch contra
lo que da PyTorch 2.13 (escrito a mano y razonado): sobrecargas posicionales (``std(x, True)``),
índices como tensor 0-D, ejes de tamaño 1 que se difunden en ``tensordot``, lotes vacíos e
``instance_norm`` con estadísticas acumuladas, y la precisión de ``logcumsumexp`` con valores grandes.
La comparación con torch misma está en ``tests/test_compat_opinfo.py``."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check, leaf
from strategies import arrays, small_shapes

F = tg.nn.functional


def test_std_var_positional_unbiased():
    a = np.arange(6.0).reshape(2, 3) ** 2
    x = leaf(a)
    # torch.std(x, True) es la sobrecarga std(input, unbiased): reduce todo
    np.testing.assert_allclose(tg.std(x, True).item(), np.std(a, ddof=1))
    np.testing.assert_allclose(tg.var(x, False).item(), np.var(a))
    np.testing.assert_allclose(x.var(True).item(), np.var(a, ddof=1))
    np.testing.assert_allclose(tg.std(x, 1, True).numpy(), np.std(a, 1, ddof=1))  # std(x, dim, unbiased)
    with pytest.raises(TypeError):
        x.std(True, False)


def test_tensor_split_tensor_indices():
    x = tg.arange(7)
    assert [t.tolist() for t in x.tensor_split(tg.tensor(3))] == [[0, 1, 2], [3, 4], [5, 6]]
    assert [t.tolist() for t in tg.tensor_split(x, tg.tensor([2, 5]))] == [[0, 1], [2, 3, 4], [5, 6]]
    with pytest.raises(RuntimeError):
        x.tensor_split(tg.tensor(2.0))
    with pytest.raises(RuntimeError):
        x.tensor_split(tg.tensor([[1]]))


def test_tensordot_broadcasts_size_one_axes():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((1, 3, 1)), rng.standard_normal((2, 3, 4))
    # el eje de tamaño 1 de a se contrae con uno de tamaño 2 de b: b se suma sobre él (PyTorch)
    got = tg.tensordot(leaf(a), leaf(b), dims=([0, 1], [0, 1]))
    np.testing.assert_allclose(got.numpy(), np.tensordot(a, b.sum(0, keepdims=True), axes=([0, 1], [0, 1])))
    check(lambda p, q: tg.tensordot(p, q, dims=[[0, 1], [2, 1]]), rng.standard_normal((1, 3, 2)),
          rng.standard_normal((2, 3, 4)))
    with pytest.raises(RuntimeError):
        tg.tensordot(leaf(a), leaf(b), dims=([1], [2]))


def test_batch_norm_empty_1d():
    x = tg.zeros(0, requires_grad=True)
    y = F.batch_norm(x, tg.zeros(0), tg.zeros(0), training=True)
    assert y.shape == (0,) and y.requires_grad and y.dtype == tg.float32
    with pytest.raises(RuntimeError):
        F.batch_norm(tg.zeros(0), tg.zeros(3), tg.zeros(3))


def _instance_ref(a, rm, rv, momentum, eps):
    mu, var = a.mean(2), a.var(2)
    y = (a - mu[..., None]) / np.sqrt(var[..., None] + eps)
    return y, (1 - momentum) * rm + momentum * mu.mean(0), (1 - momentum) * rv + momentum * a.var(2, ddof=1).mean(0)


def test_instance_norm_running_stats():
    a = np.random.default_rng(1).standard_normal((3, 2, 4))
    rm, rv = leaf(np.zeros(2)), leaf(np.ones(2))
    y = F.instance_norm(leaf(a), rm, rv, momentum=0.3, eps=1e-5)
    ry, rrm, rrv = _instance_ref(a, np.zeros(2), np.ones(2), 0.3, 1e-5)
    np.testing.assert_allclose(y.numpy(), ry, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rm.numpy(), rrm, rtol=1e-14)
    np.testing.assert_allclose(rv.numpy(), rrv, rtol=1e-14)
    # con use_input_stats=False normaliza con las acumuladas (y no las toca)
    y2 = F.instance_norm(leaf(a), rm, rv, use_input_stats=False, eps=0.0)
    np.testing.assert_allclose(y2.numpy(), (a - rrm[:, None]) / np.sqrt(rrv[:, None]), rtol=1e-12)
    np.testing.assert_allclose(rm.numpy(), rrm, rtol=1e-14)
    with pytest.raises(RuntimeError):
        F.instance_norm(leaf(a), use_input_stats=False)
    with pytest.raises(ValueError):
        F.instance_norm(leaf(a[..., :1]), rm, rv)


@given(data=st.data())
def test_instance_norm_running_stats_gradient(data):
    shape = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(2, 4)))
    a = data.draw(arrays(shape))
    w, b = data.draw(arrays((shape[1],))), data.draw(arrays((shape[1],)))
    check(lambda x, g, c: F.instance_norm(x, leaf(np.zeros(shape[1])), leaf(np.ones(shape[1])), g, c), a, w, b)
    check(lambda x, g, c: F.instance_norm(x, leaf(np.zeros(shape[1])), leaf(np.ones(shape[1]) + 0.5), g, c,
                                          use_input_stats=False), a, w, b)


def test_normal_number_mean_creation_kwargs():
    t = tg.normal(1.6, 0.3, (2, 3), dtype=tg.float64, device="cpu", requires_grad=True)
    assert t.shape == (2, 3) and t.dtype == tg.float64 and t.requires_grad
    with pytest.raises(RuntimeError):
        tg.zeros(3).normal_(0.0, -1.0)


def test_logcumsumexp_precise_with_large_values():
    # con ±1e4 el float32 pierde cifras; PyTorch acumula en double en CPU y el gradiente también
    a = np.array([1e4, -1e4, 1e4 + 0.5, 3.0, 1e4 - 1.0], np.float32)
    x = leaf(a, grad=True)
    g = np.array([0.3, -1.2, 0.7, 2.0, -0.4], np.float32)
    x.logcumsumexp(0).backward(tg.tensor(g))
    a64, g64 = a.astype(np.float64), g.astype(np.float64)
    y64 = np.logaddexp.accumulate(a64)
    np.testing.assert_allclose(x.detach().logcumsumexp(0).numpy(), y64.astype(np.float32), rtol=0, atol=0)
    ref = np.array([np.sum(g64[i:] * np.exp(a64[i] - y64[i:])) for i in range(5)])
    np.testing.assert_allclose(x.grad.numpy(), ref, atol=3e-3)


@given(data=st.data())
def test_logcumsumexp_gradient(data):
    shape = data.draw(small_shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    check(lambda x: x.logcumsumexp(dim), data.draw(arrays(shape)))
