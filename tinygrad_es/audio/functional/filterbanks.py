"""Bancos de filtros y la DCT (como ``torchaudio.functional``): ``melscale_fbanks`` (escalas HTK y
Slaney, normalización de Slaney), ``linear_fbanks`` y ``create_dct``. Con f en Hz:

* HTK: m = 2595·log₁₀(1 + f/700);
* Slaney: lineal por debajo de 1 kHz (m = 3f/200) y logarítmica por encima
  (m = 15 + 27·ln(f/1000)/ln 6.4).

Los filtros son triángulos con vértices equiespaciados en mel; ``norm="slaney"`` divide cada uno por
su anchura en Hz (área constante). Se calculan en float64 y se devuelven en float32."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._tensor.creation import tensor

__all__ = ['melscale_fbanks', 'linear_fbanks', 'create_dct']


def _hz_to_mel(freq: float, mel_scale: str = "htk") -> float:
    if mel_scale not in ("htk", "slaney"):
        raise ValueError(f"mel_scale debe ser 'htk' o 'slaney', no {mel_scale!r}")
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + freq / 700.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return min_log_mel + math.log(freq / min_log_hz) / logstep if freq >= min_log_hz else freq / f_sp


def _mel_to_hz(mels: np.ndarray, mel_scale: str = "htk") -> np.ndarray:
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return np.where(mels >= min_log_mel, min_log_hz * np.exp(logstep * (mels - min_log_mel)), f_sp * mels)


def _triangles(all_freqs: np.ndarray, f_pts: np.ndarray) -> np.ndarray:
    """(n_freqs, n_filtros): el filtro m sube de f_pts[m] a f_pts[m+1] y baja hasta f_pts[m+2]."""
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return np.maximum(0.0, np.minimum(down, up))


def melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk"):
    """Banco de filtros mel ``(n_freqs, n_mels)`` (como torchaudio): ``espectro @ fb`` pasa de
    ``n_freqs`` frecuencias lineales (de 0 a sample_rate//2) a ``n_mels`` bandas mel entre ``f_min`` y
    ``f_max``. ``norm="slaney"`` normaliza el área; ``mel_scale`` "htk" o "slaney".

    >>> fb = melscale_fbanks(201, 0.0, 8000.0, 40, 16000)      # (201, 40)
    """
    if norm is not None and norm != "slaney":
        raise ValueError(f"melscale_fbanks: norm debe ser None o 'slaney', no {norm!r}")
    if mel_scale not in ("htk", "slaney"):
        raise ValueError(f"melscale_fbanks: mel_scale debe ser 'htk' o 'slaney', no {mel_scale!r}")
    if n_freqs < 1 or n_mels < 1:
        raise ValueError(f"melscale_fbanks: n_freqs ({n_freqs}) y n_mels ({n_mels}) deben ser ≥ 1")
    if f_min > f_max:
        raise ValueError(f"melscale_fbanks: f_min ({f_min}) debe ser ≤ f_max ({f_max})")
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    m_pts = np.linspace(_hz_to_mel(f_min, mel_scale), _hz_to_mel(f_max, mel_scale), n_mels + 2)
    f_pts = _mel_to_hz(m_pts, mel_scale)
    fb = _triangles(all_freqs, f_pts)
    if norm == "slaney":
        fb = fb * (2.0 / (f_pts[2:n_mels + 2] - f_pts[:n_mels]))[None, :]
    if (fb.max(axis=0) == 0.0).any():
        warnings.warn(f"melscale_fbanks: algún filtro mel es todo ceros: n_mels ({n_mels}) puede ser demasiado "
                      f"grande, o n_freqs ({n_freqs}) demasiado pequeño", UserWarning, stacklevel=2)
    return tensor(fb.astype(np.float32))


def linear_fbanks(n_freqs, f_min, f_max, n_filter, sample_rate):
    """Banco de ``n_filter`` filtros triangulares equiespaciados en Hz ``(n_freqs, n_filter)``."""
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    return tensor(_triangles(all_freqs, np.linspace(f_min, f_max, n_filter + 2)).astype(np.float32))


def create_dct(n_mfcc, n_mels, norm):
    """Matriz de la DCT-II ``(n_mels, n_mfcc)`` (se multiplica por la derecha): columna k =
    cos(π/n_mels·(n + ½)·k); ``norm="ortho"`` la hace ortonormal, ``None`` la multiplica por 2."""
    if norm is not None and norm != "ortho":
        raise ValueError(f"create_dct: norm debe ser 'ortho' o None, no {norm!r}")
    n = np.arange(float(n_mels))
    k = np.arange(float(n_mfcc))[:, None]
    dct = np.cos(math.pi / float(n_mels) * (n + 0.5) * k)
    if norm is None:
        dct *= 2.0
    else:
        dct[0] *= 1.0 / math.sqrt(2.0)
        dct *= math.sqrt(2.0 / float(n_mels))
    return tensor(dct.T.astype(np.float32))
