"""Rellenos 2-D (``F.pad``): ``ZeroPad2d``, ``ConstantPad2d``, ``ReflectionPad2d`` y
``ReplicationPad2d`` (con el ``repr`` de PyTorch)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["ZeroPad2d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d"]


class _Pad2d(Module):
    """Lo común a los rellenos 2-D (``padding`` como entero o ``(izq, der, arriba, abajo)``)."""
    _mode = "constant"

    def __init__(self, padding, value=0.0):
        """Guarda ``padding`` (4 valores) y ``value`` (véase cada relleno)."""
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * 4
        if len(self.padding) != 4:
            raise ValueError(f"{type(self).__name__}: padding debe ser un entero o 4 valores (izq, der, arriba, "
                             f"abajo), no {padding!r}")
        self.value = value

    def forward(self, input):
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        if self._mode == "constant":
            return f"padding={self.padding}, value={self.value}"
        return f"{self.padding}"


class ZeroPad2d(_Pad2d):
    """Rellena con ceros los bordes de una imagen (``F.pad`` en modo ``'constant'``).

    Args:
        padding: ``p`` (igual en los cuatro lados) o ``(izq, der, arriba, abajo)``; los negativos recortan.

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H + arriba + abajo, W + izq + der)``.

    Ejemplo:
        >>> nn.ZeroPad2d(1)(torch.arange(4.).reshape(1, 1, 2, 2))
        tensor([[[[0., 0., 0., 0.],
                  [0., 0., 1., 0.],
                  [0., 2., 3., 0.],
                  [0., 0., 0., 0.]]]])

    En PyTorch: ``torch.nn.ZeroPad2d``; como función, ``F.pad(x, (i, d, a, b))``.
    """
    def __init__(self, padding):
        """Véase el docstring de la clase."""
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ConstantPad2d(_Pad2d):
    """Rellena los bordes de una imagen con el valor ``value``.

    Args:
        padding: ``p`` o ``(izq, der, arriba, abajo)``.
        value: el valor del relleno.

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H + arriba + abajo, W + izq + der)``.

    Ejemplo:
        >>> nn.ConstantPad2d((1, 0, 0, 0), 9.)(torch.arange(4.).reshape(1, 1, 2, 2))
        tensor([[[[9., 0., 1.],
                  [9., 2., 3.]]]])

    En PyTorch: ``torch.nn.ConstantPad2d``; como función, ``F.pad(x, padding, value=v)``.
    """
    def __init__(self, padding, value):
        """Véase el docstring de la clase."""
        super().__init__(padding, value)


class ReflectionPad2d(_Pad2d):
    """Rellena reflejando la imagen en sus bordes, sin repetir el borde (``[a, b, c]`` con 1 a la
    izquierda da ``[b, a, b, c]``); cada relleno debe ser menor que el lado.

    Args:
        padding: ``p`` o ``(izq, der, arriba, abajo)``.
        value: sin efecto en este modo (``0.0``).

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H + arriba + abajo, W + izq + der)``.

    Ejemplo:
        >>> nn.ReflectionPad2d(1)(torch.arange(9.).reshape(1, 1, 3, 3)).shape
        torch.Size([1, 1, 5, 5])

    En PyTorch: ``torch.nn.ReflectionPad2d``; como función, ``F.pad(x, padding, mode='reflect')``.
    """
    _mode = "reflect"


class ReplicationPad2d(_Pad2d):
    """Rellena repitiendo el píxel del borde.

    Args:
        padding: ``p`` o ``(izq, der, arriba, abajo)``.
        value: sin efecto en este modo (``0.0``).

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H + arriba + abajo, W + izq + der)``.

    Ejemplo:
        >>> nn.ReplicationPad2d((1, 1, 0, 0))(torch.arange(4.).reshape(1, 1, 2, 2))
        tensor([[[[0., 0., 1., 1.],
                  [2., 2., 3., 3.]]]])

    En PyTorch: ``torch.nn.ReplicationPad2d``; como función, ``F.pad(x, padding, mode='replicate')``.
    """
    _mode = "replicate"
