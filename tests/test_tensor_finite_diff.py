"""``torch.gradient``: diferencias finitas con paso uniforme, por eje o con coordenadas, bordes de orden 1 y 2;
bit a bit como PyTorch, exacta en polinomios de grado ≤ 2 y derivable."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygrad_es as tg
from helpers import check, leaf


def test_exact_on_parabolas_with_uneven_coordinates():
    x = np.cumsum(np.random.default_rng(0).random(7) + 0.3)
    (g,) = tg.gradient(leaf(3 * x ** 2 - x + 2), spacing=[leaf(x)], edge_order=2)
    np.testing.assert_allclose(g.numpy(), 6 * x - 1, rtol=1e-10)
    (g,) = tg.gradient(tg.tensor([1., 4., 9., 16.]))
    assert g.tolist() == [3., 4., 6., 7.]
    gy, gx = tg.gradient(tg.tensor([[1., 2., 4.], [2., 4., 8.]]), spacing=[2.0, 0.5])
    assert gy.tolist() == [[0.5, 1.0, 2.0]] * 2 and gx.tolist()[0] == [2.0, 3.0, 4.0]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1, 2]), st.booleans())
def test_gradient_of_gradient_matches_finite_differences(seed, edge_order, coords):
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((4, 5))
    x = leaf(np.cumsum(rng.random(5) + 0.5))
    spacing = [x] if coords else [0.7]
    check(lambda a: tg.gradient(a, spacing=spacing, dim=1, edge_order=edge_order)[0] ** 2, f)


@pytest.mark.parametrize("kw,msg", [(dict(edge_order=3), "edge_order=1 y edge_order=2"),
                                     (dict(spacing=[1., 2., 3.]), "los mismos"),
                                     (dict(dim=[1, 1]), "más de una vez"),
                                     (dict(spacing=[tg.ones(4)], dim=0), "coordenadas")])
def test_bad_input(kw, msg):
    with pytest.raises(RuntimeError, match=msg):
        tg.gradient(tg.ones(3, 3), **kw)
    with pytest.raises(RuntimeError, match="al menos"):
        tg.gradient(tg.tensor([1., 2.]), edge_order=2)


@pytest.mark.torch
@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("kind", ["none", "scalar", "list", "coords"])
def test_bitwise_like_torch(edge_order, kind):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(edge_order)
    for dtype, dim in ((np.float32, None), (np.float64, [2, 0]), (np.float32, -1)):
        x = rng.standard_normal((3, 4, 5)).astype(dtype)
        use = [0, 1, 2] if dim is None else ([2] if dim == -1 else dim)
        kt, kg = dict(edge_order=edge_order, dim=dim), dict(edge_order=edge_order, dim=dim)
        if kind == "scalar":
            kt["spacing"] = kg["spacing"] = 0.3
        elif kind == "list":
            kt["spacing"] = kg["spacing"] = [0.5 + i for i in range(len(use))]
        elif kind == "coords":
            cs = [np.cumsum(rng.random(x.shape[d]) + 0.2).astype(dtype) for d in use]
            kt["spacing"], kg["spacing"] = [torch.tensor(c) for c in cs], [leaf(c) for c in cs]
        xt, xg = torch.tensor(x, requires_grad=True), leaf(x, grad=True)
        rt, rg = torch.gradient(xt, **kt), tg.gradient(xg, **kg)
        assert len(rt) == len(rg)
        for a, b in zip(rt, rg):
            assert str(a.dtype) == str(b.dtype)
            np.testing.assert_array_equal(b.detach().numpy(), a.detach().numpy())
        sum((t * (i + 1)).sum() for i, t in enumerate(rt)).backward()
        sum((t * (i + 1)).sum() for i, t in enumerate(rg)).backward()
        np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    assert str(tg.gradient(tg.tensor([1, 4, 9]))[0].dtype) == str(torch.gradient(torch.tensor([1, 4, 9]))[0].dtype)
