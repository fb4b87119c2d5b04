"""Los cuadernos de demos/cuadernos/: están al día con sus fuentes y se ejecutan enteros,
dibujando sus gráficas y grafos en línea."""
import json
import os
import shutil
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CARPETA = os.path.join(ROOT, "demos", "cuadernos")
CUADERNOS = sorted(f for f in os.listdir(CARPETA) if f.endswith(".ipynb"))

nbformat = pytest.importorskip("nbformat", reason="instala el extra [cuadernos]")


def _generador():
    sys.path.insert(0, CARPETA)
    try:
        import _generar
    finally:
        sys.path.remove(CARPETA)
    return _generar


def test_notebooks_match_their_sources():
    gen = _generador()
    esperados = gen.generar()
    assert sorted(esperados) == CUADERNOS and len(CUADERNOS) >= 11
    for nombre, texto in esperados.items():
        with open(os.path.join(CARPETA, nombre), encoding="utf-8") as f:
            assert f.read() == texto, f"{nombre} no está al día: ejecuta python demos/cuadernos/_generar.py"
        nb = json.loads(texto)
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), nombre
        assert nb["cells"][0]["cell_type"] == "markdown" and "".join(nb["cells"][0]["source"]).startswith("# ")


def test_percent_format_parser():
    gen = _generador()
    cs = gen.celdas("# %% [markdown]\n# # Título\n#\n# texto\n# %%\nx = 1\n\n# %%\nprint(x)\n")
    assert [c["cell_type"] for c in cs] == ["markdown", "code", "code"]
    assert cs[0]["source"] == "# Título\n\ntexto" and cs[1]["source"] == "x = 1"


@pytest.mark.parametrize("nombre", CUADERNOS)
def test_notebook_executes(nombre, monkeypatch):
    nbclient = pytest.importorskip("nbclient", reason="instala el extra [cuadernos]")
    monkeypatch.setenv("TINYGRAD_ES_RAPIDO", "1")  # los cuadernos de entrenamiento largo usan tamaños pequeños
    if nombre.startswith(("03_", "12_")) and shutil.which("dot") is None:
        pytest.skip("los grafos en línea necesitan Graphviz ('dot')")
    with open(os.path.join(CARPETA, nombre), encoding="utf-8") as f:
        nb = nbformat.read(f, as_version=4)
    # el núcleo arranca en la raíz del proyecto: importa esta copia de tinygrad_es
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": ROOT}})
    client.execute()
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outs if o.output_type == "error"]
    # cada celda que dibuja (una gráfica o un grafo) muestra su imagen en línea
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        draws = "plt.subplots(" in c.source or any(
            ln.startswith(("plots.", "draw_graph(", "fotogramas[", "explicacion.frames(", "decision_boundaries("))
            for ln in c.source.splitlines())
        images = [o for o in c.outputs if {"image/png", "image/svg+xml"} & set(o.get("data", {}))]
        assert bool(images) == draws, (nombre, c.source[:200])
    text = "".join(o.get("text", "") for o in outs if o.output_type == "stream")
    assert "Traceback" not in text
