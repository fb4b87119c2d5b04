"""``Tensor.index_reduce``/``index_reduce_``/``torch.index_reduce``, ``Tensor.hardshrink`` y ``Tensor.char``
contra PyTorch (valores y gradientes) y con entradas malas."""
import numpy as np
import pytest

import tinygrad_es as tg

REDUCES = ["prod", "mean", "amax", "amin"]


def _case(lib, reduce, include_self, dim, ties):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 5, 3))
    src_shape = [4, 5, 3]
    src_shape[dim] = 6
    s = rng.standard_normal(src_shape)
    if ties:  # empates para amax/amin (el gradiente se reparte entre ellos)
        x = np.round(x)
        s = np.round(s)
    idx = np.array([0, 2, 0, 1, 2, 0])
    xt = lib.tensor(x, requires_grad=True)
    st = lib.tensor(s, requires_grad=True)
    out = xt.index_reduce(dim, lib.tensor(idx), st, reduce, include_self=include_self)
    out.backward(lib.tensor(rng.standard_normal(out.shape)))
    return out.detach().numpy(), xt.grad.numpy(), st.grad.numpy()


@pytest.mark.torch
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_reduce_matches_torch(reduce, include_self, dim):
    torch = pytest.importorskip("torch")
    for ties in (False, True):
        if ties and reduce in ("prod", "mean"):
            continue
        for a, b in zip(_case(tg, reduce, include_self, dim, ties), _case(torch, reduce, include_self, dim, ties)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_index_reduce_gradcheck():
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    s = tg.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    idx = tg.tensor([1, 3, 1, 0, 1])
    for reduce in REDUCES:
        for inc in (True, False):
            assert tg.autograd.gradcheck(lambda a, b: a.index_reduce(1, idx, b, reduce, include_self=inc), (x, s))


@pytest.mark.torch
def test_index_reduce_inplace_ints_and_torch_function():
    torch = pytest.importorskip("torch")
    res = []
    for lib in (tg, torch):
        x = lib.tensor([[5, 1], [2, 8], [7, 7]])
        y = x.clone()
        r = y.index_reduce_(0, lib.tensor([2, 0, 2]), lib.tensor([[1, 2], [9, 3], [4, 4]]), "mean")
        assert r is y
        z = lib.index_reduce(x, 1, lib.tensor([1]), lib.tensor([[3], [3], [3]]), "amin", include_self=False)
        res.append((y.numpy().tolist(), str(y.dtype), z.numpy().tolist()))
    assert res[0] == res[1]


def test_index_reduce_bad_input():
    x = tg.ones(3, 2)
    with pytest.raises(RuntimeError, match="reduce"):
        x.index_reduce(0, tg.tensor([0]), tg.ones(1, 2), "sum")
    with pytest.raises(IndexError, match="fuera de rango"):
        x.index_reduce(0, tg.tensor([3]), tg.ones(1, 2), "prod")
    with pytest.raises(RuntimeError, match="forma"):
        x.index_reduce(0, tg.tensor([0, 1]), tg.ones(1, 2), "prod")
    with pytest.raises(IndexError):
        x.index_reduce(0, tg.tensor([[0]]), tg.ones(1, 2), "prod")
    with pytest.raises(RuntimeError):
        x.index_reduce(0, tg.tensor([0]), tg.ones(1, 2, dtype=tg.float64), "prod")


@pytest.mark.torch
def test_hardshrink_and_char_like_torch():
    torch = pytest.importorskip("torch")
    x = np.array([-1.0, -0.5, -0.2, 0.0, 0.3, 0.5, 0.7, 2.0])
    outs = []
    for lib in (tg, torch):
        t = lib.tensor(x, requires_grad=True)
        y = t.hardshrink(0.4)
        y.sum().backward()
        outs.append((y.detach().numpy().tolist(), t.grad.numpy().tolist(), str(y.dtype),
                     lib.tensor(x).hardshrink().numpy().tolist(),
                     lib.tensor([1.7, -3.2, 100.0]).char().numpy().tolist(), str(lib.tensor([True]).char().dtype)))
        with pytest.raises(NotImplementedError):
            lib.tensor([1, 2]).hardshrink()
    assert outs[0] == outs[1]
