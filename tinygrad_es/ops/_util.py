"""Lo que comparten las familias de ``ops/``: el estado de errores de numpy con el que se calculan
(PyTorch no avisa de inf/nan: los devuelve), la comprobación de forma de las binarias, la fábrica
de las ``ArrayFunction`` elemento a elemento de una entrada (``pointwise``: las tablas de ``unary.py``
y ``activation.py``) y la derivada hacia delante de las de jacobiano constante (orden superior)."""
import numpy as np

from ..autograd import ArrayFunction, broadcast_shape
from ._namespace import namespace

__all__ = ["IGNORE_FP_ERRORS", "check_broadcast", "pointwise", "elementwise_tangent"]

# np.errstate(**IGNORE_FP_ERRORS): inf y nan se devuelven sin RuntimeWarning, como en PyTorch
IGNORE_FP_ERRORS = dict(divide="ignore", invalid="ignore", over="ignore")


def check_broadcast(a, b, op):
    """Error de PyTorch (en castellano) si las formas de ``a`` y ``b`` no hacen broadcasting."""
    if a.shape != b.shape:
        broadcast_shape(a.shape, b.shape, op=op)


def pointwise(name, f, df, doc, module, saves="x", zero=None, constant=False):
    """Una ``ArrayFunction`` elemento a elemento: ``y = f(x, **opciones)``, ``∂y/∂x = df(xp, ...)``.

    ``df`` recibe el espacio de nombres (``xp``: numpy o el de tensores, para que la derivada se pueda
    derivar otra vez), lo que se guarda para el backward (``saves``: ``"x"``, ``"y"``, ``"xy"`` o
    ``""``, en ese orden) y las mismas opciones. Se guarda sólo lo que usa la derivada, como PyTorch:
    así, modificar in situ la salida de ``sin`` no estropea su backward (guarda x) y la de ``tan`` sí
    (guarda y), y el contador de versiones lo dice.

    ``zero`` (opcional, con los mismos argumentos que ``df`` salvo ``xp``) marca dónde la derivada es
    0: allí el backward **elige** 0 (``where``) en vez de multiplicar, así que un gradiente inf o nan
    que llega de arriba da 0, como en PyTorch (``hardtanh``, ``threshold``, los ``shrink``...).
    ``df=None`` es la derivada 1 fuera de esa zona. ``constant``: la derivada es constante a trozos
    (su derivada segunda es 0; basta la derivada hacia delante, ``elementwise_tangent``)."""
    keep_x, keep_y = "x" in saves, "y" in saves

    def forward(ctx, a, **kw):
        with np.errstate(**IGNORE_FP_ERRORS):
            out = np.asarray(f(a, **kw)).astype(a.dtype, copy=False)
        ctx.save_for_backward(*((a,) if keep_x else ()), *((out,) if keep_y else ()))
        ctx.kw = kw
        return out

    def backward(ctx, g):
        xp = namespace(g)
        with np.errstate(**IGNORE_FP_ERRORS):
            keep = g if df is None else g * df(xp, *ctx.saved_tensors, **ctx.kw)
            if zero is None:
                return keep
            return xp.where(zero(*ctx.saved_tensors, **ctx.kw), 0, keep)

    extra = {"tangent": staticmethod(elementwise_tangent)} if constant else {"differentiable": True}
    return type(name, (ArrayFunction,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                         "__doc__": doc, "__module__": module, **extra})


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
