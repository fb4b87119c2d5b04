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
