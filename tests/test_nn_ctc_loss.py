"""``nn.CTCLoss``/``F.ctc_loss``: valores y gradientes contra PyTorch (si está) con objetivos en matriz o
concatenados, longitudes distintas, ``blank`` distinto de 0, entradas sin lote, objetivos imposibles
(``inf`` y ``zero_infinity``) y las tres reducciones; gradiente float64 contra diferencias centrales; errores."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


def _case(T=7, N=3, C=5, L=3, blank=0):
    x = rng.standard_normal((T, N, C))
    labels = [c for c in range(C) if c != blank]
    targ = rng.choice(labels, (N, L))
    tl = rng.integers(0, L + 1, N)
    il = rng.integers(max(1, T - 3), T + 1, N)
    return x, targ, il, tl


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("blank", [0, 2])
@pytest.mark.parametrize("concat", [False, True])
def test_like_torch(reduction, zero_infinity, blank, concat):
    torch = pytest.importorskip("torch")
    for _ in range(3):
        x, targ, il, tl = _case(blank=blank)
        if concat:
            targ = np.concatenate([targ[i, :tl[i]] for i in range(len(tl))])
        a, b = leaf(x, grad=True), torch.tensor(x, requires_grad=True)
        y = F.ctc_loss(a.log_softmax(2), leaf(targ), leaf(il), leaf(tl), blank, reduction, zero_infinity)
        r = torch.nn.functional.ctc_loss(b.log_softmax(2), torch.tensor(targ), torch.tensor(il), torch.tensor(tl),
                                         blank, reduction, zero_infinity)
        np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-10)
        if np.all(np.isfinite(r.detach().numpy())):
            y.sum().backward(), r.sum().backward()
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_impossible_targets_are_inf_or_zero_like_torch():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 2, 4))
    targ, il, tl = np.array([[1, 1, 1], [1, 2, 3]]), np.array([3, 2]), np.array([3, 3])  # 1,1,1 pide 5 pasos
    for zi in (False, True):
        y = F.ctc_loss(leaf(x).log_softmax(2), leaf(targ), leaf(il), leaf(tl), reduction="none", zero_infinity=zi)
        r = torch.nn.functional.ctc_loss(torch.tensor(x).log_softmax(2), torch.tensor(targ), torch.tensor(il),
                                         torch.tensor(tl), reduction="none", zero_infinity=zi)
        np.testing.assert_array_equal(y.numpy(), r.numpy())


def test_unbatched_float32_and_module():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((6, 5)).astype(np.float32)
    y = nn.CTCLoss(blank=4)(leaf(x).log_softmax(1), leaf(np.array([1, 2, 2])), leaf(np.array(6)), leaf(np.array(3)))
    r = torch.nn.CTCLoss(blank=4)(torch.tensor(x).log_softmax(1), torch.tensor([1, 2, 2]), torch.tensor(6),
                                  torch.tensor(3))
    assert y.shape == r.shape == () and str(y.dtype) == str(r.dtype)
    np.testing.assert_allclose(y.numpy(), r.numpy(), rtol=1e-5)
    assert repr(nn.CTCLoss(zero_infinity=True)) == repr(torch.nn.CTCLoss(zero_infinity=True))


@settings(max_examples=8)
@given(T=st.integers(1, 5), L=st.integers(0, 2), red=st.sampled_from(["mean", "sum"]))
def test_gradcheck_float64(T, L, red):
    targ = rng.integers(1, 4, (2, max(L, 1)))
    tl = np.array([L, min(L, 1)])
    il = np.array([T, max(T - 1, 0)])
    check(lambda t: F.ctc_loss(t.log_softmax(2), leaf(targ), leaf(il), leaf(tl), reduction=red, zero_infinity=True),
          rng.standard_normal((T, 2, 4)))


def test_errors():
    lp = leaf(rng.standard_normal((5, 2, 4)))
    targ = leaf(np.array([[1, 2], [3, 3]]))
    with pytest.raises(RuntimeError, match="input_lengths"):
        F.ctc_loss(lp, targ, leaf(np.array([6, 4])), leaf(np.array([2, 2])))
    with pytest.raises(RuntimeError, match="al menos 3 columnas"):
        F.ctc_loss(lp, targ, leaf(np.array([5, 4])), leaf(np.array([2, 3])))
    with pytest.raises(RuntimeError, match="un valor por muestra"):
        F.ctc_loss(lp, targ, leaf(np.array([5, 4, 3])), leaf(np.array([2, 2])))
    with pytest.raises(RuntimeError, match="blank"):
        F.ctc_loss(lp, targ, leaf(np.array([5, 4])), leaf(np.array([2, 2])), blank=7)
    with pytest.raises(RuntimeError, match="enteros"):
        F.ctc_loss(lp, leaf(np.array([[1.0, 2.0]] * 2)), leaf(np.array([5, 4])), leaf(np.array([2, 2])))
