"""Núcleos de convolución (Winograd, directa, 1×1, im2col, traspuesta) contra las
referencias lentas de ``conv_reference.py`` en formas de hypothesis, float32 y float64,
forward y los dos gradientes; elección de algoritmo; reserva de buffers; y uso desde
dos hilos de Python a la vez."""
import os
import threading

import numpy as np
import pytest
from hypothesis import given, strategies as st

import conv_reference as R
from tinygrad_es import kernels as K
from tinygrad_es.kernels.workspace import workspace

TOL = {np.float32: 2e-5, np.float64: 1e-12}


def close(a, ref, dtype):
    """Error relativo a la escala del resultado (las sumas largas de float32 pierden
    precisión en términos absolutos, no relativos a cada elemento)."""
    scale = max(np.abs(ref).max(), 1.0)
    np.testing.assert_allclose(a, ref, rtol=0, atol=TOL[dtype] * scale)


@st.composite
def conv_case(draw, algo):
    wino = algo.startswith("winograd")
    groups = 1 if wino or algo == "gemm1x1" else draw(st.sampled_from([1, 1, 2, 3]))
    cg = draw(st.integers(1, 4)) if not wino else draw(st.integers(1, 6))
    og = draw(st.integers(1, 6))
    if wino:
        k, s, d = (3, 3), (1, 1), (1, 1)
    elif algo == "gemm1x1":
        k, s, d = (1, 1), (draw(st.integers(1, 3)), draw(st.integers(1, 3))), (1, 1)
    else:
        k = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
        s = (1, 1) if algo == "direct" else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (0, 0) if algo == "gemm1x1" else (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    lo_h, lo_w = max(1, d[0] * (k[0] - 1) + 1 - 2 * p[0]), max(1, d[1] * (k[1] - 1) + 1 - 2 * p[1])
    h, w = draw(st.integers(lo_h, lo_h + 8)), draw(st.integers(lo_w, lo_w + 8))
    n = draw(st.integers(1, 3))
    return dict(n=n, c=cg * groups, o=og * groups, k=k, s=s, p=p, d=d, g=groups, h=h, w=w,
                seed=draw(st.integers(0, 2**16)), bias=draw(st.booleans()))


def check_algo(case, algo, dtype):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"])).astype(dtype)
    w = rng.standard_normal((case["o"], case["c"] // case["g"]) + case["k"]).astype(dtype)
    b = rng.standard_normal(case["o"]).astype(dtype) if case["bias"] else None
    args = (case["s"], case["p"], case["d"], case["g"])
    out, state = K.conv2d_forward(x, w, b, *args, algo=algo)
    assert state.algo == algo and out.dtype == dtype
    close(out, R.conv2d(x, w, b, *args), dtype)
    g = rng.standard_normal(out.shape).astype(dtype)
    dx, dw, db = K.conv2d_backward(g, state)
    rdx, rdw = R.conv2d_grads(x, w, g, *args)
    close(dx, rdx, dtype)
    close(dw, rdw, dtype)
    close(db, g.astype(np.float64).sum(axis=(0, 2, 3)), dtype)
    assert dx.dtype == dw.dtype == dtype
    K.conv_release(state)


@pytest.mark.parametrize("algo", K.ALGOS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_conv_algorithms_match_reference(algo, dtype, data):
    check_algo(data.draw(conv_case(algo)), algo, dtype)


@pytest.mark.parametrize("algo, shape", [
    ("winograd", dict(n=4, c=64, o=64, k=(3, 3), h=14, w=14, p=(1, 1))),   # caso (d)
    ("winograd", dict(n=4, c=32, o=64, k=(3, 3), h=13, w=13, p=(0, 0))),   # caso (b), teselas impares
    ("winograd4", dict(n=2, c=32, o=64, k=(3, 3), h=13, w=13, p=(0, 0))),
    ("winograd4", dict(n=2, c=16, o=24, k=(3, 3), h=17, w=10, p=(2, 1))),
    ("direct", dict(n=4, c=3, o=16, k=(5, 5), h=32, w=32, p=(2, 2))),      # caso (c), varios trozos TC
    ("direct", dict(n=2, c=32, o=32, k=(3, 3), h=28, w=28, p=(1, 1), g=32)),  # depthwise (g)
    ("direct", dict(n=2, c=16, o=16, k=(3, 3), h=28, w=28, p=(2, 2), d=(2, 2))),  # dilatada (h)
    ("direct", dict(n=2, c=12, o=12, k=(3, 3), h=20, w=20, p=(1, 1))),     # dW por im2col (C·k² > 27)
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_algorithms_on_benchmark_shapes(algo, shape, dtype):
    case = {**dict(s=(1, 1), d=(1, 1), g=1, seed=1, bias=True), **shape}
    check_algo(case, algo, dtype)


def test_winograd_float32_error_is_like_direct():
    """F(2×2, 3×3) en float32: mismo orden de error que la convolución directa frente a
    la referencia en float64 (las transformadas sólo tienen 0, ±1, ±½); F(4×4, 3×3),
    con factores hasta 8, pierde más pero se queda por debajo de 10⁻⁵."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 64, 14, 14)).astype(np.float32)
    w = rng.standard_normal((64, 64, 3, 3)).astype(np.float32)
    ref = R.conv2d(x, w, None, (1, 1), (1, 1))
    errs = {}
    for algo in ("winograd", "winograd4", "im2col"):
        out, _ = K.conv2d_forward(x, w, None, (1, 1), (1, 1), algo=algo, save=False)
        errs[algo] = np.abs(out - ref).max() / np.abs(ref).max()
    assert errs["winograd"] < 4 * errs["im2col"] + 1e-7, errs
    assert errs["winograd"] < 1e-6
    assert errs["winograd4"] < 1e-5


def test_choose_algo_forward_is_direct_and_backward_by_shape():
    three = ("im2col_img", "winograd")  # ∂L/∂x, ∂L/∂w: F(2×2) y no F(4×4) (exactitud)
    shapes = [  # (x, w, stride, padding, groups) -> algoritmos del backward
        (((64, 64, 14, 14), (64, 64, 3, 3), (1, 1), (1, 1), 1), three),
        (((128, 32, 16, 16), (32, 32, 3, 3), (1, 1), (1, 1), 1), three),  # ResNet, segunda etapa
        # pocos canales (C·O ≤ WIDE_DW_3X3, la primera etapa de ResNet): ∂L/∂w por la rejilla ancha
        (((128, 16, 32, 32), (16, 16, 3, 3), (1, 1), (1, 1), 1), "im2col_img"),
        (((64, 16, 32, 32), (32, 16, 3, 3), (1, 1), (1, 1), 1), "im2col_img"),
        (((32, 128, 28, 28), (128, 128, 3, 3), (1, 1), (1, 1), 1), three),
        (((64, 32, 13, 13), (64, 32, 3, 3), (1, 1), (0, 0), 1), three),  # (b)
        (((64, 3, 32, 32), (16, 3, 5, 5), (1, 1), (2, 2), 1), "im2col_img"),  # pocas entradas
        (((64, 1, 28, 28), (32, 1, 3, 3), (1, 1), (0, 0), 1), "im2col_img"),
        (((64, 6, 14, 14), (16, 6, 5, 5), (1, 1), (0, 0), 1), "im2col_img"),  # LeNet-5
        (((64, 32, 28, 28), (32, 1, 3, 3), (1, 1), (1, 1), 32), "direct"),
        (((64, 64, 14, 14), (128, 64, 1, 1), (1, 1), (0, 0), 1), "gemm1x1"),
        (((64, 16, 32, 32), (32, 16, 1, 1), (2, 2), (0, 0), 1), "gemm1x1"),  # atajo de ResNet
        (((64, 32, 28, 28), (64, 32, 3, 3), (2, 2), (1, 1), 1), "im2col_img"),  # (e)
        (((64, 64, 8, 8), (128, 64, 3, 3), (2, 2), (1, 1), 1), "im2col"),
        (((32, 3, 32, 32), (16, 3, 3, 3), (2, 2), (1, 1), 1), "im2col"),
    ]
    for (xs, ws, s, p, g), bwd in shapes:
        assert K.choose_algo(xs, ws, s, p, (1, 1), g) == "direct"
        assert K.choose_backward(xs, ws, s, p, (1, 1), g) == (bwd if isinstance(bwd, tuple) else (bwd, bwd)), xs


@st.composite
def any_conv_case(draw):
    """Cualquier convolución (stride, dilatación, grupos, depthwise), para el camino por defecto."""
    case = draw(conv_case("im2col"))
    if draw(st.booleans()):  # depthwise
        case.update(o=case["c"], g=case["c"])
    return case


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_default_path_matches_reference(dtype, data):
    """Sin ``algo``: forward directo (con las fases de la entrada si hay stride) y el backward que
    elija ``choose_backward``."""
    case = data.draw(any_conv_case())
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"])).astype(dtype)
    w = rng.standard_normal((case["o"], case["c"] // case["g"]) + case["k"]).astype(dtype)
    b = rng.standard_normal(case["o"]).astype(dtype) if case["bias"] else None
    args = (case["s"], case["p"], case["d"], case["g"])
    out, state = K.conv2d_forward(x, w, b, *args)
    close(out, R.conv2d(x, w, b, *args), dtype)
    g = rng.standard_normal(out.shape).astype(dtype)
    dx, dw, _ = K.conv2d_backward(g, state)
    rdx, rdw = R.conv2d_grads(x, w, g, *args)
    close(dx, rdx, dtype)
    close(dw, rdw, dtype)
    K.conv_release(state)


@pytest.mark.parametrize("shape", [dict(c=32, o=64, hw=13, p=0), dict(c=24, o=24, hw=10, p=1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_default_path_mixed_backward(shape, dtype):
    """3×3 con bastantes canales: ∂L/∂x por im2col imagen a imagen y ∂L/∂w por Winograd F(2×2)
    (transformando la entrada en el backward, porque el forward fue directo)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, shape["c"], shape["hw"], shape["hw"])).astype(dtype)
    w = rng.standard_normal((shape["o"], shape["c"], 3, 3)).astype(dtype)
    args = ((1, 1), (shape["p"],) * 2, (1, 1), 1)
    out, state = K.conv2d_forward(x, w, None, *args)
    assert (state.algo, state.algo_w) == ("im2col_img", "winograd")
    g = rng.standard_normal(out.shape).astype(dtype)
    rdx, rdw = R.conv2d_grads(x, w, g, *args)
    for nx, nw in ((True, True), (True, False), (False, True)):
        dx, dw, _ = K.conv2d_backward(g, state, need_x=nx, need_w=nw)
        assert (dx is None) != nx and (dw is None) != nw
        if nx:
            close(dx, rdx, dtype)
        if nw:
            close(dw, rdw, dtype)
    K.conv_release(state)


@pytest.mark.parametrize("algo", [None, "winograd", "winograd4"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_winograd_backward_by_chunks_of_images(monkeypatch, algo, dtype):
    """El backward Winograd recorre el lote por trozos (aquí de 2 imágenes, el último de 1) con buffers
    del tamaño de un trozo, no del lote, y da los gradientes de la referencia."""
    from tinygrad_es.kernels.conv import backward, dispatch
    rng = np.random.default_rng(7)
    n, c, o, hw = 5, 24, 24, 9  # (con C·O ≤ WIDE_DW_3X3, ∂L/∂w iría por la rejilla ancha)
    x = rng.standard_normal((n, c, hw, hw)).astype(dtype)
    w = rng.standard_normal((o, c, 3, 3)).astype(dtype)
    args = ((1, 1), (1, 1), (1, 1), 1)
    mod, nxi = dispatch._WINO[algo or "winograd"]
    th, tw = mod.tiles(hw, hw)
    monkeypatch.setattr(backward, "CHUNK_BYTES", 2 * nxi * (c + o) * th * tw * x.itemsize)  # 2 imágenes
    out, state = K.conv2d_forward(x, w, None, *args, algo=algo)
    assert state.algo_w == (algo or "winograd")
    g = rng.standard_normal(out.shape).astype(dtype)
    rdx, rdw = R.conv2d_grads(x, w, g, *args)
    workspace.clear()
    dx, dw, _ = K.conv2d_backward(g, state, need_x=algo is not None, need_w=True)
    close(dw, rdw, dtype)
    if algo is not None:
        close(dx, rdx, dtype)
    held = max(a.shape[-1] for lst in workspace._free.values() for a in lst)
    assert held < 2 * th * tw + 64 + 1  # columnas de un trozo de 2 imágenes (más el relleno anti-alias)
    K.conv_release(state)


@pytest.mark.parametrize("stride", [1, 2])
def test_direct_forward_stacking_images_is_bit_for_bit(monkeypatch, stride):
    """Con planos pequeños el forward directo apila varias imágenes por trabajo: mismo resultado bit a
    bit que una imagen por trabajo, y el de la referencia."""
    import numba
    from tinygrad_es.kernels.conv import dispatch
    rng = np.random.default_rng(3)
    n = 4 * numba.get_num_threads() + 1  # el último trabajo con menos imágenes
    x = rng.standard_normal((n, 8, 6, 7)).astype(np.float32)
    w = rng.standard_normal((12, 8, 3, 3)).astype(np.float32)
    b = rng.standard_normal(12).astype(np.float32)
    args = ((stride, stride), (1, 1), (1, 1), 1)
    outs = []
    for positions in (1, 10**6):
        monkeypatch.setattr(dispatch, "STACK_POSITIONS", positions)
        outs.append(K.conv2d_forward(x, w, b, *args, save=False)[0])
    np.testing.assert_array_equal(outs[0], outs[1])
    close(outs[1], R.conv2d(x, w, b, *args), np.float32)


def test_direct_forward_one_specialisation_for_first_and_later_layers():
    """La primera capa (pocos taps: acumula en float64) y las siguientes (en float32) de una red float32
    usan la misma especialización del forward directo con relleno dentro (una compilación menos en el
    arranque en frío), con el mismo resultado bit a bit que el camino de una imagen (``flat_corr`` con los
    pesos float64 o float32) y el de la referencia."""
    import numba
    from tinygrad_es.kernels.conv import direct as D
    rng = np.random.default_rng(11)
    n = 2 * numba.get_num_threads() + 1  # con ≥ 2 imágenes por hilo: flat_corr_pad
    for c in (1, 16):  # 9 taps ≤ ACC64_TAPS (float64); 144 taps (float32)
        x = rng.standard_normal((n, c, 9, 8)).astype(np.float32)
        w = rng.standard_normal((6, c, 3, 3)).astype(np.float32)
        b = rng.standard_normal(6).astype(np.float32)
        out, _ = K.conv2d_forward(x, w, b, (1, 1), (1, 1), save=False)
        one, _ = K.conv2d_forward(x[:1], w, b, (1, 1), (1, 1), save=False)  # una imagen: flat_corr
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out[:1], one)
        close(out, R.conv2d(x, w, b, (1, 1), (1, 1), (1, 1), 1), np.float32)
    f32 = [sig for sig in D.flat_corr_pad.signatures if sig[0].dtype == numba.float32]
    assert len(f32) == 1, f32


@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 9), st.integers(1, 9), st.integers(1, 4), st.integers(1, 4),
       st.integers(0, 3), st.integers(0, 3), st.integers(1, 2), st.sampled_from([1, 2]), st.sampled_from([1, 2]),
       st.sampled_from([np.float32, np.float64]), st.booleans())
def test_direct_forward_compact_pitch_same_bits_as_full_padding(c, o, h, w, kh, kw, ph, pw, d, groups, threads,
                                                                 dtype, inf):
    """Con stride 1 el forward directo por lotes (``flat_corr_pad``) apila las imágenes compartiendo el
    relleno con la vecina (``direct.compact_pitch``: pasos H + ph y W + pw): bit a bit lo mismo que con el
    relleno completo de cada imagen (``phase_pad`` + ``flat_corr``, el camino que guarda la entrada para el
    backward directo), también con inf y nan en la entrada (ninguna salida válida lee la imagen vecina) y
    con 1 o 2 hilos; y cerca de la referencia."""
    import numba
    from tinygrad_es.kernels.conv import dispatch as Dp
    oh, ow = h + 2 * ph - d * (kh - 1), w + 2 * pw - d * (kw - 1)
    if oh < 1 or ow < 1:
        return
    rng = np.random.default_rng(c * 1000 + h * 10 + w)
    n = 2 * threads + 3  # ≥ 2 imágenes por hilo: flat_corr_pad
    x = rng.standard_normal((n, c * groups, h, w)).astype(dtype)
    if inf:
        x[n // 2, 0, h // 2, w // 2] = np.inf
        x[-1, -1, 0, -1] = np.nan
    wt = rng.standard_normal((o * groups, c, kh, kw)).astype(dtype)
    b = rng.standard_normal(o * groups).astype(dtype)
    old = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        out = np.empty((n, o * groups, oh, ow), dtype)
        assert Dp._direct_forward(x, wt, b, (1, 1), (ph, pw), (d, d), groups, out) is None
        full = np.empty_like(out)
        xq = Dp._direct_forward(x, wt, b, (1, 1), (ph, pw), (d, d), groups, full, keep=True)
        workspace.put(xq)
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(out, full)
    if not inf:
        close(out, R.conv2d(x, wt, b, (1, 1), (ph, pw), (d, d), groups), dtype)


@pytest.mark.parametrize("n, c, o, h, w, p", [(7, 32, 16, 8, 8, 1), (5, 40, 48, 7, 5, 1), (6, 64, 32, 12, 11, 0),
                                             (4, 32, 16, 3, 4, 2)])
def test_blocked_forward_matches_reference_and_same_bits_any_threads_and_stacking(monkeypatch, n, c, o, h, w, p):
    """El forward por bloques de canales (``direct_blocked``: 3×3 float32, ≥ 32 canales, planos pequeños)
    cerca de la referencia; bit a bit igual con 1 y 2 hilos y con 1 o varias imágenes por trabajo (cada
    posición hace las mismas operaciones en el mismo orden); y equivariante: dos ventanas iguales dan
    la misma salida, y dos imágenes iguales también."""
    import numba
    from tinygrad_es.kernels.conv import dispatch as Dp, direct_blocked as DB
    rng = np.random.default_rng(c + h)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    if h >= 7 and w >= 7:  # la ventana de la salida (1, 1) copiada donde la lee la salida (4, 4)
        x[:, :, 3:6, 3:6] = x[:, :, 0:3, 0:3]
    x[-1] = x[0]
    wt = (rng.standard_normal((o, c, 3, 3)) / np.sqrt(9 * c)).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    assert DB.applies(x, wt.shape, (1, 1), (1, 1), 1, False)
    calls = []
    real = DB.forward
    monkeypatch.setattr(DB, "forward", lambda *a: calls.append(a[6]) or real(*a))
    outs = []
    old = numba.get_num_threads()
    try:
        for threads, per_job in ((1, None), (2, None), (1, 1)):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            if per_job:
                monkeypatch.setattr(Dp, "_images_per_job", lambda *a: per_job)
            outs.append(K.conv2d_forward(x, wt, b, (1, 1), (p, p), save=False)[0])
    finally:
        numba.set_num_threads(old)
    assert len(calls) == 3 and calls[-1] == 1
    close(outs[0], R.conv2d(x, wt, b, (1, 1), (p, p), (1, 1), 1), np.float32)
    for other in outs[1:]:
        np.testing.assert_array_equal(outs[0], other)
    out = outs[0]
    np.testing.assert_array_equal(out[0], out[-1])
    if h >= 7 and w >= 7:
        np.testing.assert_array_equal(out[:, :, p, p], out[:, :, 3 + p, 3 + p])


def test_blocked_forward_only_where_measured_and_slp_only_while_compiling():
    """Sólo las 3×3 float32 de stride 1 con ≥ 32 canales (múltiplo de 8), salidas múltiplo de 16 y planos
    de ≤ 12²: no la CNN del curso (1→32 a 28², 32→64 a 13²: su arranque en frío no compila este núcleo),
    ni la 1.ª y 2.ª etapas de ResNet (16 canales; 32 a 16²), ni float64, stride 2, grupos o dilatación.
    Y el vectorizador SLP vuelve a como estaba después de compilarlo."""
    from numba.core import config
    from tinygrad_es.kernels.conv import direct_blocked as DB

    def ok(c, o, hw, dtype=np.float32, k=3, s=(1, 1), d=(1, 1), g=1, keep=False):
        return DB.applies(np.empty((2, c, hw, hw), dtype), (o, c // g, k, k), s, d, g, keep)

    assert ok(64, 64, 8) and ok(64, 128, 8) and ok(32, 32, 12)
    assert not ok(1, 32, 28) and not ok(32, 64, 13) and not ok(16, 16, 8) and not ok(32, 32, 16)
    assert not ok(64, 64, 8, np.float64) and not ok(64, 64, 8, s=(2, 2)) and not ok(64, 64, 8, d=(2, 2))
    assert not ok(64, 64, 8, g=2) and not ok(64, 64, 8, k=1) and not ok(64, 64, 8, keep=True)
    assert not ok(36, 64, 8) and not ok(64, 40, 8)
    before = os.environ.get("NUMBA_SLP_VECTORIZE"), config.SLP_VECTORIZE
    with DB._slp():
        assert config.SLP_VECTORIZE == 1
    assert (os.environ.get("NUMBA_SLP_VECTORIZE"), config.SLP_VECTORIZE) == before


def test_strided_1x1_forward_is_the_subsampled_convolution():
    """La 1×1 con stride (sin relleno) toma la entrada submuestreada: bit a bit la 1×1 de stride 1 de
    ``x[:, :, ::s, ::s]``, y la de la referencia."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 40, 9, 8)).astype(np.float32)
    w = rng.standard_normal((8, 40, 1, 1)).astype(np.float32)
    out, _ = K.conv2d_forward(x, w, None, (2, 3), (0, 0), save=False)
    sub, _ = K.conv2d_forward(np.ascontiguousarray(x[:, :, ::2, ::3]), w, None, (1, 1), (0, 0), save=False)
    np.testing.assert_array_equal(out, sub)
    close(out, R.conv2d(x, w, None, (2, 3), (0, 0), (1, 1), 1), np.float32)


def test_chunk_images_bounds_the_workspace():
    from tinygrad_es.kernels.conv.backward import chunk_images
    assert chunk_images(128, 2**20, budget=4 * 2**20) == 4
    assert chunk_images(3, 10, budget=4 * 2**20) == 3
    assert chunk_images(128, 2**30, budget=4 * 2**20) == 1


def periodic_input(n, c, h, w, period, rng, dtype=np.float32):
    """Entrada que se repite con periodo ``period`` en las dos direcciones espaciales."""
    t = rng.random((n, c, period, period)).astype(dtype)
    reps = (-(-h // period), -(-w // period))
    return np.ascontiguousarray(np.tile(t, (1, 1) + reps)[:, :, :h, :w])


@pytest.mark.parametrize("shape", [
    dict(c=32, o=64, k=3, hw=13, p=0, s=1),   # (b)
    dict(c=64, o=64, k=3, hw=14, p=1, s=1),   # (d)
    dict(c=3, o=32, k=3, hw=32, p=1, s=1),    # primera capa RGB
    dict(c=3, o=16, k=5, hw=32, p=2, s=1),    # (c)
    dict(c=64, o=128, k=1, hw=14, p=0, s=1),  # (f) 1×1
    dict(c=32, o=64, k=3, hw=28, p=1, s=2),   # (e) stride 2
    dict(c=16, o=32, k=1, hw=16, p=0, s=2),   # atajo de ResNet
    dict(c=3, o=16, k=11, hw=45, p=2, s=4),   # AlexNet conv1
    dict(c=8, o=8, k=3, hw=20, p=1, s=1, g=8),  # depthwise
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_is_translation_equivariant_bit_for_bit(shape, dtype):
    """Dos ventanas iguales de la entrada dan exactamente la misma salida (si no, un empate exacto del
    max-pooling de después se rompe por el redondeo y el gradiente va a otro elemento)."""
    rng = np.random.default_rng(0)
    P, s, k, p = 5, shape["s"], shape["k"], shape["p"]
    g = shape.get("g", 1)
    x = periodic_input(2, shape["c"], shape["hw"], shape["hw"], P, rng, dtype)
    w = rng.standard_normal((shape["o"], shape["c"] // g, k, k)).astype(dtype)
    out, _ = K.conv2d_forward(x, w, rng.standard_normal(shape["o"]).astype(dtype), (s, s), (p, p),
                              groups=g, save=False)
    lo, hi = -(-p // s), (shape["hw"] + p - k) // s  # salidas cuya ventana cae dentro de la imagen
    shift = next(m for m in range(1, 100) if (m * s) % P == 0)
    a = out[:, :, lo:hi + 1 - shift, lo:hi + 1 - shift]
    assert a.size > 0
    assert np.array_equal(a, out[:, :, lo + shift:hi + 1, lo:hi + 1 - shift])
    assert np.array_equal(a, out[:, :, lo:hi + 1 - shift, lo + shift:hi + 1])


@st.composite
def convt_case(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    # output_padding < max(stride, dilation), como exige PyTorch
    op = (draw(st.integers(0, max(s[0], d[0]) - 1)), draw(st.integers(0, max(s[1], d[1]) - 1)))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    hout = (h - 1) * s[0] - 2 * p[0] + d[0] * (k[0] - 1) + op[0] + 1
    wout = (w - 1) * s[1] - 2 * p[1] + d[1] * (k[1] - 1) + op[1] + 1
    if hout < 1 or wout < 1:
        p = (0, 0)
    return dict(n=draw(st.integers(1, 2)), cin=draw(st.integers(1, 3)) * groups,
                cog=draw(st.integers(1, 3)), k=k, s=s, p=p, op=op, d=d, g=groups, h=h, w=w,
                seed=draw(st.integers(0, 2**16)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=convt_case())
def test_conv_transpose_matches_reference(case, dtype):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["cin"], case["h"], case["w"])).astype(dtype)
    w = rng.standard_normal((case["cin"], case["cog"]) + case["k"]).astype(dtype)
    b = rng.standard_normal(case["cog"] * case["g"]).astype(dtype)
    args = (case["s"], case["p"], case["op"], case["d"], case["g"])
    out, state = K.conv_transpose2d_forward(x, w, b, *args)
    ref = R.conv_transpose2d(x, w, b, *args)
    assert out.shape == ref.shape and out.dtype == dtype
    close(out, ref, dtype)
    # backward: adjunto exacto. La convolución traspuesta es lineal en x y en w:
    # <T(x + e_x), g> − <T(x), g> = <e_x, dx> con el sesgo fuera (se comprueba db aparte)
    g = rng.standard_normal(out.shape).astype(dtype)
    dx, dw, db = K.conv_transpose2d_backward(g, state)
    g64 = g.astype(np.float64)
    ex = rng.standard_normal(x.shape)
    ew = rng.standard_normal(w.shape)
    lin_x = np.sum(R.conv_transpose2d(ex, w, None, *args) * g64)
    lin_w = np.sum(R.conv_transpose2d(x, ew, None, *args) * g64)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert abs(np.sum(ex * dx) - lin_x) <= tol * (1 + abs(lin_x)) * max(1, np.abs(dx).max())
    assert abs(np.sum(ew * dw) - lin_w) <= tol * (1 + abs(lin_w)) * max(1, np.abs(dw).max())
    close(db, g64.sum(axis=(0, 2, 3)), dtype)


def test_conv_transpose_is_adjoint_of_conv():
    """<conv(x, w), y> = <x, convT(y, w)> con los mismos stride, relleno, dilatación y grupos."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 11, 9))
    w = rng.standard_normal((4, 3, 3, 2))
    args = ((2, 1), (1, 1), (2, 1), 2)
    y, _ = K.conv2d_forward(x, w, None, *args, save=False)
    z = rng.standard_normal(y.shape)
    xt, _ = K.conv_transpose2d_forward(z, w, None, args[0], args[1], (0, 0), args[2], args[3], save=False)
    xt = np.pad(xt, ((0, 0), (0, 0), (0, x.shape[2] - xt.shape[2]), (0, x.shape[3] - xt.shape[3])))
    np.testing.assert_allclose(np.sum(y * z), np.sum(x * xt), rtol=1e-12)


def test_user_input_never_goes_to_the_workspace():
    """Sin relleno, el algoritmo directo guarda la propia entrada: al liberar, ese array
    del usuario no puede acabar en la reserva (otro paso lo sobrescribiría)."""
    workspace.clear()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    for algo in K.ALGOS:
        ww = w[:, :, :1, :1] if algo == "gemm1x1" else w
        if algo == "winograd":
            continue
        _, st_ = K.conv2d_forward(x, ww, None, algo=algo)
        K.conv_release(st_)
        K.conv_release(st_)  # liberar dos veces no hace nada
    assert all(a is not x and a.base is None for lst in workspace._free.values() for a in lst)


def _work(seed, out, key):
    rng = np.random.default_rng(seed)
    res = []
    for shape, wshape, kw in [((8, 16, 12, 12), (16, 16, 3, 3), dict(padding=(1, 1))),
                              ((8, 3, 16, 16), (8, 3, 5, 5), dict(padding=(2, 2))),
                              ((8, 8, 12, 12), (8, 1, 3, 3), dict(padding=(1, 1), groups=8)),
                              ((8, 8, 13, 13), (16, 8, 3, 3), dict(stride=(2, 2)))]:
        x = rng.standard_normal(shape).astype(np.float32)
        w = rng.standard_normal(wshape).astype(np.float32)
        for _ in range(5):
            y, state = K.conv2d_forward(x, w, None, **kw)
            dx, dw, _ = K.conv2d_backward(np.ones_like(y), state)
            K.conv_release(state)
        p, _ = K.max_pool2d_forward(y, 2, 2, 2, 2, 0, 0, 1, 1, y.shape[2] // 2, y.shape[3] // 2)
        res += [y, dx, dw, p]
    out[key] = res


def test_two_python_threads_can_run_kernels_at_once():
    """Con la capa workqueue, dos hilos en un prange a la vez abortan el proceso (los
    núcleos se serializan entonces con un cerrojo); con omp o tbb corren a la vez. En
    ambos casos dan lo mismo que en secuencia."""
    seq, par = {}, {}
    _work(1, seq, 1)
    _work(2, seq, 2)
    threads = [threading.Thread(target=_work, args=(s, par, s)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key in (1, 2):
        for a, b in zip(seq[key], par[key]):
            np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="sin fork en esta plataforma")
def test_kernels_work_in_a_forked_child_after_parallel_use():
    """Como un worker del DataLoader: el padre ya lanzó regiones paralelas (con GNU OpenMP
    un hijo de fork moriría al lanzar otra) y el hijo usa los núcleos: da lo mismo."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16, 9, 9)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    y, st_ = K.conv2d_forward(x, w, None, (1, 1), (1, 1))
    dx, dw, _ = K.conv2d_backward(np.ones_like(y), st_)
    r, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # hijo: nada de pytest aquí, sólo calcular y salir
        code = 1
        try:
            y2, s2 = K.conv2d_forward(x, w, None, (1, 1), (1, 1))
            dx2, dw2, _ = K.conv2d_backward(np.ones_like(y2), s2)
            p2, _ = K.max_pool2x2_forward(y2, 4, 4)
            ok = np.allclose(y, y2, atol=1e-5) and np.allclose(dx, dx2, atol=1e-4) and np.allclose(dw, dw2, atol=1e-3)
            code = 0 if ok and p2.shape == (2, 16, 4, 4) else 2
        finally:
            os.write(wfd, bytes([code]))
            os._exit(code)
    os.close(wfd)
    _, status = os.waitpid(pid, 0)
    got = os.read(r, 1)
    os.close(r)
    assert status == 0 and got == bytes([0]), (status, got)


def test_im2col_per_image_is_deterministic_across_thread_counts():
    """Partes fijas de imágenes: mismo dW bit a bit con 1 y 2 hilos, y contra la referencia
    con más imágenes que partes (reparto de verdad entre hilos)."""
    import numba
    rng = np.random.default_rng(5)
    x = rng.standard_normal((11, 6, 12, 10)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    args = ((2, 2), (1, 1), (1, 2), 2)
    res = []
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            out, st_ = K.conv2d_forward(x, w, b, *args, algo="im2col_img")
            g = rng.standard_normal(out.shape).astype(np.float32) if not res else res[0][3]
            res.append((out,) + K.conv2d_backward(g, st_)[:2] + (g,))
    finally:
        numba.set_num_threads(before)
    for a, b_ in zip(res[0][:3], res[1][:3]):
        np.testing.assert_array_equal(a, b_)
    close(res[0][0], R.conv2d(x, w, b, *args), np.float32)
    rdx, rdw = R.conv2d_grads(x, w, res[0][3], *args)
    close(res[0][1], rdx, np.float32)
    close(res[0][2], rdw, np.float32)


@st.composite
def wide_dw_case(draw):
    """Stride y dilatación 1, sin grupos: lo que hace ∂L/∂w sobre la rejilla ancha (``wide_dw``)."""
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), kh + 6))
    w = draw(st.integers(max(1, kw - 2 * pw), kw + 6))
    return dict(n=draw(st.integers(1, 6)), c=draw(st.integers(1, 4)), o=draw(st.integers(1, 9)), k=(kh, kw),
                p=(ph, pw), h=h, w=w, seed=draw(st.integers(0, 2**16)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=wide_dw_case())
def test_wide_weight_grad_matches_reference(case, dtype):
    """∂L/∂w de las capas con pocas entradas sin im2col (bloques 4×3 y 3×4, relleno, bloques incompletos)."""
    from tinygrad_es.kernels.conv import backward as B
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"])).astype(dtype)
    w = rng.standard_normal((case["o"], case["c"]) + case["k"]).astype(dtype)
    out, state = K.conv2d_forward(x, w, None, (1, 1), case["p"])
    g = rng.standard_normal(out.shape).astype(dtype)
    dw = B._wide_weight_grad(g, x, state)
    assert dw.dtype == dtype and dw.shape == w.shape
    close(dw, R.conv2d_grads(x, w, g, (1, 1), case["p"])[1], dtype)
    K.conv_release(state)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=wide_dw_case())
def test_wide_input_grad_matches_reference(case, dtype):
    """∂L/∂x por la rejilla ancha (con relleno, canales de salida que no llenan un bloque de 8)."""
    from tinygrad_es.kernels.conv import backward as B
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"])).astype(dtype)
    w = rng.standard_normal((case["o"], case["c"]) + case["k"]).astype(dtype)
    out, state = K.conv2d_forward(x, w, None, (1, 1), case["p"])
    g = rng.standard_normal(out.shape).astype(dtype)
    dx = B._wide_input_grad(g, state)
    assert dx.dtype == dtype and dx.shape == x.shape
    close(dx, R.conv2d_grads(x, w, g, (1, 1), case["p"])[0], dtype)
    K.conv_release(state)


def test_wide_input_grad_only_where_measured_faster_and_not_with_non_finite_weights():
    from tinygrad_es.kernels.conv import backward as B

    def applies(c, o, k, p=0, hw=14, w=None):
        w = np.ones((o, c, k, k), np.float32) if w is None else w
        return B._wide_dx_applies(K.conv2d_forward(np.ones((2, c, hw, hw), np.float32), w, None, (1, 1), (p, p))[1])

    assert applies(6, 16, 5)  # LeNet conv2
    assert not applies(16, 16, 3, 1) and not applies(64, 192, 5, 2) and not applies(16, 32, 5, 2)
    w = np.ones((16, 6, 5, 5), np.float32)
    w[3, 2, 1, 1] = np.inf
    assert not applies(6, 16, 5, w=w)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6, 14, 14)).astype(np.float32)
    out, state = K.conv2d_forward(x, w, None)
    g = rng.standard_normal(out.shape).astype(np.float32)
    from tinygrad_es.kernels.conv import im2col_image as IC
    np.testing.assert_array_equal(K.conv2d_backward(g, state)[0],
                                  IC.backward(g, x, w, (1, 1), (0, 0), (1, 1), 1, True, False)[0])


def test_wide_weight_grad_blocking_and_lenet_shapes():
    from tinygrad_es.kernels.conv import backward as B
    from tinygrad_es.kernels.conv import direct_weight_grad as DW

    def applies(k, s=1):
        return B._wide_applies(K.conv2d_forward(np.ones((1, 2, 12, 12), np.float32),
                                                np.ones((4, 2, k, k), np.float32), None, (s, s))[1])

    assert applies(5) and not applies(3) and not applies(5, 2)  # 3×3: im2col (arranque en frío)

    def applies3(c, o, g=1, d=1):  # 3×3 con pocos canales (primera etapa de ResNet): sí
        return B._wide_applies(K.conv2d_forward(np.ones((1, c, 12, 12), np.float32),
                                                np.ones((o, c // g, 3, 3), np.float32), None, (1, 1), (2, 2), (d, d), g)[1])

    assert applies3(16, 16) and applies3(16, 32) and not applies3(32, 32) and not applies3(16, 8)
    assert applies3(3, 16) and applies3(3, 32) and not applies3(1, 32)  # ni la CNN del curso (arranque)
    assert not applies3(16, 16, g=2) and not applies3(16, 16, d=2)
    assert DW.dw_blocking(6, 75) == (True, 9, 77)  # LeNet conv1: 3 canales × 4 taps, sin relleno de filas
    assert DW.dw_blocking(16, 150) == (False, 19, 153)  # conv2: 4 canales × 3 taps
    rng = np.random.default_rng(1)
    for n, c, o, hw in ((5, 3, 6, 32), (5, 6, 16, 14)):
        x = rng.standard_normal((n, c, hw, hw)).astype(np.float32)
        w = rng.standard_normal((o, c, 5, 5)).astype(np.float32)
        out, state = K.conv2d_forward(x, w, None)
        g = rng.standard_normal(out.shape).astype(np.float32)
        dx, dw, _ = K.conv2d_backward(g, state)
        rdx, rdw = R.conv2d_grads(x, w, g)
        close(dx, rdx, np.float32)
        close(dw, rdw, np.float32)


def test_wide_weight_grad_with_non_finite_input_is_the_exact_one():
    """Las columnas de relleno de la rejilla ancha multiplican 0 por la entrada: con un inf que sólo leen
    ellas daría nan; el resultado no finito se rehace por im2col (lo que da PyTorch: inf/nan sólo donde
    de verdad los hay)."""
    from tinygrad_es.kernels.conv import backward as B
    from tinygrad_es.kernels.conv import im2col_image as IC
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2, 9, 9)).astype(np.float32)
    x[1, 0, 4, 8] = np.inf  # última columna: el tap j = 0 sólo la lee desde las columnas de relleno
    w = rng.standard_normal((4, 2, 5, 5)).astype(np.float32)
    out, state = K.conv2d_forward(x, w, None)
    assert B._wide_applies(state)
    g = rng.standard_normal(out.shape).astype(np.float32)
    dw = K.conv2d_backward(g, state)[1]
    ref = IC.backward(g, x, w, (1, 1), (0, 0), (1, 1), 1, False, True)[1]
    np.testing.assert_array_equal(dw, ref)
    assert np.isfinite(dw[:, 0, :, 0]).all() and np.isinf(dw[:, 0, :, 4]).all()


def test_wide_weight_grad_is_deterministic_across_thread_counts():
    import numba
    from tinygrad_es.kernels.conv import backward as B
    rng = np.random.default_rng(4)
    x = rng.standard_normal((9, 3, 12, 11)).astype(np.float32)
    w = rng.standard_normal((6, 3, 5, 5)).astype(np.float32)
    out, state = K.conv2d_forward(x, w, None, (1, 1), (1, 2))
    g = rng.standard_normal(out.shape).astype(np.float32)
    before = numba.get_num_threads()
    try:
        res = []
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            res.append(B._wide_weight_grad(g, x, state))
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(res[0], res[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_winograd_weight_transforms_match_matrix_formula(dtype):
    """U = G g Gᵀ y su adjunto dg = Gᵀ dU G (núcleos escritos a mano) contra el producto de
    matrices con ``G_MAT``, y <U(g), dU> = <g, Uᵀ(dU)>."""
    from tinygrad_es.kernels.conv import winograd_f2 as WG
    rng = np.random.default_rng(7)
    w = rng.standard_normal((5, 3, 3, 3)).astype(dtype)
    G = WG.G_MAT
    ref = np.matmul(np.matmul(G, w.astype(np.float64)), G.T).reshape(5, 3, 16).transpose(2, 0, 1)
    U = WG.weight_transform(w)
    assert U.dtype == dtype and U.shape == (16, 5, 3)
    np.testing.assert_allclose(U, ref, rtol=TOL[dtype], atol=TOL[dtype])
    du = rng.standard_normal((16, 5, 3)).astype(dtype)
    dg = WG.weight_transform_adjoint(du, 5, 3)
    ref = np.matmul(np.matmul(G.T, du.astype(np.float64).transpose(1, 2, 0).reshape(5, 3, 4, 4)), G)
    np.testing.assert_allclose(dg, ref, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose(np.vdot(U, du), np.vdot(w, dg), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_winograd4_weight_transforms_match_matrix_formula(dtype):
    from tinygrad_es.kernels.conv import winograd_f4 as W4
    rng = np.random.default_rng(8)
    w = rng.standard_normal((4, 5, 3, 3)).astype(dtype)
    G = W4.G4
    ref = np.matmul(np.matmul(G, w.astype(np.float64)), G.T).reshape(4, 5, 36).transpose(2, 0, 1)
    U = W4.weight_transform(w)
    assert U.dtype == dtype and U.shape == (36, 4, 5)
    np.testing.assert_allclose(U, ref, rtol=TOL[dtype], atol=TOL[dtype])
    du = rng.standard_normal((36, 4, 5)).astype(dtype)
    ref = np.matmul(np.matmul(G.T, du.astype(np.float64).transpose(1, 2, 0).reshape(4, 5, 6, 6)), G)
    dg = W4.weight_transform_adjoint(du, 4, 5)
    assert dg.dtype == dtype
    np.testing.assert_allclose(dg, ref, rtol=TOL[dtype], atol=TOL[dtype])


@st.composite
def flipped_dx_case(draw):
    """3×3 de stride 1 con 16 canales de entrada o más, ≤ 16 de salida y relleno 0-2."""
    p = draw(st.integers(0, 2))
    hw = draw(st.integers(max(1, 3 - 2 * p), 9))
    return dict(n=draw(st.integers(1, 5)), c=draw(st.integers(16, 20)), o=draw(st.integers(1, 16)), hw=hw, p=p,
                seed=draw(st.integers(0, 2**16)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=flipped_dx_case())
def test_flipped_input_grad_matches_reference(case, dtype):
    """∂L/∂x como el forward directo de g con los pesos volteados (lotes de 1 a 5 imágenes: con y sin
    relleno dentro del núcleo, ``flat_corr_pad``/``flat_corr``)."""
    from tinygrad_es.kernels.conv import backward as B
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], case["hw"], case["hw"])).astype(dtype)
    w = rng.standard_normal((case["o"], case["c"], 3, 3)).astype(dtype)
    p = (case["p"], case["p"])
    out, state = K.conv2d_forward(x, w, None, (1, 1), p)
    g = rng.standard_normal(out.shape).astype(dtype)
    dx = B._flipped_input_grad(g, state)
    assert dx.dtype == dtype and dx.shape == x.shape
    close(dx, R.conv2d_grads(x, w, g, (1, 1), p)[0], dtype)
    K.conv_release(state)


def test_flipped_input_grad_only_on_measured_shapes_and_same_bits_with_1_or_2_threads():
    """Se usa en las 3×3 de 16 canales de la primera etapa de ResNet (planos ≥ 16×16), no con más
    canales de salida, planos pequeños, stride o pesos no finitos; el resultado es el mismo con 1 y 2
    hilos y se acerca a la referencia."""
    import numba
    from tinygrad_es.kernels.conv import backward as B

    def state(c, o, hw, p=1, s=1, w=None):
        w = np.ones((o, c, 3, 3), np.float32) if w is None else w
        return K.conv2d_forward(np.ones((2, c, hw, hw), np.float32), w, None, (s, s), (p, p))[1]

    assert B._flipped_dx_applies(state(16, 16, 32)) and B._flipped_dx_applies(state(16, 16, 16))
    assert not B._flipped_dx_applies(state(32, 32, 16)) and not B._flipped_dx_applies(state(16, 32, 32))
    assert not B._flipped_dx_applies(state(16, 16, 8)) and not B._flipped_dx_applies(state(16, 16, 32, s=2))
    assert not B._flipped_dx_applies(state(3, 16, 32)) and not B._flipped_dx_applies(state(16, 16, 32, p=3))
    w = np.ones((16, 16, 3, 3), np.float32)
    w[2, 5, 0, 1] = np.inf
    assert not B._flipped_dx_applies(state(16, 16, 32, w=w))
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, 16, 16, 16)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    g = rng.standard_normal((5, 16, 16, 16)).astype(np.float32)
    res = []
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            _, st_ = K.conv2d_forward(x, w, None, (1, 1), (1, 1))
            assert B._flipped_dx_applies(st_)
            res.append(K.conv2d_backward(g, st_)[0])
            K.conv_release(st_)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(res[0], res[1])
    close(res[0], R.conv2d_grads(x, w, g, (1, 1), (1, 1))[0], np.float32)
