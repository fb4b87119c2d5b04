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
  el dict ``RESULT``).

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

__all__ = ["check", "leaf", "F", "write_idx", "write_sample_as_mnist", "as_tinygrad", "run"]


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
