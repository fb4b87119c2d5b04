"""Los modelos del curso, tal como los describen los apuntes.

Los MLP, las CNN y el autoencoder se construyen sin argumentos en su
configuración de MNIST (entrada 1×28×28 o 784).
"""
from __future__ import annotations

import numpy as np

from . import nn
from .nn import functional as F
from ._tensor import Tensor
from .vision.models.lenet import LeNet5  # definido junto a los modelos de vision (como en torchvision)

__all__ = ["Perceptron", "MLP", "MnistMLP", "SimpleNN", "SigmoidMLP", "SimpleCNN", "NetCNN", "LeNet5",
           "BasicBlock", "ResNet", "AutoEncoder", "ConvAutoEncoder", "add_gaussian_noise"]

_ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}


def _flat(x):
    x = x if isinstance(x, Tensor) else Tensor(x)
    return x.flatten(1) if x.ndim > 2 else x


class Perceptron:
    """Perceptrón de Rosenblatt: salida escalón ``1 si w·x + b > 0, si no 0`` y regla
    clásica ``w ← w + lr·(y − ŷ)·x`` (no usa gradientes). Converge si las clases son
    linealmente separables (AND, OR); en XOR nunca acierta las 4."""

    def __init__(self, n_inputs: int, lr: float = 0.1, seed: int | None = 0):
        rng = np.random.default_rng(seed)
        self.w = rng.uniform(-0.5, 0.5, n_inputs)
        self.b = 0.0
        self.lr = lr
        self.errors_ = []  # errores por época

    def predict(self, x):
        """0 o 1 para una muestra; un array de 0/1 para un lote."""
        x = np.asarray(x, dtype=np.float64)
        z = x @ self.w + self.b
        out = (z > 0).astype(int)
        return int(out) if out.ndim == 0 else out

    def fit(self, X, y, epochs: int = 100):
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y).astype(int)
        if X.ndim != 2 or X.shape[1] != len(self.w):
            raise ValueError(f"Perceptron: X debe tener forma (n, {len(self.w)}), no {tuple(X.shape)}")
        self.errors_ = []
        for _ in range(epochs):
            errors = 0
            for xi, yi in zip(X, y):
                err = yi - self.predict(xi)
                if err:
                    self.w += self.lr * err * xi
                    self.b += self.lr * err
                    errors += 1
            self.errors_.append(errors)
            if errors == 0:
                break
        return self

    def score(self, X, y) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


class MLP(nn.Module):
    """Perceptrón multicapa de tensores: ``MLP((784, 128, 64, 10), "relu")`` (``nn.Linear`` y la
    activación, como ``nn.Sequential``). No confundir con ``tinygrad_es.nn.MLP``, el escalar de
    micrograd hecho de ``Value``.

    ``activation`` se aplica tras cada capa oculta; ``out_activation`` (None = logits)
    tras la última. La entrada se aplana si tiene más de 2 dimensiones.
    """

    def __init__(self, sizes=(784, 128, 64, 10), activation: str = "relu", out_activation: str | None = None):
        super().__init__()
        if activation not in _ACTIVATIONS or (out_activation and out_activation not in _ACTIVATIONS):
            raise ValueError(f"activación desconocida; usa una de {sorted(_ACTIVATIONS)}")
        self.sizes = tuple(sizes)
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[activation]())
            elif out_activation:
                layers.append(_ACTIVATIONS[out_activation]())
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(_flat(x))


class MnistMLP(MLP):
    """784-128-64-10 con ReLU (apuntes de IA)."""

    def __init__(self):
        super().__init__((784, 128, 64, 10), "relu")


class SimpleNN(MLP):
    """Línea base del TFG: 784-512-512-10 con ReLU, salida en logits."""

    def __init__(self):
        super().__init__((784, 512, 512, 10), "relu")


class SigmoidMLP(MLP):
    """784-100-10 con sigmoide en la capa oculta (artículo de retropropagación)."""

    def __init__(self, hidden: int = 100):
        super().__init__((784, hidden, 10), "sigmoid")


class SimpleCNN(nn.Module):
    """CNN del TFG: conv 1→32 3×3, ReLU, maxpool 2; conv 32→64 3×3, ReLU; maxpool 2;
    densas 120, 84, 10 con ReLU. Guarda las activaciones de la última convolución y su
    gradiente (``get_activations``/``get_activations_gradient``) para Grad-CAM."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10, image_size: int = 28):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        side = ((image_size - 2) // 2 - 2) // 2
        self.fc1 = nn.Linear(64 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        self._activations = None
        self._gradients = None

    def _save_grad(self, g):
        self._gradients = g

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        a = F.relu(self.conv2(x))
        self._activations = a
        if a.requires_grad:
            a.register_hook(self._save_grad)
        x = F.max_pool2d(a, 2).flatten(1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

    def get_activations(self) -> Tensor:
        """Mapa de activaciones de la última convolución (tras ReLU) del último forward."""
        return self._activations

    def get_activations_gradient(self):
        """∂salida/∂activaciones de la última convolución (tras ``backward``)."""
        return self._gradients


class NetCNN(nn.Module):
    """CNN de los apuntes de IA: conv 32 3×3 → pool → conv 64 3×3 → pool → 1600 → 128 → 10,
    salida log-softmax (se entrena con ``nll_loss``)."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(1600, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return F.log_softmax(self.fc2(x), dim=1)


class BasicBlock(nn.Module):
    """Bloque residual: conv3×3-BN-ReLU-conv3×3-BN + atajo, y ReLU. El atajo es la
    identidad, o conv 1×1 + BN cuando cambian los canales o el tamaño (stride)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """ResNet pequeña: tallo (conv 3×3, o el 7×7/2 + maxpool del artículo con
    ``stem7x7=True``), etapas de ``BasicBlock`` (``blocks`` por etapa, canales
    ``widths``; cada etapa tras la primera reduce a la mitad), pooling medio
    global y capa lineal."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10, blocks=(1, 1, 1), widths=(16, 32, 64),
                 stem7x7: bool = False):
        super().__init__()
        if len(blocks) != len(widths):
            raise ValueError(f"ResNet: blocks {blocks} y widths {widths} deben tener la misma longitud")
        w0 = widths[0]
        if stem7x7:
            self.stem = nn.Sequential(nn.Conv2d(in_channels, w0, 7, stride=2, padding=3, bias=False),
                                      nn.BatchNorm2d(w0), nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1))
        else:
            self.stem = nn.Sequential(nn.Conv2d(in_channels, w0, 3, padding=1, bias=False),
                                      nn.BatchNorm2d(w0), nn.ReLU())
        layers, c = [], w0
        for i, (nb, w) in enumerate(zip(blocks, widths)):
            for j in range(nb):
                layers.append(BasicBlock(c, w, stride=2 if (i > 0 and j == 0) else 1))
                c = w
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(self.pool(x).flatten(1))


class AutoEncoder(nn.Module):
    """Autoencoder 784-128-9-128-784 (sigmoide en las capas; salida en [0, 1]).
    ``encode`` da el código latente de 9 dimensiones."""

    def __init__(self, sizes=(784, 128, 9), activation: str = "sigmoid"):
        super().__init__()
        act = _ACTIVATIONS[activation]
        enc, dec = [], []
        for i in range(len(sizes) - 1):
            enc += [nn.Linear(sizes[i], sizes[i + 1]), act()]
        rev = list(reversed(sizes))
        for i in range(len(rev) - 1):
            dec += [nn.Linear(rev[i], rev[i + 1]), act() if i < len(rev) - 2 else nn.Sigmoid()]
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(*dec)
        self.sizes = tuple(sizes)

    def encode(self, x):
        return self.encoder(_flat(x))

    def forward(self, x):
        return self.decoder(self.encode(x))


class ConvAutoEncoder(nn.Module):
    """Autoencoder convolucional para imágenes 1×28×28 con un código de ``code`` números.

    Codificador: Conv2d(1, 16, 3, stride=2, padding=1) → ReLU → Conv2d(16, 32, 3, stride=2, padding=1) →
    ReLU → Flatten → Linear(32·7·7, code). Decodificador: el camino inverso con ``ConvTranspose2d``
    (28 → 14 → 7 → 14 → 28) y sigmoide a la salida (píxeles en [0, 1]). Entrada (N, 1, 28, 28) o
    (N, 784); salida (N, 1, 28, 28). A diferencia del 784-128-9-128-784 de los apuntes, los filtros ven
    vecindarios de píxeles (los trazos): como autoencoder de eliminación de ruido con ``code=32``, la
    SimpleCNN reconoce el dígito original en el 93–94 % de las reconstrucciones (la red densa, 83 %;
    ``benchmarks/denoising.py``).

    Args:
        code: tamaño del código latente (``encode`` devuelve (N, code)).

    Ejemplo::

        >>> import tinygrad_es as torch
        >>> from tinygrad_es.models import ConvAutoEncoder
        >>> ae = ConvAutoEncoder(code=32)
        >>> tuple(ae(torch.rand(4, 784)).shape)
        (4, 1, 28, 28)

    En PyTorch se escribe igual con ``torch.nn`` (``Conv2d``, ``ConvTranspose2d``, ``Unflatten``)."""

    def __init__(self, code: int = 9):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * 7 * 7, code))
        self.decoder = nn.Sequential(
            nn.Linear(code, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())
        self.code = code

    def encode(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        return self.encoder(x.reshape(-1, 1, 28, 28))

    def forward(self, x):
        return self.decoder(self.encode(x))


def add_gaussian_noise(x, std: float = 0.3, rng=None, clip=(0.0, 1.0)) -> np.ndarray:
    """Ruido gaussiano para el autoencoder de eliminación de ruido (la entrada ruidosa;
    el objetivo sigue siendo la imagen limpia)."""
    a = x._data if isinstance(x, Tensor) else np.asarray(x)
    r = rng if rng is not None else np.random.default_rng()
    noisy = a + r.normal(0.0, std, a.shape).astype(a.dtype)
    return np.clip(noisy, *clip) if clip is not None else noisy
