"""``EmbeddingBag``/``F.embedding_bag``: modos sum/mean/max, ``offsets`` (con ``include_last_offset``), bolsas
vacías, ``per_sample_weights`` y ``padding_idx``; valores y gradientes contra PyTorch (si está), gradiente
float64 contra diferencias centrales, ``repr``, ``state_dict`` y errores."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)
W = rng.standard_normal((10, 3))

CASES = [
    (np.array([1, 2, 3]), np.array([0, 0, 2, 3]), {}),  # bolsas vacías al principio y al final
    (np.array([1, 2, 3]), np.array([0, 0, 2, 3]), {"mode": "max"}),
    (np.array([1, 2, 3, 2]), np.array([0, 2]), {"padding_idx": 2}),
    (np.array([1, 2, 3, 2, 7]), np.array([0, 2]), {"padding_idx": 2, "mode": "max"}),
    (np.array([[1, 2], [3, 4], [4, 4]]), None, {"mode": "sum"}),
    (np.array([[1, 2], [3, 4]]), None, {"mode": "mean", "padding_idx": 4}),
    (np.array([1, 2, 3, 5, 5]), np.array([0, 1, 3, 5]), {"include_last_offset": True, "mode": "max"}),
    (np.array([1, 2, 3, 5, 9, 9]), np.array([0, 1, 6]), {"include_last_offset": True}),
    (np.array([1, 2, 3, 5]), np.array([0, 1]), {"mode": "sum", "per_sample_weights": True}),
    (np.array([[1, 2, 0], [3, 0, 0]]), None, {"mode": "sum", "per_sample_weights": True, "padding_idx": 0}),
]


@pytest.mark.parametrize("inp, off, kw", CASES)
def test_functional_like_torch(inp, off, kw):
    torch = pytest.importorskip("torch")
    psw = rng.random(inp.shape)
    a, b = leaf(W, grad=True), torch.tensor(W, requires_grad=True)
    ka, kb = dict(kw), dict(kw)
    if kw.get("per_sample_weights"):
        pa, pb = leaf(psw, grad=True), torch.tensor(psw, requires_grad=True)
        ka["per_sample_weights"], kb["per_sample_weights"] = pa, pb
    y = F.embedding_bag(leaf(inp), a, None if off is None else leaf(off), **ka)
    r = torch.nn.functional.embedding_bag(torch.tensor(inp), b, None if off is None else torch.tensor(off), **kb)
    np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-12, atol=1e-15)
    g = rng.standard_normal(tuple(r.shape))
    y.backward(leaf(g)), r.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-15)
    if kw.get("per_sample_weights"):
        np.testing.assert_allclose(pa.grad.numpy(), pb.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kw", [{}, {"mode": "sum", "padding_idx": 0}, {"mode": "max", "include_last_offset": True},
                                {"max_norm": 1.0, "norm_type": 1, "scale_grad_by_freq": True}])
def test_module_like_torch(kw):
    torch = pytest.importorskip("torch")
    ours, ref = nn.EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
    assert repr(ours) == repr(ref) and list(ours.state_dict()) == list(ref.state_dict())
    ref.weight.data = torch.tensor(ours.weight.detach().numpy()).float()
    inp, off = np.array([1, 0, 4, 5, 4, 0]), np.array([0, 2, 6])
    np.testing.assert_allclose(ours(leaf(inp), leaf(off)).detach().numpy(),
                               ref(torch.tensor(inp), torch.tensor(off)).detach().numpy(), rtol=1e-5, atol=1e-6)
    if "padding_idx" in kw:
        assert np.all(ours.weight.detach().numpy()[0] == 0)


@given(mode=st.sampled_from(["sum", "mean", "max"]), n=st.integers(1, 6), bags=st.integers(1, 3))
def test_gradcheck_float64(mode, n, bags):
    inp = rng.integers(0, 5, n)
    off = np.sort(rng.integers(0, n + 1, bags))
    off[0] = 0
    check(lambda w: F.embedding_bag(leaf(inp), w, leaf(off), mode=mode), rng.permutation(15).reshape(5, 3) * 0.1)
    if mode == "sum":
        check(lambda w, p: F.embedding_bag(leaf(inp), w, leaf(off), mode="sum", per_sample_weights=p),
              rng.standard_normal((5, 3)), rng.random(n))


def test_errors():
    w = leaf(W)
    with pytest.raises(ValueError, match="offsets"):
        F.embedding_bag(leaf(np.array([1, 2])), w)
    with pytest.raises(ValueError, match="None"):
        F.embedding_bag(leaf(np.array([[1, 2]])), w, leaf(np.array([0])))
    with pytest.raises(RuntimeError, match="offsets\\[0\\]"):
        F.embedding_bag(leaf(np.array([1, 2])), w, leaf(np.array([1])))
    with pytest.raises(NotImplementedError, match="per_sample_weights"):
        F.embedding_bag(leaf(np.array([1, 2])), w, leaf(np.array([0])), mode="max", per_sample_weights=leaf(np.ones(2)))
    with pytest.raises(ValueError, match="mode"):
        F.embedding_bag(leaf(np.array([1, 2])), w, leaf(np.array([0])), mode="foo")
    with pytest.raises(IndexError, match="fuera de rango"):
        F.embedding_bag(leaf(np.array([1, 12])), w, leaf(np.array([0])))
    with pytest.raises(ValueError, match="mode"):
        nn.EmbeddingBag(3, 2, mode="median")
