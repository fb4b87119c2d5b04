"""Max-pooling fraccionario como capa: ``FractionalMaxPool2d`` y ``FractionalMaxPool3d`` (argumentos,
comprobaciones y ``state_dict`` de PyTorch); el cálculo es ``F.fractional_max_pool2d``/``3d``."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _FractionalMaxPoolNd(Module):
    """Lo común a las dos capas: guarda ``kernel_size``, ``output_size``/``output_ratio`` como tuplas y
    ``_random_samples`` como buffer (entra en ``state_dict`` sólo si se da, como en PyTorch)."""

    _nd = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        """Véase el docstring de cada clase."""
        super().__init__()
        name, n = type(self).__name__, self._nd
        self.kernel_size = _tuple(kernel_size, n)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tuple(output_size, n) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, n) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name}: da el tamaño de la salida (output_size) o la proporción (output_ratio)")
        if output_size is not None and output_ratio is not None:
            raise ValueError(f"{name}: da output_size o output_ratio, no los dos")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"{name}: output_ratio tiene que estar entre 0 y 1 (sin incluirlos), y es {output_ratio}")

    def forward(self, input):
        pool = F.fractional_max_pool2d if self._nd == 2 else F.fractional_max_pool3d
        return pool(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                    _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max-pooling fraccionario 2-D (Graham, 2014): el máximo de ventanas ``kH × kW`` cuyos inicios
    avanzan con un paso pseudoaleatorio, de modo que la salida puede ser, p. ej., 0,7 veces la entrada.

    Args:
        kernel_size: ``k`` o ``(kH, kW)``.
        output_size: ``(H_out, W_out)`` o un entero.
        output_ratio: en vez de ``output_size``, un número o ``(rH, rW)`` en (0, 1): ``H_out = ⌊H·rH⌋``.
        return_indices: devuelve también los índices del máximo (para ``nn.MaxUnpool2d``).
        _random_samples: ``(N, C, 2)`` fijas para todas las llamadas (un buffer); sin ellas, cada llamada
            sortea las suyas con ``torch.rand``.

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H_out, W_out)``, con
    ``H_out + kH − 1 ≤ H``.

    Derivada: la de ``F.fractional_max_pool2d`` (la del max-pooling).

    Ejemplo:
        >>> pool = nn.FractionalMaxPool2d(3, output_ratio=0.5)
        >>> pool(torch.randn(2, 4, 20, 20)).shape
        torch.Size([2, 4, 10, 10])

    En PyTorch: ``torch.nn.FractionalMaxPool2d``; como función, ``F.fractional_max_pool2d``.
    """

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Max-pooling fraccionario 3-D: ventanas ``kT × kH × kW`` con inicios de paso pseudoaleatorio en los
    tres ejes.

    Args:
        kernel_size: ``k`` o ``(kT, kH, kW)``; mayor que 0.
        output_size: ``(T_out, H_out, W_out)`` o un entero.
        output_ratio: en vez de ``output_size``, un número o una tupla de 3 en (0, 1).
        return_indices: devuelve también los índices del máximo (para ``nn.MaxUnpool3d``).
        _random_samples: ``(N, C, 3)`` fijas (un buffer); sin ellas se sortean en cada llamada.

    Forma: entrada ``(N, C, T, H, W)`` o ``(C, T, H, W)``; salida ``(N, C, T_out, H_out, W_out)``.

    Derivada: la de ``F.fractional_max_pool3d`` (la del max-pooling).

    Ejemplo:
        >>> nn.FractionalMaxPool3d(2, output_size=(3, 4, 5))(torch.randn(1, 2, 8, 8, 8)).shape
        torch.Size([1, 2, 3, 4, 5])

    En PyTorch: ``torch.nn.FractionalMaxPool3d``; como función, ``F.fractional_max_pool3d``.
    """

    _nd = 3

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        """Véase el docstring de la clase."""
        ks = _tuple(kernel_size, 3)
        if not all(isinstance(k, int) and k > 0 for k in ks):
            raise ValueError(f"FractionalMaxPool3d: kernel_size tiene que ser mayor que 0, y es {kernel_size}")
        super().__init__(kernel_size, output_size, output_ratio, return_indices, _random_samples)
