"""La maquinaria de CI: la marca ``torch`` que conftest pone sola y el perfil ``ci`` de hypothesis."""
import os
import textwrap
import types

from conftest import uses_torch


def _module(src, torch_value):
    g = {"__name__": "modulo_de_prueba", "torch": torch_value}
    exec(textwrap.dedent(src), g)
    return g


def test_uses_torch_follows_helpers_and_ignores_tinygrad_as_torch():
    real = types.ModuleType("torch")
    src = """
        import pytest

        def helper():
            return torch.ones(2)

        def test_direct():
            torch.zeros(1)

        def test_through_helper():
            helper()

        def test_inside():
            t = pytest.importorskip("torch")

        def test_none():
            return 1 + 1
        """
    g = _module(src, real)
    assert uses_torch(g["test_direct"]) and uses_torch(g["test_through_helper"]) and uses_torch(g["test_inside"])
    assert not uses_torch(g["test_none"])
    # `torch = None` cuando falta (tests que comparan sólo si está): también cuentan
    assert uses_torch(_module(src, None)["test_direct"])
    # `import tinygrad_es as torch`: no es PyTorch
    import tinygrad_es
    assert not uses_torch(_module(src, tinygrad_es)["test_through_helper"])


def test_hypothesis_profile_is_bounded_in_ci():
    from hypothesis import settings
    ci = settings.get_profile("ci")
    assert ci.max_examples <= 25 and ci.deadline is None
    if os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") == "ci":
        assert settings.default.max_examples == ci.max_examples and settings.default.deadline is None


def test_ci_script_walks_the_readme_path_then_the_torch_pass():
    """``.ci/run``: la orden de tests del README, tal cual, en un entorno nuevo sin PyTorch; luego PyTorch
    sólo desde la rueda local (nunca del registro) y sólo los tests marcados ``torch``."""
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = open(os.path.join(root, ".ci", "run"), encoding="utf-8").read()
    readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    command = re.findall(r"```bash\n(python -m pip install -e .*?)\n```", readme)[0]
    install, test = command.split(" && ")
    code = [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    i_venv = next(i for i, line in enumerate(code) if re.search(r"-m venv ", line))
    i_install, i_test = code.index(install), code.index(test)
    i_torch = next(i for i, line in enumerate(code) if "pip install" in line and "torch" in line.lower())
    i_marked = code.index("python -m pytest -m torch")
    assert i_venv < i_install < i_test < i_torch < i_marked
    assert '"$TORCH_WHL"' in code[i_torch] and "/opt/wheels/torch-2.13.0+cpu-cp311-" in script
    # ningún otro pip install menciona torch (no se instala nunca desde el registro)
    assert [line for line in code if "pip install" in line and "torch" in line.lower()] == [code[i_torch]]
    assert "set -euo pipefail" in script and "HYPOTHESIS_PROFILE=ci" in script
