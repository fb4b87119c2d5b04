"""Robustez de la orden ``tinygrad-es grafo`` y de Graphviz: plazos, tamaños, argumentos raros."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tinygrad_es import Value
from tinygrad_es.cli import main as cli_main
from tinygrad_es.viz.expression import ExpressionError, parse_expression
from tinygrad_es.viz import draw_graph, save
from tinygrad_es.viz._dot import GraphvizTimeout, active_dot_pids

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="falta Graphviz (dot)")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _sum_graph(n):
    """x + x + … + x con n términos: un nodo con n aristas, la pesadilla de dot (minutos con n ≥ 80)."""
    x = Value(1.0, "x")
    f = x
    for _ in range(n - 1):
        f = f + x
    return f


def _children(pid, name="dot"):
    """Procesos vivos (no zombis) con padre ``pid`` y nombre ``name``, leídos de /proc."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        if int(ppid) == pid and comm == name and state != "Z":
            out.append(int(d))
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


# ---- expresiones que desbordan la pila o la memoria -----------------------------------------
@pytest.mark.parametrize("expr, pattern", [
    ("+".join(["x"] * 2000), r"demasiado larga: 3999 caracteres \(máximo 2000\)"),
    ("-" * 3000 + "x", r"demasiado larga: 3001 caracteres"),
    ("-" * 1500 + "x", r"demasiado grande: 1502 elementos"),
    ("+".join(["x"] * 300), r"demasiado grande: 600 elementos"),
    ("-" * 250 + "x", r"demasiado anidada: 251 niveles .*el máximo es 200"),
    ("(" * 250 + "x" + ")" * 250, r"expresión no válida: .*demasiados paréntesis anidados"),
    ("(x+1", r"expresión no válida: '\(x\+1' \('\(' no se cerró, columna 1\)"),
    ("x+1)", r"'\)' sin abrir, columna 4"),
    ("x 1", r"sintaxis no válida, columna 3"),
    ("   ", r"la expresión está vacía"),
    ("9" * 310 + "*x", r"el número 999999999999… \(310 caracteres\) es demasiado grande"),
    ("x*1e999", r"el número 1e999 es demasiado grande"),
])
def test_huge_expressions_fail_fast_in_spanish(expr, pattern):
    t0 = time.perf_counter()
    with pytest.raises(ExpressionError, match=pattern):
        parse_expression(expr, {"x": 1.0})
    assert time.perf_counter() - t0 < 2


def test_big_literal_within_float_range_works():
    f = parse_expression("x*" + "9" * 300, {"x": 2.0})
    assert f.data == pytest.approx(2e300)


def test_cli_huge_expression_exits_with_message(capsys):
    with pytest.raises(SystemExit, match="demasiado larga"):
        cli_main(["grafo", "-" * 3000 + "x", "--x", "1"])


# ---- argumentos -----------------------------------------------------------------------------
def test_expression_starting_with_minus_just_works(capsys):
    assert cli_main(["grafo", "-x*y", "--x", "3", "--y", "2"]) == 0
    assert capsys.readouterr().out.startswith("f = -x*y = -6")
    # las variables pueden ir antes y tener valores negativos; también vale '--'
    assert cli_main(["grafo", "--x", "3", "-(x+y)", "--y=-5"]) == 0
    assert capsys.readouterr().out.startswith("f = -(x+y) = 2")
    assert cli_main(["grafo", "--x", "-3", "--", "-x"]) == 0
    assert capsys.readouterr().out.startswith("f = -x = 3")


@pytest.mark.parametrize("out, pattern", [
    ("g.exe", r"extensión no soportada en -o .*g\.exe: '\.exe'; usa una de \.svg, \.png, \.pdf, \.dot"),
    ("grafo", r"extensión no soportada en -o .*grafo: falta la extensión"),
])
def test_unknown_output_extension(tmp_path, out, pattern):
    with pytest.raises(SystemExit, match=pattern):
        cli_main(["grafo", "x*2", "--x", "1", "-o", str(tmp_path / out)])
    assert os.listdir(tmp_path) == []


def test_unwritable_output_is_spanish(tmp_path):
    blocker = tmp_path / "fichero"
    blocker.write_text("no soy una carpeta")
    with pytest.raises(SystemExit, match=r"no se pudo escribir '.*fichero': ya existe un fichero con ese nombre y "
                                         r"hace falta una carpeta"):
        cli_main(["grafo", "x", "--x", "1", "-o", str(blocker / "g.dot")])
    if HAVE_DOT:
        with pytest.raises(SystemExit, match=r"no se pudo escribir '.*fichero': ya existe un fichero con ese"):
            cli_main(["grafo", "x", "--x", "1", "-o", str(tmp_path / "g.svg"), "--pasos", str(blocker)])


def test_argument_errors_are_spanish(capsys):
    with pytest.raises(SystemExit, match=r"sobra el argumento 'y' \(la expresión ya es 'x'\)"):
        cli_main(["grafo", "x", "y", "--x", "1"])
    with pytest.raises(SystemExit, match="falta el valor de --y"):
        cli_main(["grafo", "x*y", "--x", "1", "--y"])
    with pytest.raises(SystemExit, match=r"--x debe ser un número, no 'dos'"):
        cli_main(["grafo", "x", "--x", "dos"])
    with pytest.raises(SystemExit):
        cli_main(["grafo", "x", "--x", "1", "--formato-pasos", "jpg"])
    assert "valor no válido: 'jpg' (elige entre" in capsys.readouterr().err
    cli_main(["grafo", "x", "--x", "1", "--z", "2"])
    assert "aviso: --z no aparece en la expresión" in capsys.readouterr().err


# ---- Graphviz acotado en tiempo y en tamaño -------------------------------------------------
def test_cli_refuses_graphs_too_big_to_draw(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(SystemExit, match=r"el grafo tiene 101 nodos, demasiados para dibujarlo \(máximo 100\)"):
        cli_main(["grafo", "+".join(["x"] * 101), "--x", "1", "-o", str(tmp_path / "g.svg")])
    with pytest.raises(SystemExit, match=r"--pasos guardaría 41 imágenes .* el máximo es 40"):
        cli_main(["grafo", "+".join(["x"] * 41), "--x", "1", "-o", str(tmp_path / "g.svg"),
                  "--pasos", str(tmp_path / "p")])
    assert time.perf_counter() - t0 < 2
    # el texto .dot no necesita Graphviz: se permite
    assert cli_main(["grafo", "+".join(["x"] * 101), "--x", "1", "-o", str(tmp_path / "g.dot")]) == 0


@needs_dot
def test_graphviz_timeout_kills_dot():
    g = draw_graph(_sum_graph(300))      # más de 100 s con dot sin plazo
    t0 = time.perf_counter()
    with pytest.raises(GraphvizTimeout, match=r"Graphviz no terminó de dibujar 'g\.svg' en 1\.5 s"):
        save(g, "/nonexistent-dir/g.svg", timeout=1.5)
    assert time.perf_counter() - t0 < 5
    assert active_dot_pids() == set() and _children(os.getpid()) == []
    assert not os.path.exists("/nonexistent-dir")


@needs_dot
@pytest.mark.skipif(os.name != "posix", reason="señales POSIX")
def test_ctrl_c_during_render_stops_dot():
    import threading
    g = draw_graph(_sum_graph(300))
    seen = []

    def interrupt():
        t0 = time.monotonic()
        while not active_dot_pids() and time.monotonic() - t0 < 20:
            time.sleep(0.02)
        seen.extend(active_dot_pids())
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        save(g, "/nonexistent-dir/g.svg", timeout=60)
    assert time.perf_counter() - t0 < 20 and seen
    assert active_dot_pids() == set() and not any(_alive(p) for p in seen)


@needs_dot
def test_cli_time_limit_writes_dot_text_instead(tmp_path, capsys):
    out = tmp_path / "g.svg"
    t0 = time.perf_counter()
    rc = cli_main(["grafo", "+".join(["x"] * 100), "--x", "1", "-o", str(out), "--limite-tiempo", "0.01"])
    err = capsys.readouterr().err
    assert rc == 1 and time.perf_counter() - t0 < 5
    assert "no terminó de dibujar 'g.svg' en 0.01 s" in err and "Se escribió el texto del grafo" in err
    assert not out.exists() and (tmp_path / "g.dot").read_text().startswith("digraph")
    assert _children(os.getpid()) == []


def _wait_for_dot(proc, limit=30):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        kids = _children(proc.pid)
        if kids:
            return kids[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("dot no llegó a arrancar")


def _gone(pid, limit=5):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _cleanup(proc, dot):
    """Si el test falla, no dejar procesos: el Python hijo y, si sobrevivió, su dot."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    if dot is not None and _alive(dot):
        os.kill(dot, signal.SIGKILL)


SCRIPT = """
import sys
from tinygrad_es import Value
from tinygrad_es.viz import draw_graph, save
x = Value(1.0, "x"); f = x
for _ in range(299):
    f = f + x
save(draw_graph(f), sys.argv[1], timeout=600)
"""


@needs_dot
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG es de Linux")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_python_leaves_no_orphan_dot(tmp_path, sig):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path / "g.svg")], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dot = None
    try:
        dot = _wait_for_dot(proc)
        proc.send_signal(sig)
        proc.wait(timeout=10)
        assert _gone(dot), f"dot {dot} sigue vivo tras matar a Python con {sig.name}"
    finally:
        _cleanup(proc, dot)


@needs_dot
@pytest.mark.skipif(os.name != "posix", reason="señales POSIX")
def test_cli_sigterm_stops_dot(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "tinygrad_es", "grafo", "+".join(["x"] * 100), "--x", "1",
                             "-o", str(tmp_path / "g.svg"), "--limite-tiempo", "600"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dot = None
    try:
        dot = _wait_for_dot(proc)
        proc.terminate()
        proc.wait(timeout=10)
        assert _gone(dot) and not (tmp_path / "g.svg").exists()
    finally:
        _cleanup(proc, dot)


# ---- argumentos de las demos ------------------------------------------------------------------
@pytest.mark.parametrize("argv, pattern", [
    (["demo", "xor", "--epochs", "0"], r"tinygrad-es demo xor: error: --epochs debe ser ≥ 1, no 0"),
    (["demo", "cnn", "--lr", "nan"], r"tinygrad-es demo cnn: error: --lr debe ser un número positivo, no nan"),
    (["demo", "cnn", "--nope"], r"tinygrad-es demo cnn: error: argumentos no reconocidos: --nope"),
    (["demo", "mnist-mlp", "--limit-train", "-5"], r"--limit-train debe ser ≥ 0, no -5"),
    (["demo", "perceptron", "--epochs", "dos"], r"argumento --epochs: entero no válido: 'dos'"),
])
def test_demo_arguments_are_validated_in_spanish(argv, pattern, capsys):
    with pytest.raises(SystemExit):
        cli_main(argv)
    err = capsys.readouterr().err
    assert err.startswith("uso: tinygrad-es demo") and __import__("re").search(pattern, err), err
