"""Max-pooling fraccionario (``F.fractional_max_pool2d/3d``, ``nn.FractionalMaxPool2d/3d``): los inicios de
las ventanas, valores, índices y gradientes bit a bit como PyTorch con las mismas ``_random_samples``, la
derivada contra diferencias finitas y los errores."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from tinygrad_es.nn.functional.fractional_pool import intervals
from helpers import check, leaf

POOLS = {2: F.fractional_max_pool2d, 3: F.fractional_max_pool3d}


# ---------------------------------------------------------------- sin PyTorch
def test_intervals_follow_atens_formula():
    u = np.array([0.0, 0.5, 0.999], np.float32)
    seq = intervals(u, 10, 4, 3)  # α = (10 − 3)/3
    alpha = np.float32(7) / np.float32(3)
    for p in range(3):
        want = [int((np.float32(i) + u[p]) * alpha) - int(u[p] * alpha) for i in range(3)] + [7]
        assert seq[p].tolist() == want
    assert intervals(u, 10, 1, 3).tolist() == [[7]] * 3  # una sola ventana: la del final
    assert (np.diff(intervals(np.float64([0.3]), 50, 20, 2), axis=1) >= 1).all()  # pasos de 2 o 3


def test_window_max_ties_nan_and_shape():
    x = tg.tensor([[[[1., 1., 0., 0.], [1., 1., 0., 0.], [0., 0., 2., 2.], [0., 0., 2., 2.]]]])
    out, idx = F.fractional_max_pool2d(x, 2, output_size=2, return_indices=True,
                                       _random_samples=tg.zeros(1, 1, 2))
    assert out.tolist() == [[[[1., 0.], [0., 2.]]]]
    assert idx.tolist() == [[[[0, 2], [8, 10]]]]  # el primer máximo en orden de lectura
    x = tg.tensor([[[[np.nan, 1., np.nan, 5.]]]])
    out, idx = F.fractional_max_pool2d(x, (1, 4), output_size=(1, 1), return_indices=True,
                                       _random_samples=tg.zeros(1, 1, 2))
    assert np.isnan(out.item()) and idx.item() == 2  # un nan gana, el último
    y = nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.7))(tg.randn(2, 3, 20, 10))
    assert tuple(y.shape) == (2, 3, 10, 7)
    assert tuple(F.fractional_max_pool3d(tg.randn(3, 6, 7, 8), 2, output_ratio=0.5).shape) == (3, 3, 3, 4)


def test_gradient_goes_to_the_winner_and_accumulates():
    x = tg.tensor([[[[0., 9., 0., 0., 0.]]]], requires_grad=True)
    out = F.fractional_max_pool2d(x, (1, 3), output_size=(1, 3), _random_samples=tg.zeros(1, 1, 2))
    out.sum().backward()
    assert out.tolist() == [[[[9., 9., 0.]]]] and x.grad.tolist() == [[[[0., 2., 1., 0., 0.]]]]


@settings(max_examples=8, deadline=None)
@given(st.sampled_from([2, 3]), st.integers(0, 10_000))
def test_gradient_matches_finite_differences(nd, seed):
    rng = np.random.default_rng(seed)
    shape = (2, 2) + tuple(int(s) for s in rng.integers(4, 7, nd))
    x = rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape) / 7  # sin empates
    u = leaf(rng.random((2, 2, nd)))
    check(lambda a: POOLS[nd](a, 2, output_size=2, _random_samples=u), x)


def test_layers_keep_their_samples_and_check_arguments():
    u = tg.rand(1, 2, 2)
    pool = nn.FractionalMaxPool2d(2, output_size=3, return_indices=True, _random_samples=u)
    assert list(pool.state_dict()) == ["_random_samples"] and repr(pool) == "FractionalMaxPool2d()"
    x = tg.randn(1, 2, 7, 7)
    a, b = pool(x), pool(x)
    assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
    assert list(nn.FractionalMaxPool3d(2, output_size=3).state_dict()) == []
    with pytest.raises(ValueError, match=r"\(output_size\) o la proporción"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="no los dos"):
        nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5)
    with pytest.raises(ValueError, match="entre 0 y 1"):
        nn.FractionalMaxPool3d(2, output_ratio=1.5)
    with pytest.raises(ValueError, match="mayor que 0"):
        nn.FractionalMaxPool3d(0, output_size=2)


@pytest.mark.parametrize("call,exc,msg", [
    (lambda x: F.fractional_max_pool2d(x, 3), ValueError, "output_size o output_ratio"),
    (lambda x: F.fractional_max_pool2d(x, 3, output_size=8), RuntimeError, "demasiado grande"),
    (lambda x: F.fractional_max_pool2d(x, 3, output_size=(4, 4, 4)), RuntimeError, "tupla de 2"),
    (lambda x: F.fractional_max_pool2d(x, (3, 3, 3), output_size=4), RuntimeError, "tupla de 2"),
    (lambda x: F.fractional_max_pool2d(x, 3, output_ratio=0.5), TypeError, "tupla"),
    (lambda x: F.fractional_max_pool2d(x, 3, output_ratio=(0.5,) * 3), ValueError, "tupla de 2"),
    (lambda x: F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=tg.rand(2, 3, 2, dtype=tg.float64)),
     RuntimeError, "dtype"),
    (lambda x: F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=tg.rand(1, 3, 2)), RuntimeError, "≥ 2"),
    (lambda x: F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=tg.rand(2, 3)), RuntimeError, "3-D"),
    (lambda x: F.fractional_max_pool2d(x[0, 0], 3, output_size=4), IndexError, "canales"),
    (lambda x: F.fractional_max_pool2d(x[:, :0], 3, output_size=4), RuntimeError, "tamaño 0"),
    (lambda x: F.fractional_max_pool2d(x.long(), 3, output_size=4), NotImplementedError, "coma flotante"),
    (lambda x: F.fractional_max_pool3d(x.unsqueeze(2).expand(2, 3, 6, 9, 9), 3, output_size=4), RuntimeError,
     "demasiado grande"),
])
def test_bad_input(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(tg.randn(2, 3, 9, 9))


# ---------------------------------------------------------------- contra PyTorch
@pytest.mark.torch
@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_same_samples_give_torchs_values_indices_and_gradients(nd, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(nd)
    for trial in range(12):
        spatial = tuple(int(s) for s in rng.integers(4, 13, nd))
        kernel = tuple(int(rng.integers(1, min(4, s - 1) + 1)) for s in spatial)
        outs = tuple(int(rng.integers(1, s - k + 2 - (nd == 3))) for s, k in zip(spatial, kernel))
        x = rng.standard_normal((2, 3) + spatial).astype(dtype)
        if trial % 3 == 0:
            x = np.round(x)  # empates
        if trial % 4 == 0:
            x.flat[rng.integers(0, x.size, 3)] = np.nan
        u = rng.random((2, 3, nd)).astype(dtype)
        if trial == 5:
            u[:] = np.array(0.99999, dtype)
        tf = getattr(torch.nn.functional, f"fractional_max_pool{nd}d")
        xt = torch.tensor(x, requires_grad=dtype != "float16")
        xg = leaf(x, grad=dtype != "float16")
        yt, it = tf(xt, kernel, outs, return_indices=True, _random_samples=torch.tensor(u))
        yg, ig = POOLS[nd](xg, kernel, outs, return_indices=True, _random_samples=leaf(u))
        assert str(yg.dtype) == str(yt.dtype) and str(ig.dtype) == str(it.dtype)
        assert ig.tolist() == it.tolist()
        np.testing.assert_array_equal(yg.detach().numpy(), yt.detach().numpy())
        if dtype != "float16":
            w = rng.standard_normal(tuple(yt.shape)).astype(dtype)
            (yt * torch.tensor(w)).sum().backward()
            (yg * leaf(w)).sum().backward()
            np.testing.assert_array_equal(xg.grad.numpy(), xt.grad.numpy())


@pytest.mark.torch
def test_unbatched_ratio_and_layers_like_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((3, 11, 9)).astype(np.float32)
    u = np.random.default_rng(1).random((1, 3, 2)).astype(np.float32)
    yt = torch.nn.FractionalMaxPool2d((2, 3), output_ratio=(0.6, 0.5), _random_samples=torch.tensor(u))(
        torch.tensor(x))
    yg = nn.FractionalMaxPool2d((2, 3), output_ratio=(0.6, 0.5), _random_samples=tg.tensor(u))(tg.tensor(x))
    np.testing.assert_array_equal(yg.numpy(), yt.numpy())
    x3 = np.random.default_rng(2).standard_normal((2, 7, 8, 9))
    u3 = np.random.default_rng(3).random((1, 2, 3))
    pt = torch.nn.FractionalMaxPool3d(2, output_ratio=0.5, return_indices=True, _random_samples=torch.tensor(u3))
    pg = nn.FractionalMaxPool3d(2, output_ratio=0.5, return_indices=True, _random_samples=tg.tensor(u3))
    (a, i), (b, j) = pt(torch.tensor(x3)), pg(tg.tensor(x3))
    assert j.tolist() == i.tolist() and b.tolist() == a.tolist()
    assert tuple(F.fractional_max_pool2d(tg.randn(0, 3, 9, 9), 3, output_size=4).shape) == \
        tuple(torch.nn.functional.fractional_max_pool2d(torch.randn(0, 3, 9, 9), 3, output_size=4).shape)
    assert tuple(F.fractional_max_pool2d(tg.randn(2, 3, 9, 9), 3, output_size=0).shape) == (2, 3, 0, 0)
