"""La familia 3-D: ``conv3d``/``conv_transpose3d``, ``max_pool3d``/``avg_pool3d``/``max_unpool3d``, los
adaptativos y sus capas (``Conv3d``, ``ConvTranspose3d``, ``Lazy*3d``, ``MaxPool3d``...): contra una
referencia lenta de bucles numpy, gradientes float64 contra diferencias centrales en formas de hypothesis,
valores, índices y gradientes contra PyTorch (si está), float32 dentro de la precisión de PyTorch,
errores en castellano con la clase de PyTorch y ``state_dict`` de ida y vuelta."""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


def _distinct(shape):
    """Valores sin empates (el máximo de cada ventana es único: el gradiente existe)."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) - np.prod(shape) / 2) * 0.1


def ref_conv3d(x, w, b, s, p, d, g):
    """Correlación cruzada 3-D de libro: un bucle por posición de salida."""
    n, c, *size = x.shape
    o, cg, *k = w.shape
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((q, q) for q in p))
    out_size = [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(3)]
    y = np.zeros((n, o, *out_size))
    og = o // g
    for i in range(out_size[0]):
        for j in range(out_size[1]):
            for m in range(out_size[2]):
                patch = xp[:, :, i * s[0]:i * s[0] + d[0] * (k[0] - 1) + 1:d[0],
                           j * s[1]:j * s[1] + d[1] * (k[1] - 1) + 1:d[1], m * s[2]:m * s[2] + d[2] * (k[2] - 1) + 1:d[2]]
                for gg in range(g):
                    y[:, gg * og:(gg + 1) * og, i, j, m] = np.tensordot(
                        patch[:, gg * cg:(gg + 1) * cg], w[gg * og:(gg + 1) * og], axes=([1, 2, 3, 4], [1, 2, 3, 4]))
    return y if b is None else y + b[None, :, None, None, None]


@st.composite
def conv_case(draw):
    g = draw(st.integers(1, 2))
    c, o = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(3))
    s = tuple(draw(st.integers(1, 2)) for _ in range(3))
    d = tuple(draw(st.integers(1, 2)) for _ in range(3))
    p = tuple(draw(st.integers(0, 1)) for _ in range(3))
    size = tuple(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]) + draw(st.integers(0, 2)) for i in range(3))
    return (draw(st.integers(1, 2)), c, size), (o, c // g, *k), s, p, d, g, draw(st.booleans())


@settings(max_examples=8, deadline=None)
@given(conv_case())
def test_conv3d_against_loops_and_finite_differences(case):
    (n, c, size), wshape, s, p, d, g, with_bias = case
    x, w, b = rng.standard_normal((n, c, *size)), rng.standard_normal(wshape), rng.standard_normal(wshape[0])
    y = F.conv3d(leaf(x), leaf(w), leaf(b) if with_bias else None, s, p, d, g)
    np.testing.assert_allclose(y.numpy(), ref_conv3d(x, w, b if with_bias else None, s, p, d, g), atol=1e-12)
    args = (x, w, b) if with_bias else (x, w)
    check(lambda *t: F.conv3d(t[0], t[1], t[2] if with_bias else None, s, p, d, g), *args)


@settings(max_examples=8, deadline=None)
@given(conv_case(), st.data())
def test_conv_transpose3d_is_the_adjoint_and_finite_differences(case, data):
    (n, c, size), (o, _, *k), s, p, d, g, with_bias = case
    a = tuple(data.draw(st.integers(0, s[i] - 1)) for i in range(3))
    out = [(size[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + a[i] + 1 for i in range(3)]
    assume(min(out) >= 1)
    # los mismos pesos (o, c/g, k) son los de conv3d (c → o canales) y los de su traspuesta (o → c):
    # <conv3d(z, w), x> = <z, conv_transpose3d(x, w)>
    x, w = rng.standard_normal((n, o, *size)), rng.standard_normal((o, c // g, *k))
    y = F.conv_transpose3d(leaf(x), leaf(w), None, s, p, a, g, d)
    assert tuple(y.shape) == (n, c, *out)
    z = rng.standard_normal(y.shape)
    conv = F.conv3d(leaf(z), leaf(w), None, s, p, d, g)
    np.testing.assert_allclose(np.vdot(conv.numpy(), x), np.vdot(z, y.numpy()), rtol=1e-10)
    b = rng.standard_normal(c)
    check(lambda t, u, v: F.conv_transpose3d(t, u, v if with_bias else None, s, p, a, g, d), x, w, b)


@st.composite
def pool_case(draw):
    k = tuple(draw(st.integers(1, 3)) for _ in range(3))
    s = tuple(draw(st.integers(1, 2)) for _ in range(3))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    size = tuple(kk + draw(st.integers(0, 3)) for kk in k)
    return (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *size), k, s, p, draw(st.booleans())


@settings(max_examples=10, deadline=None)
@given(pool_case(), st.booleans())
def test_pool3d_finite_differences(case, count_include_pad):
    shape, k, s, p, ceil = case
    x = _distinct(shape)
    check(lambda t: F.max_pool3d(t, k, s, p, 1, ceil), x)
    check(lambda t: F.avg_pool3d(t, k, s, p, ceil, count_include_pad), x)
    check(lambda t: F.avg_pool3d(t, k, s, p, ceil, count_include_pad, 5), x)
    out = tuple(max(1, n // 2) for n in shape[2:])
    check(lambda t: F.adaptive_avg_pool3d(t, out), x)
    check(lambda t: F.adaptive_max_pool3d(t, out), x)
    # ventanas sin solape (stride = kernel): índices distintos, así que cada entrada llega a la salida
    y, idx = F.max_pool3d(leaf(x), k, k, p, 1, ceil, return_indices=True)
    check(lambda t: F.max_unpool3d(t, idx, k, k, p, output_size=shape[2:]), y.numpy())


def test_max_pool3d_against_a_window_loop_with_ties():
    x = rng.integers(0, 3, (2, 2, 5, 4, 6)).astype(np.float64)  # muchos empates
    y, idx = F.max_pool3d(leaf(x), (2, 3, 2), (2, 1, 2), (1, 1, 0), return_indices=True)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    for i, j, m in np.ndindex(*y.shape[2:]):
        win = xp[:, :, 2 * i:2 * i + 2, j:j + 3, 2 * m:2 * m + 2].reshape(2, 2, -1)
        np.testing.assert_array_equal(y.numpy()[:, :, i, j, m], win.max(-1))
        first = win.argmax(-1)  # el primero en el orden (d, h, w), como PyTorch
        dd, hh, ww = np.unravel_index(first, (2, 3, 2))
        flat = (2 * i + dd - 1) * 4 * 6 + (j + hh - 1) * 6 + (2 * m + ww)
        np.testing.assert_array_equal(idx.numpy()[:, :, i, j, m], flat)


# ---- contra PyTorch -------------------------------------------------------------------------------
def _compare(ours, ref, *arrays, rtol=1e-10, atol=1e-12):
    torch = pytest.importorskip("torch")
    ts = [leaf(a, grad=True) for a in arrays]
    rs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, r = ours(*ts), ref(*rs)
    if isinstance(r, tuple):
        np.testing.assert_array_equal(y[1].numpy(), r[1].numpy())
        y, r = y[0], r[0]
    assert tuple(y.shape) == tuple(r.shape) and str(y.dtype) == str(r.dtype)
    np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=rtol, atol=atol)
    g = rng.standard_normal(tuple(r.shape))
    y.backward(leaf(g)), r.backward(torch.tensor(g))
    for t, u in zip(ts, rs):
        np.testing.assert_allclose(t.grad.numpy(), u.grad.numpy(), rtol=rtol * 10, atol=atol * 10)


CONVS = [dict(), dict(stride=(2, 1, 2), padding=(1, 0, 1)), dict(padding="same", dilation=(2, 1, 1)),
         dict(padding="valid", groups=2), dict(stride=2, padding=1, dilation=2, groups=2)]


@pytest.mark.torch
@pytest.mark.parametrize("kw", CONVS)
@pytest.mark.parametrize("batched", [True, False])
def test_conv3d_like_torch(kw, batched):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 4, 6, 7, 5) if batched else (4, 6, 7, 5))
    w, b = rng.standard_normal((6, 4 // kw.get("groups", 1), 3, 2, 3)), rng.standard_normal(6)
    _compare(lambda *t: F.conv3d(*t, **kw), lambda *t: torch.nn.functional.conv3d(*t, **kw), x, w, b)


TRANSPOSED = [dict(), dict(stride=2, padding=1, output_padding=1), dict(stride=(1, 2, 3), output_padding=(0, 1, 2)),
              dict(stride=1, dilation=(3, 1, 2), output_padding=(2, 0, 1), groups=2), dict(padding=(1, 0, 1), groups=2),
              # stride = kD sin dilatación: las tomas de profundidad no se solapan (intercaladas sin fold)
              dict(stride=3), dict(stride=(3, 2, 2), padding=(1, 0, 1), output_padding=(2, 1, 0), groups=2),
              dict(stride=(3, 1, 1), padding=(1, 1, 0), output_padding=(1, 0, 0))]


@pytest.mark.torch
@pytest.mark.parametrize("kw", TRANSPOSED)
@pytest.mark.parametrize("batched", [True, False])
def test_conv_transpose3d_like_torch(kw, batched):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 4, 3, 4, 5) if batched else (4, 3, 4, 5))
    w, b = rng.standard_normal((4, 3, 3, 2, 3)), rng.standard_normal(3 * kw.get("groups", 1))
    _compare(lambda *t: F.conv_transpose3d(*t, **kw), lambda *t: torch.nn.functional.conv_transpose3d(*t, **kw),
             x, w, b)


POOLS = [dict(kernel_size=2), dict(kernel_size=(3, 2, 2), stride=(2, 1, 2), padding=(1, 1, 0)),
         dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)]


@pytest.mark.torch
@pytest.mark.parametrize("kw", POOLS)
@pytest.mark.parametrize("ties", [False, True])
def test_pool3d_like_torch(kw, ties):
    torch = pytest.importorskip("torch")
    T = torch.nn.functional
    x = rng.integers(0, 3, (2, 3, 7, 6, 5)).astype(np.float64) if ties else rng.standard_normal((2, 3, 7, 6, 5))
    _compare(lambda t: F.max_pool3d(t, return_indices=True, **kw), lambda t: T.max_pool3d(t, return_indices=True, **kw),
             x)
    _compare(lambda t: F.max_pool3d(t, dilation=(2, 1, 1), **kw), lambda t: T.max_pool3d(t, dilation=(2, 1, 1), **kw),
             x)
    for cip in (True, False):
        for div in (None, 3):
            _compare(lambda t: F.avg_pool3d(t, count_include_pad=cip, divisor_override=div, **kw),
                     lambda t: T.avg_pool3d(t, count_include_pad=cip, divisor_override=div, **kw), x)
    for out in (1, (2, 3, 2), (3, None, 4), (5, 4, 3)):
        _compare(lambda t: F.adaptive_avg_pool3d(t, out), lambda t: T.adaptive_avg_pool3d(t, out), x)
        _compare(lambda t: F.adaptive_max_pool3d(t, out, True), lambda t: T.adaptive_max_pool3d(t, out, True), x)
    x4 = x[0]  # sin lote
    _compare(lambda t: F.max_pool3d_with_indices(t, **kw), lambda t: T.max_pool3d_with_indices(t, **kw), x4)
    _compare(lambda t: F.avg_pool3d(t, **kw), lambda t: T.avg_pool3d(t, **kw), x4)


@pytest.mark.torch
def test_max_pool3d_nan_and_unpool_like_torch():
    torch = pytest.importorskip("torch")
    T = torch.nn.functional
    x = rng.standard_normal((2, 3, 4, 4, 4))
    x[0, 0, 1, 1, 1] = x[0, 0, 0, 0, 0] = np.nan
    x[1, 1, :2, :2, :2] = np.nan
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)):
        y, i = F.max_pool3d(leaf(x), return_indices=True, **kw)
        r, j = T.max_pool3d(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(i.numpy(), j.numpy())
        np.testing.assert_array_equal(y.numpy(), r.numpy())
    x = _distinct((2, 3, 6, 4, 4))
    y, i = F.max_pool3d(leaf(x), 2, return_indices=True)
    r, j = T.max_pool3d(torch.tensor(x), 2, return_indices=True)
    for size in (None, (6, 4, 4), (1, 2, 6, 4, 4), (7, 5, 5)):
        _compare(lambda t: F.max_unpool3d(t, i, 2, output_size=size),
                 lambda t: T.max_unpool3d(t, j, 2, output_size=size), y.numpy())


@pytest.mark.torch
def test_float32_within_pytorch_precision():
    torch = pytest.importorskip("torch")
    x, w = rng.standard_normal((2, 8, 8, 10, 10)), rng.standard_normal((16, 8, 3, 3, 3))
    exact = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(w), padding=1).numpy()
    ours = F.conv3d(leaf(x.astype(np.float32)), leaf(w.astype(np.float32)), padding=1)
    ref = torch.nn.functional.conv3d(torch.tensor(x, dtype=torch.float32), torch.tensor(w, dtype=torch.float32),
                                     padding=1)
    assert ours.dtype == tg.float32
    assert np.abs(ours.numpy() - exact).max() <= 2 * np.abs(ref.numpy() - exact).max()


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_integer_inputs_keep_their_dtype(dtype):
    x = rng.integers(0, 5, (1, 2, 4, 4, 4)).astype(dtype)
    y = F.conv3d(leaf(x), leaf(np.ones((1, 2, 2, 2, 2), dtype)))
    assert y.numpy().dtype == dtype and y.numpy()[0, 0, 0, 0, 0] == x[0, :, :2, :2, :2].sum()
    assert F.max_pool3d(leaf(x), 2).numpy().dtype == dtype
    with pytest.raises(NotImplementedError):
        F.adaptive_avg_pool3d(leaf(x), 1)
    with pytest.raises(NotImplementedError):
        F.max_pool3d(leaf(x.astype(bool)), 2)
    if dtype == np.int64:
        assert F.avg_pool3d(leaf(x), 2).numpy().dtype == np.int64
    else:
        with pytest.raises(NotImplementedError):
            F.avg_pool3d(leaf(x), 2)


# ---- errores ---------------------------------------------------------------------------------------
X = np.ones((1, 2, 4, 4, 4))
BAD = [
    (lambda: F.conv3d(leaf(np.ones((2, 4, 4))), leaf(np.ones((3, 2, 2, 2, 2)))), RuntimeError, r"5-D.*\(2, 4, 4\)"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 2, 2, 2)))), RuntimeError, r"pesos.*\(3, 2, 2, 2\)"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 2, 5, 2, 2)))), RuntimeError, r"núcleo \(5, 2, 2\).*mayor"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 2, 2, 2, 2))), padding=-1), RuntimeError, "negativo"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 2, 2, 2, 2))), stride=0), RuntimeError, "stride"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 1, 2, 2, 2))), groups=2), RuntimeError, "groups=2 debe dividir"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 3, 2, 2, 2)))), RuntimeError, r"2 canales.*esperan 3"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 2, 2, 2, 2))), leaf(np.ones(2))), RuntimeError, r"sesgo.*\(3,\)"),
    (lambda: F.conv3d(leaf(X), leaf(np.ones((3, 2, 2, 2, 2))), stride=2, padding="same"), RuntimeError, "same"),
    (lambda: F.conv_transpose3d(leaf(X), leaf(np.ones((2, 3, 2, 2, 2))), stride=2, output_padding=2), RuntimeError,
     "output_padding"),
    (lambda: F.conv_transpose3d(leaf(X), leaf(np.ones((2, 3, 2, 2, 2))), padding=3), RuntimeError, "tamaño"),
    (lambda: F.max_pool3d(leaf(np.ones((4, 4))), 2), RuntimeError, r"5-D.*\(4, 4\)"),
    (lambda: F.max_pool3d(leaf(X), 5), RuntimeError, "mayor que la entrada"),
    (lambda: F.max_pool3d(leaf(X), 2, padding=2), RuntimeError, "mitad del núcleo"),
    (lambda: F.max_pool3d(leaf(X), 3, padding=2, dilation=2), RuntimeError, "mitad del núcleo"),
    (lambda: F.avg_pool3d(leaf(X), (2, 3, 1), padding=1), RuntimeError, "mitad del núcleo"),
    (lambda: F.max_pool3d(leaf(X), 2, stride=0), RuntimeError, "stride"),
    (lambda: F.max_pool3d(leaf(X), 2, padding=-1), RuntimeError, "negativo"),
    (lambda: F.avg_pool3d(leaf(X), 2, divisor_override=0), RuntimeError, "divisor_override"),
    (lambda: F.adaptive_avg_pool3d(leaf(X), (2, 2)), RuntimeError, "terna"),
    (lambda: F.adaptive_max_pool3d(leaf(X), (2, -1, 2)), RuntimeError, "≥ 1"),
    (lambda: F.max_unpool3d(leaf(X), leaf(np.full(X.shape, 10 ** 6, np.int64)), 2), RuntimeError, "fuera de"),
    (lambda: F.max_unpool3d(leaf(X), leaf(np.zeros((1, 2, 4, 4, 3), np.int64)), 2), RuntimeError, "forma"),
    (lambda: nn.Conv3d(3, 4, 2, groups=2), ValueError, "divisible"),
    (lambda: nn.ConvTranspose3d(3, 4, 2, padding_mode="reflect"), ValueError, "zeros"),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_input_gives_a_spanish_error_with_torch_class(i):
    fn, cls, msg = BAD[i]
    with pytest.raises(cls, match=msg):
        fn()


# ---- capas --------------------------------------------------------------------------------------
LAYERS = [lambda L: L.Conv3d(2, 4, 3), lambda L: L.Conv3d(2, 4, (1, 2, 3), padding="same", padding_mode="reflect",
                                                        bias=False),
          lambda L: L.Conv3d(2, 4, 3, stride=2, padding=1, padding_mode="circular", groups=2),
          lambda L: L.Conv3d(2, 4, 3, padding=(1, 0, 1), padding_mode="replicate"),
          lambda L: L.ConvTranspose3d(2, 4, 3, stride=2, output_padding=1)]


@pytest.mark.parametrize("make", LAYERS)
def test_conv_layers_state_dict_round_trip_and_torch(make, tmp_path):
    layer = make(nn).double()
    copy = make(nn).double()
    copy.load_state_dict(layer.state_dict())
    x = rng.standard_normal((2, 2, 4, 5, 6))
    np.testing.assert_array_equal(layer(leaf(x)).detach().numpy(), copy(leaf(x)).detach().numpy())
    tg.save(layer.state_dict(), tmp_path / "capa.pt")
    again = make(nn).double()
    again.load_state_dict(tg.load(tmp_path / "capa.pt"))
    np.testing.assert_array_equal(again.weight.detach().numpy(), layer.weight.detach().numpy())
    torch = pytest.importorskip("torch")
    ref = make(torch.nn).double()
    assert repr(ref) == repr(layer) and list(ref.state_dict()) == list(layer.state_dict())
    ref.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in layer.state_dict().items()})
    np.testing.assert_allclose(layer(leaf(x)).detach().numpy(), ref(torch.tensor(x)).detach().numpy(), atol=1e-12)


@pytest.mark.torch
def test_conv_transpose3d_output_size_and_pool_layers_like_torch():
    torch = pytest.importorskip("torch")
    layer, ref = nn.ConvTranspose3d(2, 4, 3, stride=2).double(), torch.nn.ConvTranspose3d(2, 4, 3, stride=2).double()
    ref.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in layer.state_dict().items()})
    x = rng.standard_normal((1, 2, 3, 4, 5))
    _compare(lambda t: layer(t, output_size=(8, 9, 12)), lambda t: ref(t, output_size=(8, 9, 12)), x)
    with pytest.raises(ValueError, match="output_size"):
        layer(leaf(x), output_size=(6, 8, 10))
    for make in (lambda L: L.MaxPool3d(2), lambda L: L.MaxPool3d((2, 3, 2), 1, 1, 2, True, True),
                 lambda L: L.AvgPool3d(2), lambda L: L.AvgPool3d(3, 1, 1, True, False, 2),
                 lambda L: L.AdaptiveAvgPool3d((2, None, 3)), lambda L: L.AdaptiveMaxPool3d(2, True)):
        assert repr(make(nn)) == repr(make(torch.nn))
        _compare(make(nn), make(torch.nn), _distinct((2, 3, 5, 6, 4)))
    assert repr(nn.MaxUnpool3d(2)) == repr(torch.nn.MaxUnpool3d(2))


def test_lazy_3d_layers_become_the_plain_ones():
    conv = nn.LazyConv3d(4, 2)
    assert conv(tg.randn(1, 3, 4, 4, 4)).shape == (1, 4, 3, 3, 3)
    assert type(conv) is nn.Conv3d and conv.weight.shape == (4, 3, 2, 2, 2) and conv.in_channels == 3
    up = nn.LazyConvTranspose3d(4, 2, stride=2)
    assert up(tg.randn(3, 2, 2, 2)).shape == (4, 4, 4, 4)
    assert type(up) is nn.ConvTranspose3d and up.weight.shape == (3, 4, 2, 2, 2)


def test_torch_level_names():
    x = tg.randn(1, 2, 4, 4, 4)
    assert tg.conv3d(x, tg.randn(3, 2, 2, 2, 2)).shape == (1, 3, 3, 3, 3)
    assert tg.conv_transpose3d(x, tg.randn(2, 3, 2, 2, 2), stride=2).shape == (1, 3, 8, 8, 8)
    np.testing.assert_array_equal(tg.max_pool3d(x, 2).numpy(), F.max_pool3d(x, 2).numpy())
    np.testing.assert_array_equal(tg.max_pool3d(x, 2, ()).numpy(), F.max_pool3d(x, 2).numpy())


def test_a_small_3d_network_trains():
    tg.manual_seed(0)
    net = nn.Sequential(nn.Conv3d(1, 4, 3, padding=1), nn.BatchNorm3d(4), nn.ReLU(), nn.MaxPool3d(2),
                        nn.Conv3d(4, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(4, 2))
    x = tg.randn(8, 1, 6, 6, 6)
    y = tg.tensor([0, 1] * 4)
    x = x + y.float().reshape(8, 1, 1, 1, 1)  # la clase 1 es más brillante
    opt = tg.optim.Adam(net.parameters(), lr=0.05)
    first = None
    for _ in range(15):
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.5 * first


@pytest.mark.torch
@pytest.mark.parametrize("kw", [dict(scale_factor=2, mode="nearest"), dict(size=(5, 7, 4), mode="nearest-exact"),
                                dict(scale_factor=(1.5, 2, 0.7), mode="trilinear", align_corners=True),
                                dict(size=(4, 6, 9), mode="trilinear")])
def test_upsample_5d_like_torch(kw):
    torch = pytest.importorskip("torch")
    assert repr(nn.Upsample(**kw)) == repr(torch.nn.Upsample(**kw))
    _compare(nn.Upsample(**kw), torch.nn.Upsample(**kw), rng.standard_normal((2, 3, 3, 4, 5)))


@pytest.mark.parametrize("args", [(2, 2), (3, (2, 3, 2), 1), (1.5, 2, (1, 2, 1), True), (float("inf"), 3)])
def test_lp_pool3d_like_torch_and_finite_differences(args):
    x = _distinct((2, 2, 5, 6, 4))
    x = x - x.min() + 0.1  # positivos y sin empates (p = ∞ es el máximo de |x|)
    check(lambda t: F.lp_pool3d(t, *args), x)
    torch = pytest.importorskip("torch")
    assert repr(nn.LPPool3d(*args)) == repr(torch.nn.LPPool3d(*args))
    _compare(nn.LPPool3d(*args), torch.nn.LPPool3d(*args), x)


def test_float16_keeps_its_dtype_like_torch():
    x = leaf(_distinct((1, 2, 4, 4, 4)).astype(np.float16), grad=True)
    for y in (F.max_pool3d(x, 2), F.max_pool3d(x, 2, return_indices=True)[0], F.adaptive_avg_pool3d(x, 1),
              F.adaptive_max_pool3d(x, 2), F.conv3d(x, leaf(np.ones((1, 2, 2, 2, 2), np.float16)))):
        assert y.dtype == tg.float16
    y, idx = F.max_pool3d(x, 2, return_indices=True)
    assert F.max_unpool3d(y, idx, 2).dtype == tg.float16
    F.max_pool3d(x, 2).sum().backward()
    assert x.grad.dtype == tg.float16 and float(x.grad.sum()) == 16  # una por salida
    with pytest.raises(NotImplementedError, match="float16"):
        F.avg_pool3d(x, 2)
