"""``RReLU``/``F.rrelu``, las activaciones in situ (``elu_``, ``celu_``, ``selu_``, ``hardtanh_``,
``threshold_``, ``rrelu_``) y ``AlphaDropout``/``FeatureAlphaDropout``: valores y gradientes contra PyTorch
(si está) donde no hay azar, propiedades donde lo hay, gradiente float64 contra diferencias centrales."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


@pytest.mark.parametrize("name, args", [("elu_", (0.7,)), ("celu_", (1.3,)), ("selu_", ()), ("hardtanh_", (-0.5, 0.8)),
                                        ("threshold_", (0.1, -3.0)), ("rrelu_", (0.1, 0.3))])
def test_inplace_variants_like_torch(name, args):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(7)
    ours, ref = leaf(x), torch.tensor(x)
    out, tout = getattr(F, name)(ours, *args), getattr(torch.nn.functional, name)(ref, *args)
    assert out is ours
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)


def test_rrelu_eval_like_torch_and_module_repr():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4))
    for lo, hi in [(0.125, 1 / 3), (0.0, 0.5)]:
        m, tm = nn.RReLU(lo, hi).eval(), torch.nn.RReLU(lo, hi).eval()
        assert repr(m) == repr(tm) and repr(nn.RReLU(inplace=True)) == repr(torch.nn.RReLU(inplace=True))
        xt, rt = leaf(x, grad=True), torch.tensor(x, requires_grad=True)
        y, r = m(xt), tm(rt)
        np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-12)
        y.sum().backward(), r.sum().backward()
        np.testing.assert_allclose(xt.grad.numpy(), rt.grad.numpy(), rtol=1e-12)


def test_rrelu_training_random_slopes_and_their_gradient():
    x = leaf(rng.standard_normal(2000), grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    xd, yd, g = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()
    neg = xd < 0
    slopes = yd[neg] / xd[neg]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03  # aleatorias, en [lower, upper]
    np.testing.assert_allclose(g[neg], slopes, rtol=1e-6)  # ∂/∂x = la misma pendiente del forward
    np.testing.assert_array_equal(yd[~neg], xd[~neg]), np.testing.assert_array_equal(g[~neg], 1.0)
    m = nn.RReLU(0.1, 0.3)
    assert not np.allclose(m(leaf(-np.ones(50))).numpy(), -0.2)  # entrenando: aleatoria
    assert np.allclose(m.eval()(leaf(-np.ones(50))).numpy(), -0.2)


@given(n=st.integers(1, 6), training=st.booleans())
def test_rrelu_gradcheck_float64(n, training):
    x = rng.standard_normal((2, n))
    x[np.abs(x) < 0.05] = 0.5

    def f(t):
        tg.manual_seed(3)  # la misma pendiente en cada evaluación de las diferencias
        return F.rrelu(t, 0.2, 0.4, training=training)
    check(f, x)


def test_rrelu_errors():
    with pytest.raises(RuntimeError, match="lower"):
        F.rrelu(leaf(np.ones(3)), 0.5, 0.1, training=True)
    with pytest.raises(RuntimeError):
        F.rrelu(leaf(np.ones(3, dtype=np.int64)))


def test_alpha_dropout_constants_like_torch():
    torch = pytest.importorskip("torch")
    for p in (0.2, 0.5):
        ours = np.unique(F.alpha_dropout(leaf(np.zeros(4000)), p, training=True).numpy())
        ref = np.unique(torch.nn.functional.alpha_dropout(torch.zeros(4000, dtype=torch.float64), p, True).numpy())
        np.testing.assert_allclose(ours, ref, rtol=1e-12)  # los dos valores: conservado y anulado
        x = rng.standard_normal((3, 4, 5))
        ours = F.feature_alpha_dropout(leaf(x), p, training=True).numpy()
        per_channel = ours - x[..., :1] * 0  # cada (n, c) entero: conservado (a·x + b) o anulado (constante)
        assert all(np.ptp(per_channel[i, j]) == 0 or np.allclose(np.diff(per_channel[i, j]) / np.diff(x[i, j]),
                                                                   np.diff(per_channel[i, j])[0] / np.diff(x[i, j])[0])
                   for i in range(3) for j in range(4))
        assert repr(nn.AlphaDropout(p)) == repr(torch.nn.AlphaDropout(p))
        assert repr(nn.FeatureAlphaDropout(p, True)) == repr(torch.nn.FeatureAlphaDropout(p, True))


def test_alpha_dropout_keeps_mean_and_variance_and_eval_is_identity():
    x = tg.randn(200000)
    for f in (lambda t: F.alpha_dropout(t, 0.3, True), lambda t: F.feature_alpha_dropout(t.reshape(2000, 100), 0.3,
                                                                                          True)):
        y = f(x).numpy()
        assert abs(y.mean()) < 0.03 and abs(y.std() - 1) < 0.03
    for m in (nn.AlphaDropout(0.4), nn.FeatureAlphaDropout(0.4)):
        z = leaf(rng.standard_normal((2, 3, 4)).astype(np.float32))
        assert m.eval()(z) is z or np.array_equal(m.eval()(z).numpy(), z.numpy())
    assert np.all(F.alpha_dropout(leaf(np.ones(5)), 1.0, True).numpy() == 0)
    with pytest.raises(RuntimeError, match="2 ejes"):
        F.feature_alpha_dropout(leaf(np.ones(5)), 0.5, True)
    with pytest.raises(ValueError):
        nn.AlphaDropout(1.5)


@given(p=st.sampled_from([0.2, 0.5]), feature=st.booleans())
def test_alpha_dropout_gradcheck_float64(p, feature):
    x = rng.standard_normal((3, 4, 2))

    def f(t):
        return (F.feature_alpha_dropout if feature else F.alpha_dropout)(t, p, True, generator=np.random.default_rng(7))
    check(f, x)
