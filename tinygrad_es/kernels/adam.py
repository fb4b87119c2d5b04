"""Paso de Adam en una sola pasada (sin temporales).

Con numpy, el paso de Adam de ``optim.Adam`` son ~10 pasadas sobre el parámetro con
temporales; en el MLP del curso (110 000 parámetros) es una parte grande del paso de
entrenamiento. Aquí cada elemento hace exactamente las mismas operaciones, en el mismo
orden y la misma precisión que la versión numpy de ``optim.Adam`` (sin ``fastmath``), así
que el resultado es idéntico bit a bit; el test lo compara.
"""
import numpy as np
from numba import njit


@njit(cache=True, inline="always", error_model="numpy")
def _core(p, g, m, v, i, one, w1, small, b2, c2, decay, l2, neg_step, bc2_sqrt, eps, use_decay, use_l2):
    pi = p[i]
    if use_decay:
        pi = pi * decay
    gi = g[i]
    if use_l2:
        gi = gi + l2 * pi
    mi = m[i]
    if small:  # lerp de PyTorch
        mi = mi + w1 * (gi - mi)
    else:
        mi = gi - (gi - mi) * (one - w1)
    vi = v[i] * b2
    vi = vi + c2 * gi * gi
    denom = np.sqrt(vi) / bc2_sqrt + eps
    p[i] = pi + neg_step * mi / denom
    m[i] = mi
    v[i] = vi


@njit(cache=True, error_model="numpy")  # sin la comprobación de división por cero de Python, que impide vectorizar
def _loop(p, g, m, v, one, w1, small, b2, c2, decay, l2, neg_step, bc2_sqrt, eps, use_decay, use_l2):
    # índices sin signo: con signo numba comprueba índices negativos y LLVM no vectoriza
    for i in range(np.uint64(p.size)):
        _core(p, g, m, v, i, one, w1, small, b2, c2, decay, l2, neg_step, bc2_sqrt, eps, use_decay, use_l2)


def adam_step(p, g, m, v, one, w1, b2, c2, decay, l2, neg_step, bc2_sqrt, eps):
    """``p``, ``g``, ``m``, ``v`` planos y del mismo dtype; escalares ya en ese dtype:
    ``w1 = 1−β₁``, ``b2 = β₂``, ``c2 = 1−β₂``, ``decay = 1 − lr·λ`` (AdamW; 1 si no),
    ``l2 = λ`` (Adam con L2; 0 si no), ``neg_step = −lr/(1−β₁ᵗ)``, ``bc2_sqrt = √(1−β₂ᵗ)``;
    ``one = 1`` del dtype (una constante de Python haría las cuentas en float64)."""
    _loop(p, g, m, v, one, w1, bool(abs(w1) < 0.5), b2, c2, decay, l2, neg_step, bc2_sqrt, eps,
          bool(decay != one), bool(l2 != 0))
