"""Ventanas para la STFT, con los nombres y valores por defecto de PyTorch: ``hann_window``,
``hamming_window``, ``blackman_window``, ``bartlett_window`` y ``kaiser_window``.

``periodic=True`` (el valor por defecto, como en PyTorch) da la ventana de N + 1 puntos sin el
último: la adecuada para la STFT (sus copias desplazadas suman una constante). ``periodic=False``
da la simétrica, la de los libros de filtros. Se calculan en float64 y se convierten al dtype pedido
(por defecto, el flotante por defecto: float32).

Con M = N − 1 (simétrica) y n = 0…N−1:

* Hann: 0.5 − 0.5·cos(2πn/M)
* Hamming: α − β·cos(2πn/M) (α = 0.54, β = 0.46)
* Blackman: 0.42 − 0.5·cos(2πn/M) + 0.08·cos(4πn/M)
* Bartlett (triangular): 1 − |2n/M − 1|
* Kaiser: I₀(β·√(1 − (2n/M − 1)²)) / I₀(β) (β = 12)
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .creation import _finish

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _window(name, fn, window_length, periodic, dtype, device, requires_grad):
    if isinstance(window_length, bool) or not isinstance(window_length, (numbers.Integral, np.integer)):
        raise TypeError(f"{name}(): window_length debe ser un entero, no {window_length!r}")
    n = int(window_length)
    if n < 0:
        raise RuntimeError(f"{name}: window_length debe ser ≥ 0, pero vale {n}")
    if not isinstance(periodic, (bool, np.bool_)):
        raise TypeError(f"{name}(): periodic debe ser True o False, no {periodic!r}")
    npd = D.np_dtype(dtype) if dtype is not None else D.get_default_dtype().np
    if npd.kind != "f":
        raise RuntimeError(f"{name} sólo crea ventanas de coma flotante, no {D.as_dtype(npd)}")
    if n <= 1:
        w = np.ones(n)
    else:
        m = n + 1 if periodic else n
        w = fn(np.arange(m, dtype=np.float64), m - 1)[:n]
    return _finish(w.astype(npd), requires_grad, device)


def _cos_sum(*coefs):
    def f(k, M):
        return sum(c * np.cos(2 * np.pi * i * k / M) for i, c in enumerate(coefs))
    return f


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana de Hann de ``window_length`` puntos: 0.5 − 0.5·cos(2πn/M) (como ``torch.hann_window``).

    >>> torch.hann_window(4)                # tensor([0.0000, 0.5000, 1.0000, 0.5000])
    >>> torch.hann_window(4, periodic=False)
    """
    return _window("hann_window", _cos_sum(0.5, -0.5), window_length, periodic, dtype, device, requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
                   device=None, requires_grad=False):
    """Ventana de Hamming: α − β·cos(2πn/M) (como ``torch.hamming_window``)."""
    return _window("hamming_window", _cos_sum(alpha, -beta), window_length, periodic, dtype, device,
                   requires_grad)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana de Blackman: 0.42 − 0.5·cos(2πn/M) + 0.08·cos(4πn/M) (como ``torch.blackman_window``)."""
    return _window("blackman_window", _cos_sum(0.42, -0.5, 0.08), window_length, periodic, dtype, device,
                   requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana triangular de Bartlett: 1 − |2n/M − 1| (como ``torch.bartlett_window``)."""
    return _window("bartlett_window", lambda k, M: 1 - np.abs(2 * k / M - 1), window_length, periodic,
                   dtype, device, requires_grad)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    """Ventana de Kaiser: I₀(β·√(1 − (2n/M − 1)²)) / I₀(β) (como ``torch.kaiser_window``)."""
    b = float(beta)

    def f(k, M):
        r = 2 * k / M - 1
        return np.i0(b * np.sqrt(np.clip(1 - r * r, 0, None))) / np.i0(b)
    return _window("kaiser_window", f, window_length, periodic, dtype, device, requires_grad)
