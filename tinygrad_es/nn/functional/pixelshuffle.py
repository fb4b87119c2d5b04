"""``F.pixel_shuffle`` y ``F.pixel_unshuffle``: mover canales a píxeles y al revés (la
superresolución sub-píxel); ``F.channel_shuffle``: barajar los canales por grupos (ShuffleNet). Sólo ``reshape`` y ``permute``: el gradiente es la reordenación inversa.
"""
from __future__ import annotations

from ..._validate import integer
from ._utils import as_tensor

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]


def _check(x, r, op, name):
    integer(r, name, op, low=1, exc=RuntimeError)  # TypeError si no es entero, como PyTorch
    if x.ndim < 3:
        raise RuntimeError(f"{op}: se esperaba una entrada de al menos 3 ejes (..., C, H, W), no {tuple(x.shape)}")


def pixel_shuffle(input, upscale_factor):
    """``(*, C·r², H, W)`` → ``(*, C, H·r, W·r)``: cada grupo de r² canales forma un bloque r×r de píxeles
    (la capa es ``nn.PixelShuffle``). Es una permutación: la derivada es la permutación inversa.

    Args:
        input: ``(*, C·r², H, W)``.
        upscale_factor: r.

    Ejemplo:
        >>> F.pixel_shuffle(torch.arange(4.).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])

    En PyTorch: ``torch.nn.functional.pixel_shuffle``.
    """
    op = "pixel_shuffle"
    x = as_tensor(input, op)
    r = upscale_factor
    _check(x, r, op, "upscale_factor")
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(f"{op}: el número de canales ({c}) debe ser divisible por upscale_factor² ({r * r})")
    n = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H·r, W·r)`` → ``(*, C·r², H, W)``: la inversa de ``pixel_shuffle``.

    Args:
        input: ``(*, C, H·r, W·r)``.
        downscale_factor: r (divide a H y a W).

    Ejemplo:
        >>> F.pixel_unshuffle(torch.rand(1, 1, 4, 4), 2).shape
        torch.Size([1, 4, 2, 2])

    En PyTorch: ``torch.nn.functional.pixel_unshuffle``.
    """
    op = "pixel_unshuffle"
    x = as_tensor(input, op)
    r = downscale_factor
    _check(x, r, op, "downscale_factor")
    *lead, c, h, w = x.shape
    if h % r or w % r:
        raise RuntimeError(f"{op}: el alto ({h}) y el ancho ({w}) deben ser divisibles por downscale_factor ({r})")
    n = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """Baraja los canales por grupos (ShuffleNet): ``(N, C, *)`` vista como ``(N, g, C/g, *)``, con los dos
    ejes del medio traspuestos; así las convoluciones por grupos siguientes ven canales de todos los
    grupos. Es una permutación: la derivada es la permutación inversa (la ``channel_shuffle`` con
    ``C/g`` grupos).

    Args:
        input: ``(N, C, *)``, al menos 3 ejes.
        groups: g, que divide a C.

    Ejemplo:
        >>> F.channel_shuffle(torch.arange(6.).reshape(1, 6, 1), 2).flatten()
        tensor([0., 3., 1., 4., 2., 5.])

    En PyTorch: ``torch.nn.functional.channel_shuffle`` (la capa es ``nn.ChannelShuffle``).
    """
    op = "channel_shuffle"
    x = as_tensor(input, op)
    integer(groups, "groups", op, low=1, exc=RuntimeError)
    if x.ndim <= 2:
        raise RuntimeError(f"{op}: se esperaba una entrada de más de 2 ejes (N, C, *), no {tuple(x.shape)}")
    n, c, *rest = x.shape
    if c % groups:
        raise RuntimeError(f"{op}: el número de canales ({c}) debe ser divisible por groups ({groups})")
    return x.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(x.shape)


def native_channel_shuffle(input, groups):
    """Lo mismo que ``channel_shuffle`` (en PyTorch, la versión sin despacho a otros núcleos).

    Args:
        input: ``(N, C, *)``, al menos 3 ejes.
        groups: g, que divide a C.

    Ejemplo:
        >>> F.native_channel_shuffle(torch.arange(4.).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])

    En PyTorch: ``torch.nn.functional.native_channel_shuffle``.
    """
    return channel_shuffle(input, groups)
