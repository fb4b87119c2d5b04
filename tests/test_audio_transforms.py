"""``tinygrad_es.audio.transforms``/``functional`` frente a referencias escritas aparte
(``audio_reference.py``, numpy) y, si está instalado, librosa; gradientes en float64 frente a
diferencias centrales; semántica de lotes y de SpecAugment como torchaudio."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygrad_es as tg
import tinygrad_es.audio.functional as AF
import tinygrad_es.audio.transforms as T
from tinygrad_es.gradcheck import gradcheck
import audio_reference as R

SR = 8000


def chirp(n=2000, sr=SR, batch=()):
    t = np.arange(n) / sr
    x = 0.5 * np.sin(2 * np.pi * (200 + 1500 * t) * t) + 0.05 * np.random.default_rng(0).standard_normal(n)
    return np.broadcast_to(x, batch + (n,)).copy()


def T64(a):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# ---- valores ----------------------------------------------------------------------------------
@pytest.mark.parametrize("power,normalized", [(2.0, False), (1.0, False), (2.0, True), (2.0, "frame_length")])
def test_spectrogram_matches_reference(power, normalized):
    x = chirp(1200, batch=(2, 1))
    ours = T.Spectrogram(n_fft=256, hop_length=64, power=power, normalized=normalized)(tg.tensor(x, dtype=tg.float32))
    S = R.stft(x, 256, 64, 256, R.hann(256), normalized=normalized == "frame_length")
    if normalized is True:
        S = S / np.sqrt((R.hann(256) ** 2).sum())
    ref = np.abs(S) ** power
    assert tuple(ours.shape) == (2, 1, 129, 1 + 1200 // 64) and ours.dtype == tg.float32
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-4, atol=1e-5 * ref.max())


def test_spectrogram_complex_and_pad():
    x = chirp(500)
    S = T.Spectrogram(n_fft=64, win_length=48, hop_length=16, pad=7, power=None)(tg.tensor(x))
    assert S.dtype == tg.complex128     # la señal es float64
    ref = R.stft(np.pad(x, 7), 64, 16, 48, R.hann(48))
    np.testing.assert_allclose(S.numpy(), ref, atol=1e-4)


@pytest.mark.parametrize("scale,norm", [("htk", None), ("slaney", "slaney"), ("htk", "slaney"), ("slaney", None)])
def test_melscale_fbanks_matches_reference(scale, norm):
    fb = AF.melscale_fbanks(201, 20.0, 7600.0, 40, 16000, norm=norm, mel_scale=scale)
    assert tuple(fb.shape) == (201, 40) and fb.dtype == tg.float32
    np.testing.assert_allclose(fb.numpy(), R.mel_fbanks(201, 20.0, 7600.0, 40, 16000, norm, scale), atol=1e-6,
                               rtol=1e-5)


@pytest.mark.parametrize("scale,norm", [("htk", None), ("slaney", "slaney")])
def test_melscale_fbanks_match_librosa(scale, norm):
    librosa = pytest.importorskip("librosa")
    fb = AF.melscale_fbanks(257, 0.0, 8000.0, 64, 16000, norm=norm, mel_scale=scale)
    ref = librosa.filters.mel(sr=16000, n_fft=512, n_mels=64, fmin=0.0, fmax=8000.0, htk=scale == "htk", norm=norm)
    np.testing.assert_allclose(fb.numpy(), ref.T, atol=1e-6, rtol=1e-4)


def test_melscale_warns_empty_filters_and_errors():
    with pytest.warns(UserWarning, match="ceros"):
        AF.melscale_fbanks(10, 0.0, 4000.0, 64, 8000)
    with pytest.raises(ValueError, match="mel_scale"):
        AF.melscale_fbanks(10, 0.0, 4000.0, 4, 8000, mel_scale="bark")
    with pytest.raises(ValueError, match="f_min"):
        T.MelScale(sample_rate=8000, f_min=5000.0)


@pytest.mark.parametrize("scale,norm", [("htk", None), ("slaney", "slaney")])
def test_melspectrogram_matches_reference_and_librosa(scale, norm):
    x = chirp(batch=(2,))
    ours = T.MelSpectrogram(SR, n_fft=256, hop_length=80, n_mels=40, f_min=50.0, f_max=3800.0, norm=norm,
                            mel_scale=scale)(tg.tensor(x, dtype=tg.float32))
    P = np.abs(R.stft(x, 256, 80, 256, R.hann(256))) ** 2
    ref = np.einsum("fm,bft->bmt", R.mel_fbanks(129, 50.0, 3800.0, 40, SR, norm, scale), P)
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-4, atol=1e-5 * ref.max())
    librosa = pytest.importorskip("librosa")
    lib = librosa.feature.melspectrogram(y=x[0], sr=SR, n_fft=256, hop_length=80, n_mels=40, fmin=50.0, fmax=3800.0,
                                         htk=scale == "htk", norm=norm, center=True, pad_mode="reflect", power=2.0)
    np.testing.assert_allclose(ours.numpy()[0], lib, rtol=1e-4, atol=1e-5 * lib.max())


def test_amplitude_to_db_matches_reference_and_top_db_per_example():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (3, 2, 5, 7)) ** 8
    x[0, 0, 0, 0] = 0.0
    ours = T.AmplitudeToDB()(tg.tensor(x))
    np.testing.assert_allclose(ours.numpy(), 10 * np.log10(np.maximum(x, 1e-10)), rtol=1e-10)
    mag = T.AmplitudeToDB("magnitude", top_db=30.0)(tg.tensor(x))
    for b in range(3):   # el recorte es por ejemplo del lote (4 dimensiones)
        np.testing.assert_allclose(mag.numpy()[b], R.power_to_db(x[b], top_db=30.0, multiplier=20.0), rtol=1e-10)
    three = T.AmplitudeToDB(top_db=20.0)(tg.tensor(x[0]))   # 3 dimensiones: un solo recorte
    np.testing.assert_allclose(three.numpy(), R.power_to_db(x[0], top_db=20.0), rtol=1e-10)
    librosa = pytest.importorskip("librosa")
    np.testing.assert_allclose(three.numpy(), librosa.power_to_db(x[0], ref=1.0, amin=1e-10, top_db=20.0), rtol=1e-6)
    with pytest.raises(ValueError, match="top_db"):
        T.AmplitudeToDB(top_db=-1)


def test_mfcc_matches_reference():
    x = chirp(batch=(2,))
    mk = dict(n_fft=256, hop_length=80, n_mels=32)
    ours = T.MFCC(SR, n_mfcc=13, melkwargs=mk)(tg.tensor(x, dtype=tg.float32))
    P = np.abs(R.stft(x, 256, 80, 256, R.hann(256))) ** 2
    mel = np.einsum("fm,bft->bmt", R.mel_fbanks(129, 0.0, 4000.0, 32, SR), P)
    db = np.stack([R.power_to_db(m, top_db=80.0) for m in mel])
    ref = R.dct2_ortho(db, 13)
    assert tuple(ours.shape) == (2, 13, ref.shape[-1])
    np.testing.assert_allclose(ours.numpy(), ref, atol=2e-3)
    logm = T.MFCC(SR, n_mfcc=13, log_mels=True, melkwargs=mk)(tg.tensor(x, dtype=tg.float32))
    np.testing.assert_allclose(logm.numpy(), R.dct2_ortho(np.log(mel + 1e-6), 13), atol=2e-4)
    with pytest.raises(ValueError, match="n_mfcc"):
        T.MFCC(SR, n_mfcc=50, melkwargs=mk)


def test_create_dct_matches_scipy():
    fft = pytest.importorskip("scipy.fft")
    X = np.random.default_rng(2).standard_normal((20, 6))
    np.testing.assert_allclose(X.T @ AF.create_dct(8, 20, "ortho").numpy().astype(np.float64),
                               fft.dct(X, type=2, norm="ortho", axis=0)[:8].T, atol=1e-5)
    np.testing.assert_allclose(X.T @ AF.create_dct(8, 20, None).numpy().astype(np.float64),
                               fft.dct(X, type=2, axis=0)[:8].T, atol=1e-4)


@pytest.mark.parametrize("orig,new", [(8000, 16000), (16000, 8000), (44100, 16000), (8000, 11025)])
def test_resample_matches_direct_sum(orig, new):
    x = chirp(700, sr=orig, batch=(2,))
    ours = T.Resample(orig, new)(tg.tensor(x, dtype=tg.float32))
    ref = R.resample(x, orig, new)
    assert tuple(ours.shape) == ref.shape
    np.testing.assert_allclose(ours.numpy(), ref, atol=2e-5)
    np.testing.assert_allclose(AF.resample(tg.tensor(x), orig, new).numpy(), ref, atol=1e-10)


def test_resample_keeps_a_sine():
    t_in = np.arange(4000) / 8000
    y = AF.resample(tg.tensor(np.sin(2 * np.pi * 440 * t_in)), 8000, 16000).numpy()
    t_out = np.arange(len(y)) / 16000
    np.testing.assert_allclose(y[200:-200], np.sin(2 * np.pi * 440 * t_out)[200:-200], atol=2e-3)
    k = T.Resample(8000, 16000, resampling_method="sinc_interp_kaiser", beta=8.0)(tg.tensor(np.sin(2 * np.pi * 440 * t_in)))
    np.testing.assert_allclose(k.numpy()[200:-200], np.sin(2 * np.pi * 440 * t_out)[200:-200], atol=5e-3)
    with pytest.raises(ValueError, match="enteras"):
        AF.resample(tg.randn(100), 44100, 5512.5)


def test_batched_transforms_equal_per_example():
    x = tg.tensor(chirp(1200, batch=(2, 3)), dtype=tg.float32)
    for tr in (T.MelSpectrogram(SR, n_fft=128, n_mels=20), T.MFCC(SR, n_mfcc=10, melkwargs=dict(n_fft=128, n_mels=20)),
               T.Resample(SR, 16000), T.Spectrogram(64, power=None)):
        full = tr(x)
        for i in range(2):
            for j in range(3):
                np.testing.assert_allclose(full[i, j].numpy(), tr(x[i, j]).numpy(), rtol=1e-5, atol=1e-5)


# ---- SpecAugment -------------------------------------------------------------------------------
def _masked_band(m, axis):
    """Índices enmascarados (todo el corte a 0) a lo largo de ``axis`` de un 2D."""
    zero = np.all(m == 0, axis=1 - axis)
    return np.flatnonzero(zero)


def test_masking_shapes_values_and_iid():
    tg.manual_seed(0)
    x = tg.ones(4, 1, 30, 50)
    fm = T.FrequencyMasking(freq_mask_param=10)(x).numpy()
    bands = [_masked_band(fm[b, 0], 0) for b in range(4)]
    assert all((bb == bands[0]).all() for bb in bands)     # sin iid: la misma máscara en todo el lote
    tg.manual_seed(1)
    seen = set()
    for _ in range(20):
        m = T.TimeMasking(time_mask_param=12, iid_masks=True)(x).numpy()
        for b in range(4):
            cols = _masked_band(m[b, 0], 1)
            assert len(cols) < 12 and (len(cols) == 0 or (np.diff(cols) == 1).all())   # contiguas, menos de 12
            assert np.all(m[b, 0][:, cols] == 0) and np.all(np.delete(m[b, 0], cols, axis=1) == 1)
            seen.add(tuple(cols))
    assert len(seen) > 10                                     # máscaras distintas por ejemplo y por llamada
    m = T.TimeMasking(40, p=0.1)(x).numpy()                   # p: como mucho el 10 % de las 50 tramas
    assert len(_masked_band(m[0, 0], 1)) < 5
    v = T.FrequencyMasking(8)(x, mask_value=-3.0).numpy()
    assert set(np.unique(v)) <= {1.0, -3.0}


def test_masking_gradient_and_errors():
    x = tg.randn(2, 16, 20, requires_grad=True)
    tg.manual_seed(3)
    y = T.TimeMasking(10, iid_masks=True)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (y.detach().numpy() != 0).astype(np.float32))
    with pytest.raises(ValueError, match="p"):
        T.TimeMasking(5, p=1.5)
    with pytest.raises(ValueError, match="al menos 3"):
        AF.mask_along_axis_iid(tg.randn(5, 5), 3, 0.0, 1)
    with pytest.raises(ValueError, match="eje"):
        AF.mask_along_axis(tg.randn(5, 5, 5), 3, 0.0, 0)


def test_specaugment_uses_mean_and_counts():
    tg.manual_seed(4)
    x = tg.rand(3, 1, 20, 40) + 1.0
    y = T.SpecAugment(n_time_masks=2, time_mask_param=8, n_freq_masks=2, freq_mask_param=5)(x)
    changed = y.numpy() != x.numpy()
    assert changed.any()
    np.testing.assert_allclose(np.unique(y.numpy()[changed]), [float(x.mean())], rtol=1e-6)
    z = T.SpecAugment(1, 8, 1, 5, zero_masking=True)(x)
    assert (z.numpy()[z.numpy() != x.numpy()] == 0).all()


def test_time_warp_moves_a_point_and_keeps_ends():
    x = tg.tensor(np.tile(np.arange(40, dtype=np.float32), (3, 1)))
    tg.manual_seed(5)
    y = T.TimeWarp(W=6)(x).numpy()
    assert y.shape == (3, 40)
    assert y[0, 0] == 0 and y[0, -1] == 39 and (np.diff(y[0]) > 0).all()   # monótona, extremos fijos
    assert not np.allclose(y[0], x.numpy()[0])
    np.testing.assert_array_equal(T.TimeWarp(W=30)(x).numpy(), x.numpy())  # T ≤ 2W: nada


def test_time_stretch_matches_librosa_phase_vocoder():
    librosa = pytest.importorskip("librosa")
    x = chirp(2000)
    S = T.Spectrogram(n_fft=256, hop_length=64, power=None)(tg.tensor(x))
    for rate in (1.3, 0.8):
        ours = T.TimeStretch(hop_length=64, n_freq=129)(S, rate)
        assert tuple(ours.shape) == (129, math.ceil(S.shape[-1] / rate)) and ours.is_complex()
        ref = librosa.phase_vocoder(S.numpy().astype(np.complex128), rate=rate, hop_length=64)
        np.testing.assert_allclose(np.abs(ours.numpy()), np.abs(ref), rtol=1e-3, atol=1e-3 * np.abs(ref).max())
    assert T.TimeStretch(fixed_rate=1.0, n_freq=129)(S) is S
    with pytest.raises(ValueError, match="velocidad"):
        T.TimeStretch(n_freq=129)(S)


def test_vol_fade_and_deltas():
    x = tg.tensor([[0.1, -0.5, 0.9, 0.3]])
    np.testing.assert_allclose(T.Vol(2.0)(x).numpy(), [[0.2, -1.0, 1.0, 0.6]])
    np.testing.assert_allclose(T.Vol(6.0, "db")(x).numpy(), np.clip(x.numpy() * 10 ** 0.3, -1, 1), rtol=1e-6)
    np.testing.assert_allclose(T.Vol(4.0, "power")(x).numpy(), np.clip(x.numpy() * 2, -1, 1), rtol=1e-6)
    ones = tg.ones(1, 10)
    np.testing.assert_allclose(T.Fade(4, 3)(ones).numpy()[0],
                               np.r_[np.linspace(0, 1, 4), np.ones(3), np.linspace(1, 0, 3)], atol=1e-7)
    for shape in ("exponential", "logarithmic", "quarter_sine", "half_sine"):
        f = T.Fade(5, 5, shape)(ones).numpy()[0]
        assert f[0] <= 1e-6 + (shape == "logarithmic") and abs(f[-1]) < 1e-6 and np.all((0 <= f) & (f <= 1))
    c = tg.tensor(np.arange(12.0).reshape(1, 2, 6) ** 2)
    d = AF.compute_deltas(c, win_length=5).numpy()
    p = np.pad(c.numpy(), ((0, 0), (0, 0), (2, 2)), mode="edge")
    ref = sum(n * (p[..., 2 + n:8 + n] - p[..., 2 - n:8 - n]) for n in (1, 2)) / 10
    np.testing.assert_allclose(d, ref)


def test_transforms_are_modules_with_buffers():
    m = T.MelSpectrogram(SR, n_fft=128, n_mels=16)
    assert set(m.state_dict()) == {"spectrogram.window", "mel_scale.fb"}
    assert isinstance(m, tg.nn.Module) and isinstance(T.MFCC(SR, 10, melkwargs=dict(n_fft=128, n_mels=16)), tg.nn.Module)
    assert m.double().mel_scale.fb.dtype == tg.float64
    assert "mask_param=7" in repr(T.TimeMasking(7))


# ---- gradientes float64 ------------------------------------------------------------------------
GRAD = {
    "spectrogram_power2": lambda: T.Spectrogram(n_fft=8, hop_length=3),
    "spectrogram_power1_normalized": lambda: T.Spectrogram(n_fft=8, hop_length=2, power=1.0, normalized=True),
    "spectrogram_frame_length": lambda: T.Spectrogram(n_fft=6, win_length=5, normalized="frame_length", pad=2),
    "melspectrogram_htk": lambda: T.MelSpectrogram(SR, n_fft=16, hop_length=4, n_mels=4, f_min=300.0),
    "melspectrogram_slaney": lambda: T.MelSpectrogram(SR, n_fft=16, hop_length=5, n_mels=5, norm="slaney",
                                                      mel_scale="slaney"),
    "mfcc": lambda: T.MFCC(SR, n_mfcc=3, log_mels=True, melkwargs=dict(n_fft=16, hop_length=4, n_mels=4)),
    "resample": lambda: T.Resample(8, 12),
    "time_stretch": lambda: _stretch(),
}


def _stretch():
    spec, st_ = T.Spectrogram(n_fft=8, hop_length=2, power=None), T.TimeStretch(hop_length=2, n_freq=5)

    def f(x):
        return st_(spec(x), 1.4).abs()
    return f


@pytest.mark.parametrize("name", sorted(GRAD))
@settings(max_examples=8)
@given(data=st.data())
def test_transform_gradcheck(name, data):
    L = data.draw(st.integers(20, 40))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    x = rng.standard_normal((2, L))
    tr = GRAD[name]()
    if isinstance(tr, tg.nn.Module):
        tr = tr.double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck(lambda a: tr(a), [T64(x)], atol=1e-6, rtol=1e-5)


@settings(max_examples=10)
@given(data=st.data())
def test_amplitude_to_db_gradcheck(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    x = rng.uniform(0.01, 2.0, (2, 2, 3, 4))
    stype = data.draw(st.sampled_from(["power", "magnitude"]))
    top = data.draw(st.sampled_from([None, 6.0]))
    gradcheck(lambda a: T.AmplitudeToDB(stype, top_db=top)(a), [T64(x)], atol=1e-6, rtol=1e-5)
    gradcheck(lambda a: T.AmplitudeToDB()(T.MelSpectrogram(SR, n_fft=16, hop_length=4, n_mels=4).double()(a)),
              [T64(rng.standard_normal(24))], atol=1e-5, rtol=1e-4)


def test_time_warp_and_masking_gradcheck():
    rng = np.random.default_rng(7)
    tg.manual_seed(11)
    state = tg.initial_seed()
    x = rng.standard_normal((2, 5, 30))

    def f(a):
        tg.manual_seed(state)   # la misma deformación en cada evaluación
        return AF.time_warp(a, 5)
    gradcheck(f, [T64(x)], atol=1e-6, rtol=1e-5)
