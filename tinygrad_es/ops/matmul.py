"""Producto matricial con la semántica de ``np.matmul`` (1-D, 2-D y por lotes)."""
import numpy as np

from ..autograd import Function, unbroadcast
from ..kernels import gemm


def _mm(a, b):
    """``a @ b`` con BLAS de un hilo repartida entre hilos (``kernels.gemm``) cuando son matrices o lotes
    de matrices flotantes del mismo tipo con los mismos ejes de lote; si no, ``np.matmul``. Con lotes
    de matrices pequeñas, los hilos de OpenBLAS se esperan en cada una (medido en la máquina
    compartida con (64, 128, 32)·(64, 32, 128): 1,5 ms así frente a 30-300 ms con ``np.matmul``)."""
    if (a.ndim >= 2 and b.ndim >= 2 and a.dtype == b.dtype and a.dtype in (np.float32, np.float64)
            and (b.ndim == 2 or a.shape[:-2] == b.shape[:-2])):
        if a.ndim <= 3 and b.ndim <= 3:
            return gemm.matmul(a, b)
        lead = a.shape[:-2]
        a3 = a.reshape((-1,) + a.shape[-2:])
        b3 = b if b.ndim == 2 else b.reshape((-1,) + b.shape[-2:])
        return gemm.matmul(a3, b3).reshape(lead + (a.shape[-2], b.shape[-1]))
    return np.matmul(a, b)


class MatMul(Function):
    """C = A @ B: ∂L/∂A = G @ Bᵀ, ∂L/∂B = Aᵀ @ G (1-D como vectores fila/columna, lotes con broadcasting)."""

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul (@) no admite escalares: formas {a.shape} y {b.shape}; usa *")
        ka = a.shape[-1]
        kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if ka != kb:
            raise ValueError(f"formas incompatibles en '@': {a.shape} y {b.shape} "
                             f"(la última dimensión de la izquierda, {ka}, debe coincidir con "
                             f"la penúltima de la derecha, {kb})")
        try:
            out = _mm(a, b)
        except ValueError:
            raise ValueError(f"formas incompatibles en '@': {a.shape} y {b.shape} "
                             f"(las dimensiones de lote no hacen broadcasting)") from None
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # Los vectores 1-D se tratan como matrices (1,k) o (k,1), como hace matmul.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        out2 = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1])
        g2 = g.reshape(out2)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(_mm(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            gb = unbroadcast(_mm(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
        return ga, gb


class Linear(Function):
    """y = x @ Wᵀ + b (la capa lineal de PyTorch, en un solo nodo), ``x`` (..., entradas),
    ``W`` (salidas, entradas), ``b`` (salidas,) opcional:

        ∂L/∂x = G @ W,   ∂L/∂W = Gᵀ @ x,   ∂L/∂b = Σ_filas G

    (con ``x`` y ``G`` aplanados a matrices). Frente a ``x @ W.T + b`` ahorra dos nodos y
    da ∂L/∂W ya contiguo, con la disposición del parámetro (como PyTorch), en vez de la
    traspuesta de una GEMM que el optimizador tendría que recorrer a saltos."""

    @staticmethod
    def forward(ctx, x, w, b=None):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        out = gemm.matmul(x2, w.T) if x2.dtype == w.dtype else x2 @ w.T
        if b is not None:
            out += b
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        return out.reshape(x.shape[:-1] + (w.shape[0],))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        g2 = g.reshape(-1, w.shape[0])
        need = ctx.needs_input_grad
        dx = _mm(g2, w).reshape(x.shape) if need[0] else None
        dw = _mm(g2.T, x.reshape(-1, x.shape[-1])) if need[1] else None
        if not ctx.has_bias:
            return dx, dw
        return dx, dw, (g2.sum(axis=0) if need[2] else None)
