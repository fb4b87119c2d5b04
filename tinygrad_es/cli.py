"""Línea de órdenes ``tinygrad-es``.

    tinygrad-es grafo "(x+y)*z" --x 2 --y 3 --z 4 -o grafo.svg [--pasos carpeta]
    tinygrad-es demo cnn
    tinygrad-es demo --lista
    tinygrad-es web [--puerto 8000] [--modelo pesos.npz] [--host 127.0.0.1]
    tinygrad-es ejecutar programa.py [argumentos del programa]   # un programa de PyTorch, sin cambios
    tinygrad-es preparar [--todo]                                # compila los núcleos de antemano
"""
from __future__ import annotations

import argparse
import ast
import importlib
import os
import signal
import sys
import threading

from ._argparse_es import SpanishParser
from ._io import os_error_es
from .prepare import COURSE, cache_dir, prepare
from .viz import explain_backward
from .viz.expression import ExpressionError, parse_expression

# Límites de la orden ``grafo`` (los de la expresión están en viz/expression.py): por encima, Graphviz
# tarda minutos; se rechaza antes con un mensaje claro.
MAX_DRAW_NODES = 100        # nodos del grafo que se dibujan con Graphviz
MAX_STEP_FRAMES = 40        # imágenes de --pasos
DEFAULT_TIME_LIMIT = 30.0   # segundos en total para Graphviz
_OUT_EXTS = (".svg", ".png", ".pdf", ".dot", ".gv")


_GRAFO_VALUE_OPTS = ("-o", "--salida", "--pasos", "--formato-pasos", "--rankdir", "--limite-tiempo", "--dpi")


def _split_grafo_argv(tokens):
    """Separa los argumentos de ``grafo`` en (opciones para argparse, expresión, --VARIABLE VALOR).

    argparse toma por opción todo lo que empieza por '-' ("-x*y", "-(a+b)"); aquí la primera
    palabra que no es una opción conocida ni una variable es la expresión, empiece como empiece.
    Los valores de las variables pueden ser negativos (``--x -3``)."""
    known, variables, expr = [], [], None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        name = tok.split("=", 1)[0]
        if tok == "--":
            rest = tokens[i + 1:]
            if expr is None and rest:
                expr, rest = rest[0], rest[1:]
            if rest:
                raise SystemExit(f"error: sobran argumentos tras la expresión: {' '.join(rest)}")
            break
        if tok in ("-h", "--help"):
            known.append(tok)
        elif name in _GRAFO_VALUE_OPTS:
            known.append(tok)
            if "=" not in tok and i + 1 < len(tokens):
                known.append(tokens[i + 1])
                i += 1
        elif tok.startswith("-o") and "." in tok and not set(tok[2:]) & set("*+()"):
            known.append(tok)                       # forma pegada: -ografo.svg
        elif tok.startswith("--") and name[2:].isidentifier():
            variables.append(tok)
            if "=" not in tok:
                if i + 1 >= len(tokens):
                    raise SystemExit(f"error: falta el valor de {tok}")
                variables.append(tokens[i + 1])
                i += 1
        elif expr is None:
            expr = tok
        else:
            raise SystemExit(f"error: sobra el argumento {tok!r} (la expresión ya es {expr!r}). "
                             f"Escribe la expresión entre comillas: tinygrad-es grafo \"(x+y)*z\" --x 2 ...")
        i += 1
    return known, expr, variables


def _parse_values(tokens) -> dict:
    """``["--x", "2", "--y=3"]`` → ``{"x": 2.0, "y": 3.0}`` (los tokens vienen de ``_split_grafo_argv``)."""
    values = {}
    it = iter(tokens)
    for tok in it:
        name = tok[2:]
        if "=" in name:
            name, val = name.split("=", 1)
        else:
            val = next(it)
        try:
            values[name] = float(val)
        except ValueError:
            raise SystemExit(f"error: --{name} debe ser un número, no {val!r}") from None
    return values


def _cmd_grafo(args, values):
    out = args.salida
    ext = os.path.splitext(out)[1].lower() if out else ""
    if out and ext not in _OUT_EXTS:
        raise SystemExit(f"error: extensión no soportada en -o {out}: "
                         f"{repr(ext) if ext else 'falta la extensión'}; usa una de {', '.join(_OUT_EXTS)}")
    if not args.limite_tiempo > 0:
        raise SystemExit(f"error: --limite-tiempo debe ser un número de segundos positivo, no {args.limite_tiempo}")
    if args.dpi is not None and not 0 < args.dpi <= 2400:
        raise SystemExit(f"error: --dpi debe ser un número entre 1 y 2400, no {args.dpi:g}")
    try:
        f = parse_expression(args.expresion, values)
    except ExpressionError as e:
        raise SystemExit(f"error: {e}") from None
    used = {n.id for n in ast.walk(ast.parse(args.expresion.strip(), mode="eval")) if isinstance(n, ast.Name)}
    unused = sorted(set(values) - used)
    if unused:
        print(f"aviso: {', '.join('--' + u for u in unused)} no aparece{'n' if len(unused) > 1 else ''} "
              f"en la expresión", file=sys.stderr)
    n_nodes = len(f.topo_order())
    if out and ext not in (".dot", ".gv") and n_nodes > MAX_DRAW_NODES:
        raise SystemExit(f"error: el grafo tiene {n_nodes} nodos, demasiados para dibujarlo (máximo "
                         f"{MAX_DRAW_NODES}): Graphviz tardaría minutos. Usa una expresión más corta o "
                         f"-o grafo.dot para guardar sólo el texto del grafo")
    if args.pasos and n_nodes > MAX_STEP_FRAMES:
        raise SystemExit(f"error: --pasos guardaría {n_nodes} imágenes (una por nodo); el máximo es "
                         f"{MAX_STEP_FRAMES}. Usa una expresión más corta o quita --pasos")
    # los pasos, en el formato de -o salvo que se pida otro (con -o grafo.png, paso_01.png...)
    fmt = args.formato_pasos or {".png": "png", ".pdf": "pdf"}.get(ext, "svg")
    exp = explain_backward(f)
    print(f"f = {args.expresion} = {f.data:.6g}")
    print(exp.text)
    if args.pasos and not out:
        print("aviso: --pasos sólo guarda imágenes junto con -o FICHERO (p. ej. -o grafo.svg)", file=sys.stderr)
    if out:
        try:
            files, err = exp.save_slides(out, args.pasos, fmt=fmt, rankdir=args.rankdir,
                                         title=f"f = {args.expresion}", timeout=args.limite_tiempo,
                                         dpi=args.dpi)
        except OSError as e:
            raise SystemExit(f"error: no se pudo escribir '{e.filename or out}': {os_error_es(e)}") from None
        if err is not None:
            print(f"aviso: {err}\nSe escribió el texto del grafo en {files[-1]}", file=sys.stderr)
            return 1
        print(f"grafo guardado en {out}")
        if args.pasos:
            print(f"{len(files) - 1} pasos ({fmt.upper()}) guardados en {os.path.join(args.pasos, '')}")
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


def _build_parser():
    ap = SpanishParser(prog="tinygrad-es", description="tinygrad_es: autograd para aprender redes neuronales.")
    sub = ap.add_subparsers(dest="orden", parser_class=SpanishParser, metavar="{grafo,demo,web,ejecutar,preparar}")
    g = sub.add_parser("grafo", help="dibuja el grafo de una expresión con sus gradientes",
                       description="Dibuja el grafo de cómputo de una expresión y explica su retropropagación. "
                                   "Da el valor de cada variable con --NOMBRE VALOR. La expresión puede "
                                   "empezar por '-' (\"-x*y\").")
    g.add_argument("expresion", help='p. ej. "(x+y)*z" o "tanh(w*x + b)"')
    g.add_argument("-o", "--salida", metavar="FICHERO", help="fichero de salida (.svg, .png, .pdf o .dot)")
    g.add_argument("--pasos", metavar="CARPETA",
                   help="carpeta donde guardar una imagen por paso de la retropropagación")
    g.add_argument("--formato-pasos", default=None, choices=["svg", "png", "pdf"],
                   help="formato de las imágenes de los pasos (por defecto, el de -o; svg con -o .dot)")
    g.add_argument("--rankdir", default="LR", choices=["LR", "TB"],
                   help="LR: de izquierda a derecha; TB: de arriba abajo")
    g.add_argument("--limite-tiempo", type=float, default=DEFAULT_TIME_LIMIT, metavar="SEGUNDOS",
                   help=f"tiempo máximo para Graphviz, en total ({DEFAULT_TIME_LIMIT:g} s)")
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
    e = sub.add_parser("ejecutar", help="ejecuta un programa de PyTorch sin cambiarlo (torch = tinygrad_es)",
                       description=EJECUTAR_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("programa", help="el programa de Python (.py)")
    e.add_argument("argumentos", nargs=argparse.REMAINDER, help="los argumentos del programa (su sys.argv[1:])")
    p = sub.add_parser("preparar", help="compila los núcleos numba de antemano (sólo hace falta una vez)",
                       description="Compila y guarda en la caché de numba los núcleos de tinygrad_es, con una "
                                   "barra de progreso: después, la primera época de una demo o de tu programa "
                                   "no espera a compilar. Por defecto, los que usan los modelos del curso "
                                   "(float32); --todo, todos en float32 y float64.")
    p.add_argument("--todo", action="store_true", help="todos los núcleos, en float32 y float64")
    return ap, g, e


def _cmd_preparar(args, extra):
    if extra:
        raise SystemExit(f"argumento no reconocido: {' '.join(extra)}")
    if args.todo:
        res = prepare(None, ("float32", "float64"))
    else:
        res = prepare(COURSE, ("float32",))
    secs = f"{res['segundos']:.1f}".replace(".", ",")
    if res["nucleos"]:
        print(f"{res['nucleos']} núcleos compilados en {secs} s y guardados en la caché de numba ({cache_dir()})")
    else:
        print(f"los núcleos ya estaban en la caché de numba ({cache_dir()}): {secs} s")
    return 0


EJECUTAR_HELP = """\
Ejecuta programa.py como 'python programa.py ARGUMENTOS', pero con 'import torch' (y torch.nn,
torch.utils.data, torchvision, torchaudio...) resuelto a tinygrad_es: el programa no se cambia.
Todo lo que sigue al nombre del programa es suyo (sys.argv[1:]); el código de salida es el suyo.
Se niega si PyTorch de verdad ya está importado. En un cuaderno: 'import tinygrad_es.como_torch'."""


def _cmd_ejecutar(argv):
    """``ejecutar PROGRAMA ARGS...``: lo que sigue al programa no se interpreta aquí (es del programa)."""
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        _build_parser()[2].print_help(sys.stdout if argv else sys.stderr)
        if not argv:
            print("error: falta el programa que hay que ejecutar", file=sys.stderr)
        return 0 if argv else 2
    from . import _torch_alias  # el alias sólo se carga para esta orden
    return _torch_alias.ejecutar(argv[0], argv[1:])


def _raise_exit(signum, frame):
    # SIGTERM como SystemExit: los bloques finally (que detienen 'dot') llegan a ejecutarse.
    raise SystemExit(128 + signum)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["ejecutar"]:
        return _cmd_ejecutar(argv[1:])
    ap, g, _ = _build_parser()
    old_term = None
    if argv[:1] == ["grafo"] and threading.current_thread() is threading.main_thread():
        old_term = signal.signal(signal.SIGTERM, _raise_exit)
    try:
        if argv[:1] == ["grafo"]:
            known, expr, variables = _split_grafo_argv(argv[1:])
            args = g.parse_args(known + (["--", expr] if expr is not None else []))
            return _cmd_grafo(args, _parse_values(variables))
        args, extra = ap.parse_known_args(argv)
        if args.orden == "demo":
            return _cmd_demo(args, extra)
        if args.orden == "web":
            return _cmd_web(args, extra)
        if args.orden == "preparar":
            return _cmd_preparar(args, extra)
        ap.print_help()
        return 0
    except KeyboardInterrupt:
        print("\ninterrumpido", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # la salida iba a un programa que ya cerró (p. ej. "| head"): nada que avisar
        sys.stdout = open(os.devnull, "w")
        return 0
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)


if __name__ == "__main__":
    sys.exit(main())
