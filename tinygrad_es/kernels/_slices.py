"""Copias y rellenos de trozos de arrays como bucles explícitos, para usar dentro de los núcleos.

``dst[a:b] = src[c:d]`` dentro de un ``@njit`` compila, además de la copia, el mensaje de error de
formas distintas de numba (un f-string con ``str`` de enteros): medido, ~2 s de CPU la primera vez
en cada proceso y para cada número de dimensiones, y ~0,2 s más en cada núcleo que lo usa (el 25 %
de compilar el paso de la CNN del curso con la caché vacía). Y ``fila[:k] = 0`` sobre filas cortas
pasa por el indexador genérico de numba (medido: el relleno de la entrada, ``pad_input``, 1,5× más
lento que con bucles). Aquí los bucles simples: LLVM los vectoriza igual y compilan en décimas.
Quien llama garantiza las formas (no se comprueban: son núcleos internos).
"""
from numba import njit


@njit(cache=True, inline="always")
def fill1(dst, v):
    """``dst[:] = v`` (1-D)."""
    for i in range(dst.shape[0]):
        dst[i] = v


@njit(cache=True, inline="always")
def copy1(dst, src):
    """``dst[:] = src`` (1-D, misma longitud, sin solaparse)."""
    for i in range(dst.shape[0]):
        dst[i] = src[i]


@njit(cache=True, inline="always")
def copy2(dst, src):
    """``dst[:, :] = src`` (2-D, misma forma, sin solaparse)."""
    for i in range(dst.shape[0]):
        copy1(dst[i], src[i])
