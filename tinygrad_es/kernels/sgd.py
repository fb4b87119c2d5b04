"""``y ← y + α·x`` en una pasada y con **un** redondeo por elemento (el ``add_(x, alpha=α)`` de
PyTorch, que el paso de ``torch.optim.SGD`` usa para el parámetro y para el momento).

PyTorch calcula ``y + α·x`` con una multiplicación-suma fusionada (FMA: el producto no se redondea
antes de sumar); numpy (``y += α * x``) redondea dos veces y crea un temporal. Con
``fastmath={'contract'}`` (sólo permite fusionar ``a + b·c``; ninguna otra licencia de ``fastmath``)
LLVM emite la misma FMA vectorizada: el resultado coincide bit a bit con el de PyTorch (medido con
10⁵ elementos float32: 100 % iguales, frente a ~98 % con numpy) y la pasada es ~3× más rápida que
las dos de numpy (19 frente a 56-67 µs en la capa 784×128 del MLP). En una CPU sin FMA, LLVM no
fusiona y el resultado es el de numpy.
"""
import numpy as np
from numba import njit


@njit(cache=True, fastmath={"contract"})
def _axpy(y, x, alpha):
    # índices sin signo: con signo numba comprueba índices negativos y LLVM no vectoriza
    for i in range(np.uint64(y.size)):
        y[i] = y[i] + alpha * x[i]


def axpy_(y, x, alpha):
    """``y += alpha·x`` in situ con un redondeo (FMA), como ``y.add_(x, alpha=alpha)`` de PyTorch.
    ``y`` y ``x`` planos (1-D), contiguos y del mismo dtype flotante; ``alpha`` un escalar de ese
    dtype (``np.float32(-lr)``: una constante de Python haría las cuentas en float64)."""
    _axpy(y, x, alpha)
