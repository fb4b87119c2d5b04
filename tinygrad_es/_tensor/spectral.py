"""``Tensor.stft``/``istft`` (y ``torch.stft``/``istft``) y lo que todo tensor tiene de los complejos
(``is_complex``, ``real``, ``conj``, ``angle``): en un tensor real son triviales; el tensor complejo
(``complex.py``) los redefine.

La STFT se compone de operaciones con gradiente: relleno (``center``) → tramas solapadas
(``ops.spectral.Frame``) → ventana → ``rfft`` de cada trama. La inversa: ``irfft`` de cada trama →
ventana → suma solapada (``OverlapAdd``) ÷ suma solapada de la ventana al cuadrado. Así el gradiente
respecto de la señal (y de la ventana) sale solo.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..autograd import TensorBase
from ..ops import complex as C
from ..ops import movement as M
from ..ops.spectral import FFT, IRFFT, RFFT, Frame, OverlapAdd, overlap_add

__all__ = ["SpectralMixin", "PAD_MODES"]

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _int_arg(v, name: str, op: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: {name} debe ser un entero, no {v!r}")
    return int(v)


def _pad_signal(x, p: int, mode: str):
    """Rellena el último eje con ``p`` muestras a cada lado (el relleno de ``center=True``)."""
    L = x.shape[-1]
    if p == 0:
        return x
    if mode == "constant":
        return M.Pad.apply(x, pad_width=((0, 0),) * (x.ndim - 1) + ((p, p),))
    if mode == "reflect" and p >= L:
        raise RuntimeError(f"stft: el relleno 'reflect' de center=True ({p} muestras a cada lado, n_fft//2) "
                           f"debe ser menor que la longitud de la señal ({L}); usa una señal más larga, un "
                           f"n_fft menor o pad_mode='constant'")
    if mode == "circular" and p > L:
        raise RuntimeError(f"stft: el relleno 'circular' ({p} muestras a cada lado) no puede superar la "
                           f"longitud de la señal ({L})")
    if L == 0:
        raise RuntimeError("stft: la señal está vacía (longitud 0)")
    i = np.arange(-p, L + p)
    if mode == "reflect":
        i = np.abs(i)
        i = np.where(i >= L, 2 * (L - 1) - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, L - 1)
    else:
        i = i % L
    return x[..., TensorBase._wrap(i)]


def _full_window(window, win: int, n_fft: int, like):
    """La ventana de ``win`` muestras centrada en ``n_fft`` (ceros a los lados, como PyTorch); sin
    ventana, una rectangular de ``win`` muestras (o ``None`` si ocupa todo ``n_fft``)."""
    if window is None:
        if win == n_fft:
            return None
        window = TensorBase._wrap(np.ones(win, dtype=C.real_dtype(like._data.dtype)))
    if win < n_fft:
        left = (n_fft - win) // 2
        window = M.Pad.apply(window, pad_width=((left, n_fft - win - left),))
    return window


def _check_window(window, win: int, op: str):
    if window is None:
        return
    if not isinstance(window, TensorBase):
        raise TypeError(f"{op}: window debe ser un tensor (p. ej. torch.hann_window({win})), no "
                        f"{type(window).__name__}")
    if window.ndim != 1 or window.shape[0] != win:
        raise RuntimeError(f"{op}: la ventana debe ser un tensor 1D de win_length={win} muestras, pero tiene "
                           f"forma {tuple(window.shape)}")
    if window._data.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: la ventana debe ser de coma flotante, no {window.dtype}")


class SpectralMixin:
    __slots__ = ()

    # -- lo complejo en un tensor real ----------------------------------------------------
    def is_complex(self) -> bool:
        """``True`` si el dtype es complejo (complex64/complex128)."""
        return self._data.dtype.kind == "c"

    @property
    def real(self):
        """Parte real: en un tensor real, el propio tensor (como PyTorch)."""
        return self

    @property
    def imag(self):
        raise RuntimeError("imag no está definido para tensores reales (dtype "
                           f"{self.dtype}); sólo para complejos")

    def conj(self):
        """Conjugado: en un tensor real, el propio tensor."""
        return self

    conj_physical = resolve_conj = resolve_neg = conj

    def is_conj(self) -> bool:
        return False

    def angle(self):
        """Argumento: π donde x < 0, 0 donde x ≥ 0 (nan se conserva). Su derivada es 0."""
        return C.Angle.apply(self)

    # -- STFT ---------------------------------------------------------------------------------
    def stft(self, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
             normalized=False, onesided=None, return_complex=None):
        """Transformada de Fourier a corto plazo (como ``torch.stft``).

        La señal ``(L,)`` o ``(B, L)`` se corta en tramas de ``n_fft`` muestras cada ``hop_length``
        (por defecto ``n_fft // 4``), se multiplica cada una por ``window`` (``win_length`` muestras
        centradas; sin ventana, rectangular) y se le hace la FFT. Con ``center=True`` la señal se
        rellena antes con ``n_fft // 2`` muestras a cada lado (``pad_mode``: "reflect", "constant",
        "replicate" o "circular"), así la trama t está centrada en t·hop_length.

        Devuelve ``(n_fft//2 + 1, T)`` complejo (``(B, F, T)`` con lote), T = 1 + (L' − n_fft)//hop.
        ``normalized=True`` multiplica por n_fft^(−1/2); ``onesided=False`` da las n_fft frecuencias.
        Con una señal real hay que pasar ``return_complex`` (``True``; ``False`` da ``(…, 2)`` real,
        obsoleto en PyTorch).

        >>> x = torch.randn(8000)
        >>> S = torch.stft(x, 256, hop_length=128, window=torch.hann_window(256), return_complex=True)
        >>> S.shape, S.dtype                      # (Size([129, 63]), tinygrad_es.complex64)
        >>> potencia = S.abs().pow(2)             # el espectrograma de potencia, con gradiente
        """
        op = "stft"
        x = self
        if x.ndim not in (1, 2):
            raise RuntimeError(f"stft: se esperaba una señal 1D (muestras) o 2D (lote, muestras), pero la "
                               f"entrada tiene forma {tuple(x.shape)}; para más dimensiones usa "
                               f"x.reshape(-1, x.shape[-1])")
        kind = x._data.dtype.kind
        if kind not in "fc":
            raise RuntimeError(f"stft: la señal debe ser de coma flotante o compleja, no {x.dtype} "
                               f"(usa x.float())")
        n_fft = _int_arg(n_fft, "n_fft", op)
        win = n_fft if win_length is None else _int_arg(win_length, "win_length", op)
        hop = n_fft // 4 if hop_length is None else _int_arg(hop_length, "hop_length", op)
        _check_window(window, win, op)
        cplx = kind == "c" or (window is not None and window._data.dtype.kind == "c")
        if return_complex is None:
            if not cplx:
                raise RuntimeError("stft: con una señal real hay que indicar return_complex; usa "
                                   "return_complex=True (el resultado es complejo; .abs() da la magnitud)")
            return_complex = True
        if onesided is None:
            onesided = not cplx
        elif onesided and cplx:
            raise RuntimeError("stft: onesided=True no tiene sentido con una señal o ventana compleja (su "
                               "espectro no es simétrico); usa onesided=False")
        if pad_mode not in PAD_MODES:
            raise NotImplementedError(f"stft: pad_mode {pad_mode!r} desconocido; usa uno de {', '.join(PAD_MODES)}")
        if center:
            x = _pad_signal(x, n_fft // 2, pad_mode)
        L = x.shape[-1]
        if not 0 < n_fft <= L:
            raise RuntimeError(f"stft: n_fft debe cumplir 0 < n_fft ≤ {L} (la longitud de la señal"
                               f"{' ya rellenada' if center else ''}), pero vale {n_fft}")
        if hop <= 0:
            raise RuntimeError(f"stft: hop_length debe ser > 0, pero vale {hop}")
        if not 0 < win <= n_fft:
            raise RuntimeError(f"stft: win_length debe cumplir 0 < win_length ≤ n_fft = {n_fft}, pero vale {win}")
        frames = Frame.apply(x, size=n_fft, hop=hop)             # (…, T, n_fft)
        w = _full_window(window, win, n_fft, x)
        if w is not None:
            frames = frames * w
        # la FFT a lo largo del penúltimo eje de la vista traspuesta: (…, F, T) en memoria propia
        # (no una vista: torchaudio divide in situ el resultado con normalized=True)
        norm = "ortho" if normalized else "backward"
        spec = (RFFT if onesided else FFT).apply(frames.transpose(-1, -2), dim=-2, norm=norm)
        if not return_complex:
            warnings.warn("stft con return_complex=False está obsoleto en PyTorch: usa return_complex=True "
                          "y, si hace falta, torch.view_as_real(S)", UserWarning, stacklevel=2)
            return C.ViewAsReal.apply(spec)
        return spec

    def istft(self, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
              onesided=None, length=None, return_complex=False):
        """Inversa de ``stft`` (como ``torch.istft``): ``irfft`` de cada trama, ventana y suma solapada
        dividida por la suma solapada de la ventana al cuadrado (la estimación de mínimos cuadrados
        de Griffin y Lim). Con la misma ventana y ``hop_length`` que ``stft`` recupera la señal.

        ``length`` recorta (o rellena con ceros) la salida. Entrada ``(F, T)`` o ``(B, F, T)``
        compleja; salida ``(L,)`` o ``(B, L)``.

        >>> x2 = torch.istft(S, 256, hop_length=128, window=torch.hann_window(256), length=8000)
        """
        op = "istft"
        S = self
        if S._data.dtype.kind != "c":
            raise RuntimeError("istft necesita un espectrograma complejo, la salida de "
                               "stft(..., return_complex=True) (con uno real (…, 2), usa "
                               "torch.view_as_complex antes)")
        if S.ndim not in (2, 3):
            raise RuntimeError(f"istft: se esperaba un espectrograma (frecuencias, tramas) o (lote, "
                               f"frecuencias, tramas), pero tiene forma {tuple(S.shape)}")
        n_fft = _int_arg(n_fft, "n_fft", op)
        win = n_fft if win_length is None else _int_arg(win_length, "win_length", op)
        hop = win // 4 if hop_length is None else _int_arg(hop_length, "hop_length", op)
        if not 0 < win <= n_fft:
            raise RuntimeError(f"istft: win_length debe cumplir 0 < win_length ≤ n_fft = {n_fft}, pero vale {win}")
        if not 0 < hop <= win:
            raise RuntimeError(f"istft: hop_length debe cumplir 0 < hop_length ≤ win_length = {win}, pero "
                               f"vale {hop}")
        _check_window(window, win, op)
        if window is not None and window._data.dtype.kind == "c":
            raise NotImplementedError("istft: las ventanas complejas no están soportadas en tinygrad_es")
        if window is None:
            warnings.warn("istft: no se dio ventana y se usa una rectangular; pasa la misma ventana que en "
                          "stft para que la inversa sea exacta", UserWarning, stacklevel=2)
        n_freq, T = S.shape[-2], S.shape[-1]
        if onesided is None:
            onesided = n_freq != n_fft
        if return_complex and onesided:
            raise RuntimeError("istft: return_complex=True necesita onesided=False (un espectro unilateral "
                               "sólo describe señales reales)")
        if onesided and n_freq != n_fft // 2 + 1:
            raise RuntimeError(f"istft: con onesided=True el espectrograma debe tener n_fft//2 + 1 = "
                               f"{n_fft // 2 + 1} frecuencias (penúltimo eje), pero tiene {n_freq}")
        if not onesided and n_freq != n_fft:
            raise RuntimeError(f"istft: con onesided=False el espectrograma debe tener n_fft = {n_fft} "
                               f"frecuencias (penúltimo eje), pero tiene {n_freq}")
        if T == 0:
            raise RuntimeError("istft: el espectrograma no tiene tramas")
        norm = "ortho" if normalized else "backward"
        spec = S.transpose(-1, -2)                                # (…, T, F)
        if onesided:
            frames = IRFFT.apply(spec, n=n_fft, dim=-1, norm=norm)
        else:
            frames = FFT.apply(spec, dim=-1, norm=norm, inverse=True)
            if not return_complex:
                frames = C.Real.apply(frames)
        w = _full_window(window, win, n_fft, frames)
        if w is None:
            w = TensorBase._wrap(np.ones(n_fft, dtype=C.real_dtype(frames._data.dtype)))
        y = OverlapAdd.apply(frames * w, hop=hop)                 # (…, n_fft + hop·(T − 1))
        expected = y.shape[-1]
        if w.requires_grad:
            env = OverlapAdd.apply((w * w).expand(T, n_fft), hop=hop)
        else:
            wd = w._data.astype(np.float64)
            env = TensorBase._wrap(overlap_add(np.broadcast_to(wd * wd, (T, n_fft)), hop)
                                   .astype(w._data.dtype))
        start = n_fft // 2 if center else 0
        if length is not None:
            length = _int_arg(length, "length", op)
            end = start + length
        else:
            end = expected - n_fft // 2 if center else expected
        stop = min(end, expected)
        y, env = y[..., start:stop], env[start:stop]
        lowest = float(np.abs(env._data).min()) if env.shape[0] else 1.0
        if lowest < 1e-11:
            raise RuntimeError(f"istft: la suma solapada de la ventana al cuadrado se anula (mínimo "
                               f"{lowest:.3g}), así que la señal no se puede recuperar ahí (condición NOLA). "
                               f"Usa center=True, un hop_length menor o una ventana que no valga 0 en los "
                               f"extremos")
        y = y / env
        if end > expected:
            warnings.warn("istft: la señal es más corta que length; se rellena con ceros al final (revisa "
                          "center y hop_length)", UserWarning, stacklevel=2)
            y = M.Pad.apply(y, pad_width=((0, 0),) * (y.ndim - 1) + ((0, end - expected),))
        return y
