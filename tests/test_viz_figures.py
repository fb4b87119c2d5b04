"""Figuras para proyectar: escalas de color, épocas enteras, predicción en los títulos, DPI."""
import os
import shutil
import struct

import numpy as np
import pytest

from tinygrad_es import Tensor, Value, manual_seed, nn
from tinygrad_es.viz import draw_graph, save

matplotlib = pytest.importorskip("matplotlib")
from tinygrad_es.viz import plots  # noqa: E402

HAVE_DOT = shutil.which("dot") is not None


def _png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def small_cnn():
    manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 4, 3), nn.ReLU(),
                      nn.Flatten(), nn.Linear(4 * 5 * 5, 3))
    x = np.random.default_rng(0).normal(size=(1, 1, 16, 16)).astype(np.float32)
    return m, x


def _images(fig):
    return [im for ax in fig.axes for im in ax.get_images()]


@pytest.mark.skipif(not HAVE_DOT, reason="sin Graphviz")
def test_graph_png_dpi(tmp_path):
    x, y = Value(2.0, "x"), Value(3.0, "y")
    g = draw_graph(x * y)
    w72, h72 = _png_size(save(g, tmp_path / "a.png", dpi=72))
    w144, h144 = _png_size(save(g, tmp_path / "b.png", dpi=144))
    wdef, _ = _png_size(save(g, tmp_path / "c.png"))
    assert abs(w144 - 2 * w72) <= 2 and abs(h144 - 2 * h72) <= 2
    assert wdef > w72 * 1.8  # por defecto, bastante más grande que los 72 ppp de Graphviz
    assert "dpi" not in g.graph_attr  # el grafo del usuario no cambia
    for bad in (0, -5, "alto", True):
        with pytest.raises(ValueError, match="dpi"):
            save(g, tmp_path / "d.png", dpi=bad)


def test_conv_filters_zero_centred_shared_scale(tmp_path, small_cnn):
    m, _ = small_cnn
    fig = plots.conv_filters(m[0], 6, path=tmp_path / "f.png", dpi=50)
    ims = _images(fig)
    w = m[0].weight.data[:, 0]
    amax = float(np.abs(w).max())
    filt = [im for im in ims if im.get_array().shape == (3, 3)]
    assert len(filt) == 6
    for im in filt:
        lo, hi = im.get_clim()
        assert lo == pytest.approx(-amax) and hi == pytest.approx(amax)  # blanco = 0, igual para todos
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)
    assert os.path.getsize(tmp_path / "f.png") > 1000


def test_feature_maps_after_relu_shared_scale(tmp_path, small_cnn):
    m, x = small_cnn
    figs = plots.feature_map_grid(m, x, 6, path=str(tmp_path / "mapas.png"), dpi=50)
    assert len(figs) == 2 and sorted(os.listdir(tmp_path)) == ["mapas_0.png", "mapas_3.png"]
    for fig in figs:
        maps = [im for im in _images(fig) if im.get_array().ndim == 2 and im.get_array().shape[0] > 3]
        clims = {im.get_clim() for im in maps}
        assert len(clims) == 1 and next(iter(clims))[0] == 0.0  # una escala común que empieza en 0
        assert all(float(np.min(im.get_array())) >= 0 for im in maps)  # tras ReLU
        assert "ReLU" in fig._suptitle.get_text()
        assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)
    raw = plots.feature_map_grid(m, x, 6, activation=None)
    assert any(float(np.min(im.get_array())) < 0 for im in _images(raw[0]))


def test_learning_curves_one_epoch_visible_and_integer_ticks():
    fig = plots.learning_curves({"loss": [0.9], "acc": [0.6], "val_loss": [0.8], "val_acc": [0.7]})
    for ax in fig.axes:
        lines = ax.get_lines()
        assert lines and all(ln.get_marker() not in (None, "None", "") for ln in lines)
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks == [1]
    fig5 = plots.learning_curves({"loss": [1, .8, .6, .5, .4], "acc": [None] * 5})
    ticks = [t for t in fig5.axes[0].get_xticks() if 0.5 <= t <= 5.5]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_saliency_and_gradcam_show_prediction(small_cnn):
    m, x = small_cnn
    from tinygrad_es.viz.interpret import class_probabilities
    p = class_probabilities(m, x)[0]
    c = int(p.argmax())
    for fig in (plots.saliency_plot(m, x), plots.grad_cam_plot(m, x, layer=m[3])):
        title = fig._suptitle.get_text()
        assert f"predicción: {c}" in title and f"{100 * p[c]:.1f} %" in title
        texts = [ax.get_title() for ax in fig.axes]
        assert not any("|∂S_c/∂I|" in t for t in texts)
    names = ["gato", "perro", "pez"]
    title = plots.saliency_plot(m, x, target=(c + 1) % 3, labels=names)._suptitle.get_text()
    assert f"predicción: {names[c]}" in title and f"se explica la clase {names[(c + 1) % 3]}" in title
    assert np.allclose(class_probabilities(m, Tensor(x)).sum(1), 1)
    matplotlib.pyplot.close("all")
