"""``InstanceNorm1d/2d/3d`` y ``LazyInstanceNorm*``: valores, gradientes y estadísticas acumuladas contra
PyTorch (si está), gradiente float64 contra diferencias centrales, entradas sin lote, ``repr``,
``state_dict``, el aviso y los errores."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinygrad_es import nn
from helpers import check, leaf

rng = np.random.default_rng(0)
SPATIAL = {1: (5,), 2: (3, 4), 3: (2, 3, 2)}


def _pair(torch, n, **kw):
    ours, ref = getattr(nn, f"InstanceNorm{n}d")(3, **kw), getattr(torch.nn, f"InstanceNorm{n}d")(3, **kw)
    if ours.affine:
        w, b = rng.standard_normal(3), rng.standard_normal(3)
        for m in (ours, ref):
            m.weight.data = type(m.weight.data)(w).to(m.weight.dtype) if m is ref else leaf(w.astype(np.float32))
            m.bias.data = torch.tensor(b, dtype=torch.float32) if m is ref else leaf(b.astype(np.float32))
    return ours, ref


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kw", [{}, {"affine": True}, {"track_running_stats": True},
                                {"affine": True, "track_running_stats": True, "momentum": 0.3}])
@pytest.mark.parametrize("batched", [True, False])
def test_like_torch(n, kw, batched):
    torch = pytest.importorskip("torch")
    ours, ref = _pair(torch, n, **kw)
    assert repr(ours) == repr(ref) and list(ours.state_dict()) == list(ref.state_dict())
    shape = ((2,) if batched else ()) + (3,) + SPATIAL[n]
    for train in (True, True, False):
        ours.train(train), ref.train(train)
        x = rng.standard_normal(shape).astype(np.float32)
        xt, rt = leaf(x, grad=True), torch.tensor(x, requires_grad=True)
        y, r = ours(xt), ref(rt)
        np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-5, atol=1e-5)
        g = rng.standard_normal(shape).astype(np.float32)
        y.backward(leaf(g)), r.backward(torch.tensor(g))
        np.testing.assert_allclose(xt.grad.numpy(), rt.grad.numpy(), rtol=1e-4, atol=1e-4)
        for k, v in ref.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


@given(n=st.integers(1, 3), affine=st.booleans(), batch=st.integers(1, 2), size=st.integers(2, 3))
def test_gradcheck_float64(n, affine, batch, size):
    m = getattr(nn, f"InstanceNorm{n}d")(2, affine=affine).double()
    x = rng.standard_normal((batch, 2) + (size,) * n)
    if affine:
        check(lambda t, w, b: nn.functional.instance_norm(t, weight=w, bias=b), x, rng.standard_normal(2),
              rng.standard_normal(2))
    check(lambda t: m(t), x)


def test_defaults_state_and_repr():
    m = nn.InstanceNorm2d(4)
    assert (m.affine, m.track_running_stats, m.weight, m.running_mean) == (False, False, None, None)
    assert m.state_dict() == {}
    assert repr(m) == "InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)"
    m = nn.InstanceNorm1d(3, track_running_stats=True)
    assert list(m.state_dict()) == ["running_mean", "running_var", "num_batches_tracked"]
    m(leaf(rng.standard_normal((2, 3, 4)).astype(np.float32)))
    assert int(m.num_batches_tracked) == 0  # como PyTorch: instance_norm no lo cuenta


def test_wrong_channels_warn_or_raise_and_bad_rank():
    x = leaf(rng.standard_normal((2, 4, 5)).astype(np.float32))
    with pytest.warns(UserWarning, match="num_features"):
        nn.InstanceNorm1d(3)(x)
    with pytest.raises(ValueError, match="num_features = 3"):
        nn.InstanceNorm1d(3, affine=True)(x)
    with pytest.raises(ValueError, match="2-D o 3-D"):
        nn.InstanceNorm1d(4)(leaf(np.ones((2, 4, 5, 6), dtype=np.float32)))
    with pytest.raises(ValueError, match="más de un elemento"):
        nn.InstanceNorm1d(4)(leaf(np.ones((2, 4, 1), dtype=np.float32)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.InstanceNorm2d(4)(leaf(np.ones((4, 3, 3), dtype=np.float32))).shape == (4, 3, 3)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_lazy(n):
    m = getattr(nn, f"LazyInstanceNorm{n}d")()
    assert m.affine and m.track_running_stats and m.has_uninitialized_params()
    y = m(leaf(rng.standard_normal((2, 5) + SPATIAL[n]).astype(np.float32)))
    assert type(m) is getattr(nn, f"InstanceNorm{n}d") and m.num_features == 5 and m.weight.shape == (5,)
    assert y.shape == (2, 5) + SPATIAL[n] and m.running_mean.shape == (5,)
    m = getattr(nn, f"LazyInstanceNorm{n}d")(affine=False)
    m(leaf(rng.standard_normal((6,) + SPATIAL[n]).astype(np.float32)))  # sin lote: canales en el eje 0
    assert m.num_features == 6 and m.weight is None
