"""``torch.special`` más allá de lo básico: i0e/i1e (escaladas, sin desbordar), la zeta de Hurwitz,
xlog1py, spherical_bessel_j0, multigammaln y los polinomios ortogonales: gradientes en float64 contra
diferencias centrales y, con PyTorch, valores contra PyTorch."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check
from strategies import arrays

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

S = tg.special


@given(a=arrays(st.integers(1, 6).map(lambda n: (n,)), st.floats(-30, 30)).filter(lambda a: (abs(a) > 1e-3).all()))
def test_gradients(a):
    check(S.i0e, a)
    check(S.i1e, a)
    check(S.spherical_bessel_j0, a)
    check(lambda y: S.xlog1py(tg.tensor(a), y), np.abs(a) + 0.1)
    check(lambda q: S.zeta(tg.tensor(np.full(a.shape, 3.0)), q), np.abs(a) + 0.5)


def test_values_by_hand():
    assert abs(S.zeta(tg.tensor([2.0], dtype=tg.float64), 1.0).item() - np.pi ** 2 / 6) < 1e-14
    big = S.i0e(tg.tensor([1e4], dtype=tg.float64)).item()          # I₀ desborda; i0e ≈ 1/√(2πx)
    assert abs(big - 1 / np.sqrt(2 * np.pi * 1e4) * (1 + 1 / 8e4 + 9 / (128 * 1e8))) < 1e-15
    assert S.spherical_bessel_j0(tg.tensor([0.0])).item() == 1.0
    assert S.xlog1py(tg.tensor([0.0]), tg.tensor([-1.0])).item() == 0.0
    x = tg.tensor([0.3, -0.7], dtype=tg.float64)
    np.testing.assert_allclose(S.chebyshev_polynomial_t(x, 5).numpy(), np.cos(5 * np.arccos(x.numpy())), rtol=1e-13)
    np.testing.assert_allclose(S.legendre_polynomial_p(x, 2).numpy(), (3 * x.numpy() ** 2 - 1) / 2, rtol=1e-14)
    assert S.hermite_polynomial_h(tg.tensor([1.0]), -1).item() == 0.0
    with pytest.raises(TypeError):
        S.chebyshev_polynomial_t(2, 3)
    s = tg.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="primer argumento"):
        S.zeta(s, tg.tensor([1.0])).sum().backward()


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
def test_match_pytorch():
    x = np.linspace(-1.5, 1.5, 13)
    n = np.arange(13)
    for name in S.polynomials.__all__:
        ours = getattr(S, name)(tg.tensor(x), tg.tensor(n)).numpy()
        ref = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max(), err_msg=name)
    v = np.array([-800.0, -3.0, -1e-7, 0.0, 0.5, 5.0, 50.0, 699.0, 701.0, 2000.0])
    for name in ("i0e", "i1e", "spherical_bessel_j0"):
        np.testing.assert_allclose(getattr(S, name)(tg.tensor(v)).numpy(),
                                   getattr(torch.special, name)(torch.tensor(v)).numpy(), rtol=1e-13, atol=1e-300)
    q = np.array([0.5, 1.0, 3.0])
    np.testing.assert_allclose(S.zeta(tg.tensor([1.5, 2.0, 4.0], dtype=tg.float64), tg.tensor(q)).numpy(),
                               torch.special.zeta(torch.tensor([1.5, 2.0, 4.0]).double(), torch.tensor(q)).numpy(),
                               rtol=1e-13)
