"""``import tinygrad_es`` importa numba sin scipy ni yaml (``_runtime.import_numba``), y ambos siguen
importándose con normalidad después."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CODE = r"""
import sys
import tinygrad_es
print("scipy" in sys.modules, "yaml" in sys.modules)
import numba
print(numba.config.DISABLE_JIT)
import scipy.linalg, yaml
print(scipy.linalg.norm([3.0, 4.0]), yaml.safe_load("a: 1")["a"])
"""


def _run(cwd, **extra):
    env = dict(os.environ, PYTHONPATH=ROOT, TINYGRAD_ES_AVISO_COMPILACION="0", TINYGRAD_ES_COMPILAR_FONDO="0")
    env.pop("NUMBA_DISABLE_JIT", None)
    env.update(extra)
    r = subprocess.run([sys.executable, "-c", _CODE], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_import_skips_scipy_and_yaml_but_both_still_import(tmp_path):
    assert _run(tmp_path) == ["False", "False", "0", "5.0", "1"]
    assert _run(tmp_path, TINYGRAD_ES_NUMBA_LIGERO="0")[:2] == ["True", "True"]


def test_numba_config_yaml_in_the_current_folder_is_still_read(tmp_path):
    (tmp_path / ".numba_config.yaml").write_text("disable_jit: 1\n")
    out = _run(tmp_path)
    assert out[:3] == ["False", "True", "1"]  # numba leyó el fichero (con yaml), como sin tinygrad_es
