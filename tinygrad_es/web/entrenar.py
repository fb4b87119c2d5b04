"""Entrena la SimpleCNN que usa la página web y guarda sus pesos.

    python -m tinygrad_es.web.entrenar --mnist-root /ruta/a/datasets [--epocas 30] [--salida pesos.npz]

Con el subconjunto de 5 000 imágenes de entrenamiento de MNIST: cada imagen pasa por el
mismo ``preprocesar`` que los dibujos de la página (así la red se entrena con lo mismo
que verá), y en cada lote se aplica un aumento aleatorio (trazos más gruesos, finos o
nítidos; pequeños giros, cambios de escala y desplazamientos) para que tolere dibujos
hechos con el ratón. Al final mide la
exactitud en las 10 000 imágenes de test oficiales (también preprocesadas) y guarda el
``state_dict`` en un ``.npz`` comprimido.
"""
from __future__ import annotations

import argparse
import io
import os
import time

import numpy as np

from .. import Generator, manual_seed, optim
from ..data import AugmentedLoader, load_mnist
from ..models import SimpleCNN
from ..nn import functional as F
from ..train import fit, predict
from ..utils.data import DataLoader, TensorDataset
from .modelo import PESOS
from .preproceso import preprocesar

__all__ = ["preprocesar_lote", "aumento", "aumento_trazo", "aumento_afin", "entrenar", "main"]


def preprocesar_lote(imagenes_uint8: np.ndarray) -> np.ndarray:
    """(N, 28, 28) uint8 -> (N, 1, 28, 28) float32 pasado por ``preprocesar``."""
    out = np.empty((len(imagenes_uint8), 1, 28, 28), dtype=np.float32)
    for i, im in enumerate(imagenes_uint8):
        out[i, 0] = preprocesar(im.astype(np.float32) / 255.0).entrada
    return out


def _vecinos(x: np.ndarray, reducir) -> np.ndarray:
    """Máximo (dilatar) o mínimo (erosionar) de cada píxel y sus 8 vecinos, para (N, 1, H, W)."""
    H, W = x.shape[-2:]
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    return reducir(np.stack([p[..., i:i + H, j:j + W] for i in range(3) for j in range(3)]), axis=0)


def aumento_trazo(x: np.ndarray, rng) -> np.ndarray:
    """Trazos como los de un lápiz en pantalla: a veces más gruesos o más finos (dilatar o
    erosionar a medias) y a veces con bordes nítidos en lugar del suavizado de MNIST."""
    n = len(x)
    u = rng.uniform(size=(4, n, 1, 1, 1))
    fuerza = rng.uniform(0.3, 0.9, (n, 1, 1, 1))
    grueso = np.maximum(x, fuerza * _vecinos(x, np.max))
    fino = np.minimum(x, _vecinos(x, np.min) + (1 - fuerza))
    x = np.where(u[0] < 0.3, grueso, np.where(u[1] < 0.2, fino, x))
    nitidez = rng.uniform(1.5, 4.0, (n, 1, 1, 1))
    x = np.where(u[2] < 0.4, np.clip((x - 0.5) * nitidez + 0.5, 0, 1), x)
    return x.astype(np.float32)


def aumento(x: np.ndarray, rng) -> np.ndarray:
    """El aumento de cada lote: trazo y luego transformación afín."""
    return aumento_afin(aumento_trazo(x, rng), rng)


def aumento_afin(x: np.ndarray, rng, giro: float = 12.0, escala=(0.85, 1.1), desplazamiento: float = 2.0):
    """Aplica a cada imagen (N, 1, H, W) un giro de ±``giro`` grados, un cambio de escala
    y un desplazamiento de ±``desplazamiento`` píxeles alrededor del centro, con
    interpolación bilineal (fuera de la imagen, 0)."""
    n, _, H, W = x.shape
    ang = np.deg2rad(rng.uniform(-giro, giro, n))
    s = rng.uniform(*escala, n)
    d = rng.uniform(-desplazamiento, desplazamiento, (n, 2))
    cy, cx = (H - 1) / 2, (W - 1) / 2
    yy, xx = np.meshgrid(np.arange(H) - cy, np.arange(W) - cx, indexing="ij")
    # transformación inversa: para cada píxel de salida, de qué punto de la entrada viene
    cos, sin = np.cos(ang)[:, None, None], np.sin(ang)[:, None, None]
    oy = yy[None] - d[:, 0, None, None]
    ox = xx[None] - d[:, 1, None, None]
    sy = (cos * oy - sin * ox) / s[:, None, None] + cy
    sx = (sin * oy + cos * ox) / s[:, None, None] + cx
    y0, x0 = np.floor(sy).astype(int), np.floor(sx).astype(int)
    wy, wx = sy - y0, sx - x0
    img = x[:, 0]
    idx = np.arange(n)[:, None, None]

    def tomar(yi, xi):
        ok = (yi >= 0) & (yi < H) & (xi >= 0) & (xi < W)
        return np.where(ok, img[idx, np.clip(yi, 0, H - 1), np.clip(xi, 0, W - 1)], 0.0)

    out = (tomar(y0, x0) * (1 - wy) * (1 - wx) + tomar(y0, x0 + 1) * (1 - wy) * wx
           + tomar(y0 + 1, x0) * wy * (1 - wx) + tomar(y0 + 1, x0 + 1) * wy * wx)
    return out[:, None].astype(np.float32)


def entrenar(mnist_root=None, epocas: int = 30, lr: float = 1e-3, lote: int = 64, semilla: int = 0,
             verbose: bool = True):
    """Devuelve ``(modelo, exactitud_test)``."""
    (xtr, ytr), (xte, yte) = load_mnist(root=mnist_root, download=False)
    Xtr, Xte = preprocesar_lote(xtr), preprocesar_lote(xte)
    manual_seed(semilla)
    modelo = SimpleCNN()
    opt = optim.Adam(modelo.parameters(), lr=lr)
    sched = optim.StepLR(opt, step_size=max(1, epocas // 3), gamma=0.3)
    g = Generator().manual_seed(semilla)
    train = AugmentedLoader(DataLoader(TensorDataset(Xtr, ytr), lote, shuffle=True, generator=g), aumento, g)
    fit(modelo, F.cross_entropy, opt, train, None, epochs=epocas, scheduler=sched, verbose=verbose,
        progress=verbose)
    acc = float((predict(modelo, Xte).argmax(1) == yte).mean())
    return modelo, acc


def guardar_npz(modelo, ruta: str):
    """``state_dict`` en float32, comprimido."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v, dtype=np.float32) for k, v in modelo.state_dict().items()})
    os.makedirs(os.path.dirname(os.path.abspath(ruta)), exist_ok=True)
    with open(ruta, "wb") as f:
        f.write(buf.getvalue())


def main(argv=None):
    ap = argparse.ArgumentParser(description="Entrena la SimpleCNN de la página web con MNIST preprocesado.")
    ap.add_argument("--mnist-root", help="carpeta con mnist/ (por defecto, las rutas de load_mnist)")
    ap.add_argument("--epocas", type=int, default=30)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--semilla", type=int, default=0)
    ap.add_argument("--salida", default=PESOS, help=f"fichero .npz (por defecto {PESOS})")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    modelo, acc = entrenar(args.mnist_root, args.epocas, args.lr, semilla=args.semilla)
    guardar_npz(modelo, args.salida)
    print(f"exactitud en test (10 000, preprocesadas): {100 * acc:.2f} %")
    print(f"pesos guardados en {args.salida} ({os.path.getsize(args.salida) / 1e6:.2f} MB) "
          f"en {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
