"""Los núcleos paralelos dan lo mismo que su versión en Python puro: en el mismo proceso
(``py_func``) y en un subproceso con ``NUMBA_DISABLE_JIT=1`` (lo que usaría un
estudiante para depurar con pdb). En float64, donde Python y LLVM (sin fastmath)
redondean igual, la comparación es exacta; los núcleos compilados con FMA (``contract``: el
forward directo de la convolución) redondean un poco distinto que Python, a 1e-14."""
import os
import subprocess
import sys

import numpy as np

from tinygrad_es import kernels as K
from tinygrad_es.kernels.conv import direct as D
from tinygrad_es.kernels.conv import direct_blocked as DB
from tinygrad_es.kernels.conv import direct_weight_grad as DW
from tinygrad_es.kernels.conv import wide_input_grad as WX
from tinygrad_es.kernels.conv import winograd_f2 as WG

HERE = os.path.dirname(os.path.abspath(__file__))


def same(kernel, *args):
    a = kernel(*args)
    b = kernel.py_func(*args)
    for u, v in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        np.testing.assert_array_equal(u, v)


def rows(shape):
    """Vista con filas rellenadas, como las de ``workspace.get_rows`` (misma compilación)."""
    return np.zeros(shape[:-1] + (shape[-1] + 1,))[..., :shape[-1]]


def same_inplace(kernel, out_index, *args, rtol=0.0):
    args2 = [a.copy() if i == out_index else a for i, a in enumerate(args)]
    kernel(*args)
    kernel.py_func(*args2)
    if rtol:
        ref = args2[out_index]
        np.testing.assert_allclose(args[out_index], ref, rtol=0, atol=rtol * np.abs(ref).max())
    else:
        np.testing.assert_array_equal(args[out_index], args2[out_index])


def test_conv_kernels_equal_python_versions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 7, 6))
    xp = np.empty((2, 4, 9 + D.tail_rows(10), 10))  # con las filas de cola del núcleo directo
    same_inplace(K.pad_input, 3, x, 1, 2, xp)
    K.pad_input(x, 1, 2, xp)
    xq = np.empty(D.phase_shape(x.shape, (1, 2), (2, 3))[0])
    same_inplace(D.phase_pad, 5, x, 1, 2, 2, 3, xq)
    # directa: forward con grupos (4 salidas por grupo y depthwise) y gradiente de pesos
    sh, ch = D.tap_table(2, 3, 2, 1, 2, 10)
    wt = D.pad_taps(rng.standard_normal((6, 12)))
    out = np.empty((2, 6, 7, 8))
    same_inplace(D.flat_corr, 7, xp.reshape(2, 4, -1), 2, 3, sh, ch, wt, rng.standard_normal(6), out, 10, 0, 0,
                 rtol=1e-14)
    # el mismo forward con el relleno dentro (imagen a imagen): igual que phase_pad + flat_corr, bit a bit
    no_w, no_b = np.empty((0, wt.shape[1])), np.empty(0)  # sin pesos float64 aparte: acumula en el dtype de wt
    out_p = np.empty_like(out)
    D.flat_corr_pad(x, 1, 2, 1, 1, 9, 10, 1, 2, 3, sh, ch, wt, rng.standard_normal(6), no_w, no_b, out_p)
    same_inplace(D.flat_corr_pad, 16, x, 1, 2, 1, 1, 9, 10, 1, 2, 3, sh, ch, wt, np.arange(6.0), no_w, no_b, out_p,
                 rtol=1e-14)
    ref = np.empty_like(out)
    D.flat_corr(xp.reshape(2, 4, -1), 2, 3, sh, ch, wt, np.arange(6.0), ref, 10, 0, 0)
    np.testing.assert_array_equal(out_p, ref)
    # con las dos imágenes apiladas en un mismo trabajo: lo mismo, bit a bit
    out_s = np.empty_like(out)
    D.flat_corr_pad(x, 1, 2, 1, 1, 9, 10, 2, 2, 3, sh, ch, wt, np.arange(6.0), no_w, no_b, out_s)
    np.testing.assert_array_equal(out_s, ref)
    same_inplace(D.flat_corr_pad, 16, x, 1, 2, 1, 1, 9, 10, 2, 2, 3, sh, ch, wt, np.arange(6.0), no_w, no_b, out_s,
                 rtol=1e-14)
    # entrada float32 acumulando en float64 (pesos float64 aparte, los float32 sin filas): lo mismo que
    # flat_corr con los pesos float64, bit a bit
    x32, out32 = x.astype(np.float32), np.empty(out.shape, np.float32)
    D.flat_corr_pad(x32, 1, 2, 1, 1, 9, 10, 2, 2, 3, sh, ch, wt[:0].astype(np.float32), np.empty(0, np.float32),
                    wt, np.arange(6.0), out32)
    ref32 = np.empty_like(out32)
    D.flat_corr(xp.reshape(2, 4, -1).astype(np.float32), 2, 3, sh, ch, wt, np.arange(6.0), ref32, 10, 0, 0)
    np.testing.assert_array_equal(out32, ref32)
    same_inplace(D.flat_corr_pad, 16, x32, 1, 2, 1, 1, 9, 10, 2, 2, 3, sh, ch, wt[:0].astype(np.float32),
                 np.empty(0, np.float32), wt, np.arange(6.0), out32, rtol=1e-6)
    sh1, ch1 = D.tap_table(1, 3, 3, 1, 1, 10)
    wt1 = D.pad_taps(rng.standard_normal((4, 9)))
    out1 = np.empty((2, 4, 7, 8))
    same_inplace(D.flat_corr1, 6, xp.reshape(2, 4, -1), 1, sh1, ch1, wt1, np.zeros(4), out1, 10, 0, 0,
                 rtol=1e-14)
    gf = rng.standard_normal((2, 4, 70))
    dw = np.empty((4, sh1.size))
    same_inplace(DW.flat_dw, 7, gf, xp.reshape(2, 4, -1), 1, 1, sh1, ch1, 68, dw)
    # Winograd: las cuatro transformadas
    th, tw = WG.tiles(7, 8)
    V = rows((16, 4, 2 * th * tw))
    same_inplace(WG.input_transform, 5, x, 1, 2, th, tw, V)
    M = rows((16, 3, 2 * th * tw))
    M[...] = rng.standard_normal(M.shape)
    same_inplace(WG.output_transform, 4, M, th, tw, rng.standard_normal(3), np.empty((2, 3, 7, 8)))
    same_inplace(WG.grad_output_transform, 3, rng.standard_normal((2, 3, 7, 8)), th, tw, rows(M.shape))
    same(WG.input_transform_adjoint, V, 2, 7, 6, 1, 2, th, tw)
    from tinygrad_es.kernels.conv import winograd_f4 as W4
    th, tw = W4.tiles(7, 8)
    V = rows((36, 4, 2 * th * tw))
    same_inplace(W4.input_transform, 5, x, 1, 2, th, tw, V)
    M = rows((36, 3, 2 * th * tw))
    M[...] = rng.standard_normal(M.shape)
    same_inplace(W4.output_transform, 4, M, th, tw, rng.standard_normal(3), np.empty((2, 3, 7, 8)))
    same_inplace(W4.grad_output_transform, 3, rng.standard_normal((2, 3, 7, 8)), th, tw, rows(M.shape))
    same(W4.input_transform_adjoint, V, 2, 7, 6, 1, 2, th, tw)
    # im2col / col2im con stride y dilatación, y los cambios de disposición
    cols = rows((4 * 3 * 2, 2 * 3 * 4))
    same_inplace(K.im2col, 9, xp, 3, 2, 2, 2, 2, 1, 3, 4, cols)
    K.im2col(xp, 3, 2, 2, 2, 2, 1, 3, 4, cols)
    same(K.col2im, cols, 2, 4, 7, 6, 3, 2, 2, 2, 1, 2, 2, 1, 3, 4)
    from tinygrad_es.kernels.conv.im2col import nol_to_ol, ol_to_nol
    y = rows((3, 2 * 5))
    y[...] = rng.standard_normal(y.shape)
    same_inplace(ol_to_nol, 5, y, 2, 3, 5, rng.standard_normal(3), np.empty((2, 3, 5)))
    same_inplace(nol_to_ol, 4, rng.standard_normal((2, 3, 5)), 2, 3, 5, np.empty((3, 10)))


def test_blocked_forward_kernel_equals_python_version():
    """El forward por bloques de canales (float32; con FMA, Python no: a ~1e-6 relativo)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 16, 4, 3)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    hq, wq = 5, 4  # pasos compactos con relleno 1 (direct.compact_pitch)
    out = np.zeros((3, 16, 4, 3), np.float32)
    with DB._slp():
        same_inplace(DB.blocked_corr, 9, x, 1, 1, hq, wq, 2, DB.tap_shifts(3, 3, wq), DB.pack_weights(w), b, out,
                     rtol=1e-6)


def test_image_im2col_kernels_equal_python_versions():
    from tinygrad_es.kernels.conv import im2col_image as IC
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 7, 9))
    for args in [(3, 2, 2, 1, 1, 2, 1, 2, 4, 3, 2), (2, 3, 1, 3, 0, 1, 2, 1, 6, 3, 1), (1, 1, 1, 1, 3, 2, 1, 1, 13, 13, 4)]:
        kh, kw, oh, ow, groups = args[0], args[1], args[8], args[9], args[10]
        cols = np.full((groups * (4 // groups * kh * kw + 1), oh * ow), np.nan)
        same_inplace(IC.im2col_image, 13, x, 1, *args, cols)
        dx = np.full(x.shape, np.nan)
        same_inplace(IC.col2im_image, 13, rng.standard_normal(cols.shape), 1, *args, dx)


def test_wide_weight_grad_kernel_equals_python_version():
    rng = np.random.default_rng(4)
    for c, o, k, pad in ((3, 6, 5, 0), (2, 5, 3, 1)):  # bloques 3×4 y 4×3
        swap, rows_, cols_ = DW.dw_blocking(o, c * k * k)
        x = rng.standard_normal((3, c, 8, 9))
        g = rng.standard_normal((3, o, 8 + 2 * pad - k + 1, 9 + 2 * pad - k + 1))
        # reassoc: el núcleo suma en otro orden que la versión Python
        same_inplace(DW.wide_dw, 9, x, g, 1, 3, k, k, pad, pad, swap, np.zeros((rows_, cols_)), rtol=1e-12)
        wp = WX.pack_weights(rng.standard_normal((o, c, k, k)))
        same_inplace(WX.wide_dx, 6, g, wp, 1, 3, pad, pad, np.zeros(x.shape), rtol=1e-12)


def test_batch_norm_kernels_equal_python_versions():
    from tinygrad_es.kernels import normalization as KN
    rng = np.random.default_rng(5)
    for shape in [(3, 4, 13), (2, 3, KN.SHORT + 7)]:  # filas cortas (bloques de canales) y largas
        x = rng.standard_normal(shape) * 2 + 5
        c = shape[1]
        g = rng.standard_normal(shape)
        gamma, beta = rng.standard_normal(c), rng.standard_normal(c)
        mean, var = np.empty(c), np.empty(c)
        same_inplace(KN.batch_norm_stats, 1, x, mean, var)
        same_inplace(KN.batch_norm_stats, 2, x, mean, var)
        args = [x, 1e-5, gamma, beta, np.empty(c), np.empty(c), np.empty(c), np.empty(shape)]
        for i in (4, 5, 6, 7):
            same_inplace(KN.batch_norm_train_forward, i, *args)
        same_inplace(KN.batch_norm_apply, 4, x, mean, gamma, beta, np.empty(shape))
        for training in (True, False):
            bargs = [g, x, mean, 1 / np.sqrt(var + 1e-5), gamma, training, True, np.empty(shape), np.empty(c),
                     np.empty(c)]
            for i in (7, 8, 9):
                same_inplace(KN.batch_norm_backward, i, *bargs)


def test_tanh_kernels_equal_python_versions():
    from tinygrad_es.kernels import activation as KA
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(40000) * 4).astype(np.float32)
    x[:5] = [np.nan, -0.0, 0.0, np.inf, -20.0]
    same_inplace(KA._tanh, 1, x, np.empty_like(x))
    same_inplace(KA._tanh_backward, 3, rng.standard_normal(x.size).astype(np.float32), KA.tanh(x), np.float32(1),
                 np.empty_like(x))


def test_relu_kernels_equal_python_versions():
    from tinygrad_es.kernels import relu as KR
    rng = np.random.default_rng(4)
    x = rng.standard_normal(40000)
    x[:3] = [np.nan, -0.0, 0.0]
    same_inplace(KR._relu, 1, x, np.empty_like(x))
    same_inplace(KR._relu_backward, 0, rng.standard_normal(x.size), KR.relu(x))


def test_pool_and_resize_kernels_equal_python_versions():
    rng = np.random.default_rng(1)
    x = rng.integers(-2, 3, (2, 3, 7, 6)).astype(np.float64)
    out, idx = K.max_pool2d_forward(x, 3, 2, 2, 1, 1, 1, 2, 1, 3, 6)
    from tinygrad_es.kernels.pool.max import _max_pool2d, _tap_ranges
    same(_max_pool2d, x, _tap_ranges(7, 3, 2, 1, 2, 3), _tap_ranges(6, 2, 1, 1, 1, 6), 2, 1, 1, 1, 2, 1, 3, 6)
    same(K.max_pool2d_backward, rng.standard_normal(out.shape), idx, 7, 6)
    from tinygrad_es.kernels.pool.max import _max_pool2d_cl
    same(_max_pool2d_cl, rng.integers(-2, 3, (2, 9, 7, 6)).astype(np.float64), 3, 2, 2, 1, 1, 1, 2, 1, 3, 6)
    same(K.max_pool2x2_forward, x, 3, 3)
    same(K.adaptive_max_pool2d_forward, x, 4, 3)
    same(K.max_unpool2d_forward, out, idx, 7, 6)
    same(K.max_unpool2d_backward, rng.standard_normal((2, 3, 7, 6)), idx)
    x = rng.standard_normal((2, 3, 7, 6))
    same(K.avg_pool2d_forward, x, 3, 2, 2, 2, 1, 1, 4, 4, False, 0)
    same(K.avg_pool2d_backward, rng.standard_normal((2, 3, 4, 4)), 7, 6, 3, 2, 2, 2, 1, 1, True, 0)
    inv = np.array([0.25])
    same(K.avg_pool2x2_forward, x, 3, 3, inv)
    same(K.avg_pool2x2_backward, rng.standard_normal((2, 3, 3, 3)), 7, 6, inv)
    same(K.adaptive_avg_pool2d_forward, x, 3, 4)
    same(K.adaptive_avg_pool2d_backward, rng.standard_normal((2, 3, 3, 4)), 7, 6)
    tabs = K.linear_weights(7, 11, False, None, np.float64) + K.linear_weights(6, 4, True, None, np.float64)
    same(K.upsample_bilinear2d_forward, x, *tabs)
    same(K.upsample_bilinear2d_backward, rng.standard_normal((2, 3, 11, 4)), 7, 6, *tabs)
    hi, wi = K.nearest_indices(7, 10), K.nearest_indices(6, 4)
    same(K.upsample_nearest2d_forward, x, hi, wi)
    same(K.upsample_nearest2d_backward, rng.standard_normal((2, 3, 10, 4)), 7, 6, hi, wi)


SCRIPT = r'''
import sys, numpy as np
from tinygrad_es import kernels as K
r = np.random.default_rng(0)
res = []
x = r.standard_normal((2, 16, 6, 5)); w = r.standard_normal((16, 16, 3, 3)); b = r.standard_normal(16)
for algo, ww, kw in [("winograd", w, dict(padding=(1, 1))), ("winograd4", w, dict(padding=(2, 1))),
                     ("direct", w[:, :4, :, :2], dict(padding=(1, 0),
                     dilation=(1, 2), groups=4)), ("direct", w[:, :1], dict(padding=(1, 1), groups=16)),
                     ("gemm1x1", w[:8, :, :1, :1], {}), ("im2col", w[:, :8, :2], dict(stride=(2, 1), groups=2))]:
    y, st = K.conv2d_forward(x, ww, None, algo=algo, **kw)
    res += [y.ravel(), *(a.ravel() for a in K.conv2d_backward(np.cos(y), st)[:2])]
y, st = K.conv_transpose2d_forward(x, w[:, :4], b[:8], (2, 2), (1, 1), (1, 0), (1, 1), 2)
res += [y.ravel(), *(a.ravel() for a in K.conv_transpose2d_backward(np.cos(y), st))]
p, i = K.max_pool2d_forward(x, 3, 2, 2, 1, 1, 1, 1, 1, 3, 6)
res += [p.ravel(), K.max_pool2d_backward(np.cos(p), i, 6, 5).ravel(), K.max_unpool2d_forward(p, i, 6, 5).ravel()]
res += [K.avg_pool2d_forward(x, 3, 2, 2, 1, 1, 1, 3, 6, False, 0).ravel()]
t = K.linear_weights(6, 9, False, None, np.float64) + K.linear_weights(5, 3, True, None, np.float64)
res += [K.upsample_bilinear2d_backward(np.cos(K.upsample_bilinear2d_forward(x, *t)), 6, 5, *t).ravel()]
np.save(sys.argv[1], np.concatenate(res))
'''


def test_kernels_run_without_jit(tmp_path):
    outs = []
    for jit in ("0", "1"):
        path = tmp_path / f"r{jit}.npy"
        env = dict(os.environ, NUMBA_DISABLE_JIT=jit)
        res = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], env=env, capture_output=True, text=True,
                             cwd=os.path.dirname(HERE))
        assert res.returncode == 0, res.stderr
        outs.append(np.load(path))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12, atol=1e-12)
