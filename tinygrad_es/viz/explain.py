"""Retropropagación paso a paso, en español, para diapositivas.

``explain_backward(f)`` recorre el grafo de un ``Value`` en orden topológico
inverso y, en cada nodo, multiplica el gradiente que llega de arriba por la
derivada local de cada arista (regla de la cadena):

    ∂f/∂x = ∂f/∂q · ∂q/∂x = 4 · 1 = 4
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..value import Value

__all__ = ["explain_backward", "Explanation"]


def _fmt(v: float) -> str:
    return f"{v:.4g}"


@dataclass
class Explanation:
    root: Value
    steps: list = field(default_factory=list)          # texto de cada paso
    snapshots: list = field(default_factory=list)      # (nodo actual, {id: grad conocido})

    @property
    def text(self) -> str:
        return "\n".join(f"Paso {i + 1}. {s}" for i, s in enumerate(self.steps))

    def __str__(self):
        return self.text

    def frames(self, rankdir: str = "LR"):
        """Un ``graphviz.Digraph`` por paso: el nodo del paso resaltado y sólo los
        gradientes ya conocidos en ese momento."""
        from .graph import draw_graph
        out = []
        for i, (node, grads) in enumerate(self.snapshots):
            title = f"Paso {i + 1}: " + self.steps[i].replace("\n", "\\l") + "\\l"
            out.append(draw_graph(self.root, rankdir=rankdir, grads=grads, highlight=node, title=title))
        return out

    def save_frames(self, folder: str, fmt: str = "svg", rankdir: str = "LR", dpi: int | None = None) -> list:
        """Escribe ``paso_01.svg``, ``paso_02.svg``... en ``folder``; devuelve las rutas
        (``dpi``: resolución de los PNG)."""
        from .graph import save
        os.makedirs(folder, exist_ok=True)
        paths = []
        for i, g in enumerate(self.frames(rankdir)):
            paths.append(save(g, os.path.join(folder, f"paso_{i + 1:02d}.{fmt}"), dpi=dpi))
        return paths

    def save_slides(self, path: str, steps_dir: str | None = None, fmt: str = "svg", rankdir: str = "LR",
                    title: str | None = None, dpi: int | None = None):
        """La diapositiva (grafo con todos los gradientes) en ``path`` y, con ``steps_dir``, un
        fotograma por paso. Sin Graphviz escribe el texto ``.dot`` junto a ``path``.
        Devuelve ``(ficheros, error)``, con ``error`` = ``GraphvizNotInstalled`` o ``None``."""
        from .graph import GraphvizNotInstalled, draw_graph, save
        g = draw_graph(self.root, rankdir=rankdir, title=title)
        files = []
        try:
            files.append(save(g, path, dpi=dpi))
            if steps_dir:
                files += self.save_frames(steps_dir, fmt=fmt, rankdir=rankdir, dpi=dpi)
        except GraphvizNotInstalled as e:
            files.append(save(g, os.path.splitext(str(path))[0] + ".dot"))
            return files, e
        return files, None


def explain_backward(root: Value) -> Explanation:
    """Explica (y ejecuta) la retropropagación de ``root`` paso a paso.

    Un paso por nodo en orden topológico inverso: para cada operación, el
    gradiente de arriba, la derivada local de cada operando y su producto; para
    cada hoja, su gradiente final. Al terminar, ``.grad`` de cada nodo queda como
    tras ``root.backward()``.
    """
    if not isinstance(root, Value):
        raise TypeError("explain_backward trabaja con grafos de Value (motor escalar)")
    order = root.topo_order()
    names = {}
    k = 0
    for n in order:
        if n.label:
            names[id(n)] = n.label
        else:
            names[id(n)] = f"v{k}"
            k += 1
    f = names[id(root)]
    grads = {id(root): 1.0}
    exp = Explanation(root=root)
    contributions = {}
    for n in reversed(order):
        g = grads.get(id(n), 0.0)
        me = names[id(n)]
        if n is root:
            head = f"∂{f}/∂{f} = 1 (punto de partida)"
        else:
            parts = contributions.get(id(n), [])
            head = (f"∂{f}/∂{me} = " + " + ".join(_fmt(c) for c in parts) + f" = {_fmt(g)}"
                    if len(parts) > 1 else f"∂{f}/∂{me} = {_fmt(g)}")
        if n._prev:
            lines = [head + f"; {me} = {_op_desc(n, names)}:"]
            for p, local in zip(n._prev, n._local):
                pn = names[id(p)]
                c = g * local
                lines.append(f"  ∂{f}/∂{pn} = ∂{f}/∂{me} · ∂{me}/∂{pn} = {_fmt(g)} · {_fmt(local)} = {_fmt(c)}")
                contributions.setdefault(id(p), []).append(c)
                grads[id(p)] = grads.get(id(p), 0.0) + c
            text = "\n".join(lines)
        else:
            text = head + f" ({me} es una hoja: gradiente final)"
        exp.steps.append(text)
        exp.snapshots.append((n, dict(grads)))
    root.backward()
    return exp


def _op_desc(n: Value, names) -> str:
    ps = [names[id(p)] for p in n._prev]
    op = n._op
    if len(ps) == 2 and op in ("+", "-", "*", "/", "**"):
        sym = {"*": "·"}.get(op, op)
        return f"{ps[0]} {sym} {ps[1]}"
    if op == "neg":
        return f"−{ps[0]}"
    return f"{op}({', '.join(ps)})"
