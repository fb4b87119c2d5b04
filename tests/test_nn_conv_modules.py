"""Capas de convolución, pooling, reescalado y relleno frente a PyTorch (mismos pesos): salida,
gradientes, gradcheck en float64 y ``repr``. Las opciones que dependen de los núcleos nuevos
(``nn/functional/conv.py``, ``pooling.py``: groups, dilation, traspuesta, ceil_mode...) se saltan si no están."""
import numpy as np
import pytest

from tinygrad_es import nn
from tinygrad_es.gradcheck import gradcheck
from helpers import leaf

try:
    import torch
    import torch.nn as tnn
except ImportError:  # pragma: no cover
    torch = tnn = None

rng = np.random.default_rng(0)


def _same_weights(ours, ref):
    ref.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()})


def check(make, tmake, shape, grad=True, call=lambda m, x: m(x), tcall=lambda m, x: m(x)):
    """Salida y gradientes (entrada y parámetros) iguales a PyTorch en float64; gradcheck."""
    m = make().double()
    x = rng.standard_normal(shape)
    if torch is not None:
        ref = tmake().double()
        _same_weights(m, ref)
        xo, xt = leaf(x, grad), torch.tensor(x, requires_grad=grad)
        yo, yt = call(m, xo), tcall(ref, xt)
        if isinstance(yt, tuple):
            np.testing.assert_array_equal(yo[1].numpy(), yt[1].numpy())  # índices
            yo, yt = yo[0], yt[0]
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
        if grad:
            g = rng.standard_normal(tuple(yt.shape))
            yo.backward(leaf(g))
            yt.backward(torch.tensor(g))
            np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-11)
            for p, tp in zip(m.parameters(), ref.parameters()):
                np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-9, atol=1e-11)
        assert repr(m) == repr(ref)
    if grad:
        names = [n for n, _ in m.named_parameters()]

        def f(xx, *ps):
            for n, p in zip(names, ps):
                object.__setattr__(m, n, p)
            out = call(m, xx)
            return out[0] if isinstance(out, tuple) else out
        params = [p for p in m.parameters()]
        try:
            gradcheck(f, [x] + [p.detach().numpy().copy() for p in params])
        finally:
            for n, p in zip(names, params):
                object.__setattr__(m, n, p)


# --------------------------------------------------------------------------------------
# lo que funciona con los núcleos básicos
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same", "valid"])
def test_conv2d_padding_and_padding_mode(mode, padding):
    make = lambda lib: lib.Conv2d(2, 3, 3, padding=padding, padding_mode=mode)  # noqa: E731
    check(lambda: make(nn), lambda: make(tnn), (2, 2, 6, 5))


@pytest.mark.parametrize("padding, mode", [(2, "reflect"), ("same", "zeros"), ("same", "circular"), (0, "zeros")])
def test_conv1d(padding, mode):
    make = lambda lib: lib.Conv1d(2, 4, 4, padding=padding, padding_mode=mode)  # noqa: E731
    check(lambda: make(nn), lambda: make(tnn), (3, 2, 9))


@pytest.mark.parametrize("cls, args", [("ZeroPad2d", ((1, 2, 0, 3),)), ("ConstantPad2d", (2, 0.5)),
                                       ("ReflectionPad2d", ((2, 1, 1, 2),)), ("ReplicationPad2d", (3,))])
def test_padding_modules(cls, args):
    check(lambda: getattr(nn, cls)(*args), lambda: getattr(tnn, cls)(*args), (2, 3, 4, 5))


def test_functional_pad_modes_like_torch():
    import tinygrad_es.nn.functional as F
    x = rng.standard_normal((2, 3, 5))
    for pad in [(1, 2), (3, 0), (-1, 2)]:
        for mode in ("constant", "reflect", "replicate", "circular"):
            if mode != "constant" and min(pad) < 0:
                continue
            out = F.pad(leaf(x), pad, mode=mode).numpy()
            if torch is not None:
                ref = torch.nn.functional.pad(torch.tensor(x), pad, mode=mode).numpy()
                np.testing.assert_array_equal(out, ref)
    with pytest.raises(RuntimeError, match="reflect"):
        F.pad(leaf(x), (5, 0), mode="reflect")


@pytest.mark.parametrize("make", [lambda lib: lib.MaxPool2d(2), lambda lib: lib.MaxPool2d(3, 2, 1),
                                  lambda lib: lib.AvgPool2d(3, stride=2, padding=1),
                                  lambda lib: lib.AdaptiveAvgPool2d((2, 3)), lambda lib: lib.AdaptiveAvgPool2d(1)])
def test_basic_pooling(make):
    x_shape = (2, 3, 7, 6)
    check(lambda: make(nn), lambda: make(tnn), x_shape, grad=False)
    m = make(nn).double()
    x = rng.permutation(np.prod(x_shape)).reshape(x_shape) * 0.01  # sin empates
    gradcheck(lambda xx: m(xx), [x])


def test_conv_validation_errors():
    with pytest.raises(ValueError, match="divisible por groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="stride distinto de 1"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="'same' o 'valid'"):
        nn.Conv2d(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="padding_mode='zeros'"):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")


@pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")
def test_reprs_like_torch():
    for args, kw in [((1, 32, 3), {}), ((4, 8, (3, 5)), dict(stride=2, padding=1, dilation=2, groups=2, bias=False)),
                     ((2, 2, 3), dict(padding="same", padding_mode="reflect"))]:
        assert repr(nn.Conv2d(*args, **kw)) == repr(tnn.Conv2d(*args, **kw))
    assert repr(nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)) == \
        repr(tnn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1))
    for make in (lambda lib: lib.MaxPool2d(2, ceil_mode=True), lambda lib: lib.AvgPool2d(3, 1, 1),
                 lambda lib: lib.MaxUnpool2d(2), lambda lib: lib.AdaptiveMaxPool2d((3, 2)),
                 lambda lib: lib.Upsample(scale_factor=2, mode="bilinear"), lambda lib: lib.Upsample(size=(4, 5))):
        assert repr(make(nn)) == repr(make(tnn))


def test_default_init_fan_in_like_torch():
    conv = nn.Conv2d(4, 8, 3, groups=2)
    bound = 1 / np.sqrt(2 * 9)  # fan_in = in_channels/groups · k·k
    w = conv.weight.detach().numpy()
    assert conv.weight.shape == (8, 2, 3, 3) and np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    tr = nn.ConvTranspose2d(4, 6, 3)
    assert tr.weight.shape == (4, 6, 3, 3)
    assert np.abs(tr.bias.detach().numpy()).max() <= 1 / np.sqrt(6 * 9)


# --------------------------------------------------------------------------------------
# lo que necesita los núcleos nuevos
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [dict(groups=2), dict(dilation=2, padding=2), dict(stride=2, dilation=(1, 2), groups=4),
                                dict(padding="same", dilation=2), dict(padding=1, padding_mode="circular", groups=2)])
def test_conv2d_groups_dilation(kw):
    check(lambda: nn.Conv2d(4, 8, 3, **kw), lambda: tnn.Conv2d(4, 8, 3, **kw), (2, 4, 7, 6))


@pytest.mark.parametrize("kw", [dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1),
                                dict(groups=2, dilation=2), dict(stride=(2, 1), padding=(1, 0), bias=False)])
def test_conv_transpose2d(kw):
    check(lambda: nn.ConvTranspose2d(4, 6, 3, **kw), lambda: tnn.ConvTranspose2d(4, 6, 3, **kw), (2, 4, 5, 4))


def test_conv_transpose2d_output_size():
    m = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    assert m(leaf(np.ones((1, 2, 4, 4), np.float32)), output_size=(8, 8)).shape == (1, 3, 8, 8)
    with pytest.raises(ValueError, match="no es alcanzable"):
        m(leaf(np.ones((1, 2, 4, 4), np.float32)), output_size=(12, 12))


@pytest.mark.parametrize("kw", [dict(), dict(stride=2), dict(stride=3, padding=1, output_padding=2),
                                dict(groups=2, dilation=2), dict(stride=2, padding=2, bias=False)])
@pytest.mark.parametrize("batched", [True, False])
def test_conv_transpose1d(kw, batched):
    shape = (2, 4, 6) if batched else (4, 6)
    check(lambda: nn.ConvTranspose1d(4, 6, 3, **kw), lambda: tnn.ConvTranspose1d(4, 6, 3, **kw), shape)


def test_conv_transpose1d_output_size_and_lazy():
    m = nn.ConvTranspose1d(2, 3, 3, stride=2, padding=1)
    assert m(leaf(np.ones((1, 2, 4), np.float32)), output_size=[8]).shape == (1, 3, 8)
    assert m(leaf(np.ones((2, 4), np.float32)), output_size=(7,)).shape == (3, 7)
    with pytest.raises(ValueError, match="no es alcanzable"):
        m(leaf(np.ones((1, 2, 4), np.float32)), output_size=(12,))
    with pytest.raises(ValueError, match="padding_mode='zeros'"):
        nn.ConvTranspose1d(1, 1, 3, padding_mode="reflect")
    lazy = nn.LazyConvTranspose1d(5, 3, stride=2, groups=1)
    assert lazy(leaf(np.ones((2, 3, 4), np.float32))).shape == (2, 5, 9)
    assert type(lazy) is nn.ConvTranspose1d and lazy.weight.shape == (3, 5, 3) and lazy.in_channels == 3
    if tnn is not None:
        assert repr(lazy) == repr(tnn.ConvTranspose1d(3, 5, 3, stride=2))


@pytest.mark.parametrize("make", [lambda lib: lib.MaxPool2d(3, 2, ceil_mode=True),
                                  lambda lib: lib.MaxPool2d(2, dilation=2),
                                  lambda lib: lib.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
                                  lambda lib: lib.AvgPool2d(2, divisor_override=3),
                                  lambda lib: lib.AdaptiveMaxPool2d((3, 2)), lambda lib: lib.MaxPool1d(3, 2),
                                  lambda lib: lib.AvgPool1d(3, 2, 1)])
def test_pooling_options(make):
    shape = (2, 3, 7, 6) if not isinstance(make(nn), (nn.MaxPool1d, nn.AvgPool1d)) else (2, 3, 9)
    check(lambda: make(nn), lambda: make(tnn), shape, grad=False)
    m = make(nn).double()
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.01
    gradcheck(lambda xx: m(xx), [x])


def test_maxpool_indices_and_unpool():
    check(lambda: nn.MaxPool2d(2, return_indices=True), lambda: tnn.MaxPool2d(2, return_indices=True),
          (2, 3, 6, 6), grad=False)
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    x = rng.standard_normal((1, 2, 4, 4))
    y, idx = pool(leaf(x))
    z = unpool(y, idx)
    assert z.shape == (1, 2, 4, 4)
    np.testing.assert_array_equal(z.numpy().max(axis=(2, 3)), x.max(axis=(2, 3)))
    if torch is not None:
        ty, tidx = tnn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
        np.testing.assert_array_equal(z.numpy(), tnn.MaxUnpool2d(2)(ty, tidx).numpy())


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(5, 7)), dict(scale_factor=2, mode="bilinear"),
                                dict(scale_factor=1.5, mode="bilinear", align_corners=True),
                                dict(size=(3, 4), mode="bilinear")])
def test_upsample(kw):
    check(lambda: nn.Upsample(**kw), lambda: tnn.Upsample(**kw), (2, 3, 4, 5))
