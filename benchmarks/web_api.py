"""Exactitud y latencia de la API de la página web (``tinygrad-es web``), desde fuera.

Arranca el servidor en un subproceso y le envía por HTTP:

* las 10 000 imágenes del test oficial de MNIST (objetivo ≥ 97 %);
* dígitos del test "dibujados de nuevo" a otra escala (0.7×–4×) y descentrados en un lienzo
  no cuadrado (objetivo ≥ 95 %);
* para la latencia, dígitos en un lienzo de 70×70 como el que envía la página (objetivo:
  mediana ≤ 30 ms por petición, de extremo a extremo, con JSON y Grad-CAM incluidos).

Uso: ``python benchmarks/web_api.py [--mnist-root DIR] [--redibujados 2000] [--latencia 500]``;
imprime una tabla y escribe ``benchmarks/results/web_api.json``. No es un test unitario.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from _web_server import ServidorWeb, redibujados, redibujar  # noqa: E402

from tinygrad_es.data import load_mnist  # noqa: E402


def exactitud(servidor, imagenes, etiquetas):
    aciertos, tiempos = 0, []
    for img, y in zip(imagenes, etiquetas):
        t0 = time.perf_counter()
        estado, r = servidor.predecir(np.round(img, 3).tolist())
        tiempos.append(time.perf_counter() - t0)
        if estado != 200:
            raise RuntimeError(f"respuesta {estado}: {r}")
        aciertos += r["clase"] == y
    return aciertos / len(etiquetas), float(np.median(tiempos))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mnist-root", default=os.path.join(HERE, "..", "..", "shared", "datasets"))
    ap.add_argument("--redibujados", type=int, default=2000)
    ap.add_argument("--latencia", type=int, default=500)
    args = ap.parse_args()
    _, (xte, yte) = load_mnist(root=args.mnist_root, download=False)
    x = xte.astype(np.float64) / 255.0
    filas = []
    servidor = ServidorWeb()
    try:
        acc, med = exactitud(servidor, x, yte)
        filas.append(dict(prueba="MNIST test oficial (28×28)", n=len(yte), exactitud=acc, objetivo=0.97,
                          mediana_ms=1e3 * med))
        n = args.redibujados
        acc, med = exactitud(servidor, redibujados(x[:n], semilla=123), yte[:n])
        filas.append(dict(prueba="redibujados 0.7×–4×, descentrados", n=n, exactitud=acc, objetivo=0.95,
                          mediana_ms=1e3 * med))
        # como la página: lienzo de 280 px reducido a 70×70, dígito de ~50 px en un sitio al azar
        rng = np.random.default_rng(7)
        n = args.latencia
        pagina = []
        for d in x[-n:]:
            f, c = rng.integers(0, 70 - 56, 2)
            pagina.append(redibujar(d, 2.5, 70, 70, int(f), int(c)))
        acc, med = exactitud(servidor, pagina, yte[-n:])
        filas.append(dict(prueba="lienzo de la página (70×70)", n=n, exactitud=acc, objetivo=0.95,
                          mediana_ms=1e3 * med, objetivo_ms=30.0))
    finally:
        servidor.parar()
    print(f"{'prueba':<38} {'n':>6} {'exactitud':>10} {'objetivo':>9} {'mediana':>10}")
    for r in filas:
        r["ok"] = bool(r["exactitud"] >= r["objetivo"] and r["mediana_ms"] <= r.get("objetivo_ms", 1e9))
        print(f"{r['prueba']:<38} {r['n']:>6} {100 * r['exactitud']:>9.2f}% {100 * r['objetivo']:>8.0f}% "
              f"{r['mediana_ms']:>7.1f} ms" + ("" if r["ok"] else "  NO CUMPLE"))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "web_api.json"), "w") as f:
        json.dump({"filas": filas, "carga_media_1min": os.getloadavg()[0]}, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
