"""Las capas ``nn.Unfold`` y ``nn.Fold`` (``F.unfold``/``F.fold`` con sus argumentos guardados)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["Unfold", "Fold"]


class Unfold(Module):
    """Bloques deslizantes como columnas (im2col): cada posición de un filtro ``kh × kw`` se convierte en
    una columna de ``C·kh·kw`` valores; una convolución es entonces un producto de matrices.

    Args:
        kernel_size: tamaño del bloque, ``k`` o ``(kh, kw)``.
        dilation: separación entre las celdas del bloque (``1``).
        padding: ceros alrededor (``0``).
        stride: paso del bloque (``1``).

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C·kh·kw, L)``, con L = H_out·W_out
    y ``H_out = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1`` (igual para W).

    Ejemplo:
        >>> nn.Unfold(kernel_size=2)(torch.rand(1, 3, 4, 4)).shape
        torch.Size([1, 12, 9])

    En PyTorch: ``torch.nn.Unfold``; como función, ``F.unfold``.
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        """Véase el docstring de la clase."""
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Columnas de bloques sumadas en una imagen (col2im), la traspuesta de ``Unfold``: donde los bloques
    se solapan, sus valores se suman.

    Args:
        output_size: ``(H, W)`` de la imagen de salida.
        kernel_size: tamaño del bloque, ``k`` o ``(kh, kw)``.
        dilation: separación entre las celdas del bloque (``1``).
        padding: relleno que se descarta (``0``).
        stride: paso del bloque (``1``).

    Forma: entrada ``(N, C·kh·kw, L)`` o ``(C·kh·kw, L)``; salida ``(N, C, H, W)``.

    Ejemplo (cuántos bloques 2×2 cubren cada píxel de 3×3):
        >>> nn.Fold(output_size=(3, 3), kernel_size=2)(torch.ones(1, 4, 4))
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])

    En PyTorch: ``torch.nn.Fold``; como función, ``F.fold``.
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        """Véase el docstring de la clase."""
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
