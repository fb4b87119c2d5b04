"""``F.unfold``/``F.fold`` y ``nn.Unfold``/``nn.Fold``: la convolución como producto de matrices."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check


def test_conv_is_a_matmul_of_unfolded_blocks():
    rng = np.random.default_rng(0)
    x, w = tg.tensor(rng.standard_normal((2, 3, 5, 6))), tg.tensor(rng.standard_normal((4, 3, 3, 3)))
    cols = F.unfold(x, 3, padding=1, stride=2)  # (2, 27, L)
    assert cols.shape == (2, 27, 3 * 3)
    y = (w.reshape(4, -1) @ cols).reshape(2, 4, 3, 3)
    assert np.allclose(y.numpy(), F.conv2d(x, w, padding=1, stride=2).numpy())


def test_fold_is_the_transpose_of_unfold():
    x = tg.ones(1, 2, 4, 4)
    counts = F.fold(F.unfold(x, 2), (4, 4), 2)  # cuántos bloques cubren cada píxel
    assert counts[0, 0].tolist() == [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]
    assert F.fold(tg.ones(8, 9), (4, 4), 2).shape == (2, 4, 4)  # sin lote
    assert F.unfold(tg.ones(2, 4, 4), 2).shape == (8, 9)
    assert nn.Fold((4, 4), 2)(nn.Unfold(2)(x)).shape == (1, 2, 4, 4)
    assert "kernel_size=2" in repr(nn.Unfold(2))


def test_errors():
    with pytest.raises(RuntimeError, match="bloques"):
        F.fold(tg.ones(1, 8, 8), (4, 4), 2)
    with pytest.raises(RuntimeError, match="divisible"):
        F.fold(tg.ones(1, 7, 9), (4, 4), 2)
    with pytest.raises(RuntimeError, match="no cabe"):
        F.unfold(tg.ones(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="3-D"):
        F.unfold(tg.ones(4, 4), 2)


@given(k=st.integers(1, 3), s=st.integers(1, 2), p=st.integers(0, 1), d=st.integers(1, 2), data=st.data())
def test_gradients(k, s, p, d, data):
    h = data.draw(st.integers(d * (k - 1) + 1, 6))
    rng = np.random.default_rng(h)
    x = rng.standard_normal((1, 2, h, h + 1))
    check(lambda t: F.unfold(t, k, dilation=d, padding=p, stride=s), x)
    cols = F.unfold(tg.tensor(x), k, dilation=d, padding=p, stride=s).numpy()
    check(lambda c: F.fold(c, (h, h + 1), k, dilation=d, padding=p, stride=s), rng.standard_normal(cols.shape))


def test_same_as_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 5))
    for kw in ({"kernel_size": 2}, {"kernel_size": (3, 2), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}):
        a, b = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yb = F.unfold(a, **kw), torch.nn.functional.unfold(b, **kw)
        assert np.allclose(ya.detach().numpy(), yb.detach().numpy())
        za = F.fold(ya * ya, (6, 5), **kw)
        zb = torch.nn.functional.fold(yb * yb, (6, 5), **kw)
        assert np.allclose(za.detach().numpy(), zb.detach().numpy())
        (za * za).sum().backward()
        (zb * zb).sum().backward()
        assert np.allclose(a.grad.numpy(), b.grad.numpy())


def test_one_dimensional_variants_same_as_pytorch():
    """conv_transpose1d y los adaptativos 1-D (compuestos de sus versiones 2-D de altura 1)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 4, 7)), rng.standard_normal((4, 3, 3))
    cases = [(lambda L, a, b: L.nn.functional.conv_transpose1d(a, b, stride=2, padding=1, output_padding=1), (x, w)),
             (lambda L, a: L.nn.functional.adaptive_avg_pool1d(a, 3), (x,)),
             (lambda L, a: L.nn.functional.adaptive_max_pool1d(a, 4), (x,))]
    for f, args in cases:
        ours = [tg.tensor(a, requires_grad=True) for a in args]
        theirs = [torch.tensor(a, requires_grad=True) for a in args]
        yo, yt = f(tg, *ours), f(torch, *theirs)
        assert np.allclose(yo.detach().numpy(), yt.detach().numpy())
        (yo * yo).sum().backward()
        (yt * yt).sum().backward()
        for a, b in zip(ours, theirs):
            assert np.allclose(a.grad.numpy(), b.grad.numpy())
    v, i = F.adaptive_max_pool1d(tg.tensor(x), 2, return_indices=True)
    assert v.shape == (2, 4, 2) and i.dtype == tg.int64


def test_pixel_shuffle_roundtrip_and_pytorch():
    x = tg.arange(2 * 8 * 3 * 3, dtype=tg.float32).reshape(2, 8, 3, 3)
    y = F.pixel_shuffle(x, 2)
    assert y.shape == (2, 2, 6, 6) and nn.PixelShuffle(2)(x).shape == (2, 2, 6, 6)
    assert np.array_equal(F.pixel_unshuffle(y, 2).numpy(), x.numpy())
    assert y[0, 0, :2, :2].tolist() == [[0.0, 9.0], [18.0, 27.0]]  # los canales 0..3 forman el bloque 2×2
    with pytest.raises(RuntimeError, match="divisible"):
        F.pixel_shuffle(tg.ones(1, 3, 2, 2), 2)
    torch = pytest.importorskip("torch")
    assert np.array_equal(y.numpy(), torch.nn.functional.pixel_shuffle(torch.tensor(x.numpy()), 2).numpy())
