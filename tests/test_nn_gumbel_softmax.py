"""``F.gumbel_softmax``: muestras de la distribución correcta (truco de Gumbel-max), one-hot con
``hard=True`` y gradiente *straight-through* (el de la muestra blanda), gradiente float64 contra
diferencias centrales con el ruido fijo."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


def test_argmax_frequencies_follow_softmax():
    logits = np.log(np.array([0.1, 0.2, 0.7]))
    y = F.gumbel_softmax(leaf(np.tile(logits, (6000, 1))), tau=0.3, hard=True).numpy()
    assert set(np.unique(y)) == {0.0, 1.0} and np.all(y.sum(1) == 1)
    np.testing.assert_allclose(y.mean(0), [0.1, 0.2, 0.7], atol=0.03)


def test_soft_sums_to_one_and_straight_through_gradient():
    x = rng.standard_normal((4, 6))
    for dim in (0, -1):
        tg.manual_seed(5)
        a = leaf(x, grad=True)
        soft = F.gumbel_softmax(a, tau=0.7, dim=dim)
        np.testing.assert_allclose(soft.detach().numpy().sum(dim), 1.0, rtol=1e-12)
        w = leaf(rng.standard_normal((4, 6)))
        (soft * w).sum().backward()
        tg.manual_seed(5)
        b = leaf(x, grad=True)
        hard = F.gumbel_softmax(b, tau=0.7, hard=True, dim=dim)
        assert np.array_equal(hard.detach().numpy().argmax(dim), soft.detach().numpy().argmax(dim))
        (hard * w).sum().backward()
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), rtol=1e-12)


@given(n=st.integers(1, 3), c=st.integers(2, 5), tau=st.sampled_from([0.5, 1.0, 2.0]))
def test_gradcheck_float64(n, c, tau):
    # sólo la blanda: la dura es constante a trozos y su gradiente (straight-through) es el de la blanda
    def f(t):
        tg.manual_seed(11)  # el mismo ruido en cada evaluación
        return F.gumbel_softmax(t, tau=tau)
    check(f, rng.standard_normal((n, c)))


def test_eps_is_deprecated_and_ints_rejected():
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(leaf(np.zeros((1, 3))), eps=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.gumbel_softmax(leaf(np.zeros((1, 3))))
    with pytest.raises((RuntimeError, TypeError)):
        F.gumbel_softmax(leaf(np.zeros((1, 3), dtype=np.int64)))
