"""Grafos, explicación paso a paso, CLI, saliencia/Grad-CAM y gráficas."""
import os
import re
import shutil

import numpy as np
import pytest

from tinygrad_es import tensor
import tinygrad_es.nn.functional as F
from tinygrad_es import Value, manual_seed, nn, no_grad, optim
from tinygrad_es.cli import main as cli_main
from tinygrad_es.viz.expression import ExpressionError, parse_expression
from tinygrad_es.viz import GraphvizNotInstalled, draw_graph, explain_backward, save
from tinygrad_es.viz.interpret import grad_cam, saliency_map, upsample_bilinear

HAVE_DOT = shutil.which("dot") is not None


def canonical():
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return x, y, z, q, f


def nodes_edges(src):
    nodes = re.findall(r"^\s*(\w+) \[label=", src, flags=re.M)
    edges = re.findall(r"^\s*(\w+) -> (\w+)", src, flags=re.M)
    return nodes, edges


def test_canonical_graph_structure_and_labels():
    x, y, z, q, f = canonical()
    g = draw_graph(f)
    nodes, edges = nodes_edges(g.source)
    assert len(nodes) == 5 + 2 and len(edges) == 2 + 4  # 5 valores, 2 operaciones
    assert "sin calcular" in g.source and "grad 0" not in g.source
    assert "valor 20" in g.source and "valor 5" in g.source and "data" not in g.source
    f.backward()
    src = draw_graph(f).source
    assert "{ x | valor 2 | grad 4 }" in src and "{ y | valor 3 | grad 4 }" in src
    assert "{ z | valor 4 | grad 5 }" in src and "{ f | valor 20 | grad 1 }" in src
    assert "sin calcular" not in src
    assert src == draw_graph(f).source  # determinista
    assert "rankdir=TB" in draw_graph(f, rankdir="TB").source


def test_x_plus_x_two_edges_and_utf8():
    x = Value(3.0, "señal")
    y = x + x
    y.label = "pérdida"
    src = draw_graph(y).source
    _, edges = nodes_edges(src)
    assert edges.count(("n0", "n1_op")) == 2
    assert "señal" in src and "pérdida" in src


def test_tensor_graph_roles_names_and_collapse():
    manual_seed(0)
    # GroupNorm son varias operaciones (media, varianza, …): collapse las funde en una caja
    # (LayerNorm y BatchNorm ya son un solo nodo)
    model = nn.Sequential(nn.Linear(3, 4), nn.GroupNorm(2, 4), nn.ReLU(), nn.Linear(4, 2))
    x = tensor(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32))
    loss = F.cross_entropy(model(x), np.array([0, 1, 0, 1, 1]))
    g = draw_graph(loss, names=model)
    src = g.source
    assert "0.weight" in src and "3.bias" in src and "forma (5, 3)" in src and "float32" in src
    assert "#cfe2ff" in src and "#f8c9c4" in src and "#e9ecef" in src  # parámetro, pérdida, entrada
    assert "sin calcular" in src
    loss.backward()
    assert "‖g‖" in draw_graph(loss, names=model).source
    full_nodes, _ = nodes_edges(src)
    col = draw_graph(loss, names=model, collapse=True).source
    col_nodes, _ = nodes_edges(col)
    assert len(col_nodes) < len(full_nodes)
    assert "op_0 [label=0" in col and "op_1 [label=1" in col and "op_3 [label=3" in col  # una caja por módulo
    assert "cluster_" in draw_graph(loss, names=model, cluster=True).source


def test_large_graph_warns():
    x = Value(1.0)
    y = x
    for _ in range(50):
        y = y * 1.01
    with pytest.warns(RuntimeWarning, match="nodos"):
        draw_graph(y, max_nodes=20)


def test_explain_backward_numbers():
    x, y, z, q, f = canonical()
    exp = explain_backward(f)
    text = exp.text
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = 4 · 1 = 4" in text
    assert "∂f/∂y = ∂f/∂q · ∂q/∂y = 4 · 1 = 4" in text
    # la derivada local, en símbolos y luego con números (nunca ∂f/∂f · ∂f/∂q, que es circular)
    assert "∂f/∂q = z = 4" in text and "∂f/∂z = q = 5" in text and "∂q/∂x = 1" in text
    assert "∂f/∂f ·" not in text
    assert len(exp.steps) == 5 and (x.grad, y.grad, z.grad) == (4, 4, 5)
    frames = exp.frames()
    assert len(frames) == 5
    assert "sin calcular" in frames[0].source and "grad 4" in frames[2].source


def test_explain_accumulates_over_paths():
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    exp = explain_backward(b)
    assert "3 + 3 = 6" in exp.text and a.grad == 6


def test_save_formats(tmp_path):
    *_, f = canonical()
    g = draw_graph(f)
    p = save(g, tmp_path / "g.dot")
    assert open(p, encoding="utf-8").read().startswith("digraph")
    if HAVE_DOT:
        for ext in ("svg", "png", "pdf"):
            out = save(g, tmp_path / f"g.{ext}")
            assert os.path.getsize(out) > 100
        assert "<svg" in open(tmp_path / "g.svg", encoding="utf-8").read()
    with pytest.raises(ValueError, match="formato"):
        save(g, tmp_path / "g.jpg")


def test_clean_error_without_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # sin 'dot'
    *_, f = canonical()
    with pytest.raises(GraphvizNotInstalled, match="apt-get install graphviz"):
        save(draw_graph(f), tmp_path / "g.svg")
    assert save(draw_graph(f), tmp_path / "g.dot")


def test_cli_expression_parser_is_safe():
    f = parse_expression("(x+y)*z", {"x": 2, "y": 3, "z": 4})
    f.backward()
    assert f.data == 20 and f.label == "f"
    assert parse_expression("tanh(w*x + b) - 2**x", {"w": 0.5, "x": 1.0, "b": 0.1}).data == pytest.approx(
        np.tanh(0.6) - 2)
    for bad in ("__import__('os').system('true')", "x.data", "[x]", "lambda: 1", "open('f')"):
        with pytest.raises(ExpressionError):
            parse_expression(bad, {"x": 1.0})
    with pytest.raises(ExpressionError, match="--y"):
        parse_expression("x*y", {"x": 1.0})


def test_cli_grafo_writes_slide_and_frames(tmp_path, capsys):
    out = tmp_path / "grafo.svg"
    rc = cli_main(["grafo", "(x+y)*z", "--x", "2", "--y", "3", "--z", "4", "-o", str(out),
                   "--pasos", str(tmp_path / "pasos")])
    text = capsys.readouterr().out
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = 4 · 1 = 4" in text
    if HAVE_DOT:
        assert rc == 0 and out.stat().st_size > 100 and len(os.listdir(tmp_path / "pasos")) == 5
    else:
        assert rc == 1 and (tmp_path / "grafo.dot").exists()


def test_cli_help_and_demo_list(capsys):
    with pytest.raises(SystemExit):
        cli_main(["--help"])
    assert "uso:" in capsys.readouterr().out
    cli_main(["demo", "--lista"])
    assert "perceptron" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="perceptron"):
        cli_main(["demo", "perceptrn"])


# ---- interpretabilidad ----------------------------------------------------------------------
def _quadrant_task(n, rng):
    """Clase 1 si hay un cuadrado brillante en el cuadrante superior izquierdo; siempre hay
    otro cuadrado de distracción en otro cuadrante."""
    X = rng.normal(0, 0.1, (n, 1, 16, 16)).astype(np.float32)
    y = rng.integers(0, 2, n)
    for i in range(n):
        r0, c0 = [(0, 8), (8, 0), (8, 8)][rng.integers(0, 3)]
        r, c = r0 + rng.integers(1, 5), c0 + rng.integers(1, 5)
        X[i, 0, r:r + 3, c:c + 3] += 1
        if y[i] == 1:
            r, c = rng.integers(1, 5), rng.integers(1, 5)
            X[i, 0, r:r + 3, c:c + 3] += 1
    return X, y


def _quadrant_fractions(m):
    tot = m.sum(axis=(1, 2))
    return [float((m[:, r:r + 8, c:c + 8].sum(axis=(1, 2)) / tot).mean()) for r, c in ((0, 0), (0, 8), (8, 0), (8, 8))]


@pytest.fixture(scope="module")
def quadrant_model():
    manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = _quadrant_task(256, rng)
    m = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, padding=1),
                      nn.ReLU(), nn.Flatten(), nn.Linear(8 * 8 * 8, 2))
    opt = optim.Adam(m.parameters(), lr=1e-2)
    for _ in range(15):
        for i in range(0, 256, 32):
            loss = F.cross_entropy(m(tensor(X[i:i + 32])), y[i:i + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()
    Xt, yt = _quadrant_task(64, rng)
    with no_grad():
        acc = (m(tensor(Xt)).detach().numpy().argmax(1) == yt).mean()
    return m, Xt, yt, acc


def test_saliency_and_gradcam_highlight_informative_quadrant(quadrant_model):
    m, Xt, yt, acc = quadrant_model
    assert acc >= 0.95
    pos = Xt[yt == 1]
    sal = saliency_map(m, pos, target=1)
    cam = grad_cam(m, pos, target=1)
    assert sal.shape == cam.shape == (len(pos), 16, 16)
    assert cam.min() >= 0 and cam.max() <= 1
    fs, fc = _quadrant_fractions(sal), _quadrant_fractions(cam)
    assert fs[0] > 0.4 and fs[0] > max(fs[1:]) * 1.5, fs
    assert fc[0] > 0.3 and fc[0] > max(fc[1:]), fc
    assert m.training  # se restaura el modo


def test_upsample_bilinear_constant_and_shape():
    m = np.ones((2, 3, 3))
    u = upsample_bilinear(m, (7, 5))
    assert u.shape == (2, 7, 5) and np.allclose(u, 1)


def _half_pixel_bilinear(m, size):
    """El reescalado que tenía Grad-CAM (numpy, centros de píxel alineados): la referencia."""
    n, h, w = m.shape
    H, W = size
    ys = (np.arange(H) + 0.5) * h / H - 0.5
    xs = (np.arange(W) + 0.5) * w / W - 0.5
    y0 = np.clip(np.floor(ys).astype(int), 0, h - 1)
    x0 = np.clip(np.floor(xs).astype(int), 0, w - 1)
    y1, x1 = np.clip(y0 + 1, 0, h - 1), np.clip(x0 + 1, 0, w - 1)
    wy, wx = np.clip(ys - y0, 0, 1)[:, None], np.clip(xs - x0, 0, 1)[None, :]
    a, b = m[:, y0][:, :, x0], m[:, y0][:, :, x1]
    c, d = m[:, y1][:, :, x0], m[:, y1][:, :, x1]
    return a * (1 - wy) * (1 - wx) + b * (1 - wy) * wx + c * wy * (1 - wx) + d * wy * wx


@pytest.mark.parametrize("h, w, H, W", [(4, 4, 28, 28), (7, 5, 28, 28), (5, 6, 13, 11), (6, 6, 3, 3), (1, 1, 5, 5)])
def test_grad_cam_resize_is_f_interpolate_bilinear(h, w, H, W):
    """Grad-CAM reescala con F.interpolate(mode='bilinear'): lo mismo (a redondeo) que la fórmula
    de centros de píxel que tenía en numpy."""
    m = np.random.default_rng(h * w + H).random((2, h, w))
    np.testing.assert_allclose(upsample_bilinear(m, (H, W)), _half_pixel_bilinear(m, (H, W)), rtol=0, atol=1e-14)


def test_plots_build_headless(tmp_path, quadrant_model):
    pytest.importorskip("matplotlib")
    from tinygrad_es.viz import plots
    m, Xt, yt, _ = quadrant_model
    figs = [
        plots.gradient_descent_1d(path=tmp_path / "gd1.png"),
        plots.gradient_descent_2d(path=tmp_path / "gd2.png"),
        plots.learning_curves({"loss": [1, 0.5], "acc": [0.5, 0.8], "val_loss": [1.1, 0.6], "val_acc": [0.4, 0.7]},
                              path=tmp_path / "lc.png"),
        plots.lr_comparison({"η = 10": [1, 2, 1], "η = 0.5": [1, 0.5, 0.2]}, path=tmp_path / "lr.png"),
        plots.conv_filters(m[0], 8, path=tmp_path / "filt.png"),
        plots.activations_per_class(m, Xt, yt, m[3], n_classes=2, path=tmp_path / "apc.png"),
        plots.saliency_plot(m, Xt[:1], path=tmp_path / "sal.png"),
        plots.grad_cam_plot(m, Xt[:1], path=tmp_path / "cam.png"),
        plots.confusion_matrix_plot([[5, 1], [2, 7]], path=tmp_path / "cm.png", normalize=True),
        plots.roc_curves(yt, np.random.default_rng(0).random((len(yt), 2)), path=tmp_path / "roc.png"),
    ]
    figs += plots.feature_map_grid(m, Xt[:1], 8, path=str(tmp_path / "fm.png"))
    assert all(hasattr(f, "savefig") for f in figs)
    pngs = [p for p in os.listdir(tmp_path) if p.endswith(".png")]
    assert len(pngs) == 12 and all(os.path.getsize(tmp_path / p) > 1000 for p in pngs)
    import matplotlib.pyplot as plt
    plt.close("all")
