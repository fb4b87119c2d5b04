"""El aviso de compilación: en frío, una línea al empezar y otra con el tiempo; en caliente, nada."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = ("import tinygrad_es as torch, numba\n"
        "numba.njit(lambda v: v + 1)(1)  # un @njit del usuario: no es nuestro, no se avisa\n"
        "print(torch.erf(torch.tensor([0.5])).item())\n")


def test_cold_cache_prints_notice_with_elapsed_time_then_warm_is_silent(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TINYGRAD_ES_AVISO_COMPILACION"}
    r = subprocess.run([sys.executable, "-c", PROG], capture_output=True, text=True, timeout=300,
                       env=dict(env, PYTHONPATH=ROOT, NUMBA_CACHE_DIR=str(tmp_path)))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "0.5204998850822449"
    lines = r.stderr.strip().splitlines()
    assert lines[0] == "compilando núcleos de numba (sólo la primera vez; quedan en caché)…"
    assert lines[1].startswith("compilando núcleos (primera vez)… ") and lines[1].endswith("s (1 núcleo)")
    seconds = float(lines[1].split("… ")[1].split(" s")[0].replace(",", "."))
    assert 0 < seconds < 300
    # la segunda vez se carga de la caché: ni una palabra
    r = subprocess.run([sys.executable, "-c", PROG], capture_output=True, text=True, timeout=300,
                       env=dict(env, PYTHONPATH=ROOT, NUMBA_CACHE_DIR=str(tmp_path)))
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_notice_can_be_silenced(tmp_path):
    r = subprocess.run([sys.executable, "-c", PROG], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=ROOT, NUMBA_CACHE_DIR=str(tmp_path),
                                TINYGRAD_ES_AVISO_COMPILACION="0"))
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_notice_goes_through_tqdm_only_if_tqdm_is_in_use(monkeypatch, capsys):
    """Con tqdm importado (puede haber barras), el aviso va por ``tqdm.write``; sin él, a stderr
    directamente, y la biblioteca no importa tqdm."""
    import types
    from tinygrad_es.kernels import compile_notice
    got = []
    fake = types.SimpleNamespace(tqdm=types.SimpleNamespace(write=lambda msg, file=None: got.append(msg)))
    monkeypatch.setitem(sys.modules, "tqdm", fake)
    compile_notice._write("con barras")
    assert got == ["con barras"] and capsys.readouterr().err == ""
    monkeypatch.delitem(sys.modules, "tqdm")
    compile_notice._write("sin barras")
    assert capsys.readouterr().err == "sin barras\n" and "tqdm" not in sys.modules
