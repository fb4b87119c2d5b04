"""Los nombres compuestos de ``_tensor/special.py`` y ``_tensor/blas.py``: valores (contra numpy),
gradientes en float64 contra diferencias finitas (hypothesis) y, con torch, lo mismo que PyTorch."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check
from strategies import arrays, away_from_kinks, broadcastable_pair, floats, positive, small_shapes

unit = st.floats(0.05, 0.95, allow_nan=False, width=64)


def test_values_against_numpy():
    x = np.array([-2.0, -0.5, 0.0, 0.25, 3.0])
    t = tg.tensor(x, dtype=tg.float64)
    assert np.allclose(t.sinc().numpy(), np.sinc(x))
    assert np.allclose(t.deg2rad().numpy(), np.deg2rad(x)) and np.allclose(t.rad2deg().numpy(), np.rad2deg(x))
    assert np.array_equal(tg.copysign(t, -1.0).numpy(), np.copysign(x, -1.0))
    assert np.signbit(tg.copysign(tg.tensor([2.0]), tg.tensor([-0.0])).numpy()).all()
    assert np.allclose(tg.logaddexp2(t, t.flip(0)).numpy(), np.logaddexp2(x, x[::-1]))
    assert np.allclose(tg.logit(tg.tensor([0.25, 0.5])).numpy(), [math.log(1 / 3), 0.0])
    assert np.allclose(tg.logit(tg.tensor([0.01, 0.99]), eps=0.1).numpy(), [math.log(1 / 9), math.log(9)])
    assert tg.xlogy(tg.tensor([0.0, 2.0]), tg.tensor([0.0, 3.0])).tolist() == pytest.approx([0.0, 2 * math.log(3)])
    assert math.isnan(tg.xlogy(tg.tensor([0.0]), float("nan")).item())
    assert tg.xlogy(2, tg.tensor([3.0])).item() == pytest.approx(2 * math.log(3))  # número delante
    nan = float("nan")
    assert tg.fmax(tg.tensor([1.0, nan, nan]), tg.tensor([nan, 2.0, nan])).tolist()[:2] == [1.0, 2.0]
    assert tg.fmin(tg.tensor([1.0, 5.0]), tg.tensor([3.0, 2.0])).tolist() == [1.0, 2.0]
    assert tg.heaviside(tg.tensor([-1.0, 0.0, 2.0]), tg.tensor([0.5])).tolist() == [0.0, 0.5, 1.0]
    assert tg.float_power(tg.tensor([2]), 3).dtype == tg.float64
    assert tg.clamp_min(t, 0).min().item() == 0 and tg.clamp_max(t, 0).max().item() == 0
    assert tg.positive(t) is t
    with pytest.raises(TypeError):
        tg.positive(tg.tensor([True]))
    with pytest.raises(RuntimeError, match="dtypes distintos"):
        tg.heaviside(tg.tensor([1.0]), tg.tensor([1]))


def test_int_inputs_give_float_like_pytorch():
    i = tg.tensor([1, 2])
    for f in (tg.deg2rad, tg.rad2deg, tg.sinc, tg.logit):
        assert f(i).dtype == tg.float32
    assert tg.copysign(i, tg.tensor([-1, 1])).dtype == tg.float32
    assert tg.xlogy(i, i).dtype == tg.float32


def test_blas_values():
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    T = lambda x: tg.tensor(x, dtype=tg.float64)  # noqa: E731
    assert np.allclose(tg.addmm(T(c), T(a), T(b), beta=0.5, alpha=2).numpy(), 0.5 * c + 2 * a @ b)
    assert np.allclose(tg.addmm(T(np.full((3, 2), np.nan)), T(a), T(b), beta=0).numpy(), a @ b)  # beta=0 ignora nan
    v = rng.standard_normal(4)
    assert np.allclose(tg.addmv(T(c[:, 0]), T(a), T(v)).numpy(), c[:, 0] + a @ v)
    b1, b2 = rng.standard_normal((5, 3, 4)), rng.standard_normal((5, 4, 2))
    assert np.allclose(tg.addbmm(T(c), T(b1), T(b2)).numpy(), c + np.einsum("bij,bjk->ik", b1, b2))
    assert np.allclose(tg.baddbmm(T(c), T(b1), T(b2), alpha=3).numpy(), c + 3 * b1 @ b2)
    assert np.allclose(tg.addr(T(c), T(a[:, 0]), T(b[0]), beta=2).numpy(), 2 * c + np.outer(a[:, 0], b[0]))
    assert np.allclose(tg.addcmul(T(c), T(c), T(c), value=0.5).numpy(), c + 0.5 * c * c)
    assert np.allclose(tg.addcdiv(T(c), T(c), T(c + 5), value=2).numpy(), c + 2 * c / (c + 5))
    assert np.allclose(tg.inner(T(a), T(c[:, :1].T.repeat(4, 0).T)).numpy(), np.inner(a, c[:, :1].T.repeat(4, 0).T))
    assert np.allclose(tg.vdot(T(v), T(v)).numpy(), v @ v)
    assert np.allclose(tg.kron(T(a), T(b)).numpy(), np.kron(a, b))
    assert np.allclose(tg.kron(T(v), T(a)).numpy(), np.kron(v, a))
    assert tg.addmv(tg.tensor([10, 10]), tg.ones(2, 3, dtype=tg.int64) * 3, tg.ones(3, dtype=tg.int64),
                    beta=1.7, alpha=2.9).tolist() == [28, 28]  # enteros: alpha y beta se truncan (PyTorch)
    with pytest.raises(RuntimeError, match="2-D"):
        tg.addmm(T(c), T(v), T(b))
    with pytest.raises(RuntimeError, match="difundir"):
        tg.addmm(T(a), T(a), T(b))
    with pytest.raises(RuntimeError, match="división entera"):
        tg.addcdiv(tg.tensor([1]), tg.tensor([1]), tg.tensor([2]))


@given(data=st.data())
def test_gradients_pointwise(data):
    sa, sb = data.draw(broadcastable_pair())
    # x = 0 es el convenio de PyTorch en xlogy (derivada 0), no lo que dan las diferencias finitas
    a, b = data.draw(away_from_kinks(sa)), data.draw(arrays(sb, positive))
    check(lambda x, y: tg.xlogy(x, y), a, b)
    check(lambda x, y: tg.logaddexp2(x, y), a, b)
    check(lambda x, y: tg.addcmul(x, x, y, value=0.3), a, b)
    check(lambda x, y: tg.addcdiv(x, x, y, value=-2), a, b)
    s = data.draw(small_shapes)
    check(lambda x: tg.logit(x), data.draw(arrays(s, unit)))
    check(lambda x: tg.sinc(x) + tg.deg2rad(x) + tg.float_power(x, 2), data.draw(arrays(s, floats)))
    check(lambda x: tg.sinc(x), data.draw(arrays(s, st.floats(-2e-3, 2e-3, width=64))))  # la serie cerca de 0
    c = data.draw(arrays(s, positive))
    check(lambda x: tg.copysign(x, -1.0), c)
    check(lambda x, y: tg.fmax(x, y) + tg.fmin(x, y) * 2, c, c + 0.5)


@given(n=st.integers(1, 4), m=st.integers(1, 4), p=st.integers(1, 4), data=st.data())
def test_gradients_blas(n, m, p, data):
    A, B, C = (data.draw(arrays(s, floats)) for s in [(n, m), (m, p), (n, p)])
    check(lambda c, a, b: tg.addmm(c, a, b, beta=0.5, alpha=-1.5), C, A, B)
    check(lambda c, a, b: tg.baddbmm(c, a, b, alpha=2), C[None], A[None].repeat(2, 0), B[None].repeat(2, 0))
    check(lambda c, a, b: tg.addbmm(c, a, b), C, A[None].repeat(2, 0), B[None].repeat(2, 0))
    check(lambda a, b: tg.kron(a, b), A, B)
    check(lambda a, b: tg.inner(a, b), A, A[:1])


def test_same_as_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0.1, 2, (3, 4))
    cases = [("xlogy", (a, b)), ("logit", (a,)), ("sinc", (a,)), ("copysign", (a, -b)), ("fmax", (a, b)),
             ("logaddexp2", (a, b)), ("addcmul", (a, a, b)), ("addcdiv", (a, a, b)), ("kron", (a, b)),
             ("inner", (a, b)), ("addmm", (a[:, :3], a[:, :2], b[:2, :3]))]
    for name, args in cases:
        ours = [tg.tensor(x, requires_grad=True) for x in args]
        theirs = [torch.tensor(x, requires_grad=True) for x in args]
        yo, yt = getattr(tg, name)(*ours), getattr(torch, name)(*theirs)
        assert np.allclose(yo.detach().numpy(), yt.detach().numpy()), name
        go = tg.autograd.grad(yo.sum(), ours, allow_unused=True)
        gt = torch.autograd.grad(yt.sum(), theirs, allow_unused=True)
        for x, y in zip(go, gt):
            xo = 0 if x is None else x.detach().numpy()
            yt_ = 0 if y is None else y.detach().numpy()
            assert np.allclose(xo, yt_), name


def test_special_namespace():
    x = tg.tensor([-1.0, 0.0, 0.5, 2.0])
    assert np.allclose(tg.special.expit(x).numpy(), 1 / (1 + np.exp(-x.numpy())))
    assert np.allclose(tg.special.ndtr(tg.tensor([0.0, 1.0])).numpy(), [0.5, 0.8413447])
    e = tg.special.entr(x).tolist()
    assert e[0] == float("-inf") and e[1] == 0.0 and np.isclose(e[2], -0.5 * np.log(0.5))
    check(lambda t: tg.special.entr(t) + tg.special.ndtr(t), np.array([0.3, 1.2, 2.5]))
    assert tg.special.xlogy is tg.xlogy and tg.special.logit is tg.logit
