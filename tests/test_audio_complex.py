"""Tensores complejos: lo que el audio necesita (``abs``, ``angle``, ``real``/``imag``, aritmética con
reales y complejos, ``view_as_real``/``view_as_complex``, ``polar``…) con gradientes en float64
frente a diferencias centrales y frente a PyTorch; lo demás da un error claro."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es.gradcheck import gradcheck
from strategies import arrays, small_shapes


def T(a, grad=True):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def C(a, b):
    return tg.complex(a, b)


def R(z):
    return tg.view_as_real(z) if z.is_complex() else z


def away_from_zero(a, margin=0.1):
    return np.where(np.abs(a) < margin, np.where(a >= 0, margin, -margin) * 2, a)


UNARY = {
    "abs": lambda z: z.abs(),
    "angle": lambda z: z.angle(),
    "real": lambda z: z.real * 1.0,
    "imag": lambda z: z.imag * 1.0,
    "conj": lambda z: R(z.conj()),
    "exp": lambda z: R(z.exp()),
    "pow2": lambda z: R(z.pow(2)),
    "pow_frac": lambda z: R(z ** 1.5),
    "square_abs": lambda z: z.abs().pow(2),
    "sum": lambda z: R(z.sum(0)),
    "mean": lambda z: R(z.mean()),
    "reshape_t": lambda z: R(z.reshape(-1).flip(0)[::2]),
    "neg_div": lambda z: R(-z / 3.0),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_gradcheck(name, data):
    shape = data.draw(small_shapes)
    a = away_from_zero(data.draw(arrays(shape)))   # |z| y el ángulo no son derivables en 0
    b = away_from_zero(data.draw(arrays(shape)))
    if name in ("angle", "pow_frac"):
        a = np.abs(a)   # lejos del corte de la rama en el eje real negativo
    gradcheck(lambda x, y: UNARY[name](C(x, y)), [T(a), T(b)], atol=1e-6, rtol=1e-5)


BINARY = {
    "mul_cc": lambda a, b, c, d: R(C(a, b) * C(c, d)),
    "mul_cr": lambda a, b, c, d: R(C(a, b) * c),
    "mul_rc": lambda a, b, c, d: R(c * C(a, b)),
    "div_cc": lambda a, b, c, d: R(C(a, b) / C(c, d)),
    "div_rc": lambda a, b, c, d: R(c / C(a, b)),
    "div_cr": lambda a, b, c, d: R(C(a, b) / c),
    "add_cr": lambda a, b, c, d: R(C(a, b) + c),
    "sub_rc": lambda a, b, c, d: R(c - C(a, b)),
    "sub_alpha": lambda a, b, c, d: R(C(a, b).sub(C(c, d), alpha=2.5)),
    "polar": lambda a, b, c, d: R(tg.polar(a, c)),
    "view_as_complex": lambda a, b, c, d: R(tg.view_as_complex(tg.stack([a, c], -1)) * C(b, d)),
    "mul_python_complex": lambda a, b, c, d: R((1 - 2j) * C(a, b) * c),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_gradcheck(name, data):
    shape = data.draw(small_shapes)
    a, b, c, d = (away_from_zero(data.draw(arrays(shape))) for _ in range(4))
    gradcheck(lambda *xs: BINARY[name](*xs), [T(a), T(b), T(c), T(d)], atol=1e-6, rtol=1e-5)


def test_grad_at_zero_is_zero_like_torch():
    z = tg.complex(T([0.0, 3.0]), T([0.0, 4.0]))
    re, im = z._ctx.inputs
    (z.abs() + z.angle()).sum().backward()
    np.testing.assert_allclose(re.grad.numpy(), [0.0, 0.6 - 4 / 25])
    np.testing.assert_allclose(im.grad.numpy(), [0.0, 0.8 + 3 / 25])


def test_promotion_like_torch():
    c64 = tg.complex(tg.ones(2), tg.ones(2))
    f64 = tg.ones(2, dtype=tg.float64)
    assert (c64 * f64).dtype == tg.complex128
    assert (c64 * 2.0).dtype == tg.complex64
    assert (tg.ones(2) * 1j).dtype == tg.complex64
    assert (f64 * 1j).dtype == tg.complex128
    assert (tg.arange(2) * 1j).dtype == tg.complex64
    assert (c64 * tg.tensor(2.0, dtype=tg.float64)).dtype == tg.complex64
    assert tg.mul(tg.ones(2), c64).dtype == tg.complex64      # real.mul(complejo)
    np.testing.assert_allclose(tg.add(tg.ones(2), c64).numpy(), [2 + 1j, 2 + 1j])


def test_views_share_memory_and_roundtrip():
    x = tg.randn(3, 4, 2)
    z = tg.view_as_complex(x)
    assert z.shape == (3, 4) and z.dtype == tg.complex64
    np.testing.assert_array_equal(tg.view_as_real(z).numpy(), x.numpy())
    np.testing.assert_array_equal(z.real.numpy(), x.numpy()[..., 0])
    np.testing.assert_array_equal(z.imag.numpy(), x.numpy()[..., 1])
    assert np.shares_memory(z.numpy(), x.numpy())


def test_inplace_division_like_torchaudio_normalized():
    x = tg.randn(16, requires_grad=True)
    S = tg.stft(x, 8, window=tg.hann_window(8), return_complex=True)
    S /= tg.hann_window(8).pow(2.0).sum().sqrt()       # torchaudio.functional.spectrogram hace esto
    S.abs().sum().backward()
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_blocked_operations_raise_clear_errors():
    z = tg.complex(tg.randn(3), tg.randn(3))
    for f in (lambda: z.relu(), lambda: z.max(), lambda: z < z, lambda: z @ z, lambda: tg.exp(z.real) + z.sigmoid(),
              lambda: z.sort(), lambda: float(z[0]), lambda: tg.maximum(z, z)):
        with pytest.raises(RuntimeError, match="complej"):
            f()
    with pytest.raises(RuntimeError, match="real"):
        tg.randn(3).imag
    with pytest.raises(RuntimeError, match="complex64"):
        z.requires_grad_().sum().backward()
    with pytest.raises(RuntimeError, match="último eje"):
        tg.view_as_complex(tg.randn(3, 3))
    with pytest.raises(RuntimeError, match="sólo vale para tensores complejos"):
        tg.view_as_real(tg.randn(3))
    with pytest.raises(RuntimeError, match="mismo dtype"):
        tg.complex(tg.randn(2), tg.randn(2, dtype=tg.float64))


def test_conversions():
    z = tg.complex(tg.tensor([1.0, -2.0]), tg.tensor([0.5, 3.0]))
    assert z.to(tg.complex128).dtype == tg.complex128
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = z.to(tg.float32)
    assert r.dtype == tg.float32 and any("imaginaria" in str(i.message) for i in w)
    np.testing.assert_array_equal(r.numpy(), [1.0, -2.0])
    assert complex(z[1]) == -2 + 3j
    assert repr(z) == "tensor([ 1.+0.5000j, -2.+3.0000j])"  # el repr de PyTorch (complex64: sin dtype)
    assert "complex128" in repr(z.to(tg.complex128))
    assert tg.is_complex(z) and not tg.is_complex(tg.ones(1)) and tg.complex64.is_complex
    np.testing.assert_array_equal(tg.angle(tg.tensor([-1.0, 0.0, 2.0])).numpy(), np.float32([np.pi, 0, 0]))
    assert tg.ones(2).conj() is not None and tg.ones(2).real.shape == (2,)
    c = tg.zeros(3, dtype=tg.complex64)
    assert c.dtype == tg.complex64 and c.is_complex()


def test_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal((3, 4)) for _ in range(3))
    ours = [T(a), T(b), T(c)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b, c)]

    def program(lib, x, y, w):
        z = lib.complex(x, y)
        u = z * z.conj().exp() / (w + 3.0) + (2 - 1j) * z.pow(3)
        return (u.abs() ** 1.5 + u.angle() * w + lib.view_as_real(u).sum(-1)).sum()

    program(tg, *ours).backward()
    program(torch, *theirs).backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-10)
