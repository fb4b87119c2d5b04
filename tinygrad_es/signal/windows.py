"""``torch.signal.windows``: las ventanas de SciPy con los nombres y argumentos de PyTorch.

A diferencia de ``torch.hann_window`` (``periodic=True`` por defecto), aquí la ventana es **simétrica**
por defecto (``sym=True``), como en SciPy; ``sym=False`` da la periódica (la de N + 1 puntos sin el
último), la de la STFT. Con n = 0…M−1 y L = M − 1 (simétrica) o M (periódica):

* ``hann``: ½ − ½·cos(2πn/L);  ``hamming``: 0,54 − 0,46·cos(2πn/L);  ``general_hamming(alpha)``: α − (1 − α)·cos(2πn/L)
* ``blackman``: 0,42 − 0,5·cos(2πn/L) + 0,08·cos(4πn/L);  ``nuttall``: cuatro cosenos;
  ``general_cosine(a)``: Σᵢ (−1)ⁱ·aᵢ·cos(2πin/L)
* ``bartlett``: 1 − |2n/L − 1|;  ``cosine``: sin(π(n + ½)/(L + 1))
* ``gaussian(std)``: exp(−(n − L/2)²/(2σ²));  ``exponential(center, tau)``: exp(−|n − c|/τ)
* ``kaiser(beta)``: I₀(β·√(1 − (2n/L − 1)²))/I₀(β)

>>> torch.signal.windows.hann(5)   # tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .._tensor.creation import _finish

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]


def _checks(name, M, dtype):
    """Lo que comprueba PyTorch antes de cada ventana (con su clase de error: ``ValueError``)."""
    if isinstance(M, bool) or not isinstance(M, (numbers.Integral, np.integer)):
        raise TypeError(f"{name}(): M debe ser un entero, no {M!r}")
    if M < 0:
        raise ValueError(f"{name}: la longitud de la ventana debe ser ≥ 0, y es M={M}")
    npd = D.get_default_dtype().np if dtype is None else D.np_dtype(dtype)
    if npd not in (np.float32, np.float64):
        raise ValueError(f"{name}: sólo crea ventanas float32 o float64, no {D.as_dtype(npd)}")
    return npd


def _make(name, M, sym, dtype, device, requires_grad, fn):
    npd = _checks(name, M, dtype)
    if M <= 1:
        w = np.ones(int(M))
    else:
        w = fn(np.arange(M, dtype=np.float64), float(M - 1 if sym else M))
    return _finish(np.asarray(w, dtype=npd), requires_grad, device)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Σᵢ (−1)ⁱ·aᵢ·cos(2πin/L) con los coeficientes ``a`` (una lista o tupla no vacía).

    >>> torch.signal.windows.general_cosine(5, a=[0.5, 0.5])   # la de Hann
    """
    if not isinstance(a, (list, tuple)):
        raise TypeError(f"general_cosine: los coeficientes deben ser una lista o una tupla, no {type(a).__name__}")
    if not a:
        raise ValueError("general_cosine: la lista de coeficientes no puede estar vacía")
    coefs = [float(c) for c in a]
    return _make("general_cosine", M, sym, dtype, device, requires_grad,
                 lambda n, L: sum((-1) ** i * c * np.cos(2 * np.pi * i * n / L) for i, c in enumerate(coefs)))


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """α − (1 − α)·cos(2πn/L) (α = 0,5: Hann; 0,54: Hamming)."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana de Hann: ½ − ½·cos(2πn/L) (simétrica por defecto; ``torch.hann_window`` es periódica)."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana de Hamming: 0,54 − 0,46·cos(2πn/L)."""
    return general_hamming(M, sym=sym, dtype=dtype, device=device, requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana de Blackman: 0,42 − 0,5·cos(2πn/L) + 0,08·cos(4πn/L)."""
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, device=device, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana de Nuttall (cuatro cosenos, lóbulos laterales muy bajos)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana triangular: 1 − |2n/L − 1|."""
    return _make("bartlett", M, sym, dtype, device, requires_grad, lambda n, L: 1 - np.abs(2 * n / L - 1))


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana coseno (seno): sin(π(n + ½)/(L + 1))."""
    return _make("cosine", M, sym, dtype, device, requires_grad, lambda n, L: np.sin(np.pi * (n + 0.5) / (L + 1)))


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana gaussiana: exp(−(n − L/2)²/(2σ²)) (σ = ``std`` > 0)."""
    if std <= 0:
        raise ValueError(f"gaussian: la desviación típica debe ser positiva, y es {std}")
    return _make("gaussian", M, sym, dtype, device, requires_grad,
                 lambda n, L: np.exp(-((n - L / 2) ** 2) / (2 * std * std)))


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana exponencial: exp(−|n − c|/τ) (c = L/2 por defecto; sólo las periódicas admiten ``center``)."""
    if sym and center is not None:
        raise ValueError("exponential: center debe ser None en las ventanas simétricas")
    if tau <= 0:
        raise ValueError(f"exponential: tau debe ser positivo, y es {tau}")
    return _make("exponential", M, sym, dtype, device, requires_grad,
                 lambda n, L: np.exp(-np.abs(n - (L / 2 if center is None else center)) / tau))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Ventana de Kaiser: I₀(β·√(1 − (2n/L − 1)²))/I₀(β) (β ≥ 0)."""
    if beta < 0:
        raise ValueError(f"kaiser: beta debe ser ≥ 0, y es {beta}")
    return _make("kaiser", M, sym, dtype, device, requires_grad,
                 lambda n, L: np.i0(beta * np.sqrt(np.clip(1 - (2 * n / L - 1) ** 2, 0, None))) / np.i0(beta))
