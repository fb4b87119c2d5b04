"""Entrena la ``RedVoz`` de la página «Di un dígito» y guarda sus pesos.

    python -m tinygrad_es.web.entrenar_voz [--root /ruta/a/datasets] [--epocas 20] [--salida pesos.npz]

Con el FSDD: sólo la partición de entrenamiento oficial (índices 5–49), así las grabaciones de prueba
(0–4) siguen siendo voces que la red no ha oído. Los pasos son los de la demo de voz (recorte del
silencio, 1 s centrado, log-mel normalizado) y en cada lote SpecAugment más un desplazamiento
temporal al azar (±8 tramas), porque el recorte del silencio de una grabación del micrófono no cae
exactamente donde caía el del FSDD. Al final mide la exactitud en la prueba oficial y guarda el
``state_dict`` en un ``.npz``.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from .. import nn, rand, tensor
from ..demos import voz
from .entrenar import guardar_npz
from .voz import PESOS_VOZ

__all__ = ["Desplazamiento", "entrenar", "main"]


class Desplazamiento(nn.Module):
    """Desplaza cada espectrograma del lote ``(N, C, F, T)`` un número de tramas al azar en
    [−max, max], rellenando con el mínimo del ejemplo (el silencio)."""

    def __init__(self, max_tramas: int = 8):
        super().__init__()
        self.max_tramas = max_tramas

    def forward(self, x):
        a = x.detach().numpy()
        k = np.round((rand(len(a)).numpy() * 2 - 1) * self.max_tramas).astype(int)
        out = np.empty_like(a)
        for i, s in enumerate(k):
            fondo = a[i].min()
            out[i] = np.roll(a[i], s, axis=-1)
            if s > 0:
                out[i, ..., :s] = fondo
            elif s < 0:
                out[i, ..., s:] = fondo
        return tensor(out)


def entrenar(root=None, epocas: int = 20, semilla: int = 0, verbose: bool = True):
    """Devuelve ``(modelo, exactitud en la prueba oficial)``."""
    senales, y, _, indices, origen = voz.cargar(root)
    if verbose:
        print(f"Datos: {origen}")
    X = voz.caracteristicas(senales)
    test = indices < 5
    aug = nn.Sequential(Desplazamiento(8), voz.spec_augment())
    modelo = voz.entrenar(X[~test], y[~test], X[test], y[test], epochs=epocas, aumento=aug, seed=semilla,
                          verbose=verbose)
    acc = float((voz.predecir(modelo, X[test]).argmax(1) == y[test]).mean())
    return modelo, acc


def main(argv=None):
    ap = argparse.ArgumentParser(description="Entrena la RedVoz de la página de voz con el FSDD.")
    ap.add_argument("--root", help="carpeta con el FSDD (por defecto, las rutas de FSDD)")
    ap.add_argument("--epocas", type=int, default=20)
    ap.add_argument("--semilla", type=int, default=0)
    ap.add_argument("--salida", default=PESOS_VOZ, help=f"fichero .npz (por defecto {PESOS_VOZ})")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    modelo, acc = entrenar(args.root, args.epocas, args.semilla)
    guardar_npz(modelo, args.salida)
    print(f"exactitud en la prueba oficial del FSDD (300 grabaciones): {100 * acc:.2f} %")
    print(f"pesos guardados en {args.salida} ({os.path.getsize(args.salida) / 1e6:.2f} MB) en "
          f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
