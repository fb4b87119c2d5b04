"""``ChannelShuffle``/``F.channel_shuffle``/``F.native_channel_shuffle`` (valores y gradiente contra PyTorch
si está; gradcheck float64) y ``nn.Buffer`` (registro al asignar, ``persistent``, ``isinstance``)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


@pytest.mark.parametrize("shape, g", [((2, 6, 3), 2), ((1, 6, 2, 2), 3), ((2, 4, 1, 2, 2), 4), ((3, 5, 2), 1)])
def test_channel_shuffle_like_torch(shape, g):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    assert repr(nn.ChannelShuffle(g)) == repr(torch.nn.ChannelShuffle(g))
    np.testing.assert_array_equal(F.native_channel_shuffle(leaf(x), g).numpy(),
                                  torch.nn.functional.native_channel_shuffle(torch.tensor(x), g).numpy())
    for ours, ref in ((nn.ChannelShuffle(g), torch.nn.ChannelShuffle(g)),
                      (lambda t: F.native_channel_shuffle(t, g), torch.nn.ChannelShuffle(g))):
        # (la native de PyTorch no tiene derivada; la nuestra sí, la misma que channel_shuffle)
        xt, rt = leaf(x, grad=True), torch.tensor(x, requires_grad=True)
        y, r = ours(xt), ref(rt)
        np.testing.assert_array_equal(y.detach().numpy(), r.detach().numpy())
        g_out = rng.standard_normal(shape)
        y.backward(leaf(g_out)), r.backward(torch.tensor(g_out))
        np.testing.assert_array_equal(xt.grad.numpy(), rt.grad.numpy())


@given(g=st.sampled_from([1, 2, 3]), k=st.integers(1, 2), rest=st.integers(1, 3))
def test_channel_shuffle_gradcheck(g, k, rest):
    check(lambda t: F.channel_shuffle(t, g) * leaf(np.arange(g * k, dtype=np.float64)[:, None] + 1),
          rng.standard_normal((2, g * k, rest)))


def test_channel_shuffle_errors():
    with pytest.raises(RuntimeError, match="divisible"):
        F.channel_shuffle(leaf(np.ones((2, 3, 4))), 2)
    with pytest.raises(RuntimeError, match="más de 2 ejes"):
        F.channel_shuffle(leaf(np.ones((1, 6))), 2)
    with pytest.raises(RuntimeError, match="groups"):
        F.channel_shuffle(leaf(np.ones((2, 4, 4))), 0)


def test_buffer_registers_on_assignment():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Buffer(tg.ones(2))
            self.b = nn.Buffer(tg.zeros(1), persistent=False)
            self.c = tg.ones(1)  # un Tensor normal no se registra

    m = M()
    assert list(m.state_dict()) == ["a"] and [n for n, _ in m.named_buffers()] == ["a", "b"]
    assert isinstance(m.a, nn.Buffer) and isinstance(m.a, tg.Tensor) and not isinstance(m.c, nn.Buffer)
    assert nn.Buffer().shape == (0,) and nn.Buffer(tg.ones(2, requires_grad=True)).requires_grad
    assert m.double().a.dtype == tg.float64
    with pytest.raises(TypeError, match="Tensor"):
        nn.Buffer([1.0, 2.0])
