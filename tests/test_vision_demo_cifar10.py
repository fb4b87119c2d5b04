"""La demo de CIFAR-10 (sobre la muestra incluida, en una porción) y la receta del benchmark:
misma red en tinygrad_es y en torch, mismos nombres de parámetros."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es.demos import DEMOS, cifar10


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    return tmp_path


def test_demo_registered():
    assert DEMOS["cifar10"][0] == "cifar10"


def test_cifar_cnn_shapes_and_pool_before_batchnorm():
    m = cifar10.CifarCNN()
    kinds = [type(layer).__name__ for layer in m.features]
    assert kinds[:4] == ["Conv2d", "MaxPool2d", "BatchNorm2d", "ReLU"]
    assert kinds.count("Conv2d") == 5 and kinds.count("MaxPool2d") == 3
    assert tuple(m(tg.rand(2, 3, 32, 32)).shape) == (2, 10)


def test_demo_runs_on_the_bundled_sample(home, capsys):
    res = cifar10.run(epochs=1, batch_size=50, lr=0.05, limit_train=300, limit_test=100, workers=2,
                      out_dir=str(home / "figs"), verbose=True)
    out = capsys.readouterr().out
    assert res["muestra"] and res["n_train"] == 300 and res["n_test"] == 100
    assert "muestra incluida" in out and "Matriz de confusión" in out and "esperando datos" in out
    assert res["confusion"].sum() == 100 and set(res["per_class"]) == set(cifar10.CLASES)
    h = res["history"]
    assert h["step_time"][0] > 0 and h["data_time"][0] >= 0 and len(h["val_acc"]) == 1
    assert (home / "figs" / "gradcam.png").exists() and (home / "figs" / "confusion.png").exists()


def test_benchmark_torch_model_has_the_same_parameters():
    torch = pytest.importorskip("torch")
    import importlib.util
    import os
    spec = importlib.util.spec_from_file_location("bench_cifar10", os.path.join(os.path.dirname(__file__), "..",
                                                                                 "benchmarks", "cifar10.py"))
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ref = bench.torch_model((32, 64, 128), (1, 2, 2))
    ours = cifar10.CifarCNN()
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
           {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    ours.load_state_dict({k: tg.from_numpy(v.detach().numpy().copy()) for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    ours.eval()
    ref.eval()
    with torch.no_grad():
        expect = ref(torch.from_numpy(x)).numpy()
    with tg.no_grad():
        np.testing.assert_allclose(ours(tg.from_numpy(x)).numpy(), expect, rtol=1e-4, atol=1e-4)
