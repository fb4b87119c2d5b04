"""Los valores y vectores propios de una matriz cuadrada **no simétrica** (``torch.linalg.eigvals``,
``torch.linalg.eig``; V con columnas de norma 1, la de LAPACK): complejos
en general (``complex64`` para float32, ``complex128`` para float64), con LAPACK ``geev`` por numpy.

Derivada (la de PyTorch, convención de ``ops/complex.py``: llega G = ∂L/∂Re λ + i·∂L/∂Im λ): con
A = V·diag(λ)·V⁻¹, dλᵢ = (V⁻¹·dA·V)ᵢᵢ, así que

    Ā = V⁻ᴴ·diag(G)·Vᴴ          (su parte real si A es real)

(se resuelve Vᴴ·Ā = diag(G)·Vᴴ en vez de invertir V). Con V̄ también (``eig``), como PyTorch:

    Ā = V⁻ᴴ·(diag(G_λ) + (Vᴴ·V̄ − Vᴴ·V·diag(Re diag(Vᴴ·V̄))) ⊘ conj(E))·Vᴴ,   E_ij = λⱼ − λᵢ (fuera de la diagonal)

Cada vector propio está definido salvo un factor e^(iφ): una pérdida que dependa de φ no tiene
derivada (``Im diag(Vᴴ·V̄) ≠ 0``) y, como PyTorch, es un error. Con valores propios repetidos V es
singular y la derivada no existe: sale inf/nan, como en PyTorch."""
import numpy as np

from ..autograd import ArrayFunction
from .complex import complex_dtype

__all__ = ["Eigvals", "Eig"]


def _eig(a):
    cd = complex_dtype(a.dtype)
    if a.shape[-1] == 0:
        return np.zeros(a.shape[:-1], cd), np.zeros(a.shape, cd)
    w, v = np.linalg.eig(a)
    return w.astype(cd, copy=False), v.astype(cd, copy=False)


def _backward(w, v, gw, gv, dtype):
    if v.shape[-1] == 0:
        return np.zeros(v.shape, dtype)
    vh = np.conj(np.swapaxes(v, -1, -2))
    n = w.shape[-1]
    idx = np.arange(n)
    with np.errstate(all="ignore"):
        if gv is None:
            mid = np.zeros(v.shape, v.dtype)
        else:
            vhgv = vh @ gv
            d = np.diagonal(vhgv, axis1=-2, axis2=-1)
            if not np.allclose(d.imag, 0, rtol=1e-2, atol=1e-2):
                raise RuntimeError("linalg.eig: cada vector propio complejo está definido salvo un factor e^(iφ), y la "
                                   "pérdida depende de ese factor: su derivada no está definida (como en PyTorch)")
            e = np.conj(w[..., None, :] - w[..., :, None])
            e[..., idx, idx] = 1
            mid = (vhgv - vh @ (v * d.real[..., None, :])) / e
        mid[..., idx, idx] = 0 if gw is None else gw
        ga = np.linalg.solve(vh, mid @ vh)
    return (ga.real if np.dtype(dtype).kind != "c" else ga).astype(dtype, copy=False)


class Eig(ArrayFunction):
    """λ y V de A (..., n, n), planos uno tras otro (``_tensor/decompositions.eig`` los separa);
    ∂: la fórmula del docstring del módulo."""

    @staticmethod
    def forward(ctx, a):
        w, v = _eig(a)
        ctx.w, ctx.v, ctx.dtype = w, v, a.dtype
        return np.concatenate([w.reshape(-1), v.reshape(-1)])

    @staticmethod
    def backward(ctx, g):
        w, v = ctx.w, ctx.v
        gw, gv = g[:w.size].reshape(w.shape), g[w.size:].reshape(v.shape)
        return _backward(w, v, gw, gv if gv.any() else None, ctx.dtype)


class Eigvals(ArrayFunction):
    """λ(A) (..., n) de A (..., n, n); ∂: Ā = Re(V⁻ᴴ·diag(G)·Vᴴ) (véase el docstring del módulo)."""

    @staticmethod
    def forward(ctx, a):
        w, v = _eig(a)
        ctx.w, ctx.v, ctx.dtype = w, v, a.dtype
        return w

    @staticmethod
    def backward(ctx, g):
        return _backward(ctx.w, ctx.v, g, None, ctx.dtype)
