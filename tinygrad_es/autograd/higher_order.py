"""Derivadas de orden superior: cómo el motor hace que el **gradiente** tenga su propio grafo
(``backward(create_graph=True)``, ``autograd.grad(..., create_graph=True)``).

En primer orden el motor trabaja con ndarrays (``engine.py``). Con ``create_graph=True`` recorre el
mismo grafo pero con **tensores**: el gradiente que llega a cada nodo es un ``Tensor`` y el paso
de backward de cada operación se calcula con operaciones que se registran. Según lo que declare la
``ArrayFunction`` (``array_function.py``):

* ``differentiable``: su ``backward`` se ejecuta tal cual con tensores. Lo que guardó en el forward
  se **reengancha** a su grafo (``saved_as_tensors``): una entrada guardada vuelve como el tensor
  de entrada (o un alias con su mismo nodo ``grad_fn``) y la salida guardada como un tensor cuyo
  ``grad_fn`` es el propio nodo, como hace PyTorch. Si el backward pasara por numpy un tensor que
  requiere gradiente (perdiendo el grafo sin avisar), ``Tensor.__array__`` lo impide
  (``strict_graph``).
* ``tangent``/``linear`` (jacobiano constante): el gradiente de la entrada ``i`` es
  ``Transposed(g)``: su forward es el backward de la operación y su backward, la derivada hacia
  delante ``tangent``; como también es de jacobiano constante, su gradiente es otro
  ``Transposed``: derivadas de cualquier orden sin escribir nada más.
* ninguna: el gradiente se calcula con ndarrays y queda colgado de un nodo ``NotDifferentiable``
  que, si se intenta derivar otra vez, lanza un ``RuntimeError`` que nombra la operación (como
  PyTorch con las derivadas dobles no implementadas).

Nada de esto se ejecuta en primer orden: ``release()`` sigue soltando las activaciones tras un
``backward()`` normal.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np

from .array_function import ArrayFunction
from .graph import Context, TensorBase, unbroadcast

__all__ = ["OutputGrads", "saved_as_tensors", "input_tensor", "output_tensor", "graph_backward", "sum_to",
           "strict_graph", "in_strict_graph", "Transposed", "transposed_of", "NotDifferentiable", "as_tensor_grad"]


class _Strict(threading.local):
    depth = 0


_strict = _Strict()


@contextlib.contextmanager
def strict_graph():
    """Durante el bloque, convertir en ndarray un tensor que requiere gradiente es un error (un
    backward de orden superior no puede perder el grafo sin avisar)."""
    _strict.depth += 1
    try:
        yield
    finally:
        _strict.depth -= 1


def in_strict_graph() -> bool:
    return _strict.depth > 0


# --------------------------------------------------------------------------
# gradientes de varias salidas (Function de PyTorch con varias salidas)
# --------------------------------------------------------------------------
class OutputGrads(list):
    """Los gradientes de las salidas de un nodo de varias salidas (``None`` si no llegó ninguno).
    El motor los suma posición a posición con ``+``."""

    def __add__(self, other):
        return OutputGrads(b if a is None else a if b is None else a + b for a, b in zip(self, other))

    __radd__ = __add__

    @staticmethod
    def one(n: int, i: int, g) -> "OutputGrads":
        out = OutputGrads([None] * n)
        out[i] = g
        return out


# --------------------------------------------------------------------------
# lo guardado, de vuelta en su grafo
# --------------------------------------------------------------------------
def input_tensor(ctx: Context, i: int, data=None):
    """La entrada ``i`` de ``ctx`` como tensor con su grafo: el tensor original si sigue vivo; si no,
    la hoja (que el nodo guarda) o un alias de ``data`` con el mismo ``grad_fn``."""
    t = ctx.input_refs[i]()
    if t is not None:
        return t
    parent = ctx.parents[i]
    if isinstance(parent, TensorBase):  # una hoja con requires_grad: el nodo es ella misma
        return parent
    if data is None:  # sólo para unir el grafo (NotDifferentiable): nadie leerá el dato
        shape, dtype = ctx.input_meta[i]
        data = np.broadcast_to(np.zeros((), dtype), shape)
    alias = TensorBase._wrap(data, parent is not None)
    alias._ctx = parent
    return alias


def output_tensor(ctx: Context, data):
    """La salida de ``ctx`` como tensor cuyo ``grad_fn`` es ``ctx`` (la original si sigue viva)."""
    out = ctx.output()
    if out is not None and out._data is data:
        return out
    alias = TensorBase._wrap(data, True)
    alias._ctx = ctx
    return alias


def saved_as_tensors(ctx: Context) -> tuple:
    """``ctx.saved_tensors`` con cada entrada o salida guardada convertida en tensor de su grafo.
    Los arrays booleanos o enteros (máscaras, índices) siguen siendo constantes; un array real que
    no es ni entrada ni salida no se puede reenganchar y es un error de la operación."""
    out = list(ctx.saved_tensors)
    origins = ctx._origins
    for slot, s in enumerate(out):
        if not isinstance(s, np.ndarray):
            continue
        o = origins[slot] if slot < len(origins) else None
        if o is None:
            if s.dtype.kind in "fc":
                raise RuntimeError(f"'{ctx.fn.__name__}' guardó para el backward un valor calculado (forma "
                                   f"{tuple(s.shape)}) que no es ni una entrada ni la salida: su backward no se puede "
                                   f"derivar otra vez (error interno de la operación)")
            continue
        out[slot] = output_tensor(ctx, s) if o == -1 else input_tensor(ctx, o, s)
    return tuple(out)


def sum_to(g, shape):
    """``unbroadcast`` con operaciones de ``Tensor`` (diferenciable)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(dim=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(dim=axes, keepdim=True)
    return g.reshape(shape)


def as_tensor_grad(x, like_dtype):
    """Un resultado del backward como tensor: los ndarrays (partes constantes) se envuelven."""
    if isinstance(x, TensorBase):
        return x
    return TensorBase._wrap(np.asarray(x, dtype=like_dtype))


# --------------------------------------------------------------------------
# las dos caras de una operación de jacobiano constante
# --------------------------------------------------------------------------
def _component(node: Context, res, i: int):
    """El gradiente de la entrada ``i`` que devuelve ``node.fn.backward``, con su forma y dtype."""
    if not isinstance(res, tuple):
        res = (res,)
    shape, dtype = node.input_meta[i]
    r = res[i] if i < len(res) else None
    if r is None:
        return np.zeros(shape, dtype)
    r = np.asarray(r)
    if r.shape != shape:
        r = unbroadcast(r, shape)
    return r.astype(dtype, copy=False)


def _tangent(node: Context, dxs: list):
    """J·dx de ``node`` (``dxs`` alineado con sus entradas; ``None`` = 0)."""
    fn = node.fn
    if fn.tangent is not None:
        return np.asarray(fn.tangent(node, *dxs))
    full = [np.zeros(shape, dtype) if d is None else d for d, (shape, dtype) in zip(dxs, node.input_meta)]
    tmp = Context()
    tmp.needs_input_grad = (False,) * len(full)
    tmp.requires_grad = False
    return np.asarray(fn.forward(tmp, *full, **(node.kwargs or {})))


class Transposed(ArrayFunction):
    """Jᵀ·g para la entrada ``i`` de ``node``: el backward de una operación de jacobiano constante,
    como operación registrada. Es lineal en ``g``: su derivada hacia delante es ese mismo backward
    y su backward, la derivada hacia delante de ``node`` (``tangent``). Derivarlo otra vez crea el
    ``Transposed`` de éste: derivadas de cualquier orden. Cada operación tiene su subclase con
    nombre (``ReluBackward``, ``ReluBackwardBackward``...), que es lo que se ve en el dibujo."""

    linear = True

    @staticmethod
    def forward(ctx, g, node=None, i=0):
        return _component(node, node.fn.backward(node, g), i)

    @staticmethod
    def tangent(ctx, dg):
        node = ctx.kwargs["node"]
        return _component(node, node.fn.backward(node, dg), ctx.kwargs["i"])

    @staticmethod
    def backward(ctx, gg):
        node, i = ctx.kwargs["node"], ctx.kwargs["i"]
        dxs = [None] * len(node.input_meta)
        dxs[i] = gg
        return _tangent(node, dxs).astype(node.out_dtype, copy=False)


_TRANSPOSED: dict = {}


def transposed_of(fn) -> type:
    """La subclase de ``Transposed`` para la operación ``fn`` (``ReluBackward``...)."""
    cls = _TRANSPOSED.get(fn)
    if cls is None:
        cls = _TRANSPOSED[fn] = type(f"{fn.__name__}Backward", (Transposed,), {"__module__": __name__})
    return cls


class NotDifferentiable(ArrayFunction):
    """El gradiente de una operación cuya derivada segunda no está implementada: el dato es el
    gradiente de primer orden; derivarlo otra vez es un ``RuntimeError`` que nombra la operación."""

    @staticmethod
    def forward(ctx, value, *edges, name=""):
        ctx.op_name = name
        return value

    @staticmethod
    def backward(ctx, gg):
        raise RuntimeError(f"la derivada segunda de '{ctx.op_name}' no está implementada: su gradiente "
                           f"se puede calcular, pero no derivar otra vez (create_graph=True)")


def _delayed(ctx: Context, g, grads) -> tuple:
    """Los gradientes de un backward no derivable, colgados de ``NotDifferentiable`` si algo de
    lo que dependen (``g`` o las entradas) requiere gradiente."""
    if not isinstance(grads, tuple):
        grads = (grads,)
    edges = [g] + [input_tensor(ctx, i) for i, p in enumerate(ctx.parents) if p is not None]
    name = ctx.fn.__name__
    out = []
    for r in grads:
        if r is None:
            out.append(None)
        elif isinstance(r, TensorBase):
            out.append(r)
        else:
            out.append(NotDifferentiable.apply(np.asarray(r), *edges, name=name))
    return tuple(out)


def graph_backward(ctx: Context, g) -> tuple:
    """El paso de backward de ``ctx`` con tensores (``g`` es un ``Tensor``): devuelve un tensor (o
    ``None``) por entrada, con el grafo de su cálculo."""
    fn = ctx.fn
    if fn.takes_tensors:
        res = fn.backward(ctx, g)
        return res if isinstance(res, tuple) else (res,)
    if fn.tangent is not None or fn.linear:
        t = transposed_of(fn)
        return tuple(None if p is None else t.apply(g, node=ctx, i=i) for i, p in enumerate(ctx.parents))
    if fn.differentiable:
        saved = ctx.saved_tensors
        ctx.saved_tensors = saved_as_tensors(ctx)
        try:
            with strict_graph():
                res = fn.backward(ctx, g)
        finally:
            ctx.saved_tensors = saved
        return res if isinstance(res, tuple) else (res,)
    return _delayed(ctx, g, fn.backward(ctx, g._data))

