"""``_tensor/statistics.py`` y ``_tensor/stacking.py``: valores contra numpy, gradientes en float64
contra diferencias finitas y, con torch, lo mismo que PyTorch."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check
from strategies import arrays, distinct_values, floats

nan = float("nan")


def T(x, **kw):
    return tg.tensor(np.asarray(x), **kw)


def test_nan_reductions():
    x = T([[1.0, nan, 2.0], [nan, nan, nan]])
    assert x.nansum().item() == 3.0 and x.nansum(1).tolist() == [3.0, 0.0]
    m = tg.nanmean(x, 1)
    assert m[0].item() == 1.5 and np.isnan(m[1].item())
    assert tg.nansum(T([1, 2])).item() == 3  # enteros: la suma
    with pytest.raises(RuntimeError, match="coma flotante"):
        tg.nanmean(T([1, 2]))
    g = T([1.0, nan, 2.0], requires_grad=True)
    g.nansum().backward()
    assert g.grad.tolist() == [1.0, 0.0, 1.0]


def test_quantile_against_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 5))
    for interp in ("linear", "lower", "higher", "midpoint", "nearest"):
        for q in (0.0, 0.3, 0.5, 1.0):
            got = T(a).quantile(q, dim=1, interpolation=interp).numpy()
            assert np.allclose(got, np.quantile(a, q, axis=1, method=interp)), (interp, q)
    qs = T([0.1, 0.9], dtype=tg.float64)
    assert T(a).quantile(qs, dim=0, keepdim=True).shape == (2, 1, 5)
    assert np.allclose(T(a).quantile(qs).numpy(), np.quantile(a, [0.1, 0.9]))
    b = a.copy()
    b[0, 1] = nan
    assert np.isnan(T(b).quantile(0.5, dim=1)[0].item())
    assert np.allclose(T(b).nanquantile(0.5, dim=1).numpy(), np.nanquantile(b, 0.5, axis=1))
    with pytest.raises(RuntimeError, match="intervalo"):
        T(a).quantile(1.5)
    with pytest.raises(RuntimeError, match="coma flotante"):
        T([1, 2]).quantile(0.5)


def test_cov_corrcoef_against_numpy():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 6))
    assert np.allclose(T(a).cov().numpy(), np.cov(a))
    assert np.allclose(T(a).cov(correction=0).numpy(), np.cov(a, bias=True))
    fw, aw = np.array([1, 2, 1, 3, 1, 1]), rng.uniform(0.5, 2, 6)
    assert np.allclose(tg.cov(T(a), fweights=T(fw), aweights=T(aw)).numpy(), np.cov(a, fweights=fw, aweights=aw))
    assert np.allclose(T(a).corrcoef().numpy(), np.corrcoef(a))
    assert T(a[0]).cov().ndim == 0


def test_counting_and_searching():
    assert T([0, 2, 2, 5]).bincount().tolist() == [1, 0, 2, 0, 0, 1]
    assert T([0, 2]).bincount(minlength=4).tolist() == [1, 0, 1, 0]
    w = T([0.5, 1.0], dtype=tg.float32)
    assert T([1, 1]).bincount(w).tolist() == [0.0, 1.5] and T([1, 1]).bincount(w).dtype == tg.float32
    with pytest.raises(RuntimeError, match="no negativos"):
        T([-1, 2]).bincount()
    assert tg.isin(T([1, 2, 3]), T([2, 5])).tolist() == [False, True, False]
    assert tg.isin(T([1, 2]), 2, invert=True).tolist() == [True, False]
    bounds = T([1, 3, 5])
    assert tg.bucketize(T([3, 6, 0]), bounds).tolist() == [1, 3, 0]
    assert tg.bucketize(T([3]), bounds, right=True).tolist() == [2]
    assert tg.searchsorted(bounds, T([3, 6])).tolist() == [1, 3]
    assert tg.searchsorted(T([[1, 3], [2, 4]]), T([[3], [3]]), side="right").tolist() == [[2], [1]]
    assert tg.searchsorted(bounds, T([3]), out_int32=True).dtype == tg.int32


def test_distances():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    ref = np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1))
    assert np.allclose(tg.cdist(T(a), T(b)).numpy(), ref)
    assert np.allclose(tg.cdist(T(a), T(b), p=1).numpy(), np.abs(a[:, None] - b[None]).sum(-1))
    assert tg.cdist(T(a[None]), T(b[None])).shape == (1, 4, 5)
    assert np.isclose(tg.dist(T(a), T(a + 1)).item(), np.sqrt(12))
    with pytest.raises(RuntimeError, match="columnas"):
        tg.cdist(T(a), T(b[:, :2]))


def test_stacking_like_numpy():
    a, b = T([1, 2]), T([3, 4])
    assert tg.hstack([a, b]).tolist() == [1, 2, 3, 4]
    assert tg.vstack([a, b]).tolist() == [[1, 2], [3, 4]] and tg.row_stack((a, b)).shape == (2, 2)
    assert tg.dstack([a, b]).shape == (1, 2, 2) and tg.column_stack([a, b]).tolist() == [[1, 3], [2, 4]]
    assert tg.atleast_1d(T(5)).shape == (1,) and tg.atleast_2d(a).shape == (1, 2)
    assert tg.atleast_3d(T([[1, 2]])).shape == (1, 2, 1) and tg.atleast_3d(a).shape == (1, 2, 1)
    assert [t.shape for t in tg.atleast_2d(a, T(1))] == [(1, 2), (1, 1)]
    m = tg.arange(12).reshape(2, 6)
    assert [p.tolist() for p in m.hsplit(3)][0] == [[0, 1], [6, 7]]
    assert [p.shape for p in tg.vsplit(m, [1])] == [(1, 6), (1, 6)]
    assert len(tg.dsplit(tg.zeros(1, 1, 4), 2)) == 2
    with pytest.raises(RuntimeError, match="divisible"):
        m.hsplit(4)
    with pytest.raises(RuntimeError, match="al menos 2"):
        tg.vsplit(a, 2)
    bd = tg.block_diag(T([[1, 2]]), T([[3], [4]]), T(5))
    assert bd.tolist() == [[1, 2, 0, 0], [0, 0, 3, 0], [0, 0, 4, 0], [0, 0, 0, 5]]
    cp = tg.cartesian_prod(a, T([7, 8, 9]))
    assert cp.shape == (6, 2) and cp[:3].tolist() == [[1, 7], [1, 8], [1, 9]]


@given(data=st.data())
def test_gradients(data):
    shape = data.draw(st.tuples(st.integers(2, 4), st.integers(2, 5)))
    a = data.draw(distinct_values(shape))
    q = data.draw(st.floats(0.0, 1.0))
    check(lambda x: x.quantile(q, dim=1), a)
    check(lambda x: x.nanquantile(q), a)
    check(lambda x: x.cov() + x.corrcoef(), a)
    check(lambda x: x.nanmean(0) + x.nansum(1).sum(), a)
    b = data.draw(arrays((3, shape[1]), floats))
    check(lambda x, y: tg.cdist(x, y + 10.0), a, b)  # lejos de la distancia 0 (raíz no derivable)
    check(lambda x, y: tg.block_diag(x, y) * 2 + 1, a, b)
    check(lambda x, y: tg.hstack([x, x]).sum() + tg.vstack([x, y]).sum(), a, b)
    check(lambda x: tg.cartesian_prod(x[0], x[1]), a)


def test_same_as_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    cases = [("quantile", (a, 0.3), {"dim": 1}), ("nanquantile", (a, 0.7), {}), ("cov", (a,), {}),
             ("corrcoef", (a,), {}), ("cdist", (a, b), {}), ("dist", (a, a[::-1].copy()), {}),
             ("nansum", (a,), {"dim": 0}), ("nanmean", (a,), {}), ("block_diag", (a, b), {}),
             ("cartesian_prod", (a[0], b[0]), {}), ("hstack", ([a, a],), {}), ("dstack", ([a, a],), {})]
    for name, args, kw in cases:
        def conv(lib, x, grad):
            if isinstance(x, list):
                return [conv(lib, y, grad) for y in x]
            if isinstance(x, np.ndarray):
                return lib.tensor(x, requires_grad=grad)
            return x
        ours = [conv(tg, x, True) for x in args]
        theirs = [conv(torch, x, True) for x in args]
        yo, yt = getattr(tg, name)(*ours, **kw), getattr(torch, name)(*theirs, **kw)
        assert tuple(yo.shape) == tuple(yt.shape), name
        assert np.allclose(yo.detach().numpy(), yt.detach().numpy()), name
        leaves_o = [x for x in ours if isinstance(x, tg.Tensor)] or ours[0]
        leaves_t = [x for x in theirs if isinstance(x, torch.Tensor)] or theirs[0]
        go = tg.autograd.grad((yo * yo).sum(), leaves_o)
        gt = torch.autograd.grad((yt * yt).sum(), leaves_t)
        for x, y in zip(go, gt):
            assert np.allclose(x.numpy(), y.numpy()), name


def test_tri_indices():
    assert tg.tril_indices(3, 3).tolist() == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert tg.triu_indices(2, 3, 1).tolist() == [[0, 0, 1], [1, 2, 2]]
    assert tg.tril_indices(3, 2, -1).shape == (2, 3) and tg.tril_indices(0, 0).shape == (2, 0)
    with pytest.raises(RuntimeError, match="entero"):
        tg.tril_indices(3, 3, dtype=tg.float32)
