"""``tinygrad_es.fft``: las transformadas de Fourier de ``torch.fft``, con gradiente.

* ``fft``/``ifft``: complejas, de longitud ``n`` a lo largo de ``dim``;
* ``rfft``/``irfft``: de una señal real (``n//2 + 1`` coeficientes) y su inversa;
* ``hfft``/``ihfft``: las de una señal con espectro hermítico;
* ``fft2``, ``fftn``, ``rfft2``, ``rfftn``, ``hfft2``, ``hfftn`` y sus inversas: varias dimensiones, una tras otra;
* ``fftfreq``, ``rfftfreq``: las frecuencias de cada coeficiente; ``fftshift``/``ifftshift``.

``norm``: "backward" (por defecto: la directa sin factor, la inversa ÷n), "ortho" (÷√n las dos) o
"forward" (÷n la directa). Las entradas enteras se convierten al flotante por defecto. El resultado
de ``fft`` es complejo (``complex64`` para float32); ``.abs()``, ``.angle()``, ``.real``... dan reales.

>>> import tinygrad_es as torch
>>> x = torch.randn(8, requires_grad=True)
>>> X = torch.fft.rfft(x)                   # 5 coeficientes complex64
>>> X.abs().pow(2).sum().backward()         # ∂/∂x del espectro de potencia (= 2·8·x salvo bordes)
"""
from __future__ import annotations

import numbers

import numpy as np

from . import _dtype as D
from ._tensor.creation import _finish, tensor
from .autograd import TensorBase
from .ops import complex as C
from .ops.spectral import FFT, IRFFT, RFFT, dual_norm

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "fftn", "ifftn", "rfft2",
           "irfft2", "rfftn", "irfftn", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift",
           "ifftshift"]

_NORMS = ("backward", "ortho", "forward")


def _input(x, op: str, real: bool = False):
    if not isinstance(x, TensorBase):
        x = tensor(x)
    k = x._data.dtype.kind
    if k in "biu":   # como PyTorch: enteros y bool pasan al flotante por defecto
        x = x.type(D.get_default_dtype())
    elif k == "c" and real:
        raise RuntimeError(f"{op} espera una señal real, pero es {x.dtype} (usa torch.fft.fft para complejos)")
    elif k not in "fc":
        raise RuntimeError(f"{op}: dtype no soportado {x.dtype}")
    if x._data.dtype == np.float16:
        x = x.type(D.float32)
    return x


def _norm(norm, op: str) -> str:
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise RuntimeError(f"{op}: norm {norm!r} no válido; usa 'backward', 'ortho' o 'forward'")
    return norm


def _length(n, op: str):
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: n debe ser un entero, no {n!r}")
    if n < 1:
        raise RuntimeError(f"{op}: el número de puntos n debe ser ≥ 1, pero vale {n}")
    return int(n)


def _axis(x, dim, op: str) -> int:
    if x.ndim == 0:
        raise IndexError(f"{op}: la entrada es un tensor 0-D y no tiene el eje {dim}")
    return x._dim(dim)


def fft(input, n=None, dim=-1, norm=None):
    """FFT de longitud ``n`` (se recorta o rellena con ceros) a lo largo de ``dim``:
    X_k = Σ_j x_j·e^{−2πi·jk/n}."""
    x = _input(input, "fft")
    return FFT.apply(x, n=_length(n, "fft"), dim=_axis(x, dim, "fft"), norm=_norm(norm, "fft"))


def ifft(input, n=None, dim=-1, norm=None):
    """FFT inversa: x_j = (1/n)·Σ_k X_k·e^{2πi·jk/n}."""
    x = _input(input, "ifft")
    return FFT.apply(x, n=_length(n, "ifft"), dim=_axis(x, dim, "ifft"), norm=_norm(norm, "ifft"), inverse=True)


def rfft(input, n=None, dim=-1, norm=None):
    """FFT de una señal real: los ``n//2 + 1`` coeficientes de frecuencia ≥ 0."""
    x = _input(input, "rfft", real=True)
    return RFFT.apply(x, n=_length(n, "rfft"), dim=_axis(x, dim, "rfft"), norm=_norm(norm, "rfft"))


def irfft(input, n=None, dim=-1, norm=None):
    """Inversa de ``rfft``: ``n`` muestras reales (por defecto 2·(m − 1) para m coeficientes)."""
    x = _input(input, "irfft")
    d = _axis(x, dim, "irfft")
    n = _length(n, "irfft")
    if n is None and 2 * (x.shape[d] - 1) < 1:
        raise RuntimeError(f"irfft: con {x.shape[d]} coeficiente(s) la salida tendría "
                           f"{2 * (x.shape[d] - 1)} muestras; indica n ≥ 1")
    return IRFFT.apply(x, n=n, dim=d, norm=_norm(norm, "irfft"))


def hfft(input, n=None, dim=-1, norm=None):
    """FFT de una señal con espectro hermítico dado por su mitad (salida real de ``n`` puntos)."""
    x = _input(input, "hfft")
    d = _axis(x, dim, "hfft")
    if x._data.dtype.kind == "c":
        x = C.Conj.apply(x)
    return IRFFT.apply(x, n=_length(n, "hfft"), dim=d, norm=dual_norm(_norm(norm, "hfft")))


def ihfft(input, n=None, dim=-1, norm=None):
    """Inversa de ``hfft``: de una señal real, la mitad de su espectro hermítico."""
    x = _input(input, "ihfft", real=True)
    X = RFFT.apply(x, n=_length(n, "ihfft"), dim=_axis(x, dim, "ihfft"), norm=dual_norm(_norm(norm, "ihfft")))
    return C.Conj.apply(X)


def _dims_sizes(x, s, dim, op):
    if dim is None:
        dims = list(range(x.ndim - len(s), x.ndim)) if s is not None else list(range(x.ndim))
    else:
        dims = [dim] if isinstance(dim, (numbers.Integral, np.integer)) else list(dim)
        dims = [_axis(x, d, op) for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: hay ejes repetidos en dim={dim}")
    if s is None:
        sizes = [None] * len(dims)
    else:
        s = list(s)
        if len(s) != len(dims):
            raise RuntimeError(f"{op}: s y dim deben tener la misma longitud ({len(s)} y {len(dims)})")
        sizes = [None if v == -1 else _length(v, op) for v in s]
    if not dims:
        raise RuntimeError(f"{op}: hace falta al menos un eje")
    return dims, sizes


def fftn(input, s=None, dim=None, norm=None):
    """FFT en varias dimensiones (por defecto todas): una ``fft`` por eje."""
    x = _input(input, "fftn")
    dims, sizes = _dims_sizes(x, s, dim, "fftn")
    nm = _norm(norm, "fftn")
    for d, n in zip(dims, sizes):
        x = FFT.apply(x, n=n, dim=d, norm=nm)
    return x


def ifftn(input, s=None, dim=None, norm=None):
    """Inversa de ``fftn``."""
    x = _input(input, "ifftn")
    dims, sizes = _dims_sizes(x, s, dim, "ifftn")
    nm = _norm(norm, "ifftn")
    for d, n in zip(dims, sizes):
        x = FFT.apply(x, n=n, dim=d, norm=nm, inverse=True)
    return x


def rfftn(input, s=None, dim=None, norm=None):
    """FFT real en varias dimensiones: ``rfft`` en el último eje y ``fft`` en los demás."""
    x = _input(input, "rfftn", real=True)
    dims, sizes = _dims_sizes(x, s, dim, "rfftn")
    nm = _norm(norm, "rfftn")
    x = RFFT.apply(x, n=sizes[-1], dim=dims[-1], norm=nm)
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = FFT.apply(x, n=n, dim=d, norm=nm)
    return x


def irfftn(input, s=None, dim=None, norm=None):
    """Inversa de ``rfftn``: ``ifft`` en todos los ejes menos el último e ``irfft`` en él."""
    x = _input(input, "irfftn")
    dims, sizes = _dims_sizes(x, s, dim, "irfftn")
    nm = _norm(norm, "irfftn")
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = FFT.apply(x, n=n, dim=d, norm=nm, inverse=True)
    return IRFFT.apply(x, n=sizes[-1], dim=dims[-1], norm=nm)


def fft2(input, s=None, dim=(-2, -1), norm=None):
    """FFT en 2 dimensiones (por defecto, las dos últimas)."""
    return fftn(input, s, dim, norm)


def ifft2(input, s=None, dim=(-2, -1), norm=None):
    return ifftn(input, s, dim, norm)


def rfft2(input, s=None, dim=(-2, -1), norm=None):
    return rfftn(input, s, dim, norm)


def irfft2(input, s=None, dim=(-2, -1), norm=None):
    return irfftn(input, s, dim, norm)


def hfftn(input, s=None, dim=None, norm=None):
    """FFT en varias dimensiones de una señal con espectro hermítico dado por su mitad en el último
    eje de ``dim`` (salida real): la ``fft`` directa en los demás ejes, el conjugado y una ``irfft``
    sin su ÷n en el último (el orden de PyTorch, que redondea igual). Su derivada sale de las de
    ``fft``, ``conj`` e ``irfft``. En PyTorch: ``torch.fft.hfftn``.

    >>> torch.fft.hfftn(torch.fft.ihfftn(torch.ones(2, 4))).shape   # torch.Size([2, 4])
    """
    x = _input(input, "hfftn")
    dims, sizes = _dims_sizes(x, s, dim, "hfftn")
    nm = _norm(norm, "hfftn")
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = FFT.apply(x, n=n, dim=d, norm=nm)
    if x._data.dtype.kind == "c":
        x = C.Conj.apply(x)
    return irfft(x, sizes[-1], dims[-1], dual_norm(nm))


def ihfftn(input, s=None, dim=None, norm=None):
    """Inversa de ``hfftn``: de una señal real, la mitad (último eje de ``dim``) de su espectro,
    = conj(``rfftn``) con la normalización dual (÷N con "backward"). En PyTorch: ``torch.fft.ihfftn``."""
    x = _input(input, "ihfftn", real=True)
    return C.Conj.apply(rfftn(x, s, dim, dual_norm(_norm(norm, "ihfftn"))))


def hfft2(input, s=None, dim=(-2, -1), norm=None):
    """``hfftn`` en 2 dimensiones (por defecto, las dos últimas). En PyTorch: ``torch.fft.hfft2``."""
    return hfftn(input, s, dim, norm)


def ihfft2(input, s=None, dim=(-2, -1), norm=None):
    """``ihfftn`` en 2 dimensiones. En PyTorch: ``torch.fft.ihfft2``."""
    return ihfftn(input, s, dim, norm)


def _freq_args(n, d, op):
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: n debe ser un entero, no {n!r}")
    if n < 0:
        raise RuntimeError(f"{op}: n debe ser ≥ 0, pero vale {n}")
    return int(n), float(d)


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Frecuencias de los coeficientes de ``fft`` de ``n`` puntos con separación ``d``:
    [0, 1, …, ⌈n/2⌉−1, −⌊n/2⌋, …, −1] / (d·n)."""
    n, d = _freq_args(n, d, "fftfreq")
    npd = D.np_dtype(dtype) if dtype is not None else D.get_default_dtype().np
    return _finish(np.fft.fftfreq(n, d).astype(npd) if n else np.zeros(0, npd), requires_grad, device)


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Frecuencias de los coeficientes de ``rfft`` de ``n`` puntos: [0, 1, …, ⌊n/2⌋] / (d·n)."""
    n, d = _freq_args(n, d, "rfftfreq")
    npd = D.np_dtype(dtype) if dtype is not None else D.get_default_dtype().np
    return _finish(np.fft.rfftfreq(n, d).astype(npd) if n else np.zeros(0, npd), requires_grad, device)


def _shift(input, dim, sign):
    x = input if isinstance(input, TensorBase) else tensor(input)
    dims = list(range(x.ndim)) if dim is None else (
        [dim] if isinstance(dim, (numbers.Integral, np.integer)) else list(dim))
    dims = [x._dim(d) for d in dims]
    if not dims:
        return x
    return x.roll([sign * (x.shape[d] // 2) for d in dims], dims)


def fftshift(input, dim=None):
    """Pone la frecuencia 0 en el centro (como ``torch.fft.fftshift``)."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """Inversa de ``fftshift``."""
    return _shift(input, dim, -1)
