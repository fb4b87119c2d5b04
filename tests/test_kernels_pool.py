"""Núcleos de pooling y reescalado contra referencias lentas (``conv_reference.py``), el
adjunto exacto de cada backward lineal (<f(x), g> = <x, fᵀ(g)>), los caminos rápidos
contra el general, y contra PyTorch cuando está instalado."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import conv_reference as R
from tinygrad_es import kernels as K


@st.composite
def pool_case(draw, dilation=True):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    lo_h, lo_w = max(1, d[0] * (k[0] - 1) + 1 - 2 * p[0]), max(1, d[1] * (k[1] - 1) + 1 - 2 * p[1])
    h, w = draw(st.integers(lo_h, lo_h + 7)), draw(st.integers(lo_w, lo_w + 7))
    return dict(k=k, s=s, p=p, d=d, h=h, w=w, ceil=draw(st.booleans()), seed=draw(st.integers(0, 2**16)))


def _sizes(c):
    return tuple(K.pool_output_size(n, k, s, p, d, c["ceil"])
                 for n, k, s, p, d in zip((c["h"], c["w"]), c["k"], c["s"], c["p"], c["d"]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("algo", [None, *K.MAX_POOL_ALGOS])  # None: el que elige por forma
@given(case=pool_case(), nans=st.integers(0, 3))
def test_max_pool_matches_reference(case, dtype, algo, nans):
    if algo == "2x2":  # sólo vale para 2×2 de stride 2 sin relleno ni dilatación
        case.update(k=(2, 2), s=(2, 2), p=(0, 0), d=(1, 1))
    channels = 9 if algo is None else 3
    rng = np.random.default_rng(case["seed"])
    x = rng.integers(-3, 4, (2, channels, case["h"], case["w"])).astype(dtype)  # con empates
    for _ in range(nans):  # varios NaN por ventana: gana el último, como PyTorch
        x[rng.integers(0, 2), :, rng.integers(0, case["h"]), rng.integers(0, case["w"])] = np.nan
    x[0, 0] = np.where(rng.random(x.shape[2:]) < 0.3, -np.inf, x[0, 0])  # −inf como el relleno
    k, s, p, d = case["k"], case["s"], case["p"], case["d"]
    oh, ow = _sizes(case)
    out, idx = K.max_pool2d_forward(x, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], oh, ow, algo=algo)
    rout, ridx = R.max_pool2d(x, k, s, p, d, case["ceil"])
    np.testing.assert_array_equal(out, rout)
    np.testing.assert_array_equal(idx, ridx)
    g = rng.standard_normal(out.shape).astype(dtype)
    dx = K.max_pool2d_backward(g, idx, case["h"], case["w"])
    ref = np.zeros((2, channels, case["h"] * case["w"]))
    for (n, c, y, xo), i in np.ndenumerate(ridx):
        if i >= 0:  # ventana sólo de relleno: −inf y ningún gradiente
            ref[n, c, i] += g[n, c, y, xo]
    np.testing.assert_allclose(dx.reshape(ref.shape), ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=pool_case(dilation=False), include=st.booleans(), divisor=st.sampled_from([0, 0, 3]))
def test_avg_pool_matches_reference_and_adjoint(case, dtype, include, divisor):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((2, 3, case["h"], case["w"])).astype(dtype)
    k, s, p = case["k"], case["s"], case["p"]
    oh, ow = _sizes(case)
    out = K.avg_pool2d_forward(x, k[0], k[1], s[0], s[1], p[0], p[1], oh, ow, include, divisor)
    ref = R.avg_pool2d(x, k, s, p, case["ceil"], include, divisor or None)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(out, ref, rtol=tol, atol=tol)
    g = rng.standard_normal(out.shape)
    dx = K.avg_pool2d_backward(g, case["h"], case["w"], k[0], k[1], s[0], s[1], p[0], p[1], include, divisor)
    xx = rng.standard_normal(x.shape)
    np.testing.assert_allclose(np.sum(R.avg_pool2d(xx, k, s, p, case["ceil"], include, divisor or None) * g),
                               np.sum(xx * dx), rtol=1e-10)


@pytest.mark.parametrize("h, w", [(4, 4), (5, 7), (26, 26), (11, 11)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool_2x2_fast_path_equals_general(h, w, dtype):
    rng = np.random.default_rng(h * w)
    x = rng.standard_normal((3, 2, h, w)).astype(dtype)
    oh, ow = h // 2, w // 2
    for div in (0, 3):
        inv = np.array([1 / (div or 4)], dtype)
        a = K.avg_pool2x2_forward(x, oh, ow, inv)
        b = K.avg_pool2d_forward(x, 2, 2, 2, 2, 0, 0, oh, ow, True, div)
        tol = 1e-6 if dtype == np.float32 else 1e-14
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
        g = rng.standard_normal(a.shape).astype(dtype)
        np.testing.assert_allclose(K.avg_pool2x2_backward(g, h, w, inv),
                                   K.avg_pool2d_backward(g, h, w, 2, 2, 2, 2, 0, 0, True, div),
                                   rtol=tol, atol=tol)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 9), st.integers(1, 9), st.integers(0, 999))
def test_adaptive_max_pool(oh, ow, h, w, seed):
    x = np.random.default_rng(seed).integers(-3, 4, (2, 2, h, w)).astype(np.float64)
    out, idx = K.adaptive_max_pool2d_forward(x, oh, ow)
    for i, (y0, y1) in enumerate(R.adaptive_windows(h, oh)):
        for j, (x0, x1) in enumerate(R.adaptive_windows(w, ow)):
            win = x[:, :, y0:y1, x0:x1].reshape(2, 2, -1)
            np.testing.assert_array_equal(out[:, :, i, j], win.max(axis=2))
            first = win.argmax(axis=2)  # primer máximo en orden de filas
            np.testing.assert_array_equal(idx[:, :, i, j], (y0 + first // (x1 - x0)) * w + x0 + first % (x1 - x0))


@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 999))
def test_max_unpool_inverts_max_pool_and_is_adjoint(h, w, seed):
    rng = np.random.default_rng(seed)
    x = rng.permutation(2 * 3 * 2 * h * 2 * w).reshape(2, 3, 2 * h, 2 * w).astype(np.float64)
    p, idx = K.max_pool2d_forward(x, 2, 2, 2, 2, 0, 0, 1, 1, h, w)
    u = K.max_unpool2d_forward(p, idx, 2 * h, 2 * w)
    np.testing.assert_array_equal(u, np.where(u != 0, x, 0))  # los máximos vuelven a su sitio
    assert (u != 0).sum() == p.size - (p == 0).sum()
    g = rng.standard_normal(u.shape)
    v = rng.standard_normal(p.shape)
    np.testing.assert_allclose(np.sum(K.max_unpool2d_forward(v, idx, 2 * h, 2 * w) * g),
                               np.sum(v * K.max_unpool2d_backward(g, idx)), rtol=1e-12)


@st.composite
def resize_case(draw):
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    scale = draw(st.sampled_from([None, 0.5, 0.75, 1.5, 2.0, 2.5, 3.0]))
    if scale and int(h * scale) >= 1 and int(w * scale) >= 1:
        oh, ow = int(h * scale), int(w * scale)  # regla de PyTorch: ⌊tamaño · escala⌋
    else:
        scale = None
        oh, ow = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    return h, w, oh, ow, scale, draw(st.booleans()), draw(st.integers(0, 2**16))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=resize_case())
def test_bilinear_matches_reference_and_adjoint(case, dtype):
    h, w, oh, ow, scale, align, seed = case
    scale = None if align else scale
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, h, w)).astype(dtype)
    tabs = K.linear_weights(h, oh, align, scale, dtype) + K.linear_weights(w, ow, align, scale, dtype)
    out = K.upsample_bilinear2d_forward(x, *tabs)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, R.bilinear(x, oh, ow, align, scale), atol=tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    dx = K.upsample_bilinear2d_backward(g, h, w, *tabs)
    xx = rng.standard_normal(x.shape).astype(dtype)
    np.testing.assert_allclose(np.sum(K.upsample_bilinear2d_forward(xx, *tabs).astype(np.float64) * g),
                               np.sum(xx.astype(np.float64) * dx), rtol=tol * 10, atol=tol * 10)


@given(case=resize_case())
def test_nearest_matches_reference_and_adjoint(case):
    h, w, oh, ow, scale, _, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, h, w))
    hi, wi = K.nearest_indices(h, oh, scale, np.float64), K.nearest_indices(w, ow, scale, np.float64)
    r = (1 / scale) if scale else None
    ref_h = np.minimum(np.floor(np.arange(oh) * (r or h / oh)).astype(int), h - 1)
    ref_w = np.minimum(np.floor(np.arange(ow) * (r or w / ow)).astype(int), w - 1)
    out = K.upsample_nearest2d_forward(x, hi, wi)
    np.testing.assert_array_equal(out, x[:, :, ref_h][:, :, :, ref_w])
    g = rng.standard_normal(out.shape)
    # <f(x), g> = <x, fᵀ(g)>: el error de redondeo de las dos sumas escala con Σ|términos|, no con
    # el resultado (que puede casi anularse)
    np.testing.assert_allclose(np.sum(out * g), np.sum(x * K.upsample_nearest2d_backward(g, h, w, hi, wi)),
                               rtol=1e-12, atol=1e-13 * np.sum(np.abs(out * g)))


# ---- contra PyTorch ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=pool_case())
def test_pools_match_torch(case, dtype):
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((2, 3, case["h"], case["w"])).astype(dtype)
    k, s, p, d = case["k"], case["s"], case["p"], case["d"]
    oh, ow = _sizes(case)
    out, idx = K.max_pool2d_forward(x, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], oh, ow)
    t, ti = TF.max_pool2d(torch.tensor(x), k, s, p, d, ceil_mode=case["ceil"], return_indices=True)
    np.testing.assert_array_equal(out, t.numpy())
    # ventanas sólo de relleno (posibles con dilatación): −inf; PyTorch da ahí un índice
    # fuera de la ventana (incluso fuera del plano), nosotros −1 y ningún gradiente
    real = np.isfinite(out)
    np.testing.assert_array_equal(idx[real], ti.numpy()[real])
    assert (idx[~real] == -1).all()
    oh1, ow1 = (K.pool_output_size(n, kk, ss, pp, 1, case["ceil"]) for n, kk, ss, pp in
                zip((case["h"], case["w"]), k, s, p))
    for include, div in ((True, 0), (False, 0), (True, 2)):
        a = K.avg_pool2d_forward(x, k[0], k[1], s[0], s[1], p[0], p[1], oh1, ow1, include, div)
        t = TF.avg_pool2d(torch.tensor(x), k, s, p, ceil_mode=case["ceil"], count_include_pad=include,
                          divisor_override=div or None)
        np.testing.assert_allclose(a, t.numpy(), rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=resize_case())
def test_resize_matches_torch(case, dtype):
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    h, w, oh, ow, scale, align, seed = case
    x = np.random.default_rng(seed).standard_normal((1, 2, h, w)).astype(dtype)
    X = torch.tensor(x)
    kw = dict(scale_factor=scale) if scale else dict(size=(oh, ow))
    t = TF.interpolate(X, mode="nearest", **kw).numpy()
    oh, ow = t.shape[2:]
    hi, wi = K.nearest_indices(h, oh, scale, dtype), K.nearest_indices(w, ow, scale, dtype)
    np.testing.assert_array_equal(K.upsample_nearest2d_forward(x, hi, wi), t)
    t = TF.interpolate(X, mode="bilinear", align_corners=align, **kw).numpy()
    sc = None if align else scale
    tabs = K.linear_weights(h, oh, align, sc, dtype) + K.linear_weights(w, ow, align, sc, dtype)
    np.testing.assert_allclose(K.upsample_bilinear2d_forward(x, *tabs), t,
                               rtol=1e-6 if dtype == np.float32 else 1e-14, atol=1e-6)


def test_adaptive_max_and_unpool_match_torch():
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 7))
    out, idx = K.adaptive_max_pool2d_forward(x, 4, 3)
    t, ti = TF.adaptive_max_pool2d(torch.tensor(x), (4, 3), return_indices=True)
    np.testing.assert_array_equal(out, t.numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    p, pi = K.max_pool2d_forward(x, 3, 2, 2, 2, 1, 0, 1, 1, 5, 3)
    u = K.max_unpool2d_forward(p, pi, 9, 7)
    np.testing.assert_array_equal(u, TF.max_unpool2d(torch.tensor(p), torch.tensor(pi), (3, 2), (2, 2),
                                                     (1, 0), output_size=(9, 7)).numpy())


@pytest.mark.parametrize("h, w", [(5, 7), (11, 11), (4, 5), (1, 3), (3, 1)])
def test_max_pool_2x2_fast_path_with_ceil_mode(h, w):
    rng = np.random.default_rng(h * w)
    x = rng.integers(0, 4, (3, 2, h, w)).astype(np.float32)  # muchos empates
    x[0, 0, -1, -1] = np.nan
    oh, ow = K.pool_output_size(h, 2, 2, 0, 1, True), K.pool_output_size(w, 2, 2, 0, 1, True)
    a, ia = K.max_pool2x2_forward(x, oh, ow)
    for algo in ("filas", "canales"):
        b, ib = K.max_pool2d_forward(x, 2, 2, 2, 2, 0, 0, 1, 1, oh, ow, algo=algo)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ia, ib)
    a2, ia2 = K.max_pool2x2_forward.py_func(x, oh, ow)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(ia, ia2)


@pytest.mark.parametrize("channels", [2, 16])
@pytest.mark.parametrize("k, s, p, ceil", [(2, 2, 0, False), (2, 2, 0, True), (3, 2, 1, False), (3, 1, 1, True)])
def test_max_pool_ties_and_several_nans_match_torch(channels, k, s, p, ceil):
    """Empates y varios NaN por ventana: mismos valores e índices que PyTorch (gana el
    primer máximo y el último NaN), en el camino 2×2, el general y el de canales."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(channels * 100 + k * 10 + s)
    x = rng.integers(0, 3, (3, channels, 9, 11)).astype(np.float32)
    x[rng.random(x.shape) < 0.25] = np.nan
    t, ti = torch.nn.functional.max_pool2d(torch.tensor(x), k, s, p, ceil_mode=ceil, return_indices=True)
    oh, ow = t.shape[2:]
    out, idx = K.max_pool2d_forward(x, k, k, s, s, p, p, 1, 1, oh, ow)
    np.testing.assert_array_equal(out, t.numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    if (k, s, p) == (2, 2, 0):
        out, idx = K.max_pool2x2_forward(x, oh, ow)
        np.testing.assert_array_equal(out, t.numpy())
        np.testing.assert_array_equal(idx, ti.numpy())
    a, ai = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), (4, 5), return_indices=True)
    out, idx = K.adaptive_max_pool2d_forward(x, 4, 5)
    np.testing.assert_array_equal(out, a.numpy())
    np.testing.assert_array_equal(idx, ai.numpy())


@pytest.mark.parametrize("size", [7, (1 << 16) + 3])  # numpy y el núcleo en dos hilos
def test_relu_kernels_match_torch_with_nan_inf_and_signed_zero(size):
    torch = pytest.importorskip("torch")
    from tinygrad_es.kernels import relu as KR
    rng = np.random.default_rng(size)
    x = rng.standard_normal(size).astype(np.float32)
    x[:4] = [np.nan, -0.0, 0.0, -1.0]
    g = rng.standard_normal(size).astype(np.float32)
    g[:4] = [2.0, np.inf, np.nan, np.inf]
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.relu(tx)
    ty.backward(torch.tensor(g))
    out = KR.relu(x)
    np.testing.assert_array_equal(out, ty.detach().numpy())
    np.testing.assert_array_equal(np.signbit(out), np.signbit(ty.detach().numpy()))
    np.testing.assert_array_equal(KR.relu_backward(g, out), tx.grad.numpy())
