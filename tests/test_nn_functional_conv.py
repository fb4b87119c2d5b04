"""Funciones con la firma de torch.nn.functional (``tinygrad_es.nn.functional``: convolución, pooling y reescalado):
gradientes en float64 contra diferencias finitas en formas de hypothesis, forward y
gradientes contra PyTorch (si está instalado) y errores en español."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import conv_reference as R
from tinygrad_es import Tensor
from tinygrad_es.gradcheck import gradcheck
import tinygrad_es.nn.functional as F
from helpers import leaf


def f64(a):
    """Tensor float64 (sin gradiente) con los valores de ``a``."""
    return leaf(np.asarray(a, dtype=np.float64))


def distinct(rng, shape):
    """Valores distintos y separados: sin empates en los máximos (el gradiente existe)."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) - n / 2) * 0.1 + rng.uniform(0, 0.01, shape)


@st.composite
def conv_args(draw):
    g = draw(st.sampled_from([1, 1, 2]))
    cg, og = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = draw(st.sampled_from(["same", "valid", 0, 1, (1, 2)]))
    s = (1, 1) if pad == "same" else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    h = draw(st.integers(d[0] * (k[0] - 1) + 1, 7))
    w = draw(st.integers(d[1] * (k[1] - 1) + 1, 7))
    return dict(n=draw(st.integers(1, 2)), c=cg * g, o=og * g, k=k, s=s, pad=pad, d=d, g=g, h=h, w=w,
                seed=draw(st.integers(0, 2**16)), bias=draw(st.booleans()))


@given(conv_args())
def test_conv2d_gradcheck_and_reference(a):
    rng = np.random.default_rng(a["seed"])
    x = rng.standard_normal((a["n"], a["c"], a["h"], a["w"]))
    w = rng.standard_normal((a["o"], a["c"] // a["g"]) + a["k"])
    b = rng.standard_normal(a["o"]) if a["bias"] else None
    kw = dict(stride=a["s"], padding=a["pad"], dilation=a["d"], groups=a["g"])
    out = F.conv2d(f64(x), f64(w), None if b is None else f64(b), **kw)
    if a["pad"] not in ("same",):
        p = (0, 0) if a["pad"] == "valid" else ((a["pad"],) * 2 if isinstance(a["pad"], int) else a["pad"])
        np.testing.assert_allclose(out.detach().numpy(), R.conv2d(x, w, b, a["s"], p, a["d"], a["g"]), atol=1e-12)
    else:
        assert out.shape[2:] == x.shape[2:]
    ins = [f64(x), f64(w)] + ([f64(b)] if b is not None else [])
    gradcheck(lambda *t: F.conv2d(t[0], t[1], t[2] if len(t) > 2 else None, **kw), ins, atol=1e-6, rtol=1e-5)


@given(st.integers(1, 3), st.integers(1, 2), st.integers(0, 2), st.integers(1, 2), st.integers(0, 999))
def test_conv1d_gradcheck(k, s, p, d, seed):
    rng = np.random.default_rng(seed)
    x, w, b = f64(rng.standard_normal((2, 2, 9))), f64(rng.standard_normal((3, 2, k))), f64(rng.standard_normal(3))
    out = F.conv1d(x, w, b, s, p, d)
    ref = R.conv2d(x.detach().numpy()[:, :, None], w.detach().numpy()[:, :, None], b.detach().numpy(), (1, s), (0, p), (1, d))[:, :, 0]
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    gradcheck(lambda a, ww, bb: F.conv1d(a, ww, bb, s, p, d), [x, w, b])


@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.integers(0, 1), st.sampled_from([1, 2]),
       st.integers(1, 2), st.integers(0, 999))
def test_conv_transpose2d_gradcheck(k, s, p, op, g, d, seed):
    op = min(op, max(s, d) - 1)
    rng = np.random.default_rng(seed)
    x = f64(rng.standard_normal((2, 2 * g, 3, 4)))
    w = f64(rng.standard_normal((2 * g, 2, k, k)))
    b = f64(rng.standard_normal(2 * g))
    kw = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)
    if (3 - 1) * s - 2 * p + d * (k - 1) + op + 1 < 1:
        return
    out = F.conv_transpose2d(x, w, b, **kw)
    np.testing.assert_allclose(out.detach().numpy(), R.conv_transpose2d(x.detach().numpy(), w.detach().numpy(), b.detach().numpy(), (s, s), (p, p),
                                                               (op, op), (d, d), g), atol=1e-12)
    gradcheck(lambda a, ww, bb: F.conv_transpose2d(a, ww, bb, **kw), [x, w, b])


@st.composite
def pool_args(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    h, w = draw(st.integers(k[0], 7)), draw(st.integers(k[1], 7))
    return k, s, p, h, w, draw(st.booleans()), draw(st.integers(0, 2**16))


@given(pool_args(), st.integers(1, 2))
def test_max_pool2d_gradcheck_and_indices(a, d):
    k, s, p, h, w, ceil, seed = a
    if d > 1 and any(pp > (d * (kk - 1) + 1) // 2 for pp, kk in zip(p, k)):
        return
    x = f64(distinct(np.random.default_rng(seed), (2, 2, h + d * 2, w + d * 2)))
    out, idx = F.max_pool2d(x, k, s, p, d, ceil, return_indices=True)
    ref, ridx = R.max_pool2d(x.detach().numpy(), k, s, p, (d, d), ceil)
    np.testing.assert_array_equal(out.detach().numpy(), ref)
    np.testing.assert_array_equal(idx.detach().numpy(), ridx)
    assert idx.dtype == np.int64
    gradcheck(lambda t: F.max_pool2d(t, k, s, p, d, ceil), [x])


@given(pool_args(), st.booleans(), st.sampled_from([None, 2]))
def test_avg_pool2d_gradcheck(a, include, div):
    k, s, p, h, w, ceil, seed = a
    x = f64(np.random.default_rng(seed).standard_normal((2, 2, h, w)))
    out = F.avg_pool2d(x, k, s, p, ceil, include, div)
    np.testing.assert_allclose(out.detach().numpy(), R.avg_pool2d(x.detach().numpy(), k, s, p, ceil, include, div), atol=1e-12)
    gradcheck(lambda t: F.avg_pool2d(t, k, s, p, ceil, include, div), [x])


@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.booleans(), st.integers(0, 999))
def test_pool1d_gradcheck(k, s, p, ceil, seed):
    p = min(p, k // 2)
    x = f64(distinct(np.random.default_rng(seed), (2, 3, 8)))
    out, idx = F.max_pool1d(x, k, s, p, 1, ceil, True)
    assert out.shape == idx.shape and out.ndim == 3
    gradcheck(lambda t: F.max_pool1d(t, k, s, p, 1, ceil), [x])
    gradcheck(lambda t: F.avg_pool1d(t, k, s, p, ceil), [x])


@given(st.integers(1, 4), st.integers(1, 4), st.integers(2, 7), st.integers(2, 7), st.integers(0, 999))
def test_adaptive_pools_gradcheck(oh, ow, h, w, seed):
    x = f64(distinct(np.random.default_rng(seed), (2, 2, h, w)))
    gradcheck(lambda t: F.adaptive_avg_pool2d(t, (oh, ow)), [x])
    gradcheck(lambda t: F.adaptive_max_pool2d(t, (oh, None)), [x])
    out, idx = F.adaptive_max_pool2d(x, (oh, ow), return_indices=True)
    assert out.shape == (2, 2, oh, ow) and idx.shape == out.shape


@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 999))
def test_max_unpool2d_gradcheck(h, w, seed):
    rng = np.random.default_rng(seed)
    x = f64(distinct(rng, (2, 2, 2 * h, 2 * w)))
    p, idx = F.max_pool2d(x, 2, return_indices=True)
    u = F.max_unpool2d(p, idx, 2)
    assert u.shape == x.shape
    np.testing.assert_array_equal(u.detach().numpy()[u.detach().numpy() != 0], x.detach().numpy()[u.detach().numpy() != 0])
    gradcheck(lambda t: F.max_unpool2d(t, idx, 2, output_size=(2 * h + 1, 2 * w)), [f64(rng.standard_normal(p.shape))])


@given(st.integers(1, 5), st.integers(1, 5), st.sampled_from([None, 0.5, 1.5, 2.0, 3.0]),
       st.sampled_from(["nearest", "bilinear"]), st.sampled_from([None, False, True]), st.integers(0, 999))
def test_interpolate_gradcheck(h, w, scale, mode, align, seed):
    if mode == "nearest":
        align = None
    x = f64(np.random.default_rng(seed).standard_normal((1, 2, h, w)))
    kw = dict(scale_factor=scale) if scale and int(h * scale) >= 1 and int(w * scale) >= 1 else dict(size=(3, 4))
    out = F.interpolate(x, mode=mode, align_corners=align, **kw)
    if mode == "bilinear" and "size" in kw:
        np.testing.assert_allclose(out.detach().numpy(), R.bilinear(x.detach().numpy(), 3, 4, bool(align)), atol=1e-12)
    gradcheck(lambda t: F.interpolate(t, mode=mode, align_corners=align, **kw), [x])
    y = f64(np.random.default_rng(seed).standard_normal((1, 2, w + 2)))
    m1 = "linear" if mode == "bilinear" else "nearest"
    gradcheck(lambda t: F.interpolate(t, size=5, mode=m1, align_corners=align), [y])


# ---- contra PyTorch ------------------------------------------------------------------------
def _torch_check(fn_ours, fn_torch, arrays, atol=1e-10):
    torch = pytest.importorskip("torch")
    ours = [f64(a) for a in arrays]
    for t in ours:
        t.requires_grad_(True)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = fn_ours(*ours), fn_torch(*theirs)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), atol=atol)
    g = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    for t, tt in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(t.grad), tt.grad.detach().numpy(), atol=atol)


@given(conv_args())
def test_conv2d_matches_torch(a):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(a["seed"])
    x = rng.standard_normal((a["n"], a["c"], a["h"], a["w"]))
    w = rng.standard_normal((a["o"], a["c"] // a["g"]) + a["k"])
    b = rng.standard_normal(a["o"])
    kw = dict(stride=a["s"], padding=a["pad"], dilation=a["d"], groups=a["g"])
    _torch_check(lambda *t: F.conv2d(*t, **kw), lambda *t: torch.nn.functional.conv2d(*t, **kw), [x, w, b])


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1, output_padding=1), dict(stride=(2, 1), dilation=2),
                                dict(groups=2, stride=3, padding=(1, 0), output_padding=(2, 0))])
def test_conv_transpose2d_matches_torch(kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 4, 5, 4)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(
        3 * kw.get("groups", 1))
    _torch_check(lambda *t: F.conv_transpose2d(*t, **kw), lambda *t: torch.nn.functional.conv_transpose2d(*t, **kw),
                 [x, w, b])


@pytest.mark.parametrize("call", [
    lambda m, x: m.max_pool2d(x, 3, 2, 1, ceil_mode=True), lambda m, x: m.max_pool2d(x, (2, 3), 1, 0, 2),
    lambda m, x: m.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda m, x: m.avg_pool2d(x, 2, 1, 1, divisor_override=3), lambda m, x: m.adaptive_avg_pool2d(x, (3, 2)),
    lambda m, x: m.adaptive_max_pool2d(x, 4), lambda m, x: m.max_pool1d(x[:, :, 0], 3, 2, 1),
    lambda m, x: m.avg_pool1d(x[:, :, 0], 3, 2, 1, True),
    lambda m, x: m.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=False),
    lambda m, x: m.interpolate(x, size=(4, 9), mode="bilinear", align_corners=True),
    lambda m, x: m.interpolate(x, scale_factor=2.5, mode="nearest"),
    lambda m, x: m.interpolate(x[:, :, 0], size=11, mode="linear"),
])
def test_pools_and_resize_match_torch(call):
    torch = pytest.importorskip("torch")
    x = distinct(np.random.default_rng(2), (2, 3, 7, 6))
    _torch_check(lambda t: call(F, t), lambda t: call(torch.nn.functional, t), [x], atol=1e-12)


def test_unpool_matches_torch():
    torch = pytest.importorskip("torch")
    x = distinct(np.random.default_rng(3), (1, 2, 7, 7))
    p, i = F.max_pool2d(f64(x), 3, 2, 1, return_indices=True)
    tp, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(i.detach().numpy(), ti.detach().numpy())
    np.testing.assert_array_equal(F.max_unpool2d(p, i, 3, 2, 1, output_size=(7, 7)).detach().numpy(),
                                  torch.nn.functional.max_unpool2d(tp, ti, 3, 2, 1, output_size=(7, 7)).detach().numpy())


# ---- errores en español ----------------------------------------------------------------------
def test_errors_in_spanish():  # con las clases de excepción de PyTorch
    x = f64(np.ones((2, 4, 5, 5)))
    w = f64(np.ones((6, 4, 3, 3)))
    with pytest.raises(RuntimeError, match="padding no puede ser negativo"):
        F.conv2d(x, w, padding=-1)
    with pytest.raises(TypeError, match="kernel_size debe ser un entero"):
        F.max_pool2d(x, 2.5)
    with pytest.raises(TypeError, match="kernel_size debe ser un entero"):
        F.avg_pool2d(x, (2, 1.0))
    with pytest.raises(RuntimeError, match="mayor que la entrada con relleno"):
        F.conv2d(x, f64(np.ones((6, 4, 7, 7))))
    with pytest.raises(RuntimeError, match="mayor que la entrada con relleno"):
        F.max_pool2d(f64(np.ones((1, 1, 2, 2))), 3)
    with pytest.raises(RuntimeError, match=r"4 canales.*esperan 3"):
        F.conv2d(x, f64(np.ones((6, 3, 3, 3))))
    with pytest.raises(RuntimeError, match=r"groups=3 debe dividir.*\(4\)"):
        F.conv2d(x, f64(np.ones((6, 1, 3, 3))), groups=3)
    with pytest.raises(RuntimeError, match="groups=4 debe dividir"):
        F.conv2d(x, f64(np.ones((6, 1, 3, 3))), groups=4)
    with pytest.raises(RuntimeError, match="stride distinto de 1"):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(RuntimeError, match="'same' o 'valid'"):
        F.conv2d(x, w, padding="igual")
    with pytest.raises(RuntimeError, match="output_padding"):
        F.conv_transpose2d(x, f64(np.ones((4, 2, 3, 3))), stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="mitad del núcleo"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match="divisor_override"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(RuntimeError, match="fuera de"):
        F.max_unpool2d(x, f64(np.full((2, 4, 5, 5), 200)).detach().numpy().astype(np.int64), 2)
    with pytest.raises(ValueError, match="exactamente uno"):
        F.interpolate(x)
    with pytest.raises(NotImplementedError, match="modos"):
        F.interpolate(x, size=3, mode="bicúbico")
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(RuntimeError, match=r"\(N, C, H, W\)"):
        F.conv2d(f64(np.ones((5, 5))), w)


def test_unbatched_inputs_and_dtypes():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    out = F.conv2d(Tensor(x), Tensor(w), padding="same")
    assert out.shape == (4, 6, 6) and out.dtype == np.float32
    np.testing.assert_allclose(out.detach().numpy(), R.conv2d(x[None], w, None, (1, 1), (1, 1))[0], rtol=1e-5, atol=1e-5)
    p, i = F.max_pool2d(Tensor(x), 2, return_indices=True)
    assert p.shape == (3, 3, 3) and i.shape == (3, 3, 3)
    assert F.interpolate(Tensor(x[None]), scale_factor=2).shape == (1, 3, 12, 12)
