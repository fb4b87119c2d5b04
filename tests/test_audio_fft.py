"""``tinygrad_es.fft``, los tensores complejos y las ventanas: valores frente a numpy/scipy,
gradientes en float64 frente a diferencias centrales y, si está PyTorch, paridad de valores y
gradientes con ``torch.fft``."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import fft as tfft
from tinygrad_es.gradcheck import gradcheck
from strategies import arrays

NORMS = [None, "ortho", "forward"]


def T(a, grad=True):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def realify(z):
    """Salida real para gradcheck: un complejo se ve como (…, 2)."""
    return tg.view_as_real(z) if z.is_complex() else z


# ---- ventanas --------------------------------------------------------------------------------
WINDOWS = {"hann_window": "hann", "hamming_window": "hamming", "blackman_window": "blackman",
           "bartlett_window": "bartlett"}


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("n", [0, 1, 2, 5, 16, 401])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_scipy(name, n, periodic):
    scipy_signal = pytest.importorskip("scipy.signal")
    w = getattr(tg, name)(n, periodic=periodic)
    assert w.dtype == tg.float32 and tuple(w.shape) == (n,)
    ref = scipy_signal.get_window(WINDOWS[name], n, fftbins=periodic) if n > 1 else np.ones(n)
    np.testing.assert_allclose(w.numpy(), ref, atol=1e-7)


@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("beta", [12.0, 5.0, 0.5])
def test_kaiser_matches_scipy(periodic, beta):
    scipy_signal = pytest.importorskip("scipy.signal")
    w = tg.kaiser_window(33, periodic, beta, dtype=tg.float64)
    np.testing.assert_allclose(w.numpy(), scipy_signal.get_window(("kaiser", beta), 33, fftbins=periodic),
                               rtol=1e-12, atol=1e-14)


def test_window_errors_and_options():
    with pytest.raises(RuntimeError, match="≥ 0"):
        tg.hann_window(-1)
    with pytest.raises(RuntimeError, match="coma flotante"):
        tg.hann_window(4, dtype=tg.int64)
    with pytest.raises(TypeError, match="entero"):
        tg.hann_window(2.5)
    w = tg.hamming_window(8, alpha=0.5, beta=0.5, dtype=tg.float64, requires_grad=True)
    np.testing.assert_allclose(w.detach().numpy(), tg.hann_window(8, dtype=tg.float64).numpy())
    assert w.requires_grad and w.dtype == tg.float64


def test_windows_match_torch():
    torch = pytest.importorskip("torch")
    for name in ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]:
        for n in (1, 7, 400):
            for periodic in (True, False):
                ours = getattr(tg, name)(n, periodic).numpy()
                theirs = getattr(torch, name)(n, periodic).numpy()
                np.testing.assert_allclose(ours, theirs, atol=2e-6, err_msg=f"{name}({n}, {periodic})")


# ---- FFT: valores ------------------------------------------------------------------------------
@pytest.mark.parametrize("norm", NORMS)
def test_fft_values_match_numpy(norm):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 10))
    z = x + 1j * rng.standard_normal((3, 10))
    zt = tg.complex(tg.tensor(z.real), tg.tensor(z.imag))
    cases = [
        (tfft.fft(tg.tensor(x), norm=norm), np.fft.fft(x, norm=norm)),
        (tfft.fft(zt, n=7, dim=0, norm=norm), np.fft.fft(z, n=7, axis=0, norm=norm)),
        (tfft.ifft(zt, n=13, norm=norm), np.fft.ifft(z, n=13, norm=norm)),
        (tfft.rfft(tg.tensor(x), n=9, norm=norm), np.fft.rfft(x, n=9, norm=norm)),
        (tfft.irfft(zt, norm=norm), np.fft.irfft(z, norm=norm)),
        (tfft.irfft(zt, n=7, norm=norm), np.fft.irfft(z, n=7, norm=norm)),
        (tfft.hfft(zt, norm=norm), np.fft.hfft(z, norm=norm)),
        (tfft.ihfft(tg.tensor(x), norm=norm), np.fft.ihfft(x, norm=norm)),
        (tfft.fft2(zt, norm=norm), np.fft.fft2(z, norm=norm)),
        (tfft.ifftn(zt, s=(4, 6), norm=norm), np.fft.ifftn(z, s=(4, 6), axes=(0, 1), norm=norm)),
        (tfft.rfftn(tg.tensor(x), norm=norm), np.fft.rfftn(x, norm=norm)),
        (tfft.irfftn(zt, s=(3, 8), norm=norm), np.fft.irfftn(z, s=(3, 8), axes=(0, 1), norm=norm)),
    ]
    for ours, ref in cases:
        assert tuple(ours.shape) == ref.shape
        assert ours.dtype == (tg.complex128 if np.iscomplexobj(ref) else tg.float64)
        np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-10, atol=1e-12)


def test_fft_dtypes_and_freqs():
    x = tg.randn(16)
    assert tfft.rfft(x).dtype == tg.complex64 and tfft.fft(x).dtype == tg.complex64
    assert tfft.irfft(tfft.rfft(x)).dtype == tg.float32
    np.testing.assert_allclose(tfft.irfft(tfft.rfft(x), n=16).numpy(), x.numpy(), atol=1e-6)
    assert tfft.fft(tg.arange(4)).dtype == tg.complex64          # enteros → flotante por defecto
    np.testing.assert_allclose(tfft.fftfreq(5).numpy(), np.fft.fftfreq(5))
    np.testing.assert_allclose(tfft.rfftfreq(8, d=0.1).numpy(), np.fft.rfftfreq(8, 0.1), rtol=1e-6)
    assert tfft.fftfreq(5).dtype == tg.float32
    a = tg.arange(10).reshape(2, 5)
    np.testing.assert_array_equal(tfft.fftshift(a).numpy(), np.fft.fftshift(a.numpy()))
    np.testing.assert_array_equal(tfft.ifftshift(a, dim=1).numpy(), np.fft.ifftshift(a.numpy(), axes=1))


def test_fft_errors():
    with pytest.raises(RuntimeError, match="norm"):
        tfft.fft(tg.randn(4), norm="foo")
    with pytest.raises(RuntimeError, match="n debe ser ≥ 1"):
        tfft.fft(tg.randn(4), n=0)
    with pytest.raises(RuntimeError, match="señal real"):
        tfft.rfft(tfft.fft(tg.randn(4)))
    with pytest.raises(IndexError):
        tfft.fft(tg.randn(4), dim=3)
    with pytest.raises(IndexError):
        tfft.fft(tg.tensor(1.0))
    with pytest.raises(RuntimeError, match="indica n"):
        tfft.irfft(tfft.rfft(tg.randn(1)))


# ---- FFT: gradientes en float64 ----------------------------------------------------------------
@given(data=st.data(), norm=st.sampled_from(NORMS), n=st.sampled_from([None, 3, 4, 7, 8]))
def test_fft_family_gradcheck(data, norm, n):
    L = data.draw(st.integers(1, 6))
    x = data.draw(arrays((2, L)))
    y = data.draw(arrays((2, L)))
    fns = {
        "fft": lambda a: realify(tfft.fft(a, n=n, norm=norm)),
        "rfft": lambda a: realify(tfft.rfft(a, n=n, norm=norm)),
        "ihfft": lambda a: realify(tfft.ihfft(a, n=n, norm=norm)),
        "fft_c": lambda a, b: realify(tfft.fft(tg.complex(a, b), n=n, dim=0, norm=norm)),
        "ifft_c": lambda a, b: realify(tfft.ifft(tg.complex(a, b), n=n, norm=norm)),
        "irfft_c": lambda a, b: tfft.irfft(tg.complex(a, b), n=n, norm=norm),
        "hfft_c": lambda a, b: tfft.hfft(tg.complex(a, b), n=n, norm=norm),
        "irfft_r": lambda a: tfft.irfft(a, n=n, norm=norm),
    }
    for name, f in fns.items():
        if name.startswith(("irfft", "hfft")) and n is None and L == 1:
            continue   # irfft de 1 coeficiente sin n: 0 muestras (error, probado arriba)
        args = [T(x), T(y)] if name.endswith("_c") else [T(x)]
        gradcheck(f, args, atol=1e-6, rtol=1e-5)


@given(data=st.data(), norm=st.sampled_from(NORMS))
def test_fftn_gradcheck(data, norm):
    shape = (data.draw(st.integers(1, 3)), data.draw(st.integers(2, 4)), data.draw(st.integers(2, 5)))
    x, y = data.draw(arrays(shape)), data.draw(arrays(shape))
    gradcheck(lambda a: realify(tfft.rfftn(a, dim=(0, 2), norm=norm)), [T(x)], atol=1e-6, rtol=1e-5)
    gradcheck(lambda a, b: realify(tfft.fftn(tg.complex(a, b), s=(3, 4), dim=(1, 2), norm=norm)),
              [T(x), T(y)], atol=1e-6, rtol=1e-5)
    gradcheck(lambda a, b: tfft.irfftn(tg.complex(a, b), s=(2, 6), dim=(0, 2), norm=norm),
              [T(x), T(y)], atol=1e-6, rtol=1e-5)


def test_fft_parity_with_torch_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 12))
    for name, kw in [("rfft", {}), ("rfft", {"n": 15, "norm": "ortho"}), ("fft", {"n": 9}),
                     ("ihfft", {"norm": "forward"})]:
        a, b = T(x), torch.tensor(x, requires_grad=True)
        ya, yb = getattr(tfft, name)(a, **kw), getattr(torch.fft, name)(b, **kw)
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().resolve_conj().numpy(), atol=1e-12)
        ya.abs().pow(3).sum().backward()
        yb.abs().pow(3).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
    z = rng.standard_normal((4, 5)) + 1j * rng.standard_normal((4, 5))
    for name, kw in [("irfft", {}), ("irfft", {"n": 11}), ("ifft", {"norm": "ortho"}), ("hfft", {"n": 6})]:
        re, im = T(z.real), T(z.imag)
        zb = torch.tensor(z, requires_grad=True)
        ya = getattr(tfft, name)(tg.complex(re, im), **kw)
        yb = getattr(torch.fft, name)(zb, **kw)
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().resolve_conj().numpy(), atol=1e-12)
        w = rng.standard_normal(tuple(yb.shape))
        la = (ya.abs() if ya.is_complex() else ya) * tg.tensor(w)
        lb = (yb.abs() if yb.is_complex() else yb) * torch.tensor(w)
        la.sum().backward()
        lb.sum().backward()
        np.testing.assert_allclose(re.grad.numpy(), zb.grad.real.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(im.grad.numpy(), zb.grad.imag.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
