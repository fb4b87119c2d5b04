"""Cada demo se ejecuta con valores pequeños y da resultados con sentido; el README y
.ci/run dicen lo mismo."""
import os
import re

import numpy as np
import pytest

from tinygrad_es.demos import DEMOS, autoencoder, fashion, graph_demo, iris, mnist_cnn, mnist_mlp, perceptron, \
    quadratic, xor_mlp

ROOT = os.path.join(os.path.dirname(__file__), "..")


def test_readme_commands_match_ci():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    cmds = re.findall(r"```bash\n(python -m pip install [^\n]+)\n```", readme)
    assert len(cmds) == 2, cmds  # las dos órdenes de puesta en marcha: demo y tests
    assert "demo" in cmds[0] and "pytest" in cmds[1]
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read().splitlines()
    # en .ci/run, cada orden en su línea y en el mismo orden (con set -e, "a && b" no pararía si falla a)
    install, test = cmds[1].split(" && ")
    assert ci.index(install) < ci.index(test)


def test_every_demo_has_a_script():
    scripts = [s for s in os.listdir(os.path.join(ROOT, "demos")) if s.endswith(".py")]
    for _, (mod, _) in DEMOS.items():
        assert any(mod in open(os.path.join(ROOT, "demos", s)).read() for s in scripts), mod


def test_perceptron_demo(tmp_path):
    r = perceptron.run(verbose=False, out_dir=str(tmp_path))
    assert r["AND"]["aciertos"] == 4 and r["OR"]["aciertos"] == 4 and r["XOR"]["aciertos"] < 4
    if r.get("figura"):
        assert os.path.getsize(r["figura"]) > 10000


def test_xor_demo():
    assert xor_mlp.run(epochs=3000, verbose=False)["aciertos"] == 4


def test_iris_demo(tmp_path):
    r = iris.run(epochs=40, widths="2,10", verbose=False, out_dir=str(tmp_path))
    assert r["optimizadores"]["Adam"]["test_acc"] >= 0.9


def test_quadratic_demo(tmp_path):
    r = quadratic.run(n=400, k=3, epochs=15, verbose=False, out_dir=str(tmp_path))
    assert r["mae_medio"] < r["mae_base"] / 2


def test_mnist_demos_small(tmp_path):
    r = mnist_mlp.run(epochs=1, limit_train=600, limit_test=300, verbose=False)
    assert r["mlp"]["test_acc"] > 0.5
    c = mnist_cnn.run(epochs=1, limit_train=1500, limit_test=300, out_dir=str(tmp_path), verbose=False)
    assert c["accuracy"] > 0.5 and 0 <= c["mcnemar"][1] <= 1 and c["cambio_filtros"] > 0
    if c.get("figuras"):
        files = os.listdir(tmp_path)
        for name in ("saliencia.png", "gradcam.png", "mapas_conv1.png", "mapas_conv2.png", "confusion.png",
                     "curvas.png", "filtros_conv1.png", "filtros_conv1_cambio.png", "activacion_por_clase.png"):
            assert name in files
    # validación 80/20 sacada del entrenamiento; el test sólo en el informe final
    assert len(c["history"]["val_acc"]) == 1 and c["n_validacion"] == 300 and c["n_entrenamiento"] == 1200


def test_autoencoder_demo(tmp_path):
    r = autoencoder.run(epochs=3, limit_train=500, verbose=False, out_dir=str(tmp_path))
    assert r["autoencoder"]["mse_despues"] < r["autoencoder"]["mse_antes"]
    assert r["eliminacion_ruido"]["mse_despues"] < r["eliminacion_ruido"]["mse_entrada_ruidosa"]
    d = r["eliminacion_ruido"]
    assert 0 <= d["mismo_digito"] <= 1 and 0.3 < d["mismo_digito_entrada_ruidosa"] < 0.6  # ruido 0.5: medido 45 %
    assert d["epocas"] == 3 and d["n_train"] == 500
    assert sorted(os.listdir(tmp_path)) == ["autoencoder.png", "eliminacion_ruido.png"]


def test_demo_epochs_follow_the_amount_of_data():
    assert autoencoder.auto_epochs(autoencoder.DENOISE_PRESENTATIONS, 2000) == 30
    assert autoencoder.auto_epochs(autoencoder.AE_PRESENTATIONS, 2000) == 200      # las 200 de los apuntes
    assert autoencoder.auto_epochs(autoencoder.DENOISE_PRESENTATIONS, 60000) == 1


def test_denoiser_reconstructs_the_right_digit_on_a_small_slice():
    """La lección de la demo en pequeño: 1 000 imágenes, 20 épocas del autoencoder convolucional de
    eliminación de ruido (~10 s). La CNN reconoce el dígito en ~45 % de las entradas con ruido y en el
    90 % de las reconstrucciones (medido; con la muestra entera y 30 épocas, 93 %)."""
    from tinygrad_es.demos._common import mnist_data
    from tinygrad_es.web.modelo import crear_modelo
    Xtr, _, Xte, yte, _ = mnist_data(flatten=True, limit_train=1000, limit_test=500)
    noisy = autoencoder.add_gaussian_noise(Xte, autoencoder.NOISE, np.random.default_rng(0))
    cnn = crear_modelo()
    before = autoencoder.digit_agreement(noisy, yte, cnn)
    model = autoencoder.train_denoiser(Xtr, epochs=20)
    after = autoencoder.digit_agreement(autoencoder.predict(model, noisy), yte, cnn)
    assert before < 0.55 and after > 0.8 and after > before + 0.3, (before, after)


def test_digit_agreement_uses_the_bundled_cnn():
    from tinygrad_es.data import load_mnist_sample
    _, (x, y) = load_mnist_sample()
    clean = x[:200].reshape(200, -1).astype(np.float32) / 255
    assert autoencoder.digit_agreement(clean, y[:200]) > 0.93            # medido 97,7 % en las 1 000
    assert autoencoder.digit_agreement(np.zeros_like(clean), y[:200]) < 0.3   # un borrón no es el dígito


def test_fashion_demo_on_idx_fixture(tmp_path):
    """La demo lee los cuatro ficheros IDX de una carpeta fashion-mnist/; aquí se fabrican con
    imágenes reales (la muestra de MNIST incluida) para no depender de que esté instalado."""
    from helpers import write_sample_as_mnist
    write_sample_as_mnist(tmp_path / "datos" / "fashion-mnist")
    r = fashion.run(epochs=2, limit_train=500, limit_test=200, root=str(tmp_path / "datos"),
                    out_dir=str(tmp_path / "fig"), verbose=False)
    assert r["LeNet-5"]["test_acc"] > 0.5
    loss = r["ResNet"]["history"]["loss"]
    assert len(loss) == 2 and loss[1] < loss[0]
    assert sorted(os.listdir(tmp_path / "fig")) == ["fashion_lenet5.png", "fashion_resnet.png"]


def test_graph_demo(tmp_path):
    r = graph_demo.run(out_dir=str(tmp_path), verbose=False)
    assert r["f"] == 20 and r["grads"] == (4, 4, 5) and r["files"]


def test_readme_example_runs(capsys):
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    code = re.search(r"## Un ejemplo en 10 líneas\n\n```python\n(.*?)```", readme, re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) == 10
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith("20.0 4.0 4.0 5.0")


def test_fashion_demo_without_data_fails_in_spanish(tmp_path, monkeypatch):
    """Sin Fashion-MNIST la demo no puede hacer nada: sale con código ≠ 0 y dice qué hacer (antes salía 0)."""
    from tinygrad_es.cli import main as cli_main
    from tinygrad_es.data import datasets
    monkeypatch.setattr(datasets, "search_paths", lambda root=None: [str(tmp_path / "vacio")])
    with pytest.raises(SystemExit) as exc:
        cli_main(["demo", "fashion", "--epochs", "1"])
    msg = str(exc.value.code)
    assert exc.value.code not in (0, None)
    assert "Fashion-MNIST no está disponible" in msg and "--root" in msg and "load_fashion_mnist()" in msg
    with pytest.raises(datasets.DatasetNotFoundError):  # desde Python, la excepción de los datos
        fashion.run(epochs=1, verbose=False)
