"""Dropout: ``Dropout`` (elemento a elemento), ``Dropout1d/2d/3d`` (canales enteros) y los de las redes SELU
(``AlphaDropout``, ``FeatureAlphaDropout``); identidad en ``eval()``."""
from __future__ import annotations

import numpy as np

from ..._validate import number
from .. import functional as F
from ..module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    """Lo común a las capas de dropout (``p``, ``inplace``, ``seed``)."""

    def __init__(self, p=0.5, inplace=False, *, seed=None):
        super().__init__()
        number(p, "p (probabilidad)", type(self).__name__, low=0.0, high=1.0)
        self.p, self.inplace = p, inplace
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Dropout (invertido): en entrenamiento anula cada elemento con probabilidad ``p`` y multiplica los
    demás por 1/(1 − p), así la media no cambia; en ``eval()`` no hace nada. Obliga a la red a no depender
    de una sola neurona (regularización).

    Args:
        p: probabilidad de anular cada elemento (``0.5``).
        inplace: si es ``True``, escribe el resultado sobre la entrada (``False``).
        seed: (de tinygrad_es, no de PyTorch) semilla de un generador propio de esta capa; sin ella usa el
            generador global (``torch.manual_seed``).

    Forma: entrada ``(*)``; salida, la misma.

    Ejemplo:
        >>> drop = nn.Dropout(p=0.5)
        >>> y = drop(torch.ones(1000))              # en entrenamiento: ceros y doses
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
        >>> drop.eval()(torch.ones(3))              # en evaluación, la identidad
        tensor([1., 1., 1.])

    En PyTorch: ``torch.nn.Dropout``; como función, ``F.dropout``.
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace, generator=self._rng)


class Dropout1d(_DropoutNd):
    """Dropout1d: anula canales enteros de una secuencia (N, C, L) con probabilidad ``p`` (y escala por
    1/(1 − p)); en ``eval()`` no hace nada.

    Args:
        p: probabilidad de anular cada canal (``0.5``).
        inplace: si es ``True``, escribe el resultado sobre la entrada (``False``).
        seed: (de tinygrad_es, no de PyTorch) semilla de un generador propio de esta capa; sin ella usa el
            generador global (``torch.manual_seed``).

    Forma: entrada ``(N, C, L)`` o ``(C, L)``; salida, la misma.

    Ejemplo:
        >>> nn.Dropout1d(0.5)(torch.ones(2, 3, 4)).shape
        torch.Size([2, 3, 4])

    En PyTorch: ``torch.nn.Dropout1d``; como función, ``F.dropout1d``.
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Dropout2d: anula mapas de activación completos (canales) de una imagen con probabilidad ``p`` (y
    escala por 1/(1 − p)); en ``eval()`` no hace nada. En las CNN, mejor que ``Dropout``: los píxeles
    vecinos de un mapa están correlacionados.

    Args:
        p: probabilidad de anular cada canal (``0.5``).
        inplace: si es ``True``, escribe el resultado sobre la entrada (``False``).
        seed: (de tinygrad_es, no de PyTorch) semilla de un generador propio de esta capa; sin ella usa el
            generador global (``torch.manual_seed``).

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida, la misma.

    Ejemplo:
        >>> y = nn.Dropout2d(0.5)(torch.ones(1, 8, 2, 2))
        >>> sorted(set(y.flatten().tolist())) in ([0.0, 2.0], [2.0], [0.0])
        True

    En PyTorch: ``torch.nn.Dropout2d``; como función, ``F.dropout2d``.
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Dropout3d: anula canales enteros de un volumen (N, C, D, H, W) con probabilidad ``p``.

    Args:
        p: probabilidad de anular cada canal (``0.5``).
        inplace: si es ``True``, escribe el resultado sobre la entrada (``False``).
        seed: (de tinygrad_es, no de PyTorch) semilla de un generador propio de esta capa; sin ella usa el
            generador global (``torch.manual_seed``).

    Forma: entrada ``(N, C, D, H, W)`` o ``(C, D, H, W)``; salida, la misma.

    Ejemplo:
        >>> nn.Dropout3d(0.2)(torch.ones(1, 2, 3, 3, 3)).shape
        torch.Size([1, 2, 3, 3, 3])

    En PyTorch: ``torch.nn.Dropout3d``; como función, ``F.dropout3d``.
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """AlphaDropout: el dropout de las redes autonormalizantes (SELU). Anula con probabilidad ``p``
    poniendo el valor de saturación de SELU (``≈ −1,7581``) y corrige con ``a·x + b`` para que una entrada
    de media 0 y varianza 1 siga así; en ``eval()`` no hace nada.

    Args:
        p: probabilidad de anular cada elemento (``0.5``).
        inplace: si es ``True``, escribe el resultado sobre la entrada (``False``).
        seed: (de tinygrad_es, no de PyTorch) semilla de un generador propio de esta capa; sin ella usa el
            generador global (``torch.manual_seed``).

    Forma: entrada ``(*)``; salida, la misma.

    Ejemplo:
        >>> nn.Sequential(nn.Linear(4, 4), nn.SELU(), nn.AlphaDropout(0.1))(torch.ones(2, 4)).shape
        torch.Size([2, 4])

    En PyTorch: ``torch.nn.AlphaDropout``; como función, ``F.alpha_dropout``.
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training, self.inplace, generator=self._rng)


class FeatureAlphaDropout(_DropoutNd):
    """FeatureAlphaDropout: ``AlphaDropout`` de canales enteros (un sorteo por ``(n, c)``), para redes
    convolucionales con SELU; en ``eval()`` no hace nada.

    Args:
        p: probabilidad de anular cada canal (``0.5``).
        inplace: si es ``True``, escribe el resultado sobre la entrada (``False``).
        seed: (de tinygrad_es, no de PyTorch) semilla de un generador propio de esta capa; sin ella usa el
            generador global (``torch.manual_seed``).

    Forma: entrada ``(N, C, *)``; salida, la misma.

    Ejemplo:
        >>> nn.FeatureAlphaDropout(0.2)(torch.ones(2, 3, 4, 4)).shape
        torch.Size([2, 3, 4, 4])

    En PyTorch: ``torch.nn.FeatureAlphaDropout``; como función, ``F.feature_alpha_dropout``.
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace, generator=self._rng)
