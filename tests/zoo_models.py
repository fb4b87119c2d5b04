"""Los modelos del curso (el «zoo») escritos una sola vez para las dos bibliotecas: ``build(L, nombre)``
con ``L`` = ``torch`` o ``tinygrad_es`` devuelve el mismo modelo (mismas claves de ``state_dict``).

Cada entrada de ``ZOO``: (constructor, forma de un ejemplo de entrada, lote de los tests); ``sample``
sortea un lote de entrada y etiquetas para cualquiera (imágenes o, en los modelos de secuencias,
caracteres). Sin Dropout (en un paso de prueba daría máscaras distintas en float32 y en float64).
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


VOCAB = 90  # caracteres distintos del Quijote (letras con y sin tilde, signos, dígitos, saltos de línea)


def _char_lstm_class(L):
    nn = L.nn

    class CharLSTM(nn.Module):
        """Modelo de caracteres: embedding → ``nn.LSTM`` (una capa, H=256) → lineal sobre el vocabulario.
        Entrada (B, T) de índices; salida (B·T, V): los logits de cada posición (la siguiente letra)."""

        def __init__(self, vocab=VOCAB, emb=64, hidden=256):
            super().__init__()
            self.emb = nn.Embedding(vocab, emb)
            self.lstm = nn.LSTM(emb, hidden, batch_first=True)
            self.head = nn.Linear(hidden, vocab)

        def forward(self, x):
            h, _ = self.lstm(self.emb(x))
            return self.head(h).reshape(-1, self.head.out_features)

    return CharLSTM


def char_lstm(L):
    """LSTM de caracteres (secuencia 64, oculto 256) con el vocabulario del Quijote."""
    return _char_lstm_class(L)()


def _minigpt_class(L):
    nn = L.nn

    class MiniGPT(nn.Module):
        """GPT pequeño: embeddings de carácter y de posición (d=128), dos ``TransformerEncoderLayer``
        (4 cabezas, 512 de capa oculta, GELU, LayerNorm antes, máscara causal), LayerNorm y lineal sobre el
        vocabulario. Entrada (B, T) de índices; salida (B·T, V)."""

        def __init__(self, vocab=VOCAB, d=128, context=128, layers=2, heads=4):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(context, d)
            self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, activation="gelu",
                                                                    batch_first=True, norm_first=True)
                                         for _ in range(layers)])
            self.norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab)

        def forward(self, x):
            T = x.shape[1]
            h = self.tok(x) + self.pos(L.arange(T))
            mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=h.dtype)
            for block in self.blocks:
                h = block(h, src_mask=mask, is_causal=True)
            return self.head(self.norm(h)).reshape(-1, self.head.out_features)

    return MiniGPT


def minigpt(L):
    """MiniGPT de caracteres (d=128, dos capas, contexto 128)."""
    return _minigpt_class(L)()


SEQUENCES = {"char_lstm", "minigpt"}  # entrada: índices de carácter (B, T); etiquetas: uno por posición


ZOO = {  # nombre: (constructor, forma de un ejemplo, lote de los tests)
    "course_cnn": (course_cnn, (1, 28, 28), 64),
    "mlp": (mlp, (1, 28, 28), 64),
    "lenet5": (lenet5, (3, 32, 32), 64),
    "cifar_bn_cnn": (cifar_bn_cnn, (3, 32, 32), 32),
    "resnet20": (resnet, (3, 32, 32), 16),
    "speech_cnn": (speech_cnn, (1, 40, 65), 16),
    "alexnet": (alexnet, (3, 224, 224), 2),
    "char_lstm": (char_lstm, (64,), 4),
    "minigpt": (minigpt, (128,), 2),
}


def sample(name, rng, batch, shape=None):
    """``(x, y)`` de numpy para ``name``: imágenes ``image_like`` y 10 clases, o (modelos de secuencias)
    índices de carácter (B, T) y la etiqueta de cada posición (B·T,)."""
    shape = shape or ZOO[name][1]
    if name in SEQUENCES:
        x = rng.integers(0, VOCAB, (batch,) + shape)
        return x, rng.integers(0, VOCAB, batch * shape[0])
    return image_like(rng, (batch,) + shape), rng.integers(0, 10, batch)


def image_like(rng, shape, levels=255, block=4):
    """Lote con aspecto de imagen: un campo suave de bloques ``block×block`` constantes más detalle,
    cuantizado a k/levels en [0, 1] (como los píxeles de una foto): hay ventanas exactamente iguales."""
    n, c, h, w = shape
    coarse = rng.random((n, c, -(-h // block), -(-w // block)))
    img = np.repeat(np.repeat(coarse, block, axis=2), block, axis=3)[:, :, :h, :w]
    detail = rng.random((n, c, h, w)) * (rng.random((n, 1, h, w)) < 0.3)  # detalle sólo en parte de la imagen
    return (np.round((0.8 * img + 0.2 * detail) * levels) / levels).astype(np.float32)
