"""Las reglas del modo hacia delante (``forward_ad.py``): la tangente de la salida de cada
operación, ``ẏ = Σᵢ ∂f/∂xᵢ·ẋᵢ``, a partir de lo que declara su ``ArrayFunction``
(``array_function.py``). ``ArrayFunction.apply`` llama a ``propagate`` si alguna entrada es dual.

* ``bilinear`` (producto, matmul, lineal, convolución: ``f(a, b, sesgo) = B(a, b) + L(sesgo)``):
  ``J·(ȧ, ḃ, ṡ) = f(ȧ, b, ṡ) + f(a, ḃ, 0)``, dos forwards de la propia operación (registrados: la
  tangente se puede derivar). Es la regla más barata y la de las operaciones más caras.
* ``linear`` o ``tangent`` (jacobiano constante: sumas, vistas, reducciones, relu, max-pooling,
  indexado...): la regla ya existe, es ``tangent`` (o el propio ``forward`` si es lineal). Cuesta
  lo que un forward. El nodo que la calcula (``_Tangent``) tiene como backward el backward de la
  operación: la tangente se puede derivar en modo inverso.
* ``differentiable`` o ``takes_tensors`` (exp, tanh, división, softmax, normas...): la regla es la
  **traspuesta** de la VJP. El backward de la operación es la función lineal ``u ↦ Jᵀ·u``; se
  ejecuta una vez con ``u`` simbólico (un tensor que pide gradiente, como en ``create_graph=True``)
  y el gradiente de ``⟨Jᵀ·u, ẋ⟩`` respecto de ``u`` es ``J·ẋ``. Exacto (no hay diferencias finitas) y la derivada
  está escrita en **un** sitio (el backward), pero cuesta dos pasos de backward de esa operación.
* ``jvp(ctx, *dx)`` (con ndarrays; ``BatchNorm``): su regla escrita a mano, sin grafo (derivar esa
  tangente otra vez es un ``RuntimeError`` que la nombra).
* ninguna (la derivada segunda no está implementada: las recurrentes, la atención, las
  descomposiciones...): ``NotImplementedError`` que nombra la operación, como PyTorch con las
  operaciones sin fórmula hacia delante.
"""
from __future__ import annotations

import numpy as np

from .array_function import ArrayFunction, ForwardAD
from .engine import grad as autograd_grad
from .grad_mode import enable_grad, is_grad_enabled
from .graph import TensorBase
from .higher_order import NotDifferentiable, _component, _tangent, graph_backward, sum_to

__all__ = ["propagate", "zeros_tangent"]


class _Tangent(ArrayFunction):
    """J·ẋ de una operación de jacobiano constante (``node``: su nodo; ``pos``: qué entradas son
    duales). Es lineal en las tangentes y su backward es el de la operación (Jᵀ·g)."""

    linear = True

    @staticmethod
    def forward(ctx, *dts, node=None, pos=()):
        dxs = [None] * len(node.input_meta)
        for p, d in zip(pos, dts):
            dxs[p] = d
        return np.asarray(_tangent(node, dxs)).astype(node.out_dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        node, pos = ctx.kwargs["node"], ctx.kwargs["pos"]
        res = node.fn.backward(node, g)
        return tuple(_component(node, res, p) for p in pos)


def _transposed_vjp(cls, ctx, out, duals, create):
    """J·ẋ = ∂⟨Jᵀ·u, ẋ⟩/∂u: el backward de la operación con ``u`` simbólico, derivado otra vez."""
    u = TensorBase._wrap(np.zeros(out._data.shape, out._data.dtype), True)
    with enable_grad():
        gs = graph_backward(ctx, u)
        pairs = []
        for i, t in duals:
            g = gs[i] if i < len(gs) else None
            if isinstance(g, TensorBase) and g._requires_grad:
                pairs.append((sum_to(g, ctx.input_meta[i][0]), t))
        if not pairs:
            return None
        (res,) = autograd_grad([g for g, _ in pairs], [u], [t for _, t in pairs], create_graph=create,
                               allow_unused=True)
    return res


def _bilinear(cls, args, kwargs, level):
    """J·ẋ de ``f(a, b, *resto) = B(a, b) + L(resto)`` (``B`` bilineal, ``L`` lineal: producto,
    matmul, lineal y convolución con su sesgo): ``f(ȧ, b, ṙesto) + f(a, ḃ, 0)``. Son dos llamadas
    al forward de la propia operación (registradas: la tangente se puede derivar)."""
    pos = [i for i, a in enumerate(args) if isinstance(a, TensorBase)]
    tans = {i: args[i]._fw[1] for i in pos if args[i]._fw is not None and args[i]._fw[0] is level}
    i0, i1 = pos[0], pos[1]

    def zero(i):
        return TensorBase._wrap(np.zeros_like(args[i]._data))

    res = None
    if any(i != i1 for i in tans):  # f(ȧ, b, ṙesto): ȧ y el resto lineal con su tangente (o 0)
        xs = [(tans[i] if i in tans else zero(i)) if (i == i0 or i in pos[2:]) else a for i, a in enumerate(args)]
        res = cls.apply(*xs, **kwargs)
    if i1 in tans:                  # f(a, ḃ, 0)
        xs = [tans[i1] if i == i1 else zero(i) if i in pos[2:] else a for i, a in enumerate(args)]
        term = cls.apply(*xs, **kwargs)
        res = term if res is None else res + term
    return res


def _array_jvp(cls, ctx, tensors, duals, grad_on):
    """La regla ``jvp`` de la operación, con ndarrays (BatchNorm). Si la tangente debería llevar
    grafo (tangentes o primales que piden gradiente), queda colgada de ``NotDifferentiable``:
    derivarla es un error que nombra la operación, no un gradiente equivocado."""
    dxs = [None] * len(tensors)
    for i, t in duals:
        dxs[i] = t._data
    value = np.asarray(cls.jvp(ctx, *dxs))
    edges = [t for _, t in duals if t._requires_grad] + [x for x in tensors if x._requires_grad]
    if grad_on and edges:
        return NotDifferentiable.apply(value, *edges, name=f"{cls.__name__} (su regla hacia delante)")
    return TensorBase._wrap(value)


def zeros_tangent(out):
    return TensorBase._wrap(np.zeros(out._data.shape, out._data.dtype))


def propagate(cls, ctx, args, kwargs, tensors, out) -> None:
    """La tangente de ``out = cls(tensors)`` (``ArrayFunction.apply`` la llama si alguna entrada
    es dual). Mientras se calcula, el nivel se desactiva: las cuentas de la regla no son duales."""
    level = ForwardAD.level
    duals = [(i, t._fw[1]) for i, t in enumerate(tensors) if t._fw is not None and t._fw[0] is level]
    if out._data.dtype.kind not in "fc":  # índices, máscaras: sin tangente, como en PyTorch
        return
    grad_on = is_grad_enabled()
    ForwardAD.level = None
    try:
        if cls.bilinear and sum(isinstance(a, TensorBase) for a in args) >= 2:
            res = _bilinear(cls, args, kwargs, level)
        elif cls.linear or cls.tangent is not None:
            res = _Tangent.apply(*[t for _, t in duals], node=ctx, pos=tuple(i for i, _ in duals))
        elif cls.differentiable or cls.takes_tensors:  # takes_tensors: conv, su backward ya admite tensores
            create = grad_on and (any(t._requires_grad for _, t in duals) or any(x._requires_grad for x in tensors))
            res = _transposed_vjp(cls, ctx, out, duals, create)
            if res is None:
                res = zeros_tangent(out)
        elif cls.jvp is not None:
            res = _array_jvp(cls, ctx, tensors, duals, grad_on)
        else:
            raise NotImplementedError(f"se intentó usar el modo hacia delante (forward AD) con '{cls.__name__}', "
                                      f"que aún no tiene derivada hacia delante (su backward no es derivable)")
    finally:
        ForwardAD.level = level
    out._fw = (level, res)
