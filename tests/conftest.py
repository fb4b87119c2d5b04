import os
import sys

from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

# Perfil "ci": ejemplos acotados y sin plazo (numba compila en la primera llamada).
settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_terminal_summary(terminalreporter):
    from tinygrad_es.gradcheck import STATS
    if STATS["calls"]:
        terminalreporter.write_line(
            f"gradcheck: {STATS['calls']} comprobaciones superadas, {STATS['values_checked']} derivadas "
            f"comparadas, error relativo máximo {STATS['max_rel_err']:.2e} "
            f"(absoluto máximo {STATS['max_abs_err']:.2e})")
