"""Pooling 1-D y de potencia: ``AdaptiveAvgPool1d``, ``AdaptiveMaxPool1d``, ``MaxUnpool1d``, ``LPPool1d/2d``
y las funciones ``*_with_indices``, ``max_unpool1d``, ``lp_pool1d/2d``: valores, índices y gradientes
contra PyTorch (si está), gradiente float64 contra diferencias centrales, ``repr`` y errores."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


def _distinct(shape, positive=False):
    x = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 + 0.05  # sin empates
    return x if positive else x - x.mean()


def _compare(ours, ref, x):
    torch = pytest.importorskip("torch")
    xt, rt = leaf(x, grad=True), torch.tensor(x, requires_grad=True)
    y, r = ours(xt), ref(rt)
    if isinstance(r, tuple):
        np.testing.assert_array_equal(y[1].numpy(), r[1].numpy())
        y, r = y[0], r[0]
    np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(tuple(r.shape))
    y.backward(leaf(g)), r.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), rt.grad.numpy(), rtol=1e-9, atol=1e-11)


MODULES = [lambda L: L.AdaptiveAvgPool1d(3), lambda L: L.AdaptiveAvgPool1d(1), lambda L: L.AdaptiveMaxPool1d(4),
           lambda L: L.AdaptiveMaxPool1d(3, return_indices=True), lambda L: L.LPPool1d(2, 3),
           lambda L: L.LPPool1d(1.5, 2, stride=1, ceil_mode=True), lambda L: L.LPPool1d(float("inf"), 2)]


@pytest.mark.parametrize("make", MODULES)
@pytest.mark.parametrize("batched", [True, False])
def test_1d_modules_like_torch(make, batched):
    torch = pytest.importorskip("torch")
    assert repr(make(nn)) == repr(make(torch.nn))
    x = _distinct((2, 3, 7) if batched else (3, 7), positive=True)
    _compare(make(nn), make(torch.nn), x)


@pytest.mark.parametrize("args", [(2, 2), (3, (2, 3), 1), (1.5, 2, (1, 2), True), (float("inf"), 3)])
def test_lp_pool2d_like_torch(args):
    torch = pytest.importorskip("torch")
    assert repr(nn.LPPool2d(*args)) == repr(torch.nn.LPPool2d(*args))
    _compare(nn.LPPool2d(*args), torch.nn.LPPool2d(*args), _distinct((2, 2, 6, 5), positive=True))


@pytest.mark.parametrize("name, args", [("max_pool1d_with_indices", (3, 2, 1)), ("max_pool2d_with_indices", (2,)),
                                        ("adaptive_max_pool1d_with_indices", (3,)),
                                        ("adaptive_max_pool2d_with_indices", ((2, 3),))])
def test_with_indices_always_return_both(name, args):
    torch = pytest.importorskip("torch")
    shape = (2, 3, 7) if "1d" in name else (2, 3, 6, 7)
    _compare(lambda t: getattr(F, name)(t, *args), lambda t: getattr(torch.nn.functional, name)(t, *args),
             _distinct(shape))


@pytest.mark.parametrize("k, s, p", [(2, None, 0), (3, 2, 1), (2, 1, 0)])
@pytest.mark.parametrize("batched", [True, False])
def test_max_unpool1d_like_torch(k, s, p, batched):
    torch = pytest.importorskip("torch")
    x = _distinct((2, 3, 8) if batched else (3, 8))
    y, idx = F.max_pool1d(leaf(x), k, s, p, return_indices=True)
    ty, tidx = torch.nn.functional.max_pool1d(torch.tensor(x), k, s, p, return_indices=True)
    ours, ref = nn.MaxUnpool1d(k, s, p), torch.nn.MaxUnpool1d(k, s, p)
    assert repr(ours) == repr(ref)
    _compare(lambda t: ours(t, idx), lambda t: ref(t, tidx), y.numpy())
    size = (x.shape[-1],)
    _compare(lambda t: F.max_unpool1d(t, idx, k, s, p, output_size=size),
             lambda t: torch.nn.functional.max_unpool1d(t, tidx, k, s, p, output_size=size), y.numpy())


@given(n=st.integers(4, 7), out=st.integers(1, 4), p=st.sampled_from([1.0, 2.0, 3.0]))
def test_gradcheck_float64(n, out, p):
    x = _distinct((2, 2, n), positive=True)
    check(lambda t: F.adaptive_avg_pool1d(t, out), x)
    check(lambda t: F.adaptive_max_pool1d(t, out), x)
    check(lambda t: F.lp_pool1d(t, p, 2, 1), x)
    check(lambda t: F.lp_pool2d(t, p, (2, 1)), x[:, None].repeat(2, axis=2) + x[:, None, :1])
    y, idx = F.max_pool1d(leaf(x), 2, return_indices=True)
    check(lambda t: F.max_unpool1d(t, idx, 2), y.numpy())


def test_errors():
    with pytest.raises(RuntimeError, match="output_size"):
        F.adaptive_max_pool1d(leaf(np.ones((1, 2, 4))), (2, 2))
    with pytest.raises(RuntimeError, match="índices"):
        F.max_unpool1d(leaf(np.ones((1, 1, 2))), leaf(np.array([[[0, 9]]])), 2)
    with pytest.raises(TypeError, match="norm_type"):
        F.lp_pool1d(leaf(np.ones((1, 1, 4))), "2", 2)
    with pytest.raises(RuntimeError):
        nn.AdaptiveAvgPool1d(2)(leaf(np.ones((1, 2, 3, 4))))
