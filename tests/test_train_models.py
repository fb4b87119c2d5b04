"""Modelos del curso: formas de salida y sobreajuste de un lote pequeño."""
import gzip
import os

import numpy as np
import pytest

from tinygrad_es import tensor
import tinygrad_es.nn.functional as F
from tinygrad_es import manual_seed, models, optim

MNIST = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "mnist",
                     "t10k-images-idx3-ubyte.gz")


def tiny_batch(n=16):
    """Imágenes reales si están a mano; si no, dígitos sintéticos con estructura."""
    if os.path.exists(MNIST):
        with gzip.open(MNIST) as f:
            x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:n]
        return (x / 255.0).astype(np.float32)
    rng = np.random.default_rng(0)
    x = np.zeros((n, 1, 28, 28), np.float32)
    for i in range(n):
        r, c = rng.integers(2, 20, 2)
        x[i, 0, r:r + 6, c:c + 6] = 1
    return x


@pytest.mark.parametrize("name, shape", [
    ("MnistMLP", (4, 10)), ("SimpleNN", (4, 10)), ("SigmoidMLP", (4, 10)), ("SimpleCNN", (4, 10)),
    ("NetCNN", (4, 10)), ("LeNet5", (4, 10)), ("ResNet", (4, 10)), ("AutoEncoder", (4, 784)),
])
def test_models_construct_without_args_and_shapes(name, shape):
    m = getattr(models, name)()
    out = m(tensor(np.zeros((4, 1, 28, 28), np.float32)))
    assert out.shape == shape and out.dtype == np.float32


def test_model_configurations():
    assert [p.shape for p in models.MnistMLP().parameters()] == [(128, 784), (128,), (64, 128), (64,), (10, 64), (10,)]
    assert models.SimpleNN().num_parameters() == 784 * 512 + 512 + 512 * 512 + 512 + 5130
    cnn = models.SimpleCNN()
    assert [p.shape for p in cnn.parameters()][::2] == [(32, 1, 3, 3), (64, 32, 3, 3), (120, 1600), (84, 120), (10, 84)]
    assert models.NetCNN().fc1.weight.shape == (128, 1600)
    out = models.NetCNN()(tensor(np.zeros((2, 1, 28, 28), np.float32)))
    np.testing.assert_allclose(np.exp(out.detach().numpy()).sum(1), 1, rtol=1e-5)  # log-softmax
    ae = models.AutoEncoder()
    assert [p.shape[0] for p in ae.parameters()][::2] == [128, 9, 128, 784]
    assert ae.encode(tensor(np.zeros((3, 784), np.float32))).shape == (3, 9)
    assert models.LeNet5(image_size=32)(tensor(np.zeros((2, 1, 32, 32), np.float32))).shape == (2, 10)
    r = models.ResNet(in_channels=3, blocks=(2, 2), widths=(8, 16), stem7x7=True)
    assert r(tensor(np.zeros((2, 3, 32, 32), np.float32))).shape == (2, 10)
    kinds = [type(b.shortcut).__name__ for b in r.layers]
    assert kinds == ["Identity", "Identity", "Sequential", "Identity"]


def test_simplecnn_keeps_activations_and_gradients():
    m = models.SimpleCNN()
    out = m(tensor(tiny_batch(2)))
    out[:, 3].sum().backward()
    assert m.get_activations().shape == (2, 64, 11, 11)
    g = m.get_activations_gradient()
    assert g.shape == (2, 64, 11, 11) and np.abs(g).sum() > 0


@pytest.mark.parametrize("name, lr, steps", [
    ("MnistMLP", 3e-3, 40), ("SimpleNN", 1e-3, 30), ("SigmoidMLP", 1e-2, 60), ("SimpleCNN", 3e-3, 40),
    ("NetCNN", 3e-3, 40), ("LeNet5", 3e-3, 40), ("ResNet", 1e-2, 40), ("AutoEncoder", 1e-2, 300),
])
def test_overfits_tiny_batch(name, lr, steps):
    manual_seed(0)
    x = tensor(tiny_batch(16 if name != "AutoEncoder" else 4))
    y = np.arange(len(x)) % 10
    m = getattr(models, name)()
    opt = optim.Adam(m.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        out = m(x)
        if name == "AutoEncoder":
            loss = F.mse_loss(out, x.flatten(1))
        elif name == "NetCNN":
            loss = F.nll_loss(out, y)
        else:
            loss = F.cross_entropy(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 10, (losses[0], losses[-1])


def test_perceptron_and_or_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for y in ([0, 0, 0, 1], [0, 1, 1, 1]):
        p = models.Perceptron(2, lr=0.1).fit(X, y, epochs=100)
        assert p.predict(X).tolist() == y
        assert p.predict(X[3]) in (0, 1) and isinstance(p.predict(X[3]), int)
    xor = [0, 1, 1, 0]
    for seed in range(5):
        p = models.Perceptron(2, lr=0.1, seed=seed).fit(X, xor, epochs=200)
        assert p.score(X, xor) < 1.0
        assert min(p.errors_) > 0


def test_denoising_noise_helper():
    x = tiny_batch(2)
    noisy = models.add_gaussian_noise(x, 0.3, rng=np.random.default_rng(0))
    assert noisy.shape == x.shape and noisy.min() >= 0 and noisy.max() <= 1
    assert np.abs(noisy - x).mean() > 0.05
