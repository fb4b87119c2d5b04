"""Activaciones de ``ops/activation.py``: valor contra una fórmula de referencia en numpy,
gradiente en float64 (lejos de los puntos no derivables), dtype y errores como PyTorch."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import tensor
from tinygrad_es.gradcheck import gradcheck
from tinygrad_es.nn.functional import activation as A
from strategies import arrays, small_shapes

wide = st.floats(-5.0, 5.0, allow_nan=False, width=64)
_erf = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


# nombre -> (llamada, referencia numpy, puntos no derivables)
ACT = {
    "gelu": (A.gelu, lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))), ()),
    "gelu_tanh": (lambda x: A.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), ()),
    "silu": (A.silu, lambda x: x * _sig(x), ()),
    "elu": (lambda x: A.elu(x, alpha=1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)), (0.0,)),
    "celu": (lambda x: A.celu(x, alpha=2.0), lambda x: np.maximum(0, x) + np.minimum(0, 2 * np.expm1(x / 2)), (0.0,)),
    "selu": (A.selu, lambda x: A.SELU_SCALE * np.where(x > 0, x, A.SELU_ALPHA * np.expm1(x)), (0.0,)),
    "softplus": (lambda x: A.softplus(x, beta=2.0, threshold=6.0), lambda x: _softplus(x, 2.0, 6.0), (3.0,)),
    "softsign": (A.softsign, lambda x: x / (1 + np.abs(x)), ()),
    "mish": (A.mish, lambda x: x * np.tanh(_softplus(x)), ()),
    "hardsigmoid": (A.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1), (-3.0, 3.0)),
    "hardswish": (A.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, (-3.0, 3.0)),
    "hardtanh": (lambda x: A.hardtanh(x, -2.0, 1.5), lambda x: np.clip(x, -2, 1.5), (-2.0, 1.5)),
    "relu6": (A.relu6, lambda x: np.clip(x, 0, 6), (0.0,)),
    "logsigmoid": (A.logsigmoid, lambda x: np.log(_sig(x)), ()),
    "tanhshrink": (A.tanhshrink, lambda x: x - np.tanh(x), ()),
    "softshrink": (A.softshrink, lambda x: np.where(np.abs(x) > 0.5, x - 0.5 * np.sign(x), 0), (-0.5, 0.5)),
    "hardshrink": (A.hardshrink, lambda x: np.where(np.abs(x) > 0.5, x, 0), (-0.5, 0.5)),
    "threshold": (lambda x: A.threshold(x, 0.5, -1.0), lambda x: np.where(x > 0.5, x, -1.0), (0.5,)),
}


def _away(a, kinks, margin=0.05):
    for k in kinks:
        d = a - k
        a = np.where(np.abs(d) < margin, k + np.where(d >= 0, 2, -2) * margin, a)
    return a


@pytest.mark.parametrize("name", sorted(ACT))
@given(data=st.data())
def test_activation_value_and_grad(name, data):
    fn, ref, kinks = ACT[name]
    a = _away(data.draw(arrays(data.draw(small_shapes), wide)), kinks)
    out = fn(tensor(a))
    assert out.dtype == tg.float64 and out.shape == a.shape
    np.testing.assert_allclose(out.numpy(), ref(a), rtol=1e-10, atol=1e-12)
    gradcheck(fn, [tensor(a, requires_grad=True)], atol=1e-6, rtol=1e-5)


@given(data=st.data())
def test_softmin_glu_prelu(data):
    shape = data.draw(small_shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = data.draw(arrays(shape))
    e = np.exp(-a - (-a).max(axis=dim, keepdims=True))
    np.testing.assert_allclose(A.softmin(tensor(a), dim).numpy(), e / e.sum(axis=dim, keepdims=True), atol=1e-12)
    gradcheck(lambda x: A.softmin(x, dim=dim), [tensor(a, requires_grad=True)])
    g = np.concatenate([a, a[::-1] * 0.5], axis=dim)
    h = g.shape[dim] // 2
    first, second = np.split(g, 2, axis=dim)
    np.testing.assert_allclose(A.glu(tensor(g), dim).numpy(), first * _sig(second), atol=1e-12)
    assert A.glu(tensor(g), dim).shape[dim] == h
    gradcheck(lambda x: A.glu(x, dim), [tensor(g, requires_grad=True)])
    c = shape[1] if len(shape) >= 2 else 1
    w = data.draw(arrays((data.draw(st.sampled_from([1, c])),), st.floats(0.05, 0.5)))
    a = _away(a, (0.0,))
    wb = w.reshape((1, -1) + (1,) * (len(shape) - 2)) if len(shape) >= 2 else w
    np.testing.assert_allclose(A.prelu(tensor(a), tensor(w)).numpy(), np.where(a > 0, a, wb * a))
    gradcheck(A.prelu, [tensor(a, requires_grad=True), tensor(w, requires_grad=True)])


def test_derivatives_at_the_kinks_like_pytorch():
    def grad(fn, xs):
        x = tensor(np.array(xs), requires_grad=True)
        fn(x).sum().backward()
        return x.grad.tolist()
    assert grad(A.hardtanh, [-1.0, 1.0, 0.0]) == [0.0, 0.0, 1.0]
    assert grad(A.relu6, [0.0, 6.0, 3.0]) == [0.0, 0.0, 1.0]
    assert grad(A.hardsigmoid, [-3.0, 3.0]) == [0.0, 0.0]
    assert grad(A.hardswish, [-3.0, 3.0, 0.0]) == [0.0, 1.0, 0.5]
    assert grad(lambda x: A.elu(x, 2.0), [0.0]) == [2.0]
    assert grad(lambda x: A.celu(x, 2.0), [0.0]) == [1.0]
    assert grad(lambda x: A.prelu(x, tensor([0.25], dtype=tg.float64)), [0.0]) == [0.25]


def test_softmin_default_dim_inplace_and_dtypes():
    x = tensor([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(A.softmin(x).numpy(), A.softmin(x, dim=1).numpy())  # 2-D: dim 1
    y = tensor([-1.0, 2.0])
    assert A.elu(y, inplace=True) is y and y.tolist()[1] == 2.0 and y.tolist()[0] < 0
    assert A.hardtanh(tensor([-4, 1, 5]), -1.0, 1.0).tolist() == [-1, 1, 1]
    assert A.softsign(tensor([1, -3])).dtype == tg.float32
    assert A.gelu(tensor([1.0], dtype=tg.float16)).dtype == tg.float16


@pytest.mark.parametrize("name", ["gelu", "silu", "elu", "celu", "selu", "softplus", "mish", "hardsigmoid",
                                  "hardswish", "logsigmoid"])
def test_integer_input_rejected_like_pytorch(name):
    with pytest.raises(NotImplementedError, match="coma flotante"):
        getattr(A, name)(tensor([1, 2]))


def test_argument_errors():
    with pytest.raises(RuntimeError, match="approximate"):
        A.gelu(tensor([1.0]), approximate="erf")
    with pytest.raises(RuntimeError, match="par"):
        A.glu(tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="canales"):
        A.prelu(tensor(np.ones((2, 3), np.float32)), tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="min_val"):
        A.hardtanh(tensor([1.0]), 2.0, 1.0)
    with pytest.raises(RuntimeError, match="alpha"):
        A.celu(tensor([1.0]), alpha=0.0)


def test_gelu_float32_same_bits_with_one_or_two_threads():
    """La GELU float32 reparte sus tramos entre los hilos: cada elemento se calcula igual."""
    numba = pytest.importorskip("numba")
    from tinygrad_es.kernels import special
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("hacen falta 2 hilos de numba")
    x = (2 * np.random.default_rng(0).standard_normal(9 * 16384 + 7)).astype(np.float32)
    old = numba.get_num_threads()
    try:
        out = []
        for n in (1, 2):
            numba.set_num_threads(n)
            out.append((special.gelu_f32(x), special.gelu_slope_f32(x)))
    finally:
        numba.set_num_threads(old)
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


def test_gelu_float32_backward_same_bits_with_one_or_two_threads():
    """El backward fusionado g·(Φ + x·φ) también reparte sus elementos: los mismos bits."""
    numba = pytest.importorskip("numba")
    from tinygrad_es.kernels import special
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("hacen falta 2 hilos de numba")
    rng = np.random.default_rng(1)
    x = (3 * rng.standard_normal(5 * 65536 + 3)).astype(np.float32)
    g = rng.standard_normal(x.size).astype(np.float32)
    old = numba.get_num_threads()
    try:
        out = []
        for n in (1, 2):
            numba.set_num_threads(n)
            out.append(special.gelu_backward_f32(g, x))
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(out[0], out[1])


def test_gelu_float32_kernel_error_in_ulps_against_float64():
    """La GELU float32 (todo en float32, e^x propia) frente a x·Φ(x) en float64: pocos ulp de media en
    cada tramo, también en la cola negativa (error relativo, no absoluto como el de PyTorch, que allí
    no acierta ni un dígito); el backward fusionado igual que g·(Φ + x·φ)."""
    scipy_special = pytest.importorskip("scipy.special")
    from tinygrad_es.kernels import special
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(200_000) * s for s in (0.1, 1, 3)]
                       + [rng.uniform(-14, 14, 100_000)]).astype(np.float32)
    g = rng.standard_normal(x.size).astype(np.float32)
    x64 = x.astype(np.float64)
    phi = scipy_special.ndtr(x64)
    pdf = np.exp(-0.5 * x64 * x64) / np.sqrt(2 * np.pi)
    y, dx = special.gelu_f32(x), special.gelu_backward_f32(g, x)

    def ulps(a, ref):
        step = np.maximum(np.spacing(np.abs(ref.astype(np.float32))).astype(np.float64), 2.0 ** -149)
        return np.abs(a.astype(np.float64) - ref) / step

    np.testing.assert_array_equal(special.gelu_slope_f32(x), special.gelu_backward_f32(np.ones_like(x), x))
    for lo, hi, mean in ((-14, -5, 12), (-5, -1, 2), (-1, 1, 1.5), (1, 14, 0.5)):
        m = (x >= lo) & (x < hi)
        assert ulps(y[m], x64[m] * phi[m]).mean() < mean, (lo, hi)
    # la derivada se anula cerca de x = −0,75: allí el ulp relativo no dice nada; fuera, igual de fino
    m = np.abs(x + 0.75) > 0.05
    assert ulps(dx[m], g[m] * (phi[m] + x64[m] * pdf[m])).mean() < 3
    assert np.quantile(ulps(y, x64 * phi), 0.999) < 60


def test_gelu_float32_special_values_as_pytorch():
    """±0, ±inf, NaN y las colas lejanas: los mismos valores y gradientes que ``torch.nn.functional.gelu``."""
    torch = pytest.importorskip("torch")
    v = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -20, 20, -40, 40, 1e-30, -1e-30], np.float32)
    v = np.tile(v, 200)  # > MIN de los núcleos
    t = tensor(v, requires_grad=True)
    y = A.gelu(t)
    y.backward(tensor(np.ones_like(v)))
    tt = torch.tensor(v, requires_grad=True)
    yt = torch.nn.functional.gelu(tt)
    yt.backward(torch.ones_like(yt))
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(np.signbit(y.detach().numpy()[:2]), [False, True])
    np.testing.assert_array_equal(t.grad.numpy(), tt.grad.numpy())


def test_relu_backward_reuses_the_gradient_only_when_nobody_else_sees_it():
    """El backward de ReLU escribe en el ``g`` que le llega si sólo lo tiene el motor (la CNN del curso:
    una activación menos en el pico); con un hook que guarda ``g`` o con ``retain_grad`` sobre un
    ``g`` propio, lo que vieron no cambia. Mismos gradientes en todos los casos."""
    import tinygrad_es.nn.functional as F
    from tinygrad_es.kernels import relu as KR

    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((2, 8, 64, 64)).astype(np.float32)
    w0 = rng.standard_normal((2, 8, 32, 32)).astype(np.float32)
    mask = (x0 * 3 > 0).astype(np.float32)
    gu0 = rng.standard_normal(x0.shape).astype(np.float32)
    gu = tg.tensor(gu0)
    reused = []
    orig = KR.relu_backward

    def spy(g, out, into_g=False):
        r = orig(g, out, into_g)
        reused.append(r is g)
        return r

    def run(case):
        x = tg.tensor(x0, requires_grad=True)
        r = F.relu(x * 3)
        seen = []
        if case == "hook":
            r.register_hook(lambda g: seen.append(g) or None)  # guarda el array mismo
        if case == "retain":
            r.retain_grad()
        if case == "user_grad":  # el gradiente que pasa el usuario llega tal cual: no se toca
            r.backward(gu)
        else:
            (F.max_pool2d(r, 2) * tg.tensor(w0)).sum().backward()
        return x.grad.numpy(), r, seen

    KR.relu_backward = spy
    try:
        run("plain")  # primera llamada: compila
        reused.clear()
        a, _, _ = run("plain")
        b, r, _ = run("retain")  # g es una vista nueva: .grad de r es una copia
        c, _, seen = run("hook")
        d, _, _ = run("user_grad")
    finally:
        KR.relu_backward = orig
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    gr = r.grad.numpy()
    np.testing.assert_array_equal(a, 3 * mask * gr)  # .grad de r no quedó enmascarado
    assert not np.array_equal(gr, gr * mask)
    np.testing.assert_array_equal(seen[0].numpy() if hasattr(seen[0], "numpy") else seen[0], gr)
    np.testing.assert_array_equal(d, 3 * mask * gu0)
    np.testing.assert_array_equal(gu.numpy(), gu0)
    from tinygrad_es.ops import activation as A
    private = A._ENGINE_REFS > 0  # sólo en CPython 3.11 se reutiliza (fuera, siempre una copia)
    assert reused == [private, private, False, False]
