"""Pooling: ``MaxPool1d/2d`` (``ceil_mode``, ``return_indices``, ``dilation``), ``MaxUnpool1d/2d``,
``AvgPool1d/2d`` (``ceil_mode``, ``count_include_pad``), ``AdaptiveAvgPool1d/2d`` y
``AdaptiveMaxPool1d/2d`` (con el ``repr`` de PyTorch)."""
from __future__ import annotations

from .. import functional as F
from ..functional._utils import int_tuple
from ..module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxUnpool1d", "MaxUnpool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]


class _MaxPoolNd(Module):
    """Lo común a los max-pooling (argumentos y ``repr``)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        """Véase el docstring de la clase."""
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """Max-pooling 2-D: el máximo de cada ventana. Reduce el tamaño (``MaxPool2d(2)`` lo divide por 2) y
    hace la red algo invariante a pequeños desplazamientos; el gradiente sólo pasa por el máximo.

    Args:
        kernel_size: tamaño de la ventana, ``k`` o ``(kh, kw)``.
        stride: paso de la ventana (por defecto, ``kernel_size``: ventanas sin solapar).
        padding: relleno con −∞ a cada lado (``0``; como mucho la mitad de la ventana).
        dilation: separación entre las celdas de la ventana (``1``).
        return_indices (``False``): si es ``True``, devuelve también la posición de cada máximo (para ``MaxUnpool2d``).
        ceil_mode (``False``): si es ``True``, redondea hacia arriba el tamaño de salida (la última ventana puede
            quedar parcialmente fuera).

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H_out, W_out)`` con
    ``H_out = ⌊(H + 2·padding[0] − dilation[0]·(kernel_size[0] − 1) − 1) / stride[0]⌋ + 1``
    (⌈…⌉ con ``ceil_mode``; lo mismo para ``W_out``). Con ``MaxPool2d(2)``: 26 → 13.

    Ejemplo:
        >>> pool = nn.MaxPool2d(2)
        >>> pool(torch.tensor([[[[1., 2.], [3., 4.]]]]))
        tensor([[[[4.]]]])
        >>> pool(torch.randn(64, 32, 26, 26)).shape
        torch.Size([64, 32, 13, 13])

    En PyTorch: ``torch.nn.MaxPool2d``; como función, ``F.max_pool2d``.
    """

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool1d(_MaxPoolNd):
    """Max-pooling 1-D: el máximo de cada ventana de una secuencia.

    Args:
        kernel_size: tamaño de la ventana, un entero ``k`` (o ``(k,)``).
        stride: paso de la ventana (por defecto, ``kernel_size``: ventanas sin solapar).
        padding: relleno con −∞ a cada lado (``0``; como mucho la mitad de la ventana).
        dilation: separación entre las celdas de la ventana (``1``).
        return_indices (``False``): si es ``True``, devuelve también la posición de cada máximo a lo largo
            de ``L`` (índices ``int64`` de la forma de la salida).
        ceil_mode (``False``): si es ``True``, redondea hacia arriba el tamaño de salida (la última ventana puede
            quedar parcialmente fuera).

    Forma: entrada ``(N, C, L)`` o ``(C, L)``; salida ``(N, C, L_out)`` con
    ``L_out = ⌊(L + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1``.

    Ejemplo:
        >>> nn.MaxPool1d(2)(torch.tensor([[[1., 5., 2., 0.]]]))
        tensor([[[5., 2.]]])

    En PyTorch: ``torch.nn.MaxPool1d``; como función, ``F.max_pool1d``.
    """

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class _MaxUnpoolNd(Module):
    """Lo común a ``MaxUnpool1d/2d`` (argumentos como tuplas, ``forward`` y ``repr``)."""
    def __init__(self, kernel_size, stride=None, padding=0):
        """Véase el docstring de la clase."""
        super().__init__()
        n, name = self._n, type(self).__name__
        self.kernel_size = int_tuple(kernel_size, n, "kernel_size", name, 1)
        self.stride = int_tuple(stride if stride is not None else kernel_size, n, "stride", name, 1)
        self.padding = int_tuple(padding, n, "padding", name, 0)

    def forward(self, input, indices, output_size=None):
        fn = F.max_unpool1d if self._n == 1 else F.max_unpool2d
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(_MaxUnpoolNd):
    """MaxUnpool2d: inversa parcial de ``MaxPool2d``; devuelve cada máximo a su posición (los ``indices``
    de ``MaxPool2d(return_indices=True)``) y pone 0 en el resto.

    Args:
        kernel_size: la ventana del ``MaxPool2d``.
        stride: su paso (por defecto, ``kernel_size``).
        padding: su relleno (``0``).

    Forma: entrada e ``indices`` ``(N, C, H, W)``; salida ``(N, C, H_out, W_out)`` con
    ``H_out = (H − 1)·stride[0] − 2·padding[0] + kernel_size[0]`` (o el ``output_size`` que se pase
    a ``forward(input, indices, output_size)``).

    Ejemplo:
        >>> y, idx = nn.MaxPool2d(2, return_indices=True)(torch.tensor([[[[1., 2.], [3., 4.]]]]))
        >>> nn.MaxUnpool2d(2)(y, idx)
        tensor([[[[0., 0.],
                  [0., 4.]]]])

    En PyTorch: ``torch.nn.MaxUnpool2d``; como función, ``F.max_unpool2d``.
    """

    _n = 2


class MaxUnpool1d(_MaxUnpoolNd):
    """MaxUnpool1d: inversa parcial de ``MaxPool1d``; devuelve cada máximo a su posición (los ``indices``
    de ``MaxPool1d(return_indices=True)``) y pone 0 en el resto.

    Args:
        kernel_size: la ventana del ``MaxPool1d``.
        stride: su paso (por defecto, ``kernel_size``).
        padding: su relleno (``0``).

    Forma: entrada e ``indices`` ``(N, C, L)`` o ``(C, L)``; salida ``(N, C, L_out)`` con
    ``L_out = (L − 1)·stride − 2·padding + kernel_size`` (o el ``output_size`` que se pase a
    ``forward(input, indices, output_size)``).

    Ejemplo:
        >>> y, idx = nn.MaxPool1d(2, return_indices=True)(torch.tensor([[[1., 5., 2., 0.]]]))
        >>> nn.MaxUnpool1d(2)(y, idx)
        tensor([[[0., 5., 2., 0.]]])

    En PyTorch: ``torch.nn.MaxUnpool1d``; como función, ``F.max_unpool1d``.
    """
    _n = 1


class _AvgPoolNd(Module):
    """Lo común a los average pooling (argumentos y ``repr``)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Average pooling 2-D: la media de cada ventana.

    Args:
        kernel_size: tamaño de la ventana, ``k`` o ``(kh, kw)``.
        stride: paso (por defecto, ``kernel_size``).
        padding: ceros a cada lado (``0``; como mucho la mitad de la ventana).
        ceil_mode (``False``): si es ``True``, redondea hacia arriba el tamaño de salida.
        count_include_pad: si es ``True`` (por defecto), los ceros del relleno cuentan en la media.
        divisor_override (``None``): si se da, se divide por este número en vez de por el tamaño de la ventana.

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H_out, W_out)`` con
    ``H_out = ⌊(H + 2·padding[0] − kernel_size[0]) / stride[0]⌋ + 1`` (⌈…⌉ con ``ceil_mode``).

    Ejemplo:
        >>> nn.AvgPool2d(2)(torch.tensor([[[[1., 2.], [3., 4.]]]]))
        tensor([[[[2.5000]]]])

    En PyTorch: ``torch.nn.AvgPool2d``; como función, ``F.avg_pool2d``.
    """

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)


class AvgPool1d(_AvgPoolNd):
    """Average pooling 1-D: la media de cada ventana de una secuencia.

    Args:
        kernel_size: tamaño de la ventana.
        stride: paso (por defecto, ``kernel_size``).
        padding: ceros a cada lado (``0``).
        ceil_mode (``False``): si es ``True``, redondea hacia arriba el tamaño de salida.
        count_include_pad: si es ``True`` (por defecto), los ceros del relleno cuentan en la media.

    Forma: entrada ``(N, C, L)`` o ``(C, L)``; salida ``(N, C, L_out)`` con
    ``L_out = ⌊(L + 2·padding − kernel_size) / stride⌋ + 1``.

    Ejemplo:
        >>> nn.AvgPool1d(2)(torch.tensor([[[1., 3., 5., 7.]]]))
        tensor([[[2., 6.]]])

    En PyTorch: ``torch.nn.AvgPool1d``; como función, ``F.avg_pool1d``.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        """Véase el docstring de la clase."""
        op = "AvgPool1d"  # como PyTorch, los tamaños se guardan como tuplas de 1
        super().__init__(int_tuple(kernel_size, 1, "kernel_size", op, 1),
                         int_tuple(stride if stride is not None else kernel_size, 1, "stride", op, 1),
                         int_tuple(padding, 1, "padding", op, 0), ceil_mode, count_include_pad)

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Average pooling adaptativo: medias sobre ventanas calculadas para que la salida tenga
    ``output_size`` (``1``: la media global de cada canal, el final de las ResNet).

    Args:
        output_size: ``(H_out, W_out)`` o un entero para las dos (``None`` en un eje lo deja igual).

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H_out, W_out)``. La ventana ``i``
    va de ``⌊i·H/H_out⌋`` a ``⌈(i+1)·H/H_out⌉``.

    Ejemplo:
        >>> nn.AdaptiveAvgPool2d(1)(torch.randn(8, 64, 7, 7)).shape
        torch.Size([8, 64, 1, 1])

    En PyTorch: ``torch.nn.AdaptiveAvgPool2d``; como función, ``F.adaptive_avg_pool2d``.
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max-pooling adaptativo: máximos sobre ventanas calculadas para que la salida tenga ``output_size``.

    Args:
        output_size: ``(H_out, W_out)`` o un entero para las dos.
        return_indices (``False``): si es ``True``, devuelve también la posición de cada máximo.

    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)``; salida ``(N, C, H_out, W_out)``. La ventana ``i``
    va de ``⌊i·H/H_out⌋`` a ``⌈(i+1)·H/H_out⌉``.

    Ejemplo:
        >>> nn.AdaptiveMaxPool2d((2, 2))(torch.randn(1, 3, 7, 7)).shape
        torch.Size([1, 3, 2, 2])

    En PyTorch: ``torch.nn.AdaptiveMaxPool2d``; como función, ``F.adaptive_max_pool2d``.
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """Average pooling adaptativo 1-D: medias sobre ventanas calculadas para que la salida tenga
    ``output_size`` posiciones (``1``: la media global de cada canal).

    Args:
        output_size: la longitud de la salida.

    Forma: entrada ``(N, C, L)`` o ``(C, L)``; salida ``(N, C, output_size)``. La ventana ``i`` va de
    ``⌊i·L/L_out⌋`` a ``⌈(i+1)·L/L_out⌉``.

    Ejemplo:
        >>> nn.AdaptiveAvgPool1d(2)(torch.tensor([[[1., 3., 5., 7.]]]))
        tensor([[[2., 6.]]])

    En PyTorch: ``torch.nn.AdaptiveAvgPool1d``; como función, ``F.adaptive_avg_pool1d``.
    """

    def __init__(self, output_size):
        """Véase el docstring de la clase."""
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """Max-pooling adaptativo 1-D: máximos sobre ventanas calculadas para que la salida tenga
    ``output_size`` posiciones.

    Args:
        output_size: la longitud de la salida.
        return_indices (``False``): si es ``True``, devuelve también la posición de cada máximo.

    Forma: entrada ``(N, C, L)`` o ``(C, L)``; salida ``(N, C, output_size)``.

    Ejemplo:
        >>> nn.AdaptiveMaxPool1d(2)(torch.tensor([[[1., 5., 2., 0.]]]))
        tensor([[[5., 2.]]])

    En PyTorch: ``torch.nn.AdaptiveMaxPool1d``; como función, ``F.adaptive_max_pool1d``.
    """

    def __init__(self, output_size, return_indices=False):
        """Véase el docstring de la clase."""
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"
