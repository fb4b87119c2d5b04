"""Dibujo del grafo de cómputo (``Value`` o ``Tensor``) con Graphviz.

``draw_graph`` devuelve un ``graphviz.Digraph``: en un cuaderno se muestra solo;
``save(grafo, "f.svg")`` lo escribe en SVG/PNG/PDF (o ``.dot`` sin necesitar el
programa ``dot``).
"""
from __future__ import annotations

import os
import warnings

import numpy as np

from .._tensor import Tensor
from ..value import Value

__all__ = ["draw_graph", "save", "GraphvizNotInstalled", "INSTALL_HELP", "graph_nodes", "PNG_DPI"]

INSTALL_HELP = ("instala el programa Graphviz ('dot'):\n"
                "  Debian/Ubuntu: sudo apt-get install graphviz\n"
                "  Fedora:        sudo dnf install graphviz\n"
                "  macOS:         brew install graphviz\n"
                "  Windows:       winget install graphviz   (o choco install graphviz)\n"
                "  conda:         conda install -c conda-forge graphviz")

COLORS = {"param": "#cfe2ff", "input": "#e9ecef", "loss": "#f8c9c4", "inter": "#ffffff", "op": "#fff3cd",
          "current": "#ffe066"}

OP_SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Pow": "**", "PowScalar": "**", "Neg": "−x",
              "MatMul": "@", "neg": "−x", "*": "×", "-": "−", "/": "÷"}


class GraphvizNotInstalled(RuntimeError):
    """Falta el programa ``dot`` de Graphviz para convertir el grafo en imagen."""


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def graph_nodes(root):
    """Nodos del grafo (orden topológico, padres en orden) y aristas (padre, hijo, posición)."""
    if isinstance(root, Value):
        order = root.topo_order()
        edges = [(p, n, i) for n in order for i, p in enumerate(n._prev)]
        return order, edges
    if isinstance(root, Tensor):
        return _tensor_graph(root)
    raise TypeError(f"draw_graph espera un Value o un Tensor, no {type(root).__name__}")


def _key(t):
    return id(t._ctx) if t._ctx is not None else id(t)


def _tensor_graph(root):
    """Tensores del grafo (los intermedios ya liberados aparecen como ``GhostTensor``, con forma y
    dtype) en orden topológico iterativo, y aristas (padre, hijo, posición)."""
    order, canon, inputs = [], {}, {}
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if _key(node) in canon:
            continue
        canon[_key(node)] = node
        stack.append((node, True))
        if node._ctx is not None:
            inputs[_key(node)] = ins = node._ctx.inputs  # una sola vez: los fantasmas se crean al pedirlos
            for p in reversed(ins):
                stack.append((p, False))
    edges = [(canon[_key(p)], n, i) for n in order if n._ctx is not None
             for i, p in enumerate(inputs[_key(n)])]
    return order, edges


def _names_from(names):
    """{id(parámetro): nombre} desde un Module (named_parameters) o un dict nombre->tensor."""
    if names is None:
        return {}
    if hasattr(names, "named_parameters"):
        return {id(p): n for n, p in names.named_parameters()}
    return {id(v): k for k, v in dict(names).items()}


def _tensor_grad_summary(t: Tensor) -> str:
    if t.grad is None:
        return "grad: sin calcular"
    g = np.asarray(t.grad._data, dtype=np.float64)
    if g.size == 1:
        return f"grad: {_fmt(float(g.reshape(-1)[0]))}"
    return f"grad: ‖g‖={_fmt(float(np.linalg.norm(g)))} media={_fmt(float(g.mean()))}"


def _role(node, root, names):
    from ..nn.module import Parameter
    if node is root:
        return "loss"
    if isinstance(node, Value):
        if node._prev:
            return "inter"
        return "param" if id(node) in names else "input"
    if node._ctx is not None:
        return "inter"
    return "param" if (isinstance(node, Parameter) or id(node) in names) else "input"


def _label(node, names, auto, grads=None):
    if isinstance(node, Value):
        # una constante sin nombre (el 2 de 2·x) se muestra con su valor
        name = node.label or names.get(id(node)) or (_fmt(node.data) if not node._prev else auto)
        if grads is not None:
            g = grads.get(id(node))
            gtxt = "grad sin calcular" if g is None else f"grad {_fmt(g)}"
        else:
            gtxt = f"grad {_fmt(node.grad)}" if node._grad_computed else "grad sin calcular"
        return f"{{ {_esc(name)} | valor {_fmt(node.data)} | {gtxt} }}"
    name = node.name or names.get(id(node)) or auto
    if node.data is not None and node.numel() == 1:
        val = f"valor {_fmt(float(node._data.reshape(-1)[0]))}"
    else:
        val = f"forma {tuple(node.shape)}"
    return f"{{ {_esc(name)} | {val} · {node.dtype} | {_esc(_tensor_grad_summary(node))} }}"


def _esc(s: str) -> str:
    for ch in "{}|<>":
        s = s.replace(ch, "\\" + ch)
    return s


def _op_name(node) -> str:
    if isinstance(node, Value):
        return OP_SYMBOLS.get(node._op, node._op)
    fn = node._ctx.fn.__name__
    return OP_SYMBOLS.get(fn, fn.lower())


def _module_of(node, names):
    """Módulo al que pertenece una operación: el prefijo del primer parámetro que usa."""
    if isinstance(node, Value) or node._ctx is None:
        return None
    for p in node._ctx.inputs:
        n = names.get(id(p))
        if n and "." in n:
            return n.rsplit(".", 1)[0]
    return None


def draw_graph(root, rankdir: str = "LR", names=None, cluster: bool = False, collapse: bool = False,
               max_nodes: int = 400, title: str | None = None, grads: dict | None = None, highlight=None):
    """Grafo de cómputo de ``root`` como ``graphviz.Digraph``.

    * Nodos de valor: etiqueta, dato y gradiente ("sin calcular" si aún no hay).
      En tensores: nombre, forma, dtype y un resumen del gradiente.
    * Nodos de operación con su símbolo; aristas en el orden de los operandos
      (``x + x`` dibuja dos aristas).
    * Colores por papel: parámetros (azul), entradas (gris), pérdida (rojo).
    * ``names``: un ``Module`` (usa ``named_parameters``) o un dict nombre→tensor;
      ``cluster=True`` agrupa por módulo y ``collapse=True`` funde las operaciones
      de cada módulo en un nodo.
    * ``rankdir``: "LR" (izquierda a derecha) o "TB" (de arriba abajo).
    """
    import graphviz

    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir debe ser 'LR' o 'TB', no {rankdir!r}")
    names = _names_from(names)
    order, edges = graph_nodes(root)
    if len(order) > max_nodes:
        warnings.warn(f"el grafo tiene {len(order)} nodos (más de {max_nodes}): el dibujo será difícil de "
                      f"leer. Usa collapse=True con names=modelo, o dibuja una parte", RuntimeWarning,
                      stacklevel=2)
    dot = graphviz.Digraph(graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "charset": "UTF-8",
                                       "fontsize": "16",
                                       **({"label": title, "labelloc": "t"} if title else {})},
                           node_attr={"fontname": "Helvetica", "fontsize": "14"},
                           edge_attr={"arrowsize": "0.7"})
    ids = {id(n): f"n{i}" for i, n in enumerate(order)}
    auto = {id(n): f"v{i}" for i, n in enumerate(order)}
    mods = {id(n): _module_of(n, names) for n in order} if (cluster or collapse) else {}
    hidden = set()
    if collapse:
        # un intermedio producido y consumido sólo dentro del mismo módulo queda dentro de su caja
        consumers = {}
        for p, n, _ in edges:
            consumers.setdefault(id(p), []).append(mods.get(id(n)))
        for n in order:
            m = mods.get(id(n))
            if m and n is not root and consumers.get(id(n)) and all(c == m for c in consumers[id(n)]):
                hidden.add(id(n))

    def op_id(n):
        m = mods.get(id(n)) if collapse else None
        return f"op_{m}" if m else ids[id(n)] + "_op"

    clusters, created = {}, set()

    def container(key):
        if not (cluster and key):
            return dot
        if key not in clusters:
            clusters[key] = graphviz.Digraph(name=f"cluster_{len(clusters)}",
                                             graph_attr={"label": key, "style": "rounded", "color": "#888888"})
        return clusters[key]

    for n in order:
        nid = ids[id(n)]
        pname = names.get(id(n), "")
        key = mods.get(id(n)) or (pname.rsplit(".", 1)[0] if "." in pname else None)
        target = container(key)
        has_op = bool(n._prev) if isinstance(n, Value) else n._ctx is not None
        if has_op:
            oid = op_id(n)
            if oid not in created:
                created.add(oid)
                if oid.startswith("op_"):
                    target.node(oid, mods[id(n)], shape="box", style="rounded,filled", fillcolor=COLORS["op"])
                else:
                    target.node(oid, _op_name(n), shape="circle", style="filled", fillcolor=COLORS["op"])
        if id(n) in hidden:
            continue
        role = _role(n, root, names)
        fill = COLORS["current"] if highlight is not None and n is highlight else COLORS[role]
        target.node(nid, _label(n, names, auto[id(n)], grads), shape="record", style="filled", fillcolor=fill)
        if has_op:
            dot.edge(op_id(n), nid)
    for sub in clusters.values():
        dot.subgraph(sub)
    for p, n, _ in edges:
        if id(p) in hidden:
            continue
        dot.edge(ids[id(p)], op_id(n))
    return dot


PNG_DPI = 150  # graphviz dibuja a 72 ppp: 150 duplica el tamaño del PNG, legible en un proyector


def save(graph, path: str, dpi: int | None = None) -> str:
    """Escribe el grafo según la extensión: ``.svg``, ``.png``, ``.pdf`` (necesitan Graphviz)
    o ``.dot``/``.gv`` (sólo el texto fuente, siempre disponible). Devuelve la ruta.

    ``dpi`` (atributo ``dpi`` de Graphviz) fija la resolución del PNG; por defecto
    ``PNG_DPI`` = 150, el doble de los 72 de Graphviz. SVG y PDF son vectoriales."""
    import graphviz

    path = str(path)
    base, ext = os.path.splitext(path)
    ext = ext.lower().lstrip(".")
    if ext not in ("dot", "gv", "svg", "png", "pdf"):
        raise ValueError(f"formato no soportado '.{ext}': usa .svg, .png, .pdf o .dot")
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 0 < dpi <= 2400):
        raise ValueError(f"dpi debe ser un número entre 1 y 2400, no {dpi!r}")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if ext in ("dot", "gv"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
        return path
    if ext == "png":
        graph = graph.copy()  # no cambiar el grafo del usuario (p. ej. el que se ve en el cuaderno)
        graph.graph_attr["dpi"] = f"{dpi or PNG_DPI:g}"
    try:
        data = graph.pipe(format=ext)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotInstalled(f"no se puede crear '{os.path.basename(path)}': falta Graphviz. "
                                   f"{INSTALL_HELP}\nMientras tanto puedes guardar el texto con "
                                   f"save(grafo, '{os.path.basename(base)}.dot').") from None
    with open(path, "wb") as f:
        f.write(data)
    return path
