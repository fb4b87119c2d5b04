"""Lo que comparten las familias de ``ops/``: el estado de errores de numpy con el que se calculan
(PyTorch no avisa de inf/nan: los devuelve), la comprobación de forma de las binarias y la fábrica
de las ``Function`` elemento a elemento de una entrada (``pointwise``: las tablas de ``unary.py`` y
``activation.py``)."""
import numpy as np

from ..autograd import Function, broadcast_shape

__all__ = ["IGNORE_FP_ERRORS", "check_broadcast", "pointwise"]

# np.errstate(**IGNORE_FP_ERRORS): inf y nan se devuelven sin RuntimeWarning, como en PyTorch
IGNORE_FP_ERRORS = dict(divide="ignore", invalid="ignore", over="ignore")


def check_broadcast(a, b, op):
    """Error de PyTorch (en castellano) si las formas de ``a`` y ``b`` no hacen broadcasting."""
    if a.shape != b.shape:
        broadcast_shape(a.shape, b.shape, op=op)


def pointwise(name, f, df, doc, module, saves="x", zero=None):
    """Una ``Function`` elemento a elemento: ``y = f(x, **opciones)``, ``∂y/∂x = df(...)``.

    ``df`` recibe lo que se guarda para el backward (``saves``: ``"x"``, ``"y"``, ``"xy"`` o ``""``,
    en ese orden) y las mismas opciones. Se guarda sólo lo que usa la derivada, como PyTorch: así,
    modificar in situ la salida de ``sin`` no estropea su backward (guarda x) y la de ``tan`` sí
    (guarda y), y el contador de versiones lo dice.

    ``zero`` (opcional, con los mismos argumentos que ``df``) marca dónde la derivada es 0: allí el
    backward **elige** 0 (``where``) en vez de multiplicar, así que un gradiente inf o nan que llega
    de arriba da 0, como en PyTorch (``hardtanh``, ``threshold``, los ``shrink``...). ``df=None``
    es la derivada 1 fuera de esa zona."""
    keep_x, keep_y = "x" in saves, "y" in saves

    def forward(ctx, a, **kw):
        with np.errstate(**IGNORE_FP_ERRORS):
            out = np.asarray(f(a, **kw)).astype(a.dtype, copy=False)
        ctx.save_for_backward(*((a,) if keep_x else ()), *((out,) if keep_y else ()))
        ctx.kw = kw
        return out

    def backward(ctx, g):
        with np.errstate(**IGNORE_FP_ERRORS):
            keep = g if df is None else g * df(*ctx.saved_tensors, **ctx.kw)
            if zero is None:
                return keep
            return np.where(zero(*ctx.saved_tensors, **ctx.kw), g.dtype.type(0), keep)

    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                    "__doc__": doc, "__module__": module})
