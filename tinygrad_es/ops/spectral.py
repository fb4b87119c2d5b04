"""Transformadas de Fourier y enventanado (ndarray dentro, ndarray fuera), para ``torch.fft`` y
``torch.stft``/``istft``.

Las FFT usan ``numpy.fft`` (pocketfft, en float32 para float32). Todas son lineales, así que su
derivada es la transformada **adjunta**: si y = A·x, el gradiente es Aᴴ·G (con la convención de
gradientes complejos de ``ops/complex.py``). Con ``norm`` ∈ {"backward", "ortho", "forward"} (el
factor 1, 1/√n o 1/n va en la transformada directa o en la inversa), la adjunta de ``fft`` con
``norm`` es ``ifft`` con la norma **dual** (backward ↔ forward; ortho se queda).

``Frame`` (cortar en tramas solapadas) y ``OverlapAdd`` (sumar tramas solapadas) son adjuntas la una
de la otra: son el forward de ``stft`` y de ``istft``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import ArrayFunction
from .complex import complex_dtype, real_dtype

__all__ = ["FFT", "RFFT", "IRFFT", "Frame", "OverlapAdd", "overlap_add", "dual_norm"]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def dual_norm(norm: str) -> str:
    """La norma de la transformada adjunta: "backward" ↔ "forward", "ortho" ↔ "ortho"."""
    return _DUAL[norm]


def _fit(a: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Recorta o rellena con ceros el eje ``axis`` hasta ``length`` (el adjunto de rellenar es
    recortar y viceversa)."""
    n = a.shape[axis]
    if n == length:
        return a
    if n > length:
        idx = [slice(None)] * a.ndim
        idx[axis] = slice(0, length)
        return a[tuple(idx)]
    pad = [(0, 0)] * a.ndim
    pad[axis] = (0, length - n)
    return np.pad(a, pad)


class FFT(ArrayFunction):
    """FFT compleja de longitud ``n`` a lo largo de ``dim`` (``inverse=True``: la inversa).

    y_k = s·Σ_j x_j·e^{∓2πijk/n}. ∂: la inversa (o la directa) de G con la norma dual, recortada o
    rellenada a la longitud de la entrada; parte real si la entrada era real."""

    @staticmethod
    def forward(ctx, x, n=None, dim=-1, norm="backward", inverse=False):
        ctx.meta = (x.shape[dim], x.dtype, n, dim, norm, inverse)
        f = np.fft.ifft if inverse else np.fft.fft
        return f(x, n=n, axis=dim, norm=norm).astype(complex_dtype(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        length, dtype, n, dim, norm, inverse = ctx.meta
        f = np.fft.fft if inverse else np.fft.ifft
        gx = _fit(f(g, axis=dim, norm=dual_norm(norm)), length, dim)
        return (gx if dtype.kind == "c" else gx.real).astype(dtype, copy=False)


def _interior(shape_len: int, n: int) -> slice:
    """Los índices 1…⌈n/2⌉−1 de un espectro unilateral: los que aparecen dos veces en el bilateral."""
    return slice(1, (n - 1) // 2 + 1)


class RFFT(ArrayFunction):
    """FFT de una señal real: los n//2 + 1 primeros coeficientes.

    ∂: x̄ = Re(Fᴴ·G ampliado con ceros) = irfft(H) con la norma dual, donde H es G con los índices
    interiores 1…⌈n/2⌉−1 a la mitad (irfft los cuenta dos veces)."""

    @staticmethod
    def forward(ctx, x, n=None, dim=-1, norm="backward"):
        ctx.meta = (x.shape[dim], x.dtype, n, dim, norm)
        return np.fft.rfft(x, n=n, axis=dim, norm=norm).astype(complex_dtype(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        length, dtype, n, dim, norm = ctx.meta
        n = length if n is None else n
        h = np.array(g, copy=True)
        idx = [slice(None)] * h.ndim
        idx[dim] = _interior(h.shape[dim], n)
        h[tuple(idx)] *= 0.5
        gx = np.fft.irfft(h, n=n, axis=dim, norm=dual_norm(norm))
        return _fit(gx, length, dim).astype(dtype, copy=False)


class IRFFT(ArrayFunction):
    """Inversa de ``rfft``: de m coeficientes (unilaterales) a n muestras reales (n = 2(m−1) por
    defecto). Ignora la parte imaginaria de los coeficientes 0 y n/2, como PyTorch.

    ∂: G = c_k·rfft(g) con la norma dual, c_k = 2 en los índices interiores (1 en 0 y n/2),
    recortado o rellenado a m."""

    @staticmethod
    def forward(ctx, x, n=None, dim=-1, norm="backward"):
        m = x.shape[dim]
        n = 2 * (m - 1) if n is None else n
        ctx.meta = (m, x.dtype, n, dim, norm)
        return np.fft.irfft(x, n=n, axis=dim, norm=norm).astype(real_dtype(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        m, dtype, n, dim, norm = ctx.meta
        G = np.fft.rfft(g, axis=dim, norm=dual_norm(norm))
        idx = [slice(None)] * G.ndim
        idx[dim] = _interior(G.shape[dim], n)
        G[tuple(idx)] *= 2
        G = _fit(G, m, dim)
        return (G if dtype.kind == "c" else G.real).astype(dtype, copy=False)


def frame(x: np.ndarray, size: int, hop: int) -> np.ndarray:
    """(…, L) → (…, T, size) con T = 1 + (L − size)//hop: la trama t es x[…, t·hop : t·hop + size]."""
    v = np.lib.stride_tricks.sliding_window_view(x, size, axis=-1)[..., ::hop, :]
    return np.ascontiguousarray(v)


def overlap_add(frames: np.ndarray, hop: int) -> np.ndarray:
    """(…, T, size) → (…, (T − 1)·hop + size): suma cada trama en su sitio.

    Sin bucle por tramas: la trama se parte en ⌈size/hop⌉ bloques de ``hop`` muestras y el bloque j
    de todas las tramas se suma de una vez (el bloque j de la trama t cae en el bloque t + j)."""
    *lead, T, size = frames.shape
    nb = -(-size // hop)
    if nb * hop != size:
        frames = np.concatenate([frames, np.zeros((*lead, T, nb * hop - size), frames.dtype)], axis=-1)
    out = np.zeros((*lead, T + nb - 1, hop), dtype=frames.dtype)
    for j in range(nb):
        out[..., j:j + T, :] += frames[..., :, j * hop:(j + 1) * hop]
    return out.reshape(*lead, (T + nb - 1) * hop)[..., :(T - 1) * hop + size]


class Frame(ArrayFunction):
    """Tramas solapadas: (…, L) → (…, T, size), trama t = x[t·hop : t·hop + size].
    ∂: cada muestra recibe la suma de los gradientes de las tramas que la contienen (overlap-add)."""

    @staticmethod
    def forward(ctx, x, size=1, hop=1):
        ctx.meta = (x.shape[-1], hop)
        return frame(x, size, hop)

    @staticmethod
    def backward(ctx, g):
        length, hop = ctx.meta
        out = overlap_add(g, hop)
        return _fit(out, length, -1)


class OverlapAdd(ArrayFunction):
    """Suma de tramas solapadas: (…, T, size) → (…, (T − 1)·hop + size).
    ∂: el gradiente de cada trama es el trozo del gradiente de la salida que ocupa (``frame``)."""

    @staticmethod
    def forward(ctx, frames, hop=1):
        ctx.meta = (frames.shape[-1], hop)
        return overlap_add(frames, hop)

    @staticmethod
    def backward(ctx, g):
        size, hop = ctx.meta
        return frame(g, size, hop)
