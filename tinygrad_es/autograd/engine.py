"""El motor de ``backward``: recorre los nodos en orden topológico inverso (sin recursión), aplica
los hooks, comprueba las versiones y acumula ``.grad`` en las hojas.

Dos recorridos del mismo grafo: el de primer orden con ndarrays (``run_backward``, el rápido) y,
con ``create_graph=True``, el de tensores (``_run_graph``), en el que cada paso se registra y el
gradiente tiene su propio grafo (``higher_order.py``). ``backward`` y ``grad`` son las funciones
públicas de ``torch.autograd``.
"""
from __future__ import annotations

import contextlib

import numpy as np

from .. import _dtype as D
from .accumulate import accumulate, accumulate_graph, owned_by_engine
from .array_function import _node
from .grad_mode import enable_grad
from .graph import Context, TensorBase, unbroadcast
from .higher_order import OutputGrads, as_tensor_grad, graph_backward, sum_to
from .protocol import topo_sort

__all__ = ["run_backward", "topo_order", "observe_backward", "grad", "backward"]

_observers: list = []


@contextlib.contextmanager
def observe_backward(callback):
    """Durante el bloque, ``callback(ctx, grad_out, grads_in)`` se llama en cada paso del motor
    (``explain_backward`` lo usa para contar el backward real, no una copia). Los gradientes son
    ndarrays también en un backward de orden superior."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def _node_parents(node):
    # el caso común primero (un Context); las hojas y los nodos de Function de PyTorch, después
    return node.parents if node.__class__ is Context or isinstance(node, Context) else ()


def topo_order(roots) -> list:
    """Nodos (``Context`` u hojas) en orden topológico iterativo: padres antes que hijos
    (el mismo recorrido que el resto del paquete: ``protocol.topo_sort``)."""
    return topo_sort(list(roots), _node_parents)


def _prune(order: list, wanted: set) -> tuple:
    """Sólo los nodos desde los que se llega a alguno de ``wanted`` (lo que PyTorch ejecuta en
    ``autograd.grad``): ni cálculo de más ni errores de ramas que no hacen falta."""
    needed = set()
    for node in order:  # padres antes que hijos
        k = id(node)
        if k in wanted or any(p is not None and id(p) in needed for p in _node_parents(node)):
            needed.add(k)
    return [n for n in order if id(n) in needed], needed


def _hook_result(r):
    if not isinstance(r, (TensorBase, np.ndarray)):
        raise TypeError(f"el hook de register_hook debe devolver un Tensor (el gradiente nuevo) o None, no "
                        f"{type(r).__name__}")


def _apply_hooks(t, g):
    for h in t._hooks.values():
        r = h(TensorBase._wrap(g))
        if r is not None:
            _hook_result(r)
            r = r._data if isinstance(r, TensorBase) else np.asarray(r)
            if r.shape != g.shape:
                raise RuntimeError(f"el hook de register_hook devolvió un gradiente de forma {tuple(r.shape)}, "
                                   f"pero el tensor tiene forma {tuple(g.shape)}")
            g = r.astype(g.dtype, copy=False)
    return g


def _apply_hooks_graph(t, g):
    for h in t._hooks.values():
        r = h(g)
        if r is not None:
            _hook_result(r)
            r = as_tensor_grad(r, g._data.dtype)
            if r._data.shape != g._data.shape:
                raise RuntimeError(f"el hook de register_hook devolvió un gradiente de forma {tuple(r._data.shape)}, "
                                   f"pero el tensor tiene forma {tuple(g._data.shape)}")
            g = r
    return g


def _check_versions(ctx):
    for counter, version, shape, *_ in ctx._versions:
        if counter.value != version:
            raise RuntimeError(
                f"una de las variables que '{ctx.fn.__name__}' guardó para calcular el gradiente se "
                f"modificó con una operación in situ: el tensor de forma {tuple(shape)} está en la versión "
                f"{counter.value} y se guardó en la versión {version}. Usa una operación normal "
                f"(x = x + 1 en lugar de x += 1) o .clone() antes de modificarlo")


def _freed(ctx):
    return RuntimeError(f"se intenta recorrer hacia atrás el grafo de '{ctx.fn.__name__}' por segunda vez, "
                        f"pero ya se liberó lo que guardaba. Usa backward(retain_graph=True) la primera vez")


def run_backward(roots, grads, retain_graph: bool = False, capture=None, create_graph: bool = False):
    """Propaga ``grads`` desde ``roots`` (un tensor o una lista) hasta las hojas en orden
    topológico inverso y acumula ``.grad`` en las hojas (y en los intermedios con ``retain_grad``).

    Con ``capture`` (nodos), no toca ningún ``.grad``: sólo recorre lo que lleva a esos nodos y
    devuelve ``{id(nodo): gradiente}`` (es ``autograd.grad``). Con ``create_graph`` los gradientes
    son tensores con su propio grafo (``_run_graph``)."""
    if isinstance(roots, TensorBase):
        roots, grads = [roots], [grads]
    starts = [_node(r) for r in roots]
    order = topo_order(starts)
    needed = None
    if capture is not None:
        order, needed = _prune(order, {id(n) for n in capture})
    if create_graph:
        return _run_graph(order, starts, grads, retain_graph, capture, needed)
    grads_of = {}
    for s, g in zip(starts, grads):
        prev = grads_of.get(id(s))
        grads_of[id(s)] = g if prev is None else _sum(prev, g)
    grads = grads_of
    captured = {} if capture is not None else None
    wanted = {id(n) for n in capture} if capture is not None else ()
    pop = grads.pop
    for node in reversed(order):
        g = pop(id(node), None)
        if g is None:
            continue
        if node.__class__ is not Context and not isinstance(node, Context):  # hoja
            if node._hooks:
                g = _apply_hooks(node, g)
            if captured is None:
                owned = owned_by_engine(g)  # antes de la llamada: sus argumentos ya en la pila contarían
                accumulate(node, g, owned)
            elif id(node) in wanted:
                captured[id(node)] = g
            continue
        ctx = node
        ref = ctx.out_ref  # (ctx.output(), sin la llamada)
        out = None if ref is None else ref()
        if out is not None:
            if out._hooks:
                g = _apply_hooks(out, g)
            if out._retain and captured is None:
                accumulate(out, g)
        if captured is not None and id(ctx) in wanted:
            captured[id(ctx)] = g
            if not any(p is not None and id(p) in needed for p in ctx.parents):
                continue  # nada por debajo hace falta
        if ctx.freed:
            raise _freed(ctx)
        for v in ctx._versions:  # (counter, versión, forma): el error, con su mensaje, en _check_versions
            if v[0].value != v[1]:
                _check_versions(ctx)
        in_grads = ctx.fn.backward(ctx, g)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        for parent, (shape, dtype), ig in zip(ctx.parents, ctx.input_meta, in_grads):
            if ig is None or parent is None:
                continue
            if ig.__class__ is not np.ndarray:
                if ig.__class__ is OutputGrads:  # hacia un nodo de varias salidas
                    key = id(parent)
                    prev = grads.get(key)
                    grads[key] = ig if prev is None else prev + ig
                    continue
                ig = np.asarray(ig)
            if ig.shape != shape:
                ig = unbroadcast(ig, shape)
            if ig.dtype != dtype:
                ig = ig.astype(dtype)
            key = id(parent)
            prev = grads.get(key)
            grads[key] = ig if prev is None else _sum(prev, ig)
        if _observers:
            for cb in list(_observers):
                cb(ctx, g, in_grads)
        in_grads = ig = None  # que sólo ``grads`` retenga los gradientes (véase ``owned_by_engine``)
        if not retain_graph:
            ctx.release()
    return captured


def _sum(a, b):
    """Dos gradientes de un mismo nodo, sumados; siempre un ndarray (numpy devuelve un escalar
    ``np.float32`` al sumar dos arrays 0-D, y los backward esperan arrays)."""
    s = a + b
    return s if s.__class__ is np.ndarray else np.asarray(s)


def _run_graph(order, starts, grads, retain_graph, capture, needed):
    """El mismo recorrido con tensores: cada paso se registra (``higher_order.graph_backward``)."""
    grads_of = {}
    for s, g in zip(starts, grads):
        prev = grads_of.get(id(s))
        grads_of[id(s)] = g if prev is None else _sum(prev, g)
    grads = grads_of
    captured = {} if capture is not None else None
    wanted = {id(n) for n in capture} if capture is not None else ()
    with enable_grad():
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if not isinstance(node, Context):  # hoja
                if node._hooks:
                    g = _apply_hooks_graph(node, g)
                if captured is None:
                    accumulate_graph(node, g)
                elif id(node) in wanted:
                    captured[id(node)] = g
                continue
            ctx = node
            out = ctx.output()
            if out is not None:
                if out._hooks:
                    g = _apply_hooks_graph(out, g)
                if out._retain and captured is None:
                    accumulate_graph(out, g)
            if captured is not None and id(ctx) in wanted:
                captured[id(ctx)] = g
                if not any(p is not None and id(p) in needed for p in ctx.parents):
                    continue
            if ctx.freed:
                raise _freed(ctx)
            if ctx._versions:
                _check_versions(ctx)
            in_grads = graph_backward(ctx, g)
            for parent, (shape, dtype), ig in zip(ctx.parents, ctx.input_meta, in_grads):
                if ig is None or parent is None:
                    continue
                if ig.__class__ is not OutputGrads:
                    ig = as_tensor_grad(ig, dtype)
                    if tuple(ig._data.shape) != shape:
                        ig = sum_to(ig, shape)
                    if ig._data.dtype != dtype:
                        ig = ig.to(D._BY_NP[dtype])
                key = id(parent)
                prev = grads.get(key)
                grads[key] = ig if prev is None else prev + ig
            if _observers:
                data = tuple(None if ig is None else ig if ig.__class__ is OutputGrads else ig._data
                             for ig in in_grads)
                for cb in list(_observers):
                    cb(ctx, g if g.__class__ is OutputGrads else g._data, data)
            if not retain_graph:
                ctx.release()
    return captured


# --------------------------------------------------------------------------
# torch.autograd.backward y torch.autograd.grad
# --------------------------------------------------------------------------
def _as_list(x, what):
    if x is None:
        return None
    if isinstance(x, TensorBase):
        return [x]
    if isinstance(x, (list, tuple)):
        return list(x)
    raise TypeError(f"{what} debe ser un tensor o una secuencia de tensores, no {type(x).__name__}")


def _root_grads(outs, gos, create_graph, fn):
    """El gradiente inicial de cada salida (``ndarray``, o ``Tensor`` con ``create_graph``)."""
    if gos is None:
        gos = [None] * len(outs)
    if len(gos) != len(outs):
        raise RuntimeError(f"{fn}: se dieron {len(gos)} gradientes para {len(outs)} salidas")
    res = []
    for k, (o, go) in enumerate(zip(outs, gos)):
        if not isinstance(o, TensorBase):
            raise TypeError(f"{fn}: la salida {k} no es un tensor ({type(o).__name__})")
        if not o.requires_grad:
            raise RuntimeError(f"{fn}: la salida {k} no requiere gradiente ni tiene grafo (grad_fn): crea las "
                               f"hojas con requires_grad=True y no calcules dentro de no_grad()")
        if go is None:
            if o._data.size != 1:
                raise RuntimeError(f"{fn}: el gradiente sólo se crea solo para salidas escalares; la salida {k} "
                                   f"tiene forma {tuple(o._data.shape)}: pasa su gradiente (grad_outputs / "
                                   f"gradient) con esa forma o reduce antes (p. ej. .sum())")
            g = np.ones_like(o._data)
            res.append(TensorBase._wrap(g) if create_graph else g)
            continue
        gd = go._data if isinstance(go, TensorBase) else np.asarray(go)
        if gd.shape != o._data.shape:
            raise RuntimeError(f"{fn}: el gradiente de la salida {k} tiene forma {tuple(gd.shape)} y la salida "
                               f"{tuple(o._data.shape)}")
        if create_graph:
            t = go if isinstance(go, TensorBase) else TensorBase._wrap(gd)
            res.append(t if t._data.dtype == o._data.dtype else t.to(D._BY_NP[o._data.dtype]))
        else:
            res.append(gd.astype(o._data.dtype, copy=False))
    return res


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Acumula en ``.grad`` los gradientes de ``tensors`` (como ``torch.autograd.backward``): la suma
    de los vector-Jacobiano de cada salida con su ``grad_tensors`` (obligatorio salvo para salidas
    de un elemento). ``create_graph=True`` deja en ``.grad`` tensores con grafo (derivables otra
    vez; ``retain_graph`` pasa a ser ``True`` por defecto). Con ``inputs`` sólo se acumula en esos
    tensores (hojas o intermedios) y sólo se recorre lo que lleva a ellos."""
    outs = _as_list(tensors, "backward: tensors")
    gos = _as_list(grad_tensors, "backward: grad_tensors")
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(outs, gos, create_graph, "backward")
    if inputs is None:
        run_backward(outs, roots, bool(retain_graph), create_graph=create_graph)
        return
    ins = _as_list(inputs, "backward: inputs")
    if not ins:
        raise RuntimeError("backward: 'inputs' no puede ser una secuencia vacía")
    nodes = []
    for t in ins:
        if not isinstance(t, TensorBase) or not t.requires_grad:
            raise RuntimeError("backward: uno de los tensores de 'inputs' no requiere gradiente")
        nodes.append(_node(t))
    got = run_backward(outs, roots, bool(retain_graph), capture=nodes, create_graph=create_graph)
    for t, n in zip(ins, nodes):
        g = got.get(id(n))
        if g is None:
            continue
        if create_graph:
            accumulate_graph(t, g)
        else:
            accumulate(t, g)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradientes de ``outputs`` respecto de ``inputs`` **sin** tocar ningún ``.grad`` (como
    ``torch.autograd.grad``); devuelve una tupla con uno por entrada.

    ``grad_outputs``: el vector de cada salida (obligatorio salvo para salidas de un elemento).
    ``create_graph=True``: los gradientes tienen grafo y se pueden derivar otra vez (hessianas,
    método de Newton, penalizaciones del gradiente). ``allow_unused``: una entrada que no se usó da
    ``None`` (o ceros con ``materialize_grads=True``) en lugar de un error. ``is_grads_batched``: la
    primera dimensión de cada ``grad_outputs`` es un lote de vectores (se calcula uno a uno).

    >>> x = tinygrad_es.tensor(3.0, requires_grad=True)
    >>> (dy,) = tinygrad_es.autograd.grad(x ** 3, x, create_graph=True)   # 3x² = 27
    >>> tinygrad_es.autograd.grad(dy, x)                                    # 6x = 18
    (tensor(18.),)
    """
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("autograd.grad: materialize_grads=True necesita allow_unused=True (o no pasarlo)")
    outs = _as_list(outputs, "autograd.grad: outputs")
    ins = _as_list(inputs, "autograd.grad: inputs")
    if not ins:
        raise RuntimeError("autograd.grad: 'inputs' no puede ser una secuencia vacía")
    if retain_graph is None:
        retain_graph = create_graph
    gos = _as_list(grad_outputs, "autograd.grad: grad_outputs")
    if is_grads_batched:
        return _grad_batched(outs, ins, gos, retain_graph, create_graph, allow_unused, materialize_grads)
    for k, t in enumerate(ins):
        if not isinstance(t, TensorBase):
            raise TypeError(f"autograd.grad: la entrada {k} no es un tensor ({type(t).__name__})")
        if not t.requires_grad:
            raise RuntimeError(f"autograd.grad: la entrada {k} (forma {tuple(t._data.shape)}) no requiere "
                               f"gradiente")
    roots = _root_grads(outs, gos, create_graph, "autograd.grad")
    nodes = [_node(t) for t in ins]
    got = run_backward(outs, roots, bool(retain_graph), capture=nodes, create_graph=create_graph)
    res = []
    for k, (t, n) in enumerate(zip(ins, nodes)):
        g = got.get(id(n))
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"autograd.grad: la entrada {k} (forma {tuple(t._data.shape)}) no se usó para "
                                   f"calcular las salidas (usa allow_unused=True si es lo que quieres)")
            if materialize_grads:
                g = TensorBase._wrap(np.zeros_like(t._data))
            res.append(g)
        elif create_graph:
            res.append(g)
        else:
            res.append(TensorBase._wrap(np.array(g, dtype=t._data.dtype, copy=True)))
    return tuple(res)


def _grad_batched(outs, ins, gos, retain_graph, create_graph, allow_unused, materialize_grads):
    if gos is None:
        raise RuntimeError("autograd.grad: is_grads_batched=True necesita grad_outputs")
    n = {int(g.shape[0]) for g in gos if g is not None}
    if len(n) != 1:
        raise RuntimeError("autograd.grad: con is_grads_batched, todos los grad_outputs deben tener el mismo "
                           "tamaño en la primera dimensión (el lote)")
    rows = []
    for b in range(n.pop()):
        rows.append(grad(outs, ins, [None if g is None else g[b] for g in gos], retain_graph=True,
                         create_graph=create_graph, allow_unused=allow_unused, materialize_grads=materialize_grads))
    res = []
    for k in range(len(ins)):
        col = [r[k] for r in rows]
        res.append(None if any(c is None for c in col) else TensorBase._stack(col))
    return tuple(res)
