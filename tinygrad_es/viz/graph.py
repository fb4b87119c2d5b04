"""Dibujo del grafo de cómputo (``Value`` o ``Tensor``) con Graphviz.

``draw_graph`` devuelve un ``graphviz.Digraph``: en un cuaderno se muestra solo;
``save(grafo, "f.svg")`` lo escribe en SVG/PNG/PDF (o ``.dot`` sin necesitar el
programa ``dot``).
"""
from __future__ import annotations

import os
import warnings

import numpy as np

from ..autograd.protocol import GraphNode, graph
from ..nn.parameter import Parameter
from ._dot import GraphvizTimeout, run_dot

__all__ = ["draw_graph", "save", "GraphvizNotInstalled", "GraphvizTimeout", "INSTALL_HELP", "graph_nodes",
           "PNG_DPI"]

INSTALL_HELP = ("instala el programa Graphviz ('dot'):\n"
                "  Debian/Ubuntu: sudo apt-get install graphviz\n"
                "  Fedora:        sudo dnf install graphviz\n"
                "  macOS:         brew install graphviz\n"
                "  Windows:       winget install graphviz   (o choco install graphviz)\n"
                "  conda:         conda install -c conda-forge graphviz")

COLORS = {"param": "#cfe2ff", "input": "#e9ecef", "loss": "#f8c9c4", "inter": "#ffffff", "op": "#fff3cd",
          "current": "#ffe066"}

OP_SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Pow": "**", "PowScalar": "**", "Neg": "−x",
              "MatMul": "@", "neg": "−x", "*": "×", "-": "−", "/": "÷", "Sigmoid": "σ", "sigmoid": "σ",
              "Relu": "ReLU", "relu": "ReLU", "Permute": "ᵀ", "Sum": "Σ", "Mean": "media", "Log": "ln",
              "CrossEntropyIdx": "entropía\ncruzada", "LogSoftmax": "log\nsoftmax", "Conv2d": "conv",
              "MaxPool2d": "max\npool", "AvgPool2d": "avg\npool", "Linear": "x·Wᵀ+b"}


class GraphvizNotInstalled(RuntimeError):
    """Falta el programa ``dot`` de Graphviz para convertir el grafo en imagen."""


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def graph_nodes(root):
    """Nodos del grafo (orden topológico, padres en orden) y aristas (padre, hijo, posición),
    con el protocolo común a ``Value`` y ``Tensor`` (``autograd/protocol.py``)."""
    if not isinstance(root, GraphNode):
        raise TypeError(f"draw_graph espera un Value o un Tensor, no {type(root).__name__}")
    return graph(root)


def _names_from(names):
    """{clave del nodo: nombre} desde un Module (named_parameters) o un dict nombre→tensor."""
    if names is None:
        return {}
    if hasattr(names, "named_parameters"):
        return {p.graph_key(): n for n, p in names.named_parameters()}
    return {v.graph_key(): k for k, v in dict(names).items()}


def _grad_text(g) -> str:
    if g is None:
        return "grad sin calcular"
    g = np.asarray(g, dtype=np.float64)
    if g.size == 1:
        return f"grad {_fmt(float(g.reshape(-1)[0]))}"
    return f"grad ‖g‖={_fmt(float(np.linalg.norm(g)))} media={_fmt(float(g.mean()))}"


def _role(node, root, names):
    if node is root:
        return "loss"
    if not node.is_leaf:
        return "inter"
    # una hoja de tensor que pide gradiente es algo que se aprende (W, b); un Value, si se nombró
    learnt = isinstance(node, Parameter) or getattr(node, "requires_grad", False) is True
    return "param" if (learnt or node.graph_key() in names) else "input"


def _label(node, names, auto, grads=None):
    key = node.graph_key()
    data, shape = node.graph_data(), node.graph_shape()
    # una constante sin nombre (el 2 de 2·x) se muestra con su valor
    const = node.is_leaf and data is not None and np.size(data) == 1 and not node.graph_label()
    name = node.graph_label() or names.get(key) or (_fmt(float(np.reshape(data, -1)[0])) if const else auto)
    if data is not None and np.size(data) == 1:
        val = f"valor {_fmt(float(np.reshape(data, -1)[0]))}"
    else:
        val = f"forma {tuple(shape)}"
    dtype = getattr(node, "dtype", None)  # los Value son escalares de Python: sin dtype
    if dtype is not None:
        val += f" · {str(dtype).rsplit('.', 1)[-1]}"
    g = grads.get(key) if grads is not None else node.graph_grad()
    return f"{{ {_esc(name)} | {_esc(val)} | {_esc(_grad_text(g))} }}"


def _esc(s: str) -> str:
    for ch in "{}|<>":
        s = s.replace(ch, "\\" + ch)
    return s


def _op_name(node) -> str:
    """El símbolo de la operación; si no tiene, su nombre: en minúsculas si es una sola palabra
    (``Tanh`` → tanh) y tal cual si es compuesto (una ``Function`` del usuario como ``MyReLU``,
    o ``ReluBackward`` en el grafo de un gradiente)."""
    op = node.graph_op()
    if op in OP_SYMBOLS:
        return OP_SYMBOLS[op]
    return op.lower() if op[1:] == op[1:].lower() else op


def _module_of(node, names):
    """Módulo al que pertenece una operación: el prefijo del primer parámetro que usa."""
    if node.is_leaf:
        return None
    for p in node.graph_parents():
        n = names.get(p.graph_key())
        if n and "." in n:
            return n.rsplit(".", 1)[0]
    return None


def draw_graph(root, rankdir: str = "LR", names=None, cluster: bool = False, collapse: bool = False,
               max_nodes: int = 400, title: str | None = None, grads: dict | None = None, highlight=None,
               labels: dict | None = None):
    """Grafo de cómputo de ``root`` (un ``Value`` o un ``Tensor``) como ``graphviz.Digraph``.

    * Nodos de valor: nombre, valor (o forma y dtype en tensores) y gradiente ("sin
      calcular" si aún no hay; en tensores, su norma y su media).
    * Nodos de operación con su símbolo; aristas en el orden de los operandos
      (``x + x`` dibuja dos aristas).
    * Colores por papel: parámetros (azul), entradas (gris), pérdida (rojo).
    * ``names``: un ``Module`` (usa ``named_parameters``) o un dict nombre→tensor;
      ``cluster=True`` agrupa por módulo y ``collapse=True`` funde las operaciones
      de cada módulo en un nodo.
    * ``grads`` ({clave del nodo: gradiente}) muestra sólo esos gradientes y ``highlight``
      resalta un nodo (los fotogramas de ``explain_backward``); ``labels`` ({clave: nombre})
      nombra nodos sin nombre.
    * ``rankdir``: "LR" (izquierda a derecha) o "TB" (de arriba abajo).
    """
    import graphviz

    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir debe ser 'LR' o 'TB', no {rankdir!r}")
    user = _names_from(names)
    names = {**(labels or {}), **user}
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
    K = {id(n): n.graph_key() for n in order}
    ids = {K[id(n)]: f"n{i}" for i, n in enumerate(order)}
    auto = {K[id(n)]: f"v{i}" for i, n in enumerate(order)}
    mods = {K[id(n)]: _module_of(n, names) for n in order} if (cluster or collapse) else {}
    hl = highlight.graph_key() if isinstance(highlight, GraphNode) else highlight
    hidden = set()
    if collapse:
        # un intermedio producido y consumido sólo dentro del mismo módulo queda dentro de su caja
        consumers = {}
        for p, n, _ in edges:
            consumers.setdefault(K[id(p)], []).append(mods.get(K[id(n)]))
        for n in order:
            k = K[id(n)]
            m = mods.get(k)
            if m and n is not root and consumers.get(k) and all(c == m for c in consumers[k]):
                hidden.add(k)

    def op_id(k):
        m = mods.get(k) if collapse else None
        return f"op_{m}" if m else ids[k] + "_op"

    clusters, created = {}, set()

    def container(key):
        if not (cluster and key):
            return dot
        if key not in clusters:
            clusters[key] = graphviz.Digraph(name=f"cluster_{len(clusters)}",
                                             graph_attr={"label": key, "style": "rounded", "color": "#888888"})
        return clusters[key]

    for n in order:
        k = K[id(n)]
        pname = names.get(k, "")
        target = container(mods.get(k) or (pname.rsplit(".", 1)[0] if "." in pname else None))
        has_op = not n.is_leaf
        if has_op:
            oid = op_id(k)
            if oid not in created:
                created.add(oid)
                if oid.startswith("op_"):
                    target.node(oid, mods[k], shape="box", style="rounded,filled", fillcolor=COLORS["op"])
                else:
                    target.node(oid, _op_name(n), shape="circle", style="filled", fillcolor=COLORS["op"])
        if k in hidden:
            continue
        fill = COLORS["current"] if hl is not None and k == hl else COLORS[_role(n, root, user)]
        target.node(ids[k], _label(n, names, auto[k], grads), shape="record", style="filled", fillcolor=fill)
        if has_op:
            dot.edge(op_id(k), ids[k])
    for sub in clusters.values():
        dot.subgraph(sub)
    for p, n, _ in edges:
        if K[id(p)] in hidden:
            continue
        dot.edge(ids[K[id(p)]], op_id(K[id(n)]))
    return dot


DEFAULT_TIMEOUT = 60.0   # segundos que se deja trabajar a Graphviz por imagen
_CHEAP_LAYOUT_EDGES = 120   # a partir de aquí, colocación más barata (ver save)
PNG_DPI = 150  # graphviz dibuja a 72 ppp: 150 duplica el tamaño del PNG, legible en un proyector


def save(graph, path: str, timeout: float | None = None, dpi: int | None = None) -> str:
    """Escribe el grafo según la extensión: ``.svg``, ``.png``, ``.pdf`` (necesitan Graphviz)
    o ``.dot``/``.gv`` (sólo el texto fuente, siempre disponible). Devuelve la ruta.

    ``timeout`` (segundos, 60 por defecto) acota el tiempo de Graphviz: si no termina, se
    detiene el programa ``dot`` y se lanza ``GraphvizTimeout``; nunca queda la imagen a medias.
    ``dpi`` (atributo ``dpi`` de Graphviz) fija la resolución del PNG; por defecto
    ``PNG_DPI`` = 150, el doble de los 72 de Graphviz. SVG y PDF son vectoriales."""

    path = str(path)
    base, ext = os.path.splitext(path)
    ext = ext.lower().lstrip(".")
    if dpi is not None and (isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 0 < dpi <= 2400):
        raise ValueError(f"dpi debe ser un número entre 1 y 2400, no {dpi!r}")
    if ext in ("dot", "gv"):
        _makedirs_for(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
        return path
    if ext not in ("svg", "png", "pdf"):
        raise ValueError(f"formato no soportado {'.' + ext if ext else '(sin extensión)'} en "
                         f"'{os.path.basename(path)}': usa .svg, .png, .pdf o .dot")
    source = graph.source
    # Con muchas aristas, el método símplex de red de dot (posición horizontal) domina el
    # tiempo; limitar sus iteraciones da un dibujo casi igual en una fracción del tiempo.
    extra = ("-Gnslimit=1", "-Gnslimit1=1") if source.count(" -> ") > _CHEAP_LAYOUT_EDGES else ()
    if ext == "png":  # en la orden de dot, sin tocar el grafo del usuario (el que se ve en el cuaderno)
        extra += (f"-Gdpi={dpi or PNG_DPI:g}",)
    try:
        data = run_dot(source, ext, DEFAULT_TIMEOUT if timeout is None else timeout, extra,
                       what=f"'{os.path.basename(path)}'")
    except FileNotFoundError:
        raise GraphvizNotInstalled(f"no se puede crear '{os.path.basename(path)}': falta Graphviz. "
                                   f"{INSTALL_HELP}\nMientras tanto puedes guardar el texto con "
                                   f"save(grafo, '{os.path.basename(base)}.dot').") from None
    _makedirs_for(path)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _makedirs_for(path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
