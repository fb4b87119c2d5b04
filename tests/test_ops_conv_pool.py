"""Convolución y pooling: contra referencias lentas y obvias (bucles numpy),
gradientes en float64 contra diferencias finitas, y numba paralelo frente al
mismo núcleo ejecutado como Python puro (``py_func``)."""
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinygrad_es import tensor
import tinygrad_es.nn.functional as F
from tinygrad_es import kernels as K
from tinygrad_es.gradcheck import gradcheck


# ---- referencias lentas -----------------------------------------------------------------
def ref_conv2d(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    sh, sw = stride
    ph, pw = padding
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=np.float64)
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    oh = (h + 2 * ph - kh) // sh + 1
    ow = (wd + 2 * pw - kw) // sw + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out += b[None, :, None, None]
    return out


def ref_pool(x, k, s, p, mode):
    n, c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0.0
    xp = np.full((n, c, h + 2 * p[0], w + 2 * p[1]), fill)
    xp[:, :, p[0]:p[0] + h, p[1]:p[1] + w] = x
    oh = (h + 2 * p[0] - k[0]) // s[0] + 1
    ow = (w + 2 * p[1] - k[1]) // s[1] + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            out[:, :, i, j] = win.max(axis=(2, 3)) if mode == "max" else win.mean(axis=(2, 3))
    return out


@st.composite
def conv_case(draw):
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 3))
    o = draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 9))
    w = draw(st.integers(max(1, kw - 2 * pw), 9))
    seed = draw(st.integers(0, 2**16))
    transposed = draw(st.booleans())
    return n, c, o, (kh, kw), (sh, sw), (ph, pw), h, w, seed, transposed


@given(conv_case(), st.sampled_from([np.float32, np.float64]))
def test_conv2d_matches_reference(case, dtype):
    n, c, o, k, s, p, h, w, seed, transposed = case
    rng = np.random.default_rng(seed)
    if transposed:  # entrada no contigua
        x = rng.standard_normal((n, c, w, h)).astype(dtype).transpose(0, 1, 3, 2)
    else:
        x = rng.standard_normal((n, c, h, w)).astype(dtype)
    wt = rng.standard_normal((o, c) + k).astype(dtype)
    b = rng.standard_normal(o).astype(dtype)
    out = F.conv2d(tensor(x), tensor(wt), tensor(b), stride=s, padding=p)
    assert out.dtype == dtype
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(out.detach().numpy(), ref_conv2d(x, wt, b, s, p), rtol=tol, atol=tol)


@given(conv_case())
def test_conv2d_gradcheck(case):
    n, c, o, k, s, p, h, w, seed, _ = case
    rng = np.random.default_rng(seed)
    x = tensor(rng.standard_normal((n, c, h, w)))
    wt = tensor(rng.standard_normal((o, c) + k))
    b = tensor(rng.standard_normal(o))
    gradcheck(lambda a, ww, bb: F.conv2d(a, ww, bb, stride=s, padding=p), [x, wt, b], atol=1e-6, rtol=1e-5)


def test_conv2d_backward_matches_adjoint_reference():
    # dx, dW y db contra una referencia independiente: <conv(x), g> es lineal en x y en W
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 6))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    s, p = (2, 1), (1, 2)
    out = ref_conv2d(x, w, b, s, p)
    g = rng.standard_normal(out.shape)
    tx, tw, tb = tensor(x, requires_grad=True), tensor(w, requires_grad=True), tensor(b, requires_grad=True)
    F.conv2d(tx, tw, tb, stride=s, padding=p).backward(g)
    # referencia: derivada de <ref_conv2d, g> por linealidad, elemento a elemento
    dx = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x); e[idx] = 1
        dx[idx] = np.sum(ref_conv2d(e, w, None, s, p) * g)
    dw = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        e = np.zeros_like(w); e[idx] = 1
        dw[idx] = np.sum(ref_conv2d(x, e, None, s, p) * g)
    np.testing.assert_allclose(tx.grad, dx, atol=1e-10)
    np.testing.assert_allclose(tw.grad, dw, atol=1e-10)
    np.testing.assert_allclose(tb.grad, g.sum(axis=(0, 2, 3)), atol=1e-10)


def test_conv1d_notes_example():
    # f = [0,0,1,1,0,0] con g = [-1,0,1] (correlación): detecta los bordes del escalón
    f = tensor(np.array([[[0, 0, 1, 1, 0, 0]]], dtype=np.float64))
    g = tensor(np.array([[[-1, 0, 1]]], dtype=np.float64))
    out = F.conv1d(f, g)
    np.testing.assert_array_equal(out.detach().numpy()[0, 0], [1, 1, -1, -1])
    out_p = F.conv1d(f, g, padding=1)
    np.testing.assert_array_equal(out_p.detach().numpy()[0, 0], [0, 1, 1, -1, -1, 0])


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.integers(0, 999))
def test_conv1d_gradcheck(k, s, o, p, seed):
    rng = np.random.default_rng(seed)
    x = tensor(rng.standard_normal((2, 2, 7)))
    w = tensor(rng.standard_normal((o, 2, k)))
    b = tensor(rng.standard_normal(o))
    out = F.conv1d(x, w, b, stride=s, padding=p)
    ref = ref_conv2d(x.detach().numpy()[:, :, None], w.detach().numpy()[:, :, None], b.detach().numpy(), (1, s), (0, p))[:, :, 0]
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    gradcheck(lambda a, ww, bb: F.conv1d(a, ww, bb, stride=s, padding=p), [x, w, b])


@st.composite
def pool_case(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    h = draw(st.integers(max(1, k[0] - 2 * p[0]), 8))
    w = draw(st.integers(max(1, k[1] - 2 * p[1]), 8))
    return k, s, p, h, w, draw(st.integers(0, 2**16))


@given(pool_case(), st.sampled_from(["max", "avg"]))
def test_pool_matches_reference(case, mode):
    k, s, p, h, w, seed = case
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w))
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    out = fn(tensor(x), k, s, p)
    np.testing.assert_allclose(out.detach().numpy(), ref_pool(x, k, s, p, mode), atol=1e-12)


@given(pool_case(), st.sampled_from(["max", "avg"]))
def test_pool_gradcheck(case, mode):
    k, s, p, h, w, seed = case
    rng = np.random.default_rng(seed)
    # valores distintos y separados: sin empates en max
    x = rng.permutation(2 * 3 * h * w).reshape(2, 3, h, w) * 0.1 + rng.uniform(0, 0.01, (2, 3, h, w))
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    gradcheck(lambda a: fn(a, k, s, p), [tensor(x)])


def test_max_pool_ties_go_to_first_element():
    x = tensor(np.ones((1, 1, 2, 4)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])
    # ventanas solapadas: el mismo elemento puede recibir de varias ventanas
    y = tensor(np.array([[[[0.0, 5.0, 0.0, 1.0]]]]), requires_grad=True)
    F.max_pool2d(y, (1, 3), stride=1).sum().backward()
    np.testing.assert_array_equal(y.grad[0, 0], [[0, 2, 0, 0]])


def test_max_pool_nan_propagates():
    x = np.zeros((1, 1, 2, 2)); x[0, 0, 1, 0] = np.nan
    assert np.isnan(F.max_pool2d(tensor(x), 2).detach().numpy()).all()


def test_avg_pool_count_include_pad():
    x = tensor(np.ones((1, 1, 2, 2)))
    out = F.avg_pool2d(x, 2, stride=2, padding=1).detach().numpy()
    np.testing.assert_allclose(out[0, 0], [[0.25, 0.25], [0.25, 0.25]])


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 9), st.integers(1, 9), st.integers(0, 999))
def test_adaptive_avg_pool(oh, ow, h, w, seed):
    x = np.random.default_rng(seed).standard_normal((2, 2, h, w))
    out = F.adaptive_avg_pool2d(tensor(x), (oh, ow)).detach().numpy()
    for i in range(oh):
        y0, y1 = (i * h) // oh, -((-(i + 1) * h) // oh)
        for j in range(ow):
            x0, x1 = (j * w) // ow, -((-(j + 1) * w) // ow)
            np.testing.assert_allclose(out[:, :, i, j], x[:, :, y0:y1, x0:x1].mean(axis=(2, 3)), atol=1e-12)
    gradcheck(lambda a: F.adaptive_avg_pool2d(a, (oh, ow)), [tensor(x)])
    gradcheck(lambda a: F.adaptive_avg_pool2d(a, 1), [tensor(x)])


def test_parallel_kernels_equal_python_versions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 7, 6)).astype(np.float32)
    xp = np.empty((3, 2, 9, 10), np.float32)
    xp2 = np.empty_like(xp)
    K.pad_input(x, 1, 2, xp)
    K.pad_input.py_func(x, 1, 2, xp2)
    np.testing.assert_array_equal(xp, xp2)
    oh, ow = (9 - 3) // 2 + 1, (10 - 2) // 1 + 1
    c1 = np.empty((2 * 3 * 2, 3 * oh * ow), np.float32)
    c2 = np.empty_like(c1)
    K.im2col(xp, 3, 2, 2, 1, 1, 1, oh, ow, c1)
    K.im2col.py_func(xp, 3, 2, 2, 1, 1, 1, oh, ow, c2)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(K.col2im(c1, 3, 2, 7, 6, 3, 2, 2, 1, 1, 2, 1, 1, oh, ow),
                                  K.col2im.py_func(c1, 3, 2, 7, 6, 3, 2, 2, 1, 1, 2, 1, 1, oh, ow))
    o1, i1 = K.max_pool2d_forward(x, 2, 3, 1, 2, 1, 1, 1, 1, 8, 4)
    from tinygrad_es.kernels.pool.max import _max_pool2d, _tap_ranges
    o2, i2 = _max_pool2d.py_func(x, _tap_ranges(7, 2, 1, 1, 1, 8), _tap_ranges(6, 3, 2, 1, 1, 4), 1, 2, 1, 1, 1, 1, 8, 4)
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(i1, i2)
    g = rng.standard_normal(o1.shape).astype(np.float32)
    np.testing.assert_array_equal(K.max_pool2d_backward(g, i1, 7, 6), K.max_pool2d_backward.py_func(g, i1, 7, 6))
    # sumas en coma flotante: se comparan en float64, donde Python y numba redondean igual
    x = x.astype(np.float64)
    np.testing.assert_array_equal(K.avg_pool2d_forward(x, 2, 2, 2, 2, 1, 1, 4, 4, True, 0),
                                  K.avg_pool2d_forward.py_func(x, 2, 2, 2, 2, 1, 1, 4, 4, True, 0))
    g2 = rng.standard_normal((3, 2, 4, 4))
    np.testing.assert_array_equal(K.avg_pool2d_backward(g2, 7, 6, 2, 2, 2, 2, 1, 1, True, 0),
                                  K.avg_pool2d_backward.py_func(g2, 7, 6, 2, 2, 2, 2, 1, 1, True, 0))
    np.testing.assert_array_equal(K.adaptive_avg_pool2d_forward(x, 3, 4),
                                  K.adaptive_avg_pool2d_forward.py_func(x, 3, 4))


def test_conv_without_grad_and_retain_graph():
    rng = np.random.default_rng(0)
    x = tensor(rng.standard_normal((2, 1, 5, 5)).astype(np.float32), requires_grad=True)
    w = tensor(rng.standard_normal((3, 1, 3, 3)).astype(np.float32), requires_grad=True)
    y = F.conv2d(x, w).sum()
    y.backward(retain_graph=True)
    g1 = w.grad.clone()
    y.backward()
    np.testing.assert_allclose(w.grad, 2 * g1, rtol=1e-6)
    from tinygrad_es import no_grad
    with no_grad():
        for _ in range(3):  # los buffers reutilizados no corrompen resultados
            a = F.conv2d(x, w).detach().numpy().copy()
            b = F.conv2d(x, w).detach().numpy()
            np.testing.assert_array_equal(a, b)


def test_conv_errors_in_spanish():
    # RuntimeError como torch 2.13 en los cinco casos (canales, núcleo mayor que la entrada, rango, pool)
    x = tensor(np.ones((2, 3, 5, 5)))
    with pytest.raises(RuntimeError, match=r"3 canales.*esperan 4"):
        F.conv2d(x, tensor(np.ones((2, 4, 3, 3))))
    with pytest.raises(RuntimeError, match="mayor que la entrada"):
        F.conv2d(x, tensor(np.ones((2, 3, 7, 7))))
    with pytest.raises(RuntimeError, match=r"\(N, C, H, W\)"):
        F.conv2d(tensor(np.ones((5, 5))), tensor(np.ones((2, 3, 3, 3))))
    with pytest.raises(RuntimeError, match="mayor que la entrada"):
        F.max_pool2d(tensor(np.ones((1, 1, 2, 2))), 3)
    with pytest.raises(RuntimeError, match="canales"):
        F.conv1d(tensor(np.ones((1, 2, 5))), tensor(np.ones((1, 3, 2))))


def test_unbatched_input():
    x = np.random.default_rng(1).standard_normal((2, 6, 6))
    w = np.random.default_rng(2).standard_normal((3, 2, 3, 3))
    out = F.conv2d(tensor(x), tensor(w))
    np.testing.assert_allclose(out.detach().numpy(), ref_conv2d(x[None], w, None, (1, 1), (0, 0))[0], atol=1e-12)
    assert F.max_pool2d(tensor(x), 2).shape == (2, 3, 3)


@pytest.mark.parametrize("h, w", [(4, 4), (5, 7), (26, 26), (11, 11)])
def test_max_pool_2x2_fast_path_equals_general_kernel(h, w):
    rng = np.random.default_rng(h * w)
    x = rng.integers(0, 4, (3, 2, h, w)).astype(np.float32)  # muchos empates
    x[0, 0, 0, 1] = np.nan
    x[1, 1, 1, 0] = np.nan
    oh, ow = h // 2, w // 2
    a, ia = K.max_pool2x2_forward(x, oh, ow)
    for algo in ("filas", "canales"):
        b, ib = K.max_pool2d_forward(x, 2, 2, 2, 2, 0, 0, 1, 1, oh, ow, algo=algo)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(ia, ib)
    a2, ia2 = K.max_pool2x2_forward.py_func(x, oh, ow)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(ia, ia2)
    g = rng.standard_normal(a.shape).astype(np.float32)
    np.testing.assert_array_equal(K.max_pool2d_backward(g, ia, h, w), K.max_pool2d_backward.py_func(g, ia, h, w))


def test_kernels_run_without_jit_for_debugging(tmp_path):
    """Con NUMBA_DISABLE_JIT=1 los núcleos son Python puro y dan lo mismo."""
    import subprocess
    import sys
    code = (
        "import numpy as np, tinygrad_es.nn.functional as F\n"
        "from tinygrad_es import tensor\n"
        "r = np.random.default_rng(0)\n"
        "x = tensor(r.standard_normal((2, 2, 6, 6)), requires_grad=True)\n"
        "w = tensor(r.standard_normal((3, 2, 3, 3)), requires_grad=True)\n"
        "y = F.avg_pool2d(F.max_pool2d(F.conv2d(x, w, padding=1, stride=1), 2), 1).sum()\n"
        "y.backward()\n"
        "np.save(r'%s', np.concatenate([[y.item()], x.grad.numpy().ravel(), w.grad.numpy().ravel()]))\n")
    outs = []
    for jit in ("0", "1"):
        path = tmp_path / f"r{jit}.npy"
        env = dict(os.environ, NUMBA_DISABLE_JIT=jit)
        res = subprocess.run([sys.executable, "-c", code % path], env=env, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        outs.append(np.load(path))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12, atol=1e-12)
