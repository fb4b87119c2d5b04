"""La organización del motor: sin ciclos de importación, ficheros cortos, ops sin nn."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tinygrad_es"


def _modules():
    mods = {}
    for p in ROOT.rglob("*.py"):
        parts = p.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = p
    return mods


def _import_graph():
    mods = _modules()
    graph = {}
    for name, p in mods.items():
        pkg = name.split(".") if p.name == "__init__.py" else name.split(".")[:-1]
        deps = set()
        for node in ast.parse(p.read_text(encoding="utf-8")).body:  # sólo imports de nivel de módulo
            if isinstance(node, ast.ImportFrom) and node.level:
                base = ".".join(pkg[:len(pkg) - (node.level - 1)] + ([node.module] if node.module else []))
                for a in node.names:
                    deps.add(f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tinygrad_es"):
                deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("tinygrad_es"))
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def test_no_module_level_import_cycles():
    graph, color, cycles = _import_graph(), {}, []

    def visit(u, stack):
        color[u] = 1
        stack.append(u)
        for v in sorted(graph[u]):
            if color.get(v) == 1:
                cycles.append(stack[stack.index(v):] + [v])
            elif not color.get(v):
                visit(v, stack)
        stack.pop()
        color[u] = 2

    for m in sorted(graph):
        if not color.get(m):
            visit(m, [])
    assert not cycles, "ciclos de importación: " + "; ".join(" -> ".join(c) for c in cycles)


def test_ops_and_kernels_never_import_nn():
    graph = _import_graph()
    for name, deps in graph.items():
        if name.startswith(("tinygrad_es.ops", "tinygrad_es.kernels", "tinygrad_es.autograd")):
            bad = [d for d in deps if d.startswith(("tinygrad_es.nn", "tinygrad_es.optim"))]
            assert not bad, f"{name} importa {bad}"


def test_no_file_over_about_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert not long, f"ficheros demasiado largos: {long}"


def test_tensor_is_a_function_and_subpackages_are_attributes():
    import tinygrad_es as torch
    assert callable(torch.tensor) and torch.tensor([1, 2]).dtype == torch.int64
    assert torch.nn.Linear and torch.optim.SGD
