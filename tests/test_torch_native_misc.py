"""Nombres de ATen que PyTorch expone en ``torch.*``: ``constant_pad_nd``, ``nonzero_static``, ``empty_permuted``,
``Tensor.new_empty_strided`` y ``native_layer_norm``/``native_batch_norm``/``native_group_norm`` (tuplas como ATen)."""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import check, leaf


def test_constant_pad_nd_pads_and_crops_with_gradient():
    x = tg.ones(2, 3)
    assert tg.constant_pad_nd(x, [1, -1], 5.0).tolist() == [[5., 1., 1.], [5., 1., 1.]]
    assert tuple(tg.constant_pad_nd(x, [1, 1, 2, 0]).shape) == (4, 5)
    check(lambda a: tg.constant_pad_nd(a, [2, -1, -1, 1], 0.5), np.random.default_rng(0).standard_normal((3, 4)))
    with pytest.raises(RuntimeError):
        tg.constant_pad_nd(x, [1, 2, 3])


def test_nonzero_static_truncates_and_fills():
    x = tg.tensor([[0, 1], [1, 0]])
    assert tg.nonzero_static(x, size=4, fill_value=-7).tolist() == [[0, 1], [1, 0], [-7, -7], [-7, -7]]
    assert tg.tensor([0, 1, 1, 0, 1]).nonzero_static(size=2).tolist() == [[1], [2]]
    assert tuple(tg.nonzero_static(tg.tensor(3.0), size=2).shape) == (2, 0)
    assert tg.nonzero_static(x, size=0).dtype == tg.int64
    with pytest.raises(RuntimeError, match="≥ 0"):
        tg.nonzero_static(x, size=-1)


def test_empty_permuted_and_new_empty_strided_layouts():
    e = tg.empty_permuted((2, 3, 4), (0, 2, 1))
    assert tuple(e.shape) == (2, 3, 4) and e.stride() == (12, 1, 3)
    assert tg.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1)).stride() == (60, 1, 15, 3)  # channels_last
    assert tg.empty_permuted((2, 3), (1, 0), dtype=tg.int64, requires_grad=False).dtype == tg.int64
    with pytest.raises(RuntimeError, match="dimensiones"):
        tg.empty_permuted((2, 3, 4), (0, 2))
    with pytest.raises(RuntimeError, match="repetidos"):
        tg.empty_permuted((2, 3, 4), (0, 2, 2))
    base = tg.ones(2, dtype=tg.float64)
    n = base.new_empty_strided((2, 3), (1, 2))
    assert tuple(n.shape) == (2, 3) and n.stride() == (1, 2) and n.dtype == tg.float64
    assert base.new_empty_strided((2,), (1,), dtype=tg.int32).dtype == tg.int32
    with pytest.raises(RuntimeError, match="misma longitud"):
        base.new_empty_strided((2, 3), (1,))


def test_native_norms_return_atens_tuples():
    x = tg.tensor(np.random.default_rng(0).standard_normal((3, 4, 5)))
    out, mean, rstd = tg.native_layer_norm(x, [4, 5], None, None, 1e-5)
    assert tuple(mean.shape) == (3, 1, 1) and tuple(rstd.shape) == (3, 1, 1)
    np.testing.assert_allclose(mean.numpy().ravel(), x.numpy().mean((1, 2)))
    np.testing.assert_allclose(rstd.numpy().ravel(), 1 / np.sqrt(x.numpy().var((1, 2)) + 1e-5))
    np.testing.assert_allclose(out.numpy(), tg.nn.functional.layer_norm(x, [4, 5]).numpy())
    rm, rv = tg.zeros(4, dtype=tg.float64), tg.ones(4, dtype=tg.float64)
    out, m, inv = tg.native_batch_norm(x, None, None, rm, rv, True, 0.1, 1e-5)
    assert tuple(m.shape) == (4,) and tuple(inv.shape) == (4,)
    np.testing.assert_allclose(rm.numpy(), 0.1 * x.numpy().mean((0, 2)))  # en entrenamiento actualiza las medias
    out, m, inv = tg.native_batch_norm(x, None, None, rm, rv, False, 0.1, 1e-5)
    assert tuple(m.shape) == (0,) and tuple(inv.shape) == (0,)
    with pytest.raises(RuntimeError, match="running_mean"):
        tg.native_batch_norm(x, None, None, None, None, False, 0.1, 1e-5)
    out, mean, rstd = tg.native_group_norm(x.reshape(3, 4, 5), None, None, 3, 4, 5, 2, 1e-5)
    assert tuple(mean.shape) == (3, 2)
    np.testing.assert_allclose(mean.numpy(), x.numpy().reshape(3, 2, 10).mean(-1))
    with pytest.raises(RuntimeError, match="HxW"):
        tg.native_group_norm(x, None, None, 3, 4, 6, 2, 1e-5)
    check(lambda a: sum(t.sum() for t in tg.native_group_norm(a, None, None, 2, 4, 3, 2, 1e-5)),
          np.random.default_rng(1).standard_normal((2, 4, 3)))


@pytest.mark.torch
def test_like_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((2, 4, 3))
    w, b = np.random.default_rng(3).standard_normal(4), np.random.default_rng(4).standard_normal(4)
    for lib_call in (lambda L, a, W, B: L.native_group_norm(a, W, B, 2, 4, 3, 2, 1e-5),
                     lambda L, a, W, B: L.native_layer_norm(a, [4, 3], None, None, 1e-5),
                     lambda L, a, W, B: L.native_batch_norm(a, W, B, None, None, True, 0.1, 1e-5),
                     lambda L, a, W, B: (L.constant_pad_nd(a, [1, -1, 2, 0], 0.5),)):
        xt, xg = torch.tensor(x, requires_grad=True), leaf(x, grad=True)
        rt, rg = lib_call(torch, xt, torch.tensor(w), torch.tensor(b)), lib_call(tg, xg, leaf(w), leaf(b))
        for a, c in zip(rt, rg):
            assert tuple(a.shape) == tuple(c.shape)
            np.testing.assert_allclose(c.detach().numpy(), a.detach().numpy(), rtol=1e-10, atol=1e-12)
        sum((t * (i + 1)).sum() for i, t in enumerate(rt) if t.requires_grad).backward()
        sum((t * (i + 1)).sum() for i, t in enumerate(rg) if t.requires_grad).backward()
        np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    i = np.array([[0, 3, 0], [2, 0, 1]])
    assert tg.nonzero_static(leaf(i), size=5).tolist() == torch.nonzero_static(torch.tensor(i), size=5).tolist()
    for size, perm in (((2, 3, 4), (2, 0, 1)), ((2, 3, 4, 5), (0, 2, 3, 1))):
        assert tg.empty_permuted(size, perm).stride() == torch.empty_permuted(size, perm).stride()
    assert tg.ones(3).new_empty_strided((3, 2), (1, 3)).stride() == \
        torch.ones(3).new_empty_strided((3, 2), (1, 3)).stride()
