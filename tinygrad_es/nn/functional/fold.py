"""``F.unfold`` (im2col) y ``F.fold`` (col2im): la convolución como un producto de matrices.

``F.unfold(x, k)`` pone cada bloque k×k de la imagen (con todos sus canales) como una columna:
(N, C, H, W) → (N, C·kh·kw, L). Una convolución es entonces ``W.view(C_out, -1) @ cols``, que es
justo como la calculan las bibliotecas (y como la explican los apuntes). ``F.fold`` es la operación
traspuesta: suma cada columna en la posición de la imagen de la que salió (los solapes se suman).
"""
from __future__ import annotations

from ..._tensor import Tensor
from ...ops import fold as FO
from ._utils import int_tuple

__all__ = ["unfold", "fold"]


def _args(op, kernel_size, dilation, padding, stride):
    return (int_tuple(kernel_size, 2, "kernel_size", op, 1), int_tuple(dilation, 2, "dilation", op, 1),
            int_tuple(padding, 2, "padding", op, 0), int_tuple(stride, 2, "stride", op, 1))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Bloques deslizantes como columnas: ``(N, C, H, W)`` → ``(N, C·kh·kw, L)`` (o sin lote ``(C, H, W)`` →
    ``(C·kh·kw, L)``), con L = H_out·W_out el número de posiciones del bloque (la capa es ``nn.Unfold``).
    Derivada: ``F.fold`` del gradiente (cada columna vuelve a su sitio y los solapes se suman).

    Args:
        input: ``(N, C, H, W)`` o ``(C, H, W)``.
        kernel_size: ``k`` o ``(kh, kw)``.
        dilation: separación entre celdas (``1``).
        padding: ceros alrededor (``0``).
        stride: paso (``1``).

    Ejemplo:
        >>> F.unfold(torch.arange(9.).reshape(1, 1, 3, 3), 2)
        tensor([[[0., 1., 3., 4.],
                 [1., 2., 4., 5.],
                 [3., 4., 6., 7.],
                 [4., 5., 7., 8.]]])

    En PyTorch: ``torch.nn.functional.unfold``.
    """
    k, d, p, s = _args("unfold", kernel_size, dilation, padding, stride)
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise RuntimeError(f"unfold: se esperaba una entrada 3-D (C, H, W) o 4-D (N, C, H, W), no "
                           f"{tuple(getattr(input, 'shape', ()))}")
    x = input.unsqueeze(0) if input.ndim == 3 else input
    oh, ow = (FO.blocks(x.shape[2 + i], k[i], d[i], p[i], s[i]) for i in range(2))
    if oh < 1 or ow < 1:
        raise RuntimeError(f"unfold: el bloque {k} (dilation {d}, padding {p}) no cabe en la entrada de tamaño "
                           f"{tuple(x.shape[2:])}")
    out = FO.Unfold.apply(x, kernel=k, dilation=d, padding=p, stride=s)
    return out.squeeze(0) if input.ndim == 3 else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Suma columnas de bloques en una imagen: ``(N, C·kh·kw, L)`` → ``(N, C, H, W)`` con
    ``output_size = (H, W)`` (sin lote: ``(C·kh·kw, L)`` → ``(C, H, W)``). Es la traspuesta de ``unfold``:
    ``fold(unfold(x))`` multiplica cada píxel por el número de bloques que lo cubren. Derivada:
    ``F.unfold`` del gradiente. La capa es ``nn.Fold``.

    Args:
        input: ``(N, C·kh·kw, L)`` o ``(C·kh·kw, L)``.
        output_size: ``(H, W)``.
        kernel_size: ``k`` o ``(kh, kw)``.
        dilation: separación entre celdas (``1``).
        padding: relleno que se descarta (``0``).
        stride: paso (``1``).

    Ejemplo:
        >>> F.fold(torch.ones(1, 4, 4), (3, 3), 2)[0, 0, 1]
        tensor([2., 4., 2.])

    En PyTorch: ``torch.nn.functional.fold``.
    """
    k, d, p, s = _args("fold", kernel_size, dilation, padding, stride)
    size = int_tuple(output_size, 2, "output_size", "fold", 1)
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        raise RuntimeError(f"fold: se esperaba una entrada 2-D (C·kh·kw, L) o 3-D (N, C·kh·kw, L), no "
                           f"{tuple(getattr(input, 'shape', ()))}")
    x = input.unsqueeze(0) if input.ndim == 2 else input
    if x.shape[1] % (k[0] * k[1]):
        raise RuntimeError(f"fold: el eje 1 de la entrada ({x.shape[1]}) debe ser divisible por el producto del "
                           f"kernel_size ({k[0]}·{k[1]})")
    oh, ow = (FO.blocks(size[i], k[i], d[i], p[i], s[i]) for i in range(2))
    if oh < 1 or ow < 1 or x.shape[2] != oh * ow:
        raise RuntimeError(f"fold: con output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s} "
                           f"hay {oh} · {ow} = {oh * ow} bloques, pero el eje 2 de la entrada mide {x.shape[2]}")
    out = FO.Fold.apply(x, size=size, kernel=k, dilation=d, padding=p, stride=s)
    return out.squeeze(0) if input.ndim == 2 else out
