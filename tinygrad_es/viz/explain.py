"""Retropropagación paso a paso, en español, para diapositivas.

``explain_backward(raíz)`` ejecuta el ``backward()`` de verdad y lo **observa** (el motor avisa
en cada paso: ``value.observe_backward`` y ``autograd.observe_backward``), así que lo que cuenta
es lo que hace el motor y los gradientes que muestra son los que quedan en ``.grad``.

* Con ``Value`` (escalares), un paso por nodo en orden topológico inverso: cada derivada local
  primero en símbolos y luego con números, y su producto con el gradiente que llega de arriba::

      ∂f/∂q = z = 4
      ∂q/∂x = 1   →   ∂f/∂x = ∂f/∂q · ∂q/∂x = 4 · 1 = 4

* Con ``Tensor``, la regla de cada operación en forma matricial con las formas
  (``∂L/∂W₂ = h₁ᵀ · ∂L/∂z₂   (5×4)·(4×2) → 5×2``), las sumas del broadcasting y los productos
  elemento a elemento (véase ``explain_matrix.py``).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from ..autograd.protocol import GraphNode
from ..autograd.value import Value, observe_backward
from .explain_matrix import explain_tensor
from .graph import GraphvizNotInstalled, GraphvizTimeout, draw_graph, graph_nodes, save

__all__ = ["explain_backward", "Explanation"]


def _fmt(v: float) -> str:
    return f"{v:.4g}"


# Un tensor se dibuja como una caja ancha (nombre | forma | gradiente): una cadena de más de
# ``_MAX_LR_DEPTH`` tensores de izquierda a derecha da fotogramas de 7 000 × 500 píxeles, ilegibles en
# una diapositiva; de arriba abajo quedan ~1 900 × 2 700 (la red de dos capas del README).
_MAX_LR_DEPTH = 4


def auto_rankdir(root) -> str:
    """Orientación de los fotogramas: "LR" para los ``Value`` (nodos pequeños) y los grafos de tensores
    poco profundos; "TB" si la cadena más larga de tensores supera ``_MAX_LR_DEPTH``."""
    if isinstance(root, Value):
        return "LR"
    order, edges = graph_nodes(root)
    depth = {n.graph_key(): 1 for n in order}
    for parent, child, _ in edges:  # las aristas siguen el orden topológico de los hijos
        depth[child.graph_key()] = max(depth[child.graph_key()], depth[parent.graph_key()] + 1)
    return "TB" if max(depth.values()) > _MAX_LR_DEPTH else "LR"


@dataclass
class Explanation:
    """El texto de cada paso (``steps``), lo que se sabía en cada momento (``snapshots``: nodo
    del paso y ``{clave del nodo: gradiente conocido}``) y los nombres usados (``labels``)."""
    root: object
    steps: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    grads: dict = field(default_factory=dict)      # {clave: gradiente final} de cada nodo

    @property
    def text(self) -> str:
        return "\n".join(f"Paso {i + 1}. {s}" for i, s in enumerate(self.steps))

    def __str__(self):
        return self.text

    def _repr_markdown_(self):  # en un cuaderno, el texto con su formato
        return "```\n" + self.text + "\n```"

    def frames(self, rankdir: str | None = None):
        """Un ``graphviz.Digraph`` por paso: el nodo del paso resaltado y sólo los
        gradientes ya conocidos en ese momento. ``rankdir``: "LR", "TB" o ``None`` (elige
        ``auto_rankdir``: de arriba abajo las redes de tensores de varias capas)."""
        rankdir = rankdir or auto_rankdir(self.root)
        out = []
        for i, (node, grads) in enumerate(self.snapshots):
            title = f"Paso {i + 1}: " + self.steps[i].replace("\n", "\\l") + "\\l"
            out.append(draw_graph(self.root, rankdir=rankdir, grads=grads, highlight=node, title=title,
                                  labels=self.labels))
        return out

    def save_frames(self, folder: str, fmt: str = "svg", rankdir: str | None = None, dpi: int | None = None,
                    timeout: float | None = None) -> list:
        """Escribe ``paso_01.svg``, ``paso_02.svg``... en ``folder``; devuelve las rutas.
        ``dpi``: resolución de los PNG; ``timeout``: plazo total en segundos para Graphviz
        (``GraphvizTimeout`` si se agota)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        os.makedirs(folder, exist_ok=True)
        paths = []
        for i, g in enumerate(self.frames(rankdir)):
            left = None if deadline is None else deadline - time.monotonic()
            paths.append(save(g, os.path.join(folder, f"paso_{i + 1:02d}.{fmt}"), timeout=left, dpi=dpi))
        return paths

    def save_slides(self, path: str, steps_dir: str | None = None, fmt: str = "svg", rankdir: str = "LR",
                    title: str | None = None, dpi: int | None = None, timeout: float | None = None):
        """La diapositiva (grafo con todos los gradientes) en ``path`` y, con ``steps_dir``, un
        fotograma por paso. Si falta Graphviz o no termina en ``timeout`` segundos (plazo total),
        escribe el texto ``.dot`` junto a ``path``. Devuelve ``(ficheros, error)``, con ``error`` =
        ``GraphvizNotInstalled``, ``GraphvizTimeout`` o ``None``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        g = draw_graph(self.root, rankdir=rankdir, title=title, labels=self.labels)
        files = []
        try:
            files.append(save(g, path, timeout=timeout, dpi=dpi))
            if steps_dir:
                files += self.save_frames(steps_dir, fmt=fmt, rankdir=rankdir, dpi=dpi,
                                          timeout=None if deadline is None else deadline - time.monotonic())
        except (GraphvizNotInstalled, GraphvizTimeout) as e:
            files.append(save(g, os.path.splitext(str(path))[0] + ".dot"))
            return files, e
        return files, None


def explain_backward(root, names=None) -> Explanation:
    """Ejecuta ``root.backward()`` y lo explica paso a paso (véase el módulo).

    ``root`` es un ``Value`` o un ``Tensor`` de un solo elemento (la pérdida). ``names`` (sólo
    tensores): un ``Module`` o un dict nombre→tensor para nombrar parámetros e intermedios;
    los tensores con ``.name`` usan ese nombre. Al terminar, ``.grad`` de cada hoja queda como
    tras ``root.backward()``."""
    if isinstance(root, Value):
        return _explain_scalar(root)
    if isinstance(root, GraphNode):
        return explain_tensor(root, names, Explanation)
    raise TypeError(f"explain_backward espera un Value o un Tensor, no {type(root).__name__}")


# ---- motor escalar -----------------------------------------------------------------------
def _scalar_names(order) -> dict:
    names, k = {}, 0
    for n in order:
        if n.graph_label():
            names[n.graph_key()] = n.graph_label()
        elif n.is_leaf:  # una constante sin nombre se llama por su valor (el 2 de 2·x)
            names[n.graph_key()] = _fmt(n.graph_data())
        else:
            names[n.graph_key()] = f"v{k}"
            k += 1
    return names


def _op_desc(n, names) -> str:
    ps = [names[p.graph_key()] for p in n.graph_parents()]
    op = n.graph_op()
    if len(ps) == 2 and op in ("+", "-", "*", "/", "**"):
        return f"{ps[0]} {'·' if op == '*' else op} {ps[1]}"
    if op == "neg":
        return f"−{ps[0]}"
    return f"{op}({', '.join(ps)})"


def _symbolic_local(n, i: int, names) -> str:
    """La derivada local ∂n/∂(operando i) en símbolos (los nombres de los operandos)."""
    ps = [names[p.graph_key()] for p in n.graph_parents()]
    me, op = names[n.graph_key()], n.graph_op()
    a = ps[0]
    b = ps[1] if len(ps) > 1 else None
    rules = {
        "+": ("1", "1"), "-": ("1", "−1"), "*": (b, a), "/": (f"1/{b}", f"−{a}/{b}²"),
        "**": (f"{b}·{a}^({b} − 1)", f"{a}^{b}·ln {a}"), "neg": ("−1",), "exp": (f"exp({a})",),
        "log": (f"1/{a}",), "tanh": (f"1 − tanh²({a}) = 1 − {me}²",),
        "sigmoid": (f"σ({a})·(1 − σ({a})) = {me}·(1 − {me})",),
        "relu": (f"1 si {a} > 0, 0 si no",), "leaky_relu": (f"1 si {a} > 0, la pendiente si no",),
    }
    return rules.get(op, (f"∂{me}/∂{a}",) * len(ps))[i]


def _explain_scalar(root: Value) -> Explanation:
    order = root.topo_order()
    names = _scalar_names(order)
    f = names[root.graph_key()]
    exp = Explanation(root=root, labels=dict(names))
    known, contributions = {}, {}
    records = []

    def watch(node, grad):
        # el motor acaba de repartir el gradiente de `node` a sus operandos: lo anotamos tal cual
        known[node.graph_key()] = grad
        for p in node.graph_parents():
            known[p.graph_key()] = p.grad
        records.append((node, grad, dict(known)))

    with observe_backward(watch):
        root.backward()
    for node, g, snapshot in records:
        me = names[node.graph_key()]
        if node is root:
            head = f"∂{f}/∂{f} = 1 (punto de partida)"
        else:
            parts = contributions.get(node.graph_key(), [])
            head = (f"∂{f}/∂{me} = " + " + ".join(_fmt(c) for c in parts) + f" = {_fmt(g)}"
                    if len(parts) > 1 else f"∂{f}/∂{me} = {_fmt(g)}")
        parents = node.graph_parents()
        if parents:
            lines = [head + f"; {me} = {_op_desc(node, names)}:"]
            repeated = len({p.graph_key() for p in parents}) < len(parents)
            for i, (p, local) in enumerate(zip(parents, node.local_grads())):
                pn = names[p.graph_key()]
                sym = _symbolic_local(node, i, names)
                which = f" ({i + 1}.º operando)" if repeated else ""
                value = _fmt(local) if sym == _fmt(local) else f"{sym} = {_fmt(local)}"
                c = g * local
                if node is root:
                    lines.append(f"  ∂{f}/∂{pn} = {value}{which}")
                else:
                    lines.append(f"  ∂{me}/∂{pn} = {value}{which}   →   ∂{f}/∂{pn} = ∂{f}/∂{me} · ∂{me}/∂{pn}"
                                 f" = {_fmt(g)} · {_fmt(local)} = {_fmt(c)}")
                contributions.setdefault(p.graph_key(), []).append(c)
            text = "\n".join(lines)
        else:
            text = head + f" ({me} es una hoja: gradiente final)"
        exp.steps.append(text)
        exp.snapshots.append((node.graph_key(), snapshot))
        exp.grads[node.graph_key()] = g
    return exp
