"""``F.pad``: relleno (o recorte, con valores negativos) de los últimos ejes, en modos
``'constant'``, ``'reflect'``, ``'replicate'`` y ``'circular'``."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ._utils import as_tensor as _t

__all__ = ["pad"]


def _pad_index(n, left, right, mode):
    idx = np.arange(-left, n + right)
    if mode == "replicate":
        return np.clip(idx, 0, n - 1)
    if mode == "circular":
        if left > n or right > n:
            raise RuntimeError(f"pad: el relleno circular ({left}, {right}) no puede superar el tamaño {n}")
        return idx % n
    if left >= n or right >= n:
        raise RuntimeError(f"pad: el relleno reflect ({left}, {right}) debe ser menor que el tamaño {n}")
    period = 2 * (n - 1) if n > 1 else 1
    m = np.abs(idx) % period
    return np.where(m >= n, period - m, m)


def pad(input, pad, mode="constant", value=None) -> Tensor:
    """Relleno como PyTorch: ``pad = (izq_último, der_último, izq_penúltimo, ...)``, en modos
    'constant' (``value``), 'reflect', 'replicate' y 'circular'. Los valores negativos recortan.
    Los modos no constantes copian elementos del borde (el gradiente se suma en ellos)."""
    x = _t(input)
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: la longitud de pad ({len(pad)}) debe ser par y como mucho 2·{x.ndim}")
    pairs = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        pairs[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if any(a < 0 or b < 0 for a, b in pairs):  # recorte
        sl = tuple(slice(max(-a, 0), x.shape[d] - max(-b, 0)) for d, (a, b) in enumerate(pairs))
        x = x[sl]
        pairs = [(max(a, 0), max(b, 0)) for a, b in pairs]
    if mode == "constant":
        return x.pad(tuple(pairs), value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: modo {mode!r} no soportado (constant, reflect, replicate, circular)")
    if value:
        raise ValueError(f"pad: value sólo tiene sentido con mode='constant', no con {mode!r}")
    for d, (a, b) in enumerate(pairs):
        if a or b:
            idx = _pad_index(x.shape[d], a, b, mode)
            x = x[(slice(None),) * d + (Tensor._wrap(idx),)]
    return x
