"""El motor de ``backward``: recorre los nodos en orden topológico inverso (sin recursión), aplica
los hooks, comprueba las versiones y acumula ``.grad`` en las hojas."""
from __future__ import annotations

import contextlib

import numpy as np

from .protocol import topo_sort
from .function import _node
from .graph import Context, TensorBase, unbroadcast

__all__ = ["run_backward", "topo_order", "observe_backward", "grad"]

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


def _node_parents(node):
    return node.parents if node.__class__ is Context else ()


def topo_order(roots) -> list:
    """Nodos (``Context`` u hojas) en orden topológico iterativo: padres antes que hijos
    (el mismo recorrido que el resto del paquete: ``protocol.topo_sort``)."""
    return topo_sort(list(roots), _node_parents)


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
        t._grad._vc.value += 1


def _check_versions(ctx):
    for counter, version, shape in ctx._versions:
        if counter.value != version:
            raise RuntimeError(
                f"una de las variables que '{ctx.fn.__name__}' guardó para calcular el gradiente se "
                f"modificó con una operación in situ: el tensor de forma {shape} está en la versión "
                f"{counter.value} y se guardó en la versión {version}. Usa una operación normal "
                f"(x = x + 1 en lugar de x += 1) o .clone() antes de modificarlo")


def run_backward(root, grad: np.ndarray, retain_graph: bool = False, capture=None):
    """Propaga ``grad`` desde ``root`` hasta las hojas en orden topológico inverso y acumula
    ``.grad`` en las hojas (y en los intermedios con ``retain_grad``).

    Con ``capture`` (nodos), no toca ningún ``.grad``: devuelve ``{id(nodo): gradiente}`` de esos
    nodos (es ``autograd.grad``)."""
    start = _node(root)
    order = topo_order([start])
    grads = {id(start): grad}
    captured = {} if capture is not None else None
    wanted = {id(n) for n in capture} if capture is not None else ()
    for node in reversed(order):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if not isinstance(node, Context):  # hoja
            if node._hooks:
                g = _apply_hooks(node, g)
            if captured is None:
                _accumulate(node, g)
            elif id(node) in wanted:
                captured[id(node)] = g
            continue
        ctx = node
        out = ctx.output()
        if out is not None:
            if out._hooks:
                g = _apply_hooks(out, g)
            if out._retain and captured is None:
                _accumulate(out, g)
        if captured is not None and id(ctx) in wanted:
            captured[id(ctx)] = g
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
            if ig.__class__ is not np.ndarray:
                ig = np.asarray(ig)
            if ig.shape != shape:
                ig = unbroadcast(ig, shape)
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
    return captured


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Gradientes de ``outputs`` respecto de ``inputs`` **sin** tocar ningún ``.grad`` (como
    ``torch.autograd.grad``). Devuelve una tupla de tensores, uno por entrada."""
    if create_graph:
        raise NotImplementedError("autograd.grad(create_graph=True) (derivadas de orden superior) no está "
                                  "soportado en tinygrad_es")
    single = isinstance(outputs, TensorBase)
    outs = [outputs] if single else list(outputs)
    ins = [inputs] if isinstance(inputs, TensorBase) else list(inputs)
    if grad_outputs is None:
        gos = [None] * len(outs)
    else:
        gos = [grad_outputs] if isinstance(grad_outputs, TensorBase) else list(grad_outputs)
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("autograd.grad: una de las entradas no requiere gradiente")
    nodes = [_node(t) for t in ins]
    total = {}
    for o, go in zip(outs, gos):
        if not o.requires_grad:
            raise RuntimeError("autograd.grad: la salida no requiere gradiente ni tiene grafo")
        if go is None:
            if o._data.size != 1:
                raise RuntimeError(f"autograd.grad: grad_outputs es obligatorio para salidas de forma "
                                   f"{tuple(o._data.shape)}")
            g = np.ones_like(o._data)
        else:
            g = np.asarray(go._data if isinstance(go, TensorBase) else go, dtype=o._data.dtype)
        got = run_backward(o, g, bool(retain_graph), capture=nodes)
        for k, v in got.items():
            total[k] = v if k not in total else total[k] + v
    res = []
    for t, n in zip(ins, nodes):
        g = total.get(id(n))
        if g is None and not allow_unused:
            raise RuntimeError("autograd.grad: una de las entradas no se usó para calcular la salida "
                               "(usa allow_unused=True)")
        res.append(None if g is None else TensorBase._wrap(np.array(g, dtype=t._data.dtype, copy=True)))
    return tuple(res)
