"""Retropropagación de un grafo de tensores explicada en forma matricial.

Se ejecuta ``backward()`` dentro de ``autograd.observe_backward``: en cada paso el motor entrega
el nodo (``Context``), el gradiente que llega de arriba y los gradientes que su ``backward``
calcula para cada entrada. Aquí sólo se **describen**: la regla de la operación con matrices
(transpuestas, ⊙ para el producto elemento a elemento, Σ para las sumas del broadcasting), las
formas y un vistazo a los números.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Context, observe_backward, topo_order, unbroadcast

__all__ = ["explain_tensor", "shape_txt", "preview"]

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def shape_txt(shape) -> str:
    """(5, 4) -> "5×4"; () -> "1" (un escalar)."""
    return "×".join(str(s) for s in shape) if len(shape) else "1"


def preview(a, n: int = 3) -> str:
    """Unos pocos números de un array: ``[[0.12, -0.3, …], …]``."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0 or a.size == 1:
        return f"{float(a.reshape(-1)[0]):.4g}"
    if a.ndim == 1:
        body = ", ".join(f"{v:.3g}" for v in a[:n])
        return f"[{body}{', …' if a.size > n else ''}]"
    rows = a.reshape(-1, a.shape[-1]) if a.ndim > 2 else a
    inner = [preview(r, n) for r in rows[:2]]
    return "[" + ", ".join(inner) + (", …" if len(rows) > 2 else "") + "]"


def _sum_axes(big, small):
    """Ejes que el broadcasting estiró (los que ``unbroadcast`` suma) al ir de ``big`` a ``small``."""
    extra = len(big) - len(small)
    axes = list(range(extra))
    axes += [extra + i for i, s in enumerate(small) if s == 1 and big[extra + i] != 1]
    return axes


def _describe_sum(axes, big) -> str:
    if axes == [0] and len(big) >= 2:
        return "Σ sobre el lote (eje 0)"
    return "Σ sobre los ejes " + ", ".join(str(a) for a in axes)


def _T(name: str) -> str:
    """El nombre de la transpuesta (la de Wᵀ es W)."""
    return name[:-1] if name.endswith("ᵀ") else name + "ᵀ"


class _Names:
    """Nombres estables por nodo: el del usuario (``.name`` o ``names``), Wᵀ para la
    transpuesta de W, L para la raíz, u₁, u₂… para el resto y X, X₂… para las entradas que no
    requieren gradiente (en el orden del forward)."""

    def __init__(self, order, root_node, user: dict):
        self.by_key, self.inputs, k = {}, {}, 0
        for node in order:
            t = node.output() if isinstance(node, Context) else node
            name = (user.get(id(t)) or t.name) if t is not None else ""
            if not name and node is root_node:
                name = "L"
            if not name and isinstance(node, Context) and node.fn.__name__ == "Permute" \
                    and len(node.out_shape) == 2 and node.parents[0] is not None:
                name = _T(self.by_key.get(id(node.parents[0]), "?"))
            if not name:
                k += 1
                name = ("u" if isinstance(node, Context) else "p") + str(k).translate(_SUB)
            self.by_key[id(node)] = name
            if isinstance(node, Context):
                for parent, t in zip(node.parents, node.inputs):
                    if parent is None and t.graph_data() is not None and id(t) not in self.inputs:
                        n = len(self.inputs) + 1
                        self.inputs[id(t)] = user.get(id(t)) or t.name or (
                            "X" if n == 1 else "X" + str(n).translate(_SUB))

    def of(self, ctx: Context, inputs, i: int) -> str:
        parent = ctx.parents[i]
        if parent is not None:
            return self.by_key[id(parent)]
        return self.inputs.get(id(inputs[i]), "c")


def _rule(fn: str, i: int, a: list, o: str, shapes: list, out_shape, ctx) -> tuple:
    """(regla, formas) de ∂L/∂(entrada i) para la operación ``fn`` con entradas llamadas ``a``."""
    g = f"∂L/∂{o}"
    so = shape_txt(out_shape)
    if fn == "MatMul" and len(shapes[0]) == 2 and len(shapes[1]) == 2:
        (n, k), (_, m) = shapes[0], shapes[1]
        if i == 0:
            return f"{g} · {_T(a[1])}", f"({n}×{m})·({m}×{k}) → {n}×{k}"
        return f"{_T(a[0])} · {g}", f"({k}×{n})·({n}×{m}) → {k}×{m}"
    if fn == "MatMul":
        return (f"{g} · {_T(a[1])}" if i == 0 else f"{_T(a[0])} · {g}"), f"{so} → {shape_txt(shapes[i])}"
    if fn == "Linear":  # z = x·Wᵀ + b (nn.Linear), W de forma (salidas, entradas)
        (m, k), n = shapes[1], int(np.prod(shapes[0][:-1]))
        return ((f"{g} · {a[1]}", f"({n}×{m})·({m}×{k}) → {shape_txt(shapes[0])}"),
                (f"({g})ᵀ · {a[0]}", f"({m}×{n})·({n}×{k}) → {m}×{k}"),
                (f"Σ de {g} sobre el lote (eje 0)", f"{so} → {m}"))[i]
    if fn == "Permute":
        return f"({g})ᵀ", f"{so} → {shape_txt(shapes[0])}"
    if fn == "Reshape":
        return f"{g} con la forma de {a[0]}", f"{so} → {shape_txt(shapes[0])}"
    unary = {
        "Sigmoid": f"{g} ⊙ σ′({a[0]}),  σ′ = σ·(1 − σ)", "Tanh": f"{g} ⊙ (1 − tanh²({a[0]}))",
        "Relu": f"{g} ⊙ 1[{a[0]} > 0]", "LeakyRelu": f"{g} ⊙ (1 si {a[0]} > 0, pendiente si no)",
        "Exp": f"{g} ⊙ exp({a[0]})", "Log": f"{g} ⊘ {a[0]}", "Sqrt": f"{g} ⊘ (2√{a[0]})",
        "Neg": f"−{g}", "Abs": f"{g} ⊙ signo({a[0]})", "Clip": f"{g} ⊙ 1[dentro del intervalo]",
        "PowScalar": f"{g} ⊙ p·{a[0]}^(p−1)",
        "Softmax": f"s ⊙ ({g} − Σⱼ {g}ⱼ·sⱼ),  s = softmax({a[0]})",
        "LogSoftmax": f"{g} − softmax({a[0]}) ⊙ Σⱼ {g}ⱼ",
        "Sum": f"{g} copiado en cada elemento sumado", "Mean": f"{g} / n copiado en cada elemento",
        "MaxPool2d": f"{g} sólo a la posición del máximo de cada ventana",
        "AvgPool2d": f"{g} repartido por igual en cada ventana",
        "AdaptiveAvgPool2d": f"{g} repartido por igual en cada región",
    }
    if fn == "CrossEntropyIdx":
        red = ctx.__dict__.get("reduction", "mean")
        div = f" / {ctx.__dict__.get('n', shapes[0][0])}" if red == "mean" and len(shapes[0]) else ""
        return f"(softmax({a[0]}) − one_hot(y)){div}", f"→ {shape_txt(shapes[0])}"
    if fn == "Mean":
        n = int(np.prod(shapes[0])) // max(int(np.prod(out_shape)), 1)
        return f"{g} / {n} copiado en cada elemento", f"{so} → {shape_txt(shapes[0])}"
    if fn in unary:
        return unary[fn], f"{so} → {shape_txt(shapes[0])}" if fn in ("Sum", "MaxPool2d", "AvgPool2d",
                                                                      "AdaptiveAvgPool2d") else f"{so}"
    binary = {"Add": (g, g), "Sub": (g, f"−{g}"),
              "Mul": (f"{g} ⊙ {a[1] if len(a) > 1 else 'c'}", f"{g} ⊙ {a[0]}"),
              "Div": (f"{g} ⊘ {a[1] if len(a) > 1 else 'c'}", f"−{g} ⊙ {a[0]} ⊘ {a[1] if len(a) > 1 else 'c'}²"),
              "Maximum": (f"{g} ⊙ 1[{a[0]} ≥ {a[-1]}]", f"{g} ⊙ 1[{a[-1]} > {a[0]}]")}
    if fn in binary:
        return binary[fn][min(i, 1)], f"{so}"
    if fn == "Conv2d":
        return ((f"{g} ⊛ {a[1]} (convolución completa con el filtro volteado)",
                 f"Σ_lote {a[0]} ⋆ {g} (correlación de la entrada con el gradiente)",
                 f"Σ de {g} sobre el lote y las posiciones")[i], f"{so} → {shape_txt(shapes[i])}")
    return f"backward de {fn} aplicado a {g}", f"{so} → {shape_txt(shapes[i])}"


def _op_text(fn: str, a: list) -> str:
    sym = {"Add": "+", "Sub": "−", "Mul": "⊙", "Div": "⊘", "MatMul": "·"}
    if fn in sym and len(a) == 2:
        return f"{a[0]} {sym[fn]} {a[1]}"
    if fn == "Linear":
        return f"{a[0]} · {a[1]}ᵀ" + (f" + {a[2]}" if len(a) > 2 else "")
    if fn == "Permute" and len(a) == 1:
        return f"transpuesta de {a[0]}"
    short = {"Sigmoid": "σ", "Tanh": "tanh", "Relu": "ReLU", "Exp": "exp", "Log": "ln", "Sum": "Σ",
             "Mean": "media", "CrossEntropyIdx": "entropía cruzada"}
    if fn == "CrossEntropyIdx":
        a = a + ["y"]
    return f"{short.get(fn, fn)}({', '.join(a)})"


def explain_tensor(root, names, Explanation):
    if not root.requires_grad:
        raise RuntimeError("explain_backward: el tensor no tiene grafo (crea las hojas con requires_grad=True)")
    if root.numel() != 1:
        raise RuntimeError(f"explain_backward necesita una salida de un solo elemento (la pérdida); esta tiene "
                           f"forma {tuple(root.shape)}: reduce antes con .sum() o .mean()")
    user = {}
    if names is not None:
        items = names.named_parameters() if hasattr(names, "named_parameters") else dict(names).items()
        user = {id(t): n for n, t in items}
    start = root.grad_fn if root.grad_fn is not None else root
    order = topo_order([start])                       # el mismo orden que seguirá el motor
    N = _Names(order, start, user)               # antes del backward: las entradas aún existen
    records = {}

    def watch(ctx, grad_out, grads_in):
        inputs = ctx.inputs
        ins = []
        for t, ig in zip(inputs, grads_in):
            ins.append(None if ig is None else np.array(unbroadcast(np.asarray(ig), tuple(t.shape)),
                                                        dtype=np.float64))
        records[id(ctx)] = (np.array(grad_out, dtype=np.float64), ins,
                            [None if ig is None else tuple(np.shape(ig)) for ig in grads_in], inputs)

    with observe_backward(watch):
        root.backward()
    exp = Explanation(root=root)
    known = {}
    labels = {}
    for node in reversed(order):
        key = id(node)
        name = N.by_key[key]
        labels[key] = name
        if isinstance(node, Context):
            g, ins, raw, inputs = records[key]
            known[key] = g
            exp.grads[key] = g
            a = [N.of(node, inputs, i) for i in range(len(inputs))]
            shapes = [tuple(t.shape) for t in inputs]
            fn = node.fn.__name__
            head = ("∂L/∂L = 1 (punto de partida); " if node is start else f"llega ∂L/∂{name} "
                    f"({shape_txt(g.shape)}) = {preview(g)}; ") + f"{name} = {_op_text(fn, a)}:"
            lines = [head]
            repeated = len({id(p) for p in node.parents}) < len(node.parents)
            for i, (parent, gi) in enumerate(zip(node.parents, ins)):
                if parent is None or gi is None:
                    continue
                rule, shp = _rule(fn, i, a, name, shapes, node.out_shape, node)
                which = f" ({i + 1}.º operando; se suman)" if repeated else ""
                line = f"  ∂L/∂{a[i]} = {rule}{which}   {shp}"
                axes = _sum_axes(raw[i], shapes[i]) if raw[i] is not None else []
                if axes:  # el broadcasting copió esta entrada: su gradiente es la suma de las copias
                    line += f";  {_describe_sum(axes, raw[i])}: {shape_txt(raw[i])} → {shape_txt(shapes[i])}"
                lines.append(line + f"   {preview(gi)}")
                pk = id(parent)
                known[pk] = gi if pk not in known else known[pk] + gi
            exp.steps.append("\n".join(lines))
        else:  # hoja con requires_grad: su gradiente final es el que deja backward() en .grad
            g = node.grad.detach().numpy().astype(np.float64) if node.grad is not None else known.get(key)
            known[key] = g
            exp.grads[key] = g
            exp.steps.append(f"∂L/∂{name} ({shape_txt(node.shape)}) = {preview(g)}  ({name} es una hoja: "
                             f"su gradiente final queda en {name}.grad)")
        exp.snapshots.append((key, dict(known)))
    exp.labels = {**{k: v for k, v in N.inputs.items()}, **labels}
    return exp
