"""Los programas de PyTorch de los apuntes, tal como están escritos, cambiando sólo los imports:
el flujo MNIST del TFG (Extracto 5.1-5.2: datasets.MNIST + ToTensor + random_split 80/20 + tres
DataLoader + SimpleCNN; es el bloque del README) y la RedMNIST de los apuntes de IA (src/mnist.py:
Compose([ToTensor(), Normalize((0.1307,), (0.3081,))]), NLLLoss, Adam). Sin conexión: la descarga
debe caer en la muestra incluida y decirlo en pantalla."""
import os
import re

import pytest

from helpers import RED_MNIST_CLASS, RED_MNIST_LOOP
from tinygrad_es.vision.datasets import utils as vision_utils

ROOT = os.path.join(os.path.dirname(__file__), "..")

RED_MNIST = '''
import tinygrad_es as torch                                  # import torch
from tinygrad_es import nn, optim                            # from torch import nn, optim
from tinygrad_es.vision import datasets, transforms          # from torchvision import datasets, transforms

transform = transforms.Compose([transforms.ToTensor(),
                                transforms.Normalize((0.1307,), (0.3081,))])
trainset = datasets.MNIST('datos', download=True, train=True, transform=transform)
testset = datasets.MNIST('datos', download=True, train=False, transform=transform)
trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
testloader = torch.utils.data.DataLoader(testset, batch_size=64, shuffle=False)


''' + RED_MNIST_CLASS + '''


torch.manual_seed(0)
model = RedMNIST()
criterion = nn.NLLLoss()
optimizer = optim.Adam(model.parameters(), lr=0.003)

''' + RED_MNIST_LOOP + '''
correct, total = 0, 0
with torch.no_grad():
    for images, labels in testloader:
        _, predicted = torch.max(model(images), 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
print(f"Exactitud: {100 * correct / total:.2f} %")
'''


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TINYGRAD_ES_DATA", raising=False)
    monkeypatch.setenv("TINYGRAD_ES_OFFLINE", "1")   # como un portátil sin red: nada de internet en los tests
    # ni copias locales de la máquina (p. ej. /usr/share/datasets/fashion-mnist): sólo las muestras incluidas
    monkeypatch.setattr(vision_utils, "local_roots", lambda: [str(tmp_path / "sin-copias")])


def test_thesis_mnist_pipeline_from_the_readme(offline, capsys):
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    code = readme.split("<!-- programa-vision -->", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert not re.search(r"^(from torch|import torch\b)", code, re.M)   # sólo cambian los imports
    assert "datasets.MNIST(root=datasets_path, transform=ToTensor(), download=True)" in code
    ns = {}
    exec(compile(code, "README.md", "exec"), ns)
    out = capsys.readouterr().out
    assert "Sin conexión" in out and "muestra de MNIST incluida" in out
    assert (ns["train_size"], ns["val_size"]) == (1600, 400)
    assert len(ns["train_subset"]) == 1600 and len(ns["val_subset"]) == 400
    assert len(ns["train_dataloader"]) == 25 and len(ns["test_dataloader"]) == 16
    X, y = next(iter(ns["val_dataloader"]))
    assert tuple(X.shape) == (64, 1, 28, 28) and str(X.dtype) == "torch.float32" and str(y.dtype) == "torch.int64"
    acc = float(re.search(r"exactitud en test: ([\d.]+)%", out).group(1))
    vals = [float(v) for v in re.findall(r"pérdida de validación ([\d.]+)", out)]
    assert len(vals) == 2 and vals[1] < vals[0], out
    assert acc > 60.0, out   # dos épocas sobre 1 600 imágenes reales (~80 %)


def test_lecture_notes_red_mnist_with_normalize(offline, capsys):
    ns = {}
    exec(compile(RED_MNIST, "src/mnist.py", "exec"), ns)
    out = capsys.readouterr().out
    errores = [float(e) for e in re.findall(r"Epoca \d - Error: ([\d.]+)", out)]
    assert out.count("Sin conexión") == 2 and len(errores) == 2 and errores[1] < errores[0], out
    x, _ = ns["trainset"][0]
    assert tuple(x.shape) == (1, 28, 28) and float(x.min()) == pytest.approx((0 - 0.1307) / 0.3081, rel=1e-6)
    acc = float(re.search(r"Exactitud: ([\d.]+) %", out).group(1))
    assert acc > 80.0, out


QUICKSTART = '''
import tinygrad_es as torch                          # import torch
from tinygrad_es import nn                           # from torch import nn
from tinygrad_es.utils.data import DataLoader        # from torch.utils.data import DataLoader
from tinygrad_es.vision import datasets              # from torchvision import datasets
from tinygrad_es.vision.transforms import ToTensor   # from torchvision.transforms import ToTensor

training_data = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())
test_data = datasets.FashionMNIST(root="data", train=False, download=True, transform=ToTensor())
batch_size = 64
train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)
for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    break

device = torch.accelerator.current_accelerator().type if hasattr(torch, "accelerator") and torch.accelerator.is_available() else "cpu"


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        x = self.flatten(x)
        return self.linear_relu_stack(x)


torch.manual_seed(0)
model = NeuralNetwork().to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3 * 50)


def train(dataloader, model, loss_fn, optimizer):
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f}")
    return correct


for t in range(5):
    train(train_dataloader, model, loss_fn, optimizer)
    acc = test(test_dataloader, model, loss_fn)
torch.save(model.state_dict(), "model.pth")
model2 = NeuralNetwork().to(device)
model2.load_state_dict(torch.load("model.pth", weights_only=True))
classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
x, y = test_data[0][0], test_data[0][1]
with torch.no_grad():
    predicted, actual = classes[model2(x)[0].argmax(0)], classes[y]
'''


def test_pytorch_quickstart_with_fashion_mnist(offline, capsys):
    ns = {}
    exec(compile(QUICKSTART, "quickstart.py", "exec"), ns)
    out = capsys.readouterr().out
    # lo que imprime el tutorial con PyTorch: f"{X.shape}" es torch.Size([...])
    assert "Shape of X [N, C, H, W]: torch.Size([64, 1, 28, 28])" in out
    assert "Shape of y: torch.Size([64]) torch.int64" in out
    assert "muestra de FashionMNIST incluida" in out
    assert ns["acc"] > 0.4 and ns["predicted"] in ns["classes"] and ns["training_data"].classes == ns["classes"]
