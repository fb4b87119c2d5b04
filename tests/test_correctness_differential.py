"""Pruebas diferenciales contra PyTorch: programas pequeños al azar (``difftest.py``) ejecutados línea
a línea en tinygrad_es y en torch; tras cada línea se comparan valores, dtypes, formas,
``requires_grad`` y clases de excepción de todas las variables, y al final los gradientes.

La serie es fija (``derandomize``) para que CI sea reproducible; ``python tests/difftest.py
--examples 20000`` explora muchas más."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

torch = pytest.importorskip("torch")

import tinygrad_es as tg  # noqa: E402
from difftest import run_program  # noqa: E402


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.data())
def test_random_programs_match_pytorch(data):
    prog = run_program(data.draw, torch, tg)
    assert not prog.diffs, prog.source() + "\n# " + "\n# ".join(f"{k}: {d}" for k, _, d in prog.diffs)
