"""La API de la página ``/grafo``: una expresión y sus valores -> el grafo con valores y
gradientes, y un fotograma por paso de la retropropagación.

La expresión se analiza con el mismo analizador seguro que la orden ``tinygrad-es grafo``
(recorre el árbol sintáctico con una lista blanca de operaciones; nunca ``eval``)."""
from __future__ import annotations

import math
import os
import re
from concurrent.futures import ThreadPoolExecutor

from ..viz._dot import GraphvizTimeout, run_dot
from ..viz.explain import explain_backward
from ..viz.expression import ExpressionError, parse_expression
from ..viz.graph import draw_graph
from .peticion import PeticionIncorrecta

__all__ = ["explicar", "MAX_CARACTERES", "MAX_NODOS"]

MAX_CARACTERES = 200   # expresiones de pizarra, no programas
MAX_NODOS = 25         # un fotograma por nodo: más no se puede seguir paso a paso (ni dibujar en < 1 s)
_NOMBRE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,19}$")


def _numero(v):
    """Para JSON: los no finitos (inf, nan) como texto."""
    return v if math.isfinite(v) else str(v)


def _valores(datos: dict) -> dict:
    valores = datos.get("valores", {})
    if not isinstance(valores, dict):
        raise PeticionIncorrecta("\"valores\" debe ser un objeto {\"x\": 2, \"y\": 3}")
    if len(valores) > 20:
        raise PeticionIncorrecta(f"demasiadas variables ({len(valores)}): como mucho 20")
    out = {}
    for k, v in valores.items():
        if not _NOMBRE.match(k):
            raise PeticionIncorrecta(f"nombre de variable no válido: {k!r} (letras, cifras y _; "
                                     f"empieza por una letra)")
        if type(v) not in (int, float) or not math.isfinite(v):
            raise PeticionIncorrecta(f"el valor de '{k}' debe ser un número finito, no {v!r}")
        out[k] = float(v)
    return out


def _svg(grafo, timeout: float = 10.0):
    """SVG de un ``graphviz.Digraph`` como texto, o ``None`` si falta el programa ``dot``
    (Graphviz con plazo: nunca deja la petición colgada)."""
    try:
        return run_dot(grafo.source, "svg", timeout).decode("utf-8")
    except (FileNotFoundError, GraphvizTimeout):  # la página muestra entonces los pasos en texto
        return None


def explicar(datos: dict) -> dict:
    """``{"expresion": "(x+y)*z", "valores": {"x": 2, "y": 3, "z": 4}}`` ->
    ``{"valor", "texto", "svg", "pasos": [{"texto", "svg"}], "gradientes", "aviso"}``."""
    expr = datos.get("expresion")
    if not isinstance(expr, str) or not expr.strip():
        raise PeticionIncorrecta("falta la expresión: envía {\"expresion\": \"(x+y)*z\", \"valores\": {...}}")
    if len(expr) > MAX_CARACTERES:
        raise PeticionIncorrecta(f"la expresión es demasiado larga ({len(expr)} caracteres; como mucho "
                                 f"{MAX_CARACTERES})")
    valores = _valores(datos)
    try:
        f = parse_expression(expr, valores)
    except ExpressionError as e:
        # el mensaje de la CLI habla de "--x NÚMERO"; en la página los valores se escriben "x=NÚMERO"
        raise PeticionIncorrecta(re.sub(r"añade --(\w+) NÚMERO", r"añade \1=NÚMERO", str(e))) from None
    except (RecursionError, MemoryError):
        raise PeticionIncorrecta("la expresión está demasiado anidada") from None
    except (ArithmeticError, ValueError) as e:
        raise PeticionIncorrecta(f"no se puede calcular la expresión: {e}") from None
    nodos = f.topo_order()
    if len(nodos) > MAX_NODOS:
        raise PeticionIncorrecta(f"el grafo tiene {len(nodos)} nodos: como mucho {MAX_NODOS} para "
                                 f"seguirlo paso a paso")
    exp = explain_backward(f)
    try:
        completo = _svg(draw_graph(f, title=f"f = {expr}"))
        if completo is not None:
            # cada fotograma es una llamada al programa 'dot': en paralelo, en los núcleos que haya
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                pasos = list(pool.map(_svg, exp.frames()))
        else:
            pasos = [None] * len(exp.steps)
        aviso = None if completo is not None else "falta Graphviz ('dot'): se muestran sólo los pasos en texto"
    except ImportError:
        completo, pasos = None, [None] * len(exp.steps)
        aviso = "falta el paquete graphviz de Python: se muestran sólo los pasos en texto"
    hojas = {n.label: _numero(n.grad) for n in nodos if n.is_leaf and n.label in valores}
    return {"valor": _numero(f.data), "texto": exp.text, "svg": completo, "gradientes": hojas,
            "pasos": [{"texto": t, "svg": s} for t, s in zip(exp.steps, pasos)], "aviso": aviso}
