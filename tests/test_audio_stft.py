"""``torch.stft``/``istft``: frente a una STFT escrita aparte con numpy (tramas a mano, ``np.pad``,
``np.fft``), gradientes en float64 frente a diferencias centrales (señal y ventana) y, si está
PyTorch, paridad de valores y gradientes con todos los argumentos."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es.gradcheck import gradcheck
import audio_reference as R

reference_stft = R.stft


CONFIGS = [
    dict(n_fft=16, hop_length=4),
    dict(n_fft=16, hop_length=5, win_length=10, center=False),
    dict(n_fft=12, hop_length=3, pad_mode="constant", normalized=True),
    dict(n_fft=9, hop_length=2, pad_mode="replicate", onesided=False),
    dict(n_fft=8, hop_length=8, pad_mode="circular", win_length=5),
    dict(n_fft=32),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
@pytest.mark.parametrize("use_window", [True, False])
def test_stft_matches_reference(cfg, use_window):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 70))
    win = cfg.get("win_length", cfg["n_fft"])
    window = np.hanning(win + 2)[1:-1] if use_window else None
    ours = tg.stft(tg.tensor(x, dtype=tg.float32), window=None if window is None else tg.tensor(window, dtype=tg.float32),
                   return_complex=True, **cfg)
    ref = reference_stft(x, cfg["n_fft"], cfg.get("hop_length", cfg["n_fft"] // 4), win, window,
                         cfg.get("center", True), cfg.get("pad_mode", "reflect"), cfg.get("normalized", False),
                         cfg.get("onesided", True))
    assert ours.dtype == tg.complex64 and tuple(ours.shape) == ref.shape
    np.testing.assert_allclose(ours.numpy(), ref, atol=2e-5 * np.abs(ref).max())
    one = tg.stft(tg.tensor(x[1]), window=None if window is None else tg.tensor(window),
                  return_complex=True, **cfg)           # sin lote: (F, T)
    np.testing.assert_allclose(one.numpy(), ref[1], atol=1e-10 * np.abs(ref).max())


def test_stft_return_complex_false_and_float64():
    x = tg.randn(2, 50, dtype=tg.float64)
    with pytest.warns(UserWarning, match="return_complex=False"):
        r = tg.stft(x, 8, window=tg.hann_window(8, dtype=tg.float64), return_complex=False)
    c = tg.stft(x, 8, window=tg.hann_window(8, dtype=tg.float64), return_complex=True)
    assert r.dtype == tg.float64 and tuple(r.shape) == tuple(c.shape) + (2,) and c.dtype == tg.complex128
    np.testing.assert_array_equal(r.numpy(), tg.view_as_real(c).numpy())
    assert tg.stft(x.float(), 8, window=tg.hann_window(8, dtype=tg.float64), return_complex=True).dtype == tg.complex128
    z = tg.stft(tg.complex(x, x), 8, window=tg.hann_window(8, dtype=tg.float64))   # entrada compleja
    assert z.shape[-2] == 8 and z.dtype == tg.complex128


@pytest.mark.parametrize("call,pattern", [
    (lambda x: tg.stft(x, 16), "return_complex"),
    (lambda x: tg.stft(x, 0, return_complex=True), "n_fft"),
    (lambda x: tg.stft(x, 300, center=False, return_complex=True), "n_fft"),
    (lambda x: tg.stft(x, 300, return_complex=True), "reflect"),
    (lambda x: tg.stft(x, 16, hop_length=0, return_complex=True), "hop_length"),
    (lambda x: tg.stft(x, 16, win_length=20, return_complex=True), "win_length"),
    (lambda x: tg.stft(x, 16, window=tg.ones(10), return_complex=True), "ventana"),
    (lambda x: tg.stft(x.reshape(2, 5, 10), 4, return_complex=True), "2D"),
    (lambda x: tg.stft(tg.arange(100), 16, return_complex=True), "coma flotante"),
    (lambda x: tg.stft(x.to(tg.complex64), 16, onesided=True), "onesided"),
])
def test_stft_errors(call, pattern):
    with pytest.raises(RuntimeError, match=pattern):
        call(tg.randn(100))


def test_stft_bad_pad_mode_and_types():
    with pytest.raises(NotImplementedError, match="pad_mode"):
        tg.stft(tg.randn(100), 16, pad_mode="foo", return_complex=True)
    with pytest.raises(TypeError, match="entero"):
        tg.stft(tg.randn(100), 16.0, return_complex=True)


@given(n_fft=st.integers(2, 8), data=st.data())
def test_stft_gradcheck(n_fft, data):
    hop = data.draw(st.integers(1, n_fft))
    win = data.draw(st.integers(1, n_fft))
    center = data.draw(st.booleans())
    mode = data.draw(st.sampled_from(["reflect", "constant", "replicate", "circular"]))
    normalized, onesided = data.draw(st.booleans()), data.draw(st.booleans())
    L = data.draw(st.integers(max(n_fft, n_fft // 2 + 1), 14))
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    x = tg.tensor(rng.standard_normal((2, L)), requires_grad=True)
    w = tg.tensor(rng.uniform(0.2, 1, win), requires_grad=True)

    def f(x, w):
        S = tg.stft(x, n_fft, hop_length=hop, win_length=win, window=w, center=center, pad_mode=mode,
                    normalized=normalized, onesided=onesided, return_complex=True)
        return tg.view_as_real(S)

    gradcheck(f, [x, w], atol=1e-6, rtol=1e-5)
    gradcheck(lambda x: tg.stft(x, n_fft, hop_length=hop, win_length=win, window=w.detach(), center=center,
                                pad_mode=mode, return_complex=True).abs().pow(2), [x], atol=1e-6, rtol=1e-5)


# ---- istft -------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_fft,hop,win,center", [(16, 4, 16, True), (15, 5, 12, True), (32, 8, 32, False),
                                                  (8, 2, 6, True)])
def test_istft_inverts_stft(n_fft, hop, win, center):
    x = tg.randn(2, 97, dtype=tg.float64)
    w = tg.hann_window(win, dtype=tg.float64) if center else tg.hann_window(win, dtype=tg.float64) + 0.1
    S = tg.stft(x, n_fft, hop, win, w, center=center, return_complex=True)
    y = tg.istft(S, n_fft, hop, win, w, center=center, length=97 if center else None)
    n = y.shape[-1]
    np.testing.assert_allclose(y.numpy(), x.numpy()[:, :n], atol=1e-12)
    y1 = tg.istft(S[0], n_fft, hop, win, w, center=center, length=50)
    np.testing.assert_allclose(y1.numpy(), x.numpy()[0, :50], atol=1e-12)


def test_istft_onesided_false_normalized_and_padding():
    x = tg.randn(80, dtype=tg.float64)
    w = tg.hann_window(16, dtype=tg.float64)
    S = tg.stft(x, 16, window=w, onesided=False, normalized=True, return_complex=True)
    np.testing.assert_allclose(tg.istft(S, 16, window=w, normalized=True, length=80).numpy(), x.numpy(), atol=1e-12)
    with pytest.warns(UserWarning, match="length"):
        y = tg.istft(S, 16, window=w, normalized=True, length=120)
    assert y.shape == (120,) and np.all(y.numpy()[100:] == 0)


def test_istft_errors():
    S = tg.stft(tg.randn(2, 100), 16, window=tg.hann_window(16), return_complex=True)
    w = tg.hann_window(16)
    with pytest.raises(RuntimeError, match="complejo"):
        tg.istft(tg.view_as_real(S), 16, window=w)
    with pytest.raises(RuntimeError, match="n_fft//2"):
        tg.istft(S, 32, window=tg.hann_window(32))
    with pytest.raises(RuntimeError, match="hop_length"):
        tg.istft(S, 16, hop_length=20, window=w)
    with pytest.raises(RuntimeError, match="NOLA"):
        tg.istft(S, 16, window=w, center=False)
    with pytest.raises(RuntimeError, match="onesided"):
        tg.istft(S, 16, window=w, return_complex=True)
    with pytest.raises(RuntimeError, match="forma"):
        tg.istft(S[None, None], 16, window=w)
    with pytest.warns(UserWarning, match="ventana"):
        tg.istft(S, 16)


@given(n_fft=st.integers(3, 8), data=st.data())
def test_istft_gradcheck(n_fft, data):
    hop = data.draw(st.integers(1, n_fft // 2 + 1))
    T = data.draw(st.integers(2, 5))
    F = n_fft // 2 + 1
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    re = tg.tensor(rng.standard_normal((F, T)), requires_grad=True)
    im = tg.tensor(rng.standard_normal((F, T)), requires_grad=True)
    w = tg.tensor(rng.uniform(0.5, 1.0, n_fft), requires_grad=True)
    normalized = data.draw(st.booleans())
    gradcheck(lambda a, b, w: tg.istft(tg.complex(a, b), n_fft, hop, window=w, normalized=normalized),
              [re, im, w], atol=1e-6, rtol=1e-5)


# ---- paridad con PyTorch -----------------------------------------------------------------------
def test_stft_istft_parity_with_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 200))
    for cfg in CONFIGS:
        win = cfg.get("win_length", cfg["n_fft"])
        wnp = np.hanning(win + 2)[1:-1]
        a, wa = tg.tensor(x, requires_grad=True), tg.tensor(wnp, requires_grad=True)
        b, wb = torch.tensor(x, requires_grad=True), torch.tensor(wnp, requires_grad=True)
        Sa = tg.stft(a, window=wa, return_complex=True, **cfg)
        Sb = torch.stft(b, window=wb, return_complex=True, **cfg)
        np.testing.assert_allclose(Sa.detach().numpy(), Sb.detach().numpy(), atol=1e-11, err_msg=str(cfg))
        (Sa.abs() ** 1.5).sum().backward()
        (Sb.abs() ** 1.5).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=str(cfg))
        np.testing.assert_allclose(wa.grad.numpy(), wb.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=str(cfg))
    # istft: valores y gradientes respecto del espectrograma
    w = np.hanning(18)[1:-1]
    S = torch.stft(torch.tensor(x), 16, 4, window=torch.tensor(w), return_complex=True)
    re, im = tg.tensor(S.real.numpy(), requires_grad=True), tg.tensor(S.imag.numpy(), requires_grad=True)
    Sb = S.clone().requires_grad_(True)
    ya = tg.istft(tg.complex(re, im), 16, 4, window=tg.tensor(w), length=190)
    yb = torch.istft(Sb, 16, 4, window=torch.tensor(w), length=190)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), atol=1e-12)
    g = rng.standard_normal((2, 190))
    (ya * tg.tensor(g)).sum().backward()
    (yb * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(re.grad.numpy(), Sb.grad.real.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(im.grad.numpy(), Sb.grad.imag.numpy(), rtol=1e-8, atol=1e-12)


def test_stft_float32_parity_with_torch_default_call():
    """La llamada de un estudiante: ``torch.stft(x, n_fft, return_complex=True).abs()``."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).standard_normal(8000).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = tg.stft(tg.tensor(x), 256, return_complex=True).abs()
        theirs = torch.stft(torch.tensor(x), 256, return_complex=True).abs()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-4, atol=1e-4)
