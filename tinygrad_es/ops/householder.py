"""La factorización QR en la forma compacta de LAPACK (``geqrf``): A = Q·R con Q = H₁·H₂·…·Hₖ,
Hᵢ = I − τᵢ·vᵢ·vᵢᵀ (reflexiones de Householder). ``a`` guarda R en y sobre la diagonal y, debajo, cada
vᵢ sin su 1 inicial (vᵢ = (0, …, 0, 1, a[i+1:, i])); ``tau`` los τᵢ. Se calcula con numpy
(``numpy.linalg.qr(mode="raw")``, que llama a ``dgeqrf`` de LAPACK, como PyTorch) y, como en PyTorch,
no tiene derivada: pedirla es ``NotImplementedError``. Q a partir de (a, τ) (``householder_product``,
``ormqr``) se compone con operaciones de ``Tensor`` en ``_tensor/householder.py`` (así su derivada,
también la segunda, sale de la regla de la cadena)."""
import numpy as np

from ..autograd import ArrayFunction

__all__ = ["geqrf_array", "NoDerivative"]


def geqrf_array(a):
    """``(a, tau)`` de LAPACK ``geqrf`` para un (lote de) matrices (..., m, n)."""
    *batch, m, n = a.shape
    k = min(m, n)
    if k == 0:
        return np.array(a, copy=True), np.zeros((*batch, 0), a.dtype)
    h, tau = np.linalg.qr(a, mode="raw")   # h traspuesta (orden de Fortran)
    return np.ascontiguousarray(np.swapaxes(h, -1, -2)).astype(a.dtype, copy=False), tau.astype(a.dtype, copy=False)


class NoDerivative(ArrayFunction):
    """Devuelve ``value`` (ya calculado) y deja constancia en el grafo de que ``name`` no tiene derivada:
    el backward lanza ``error`` (``NotImplementedError`` por defecto, como PyTorch con ``geqrf``: "the
    derivative for 'geqrf' is not implemented"; ``RuntimeError`` en ``ldl_factor``/``ldl_solve``)."""

    @staticmethod
    def forward(ctx, a, value=None, name="", error=NotImplementedError):
        ctx.name, ctx.error = name, error
        return value

    @staticmethod
    def backward(ctx, g):
        raise ctx.error(f"la derivada de {ctx.name} no está implementada (tampoco en PyTorch)")
