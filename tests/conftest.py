import os
import sys
import types

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

# Perfil "ci": ejemplos acotados y sin plazo (numba compila en la primera llamada).
settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
settings.load_profile(_PROFILE)


def pytest_collection_finish(session):
    # importar las utilidades de test de PyTorch (``op_db`` en test_compat_opinfo) registra y carga
    # su propio perfil de hypothesis (max_examples=10): se vuelve a cargar el nuestro tras recoger
    settings.load_profile(_PROFILE)


def pytest_terminal_summary(terminalreporter):
    from tinygrad_es.gradcheck import STATS
    if STATS["calls"]:
        terminalreporter.write_line(
            f"gradcheck: {STATS['calls']} comprobaciones superadas, {STATS['values_checked']} derivadas "
            f"comparadas, error relativo máximo {STATS['max_rel_err']:.2e} "
            f"(absoluto máximo {STATS['max_abs_err']:.2e})")


# ----------------------------------------------------------------------------------------------
# Marca "torch": los tests cuyo código usa PyTorch de verdad (directamente o por una función o un
# fixture de su módulo). CI (.ci/run) pasa la suite entera sin PyTorch y luego, con PyTorch, sólo
# `pytest -m torch`: las comparaciones que sin él se saltan.
# ----------------------------------------------------------------------------------------------
def _code_objects(code):
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield from _code_objects(c)


def uses_torch(func, seen=None) -> bool:
    """¿El código de ``func`` (o de las funciones de su módulo a las que llama) usa PyTorch?

    Cuenta el nombre global ``torch`` cuando en el módulo no es tinygrad_es (``import torch``,
    ``torch = pytest.importorskip("torch")`` o ``torch = None`` si falta) y ``importorskip("torch")``
    dentro de la función."""
    seen = set() if seen is None else seen
    func = getattr(func, "__wrapped__", func)
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    glb = getattr(func, "__globals__", {})
    mod = glb.get("__name__")
    for c in _code_objects(code):
        names = set(c.co_names)
        if "torch" in names and getattr(glb.get("torch"), "__name__", "torch") != "tinygrad_es":
            return True
        if "importorskip" in names and "torch" in c.co_consts:
            return True
        for n in names:
            g = glb.get(n)
            if isinstance(g, types.FunctionType) and g.__module__ == mod and uses_torch(g, seen):
                return True
    return False


def pytest_configure(config):
    config.addinivalue_line("markers", "torch: el test compara con PyTorch (se salta, o se recorta, sin él)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        funcs = [getattr(item, "function", None)]
        info = getattr(item, "_fixtureinfo", None)
        for name in getattr(item, "fixturenames", ()):
            defs = info.name2fixturedefs.get(name) if info is not None else None
            if defs:
                funcs.append(defs[-1].func)
        if any(f is not None and uses_torch(f) for f in funcs):
            item.add_marker(pytest.mark.torch)
