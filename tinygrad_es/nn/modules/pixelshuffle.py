"""Las capas ``nn.PixelShuffle``, ``nn.PixelUnshuffle`` y ``nn.ChannelShuffle`` (véase
``nn/functional/pixelshuffle.py``)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class PixelShuffle(Module):
    """Reordena canales en píxeles: ``(*, C·r², H, W)`` → ``(*, C, H·r, W·r)``; cada grupo de r² canales
    forma un bloque r×r (subida de resolución de las redes de superresolución).

    Args:
        upscale_factor: r, el factor de aumento.

    Forma: entrada ``(*, C·r², H, W)``; salida ``(*, C, H·r, W·r)``.

    Ejemplo:
        >>> nn.PixelShuffle(3)(torch.rand(1, 9, 4, 4)).shape
        torch.Size([1, 1, 12, 12])

    En PyTorch: ``torch.nn.PixelShuffle``; como función, ``F.pixel_shuffle``.
    """

    def __init__(self, upscale_factor: int):
        """Véase el docstring de la clase."""
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """La inversa de ``PixelShuffle``: ``(*, C, H·r, W·r)`` → ``(*, C·r², H, W)``.

    Args:
        downscale_factor: r, el factor de reducción (divide a H y a W).

    Forma: entrada ``(*, C, H·r, W·r)``; salida ``(*, C·r², H, W)``.

    Ejemplo:
        >>> nn.PixelUnshuffle(2)(torch.rand(1, 1, 4, 4)).shape
        torch.Size([1, 4, 2, 2])

    En PyTorch: ``torch.nn.PixelUnshuffle``; como función, ``F.pixel_unshuffle``.
    """

    def __init__(self, downscale_factor: int):
        """Véase el docstring de la clase."""
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Baraja los canales por grupos (ShuffleNet): ``(N, C, *)`` vista como ``(N, g, C/g, *)`` con los dos
    ejes del medio traspuestos, para que tras una convolución por grupos la siguiente vea canales de todos.

    Args:
        groups: g, el número de grupos (divide a C).

    Forma: entrada ``(N, C, *)`` (al menos 3 ejes); salida, la misma.

    Ejemplo:
        >>> nn.ChannelShuffle(2)(torch.arange(4.).reshape(1, 4, 1, 1)).flatten()
        tensor([0., 2., 1., 3.])

    En PyTorch: ``torch.nn.ChannelShuffle``; como función, ``F.channel_shuffle``.
    """

    def __init__(self, groups: int):
        """Véase el docstring de la clase."""
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
