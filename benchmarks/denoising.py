"""Autoencoder de eliminación de ruido: ¿reconstruye el dígito correcto?

Para cada variante (arquitectura, tamaño del código, imágenes de entrenamiento, épocas, ruido) entrena
con ruido gaussiano nuevo en cada lote y entropía cruzada binaria (como ``demo autoencoder``) y mide qué
fracción de las 1 000 reconstrucciones de test (entradas con ruido) clasifica la SimpleCNN incluida en la
web como su dígito original (el juez de la demo y del cuaderno 07; objetivo ≥ 90 %). Imprime una tabla con
el tiempo de CPU de cada entrenamiento y la carga de la máquina, y escribe
``benchmarks/results/denoising.json``.

Uso: ``python benchmarks/denoising.py [--root DIR] [--solo nombre,nombre]``. No es un test unitario: la
variante más cara tarda minutos.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from tinygrad_es.demos import autoencoder as demo  # noqa: E402
from tinygrad_es.demos._common import mnist_data  # noqa: E402
from tinygrad_es.web.modelo import crear_modelo  # noqa: E402

# nombre: (arquitectura, capas/código, activación, imágenes de entrenamiento (0 = todas), épocas, ruido)
VARIANTS = {
    "apuntes_2000_200": ("mlp", (784, 128, 9), "sigmoid", 2000, 200, 0.5),
    "apuntes_5000_200": ("mlp", (784, 128, 9), "sigmoid", 0, 200, 0.5),
    "apuntes_relu_5000_100": ("mlp", (784, 128, 9), "relu", 0, 100, 0.5),
    "codigo32_5000_100": ("mlp", (784, 128, 32), "sigmoid", 0, 100, 0.5),
    "codigo32_relu_5000_100": ("mlp", (784, 128, 32), "relu", 0, 100, 0.5),
    "conv_5000_30": ("conv", 9, "relu", 0, 30, 0.5),
    "conv32_5000_30": ("conv", 32, "relu", 0, 30, 0.5),
    "conv_2000_30": ("conv", 9, "relu", 2000, 30, 0.5),
    "conv_2000_60": ("conv", 9, "relu", 2000, 60, 0.5),
    "conv32_2000_30": ("conv", 32, "relu", 2000, 30, 0.5),       # la demo con la muestra incluida
    "conv32_5000_12": ("conv", 32, "relu", 0, 12, 0.5),          # la demo con las 5 000 imágenes
    "conv32_5000_12_ruido03": ("conv", 32, "relu", 0, 12, 0.3),
}


def load_avg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def run_variant(name, spec, root, seed=0):
    arch, size, act, n_train, epochs, noise = spec
    Xtr, _, Xte, yte, origin = mnist_data(flatten=arch == "mlp", limit_train=n_train or None, limit_test=1000,
                                          root=root, seed=seed)
    load0, t0, c0 = load_avg(), time.perf_counter(), time.process_time()
    model = demo.train_denoiser(Xtr, arch=arch, size=size, activation=act, epochs=epochs, noise=noise, seed=seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    Xin = demo.add_gaussian_noise(Xte, noise, np.random.default_rng(seed))
    cnn = crear_modelo()
    same = demo.digit_agreement(demo.predict(model, Xin), yte, cnn)
    noisy = demo.digit_agreement(Xin, yte, cnn)
    row = dict(variante=name, arquitectura=arch, codigo=size, activacion=act, n_train=len(Xtr), epocas=epochs,
               ruido=noise, mismo_digito=same, mismo_digito_entrada_ruidosa=noisy, s_cpu=cpu, s_reloj=wall,
               carga=round((load0 + load_avg()) / 2, 2), datos=origin)
    print(f"{name:<26} {arch:<5} {str(size):<14} {act:<8} {len(Xtr):>5} {epochs:>4} {noise:>4}  "
          f"{100 * same:6.1f} %  (ruidosa {100 * noisy:4.1f} %)  CPU {cpu:7.1f} s  reloj {wall:7.1f} s  "
          f"carga {row['carga']:.1f}", flush=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", default=None, help="carpeta con los ficheros IDX de MNIST")
    ap.add_argument("--solo", default="", help="variantes separadas por comas (por defecto, todas)")
    ap.add_argument("--salida", default=os.path.join(HERE, "results", "denoising.json"))
    args = ap.parse_args()
    names = [n for n in args.solo.split(",") if n] or list(VARIANTS)
    rows = []
    if os.path.exists(args.salida):  # se conservan las variantes medidas antes que no se repiten ahora
        with open(args.salida) as f:
            rows = [r for r in json.load(f)["filas"] if r["variante"] not in names]
    print(f"{'variante':<26} {'arq':<5} {'código':<14} {'activ.':<8} {'n':>5} {'ép.':>4} {'σ':>4}  mismo dígito")
    for n in names:
        rows.append(run_variant(n, VARIANTS[n], args.root))
        with open(args.salida, "w") as f:
            json.dump({"juez": "SimpleCNN de la web (web/pesos)", "test": 1000, "filas": rows}, f, indent=1,
                      ensure_ascii=False)


if __name__ == "__main__":
    main()
