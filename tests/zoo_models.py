"""Los modelos del curso (el «zoo») escritos una sola vez para las dos bibliotecas: ``build(L, nombre)``
con ``L`` = ``torch`` o ``tinygrad_es`` devuelve el mismo modelo (mismas claves de ``state_dict``).

Cada entrada de ``ZOO``: (constructor, forma de un ejemplo de entrada, lote de los tests, tipo de
entrada). Sin Dropout (en un paso de prueba daría máscaras distintas en float32 y en float64).
Las entradas son como imágenes de verdad (``image_like``): valores k/255 y zonas planas, donde una
convolución que no es equivariante por traslación rompe los empates exactos del max-pooling.
"""
import numpy as np


def course_cnn(L):
    """La CNN de los apuntes: conv32-pool-conv64-pool-1600-128-10 (MNIST)."""
    nn = L.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def mlp(L):
    nn = L.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def lenet5(L):
    """LeNet-5 sobre 3×32×32 (tanh y pooling medio)."""
    nn = L.nn
    return nn.Sequential(nn.Conv2d(3, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84),
                         nn.Tanh(), nn.Linear(84, 10))


def cifar_bn_cnn(L):
    """[conv3×3-BN-ReLU-maxpool]×3 con 32-64-128 canales y una lineal (la CNN de CIFAR del issue)."""
    nn = L.nn
    layers = []
    for cin, cout in ((3, 32), (32, 64), (64, 128)):
        layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * 16, 10))


def _block_class(L):
    nn, F = L.nn, L.nn.functional

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                              nn.BatchNorm2d(cout))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))

    return BasicBlock


def resnet(L, blocks=3):
    """ResNet de CIFAR (He et al.): 6·blocks + 2 capas (blocks=3: ResNet-20; 1: ResNet-8)."""
    nn = L.nn
    Block = _block_class(L)
    layers, cin = [], 16
    for i, w in enumerate((16, 32, 64)):
        for j in range(blocks):
            layers.append(Block(cin, w, 2 if i > 0 and j == 0 else 1))
            cin = w
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), *layers,
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def resnet8(L):
    """ResNet-8: un bloque por etapa."""
    return resnet(L, blocks=1)


def speech_cnn(L):
    """La CNN del proyecto de voz sobre log-mel (1, 40, 65): tres bloques conv-BN-ReLU-maxpool (16, 32,
    64), una convolución más, media global y una lineal."""
    nn = L.nn
    layers = []
    for cin, cout in ((1, 16), (16, 32), (32, 64)):
        layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*layers, nn.Conv2d(64, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def alexnet(L):
    """AlexNet (la de torchvision, sin Dropout) sobre 3×224×224 y 10 clases."""
    nn = L.nn
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, stride=2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, stride=2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, stride=2),
        nn.AdaptiveAvgPool2d((6, 6)), nn.Flatten(), nn.Linear(256 * 36, 4096), nn.ReLU(), nn.Linear(4096, 4096),
        nn.ReLU(), nn.Linear(4096, 10))


ZOO = {  # nombre: (constructor, forma de un ejemplo, lote de los tests)
    "course_cnn": (course_cnn, (1, 28, 28), 64),
    "mlp": (mlp, (1, 28, 28), 64),
    "lenet5": (lenet5, (3, 32, 32), 64),
    "cifar_bn_cnn": (cifar_bn_cnn, (3, 32, 32), 32),
    "resnet20": (resnet, (3, 32, 32), 16),
    "speech_cnn": (speech_cnn, (1, 40, 65), 16),
    "alexnet": (alexnet, (3, 224, 224), 2),
}


def image_like(rng, shape, levels=255, block=4):
    """Lote con aspecto de imagen: un campo suave de bloques ``block×block`` constantes más detalle,
    cuantizado a k/levels en [0, 1] (como los píxeles de una foto): hay ventanas exactamente iguales."""
    n, c, h, w = shape
    coarse = rng.random((n, c, -(-h // block), -(-w // block)))
    img = np.repeat(np.repeat(coarse, block, axis=2), block, axis=3)[:, :, :h, :w]
    detail = rng.random((n, c, h, w)) * (rng.random((n, 1, h, w)) < 0.3)  # detalle sólo en parte de la imagen
    return (np.round((0.8 * img + 0.2 * detail) * levels) / levels).astype(np.float32)
