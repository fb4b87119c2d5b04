"""Línea de órdenes ``tinygrad-es``.

    tinygrad-es grafo "(x+y)*z" --x 2 --y 3 --z 4 -o grafo.svg [--pasos carpeta]
    tinygrad-es demo cnn
    tinygrad-es demo --lista
    tinygrad-es web [--puerto 8000] [--modelo pesos.npz] [--host 127.0.0.1]
"""
from __future__ import annotations

import argparse
import ast
import importlib
import sys

from ._argparse_es import ArgumentParser
from .value import Value

_FUNCS = {"exp", "log", "tanh", "sigmoid", "relu", "leaky_relu"}
_BINOPS = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__",
           ast.Pow: "__pow__"}


class ExpressionError(ValueError):
    pass


def parse_expression(expr: str, values: dict) -> Value:
    """Construye el grafo de ``expr`` con ``Value`` recorriendo su árbol sintáctico; sólo
    admite números, variables, + − · / **, − unario y exp/log/tanh/sigmoid/relu (nunca ``eval``).
    El resultado se etiqueta ``f`` y los intermedios ``q``, ``q1``, ``q2``..."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"expresión no válida: {expr!r} ({e.msg})") from None
    leaves = {}

    def build(node):
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
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


def _num(v: float) -> str:
    return f"{v:g}"


def _cmd_grafo(args, extra):
    values = {}
    it = iter(extra)
    for tok in it:
        if not tok.startswith("--"):
            raise SystemExit(f"argumento no reconocido: {tok}")
        name = tok[2:]
        if "=" in name:
            name, val = name.split("=", 1)
        else:
            val = next(it, None)
            if val is None:
                raise SystemExit(f"falta el valor de --{name}")
        try:
            values[name] = float(val)
        except ValueError:
            raise SystemExit(f"--{name} debe ser un número, no {val!r}") from None
    try:
        f = parse_expression(args.expresion, values)
    except ExpressionError as e:
        raise SystemExit(f"error: {e}") from None
    from .viz import explain_backward
    exp = explain_backward(f)
    print(f"f = {args.expresion} = {f.data:.6g}")
    print(exp.text)
    if args.salida:
        try:
            files, err = exp.save_slides(args.salida, args.pasos, fmt=args.formato_pasos, rankdir=args.rankdir,
                                         title=f"f = {args.expresion}", dpi=args.dpi)
        except ValueError as e:
            raise SystemExit(f"error: {e}") from None
        if err is not None:
            print(f"aviso: {err}\nSe escribió el texto del grafo en {files[-1]}", file=sys.stderr)
            return 1
        print(f"grafo guardado en {args.salida}")
        if args.pasos:
            print(f"{len(files) - 1} pasos guardados en {args.pasos}/")
    return 0


def _cmd_demo(args, extra):
    from .demos import DEMOS
    if args.lista or not args.nombre:
        print("Demos disponibles (tinygrad-es demo NOMBRE [--help]):")
        for k, (_, desc) in DEMOS.items():
            print(f"  {k:<12} {desc}")
        return 0
    if args.nombre not in DEMOS:
        import difflib
        close = difflib.get_close_matches(args.nombre, DEMOS, n=1)
        hint = f" ¿Quisiste decir '{close[0]}'?" if close else ""
        raise SystemExit(f"demo desconocida '{args.nombre}'.{hint} Usa 'tinygrad-es demo --lista'.")
    mod = importlib.import_module(f".demos.{DEMOS[args.nombre][0]}", __package__)
    mod.main(extra, prog=f"tinygrad-es demo {args.nombre}")
    return 0


def _web_port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"el puerto debe ser un número entre 0 y 65535, no {text!r}")
    return int(text)


def _cmd_web(args, extra):
    if extra:
        raise SystemExit(f"argumento no reconocido: {' '.join(extra)}")
    from .web.server import main as web_main  # importa Starlette/uvicorn sólo para esta orden
    return web_main(args)


def main(argv=None):
    ap = ArgumentParser(prog="tinygrad-es", description="tinygrad_es: autograd para aprender redes neuronales.")
    sub = ap.add_subparsers(dest="orden", metavar="{grafo,demo,web}")
    g = sub.add_parser("grafo", help="dibuja el grafo de una expresión con sus gradientes", allow_abbrev=False,
                       description="Dibuja el grafo de cómputo de una expresión y explica su retropropagación. "
                                   "Da el valor de cada variable con --NOMBRE VALOR.")
    g.add_argument("expresion", help='p. ej. "(x+y)*z" o "tanh(w*x + b)"')
    g.add_argument("-o", "--salida", metavar="FICHERO", help="fichero de salida (.svg, .png, .pdf o .dot)")
    g.add_argument("--pasos", metavar="CARPETA", help="carpeta donde guardar una imagen por paso de la retropropagación")
    g.add_argument("--formato-pasos", default="svg", choices=["svg", "png", "pdf"],
                   help="formato de las imágenes de los pasos (svg)")
    g.add_argument("--rankdir", default="LR", choices=["LR", "TB"],
                   help="LR: de izquierda a derecha; TB: de arriba abajo")
    g.add_argument("--dpi", type=float, default=None, metavar="PPP",
                   help="resolución de los PNG (por defecto 150, el doble de los 72 de Graphviz)")
    d = sub.add_parser("demo", help="ejecuta una demo del curso", add_help=False,
                       description="Ejecuta una demo; lo que sigue al nombre se pasa a la demo.")
    d.add_argument("nombre", nargs="?")
    d.add_argument("--lista", action="store_true", help="lista las demos")
    w = sub.add_parser("web", help="página para dibujar un dígito y ver qué predice la CNN",
                       description="Arranca la página de la práctica: dibuja un número y la red lo reconoce "
                                   "(necesita el extra 'web': pip install \"tinygrad_es[web]\").")
    w.add_argument("--puerto", type=_web_port, default=8000, help="puerto TCP (8000; 0 = uno libre)")
    w.add_argument("--modelo", help="state_dict de una SimpleCNN (.npz); por defecto, los pesos incluidos")
    w.add_argument("--host", default="127.0.0.1",
                   help="dirección en la que escuchar (127.0.0.1: sólo este ordenador)")
    args, extra = ap.parse_known_args(argv)
    if args.orden == "grafo":
        return _cmd_grafo(args, extra)
    if args.orden == "demo":
        return _cmd_demo(args, extra)
    if args.orden == "web":
        return _cmd_web(args, extra)
    ap.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
