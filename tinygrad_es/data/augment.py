"""Preprocesado y aumentos de datos sobre arrays: ``normalize``, ``standardize``, ``random_shift``
(imágenes), las máscaras de SpecAugment ``time_mask``/``freq_mask`` (espectrogramas) y
``AugmentedLoader``, que aplica un aumento a cada lote de un ``DataLoader``."""
from __future__ import annotations

import numpy as np

from .._random import default_rng
from .._tensor import Tensor

__all__ = ["normalize", "standardize", "random_shift", "time_mask", "freq_mask", "AugmentedLoader"]


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def normalize(x, mean, std):
    """(x − media) / desviación, con broadcasting (p. ej. MNIST: 0.1307, 0.3081)."""
    return ((_arr(x) - mean) / std).astype(np.float32)


def standardize(train, *others):
    """Estandariza con la media y desviación de ``train`` (por columna) y aplica lo mismo a
    los demás; devuelve los arrays y ``(media, desviación)``."""
    train = _arr(train)
    mu, sd = train.mean(axis=0), train.std(axis=0) + 1e-8
    return [normalize(a, mu, sd) for a in (train,) + others], (mu, sd)


def random_shift(x, max_shift: int = 2, rng=None):
    """Desplaza cada imagen (…, H, W) hasta ``max_shift`` píxeles, rellenando con ceros."""
    r = rng if rng is not None else np.random.default_rng()
    x = _arr(x)
    out = np.zeros_like(x)
    H, W = x.shape[-2:]
    for i in range(len(x)):
        dy, dx = r.integers(-max_shift, max_shift + 1, 2)
        ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
        xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
        out[i, ..., yd, xd] = x[i, ..., ys, xs]
    return out


def _mask(x, max_width, n_masks, axis, rng, value):
    r = rng if rng is not None else np.random.default_rng()
    x = np.array(_arr(x), copy=True)
    size = x.shape[axis]
    for i in range(len(x)):
        for _ in range(n_masks):
            w = int(r.integers(0, max_width + 1))
            start = int(r.integers(0, max(size - w, 0) + 1))
            sl = [slice(None)] * x.ndim
            sl[0], sl[axis] = i, slice(start, start + w)
            x[tuple(sl)] = value
    return x


def time_mask(x, max_width: int = 10, n_masks: int = 1, rng=None, value=0.0):
    """SpecAugment: anula bandas de tiempo (último eje) de anchura aleatoria ≤ ``max_width``."""
    return _mask(x, max_width, n_masks, -1, rng, value)


def freq_mask(x, max_width: int = 8, n_masks: int = 1, rng=None, value=0.0):
    """SpecAugment: anula bandas de frecuencia (penúltimo eje)."""
    return _mask(x, max_width, n_masks, -2, rng, value)


class AugmentedLoader:
    """Los lotes ``(x, y, ...)`` de ``loader`` (un ``utils.data.DataLoader``) con ``x`` aumentado por
    ``fn(x, rng)`` (``x``, el lote como ndarray; devuelve el ndarray aumentado), p. ej.
    ``AugmentedLoader(cargador, lambda x, rng: random_shift(x, 2, rng))``.
    ``generator`` (un ``tinygrad_es.Generator``) hace el aumento reproducible; ``len()`` y los
    atributos (``dataset``, ``batch_size``...) son los de ``loader``, así que ``fit`` lo usa igual.

    No es de PyTorch: allí el aumento se escribe en el bucle (``xb = aumento(xb)``) o en las
    transformaciones del conjunto (``torchvision.transforms``); esto es ese bucle, por lotes."""

    def __init__(self, loader, fn, generator=None):
        self.loader, self.fn = loader, fn
        self.rng = default_rng(generator)

    def __len__(self):
        return len(self.loader)

    def __getattr__(self, name):  # dataset, batch_size, drop_last... los del cargador
        if name in ("loader", "fn", "rng"):
            raise AttributeError(name)
        return getattr(self.loader, name)

    def __iter__(self):
        for batch in self.loader:
            x, *rest = batch
            out = self.fn(x._data if isinstance(x, Tensor) else np.asarray(x), self.rng)
            out = out if isinstance(out, Tensor) else Tensor._wrap(np.asarray(out))
            yield (out, *rest)
