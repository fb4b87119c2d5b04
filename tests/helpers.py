"""Ayudas que comparten los tests.

* ``check(f, *arrays)``: ``gradcheck`` de ``f`` en float64 contra diferencias centrales, con las
  tolerancias de toda la suite (cada array se convierte en un tensor hoja que pide gradiente);
* ``leaf(a, grad=False)``: un tensor a partir de un array que conserva su dtype (float64 sigue
  siendo float64, a diferencia de ``tensor(lista)``), con gradiente si ``grad=True``;
* ``F(L)``: el ``nn.functional`` de la biblioteca ``L`` (``torch`` o ``tinygrad_es``), para las tablas
  que ejecutan el mismo código con las dos;
* ``write_idx`` y ``write_sample_as_mnist``: ficheros IDX (los de MNIST) fabricados en una carpeta;
* ``as_tinygrad(src)`` y ``run(src, lib, **entradas)``: un programa escrito para PyTorch con sólo los
  ``import`` cambiados a ``tinygrad_es``, ejecutado con una u otra biblioteca (deja su resultado en
  el dict ``RESULT``);
* ``RED_MNIST_CLASS`` y ``RED_MNIST_LOOP``: la red y el bucle de entrenamiento de los apuntes de IA
  (``src/mnist.py``), tal cual, para los programas que los usan con datos de uno u otro sitio.

(``tinygrad_es`` se importa como ``tg`` en los tests: ``T`` no se usa para nada.)
"""
import gzip
import os
import re
import struct
import textwrap

import numpy as np

import tinygrad_es as tg
from tinygrad_es.data import datasets as DS
from tinygrad_es.gradcheck import gradcheck

__all__ = ["check", "leaf", "F", "write_idx", "write_sample_as_mnist", "as_tinygrad", "run", "RED_MNIST_CLASS",
           "RED_MNIST_LOOP"]


def check(f, *arrays):
    """``gradcheck(f, ...)`` en float64 con ``atol=1e-6``, ``rtol=1e-5``."""
    gradcheck(f, [tg.tensor(a, requires_grad=True) for a in arrays], atol=1e-6, rtol=1e-5)


def F(L):
    """``L.nn.functional``: ``F(L).gelu(x)`` es ``torch.nn.functional.gelu`` o ``tinygrad_es.nn.functional.gelu``."""
    return L.nn.functional


def leaf(a, grad=False):
    """Tensor con una copia de ``a`` y su dtype; ``grad=True`` le pide gradiente."""
    t = tg.from_numpy(np.array(a))
    return t.requires_grad_(True) if grad else t


def write_idx(path, arr, magic_dims=None, gz=True, truncate=0):
    arr = np.asarray(arr, dtype=np.uint8)
    head = b"\x00\x00\x08" + bytes([arr.ndim]) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
    raw = head + arr.tobytes()
    if truncate:
        raw = raw[:-truncate]
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(raw)


def write_sample_as_mnist(folder):
    """La muestra de MNIST incluida en el paquete (imágenes reales) escrita como los cuatro
    ficheros IDX comprimidos del conjunto oficial: los tests no dependen de ../shared."""
    os.makedirs(folder, exist_ok=True)
    (x, y), (xt, yt) = DS.load_mnist_sample()
    for stem, arr in zip(DS._FILES, (x, y, xt, yt)):
        write_idx(os.path.join(folder, stem + ".gz"), arr)
    return (x, y), (xt, yt)


def as_tinygrad(src: str) -> str:
    """El único cambio: los ``import`` de ``torch`` pasan a ``tinygrad_es``."""
    src = re.sub(r"^(\s*)import torch$", r"\1import tinygrad_es as torch", src, flags=re.M)
    src = re.sub(r"^(\s*)import torch\.([\w.]+) as", r"\1import tinygrad_es.\2 as", src, flags=re.M)
    return re.sub(r"^(\s*)from torch(\.[\w.]+)? import", r"\1from tinygrad_es\2 import", src, flags=re.M)


def run(src, lib, **inputs):
    code = textwrap.dedent(src)
    if lib == "tinygrad_es":
        code = as_tinygrad(code)
        assert "import torch\n" not in code and "from torch" not in code
    env = dict(inputs, RESULT={})
    exec(compile(code, f"<programa {lib}>", "exec"), env)
    return env["RESULT"]


# La RedMNIST de los apuntes de IA (src/mnist.py): la red y las dos épocas de entrenamiento, con sus
# comentarios. El programa espera ``nn`` y ``trainloader`` definidos, y ``model``, ``criterion`` y
# ``optimizer`` antes del bucle; imprime "Epoca N - Error: x" por época.
RED_MNIST_CLASS = """
class RedMNIST(nn.Module):
    def __init__(self):
        super(RedMNIST, self).__init__()
        self.flatten = nn.Flatten()
        self.stack = nn.Sequential(
            nn.Linear(784, 128),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
            nn.LogSoftmax(dim=1)
        )

    def forward(self, x):
        x = self.flatten(x)
        return self.stack(x)
"""

RED_MNIST_LOOP = """
for epoch in range(2):
    running_loss = 0.0
    for images, labels in trainloader:
        optimizer.zero_grad()          # Reset de gradientes
        outputs = model(images)         # Forward
        loss = criterion(outputs, labels) # Error
        loss.backward()                 # Backpropagation
        optimizer.step()                # Ajuste de pesos
        running_loss += loss.item()
    print(f"Epoca {epoch+1} - Error: {running_loss/len(trainloader):.4f}")
"""
