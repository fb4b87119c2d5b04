"""Convoluciones: ``Conv1d``, ``Conv2d`` (``groups``, ``dilation``, ``padding='same'|'valid'``,
``padding_mode``), ``ConvTranspose1d`` y ``ConvTranspose2d``, con los parámetros, la inicialización y el ``repr`` de PyTorch."""
from __future__ import annotations

import numpy as np

from ..._validate import choice
from .. import functional as F
from ..functional._utils import int_tuple
from ..module import Module
from ..parameter import Parameter
from ._utils import check_size, default_init, factory_dtype

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Lo común a las convoluciones (argumentos, parámetros, relleno y ``repr``)."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None, output_padding=0):
        """Comprueba los argumentos y crea ``weight`` y ``bias`` (véase ``Conv2d``)."""
        nd, name = self._nd, type(self).__name__
        check_size(name, in_channels=(in_channels, 0), out_channels=(out_channels, 0), kernel_size=(kernel_size, 1),
                   stride=(stride, 1), dilation=(dilation, 1), groups=(groups, 1))
        if not isinstance(padding, str):
            check_size(name, padding=(padding, 0))
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) debe ser divisible por groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) debe ser divisible por groups ({groups})")
        choice(padding_mode, _PADDING_MODES, "padding_mode", name)
        super().__init__()
        dt = factory_dtype(device, dtype)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = int_tuple(kernel_size, nd, "kernel_size", name, 1)
        self.stride, self.dilation = int_tuple(stride, nd, "stride", name, 1), int_tuple(dilation, nd, "dilation", name, 1)
        self.groups, self.padding_mode = groups, padding_mode
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding debe ser un entero, una tupla, 'same' o 'valid', no {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' no admite stride distinto de 1 (stride={self.stride})")
            self.padding = padding
        else:
            self.padding = int_tuple(padding, nd, "padding", name, 0)
        self.output_padding = int_tuple(output_padding, nd, "output_padding", name, 0)
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dt))
        self.bias = Parameter(np.empty(out_channels, dtype=dt)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Vuelve a sortear ``weight`` y ``bias`` (uniformes en ±1/√fan_in, con fan_in sacado de la forma del
        peso, también en la traspuesta, como PyTorch)."""
        default_init(self.weight, self.bias, self.weight.shape[1] * int(np.prod(self.kernel_size)))

    def _reversed_padding(self):
        """Relleno para ``F.pad`` (del último eje al primero) cuando ``padding_mode`` no es 'zeros'."""
        if self.padding == "valid":
            return [0, 0] * self._nd
        pads = []
        for i in reversed(range(self._nd)):
            if self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                pads += [total // 2, total - total // 2]
            else:
                pads += [self.padding[i], self.padding[i]]
        return pads

    def _conv(self, fn, input):
        if self.padding_mode != "zeros":
            x = F.pad(input, self._reversed_padding(), mode=self.padding_mode)
            return fn(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        """``1, 32, kernel_size=(3, 3), stride=(1, 1)``: lo que sale en ``repr`` (como PyTorch)."""
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """Convolución 2-D (en realidad correlación cruzada, como PyTorch): ``out_channels`` filtros de
    ``in_channels/groups × kh × kw`` que se deslizan sobre la imagen; cada uno da un mapa de
    características, ``out[n, o] = bias[o] + Σ_c weight[o, c] ⋆ input[n, c]``.

    Args:
        in_channels: canales de la entrada (1 en MNIST, 3 en color).
        out_channels: número de filtros = canales de la salida.
        kernel_size: tamaño del filtro, ``k`` o ``(kh, kw)``.
        stride: paso del filtro (``1``), ``s`` o ``(sh, sw)``.
        padding: ceros alrededor (``0``): ``p``, ``(ph, pw)``, ``'valid'`` (0) o ``'same'`` (la salida
            tan grande como la entrada; sólo con ``stride=1``).
        dilation: separación entre las celdas del filtro (``1``).
        groups: grupos de canales independientes (``1``); ``groups=in_channels`` es una convolución
            por canal (depthwise).
        bias: si es ``False``, sin sesgo (``True``).
        padding_mode: con qué se rellena: ``'zeros'``, ``'reflect'``, ``'replicate'`` o ``'circular'``.
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(N, C_in, H, W)`` o ``(C_in, H, W)``; salida ``(N, C_out, H_out, W_out)`` con
    ``H_out = ⌊(H + 2·padding[0] − dilation[0]·(kernel_size[0] − 1) − 1) / stride[0]⌋ + 1`` (y lo
    mismo para ``W_out`` con el índice 1). Sin relleno y con paso 1: ``H_out = H − k + 1`` (28 → 26).

    Atributos: ``weight`` ``(C_out, C_in/groups, kh, kw)`` y ``bias`` ``(C_out,)``, uniformes en
    ±1/√(C_in/groups·kh·kw), como PyTorch.

    Ejemplo (la primera capa de los apuntes):
        >>> conv1 = nn.Conv2d(1, 32, kernel_size=3)
        >>> conv1(torch.randn(64, 1, 28, 28)).shape
        torch.Size([64, 32, 26, 26])
        >>> nn.Conv2d(3, 8, 3, stride=2, padding=1)(torch.randn(1, 3, 32, 32)).shape
        torch.Size([1, 8, 16, 16])

    En PyTorch: ``torch.nn.Conv2d``; como función, ``F.conv2d``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype)

    def forward(self, input):
        """La convolución de ``input`` (véase el docstring de la clase)."""
        return self._conv(F.conv2d, input)


class Conv1d(_ConvNd):
    """Convolución 1-D (correlación cruzada) sobre secuencias: audio, series temporales, texto.

    Args:
        in_channels: canales de la entrada.
        out_channels: número de filtros = canales de la salida.
        kernel_size: longitud del filtro.
        stride: paso (``1``).
        padding: ceros a cada lado (``0``), ``'valid'`` o ``'same'``.
        dilation: separación entre las celdas del filtro (``1``).
        groups: grupos de canales independientes (``1``).
        bias: si es ``False``, sin sesgo (``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` o ``'circular'``.
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(N, C_in, L)`` o ``(C_in, L)``; salida ``(N, C_out, L_out)`` con
    ``L_out = ⌊(L + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1``.

    Ejemplo:
        >>> nn.Conv1d(2, 4, kernel_size=5)(torch.randn(8, 2, 100)).shape
        torch.Size([8, 4, 96])

    En PyTorch: ``torch.nn.Conv1d``; como función, ``F.conv1d``.
    """
    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype)

    def forward(self, input):
        """La convolución de ``input`` (véase el docstring de la clase)."""
        return self._conv(F.conv1d, input)


class _ConvTransposeNd(_ConvNd):
    """Lo común a ``ConvTranspose1d/2d``: argumentos, ``output_size`` y ``forward``."""
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de cada clase."""
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f"{name} sólo admite padding_mode='zeros', no {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{name} no admite padding='same' ni 'valid'")
        check_size(name, output_padding=(output_padding, 0))
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, output_padding)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        nd = self._nd
        size = tuple(int(s) for s in output_size)[-nd:]
        out = []
        for i, want in enumerate(size):
            n = input.shape[-nd + i]
            base = ((n - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            extra = want - base
            if not 0 <= extra < max(self.stride[i], self.dilation[i]):
                raise ValueError(f"{type(self).__name__}: output_size {size} no es alcanzable desde la entrada "
                                 f"{tuple(input.shape[-nd:])} (tamaños posibles: {base} a "
                                 f"{base + max(self.stride[i], self.dilation[i]) - 1} en el eje {i})")
            out.append(extra)
        return tuple(out)

    def forward(self, input, output_size=None):
        """La convolución traspuesta de ``input``; ``output_size`` (opcional) fija el tamaño de la salida."""
        fn = F.conv_transpose1d if self._nd == 1 else F.conv_transpose2d
        return fn(input, self.weight, self.bias, self.stride, self.padding, self._output_padding(input, output_size),
                  self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """Convolución traspuesta 2-D: el adjunto de ``Conv2d`` (su backward respecto de la entrada), que
    agranda la imagen; la usan los decodificadores y las U-Net.

    Args:
        in_channels: canales de la entrada.
        out_channels: canales de la salida.
        kernel_size: tamaño del filtro, ``k`` o ``(kh, kw)``.
        stride: cuánto se agranda (``1``).
        padding: lo que se recorta de cada borde de la salida (``0``).
        output_padding: filas/columnas de más en un lado de la salida, para elegir entre los
            tamaños posibles con ``stride > 1`` (``0``).
        groups: grupos de canales independientes (``1``).
        bias: si es ``False``, sin sesgo (``True``).
        dilation: separación entre las celdas del filtro (``1``).
        padding_mode: sólo ``'zeros'``, como en PyTorch.
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(N, C_in, H, W)``; salida ``(N, C_out, H_out, W_out)`` con
    ``H_out = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kernel_size[0] − 1) + output_padding[0] + 1``.
    ``forward(input, output_size)`` acepta también el tamaño deseado y calcula ``output_padding``.

    Atributos: ``weight`` ``(C_in, C_out/groups, kh, kw)`` y ``bias`` ``(C_out,)``.

    Ejemplo:
        >>> up = nn.ConvTranspose2d(16, 8, kernel_size=2, stride=2)
        >>> up(torch.randn(1, 16, 7, 7)).shape
        torch.Size([1, 8, 14, 14])

    En PyTorch: ``torch.nn.ConvTranspose2d``; como función, ``F.conv_transpose2d``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)


class ConvTranspose1d(_ConvTransposeNd):
    """Convolución traspuesta 1-D: el adjunto de ``Conv1d`` (su backward respecto de la entrada), que
    alarga la secuencia; la usan los decodificadores de audio y de series temporales.

    Args:
        in_channels: canales de la entrada.
        out_channels: canales de la salida.
        kernel_size: longitud del filtro.
        stride: cuánto se alarga (``1``).
        padding: lo que se recorta de cada extremo de la salida (``0``).
        output_padding: posiciones de más al final de la salida, para elegir entre las longitudes
            posibles con ``stride > 1`` (``0``).
        groups: grupos de canales independientes (``1``).
        bias: si es ``False``, sin sesgo (``True``).
        dilation: separación entre las celdas del filtro (``1``).
        padding_mode: sólo ``'zeros'``, como en PyTorch.
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(N, C_in, L)`` o ``(C_in, L)``; salida ``(N, C_out, L_out)`` con
    ``L_out = (L − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1``.
    ``forward(input, output_size)`` acepta también la longitud deseada y calcula ``output_padding``.

    Atributos: ``weight`` ``(C_in, C_out/groups, k)`` y ``bias`` ``(C_out,)``.

    Derivada: la de ``F.conv_transpose1d`` (una ``conv_transpose2d`` de altura 1).

    Ejemplo:
        >>> up = nn.ConvTranspose1d(4, 2, kernel_size=4, stride=2, padding=1)
        >>> up(torch.randn(3, 4, 10)).shape
        torch.Size([3, 2, 20])

    En PyTorch: ``torch.nn.ConvTranspose1d``; como función, ``F.conv_transpose1d``.
    """
    _nd = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias,
                         dilation, padding_mode, device, dtype)
