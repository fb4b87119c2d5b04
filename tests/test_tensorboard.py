"""``SummaryWriter``: los eventos se leen de vuelta con el lector del propio TensorBoard
(``EventAccumulator``), con los valores, pasos e imágenes escritos; ``train.fit`` escribe sus
curvas; ``purge_step`` oculta lo posterior al reanudar."""
import os
import struct
import time
import zlib

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import tinygrad_es as tg  # noqa: E402
from tinygrad_es import nn, optim  # noqa: E402
from tinygrad_es.train import fit  # noqa: E402
from tinygrad_es.utils.tensorboard import SummaryWriter  # noqa: E402
from tinygrad_es.utils.tensorboard.summary import encode_png  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

ALL = {"scalars": 0, "images": 0, "histograms": 0, "tensors": 0, "audio": 0}


def read(logdir):
    ea = EventAccumulator(str(logdir), size_guidance=ALL)
    ea.Reload()
    return ea


def decode_png(data):
    """Decodificador mínimo (filtro 0) para comprobar los píxeles que escribimos."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h, _, color = struct.unpack(">IIBB", data[16:26])
    idat = data[data.index(b"IDAT") + 4:data.index(b"IEND") - 8]
    c = {0: 1, 2: 3, 6: 4}[color]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * c)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, c)


def test_scalars_histograms_images_text_audio_roundtrip(tmp_path):
    img = np.random.default_rng(0).uniform(0, 1, (3, 6, 5))
    with SummaryWriter(tmp_path) as w:
        assert w.log_dir == str(tmp_path) and w.get_logdir() == str(tmp_path)
        for step in range(6):
            w.add_scalar("pérdida/entrenamiento", 1.0 / (step + 1), step)
        w.add_scalar("tensor_escalar", tg.tensor(2.5), 0)
        w.add_histogram("pesos", tg.randn(500), 3)
        w.add_image("imagen", img, 1)
        w.add_image("hwc", (img.transpose(1, 2, 0) * 255).astype(np.uint8), 2, dataformats="HWC")
        w.add_images("lote", np.random.default_rng(1).uniform(0, 1, (5, 1, 4, 4)), 0)
        w.add_text("nota", "SpecAugment **sí**", 4)
        w.add_audio("voz", np.sin(np.arange(800) / 5.0), 0, sample_rate=8000)
    ea = read(tmp_path)
    tags = ea.Tags()
    assert set(tags["scalars"]) == {"pérdida/entrenamiento", "tensor_escalar"}
    s = ea.Scalars("pérdida/entrenamiento")
    assert [e.step for e in s] == list(range(6))
    np.testing.assert_allclose([e.value for e in s], [1.0 / (k + 1) for k in range(6)], rtol=1e-6)
    assert ea.Scalars("tensor_escalar")[0].value == 2.5
    h = ea.Histograms("pesos")[0]
    assert h.step == 3 and h.histogram_value.num == 500 and sum(h.histogram_value.bucket) == 500
    im = ea.Images("imagen")[0]
    assert (im.width, im.height, im.step) == (5, 6, 1)
    np.testing.assert_array_equal(decode_png(im.encoded_image_string),
                                  np.round(img.transpose(1, 2, 0) * 255).astype(np.uint8))
    np.testing.assert_array_equal(decode_png(ea.Images("hwc")[0].encoded_image_string),
                                  (img.transpose(1, 2, 0) * 255).astype(np.uint8))
    assert ea.Images("lote")[0].width == 20
    text = ea.Tensors("nota/text_summary")[0]
    assert text.step == 4 and text.tensor_proto.string_val[0].decode() == "SpecAugment **sí**"
    au = ea.Audio("voz")[0]
    assert au.sample_rate == 8000 and au.encoded_audio_string[:4] == b"RIFF" and au.length_frames == 800


def test_add_scalars_subfolders_and_hparams(tmp_path):
    w = SummaryWriter(tmp_path)
    for step in range(3):
        w.add_scalars("exactitud", {"entrenamiento": 0.5 + step / 10, "prueba": 0.4 + step / 10}, step)
    w.add_hparams({"lr": 1e-3, "specaugment": True, "optimizador": "adam"}, {"hparam/exactitud": 0.97},
                  run_name="ejecución")
    w.close()
    sub = read(tmp_path / "exactitud_prueba")
    np.testing.assert_allclose([e.value for e in sub.Scalars("exactitud")], [0.4, 0.5, 0.6], rtol=1e-6)
    hp = read(tmp_path / "ejecución")
    assert hp.Scalars("hparam/exactitud")[0].value == pytest.approx(0.97)
    assert "_hparams_/session_start_info" in hp.Tags()["tensors"]
    from tensorboard.plugins.hparams import metadata
    md = hp.SummaryMetadata("_hparams_/session_start_info")
    start = metadata.parse_session_start_info_plugin_data(md.plugin_data.content)
    assert start.hparams["lr"].number_value == pytest.approx(1e-3)
    assert start.hparams["specaugment"].bool_value is True
    assert start.hparams["optimizador"].string_value == "adam"
    exp = metadata.parse_experiment_plugin_data(hp.SummaryMetadata("_hparams_/experiment").plugin_data.content)
    assert [m.name.tag for m in exp.metric_infos] == ["hparam/exactitud"]


def test_purge_step_hides_later_events(tmp_path):
    w = SummaryWriter(tmp_path)
    for step in range(10):
        w.add_scalar("x", float(step), step)
    w.close()
    # una reanudación de verdad es otro proceso, más tarde: su fichero de eventos va detrás en el orden
    # por nombre (lleva la hora en segundos; en el mismo segundo decidiría un contador, 9 < 10 no)
    time.sleep(1.02 - time.time() % 1)
    w = SummaryWriter(tmp_path, purge_step=5)       # se reanuda en el paso 5
    for step in range(5, 8):
        w.add_scalar("x", 100.0 + step, step)
    w.close()
    s = read(tmp_path).Scalars("x")
    assert [e.step for e in s] == list(range(8))
    assert [e.value for e in s][4:] == [4.0, 105.0, 106.0, 107.0]


def test_fit_writes_curves(tmp_path):
    tg.manual_seed(0)
    x = tg.randn(64, 4)
    y = (x.sum(1) > 0).long()
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    with SummaryWriter(tmp_path) as w:
        fit(model, nn.functional.cross_entropy, optim.Adam(model.parameters(), 0.01), (x, y), (x, y), epochs=3,
            progress=False, verbose=False, writer=w)
    ea = read(tmp_path)
    for tag in ("pérdida/entrenamiento", "pérdida/validación", "exactitud/validación", "tasa_de_aprendizaje"):
        assert [e.step for e in ea.Scalars(tag)] == [1, 2, 3]


def test_errors_and_default_logdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_voz")
    assert w.log_dir.startswith("runs" + os.sep) and w.log_dir.endswith("_voz") and os.path.isdir(w.log_dir)
    with pytest.raises(ValueError, match="número"):
        w.add_scalar("x", tg.randn(3), 0)
    with pytest.raises(ValueError, match="dataformats"):
        w.add_image("img", np.zeros((4, 4, 3)), 0, dataformats="CHWX")
    with pytest.raises(ValueError, match="hiperparámetro"):
        w.add_hparams({"capas": [1, 2]}, {"m": 1.0})
    with pytest.raises(NotImplementedError, match="grafo"):
        w.add_graph(nn.Linear(2, 2))
    w.close()
    w.add_scalar("tras_cerrar", 1.0, 0)     # como PyTorch: abre un fichero nuevo
    w.close()


def test_encode_png_gray_and_rgba():
    for c in (1, 3, 4):
        img = np.random.default_rng(c).integers(0, 256, (7, 9, c)).astype(np.uint8)
        np.testing.assert_array_equal(decode_png(encode_png(img)), img)


def test_missing_tensorboard_gives_spanish_import_error(monkeypatch):
    import builtins
    import importlib
    import sys
    real_import = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("tensorboard"):
            raise ImportError("no module named tensorboard")
        return real_import(name, *a, **k)

    saved = {k: v for k, v in sys.modules.items() if k.startswith("tinygrad_es.utils.tensorboard")}
    for k in saved:
        del sys.modules[k]
    monkeypatch.setattr(builtins, "__import__", fake)
    try:
        with pytest.raises(ImportError, match=r"tinygrad_es\[tensorboard\]"):
            importlib.import_module("tinygrad_es.utils.tensorboard")
    finally:
        monkeypatch.setattr(builtins, "__import__", real_import)
        sys.modules.update(saved)
