"""Referencias de audio escritas aparte, con numpy y bucles explícitos (como ``conv_reference.py``):
la STFT trama a trama, el banco de filtros mel filtro a filtro, la DCT-II por su definición y el
remuestreo sinc como una suma directa por muestra de salida. No comparten código con el paquete."""
import math

import numpy as np

NP_PAD = {"reflect": "reflect", "constant": "constant", "replicate": "edge", "circular": "wrap"}


def stft(x, n_fft, hop, win, window, center=True, pad_mode="reflect", normalized=False, onesided=True):
    """La STFT de los libros: para cada trama, Σₙ x[t·hop + n]·w[n]·e^{−2πikn/N}."""
    x = np.asarray(x, dtype=np.float64)
    if center:
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(n_fft // 2, n_fft // 2)], mode=NP_PAD[pad_mode])
    w = np.ones(win) if window is None else np.asarray(window, dtype=np.float64)
    left = (n_fft - win) // 2
    w = np.concatenate([np.zeros(left), w, np.zeros(n_fft - win - left)])
    T = 1 + (x.shape[-1] - n_fft) // hop
    k = np.arange(n_fft)
    dft = np.exp(-2j * np.pi * np.outer(k, k) / n_fft)
    S = np.stack([(x[..., t * hop:t * hop + n_fft] * w) @ dft.T for t in range(T)], axis=-1)
    if onesided:
        S = S[..., :n_fft // 2 + 1, :]
    return S / np.sqrt(n_fft) if normalized else S


def hann(n):
    """Ventana de Hann periódica (la de torch.hann_window)."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def hz_to_mel(f, scale):
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f = np.asarray(f, dtype=np.float64)
    return np.where(f < 1000.0, 3.0 * f / 200.0, 15.0 + 27.0 * np.log(np.maximum(f, 1e-12) / 1000.0) / np.log(6.4))


def mel_to_hz(m, scale):
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    m = np.asarray(m, dtype=np.float64)
    return np.where(m < 15.0, 200.0 * m / 3.0, 1000.0 * np.exp((m - 15.0) * np.log(6.4) / 27.0))


def mel_fbanks(n_freqs, f_min, f_max, n_mels, sr, norm=None, scale="htk"):
    """(n_freqs, n_mels): triángulos con vértices equiespaciados en mel, filtro a filtro."""
    freqs = np.linspace(0, sr // 2, n_freqs)
    pts = mel_to_hz(np.linspace(hz_to_mel(f_min, scale), hz_to_mel(f_max, scale), n_mels + 2), scale)
    fb = np.zeros((n_freqs, n_mels))
    for m in range(n_mels):
        lo, c, hi = pts[m], pts[m + 1], pts[m + 2]
        for i, f in enumerate(freqs):
            if lo <= f <= c and c > lo:
                fb[i, m] = (f - lo) / (c - lo)
            elif c <= f <= hi and hi > c:
                fb[i, m] = (hi - f) / (hi - c)
        if norm == "slaney":
            fb[:, m] *= 2.0 / (hi - lo)
    return fb


def power_to_db(S, amin=1e-10, top_db=None, multiplier=10.0):
    db = multiplier * np.log10(np.maximum(S, amin))
    return np.maximum(db, db.max() - top_db) if top_db is not None else db


def dct2_ortho(X, n_out):
    """DCT-II ortonormal a lo largo del penúltimo eje (la de scipy con norm='ortho')."""
    N = X.shape[-2]
    out = np.zeros(X.shape[:-2] + (n_out, X.shape[-1]))
    for k in range(n_out):
        c = np.cos(np.pi * k * (2 * np.arange(N) + 1) / (2 * N))
        scale = math.sqrt(1.0 / N) if k == 0 else math.sqrt(2.0 / N)
        out[..., k, :] = scale * np.tensordot(c, X, axes=([0], [-2]))
    return out


def resample(x, orig, new, zeros=6, rolloff=0.99):
    """y[j] = Σᵢ x[i]·h(i/orig − j/new), h un sinc a rolloff·min(orig, new)/2 con ventana de Hann de
    ``zeros`` cruces por cero; cada muestra de salida por separado (sin el truco de la convolución)."""
    g = math.gcd(orig, new)
    o, n = orig // g, new // g
    base = min(o, n) * rolloff
    L = x.shape[-1]
    out_len = math.ceil(n * L / o)
    y = np.zeros(x.shape[:-1] + (out_len,))
    i = np.arange(L)
    for j in range(out_len):
        t = (i / o - j / n) * base
        t = np.clip(t, -zeros, zeros)
        w = np.cos(t * np.pi / zeros / 2) ** 2
        s = np.where(t == 0, 1.0, np.sin(np.pi * t) / np.where(t == 0, 1.0, np.pi * t))
        h = s * w * base / o
        # la ventana del filtro sólo cubre |t| < zeros (fuera, la ventana vale 0 tras el recorte)
        h = np.where(np.abs((i / o - j / n) * base) < zeros, h, 0.0)
        y[..., j] = x @ h
    return y
