"""Las operaciones "fusionadas" al estilo BLAS de PyTorch, compuestas de ``matmul`` y aritmética:
``addmm`` (``β·input + α·(A @ B)``), ``addmv``, ``addbmm``, ``baddbmm``, ``addr``, ``addcmul``,
``addcdiv``, y los productos ``inner``, ``vdot`` y ``kron``.

No tienen ``Function`` propia: su gradiente (y el de segundo orden) es el de ``matmul``, ``mul`` y
``add``. Como en PyTorch, con ``beta=0`` se ignora ``input`` (un ``nan`` en él no pasa al
resultado) y ``alpha``/``beta`` multiplican sólo si no valen 1.
"""
from __future__ import annotations

import numpy as np

from ..autograd import TensorBase

__all__ = ["BlasMixin"]


def _check_ndim(name, **tensors):
    for arg, (t, nd) in tensors.items():
        if not isinstance(t, TensorBase):
            raise TypeError(f"{name}(): '{arg}' debe ser un Tensor, no {type(t).__name__}")
        if t.ndim != nd:
            raise RuntimeError(f"{name}(): '{arg}' debe ser un tensor {nd}-D, y tiene forma {tuple(t.shape)}")


def _scale(t, s):
    return t if s == 1 else t * s


def _add_scaled(name, input, prod, beta, alpha):
    """``β·input + α·prod`` con las reglas de PyTorch (``input`` se difunde a la forma de ``prod``;
    con enteros, ``α`` y ``β`` se truncan a enteros; con bool son lógicos: ``(β ∧ input) ∨ (α ∧ prod)``)."""
    kind = prod._data.dtype.kind
    if kind == "b":
        alpha, beta = bool(alpha), bool(beta)
        out = prod if alpha else prod.logical_and(False)
    else:
        if kind in "iu":
            alpha, beta = int(alpha), int(beta)
        out = _scale(prod, alpha)
    try:
        np.broadcast_shapes(tuple(input.shape), tuple(out.shape))
    except ValueError:
        raise RuntimeError(f"{name}(): 'input' de forma {tuple(input.shape)} no se puede difundir a la forma "
                           f"del producto {tuple(out.shape)}") from None
    if np.broadcast_shapes(tuple(input.shape), tuple(out.shape)) != tuple(out.shape):
        raise RuntimeError(f"{name}(): 'input' de forma {tuple(input.shape)} no se puede difundir a la forma "
                           f"del producto {tuple(out.shape)}")
    if not beta:
        return out
    if kind == "b":
        return out.logical_or(input)
    return _scale(input, beta) + out


class BlasMixin:
    __slots__ = ()

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        """``beta·self + alpha·(mat1 @ mat2)`` con ``mat1`` (n, m), ``mat2`` (m, p) y ``self``
        difundible a (n, p). Derivadas: ∂/∂self = beta, ∂/∂mat1 = alpha·G·mat2ᵀ,
        ∂/∂mat2 = alpha·mat1ᵀ·G. Ejemplo: ``b.addmm(x, W.t())`` es la capa lineal.
        En PyTorch: ``torch.addmm``."""
        _check_ndim("addmm", mat1=(mat1, 2), mat2=(mat2, 2))
        return _add_scaled("addmm", self, mat1.mm(mat2), beta, alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        """``beta·self + alpha·(mat @ vec)`` con ``mat`` (n, m) y ``vec`` (m,). En PyTorch: ``torch.addmv``."""
        _check_ndim("addmv", mat=(mat, 2), vec=(vec, 1))
        return _add_scaled("addmv", self, mat.mv(vec), beta, alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        """``beta·self + alpha·Σ_b batch1[b] @ batch2[b]`` con ``batch1`` (B, n, m) y ``batch2``
        (B, m, p): la suma de los productos del lote. En PyTorch: ``torch.addbmm``."""
        _check_ndim("addbmm", batch1=(batch1, 3), batch2=(batch2, 3))
        b, n, m = batch1.shape
        if batch2.shape[0] != b:
            raise RuntimeError(f"addbmm(): batch1 y batch2 deben tener el mismo número de matrices "
                               f"({b} y {batch2.shape[0]})")
        # Σ_b A_b·B_b como un solo producto (n, B·m) @ (B·m, p): se acumula como lo hace BLAS
        flat = batch1.permute(1, 0, 2).reshape(n, b * m).mm(batch2.reshape(b * m, batch2.shape[2]))
        return _add_scaled("addbmm", self, flat, beta, alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        """``beta·self + alpha·(batch1 @ batch2)`` por lotes: (B, n, m) @ (B, m, p) → (B, n, p).
        En PyTorch: ``torch.baddbmm`` (la atención de los Transformers la usa)."""
        _check_ndim("baddbmm", batch1=(batch1, 3), batch2=(batch2, 3))
        return _add_scaled("baddbmm", self, batch1.bmm(batch2), beta, alpha)

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        """``beta·self + alpha·outer(vec1, vec2)``. En PyTorch: ``torch.addr``."""
        _check_ndim("addr", vec1=(vec1, 1), vec2=(vec2, 1))
        if vec1._data.dtype == np.bool_ and vec2._data.dtype == np.bool_:
            prod = vec1.unsqueeze(1).logical_and(vec2.unsqueeze(0))
        else:
            prod = vec1.outer(vec2)
        return _add_scaled("addr", self, prod, beta, alpha)

    def addcmul(self, tensor1, tensor2, *, value=1):
        """``self + value·tensor1·tensor2`` (con difusión): el paso de Adam escrito a mano.
        Derivadas: 1, value·tensor2, value·tensor1. En PyTorch: ``torch.addcmul``."""
        return self + _scale(tensor1 * tensor2, value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        """``self + value·tensor1/tensor2``; con enteros en ``tensor1`` y ``tensor2`` es un error,
        como en PyTorch. Derivadas: 1, value/tensor2, −value·tensor1/tensor2². En PyTorch:
        ``torch.addcdiv``."""
        if all(isinstance(t, TensorBase) and t._data.dtype.kind in "biu" for t in (tensor1, tensor2)):
            raise RuntimeError("addcdiv: la división entera ya no está soportada (como en PyTorch): usa "
                               "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype)")
        return self + _scale(tensor1 / tensor2, value)

    def inner(self, other):
        """Producto interior sobre el último eje: ``(..., n) · (..., n) → (...self, ...other)``;
        con un 0-D es el producto. En PyTorch: ``torch.inner``."""
        if self.ndim == 0 or (isinstance(other, TensorBase) and other.ndim == 0):
            return self * other
        if self.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner(): el último eje debe coincidir: {tuple(self.shape)} y {tuple(other.shape)}")
        a = self.reshape(*self.shape[:-1], *([1] * (other.ndim - 1)), self.shape[-1])
        return (a * other).sum(-1)

    def vdot(self, other):
        """Producto escalar de dos vectores 1-D (el primero conjugado si es complejo). En PyTorch:
        ``torch.vdot``."""
        _check_ndim("vdot", input=(self, 1), other=(other, 1))
        a = self.conj() if self.is_complex() else self
        return a.dot(other)

    def kron(self, other):
        """Producto de Kronecker: el bloque (i, j) del resultado es ``self[i, j] · other``; forma
        ``self.shape · other.shape`` eje a eje. En PyTorch: ``torch.kron``."""
        nd = max(self.ndim, other.ndim)
        a = self.reshape(*([1] * (nd - self.ndim)), *self.shape)
        b = other.reshape(*([1] * (nd - other.ndim)), *other.shape)
        inter_a = [s for d in a.shape for s in (d, 1)]
        inter_b = [s for d in b.shape for s in (1, d)]
        return (a.reshape(*inter_a) * b.reshape(*inter_b)).reshape(*[x * y for x, y in zip(a.shape, b.shape)])
