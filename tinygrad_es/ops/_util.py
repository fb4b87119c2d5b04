"""Lo que comparten las familias de ``ops/``: el estado de errores de numpy con el que se calculan
(PyTorch no avisa de inf/nan: los devuelve), la comprobación de forma de las binarias y la derivada
hacia delante de las operaciones elemento a elemento de jacobiano constante (orden superior)."""
import numpy as np

from ..autograd import broadcast_shape

__all__ = ["IGNORE_FP_ERRORS", "check_broadcast", "elementwise_tangent"]

# np.errstate(**IGNORE_FP_ERRORS): inf y nan se devuelven sin RuntimeWarning, como en PyTorch
IGNORE_FP_ERRORS = dict(divide="ignore", invalid="ignore", over="ignore")


def check_broadcast(a, b, op):
    """Error de PyTorch (en castellano) si las formas de ``a`` y ``b`` no hacen broadcasting."""
    if a.shape != b.shape:
        broadcast_shape(a.shape, b.shape, op=op)


def elementwise_tangent(ctx, *dxs):
    """J·dx de una operación elemento a elemento cuyo jacobiano no depende de las entradas (casi en
    todas partes: relu, clip, máximo, abs, los escalones...): las derivadas locales son su propio
    backward con ``g = 1``, así que la regla sigue escrita una sola vez."""
    local = ctx.fn.backward(ctx, np.ones(ctx.out_shape, ctx.out_dtype))
    if not isinstance(local, tuple):
        local = (local,)
    out = np.zeros(ctx.out_shape, ctx.out_dtype)
    for d, dx in zip(local, dxs):
        if d is not None and dx is not None:
            out = out + d * dx
    return out
