"""Lo que comparten las familias de ``ops/``: el estado de errores de numpy con el que se calculan
(PyTorch no avisa de inf/nan: los devuelve) y la comprobación de forma de las binarias."""
from ..autograd import broadcast_shape

__all__ = ["IGNORE_FP_ERRORS", "check_broadcast"]

# np.errstate(**IGNORE_FP_ERRORS): inf y nan se devuelven sin RuntimeWarning, como en PyTorch
IGNORE_FP_ERRORS = dict(divide="ignore", invalid="ignore", over="ignore")


def check_broadcast(a, b, op):
    """Error de PyTorch (en castellano) si las formas de ``a`` y ``b`` no hacen broadcasting."""
    if a.shape != b.shape:
        broadcast_shape(a.shape, b.shape, op=op)
