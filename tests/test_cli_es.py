"""La línea de órdenes y las demos hablan español: ayuda, errores y opciones comunes."""
import argparse
import os
import subprocess
import sys

import pytest

from tinygrad_es._argparse_es import ArgumentParser
from tinygrad_es.cli import main as cli_main
from tinygrad_es.demos import DEMOS

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ENGLISH = ("usage:", "show this help", "options:", "positional arguments", "error: argument ", "invalid int",
           "unrecognized arguments", "expected one argument", "required:")


def _no_english(text):
    for w in ENGLISH:
        assert w not in text, (w, text)


def test_top_level_help(capsys):
    with pytest.raises(SystemExit) as e:
        cli_main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("uso: tinygrad-es") and "muestra este mensaje de ayuda y sale" in out
    assert "opciones:" in out and "argumentos posicionales:" in out
    _no_english(out)


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_every_demo_help_in_spanish_with_common_options(demo, capsys):
    with pytest.raises(SystemExit) as e:
        cli_main(["demo", demo, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"uso: tinygrad-es demo {demo}")
    for opt in ("--out-dir", "--epochs", "--seed", "muestra este mensaje de ayuda y sale"):
        assert opt in out, (demo, opt)
    _no_english(out)


def test_bad_values_give_spanish_errors(capsys):
    with pytest.raises(SystemExit) as e:
        cli_main(["demo", "xor", "--epochs", "tres"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("uso: tinygrad-es demo xor")
    assert "tinygrad-es demo xor: error: argumento --epochs: entero no válido: 'tres'" in err
    with pytest.raises(SystemExit):
        cli_main(["demo", "perceptron", "--epocs", "3"])
    assert "argumentos no reconocidos: --epocs 3" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["demo", "xor", "--epochs", "0"])
    assert "--epochs debe ser ≥ 1, no 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["demo", "cnn", "--lr", "-1"])
    assert "--lr debe ser un número positivo" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["demo", "xor", "--seed"])
    assert "argumento --seed: falta su valor" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["grafito"])
    err = capsys.readouterr().err
    assert "valor no válido: 'grafito' (elige entre 'grafo', 'demo', 'web', 'ejecutar', 'preparar')" in err
    _no_english(err)
    with pytest.raises(SystemExit):
        cli_main(["grafo"])
    assert "faltan argumentos obligatorios: expresion" in capsys.readouterr().err


def test_unused_common_option_is_announced(capsys, tmp_path):
    from tinygrad_es.demos import graph_demo
    graph_demo.main(["--epochs", "3", "--seed", "1"], prog="tinygrad-es demo grafo")
    out = capsys.readouterr().out
    assert "aviso: esta demo no usa --epochs" in out and "aviso: esta demo no usa --seed" in out
    assert "∂f/∂x" in out


def test_grafo_dpi_option(capsys, tmp_path):
    with pytest.raises(SystemExit, match="dpi"):
        cli_main(["grafo", "x*y", "--x", "1", "--y", "2", "-o", str(tmp_path / "g.png"), "--dpi", "-3"])
    # una variable cuyo nombre empieza como una opción no se confunde con ella
    assert cli_main(["grafo", "d*s", "--d", "2", "--s", "3"]) == 0
    assert "f = d*s = 6" in capsys.readouterr().out


def test_argparse_elsewhere_stays_untouched(capsys):
    ArgumentParser(prog="a").format_help()
    plain = argparse.ArgumentParser(prog="b")
    assert "usage: b" in plain.format_help() and "show this help message and exit" in plain.format_help()


@pytest.mark.parametrize("script", ["02_xor.py", "00_grafo.py"])
def test_demo_scripts_help(script):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, os.path.join(ROOT, "demos", script), "--help"], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"uso: {script}") and "--out-dir" in r.stdout and "--epochs" in r.stdout
    _no_english(r.stdout)


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="hace falta Graphviz")
def test_grafo_steps_follow_output_format_and_path_is_clean(capsys, tmp_path):
    pasos = str(tmp_path / "pasos") + "/"
    assert cli_main(["grafo", "(x+y)*z", "--x", "2", "--y", "3", "--z", "4", "-o", str(tmp_path / "g.png"),
                     "--pasos", pasos, "--dpi", "40"]) == 0
    out = capsys.readouterr().out
    assert f"5 pasos (PNG) guardados en {pasos}\n" in out and "pasos//" not in out
    files = sorted(os.listdir(pasos))
    assert files and all(f.endswith(".png") for f in files)
    with open(os.path.join(pasos, files[0]), "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    # se puede pedir otro formato, y sin barra final la carpeta se escribe igual de limpia
    assert cli_main(["grafo", "x*y", "--x", "1", "--y", "2", "-o", str(tmp_path / "h.svg"),
                     "--pasos", str(tmp_path / "p2"), "--formato-pasos", "pdf"]) == 0
    assert f"pasos (PDF) guardados en {tmp_path / 'p2'}{os.sep}\n" in capsys.readouterr().out
    assert all(f.endswith(".pdf") for f in os.listdir(tmp_path / "p2"))
    # --pasos sin -o no escribe nada: se avisa en vez de callar
    assert cli_main(["grafo", "x*y", "--x", "1", "--y", "2", "--pasos", str(tmp_path / "p3")]) == 0
    assert "--pasos sólo guarda imágenes junto con -o" in capsys.readouterr().err
