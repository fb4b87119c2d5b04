"""La organización del motor (``../shared/design/layout.md`` hecho test).

* Cada módulo tiene un rango (``RANKS``, en el orden de lectura del README) y sólo importa módulos
  del paquete de rango igual o menor, **en cualquier nivel de anidamiento** (también dentro de
  funciones: una importación perezosa no puede esconder un ciclo).
* Dentro de un mismo rango no hay ciclos de importación.
* Excepciones (``ALLOWED``): ``demos/`` y ``web/`` importan el espacio de nombres ``tinygrad_es``
  como lo haría el código de un usuario; los paquetes de terceros opcionales (matplotlib, graphviz,
  starlette...) no cuentan; la CLI importa ``web`` y ``demos`` sólo dentro de funciones (para no
  cargar Starlette en ``tinygrad-es grafo``), y eso también se comprueba; también el alias ``torch``
  (``_torch_alias``, rango del espacio de nombres) para ``tinygrad-es ejecutar``.
* Ficheros con nombre de concepto: ninguno acaba en ``_more``, ningún docstring de módulo cita un
  "issue", todo ``@njit`` vive en ``kernels/``, todo módulo que se importa con ``*`` tiene
  ``__all__`` y ningún fichero pasa de ~420 líneas.

Las funciones que comprueban reciben la carpeta y la tabla de rangos, así que los tests del final
las prueban también con paquetes inventados en los que se planta un ciclo o una importación hacia
arriba: el test sabe fallar.
"""
import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tinygrad_es"

# Rango de cada módulo (el prefijo más largo manda): sólo se importa hacia rangos iguales o menores.
RANKS = {
    # 0: hojas (no importan nada del paquete)
    "tinygrad_es._runtime": 0, "tinygrad_es._dtype": 0, "tinygrad_es._random": 0, "tinygrad_es.device": 0,
    "tinygrad_es.return_types": 0, "tinygrad_es._argparse_es": 0, "tinygrad_es._io": 0,
    "tinygrad_es._validate": 0, "tinygrad_es._bounded_read": 0, "tinygrad_es.backends": 0, "tinygrad_es._download": 0,
    "tinygrad_es._settings": 0,
    "tinygrad_es.kernels": 1,                        # numba/BLAS sobre arrays, sin autograd
    "tinygrad_es.autograd": 2,                       # los motores: Value, Function, backward
    "tinygrad_es.ops": 3,                            # una Function por operación (ndarray in/out)
    "tinygrad_es._tensor": 4, "tinygrad_es.linalg": 4, "tinygrad_es.fft": 4, "tinygrad_es.signal": 4,   # la fachada: Tensor y torch.x
    "tinygrad_es.autograd.functional": 4, "tinygrad_es.func": 4,  # (previstos) componen operaciones de Tensor
    "tinygrad_es.nn": 5, "tinygrad_es.distributions": 5,
    "tinygrad_es.optim": 6, "tinygrad_es.amp": 6, "tinygrad_es.utils": 6, "tinygrad_es.data": 6, "tinygrad_es.serialization": 6,
    "tinygrad_es.vision": 6, "tinygrad_es.audio": 6,
    "tinygrad_es.testing": 4, "tinygrad_es.special": 4, "tinygrad_es.masked": 4,                        # torch.testing.assert_close (sólo mira tensores)
    "tinygrad_es.models": 7, "tinygrad_es.textgen": 7, "tinygrad_es.train": 7, "tinygrad_es.metrics": 7,
    "tinygrad_es.gradcheck": 7, "tinygrad_es.prepare": 7,
    "tinygrad_es.viz": 8,
    "tinygrad_es.web": 9, "tinygrad_es.demos": 9, "tinygrad_es.cli": 9, "tinygrad_es.__main__": 9,
    "tinygrad_es": 10,                               # el espacio de nombres de torch: sólo reexporta
    "tinygrad_es._torch_alias": 10, "tinygrad_es.como_torch": 10,  # import torch → tinygrad_es (opcional)
}

# (importador, importado) que saltan la regla a propósito (prefijos)
ALLOWED = {("tinygrad_es.demos", "tinygrad_es"), ("tinygrad_es.web", "tinygrad_es"),
           ("tinygrad_es.cli", "tinygrad_es._torch_alias")}
# módulos que sólo se importan dentro de funciones desde el importador (prefijos)
LAZY_ONLY = {("tinygrad_es.cli", "tinygrad_es.web"), ("tinygrad_es.cli", "tinygrad_es.demos"),
             ("tinygrad_es.cli", "tinygrad_es._torch_alias")}


# --------------------------------------------------------------------------------------------
# el análisis (funciones puras sobre una carpeta: las usan los tests de abajo con paquetes falsos)
# --------------------------------------------------------------------------------------------
def modules(root):
    """{nombre con puntos: ruta} de los ``.py`` de la carpeta ``root`` (que es un paquete)."""
    root = pathlib.Path(root)
    out = {}
    for p in sorted(root.rglob("*.py")):
        parts = p.relative_to(root.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def imports(root):
    """{módulo: [(módulo importado, línea, dentro_de_una_función)]} con las importaciones del
    paquete en cualquier nivel del árbol sintáctico; las relativas se resuelven."""
    mods = modules(root)
    top = pathlib.Path(root).name
    out = {}
    for name, path in mods.items():
        pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nested = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for n in ast.walk(f)}
        found = []
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(pkg[:len(pkg) - (node.level - 1)] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append(sub if sub in mods else base)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                if t == top or t.startswith(top + "."):
                    found.append((t, node.lineno, id(node) in nested))
        out[name] = found
    return out


def rank_of(name, ranks):
    """El rango del prefijo más largo de ``name`` en ``ranks`` (el paquete raíz sólo vale para sí mismo)."""
    keys = [k for k in ranks if name == k or ("." in k and name.startswith(k + "."))]
    return ranks[max(keys, key=len)] if keys else None


def _allowed(src, dst, allowed):
    return any((src == a or src.startswith(a + ".")) and dst == b for a, b in allowed)


def unranked(root, ranks):
    return sorted(m for m in modules(root) if rank_of(m, ranks) is None)


def upward_imports(root, ranks, allowed=()):
    """Importaciones hacia un rango mayor: ``["a (rango 3) importa b (rango 4) en la línea 7"]``."""
    bad = []
    for src, deps in imports(root).items():
        rs = rank_of(src, ranks)
        for dst, line, lazy in deps:
            rd = rank_of(dst, ranks)
            if rs is None or rd is None or rd <= rs or _allowed(src, dst, allowed):
                continue
            where = "dentro de una función" if lazy else "en el módulo"
            bad.append(f"{src} (rango {rs}) importa {dst} (rango {rd}) en la línea {line}, {where}")
    return bad


def cycles_within_rank(root, ranks, allowed=()):
    """Ciclos de importación entre módulos del mismo rango (contando las importaciones perezosas)."""
    graph = {}
    for src, deps in imports(root).items():
        graph[src] = sorted({d for d, _, _ in deps if d != src and rank_of(d, ranks) == rank_of(src, ranks)
                             and not _allowed(src, d, allowed)})
    color, stack, cycles = {}, [], []

    def visit(u):
        color[u] = 1
        stack.append(u)
        for v in graph.get(u, ()):
            if color.get(v) == 1:
                cycles.append(stack[stack.index(v):] + [v])
            elif not color.get(v):
                visit(v)
        stack.pop()
        color[u] = 2

    for m in sorted(graph):
        if not color.get(m):
            visit(m)
    return cycles


def eager_imports(root, lazy_only):
    """Importaciones que deberían hacerse dentro de una función y están en el nivel del módulo."""
    bad = []
    for src, deps in imports(root).items():
        for dst, line, lazy in deps:
            if not lazy and any(src == a and (dst == b or dst.startswith(b + ".")) for a, b in lazy_only):
                bad.append(f"{src} importa {dst} al cargar el módulo (línea {line})")
    return bad


# --------------------------------------------------------------------------------------------
# el paquete de verdad
# --------------------------------------------------------------------------------------------
def test_every_module_has_a_rank():
    assert not unranked(ROOT, RANKS), f"añade estos módulos a RANKS: {unranked(ROOT, RANKS)}"


def test_imports_go_down_by_rank_at_every_nesting_level():
    bad = upward_imports(ROOT, RANKS, ALLOWED)
    assert not bad, "importaciones hacia arriba:\n" + "\n".join(bad)


def test_no_import_cycles_within_a_rank():
    cycles = cycles_within_rank(ROOT, RANKS, ALLOWED)
    assert not cycles, "ciclos de importación: " + "; ".join(" -> ".join(c) for c in cycles)


def test_cli_imports_web_and_demos_only_when_asked():
    bad = eager_imports(ROOT, LAZY_ONLY)
    assert not bad, "\n".join(bad)


def test_no_file_named_more():
    bad = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py") if p.stem.endswith("_more")]
    assert not bad, f"ficheros con nombre de fecha, no de concepto: {bad}"


def test_no_module_docstring_names_an_issue():
    bad = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
           if "issue" in (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").lower()]
    assert not bad, f"docstrings que citan un issue (di qué hay, no cuándo llegó): {bad}"


def test_every_njit_lives_in_kernels():
    bad = []
    for p in ROOT.rglob("*.py"):
        if "kernels" in p.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            for d in getattr(node, "decorator_list", ()):
                f = d.func if isinstance(d, ast.Call) else d
                if (f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")) in ("njit", "jit", "vectorize"):
                    bad.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert not bad, f"núcleos numba fuera de kernels/: {bad}"


def test_star_imported_modules_have_all():
    mods = modules(ROOT)
    bad = []
    for name, path in mods.items():
        pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                base = ".".join(pkg[:len(pkg) - (node.level - 1)] + ([node.module] if node.module else [])) \
                    if node.level else node.module
                if base not in mods:
                    continue
                tree = ast.parse(mods[base].read_text(encoding="utf-8"))
                if not any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
                           for n in tree.body):
                    bad.append(f"{name} hace 'from {base} import *' y {base} no define __all__")
    assert not bad, "\n".join(bad)


def test_no_file_over_about_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert not long, f"ficheros demasiado largos (pártelos por subconcepto): {long}"


def test_tensor_is_a_function_and_subpackages_are_attributes():
    import tinygrad_es as torch
    assert callable(torch.tensor) and torch.tensor([1, 2]).dtype == torch.int64
    assert torch.nn.Linear and torch.optim.SGD and torch.nn.functional.conv2d and torch.utils.data.DataLoader


def test_old_pickles_of_tensors_still_load():
    """Un tensor guardado con ``pickle`` cuando la clase vivía en ``tinygrad_es/_tensor.py``
    (el pickle nombra ``tinygrad_es._tensor.Tensor``) se sigue cargando."""
    import base64
    import pickle

    import numpy as np
    old = ("gASVXwEAAAAAAACME3RpbnlncmFkX2VzLl90ZW5zb3KUjAZUZW5zb3KUk5QpgZROfZQojAVfZGF0YZSMFm51bXB5Ll9jb3Jl"
           "Lm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwKGlGgJ"
           "jAVkdHlwZZSTlIwCZjSUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEAAAwD8AAADAAABAQAAAiECUdJRijAVf"
           "Z3JhZJROjA1yZXF1aXJlc19ncmFklImMBF9jdHiUTowEbmFtZZSMAJSMB19yZXRhaW6UiYwGX2hvb2tzlE6MCF92ZXJzaW9u"
           "lIwadGlueWdyYWRfZXMuYXV0b2dyYWQuZ3JhcGiUjA5WZXJzaW9uQ291bnRlcpSTlCmBlE59lIwFdmFsdWWUSwBzhpRidYaU"
           "Yi4=")
    blob = base64.b64decode(old)
    assert b"tinygrad_es._tensor\x94\x8c\x06Tensor" in blob
    t = pickle.loads(blob)  # noqa: S301 - bytes escritos por este mismo test
    import tinygrad_es as tg
    assert isinstance(t, tg.Tensor)
    np.testing.assert_array_equal(t.numpy(), [[1.5, -2.0], [3.0, 4.25]])
    assert (t * 2).sum().item() == 13.5


# --------------------------------------------------------------------------------------------
# el test sabe fallar: paquetes inventados con una importación hacia arriba y un ciclo
# --------------------------------------------------------------------------------------------
def _package(tmp_path, files):
    root = tmp_path / "pkg"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


FAKE_RANKS = {"pkg": 9, "pkg.low": 0, "pkg.mid": 1, "pkg.high": 2, "pkg.app": 3}


def test_checker_finds_an_upward_import_hidden_in_a_function(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "", "low.py": "def f():\n    from .high import g\n    return g\n",
        "high.py": "from .low import f\n\ndef g():\n    return 1\n", "mid.py": "", "app.py": "from pkg import low\n"})
    bad = upward_imports(root, FAKE_RANKS)
    assert bad == ["pkg.low (rango 0) importa pkg.high (rango 2) en la línea 2, dentro de una función"]
    assert not cycles_within_rank(root, FAKE_RANKS)  # de rangos distintos: no es un ciclo de un rango


def test_checker_finds_a_cycle_within_a_rank(tmp_path):
    ranks = dict(FAKE_RANKS, **{"pkg.mid.a": 1, "pkg.mid.b": 1})
    root = _package(tmp_path, {
        "__init__.py": "", "low.py": "", "high.py": "", "app.py": "",
        "mid/__init__.py": "", "mid/a.py": "from . import b\n", "mid/b.py": "def f():\n    from .a import x\n"})
    assert cycles_within_rank(root, ranks) == [["pkg.mid.a", "pkg.mid.b", "pkg.mid.a"]]
    assert not upward_imports(root, ranks)


def test_checker_allow_list_and_lazy_only(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "from . import app\n", "low.py": "", "mid.py": "", "high.py": "",
        "app.py": "import pkg\nfrom . import high\n\ndef main():\n    from . import mid\n"})
    assert upward_imports(root, FAKE_RANKS) == ["pkg.app (rango 3) importa pkg (rango 9) en la línea 1, en el módulo"]
    assert not upward_imports(root, FAKE_RANKS, {("pkg.app", "pkg")})
    assert eager_imports(root, {("pkg.app", "pkg.high")}) == ["pkg.app importa pkg.high al cargar el módulo (línea 2)"]
    assert not eager_imports(root, {("pkg.app", "pkg.mid")})
    assert unranked(root, FAKE_RANKS) == [] and unranked(root, {"pkg": 9, "pkg.app": 3}) == ["pkg.high", "pkg.low",
                                                                                              "pkg.mid"]


@pytest.mark.parametrize("name, text, check", [
    ("viejo_more.py", "", "more"), ("x.py", '"""Añadido en el issue 7."""\n', "issue"),
    ("y.py", "from numba import njit\n\n@njit\ndef f():\n    pass\n", "njit")])
def test_file_checks_fail_on_a_planted_file(tmp_path, monkeypatch, name, text, check):
    root = _package(tmp_path, {"__init__.py": "", name: text})
    monkeypatch.setattr(sys.modules[__name__], "ROOT", root)
    fn = {"more": test_no_file_named_more, "issue": test_no_module_docstring_names_an_issue,
          "njit": test_every_njit_lives_in_kernels}[check]
    with pytest.raises(AssertionError):
        fn()
