"""Muestreo (``multinomial``, ``bernoulli``, ``normal``, ``new_*``) y ``torch.distributions``
(Categorical, Bernoulli, Normal, kl_divergence): frecuencias con un generador fijo (sin
azar en el test), fórmulas, gradientes y, si PyTorch está, los mismos valores que PyTorch."""
import math

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import distributions as D
from tinygrad_es.gradcheck import gradcheck


def gen(seed=0):
    return tg.Generator().manual_seed(seed)


def test_multinomial_with_replacement_frequencies():
    p = tg.tensor([0.1, 0.6, 0.0, 0.3])
    s = tg.multinomial(p, 20000, replacement=True, generator=gen()).numpy()
    assert s.dtype == np.int64 and s.shape == (20000,)
    freq = np.bincount(s, minlength=4) / s.size
    np.testing.assert_allclose(freq, [0.1, 0.6, 0.0, 0.3], atol=0.015)
    # pesos sin normalizar y por filas
    w = tg.tensor([[1.0, 3.0], [5.0, 0.0]])
    s2 = w.multinomial(4000, True, generator=gen(1)).numpy()
    assert s2.shape == (2, 4000) and abs(s2[0].mean() - 0.75) < 0.03 and np.all(s2[1] == 0)
    # el mismo generador con la misma semilla da lo mismo
    np.testing.assert_array_equal(tg.multinomial(p, 50, True, generator=gen(5)).numpy(),
                                  tg.multinomial(p, 50, True, generator=gen(5)).numpy())


def test_multinomial_without_replacement():
    p = tg.tensor([0.0, 1.0, 0.0, 2.0])
    for seed in range(20):
        s = tg.multinomial(p, 4, generator=gen(seed)).tolist()
        assert sorted(s) == [0, 1, 2, 3] and set(s[:2]) == {1, 3} and s[2:] == [0, 2]
    # el primero elegido sigue las probabilidades (la "carrera de exponenciales")
    firsts = [tg.multinomial(tg.tensor([1.0, 3.0]), 1, generator=gen(k)).item() for k in range(2000)]
    assert abs(np.mean(firsts) - 0.75) < 0.04


@pytest.mark.parametrize("call, words", [
    (lambda: tg.multinomial(tg.tensor([0.0, 1.0, 1.0]), 4), "sin reemplazo"),
    (lambda: tg.multinomial(tg.tensor([0.0, 0.0]), 1), "≤ 0"),
    (lambda: tg.multinomial(tg.tensor([-1.0, 1.0]), 1), "< 0"),
    (lambda: tg.multinomial(tg.tensor([math.nan, 1.0]), 1), "nan"),
    (lambda: tg.multinomial(tg.tensor([1.0, 1.0]), 0), "> 0"),
    (lambda: tg.multinomial(tg.ones(2, 2, 2), 1), "1-D"),
    (lambda: tg.multinomial(tg.tensor([1, 2]), 1), "coma flotante"),
    (lambda: tg.bernoulli(tg.tensor([0.0, 1.5])), "[0, 1]"),
    (lambda: tg.normal(0.0, -1.0, size=(2,)), "std"),
])
def test_sampling_errors(call, words):
    with pytest.raises(RuntimeError) as e:
        call()
    assert words in str(e.value)


def test_bernoulli_normal_and_new_factories():
    b = tg.bernoulli(tg.full((10000,), 0.3), generator=gen())
    assert b.dtype == tg.float32 and abs(float(b.mean()) - 0.3) < 0.02
    z = tg.normal(tg.zeros(20000), 2.0, generator=gen())
    assert abs(float(z.mean())) < 0.05 and abs(float(z.std()) - 2.0) < 0.05
    assert tuple(tg.normal(1.0, 0.5, size=(3, 2)).shape) == (3, 2)
    x = tg.ones(3, dtype=tg.float64)
    assert x.new_zeros(2, 3).dtype == tg.float64 and tuple(x.new_ones((4,)).shape) == (4,)
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0] and x.new_tensor([1, 2]).dtype == tg.float64
    assert x.new_zeros(2, requires_grad=True).requires_grad
    e = tg.empty(50000).exponential_(2.0, generator=gen())
    assert abs(float(e.mean()) - 0.5) < 0.02
    y = tg.empty(10000).bernoulli_(0.25, generator=gen())
    assert abs(float(y.mean()) - 0.25) < 0.02


def test_categorical():
    logits = tg.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    d = D.Categorical(logits=logits)
    assert tuple(d.batch_shape) == (2,) and tuple(d.event_shape) == () and tuple(d.sample((5,)).shape) == (5, 2)
    lse = np.log(np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(d.log_prob(tg.tensor([2, 1])).numpy(), [3 - lse, -math.log(3)], rtol=1e-6)
    p = np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum()
    np.testing.assert_allclose(d.entropy().numpy(), [-(p * np.log(p)).sum(), math.log(3)], rtol=1e-6)
    np.testing.assert_allclose(d.probs.numpy()[0], p, rtol=1e-6)
    assert d.mode.tolist() == [2, 0] and np.all(np.isnan(d.mean.numpy()))
    dp = D.Categorical(probs=tg.tensor([2.0, 6.0]))  # se normaliza
    np.testing.assert_allclose(dp.probs.numpy(), [0.25, 0.75])
    s = dp.sample((8000,)).numpy()
    assert abs(s.mean() - 0.75) < 0.03
    assert tuple(d.enumerate_support().shape) == (3, 2)
    with pytest.raises(ValueError, match="probs o logits"):
        D.Categorical()
    with pytest.raises(ValueError, match="Simplex"):
        D.Categorical(probs=tg.tensor([0.5, -0.1, 0.6]))
    with pytest.raises(ValueError, match="soporte"):
        dp.log_prob(tg.tensor(3))
    # aprender con máxima verosimilitud: el gradiente de −log p llega a los logits
    w = tg.zeros(3, requires_grad=True)
    (-D.Categorical(logits=w).log_prob(tg.tensor(1))).backward()
    np.testing.assert_allclose(w.grad.numpy(), [1 / 3, -2 / 3, 1 / 3], rtol=1e-6)


def test_bernoulli_distribution():
    d = D.Bernoulli(probs=tg.tensor([0.2, 0.9]))
    np.testing.assert_allclose(d.log_prob(tg.tensor([1.0, 0.0])).numpy(), np.log([0.2, 0.1]), rtol=1e-5)
    np.testing.assert_allclose(d.variance.numpy(), [0.16, 0.09], rtol=1e-6)
    ent = -(0.2 * np.log(0.2) + 0.8 * np.log(0.8))
    assert abs(float(d.entropy()[0]) - ent) < 1e-6
    assert tuple(d.sample((3,)).shape) == (3, 2)
    dl = D.Bernoulli(logits=tg.tensor([0.0, 1.0]))
    np.testing.assert_allclose(dl.probs.numpy(), [0.5, 1 / (1 + math.exp(-1))], rtol=1e-6)
    assert np.isnan(dl.mode.numpy()[0]) and dl.mode.numpy()[1] == 1
    with pytest.raises(ValueError, match="Boolean"):
        d.log_prob(tg.tensor([0.5, 1.0]))


def test_normal_and_reparametrisation():
    loc = tg.tensor([0.0, 1.0], dtype=tg.float64, requires_grad=True)
    scale = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    d = D.Normal(loc, scale)
    x = tg.tensor([0.5, -1.0], dtype=tg.float64)
    expect = -((x.numpy() - [0, 1]) ** 2) / (2 * np.array([1, 4.0])) - np.log([1, 2.0]) - 0.5 * math.log(2 * math.pi)
    np.testing.assert_allclose(d.log_prob(x).detach().numpy(), expect)
    np.testing.assert_allclose(d.entropy().detach().numpy(), 0.5 + 0.5 * math.log(2 * math.pi) + np.log([1, 2.0]))
    np.testing.assert_allclose(d.cdf(tg.tensor(1.0, dtype=tg.float64)).detach().numpy(), [0.841344746, 0.5],
                               rtol=1e-8)
    np.testing.assert_allclose(d.icdf(tg.tensor(0.975, dtype=tg.float64)).detach().numpy(),
                               [1.959963985, 1 + 2 * 1.959963985], rtol=1e-8)
    tg.manual_seed(0)
    r = d.rsample((5,))
    assert r.requires_grad and tuple(r.shape) == (5, 2) and not d.sample((5,)).requires_grad
    r.sum().backward()
    assert loc.grad.tolist() == [5.0, 5.0] and scale.grad is not None  # ∂(μ + σε)/∂μ = 1 por muestra
    gradcheck(lambda m, s: D.Normal(m, s).log_prob(x), [tg.tensor([0.3, -0.2]), tg.tensor([0.7, 1.5])])
    with pytest.raises(ValueError, match="GreaterThan"):
        D.Normal(0.0, -1.0)
    assert repr(D.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"


def test_kl_divergence_formulas():
    p, q = D.Normal(tg.tensor(1.0), tg.tensor(2.0)), D.Normal(tg.tensor(0.0), tg.tensor(1.0))
    assert abs(float(D.kl_divergence(p, q)) - (math.log(1 / 2) + (4 + 1) / 2 - 0.5)) < 1e-6
    a, b = D.Categorical(probs=tg.tensor([0.5, 0.5, 0.0])), D.Categorical(probs=tg.tensor([0.25, 0.25, 0.5]))
    assert abs(float(D.kl_divergence(a, b)) - math.log(2)) < 1e-6
    assert float(D.kl_divergence(b, a)) == math.inf
    with pytest.raises(NotImplementedError):
        D.kl_divergence(p, a)


def test_distributions_match_pytorch():
    torch = pytest.importorskip("torch")
    TD = torch.distributions
    r = np.random.default_rng(0)
    logits = r.standard_normal((3, 4))
    v = np.array([0, 3, 1])
    ours, theirs = D.Categorical(logits=tg.tensor(logits)), TD.Categorical(logits=torch.tensor(logits))
    for f in (lambda d, t: d.log_prob(t(v)), lambda d, t: d.entropy(), lambda d, t: d.probs, lambda d, t: d.logits,
              lambda d, t: d.mode):
        np.testing.assert_allclose(f(ours, tg.tensor).numpy(), f(theirs, torch.tensor).numpy(), rtol=1e-12)
    pr = r.random(5)
    ob, tb = D.Bernoulli(probs=tg.tensor(pr)), TD.Bernoulli(probs=torch.tensor(pr))
    x = (r.random(5) > 0.5).astype(float)
    for f in (lambda d, t: d.log_prob(t(x)), lambda d, t: d.entropy(), lambda d, t: d.logits,
              lambda d, t: d.variance):
        np.testing.assert_allclose(f(ob, tg.tensor).numpy(), f(tb, torch.tensor).numpy(), rtol=1e-10)
    m, s = r.standard_normal(4), r.random(4) + 0.5
    on, tn = D.Normal(tg.tensor(m), tg.tensor(s)), TD.Normal(torch.tensor(m), torch.tensor(s))
    y = r.standard_normal(4)
    for f in (lambda d, t: d.log_prob(t(y)), lambda d, t: d.entropy(), lambda d, t: d.cdf(t(y)),
              lambda d, t: d.icdf(t(np.array([0.1, 0.5, 0.7, 0.99])))):
        np.testing.assert_allclose(f(on, tg.tensor).numpy(), f(tn, torch.tensor).numpy(), rtol=1e-10)
    q = D.Normal(tg.tensor(0.5), tg.tensor(1.5))
    Q = TD.Normal(torch.tensor(0.5, dtype=torch.float64), torch.tensor(1.5, dtype=torch.float64))
    np.testing.assert_allclose(D.kl_divergence(on, q).numpy(), TD.kl_divergence(tn, Q).numpy(), rtol=1e-12)
    np.testing.assert_allclose(D.kl_divergence(ob, D.Bernoulli(probs=tg.tensor(0.3, dtype=tg.float64))).numpy(),
                               TD.kl_divergence(tb, TD.Bernoulli(torch.tensor(0.3, dtype=torch.float64))).numpy(),
                               rtol=1e-10)
    assert tuple(D.Categorical(logits=tg.zeros(2, 3)).sample((4, 5)).shape) == \
        tuple(TD.Categorical(logits=torch.zeros(2, 3)).sample((4, 5)).shape)
