"""Operaciones con números complejos (ndarray complejo dentro, ndarray fuera).

Convención de gradientes (la de PyTorch): para una pérdida real L y una entrada compleja
z = x + iy, el gradiente que circula es G = ∂L/∂x + i·∂L/∂y (dos veces la derivada de Wirtinger
conjugada). Así, para una operación lineal de coeficientes reales (reshape, suma, índices...) el
backward de siempre vale tal cual, y para una entrada **real** de una operación con salida compleja
el gradiente es la parte real de lo que llega.

Cada ``Function`` acepta entradas reales o complejas donde tiene sentido (``a * b`` con ``a`` real y
``b`` complejo) y devuelve a cada entrada un gradiente de su mismo tipo.
"""
from __future__ import annotations

import numpy as np

from ..autograd import ArrayFunction

__all__ = ["complex_dtype", "real_dtype", "ViewAsReal", "ViewAsComplex", "Real", "Imag", "Complex",
           "Polar", "Abs", "Angle", "Conj", "Mul", "Div", "Add", "Sub", "PowScalar", "Exp"]


def complex_dtype(npd) -> np.dtype:
    """complex64 para float32 (y float16), complex128 para float64; un complejo se queda igual."""
    npd = np.dtype(npd)
    if npd.kind == "c":
        return npd
    return np.dtype(np.complex128) if npd == np.float64 else np.dtype(np.complex64)


def real_dtype(npd) -> np.dtype:
    """float32 para complex64, float64 para complex128 (un real se queda igual)."""
    npd = np.dtype(npd)
    return np.dtype(np.float64) if npd == np.complex128 else np.dtype(np.float32) if npd.kind == "c" else npd


def _as_input(g: np.ndarray, was_complex: bool, dtype) -> np.ndarray:
    """El gradiente para una entrada: su parte real si la entrada era real."""
    return (g if was_complex else g.real).astype(dtype, copy=False)


class ViewAsReal(ArrayFunction):
    """z (…) complejo → (…, 2) real con (Re z, Im z) en el último eje; es una vista si z es contiguo.
    ∂: G = g[…, 0] + i·g[…, 1]."""

    @staticmethod
    def forward(ctx, z):
        ctx.dtype = z.dtype
        if z.flags.c_contiguous and z.ndim:
            return z.view(real_dtype(z.dtype)).reshape(z.shape + (2,))
        return np.stack([z.real, z.imag], axis=-1)

    @staticmethod
    def backward(ctx, g):
        return (g[..., 0] + 1j * g[..., 1]).astype(ctx.dtype, copy=False)


class ViewAsComplex(ArrayFunction):
    """x (…, 2) real → z (…) = x[…, 0] + i·x[…, 1] (vista si x es contiguo).
    ∂: g_x = (Re G, Im G) en el último eje."""

    @staticmethod
    def forward(ctx, x):
        ctx.dtype = x.dtype
        if x.flags.c_contiguous and x.ndim > 1:
            return x.view(complex_dtype(x.dtype)).reshape(x.shape[:-1])
        return (x[..., 0] + 1j * x[..., 1]).astype(complex_dtype(x.dtype))

    @staticmethod
    def backward(ctx, g):
        return np.stack([g.real, g.imag], axis=-1).astype(ctx.dtype, copy=False)


class Real(ArrayFunction):
    """Re z (una vista). ∂: G = g (real) → g + 0i."""

    @staticmethod
    def forward(ctx, z):
        ctx.dtype = z.dtype
        return z.real

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype)


class Imag(ArrayFunction):
    """Im z (una vista). ∂: G = i·g."""

    @staticmethod
    def forward(ctx, z):
        ctx.dtype = z.dtype
        return z.imag

    @staticmethod
    def backward(ctx, g):
        return (1j * g).astype(ctx.dtype, copy=False)


class Complex(ArrayFunction):
    """``complex(re, im)`` = re + i·im. ∂/∂re = Re G, ∂/∂im = Im G."""

    @staticmethod
    def forward(ctx, re, im):
        ctx.dtype = re.dtype
        out = np.empty(np.broadcast_shapes(re.shape, im.shape), dtype=complex_dtype(re.dtype))
        out.real, out.imag = re, im
        return out

    @staticmethod
    def backward(ctx, g):
        return g.real.astype(ctx.dtype), g.imag.astype(ctx.dtype)


class Polar(ArrayFunction):
    """``polar(r, θ)`` = r·e^{iθ}. ∂/∂r = Re(G·e^{−iθ}), ∂/∂θ = r·Im(G·e^{−iθ})."""

    @staticmethod
    def forward(ctx, r, theta):
        ctx.dtype = r.dtype
        e = np.exp(1j * theta).astype(complex_dtype(r.dtype))
        ctx.save_for_backward(r, e)
        return r * e

    @staticmethod
    def backward(ctx, g):
        r, e = ctx.saved_tensors
        ge = g * np.conj(e)
        return ge.real.astype(ctx.dtype), (r * ge.imag).astype(ctx.dtype)


def _safe_div(num, den):
    """num / den con 0 donde den = 0 (el convenio de PyTorch para |z| y ángulo en z = 0)."""
    zero = den == 0
    return np.where(zero, 0, num / np.where(zero, 1, den))


class Abs(ArrayFunction):
    """|z| (real). ∂: G = g·z/|z| (0 en z = 0, como PyTorch)."""

    @staticmethod
    def forward(ctx, z):
        a = np.abs(z)
        ctx.save_for_backward(z, a)
        return a

    @staticmethod
    def backward(ctx, g):
        z, a = ctx.saved_tensors
        return (g * _safe_div(z, a)).astype(z.dtype, copy=False)


class Angle(ArrayFunction):
    """arg z = atan2(Im z, Re z) (real). ∂: G = g·i·z/|z|² (0 en z = 0). Con x real: π donde x < 0
    y 0 donde no (nan se conserva), con derivada 0, como PyTorch."""

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        if z.dtype.kind != "c":
            out = np.where(z < 0, np.pi, 0.0).astype(z.dtype if z.dtype.kind == "f" else np.float32)
            out[np.isnan(z)] = np.nan
            return out
        return np.angle(z).astype(real_dtype(z.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        if z.dtype.kind != "c":
            return np.zeros_like(z)
        return (g * _safe_div(1j * z, (z * np.conj(z)).real)).astype(z.dtype, copy=False)


class Conj(ArrayFunction):
    """z̄. ∂: Ḡ."""

    @staticmethod
    def forward(ctx, z):
        return np.conj(z)

    @staticmethod
    def backward(ctx, g):
        return np.conj(g)


class _Binary(ArrayFunction):
    @staticmethod
    def _begin(ctx, a, b, out_dtype):
        ctx.kinds = (a.dtype.kind == "c", b.dtype.kind == "c")
        ctx.dtypes = (a.dtype, b.dtype)
        ctx.out_dtype_ = np.dtype(out_dtype)

    @staticmethod
    def _grads(ctx, ga, gb):
        (ca, cb), (da, db) = ctx.kinds, ctx.dtypes
        return (None if ga is None else _as_input(ga, ca, da),
                None if gb is None else _as_input(gb, cb, db))


class Add(_Binary):
    """a + α·b (alguno complejo). ∂/∂a = G, ∂/∂b = α·G (parte real si la entrada es real)."""

    @staticmethod
    def forward(ctx, a, b, alpha=1, out_dtype=None):
        _Binary._begin(ctx, a, b, out_dtype)
        ctx.alpha = alpha
        return (a + alpha * b if alpha != 1 else a + b).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return _Binary._grads(ctx, g, ctx.alpha * g if ctx.alpha != 1 else g)


class Sub(_Binary):
    """a − b. ∂/∂a = G, ∂/∂b = −G."""

    @staticmethod
    def forward(ctx, a, b, out_dtype=None):
        _Binary._begin(ctx, a, b, out_dtype)
        return (a - b).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return _Binary._grads(ctx, g, -g)


class Mul(_Binary):
    """a·b. ∂/∂a = G·b̄, ∂/∂b = G·ā (parte real para una entrada real)."""

    @staticmethod
    def forward(ctx, a, b, out_dtype=None):
        _Binary._begin(ctx, a, b, out_dtype)
        ctx.save_for_backward(a, b)
        return (a * b).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return _Binary._grads(ctx, g * np.conj(b) if na else None, g * np.conj(a) if nb else None)


class Div(_Binary):
    """a / b. ∂/∂a = G / b̄, ∂/∂b = −G·conj(a / b²)."""

    @staticmethod
    def forward(ctx, a, b, out_dtype=None):
        _Binary._begin(ctx, a, b, out_dtype)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a / b).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = g / np.conj(b) if na else None
            gb = -g * np.conj(a / (b * b)) if nb else None
        return _Binary._grads(ctx, ga, gb)


class PowScalar(ArrayFunction):
    """z^p con p real (rama principal, como PyTorch). ∂: G·conj(p·z^{p−1}) (0 si p = 0)."""

    @staticmethod
    def forward(ctx, z, p=2):
        ctx.p = p
        ctx.save_for_backward(z)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(z, p).astype(z.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros_like(z)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g * np.conj(p * np.power(z, p - 1))).astype(z.dtype, copy=False)


class Exp(ArrayFunction):
    """e^z. ∂: G·conj(e^z)."""

    @staticmethod
    def forward(ctx, z):
        out = np.exp(z)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * np.conj(out)
