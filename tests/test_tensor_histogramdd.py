"""``torch.histogramdd``: celdas, bordes (calculados o dados), pesos, densidad y errores, como PyTorch."""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import leaf


def test_counts_edges_weights_and_density():
    pts = tg.tensor([[0., 0.], [1., 1.], [1., 0.], [5., 5.]])
    r = tg.histogramdd(pts, bins=2, range=[0., 1., 0., 1.])
    assert r.hist.tolist() == [[1., 0.], [1., 1.]]  # el borde derecho cuenta; (5, 5) queda fuera
    assert [e.tolist() for e in r.bin_edges] == [[0., 0.5, 1.], [0., 0.5, 1.]]
    r = tg.histogramdd(pts, bins=[tg.tensor([0., 2., 6.]), tg.tensor([0., 6.])], weight=tg.tensor([1., 2., 3., 4.]))
    assert r.hist.tolist() == [[6.], [4.]]
    d = tg.histogramdd(pts, bins=[2, 3], density=True).hist.numpy()
    widths = np.outer(np.diff(np.linspace(0, 5, 3)), np.diff(np.linspace(0, 5, 4)))
    assert abs((d * widths).sum() - 1) < 1e-6
    assert tuple(tg.histogramdd(tg.ones(2, 3, 2), bins=4).hist.shape) == (4, 4)


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: tg.histogramdd(tg.tensor([[1, 2]]), bins=2), NotImplementedError, "coma flotante"),
    (lambda: tg.histogramdd(tg.randn(5, 2), bins=[2, 2, 2]), RuntimeError, "los mismos"),
    (lambda: tg.histogramdd(tg.randn(5, 2), bins=2, range=[0., 1.]), RuntimeError, "4 números"),
    (lambda: tg.histogramdd(tg.randn(5, 2), bins=0), RuntimeError, "> 0"),
    (lambda: tg.histogramdd(tg.randn(5, 2), bins=2, range=[1., 0., 0., 1.]), RuntimeError, "superar"),
    (lambda: tg.histogramdd(tg.randn(5, 2), bins=2, weight=tg.ones(4)), RuntimeError, "weight"),
])
def test_bad_input(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


@pytest.mark.torch
def test_like_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((50, 3)).astype(dtype)
        x[:5] = np.round(x[:5])  # puntos en los bordes
        w = rng.random(50).astype(dtype)
        for kw in (dict(bins=4), dict(bins=[2, 3, 5], density=True), dict(bins=3, range=[-1., 1., -2., 0., 0., 3.]),
                   dict(bins=[torch.tensor([-2., 0., 0.5, 2.]), torch.tensor([-1., 1.]), torch.tensor([0., 3.])])):
            kg = dict(kw)
            if isinstance(kw["bins"], list) and isinstance(kw["bins"][0], torch.Tensor):
                kg["bins"] = [leaf(b.numpy().astype(dtype)) for b in kw["bins"]]
                kw = dict(kw, bins=[b.to(getattr(torch, np.dtype(dtype).name)) for b in kw["bins"]])
            for weighted in (False, True):
                rt = torch.histogramdd(torch.tensor(x), weight=torch.tensor(w) if weighted else None, **kw)
                rg = tg.histogramdd(leaf(x), weight=leaf(w) if weighted else None, **kg)
                np.testing.assert_allclose(rg.hist.numpy(), rt.hist.numpy(), rtol=1e-5)
                for a, b in zip(rt.bin_edges, rg.bin_edges):
                    np.testing.assert_array_equal(b.numpy(), a.numpy())
