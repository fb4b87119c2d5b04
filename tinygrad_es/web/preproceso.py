"""Preprocesado de un dibujo para que se parezca a un dígito de MNIST.

Así se hicieron las imágenes de MNIST (LeCun et al.), y así tratamos el dibujo
antes de dárselo a la red:

1. Recortar la caja que contiene la tinta (quitar el margen vacío).
2. Escalar el recorte para que quepa en 20×20 píxeles sin deformarlo
   (el lado mayor mide 20; el otro, lo que toque para mantener la proporción).
3. Pegarlo en una imagen negra de 28×28 de modo que su centro de masas (la media
   de las posiciones de los píxeles, pesada por su tinta) caiga en el centro.

La red sólo vio dígitos así durante el entrenamiento: si le diéramos el dibujo
tal cual (pequeño en una esquina, o enorme), fallaría aunque el trazo fuera claro.

Convención: ``imagen[fila, columna]`` con valores en [0, 1] (1 = tinta).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["preprocesar", "Preprocesado", "ImagenVacia", "redimensionar", "centro_de_masas",
           "LADO", "CAJA_DIGITO"]

LADO = 28          # tamaño de las imágenes de MNIST
CAJA_DIGITO = 20   # el dígito se escala para caber en 20×20
CENTRO = 14.0      # centro de masas medio de MNIST, en coordenadas de índice (fila, columna)


class ImagenVacia(ValueError):
    """El dibujo no tiene tinta: no hay nada que reconocer."""


@dataclass
class Preprocesado:
    entrada: np.ndarray   # 28×28 float32 en [0, 1]: lo que ve la red
    caja: tuple           # (x, y, ancho, alto): el trozo del dibujo original que ocupa la entrada


def caja_de_tinta(imagen: np.ndarray, umbral: float = 0.0):
    """Primera y última fila y columna con tinta (> ``umbral``): ``(f0, f1, c0, c1)``, incluidas."""
    tinta = imagen > umbral
    filas = np.flatnonzero(tinta.any(axis=1))
    columnas = np.flatnonzero(tinta.any(axis=0))
    if len(filas) == 0:
        raise ImagenVacia("la imagen no tiene tinta (todos los valores son 0): dibuja un dígito")
    return filas[0], filas[-1], columnas[0], columnas[-1]


def _pesos_1d(n_entrada: int, n_salida: int) -> np.ndarray:
    """Matriz (n_salida × n_entrada) que reescala una fila de píxeles.

    * Al reducir, cada píxel de salida es la media de los de entrada que cubre
      (pesados por la parte que cubre de cada uno): así un trazo fino no se pierde.
    * Al ampliar, interpolación lineal entre los dos píxeles de entrada más cercanos.
    """
    W = np.zeros((n_salida, n_entrada))
    paso = n_entrada / n_salida            # cuántos píxeles de entrada mide uno de salida
    for j in range(n_salida):
        if paso >= 1:                      # reducir: media sobre el intervalo [j·paso, (j+1)·paso)
            ini, fin = j * paso, (j + 1) * paso
            for i in range(int(np.floor(ini)), min(int(np.ceil(fin)), n_entrada)):
                W[j, i] = min(fin, i + 1) - max(ini, i)      # solapamiento de [i, i+1) con el intervalo
            W[j] /= paso
        else:                              # ampliar: el centro del píxel j cae en la posición x de la entrada
            x = min(max((j + 0.5) * paso - 0.5, 0), n_entrada - 1)
            i0 = int(np.floor(x))
            i1 = min(i0 + 1, n_entrada - 1)
            W[j, i0] += 1 - (x - i0)
            W[j, i1] += x - i0
    return W


def redimensionar(imagen: np.ndarray, alto: int, ancho: int) -> np.ndarray:
    """Reescala ``imagen`` a ``alto × ancho``: primero las columnas y luego las filas
    (``Wf · imagen · Wcᵀ``), cada eje con ``_pesos_1d``."""
    Wf = _pesos_1d(imagen.shape[0], alto)
    Wc = _pesos_1d(imagen.shape[1], ancho)
    return Wf @ imagen @ Wc.T


def centro_de_masas(imagen: np.ndarray):
    """(fila, columna) media de los píxeles pesada por su tinta."""
    total = imagen.sum()
    filas = np.arange(imagen.shape[0])
    columnas = np.arange(imagen.shape[1])
    return (imagen.sum(axis=1) @ filas) / total, (imagen.sum(axis=0) @ columnas) / total


def preprocesar(imagen, umbral: float = 0.0) -> Preprocesado:
    """Convierte un dibujo (matriz 2-D en [0, 1], 1 = tinta, de cualquier tamaño) en la
    entrada 28×28 de la red, como se hizo MNIST. Lanza ``ImagenVacia`` si no hay tinta."""
    imagen = np.asarray(imagen, dtype=np.float64)

    # 1. Recortar la caja de la tinta.
    f0, f1, c0, c1 = caja_de_tinta(imagen, umbral)
    recorte = imagen[f0:f1 + 1, c0:c1 + 1]
    alto, ancho = recorte.shape

    # 2. Escalar para que el lado mayor mida 20, manteniendo la proporción.
    escala = CAJA_DIGITO / max(alto, ancho)
    nuevo_alto = max(1, round(alto * escala))
    nuevo_ancho = max(1, round(ancho * escala))
    digito = redimensionar(recorte, nuevo_alto, nuevo_ancho)
    digito = digito / digito.max()         # trazo saturado (en MNIST la tinta llega a 1)

    # 3. Pegarlo en 28×28 con su centro de masas en el centro.
    cf, cc = centro_de_masas(digito)
    arriba = int(round(CENTRO - cf))
    izquierda = int(round(CENTRO - cc))
    # sin salirse del marco (sólo puede pasar con dígitos muy desequilibrados)
    arriba = min(max(arriba, 0), LADO - nuevo_alto)
    izquierda = min(max(izquierda, 0), LADO - nuevo_ancho)
    entrada = np.zeros((LADO, LADO), dtype=np.float32)
    entrada[arriba:arriba + nuevo_alto, izquierda:izquierda + nuevo_ancho] = digito

    # Qué rectángulo del dibujo original cubre la entrada de 28×28 (para superponer mapas):
    # un píxel de la entrada mide alto/nuevo_alto píxeles del original en vertical.
    px_f = alto / nuevo_alto
    px_c = ancho / nuevo_ancho
    caja = (float(c0 - izquierda * px_c), float(f0 - arriba * px_f), float(LADO * px_c), float(LADO * px_f))
    return Preprocesado(entrada=np.clip(entrada, 0, 1), caja=caja)
