"""Expresiones como ``"(x+y)*z"`` → el grafo de ``Value`` que las calcula (``parse_expression``),
para ``tinygrad-es grafo`` y la página ``/grafo``.

Se recorre el árbol sintáctico de Python con una lista blanca de operaciones (números, variables,
``+ − · / **``, − unario y ``exp``/``log``/``tanh``/``sigmoid``/``relu``/``leaky_relu``): nunca
``eval``. Los límites de tamaño (``MAX_EXPR_*``) evitan agotar la pila o dejar a Graphviz minutos.
"""
from __future__ import annotations

import ast
import re

from ..autograd.value import Value

__all__ = ["parse_expression", "ExpressionError", "MAX_EXPR_CHARS", "MAX_EXPR_ELEMENTS", "MAX_EXPR_DEPTH"]

_FUNCS = {"exp", "log", "tanh", "sigmoid", "relu", "leaky_relu"}
_BINOPS = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__",
           ast.Pow: "__pow__"}


class ExpressionError(ValueError):
    """La expresión no se puede convertir en un grafo (sintaxis, elemento no permitido, tamaño...)."""


# Límites de la expresión: por encima, el análisis sintáctico de Python agota la pila
# (RecursionError) y Graphviz tarda minutos; se rechaza antes con un mensaje claro.
MAX_EXPR_CHARS = 2000
MAX_EXPR_ELEMENTS = 400     # números, variables, operaciones y llamadas
MAX_EXPR_DEPTH = 200        # anidamiento (paréntesis, − unarios encadenados, a+b+c+…)


def _check_size(expr: str, tree) -> None:
    """Cuenta elementos y profundidad del árbol sin recursión (el árbol puede ser muy hondo)."""
    elements, depth_max = 0, 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (ast.expr, ast.Expression)):
            elements += 1
            depth_max = max(depth_max, depth)
        stack.extend((c, depth + 1) for c in ast.iter_child_nodes(node))
    if elements > MAX_EXPR_ELEMENTS:
        raise ExpressionError(f"la expresión es demasiado grande: {elements} elementos (números, variables y "
                              f"operaciones); el máximo es {MAX_EXPR_ELEMENTS}")
    if depth_max > MAX_EXPR_DEPTH:
        raise ExpressionError(f"la expresión está demasiado anidada: {depth_max} niveles de operaciones "
                              f"(paréntesis, signos o sumas encadenadas); el máximo es {MAX_EXPR_DEPTH}")


def parse_expression(expr: str, values: dict) -> Value:
    """Construye el grafo de ``expr`` con ``Value`` recorriendo su árbol sintáctico; sólo
    admite números, variables, + − · / **, − unario y exp/log/tanh/sigmoid/relu (nunca ``eval``).
    El resultado se etiqueta ``f`` y los intermedios ``q``, ``q1``, ``q2``..."""
    if not isinstance(expr, str):
        raise ExpressionError(f"la expresión debe ser un texto, no {type(expr).__name__}")
    if len(expr) > MAX_EXPR_CHARS:
        raise ExpressionError(f"la expresión es demasiado larga: {len(expr)} caracteres (máximo {MAX_EXPR_CHARS})")
    if not expr.strip():
        raise ExpressionError("la expresión está vacía: escribe por ejemplo \"(x+y)*z\"")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as e:
        where = f", columna {e.offset}" if e.offset else ""
        raise ExpressionError(f"expresión no válida: {_short(expr)} ({_syntax_es(e.msg)}{where})") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"la expresión está demasiado anidada para analizarla: {_short(expr)} "
                              f"(máximo {MAX_EXPR_DEPTH} niveles)") from None
    _check_size(expr, tree)
    leaves = {}

    def build(node):
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            try:
                v = float(node.value)
            except OverflowError:
                v = float("inf")
            if v == float("inf"):   # 10**400 escrito con cifras, o 1e999 (Python lo convierte en inf)
                digits = ast.get_source_segment(expr.strip(), node) or str(node.value)
                shown = digits if len(digits) <= 12 else f"{digits[:12]}… ({len(digits)} caracteres)"
                raise ExpressionError(f"el número {shown} es demasiado grande: el máximo representable es "
                                      f"1.8e308") from None
            return v
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ExpressionError(f"falta el valor de la variable '{node.id}': añade --{node.id} NÚMERO")
            if node.id not in leaves:
                leaves[node.id] = Value(values[node.id], label=node.id)
            return leaves[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = build(node.left), build(node.right)
            if not isinstance(a, Value):
                a = Value(a, label=_num(a))
            out = getattr(a, _BINOPS[type(node.op)])(b)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = build(node.operand)
            if not isinstance(v, Value):
                return -v if isinstance(node.op, ast.USub) else v
            out = -v if isinstance(node.op, ast.USub) else v
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
              and len(node.args) == 1 and not node.keywords):
            v = build(node.args[0])
            if not isinstance(v, Value):
                v = Value(v, label=_num(v))
            out = getattr(v, node.func.id)()
        else:
            raise ExpressionError(f"elemento no permitido en la expresión: {ast.unparse(node)!r} "
                                  f"(sólo números, variables, + - * / **, y {', '.join(sorted(_FUNCS))})")
        return out

    root = build(tree)
    if not isinstance(root, Value):
        raise ExpressionError("la expresión no contiene variables")
    # como en los apuntes: f para el resultado, q (q1, q2...) para los intermedios
    inner = [n for n in root.topo_order() if not n.is_leaf and n is not root]
    for i, n in enumerate(inner):
        n.label = "q" if len(inner) == 1 else f"q{i + 1}"
    root.label = "f"
    return root


_SYNTAX_ES = [("invalid syntax", "sintaxis no válida"), ("was never closed", "no se cerró"),
              ("too many nested parentheses", "demasiados paréntesis anidados"),
              ("does not match opening parenthesis", "no corresponde al paréntesis abierto"),
              ("invalid decimal literal", "número mal escrito"), ("invalid character", "carácter no válido"),
              ("unexpected EOF while parsing", "la expresión termina antes de tiempo"),
              ("Perhaps you forgot a comma?", "¿falta un operador?"),
              ("Exceeds the limit", "número con demasiadas cifras; límite")]


def _syntax_es(msg: str) -> str:
    msg = re.sub(r"unmatched '(.)'", r"'\1' sin abrir", msg)
    for en, es in _SYNTAX_ES:
        msg = msg.replace(en, es)
    return msg


def _num(v: float) -> str:
    return f"{v:g}"


def _short(text: str, n: int = 60) -> str:
    return repr(text) if len(text) <= n else repr(text[:n]) + f"… ({len(text)} caracteres)"
