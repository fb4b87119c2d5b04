"""``MultiMarginLoss``, ``MultiLabelMarginLoss``, ``TripletMarginWithDistanceLoss`` y ``F.pdist``: valores y
gradientes contra PyTorch (si está), gradiente float64 contra diferencias centrales, ``repr``,
``state_dict`` y errores."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


def _compare(ours, ref, *arrays, labels=()):
    torch = pytest.importorskip("torch")
    xs = [leaf(a, grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = ours(*xs, *[leaf(lab) for lab in labels])
    r = ref(*ts, *[torch.tensor(lab) for lab in labels])
    np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(tuple(r.shape))
    y.backward(leaf(g)), r.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"p": 2}, {"margin": 0.3, "reduction": "sum"}, {"reduction": "none"},
                                {"weight": "w", "p": 2, "reduction": "none"}])
@pytest.mark.parametrize("batched", [True, False])
def test_multi_margin_like_torch(kw, batched):
    torch = pytest.importorskip("torch")
    w = rng.random(5)
    kw_o = {k: (leaf(w) if v == "w" else v) for k, v in kw.items()}
    kw_t = {k: (torch.tensor(w) if v == "w" else v) for k, v in kw.items()}
    ours, ref = nn.MultiMarginLoss(**kw_o), torch.nn.MultiMarginLoss(**kw_t)
    assert repr(ours) == repr(ref) and list(ours.state_dict()) == list(ref.state_dict())
    x = rng.standard_normal((4, 5) if batched else (5,))
    y = np.array([0, 3, 4, 3]) if batched else np.array(2)
    _compare(ours, ref, x, labels=(y,))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_like_torch(reduction):
    torch = pytest.importorskip("torch")
    assert repr(nn.MultiLabelMarginLoss()) == repr(torch.nn.MultiLabelMarginLoss())
    x = rng.standard_normal((4, 5))
    t = np.array([[3, 0, -1, 1, 2], [1, 1, -1, -1, -1], [-1, 2, 3, 0, 0], [4, 3, 2, 1, 0]])
    _compare(nn.MultiLabelMarginLoss(reduction=reduction), torch.nn.MultiLabelMarginLoss(reduction=reduction), x,
             labels=(t,))
    _compare(nn.MultiLabelMarginLoss(reduction=reduction), torch.nn.MultiLabelMarginLoss(reduction=reduction), x[0],
             labels=(t[0],))


@pytest.mark.parametrize("kw", [{}, {"swap": True, "margin": 2.0}, {"reduction": "none"}])
def test_triplet_with_distance_like_torch(kw):
    torch = pytest.importorskip("torch")
    ours, ref = nn.TripletMarginWithDistanceLoss(**kw), torch.nn.TripletMarginWithDistanceLoss(**kw)
    assert repr(ours) == repr(ref)
    a, p, n = (rng.standard_normal((3, 4)) for _ in range(3))
    _compare(ours, ref, a, p, n)
    cos = dict(kw, distance_function=lambda u, v: 1.0 - F.cosine_similarity(u, v))
    tcos = dict(kw, distance_function=lambda u, v: 1.0 - torch.nn.functional.cosine_similarity(u, v))
    _compare(lambda *t: F.triplet_margin_with_distance_loss(*t, **cos),
             lambda *t: torch.nn.functional.triplet_margin_with_distance_loss(*t, **tcos), a, p, n)


@pytest.mark.parametrize("p", [0, 1, 2, 3.5, float("inf")])
def test_pdist_like_torch(p):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((5, 3))
    x[3] = x[1]  # una distancia 0: gradiente 0, como PyTorch
    _compare(lambda t: F.pdist(t, p), lambda t: torch.nn.functional.pdist(t, p), x)


@given(n=st.integers(1, 4), c=st.integers(2, 5), p=st.sampled_from([1, 2]))
def test_gradcheck_float64(n, c, p):
    x = rng.standard_normal((n, c))
    y = rng.integers(0, c, n)
    check(lambda t, w: F.multi_margin_loss(t, leaf(y), p=p, margin=0.9, weight=w, reduction="sum"), x, rng.random(c))
    t = np.full((n, c), -1)
    t[:, 0] = y
    check(lambda u: F.multilabel_margin_loss(u, leaf(t)), x)
    check(lambda u: F.pdist(u, 1.5 * p), rng.standard_normal((n + 1, c)))
    check(lambda a, b, d: F.triplet_margin_with_distance_loss(a, b, d, swap=True, margin=3.0), x, x + 0.5,
          rng.standard_normal((n, c)))


def test_errors():
    x = leaf(rng.standard_normal((2, 4)))
    with pytest.raises(ValueError, match="p = 1 y p = 2"):
        F.multi_margin_loss(x, leaf(np.array([1, 2])), p=3)
    with pytest.raises(ValueError, match="p = 1 y p = 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(RuntimeError, match="fuera de rango"):
        F.multi_margin_loss(x, leaf(np.array([1, 5])))
    with pytest.raises(RuntimeError, match="una etiqueta por muestra"):
        F.multi_margin_loss(x, leaf(np.array([1, 2, 3])))
    with pytest.raises(RuntimeError, match="fuera de"):
        F.multilabel_margin_loss(x, leaf(np.array([[1, 5, -1, 0], [0, 0, 0, 0]])))
    with pytest.raises(RuntimeError, match="enteros"):
        F.multilabel_margin_loss(x, leaf(np.zeros((2, 4))))
    with pytest.raises(RuntimeError, match="mismo número de ejes"):
        F.triplet_margin_with_distance_loss(leaf(np.ones(3)), x, x)
    with pytest.raises(ValueError, match="margin"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    with pytest.raises(RuntimeError, match="2-D"):
        F.pdist(leaf(np.ones(3)))
    with pytest.raises(RuntimeError, match="p debe"):
        F.pdist(x, -1)


def test_single_sample_and_scalar_shapes_like_torch():
    torch = pytest.importorskip("torch")
    for x, y in [(np.array(0.3), np.array(0)), (rng.standard_normal(5), np.array([2])),
                 (rng.standard_normal(5), np.array(4))]:
        ours = F.multi_margin_loss(leaf(x), leaf(y), reduction="none")
        ref = torch.nn.functional.multi_margin_loss(torch.tensor(x), torch.tensor(y), reduction="none")
        assert ours.shape == ref.shape and np.allclose(ours.numpy(), ref.numpy())
    ours = F.multilabel_margin_loss(leaf(np.array(0.3)), leaf(np.array(0)), reduction="none")
    assert ours.shape == () and float(ours) == 0.0


def test_nll_loss_2d_is_nll_loss():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 4, 4))
    t = rng.integers(0, 3, (2, 4, 4))
    w = rng.random(3)
    ours = nn.NLLLoss2d(weight=leaf(w), ignore_index=1)
    ref = torch.nn.NLLLoss2d(weight=torch.tensor(w), ignore_index=1)
    assert isinstance(ours, nn.NLLLoss) and repr(ours) == repr(ref)
    with pytest.warns(FutureWarning, match="NLLLoss"):
        nn.NLLLoss2d()
    _compare(lambda a: ours(a.log_softmax(1), leaf(t)), lambda a: ref(a.log_softmax(1), torch.tensor(t)), x)
