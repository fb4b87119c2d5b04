"""El motor de ``backward``: recorre los nodos en orden topológico inverso (sin recursión), aplica
los hooks, comprueba las versiones y acumula ``.grad`` en las hojas."""
from __future__ import annotations

import contextlib

import numpy as np

from .function import _node
from .graph import Context, TensorBase, unbroadcast

__all__ = ["run_backward", "topo_order", "observe_backward"]

_observers: list = []


@contextlib.contextmanager
def observe_backward(callback):
    """Durante el bloque, ``callback(ctx, grad_out, grads_in)`` se llama en cada paso del motor
    (``explain_backward`` lo usa para contar el backward real, no una copia)."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def topo_order(roots) -> list:
    """Nodos (``Context`` u hojas) en orden topológico iterativo: padres antes que hijos."""
    order, visited = [], set()
    stack = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if isinstance(node, Context):
            for p in reversed(node.parents):
                if p is not None and id(p) not in visited:
                    stack.append((p, False))
    return order


def _apply_hooks(t, g):
    for h in t._hooks.values():
        r = h(TensorBase._wrap(g))
        if r is not None:
            r = r._data if isinstance(r, TensorBase) else np.asarray(r)
            if r.shape != g.shape:
                raise RuntimeError(f"el hook de register_hook devolvió un gradiente de forma {r.shape}, "
                                   f"pero el tensor tiene forma {g.shape}")
            g = r.astype(g.dtype, copy=False)
    return g


def _accumulate(t, g):
    if t._grad is None:
        g = np.array(g, dtype=t._data.dtype, copy=True)  # propio y escribible
        t._grad = TensorBase._wrap(g)
    else:
        t._grad._data += g
        t._grad._version.value += 1


def _check_versions(ctx):
    for counter, version, shape in ctx._versions:
        if counter.value != version:
            raise RuntimeError(
                f"una de las variables que '{ctx.fn.__name__}' guardó para calcular el gradiente se "
                f"modificó con una operación in situ: el tensor de forma {shape} está en la versión "
                f"{counter.value} y se guardó en la versión {version}. Usa una operación normal "
                f"(x = x + 1 en lugar de x += 1) o .clone() antes de modificarlo")


def run_backward(root, grad: np.ndarray, retain_graph: bool = False) -> None:
    """Propaga ``grad`` desde ``root`` hasta las hojas en orden topológico inverso y acumula
    ``.grad`` en las hojas (y en los intermedios con ``retain_grad``)."""
    start = _node(root)
    order = topo_order([start])
    grads = {id(start): grad}
    for node in reversed(order):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if not isinstance(node, Context):  # hoja
            if node._hooks:
                g = _apply_hooks(node, g)
            _accumulate(node, g)
            continue
        ctx = node
        out = ctx.output()
        if out is not None:
            if out._hooks:
                g = _apply_hooks(out, g)
            if out._retain:
                _accumulate(out, g)
        if ctx.freed:
            raise RuntimeError(f"se intenta recorrer hacia atrás el grafo de '{ctx.fn.__name__}' por "
                               f"segunda vez, pero ya se liberó lo que guardaba. Usa "
                               f"backward(retain_graph=True) la primera vez")
        if ctx._versions:
            _check_versions(ctx)
        in_grads = ctx.fn.backward(ctx, g)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        for parent, (shape, dtype), ig in zip(ctx.parents, ctx.input_meta, in_grads):
            if ig is None or parent is None:
                continue
            ig = unbroadcast(np.asarray(ig), shape)
            if ig.dtype != dtype:
                ig = ig.astype(dtype)
            key = id(parent)
            prev = grads.get(key)
            grads[key] = ig if prev is None else prev + ig
        if _observers:
            for cb in list(_observers):
                cb(ctx, g, in_grads)
        if not retain_graph:
            ctx.release()
