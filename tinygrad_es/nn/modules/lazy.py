"""Capas perezosas (``Lazy*``, como ``torch.nn.LazyLinear``): deducen su tamaño de entrada de la
primera pasada.

``nn.LazyLinear(10)`` no sabe cuántas características le llegan; su peso es un
``UninitializedParameter``. En la primera llamada ``capa(x)`` lee ``x.shape[-1]`` (o el eje de
canales en convoluciones y BatchNorm), da memoria a sus parámetros **en el mismo objeto** (un
optimizador creado antes los sigue viendo), los inicializa como la capa normal y se convierte en
ella (``type(capa)`` pasa a ser ``nn.Linear``). Así escribe sus modelos el libro d2l::

    net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
    net(torch.rand(2, 20))            # ahora net[0].weight.shape == (256, 20)

En PyTorch: ``torch.nn.LazyLinear``, ``LazyConv1d/2d``, ``LazyConvTranspose1d/2d``,
``LazyBatchNorm1d/2d/3d`` y ``torch.nn.modules.lazy.LazyModuleMixin``.
"""
from __future__ import annotations

from ..parameter import UninitializedBuffer, UninitializedParameter
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .linear import Linear
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyBatchNorm1d",
           "LazyBatchNorm2d", "LazyBatchNorm3d"]


def _uninitialized(t) -> bool:
    return isinstance(t, (UninitializedParameter, UninitializedBuffer))


class LazyModuleMixin:
    """La mecánica de las capas perezosas: un gancho previo a ``forward`` que llama a
    ``initialize_parameters(*entradas)`` en la primera pasada, se quita y cambia la clase del módulo a
    ``cls_to_become`` (``Linear`` para ``LazyLinear``). Mientras tanto, sus parámetros son
    ``UninitializedParameter`` (sin forma).

    Ejemplo:
        >>> capa = nn.LazyLinear(10)
        >>> capa.has_uninitialized_params()
        True

    En PyTorch: ``torch.nn.modules.lazy.LazyModuleMixin``.
    """

    cls_to_become = None

    def _lazy_setup(self):
        self._lazy_hook = self.register_forward_pre_hook(LazyModuleMixin._infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """¿Queda algún parámetro o buffer sin forma?"""
        return any(_uninitialized(v) for v in self.__dict__.values())

    @staticmethod
    def _infer_parameters(module, args):
        if not args:
            raise TypeError(f"{type(module).__name__}: la primera llamada necesita una entrada para deducir el "
                            f"tamaño de la capa")
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"{type(module).__name__}: no se pudieron inicializar todos sus parámetros")
        module._lazy_hook.remove()
        del module._lazy_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def reset_parameters(self):
        # nada que inicializar mientras se construye (la capa base aún no tiene tamaño) o sin forma
        """Inicializa como la capa normal cuando los parámetros ya tienen forma (antes, no hace nada)."""
        if "_lazy_hook" in self.__dict__ and not self.has_uninitialized_params():
            super().reset_parameters()


def _batched(name, x, rank) -> bool:
    """¿Trae ``x`` el eje del lote? (las convoluciones admiten una sola muestra sin él)."""
    if x.ndim not in (rank + 1, rank + 2):
        raise ValueError(f"{name}: se esperaba una entrada {rank + 1}-D o {rank + 2}-D; llegó forma "
                         f"{tuple(x.shape)}")
    return x.ndim == rank + 2


class LazyLinear(LazyModuleMixin, Linear):
    """``nn.Linear`` con ``in_features`` deducido de la primera entrada (``x.shape[-1]``): ``y = x·Wᵀ + b``.
    Tras la primera pasada, la capa es un ``nn.Linear`` (mismo objeto, mismos parámetros).

    Args:
        out_features: tamaño de la salida.
        bias: con sesgo (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(*, H_in)``; salida ``(*, out_features)``.

    Ejemplo:
        >>> capa = nn.LazyLinear(10)
        >>> capa(torch.rand(4, 7)).shape, capa.weight.shape, type(capa).__name__
        (torch.Size([4, 10]), torch.Size([10, 7]), 'Linear')

    En PyTorch: ``torch.nn.LazyLinear``.
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(0, out_features, False, device, dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._lazy_setup()

    def initialize_parameters(self, input, *args):
        """Da forma a ``weight`` (``(out_features, x.shape[-1])``) y ``bias`` y los inicializa.

        Args:
            input: la primera entrada.
        """
        if not self.in_features:  # también tras load_state_dict, que ya dio forma a los parámetros
            self.in_features = int(input.shape[-1])
        if self.has_uninitialized_params():
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()


class _LazyConvMixin(LazyModuleMixin):
    """``in_channels`` sale del eje de canales de la primera entrada (1, o 0 sin lote)."""

    def _lazy_conv_init(self, bias, device, dtype):
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._lazy_setup()

    def initialize_parameters(self, input, *args):
        c = int(input.shape[1] if _batched(type(self).__name__, input, self._nd) else input.shape[0])
        if not self.has_uninitialized_params():
            self.in_channels = self.in_channels or c
            return
        if c % self.groups:
            raise ValueError(f"{type(self).__name__}: los canales de la entrada ({c}) deben ser divisibles por "
                             f"groups ({self.groups})")
        self.in_channels = c
        shape = ((c, self.out_channels // self.groups) if self._transposed
                 else (self.out_channels, c // self.groups)) + self.kernel_size
        self.weight.materialize(shape)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


class LazyConv1d(_LazyConvMixin, Conv1d):
    """``nn.Conv1d`` con ``in_channels`` deducido de la primera entrada ``(N, C, L)`` (o ``(C, L)``).

    Args:
        out_channels: número de filtros.
        kernel_size: tamaño del filtro.
        stride: paso (``1``).
        padding: relleno (``0``, o ``'same'``/``'valid'``).
        dilation: dilatación (``1``).
        groups: grupos (``1``).
        bias: con sesgo (``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` o ``'circular'``.
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: como ``nn.Conv1d``: ``L_out = ⌊(L + 2·padding − dilation·(kernel_size − 1) − 1)/stride⌋ + 1``.

    Ejemplo:
        >>> conv = nn.LazyConv1d(8, 3)
        >>> conv(torch.rand(2, 4, 10)).shape, conv.weight.shape
        (torch.Size([2, 8, 8]), torch.Size([8, 4, 3]))

    En PyTorch: ``torch.nn.LazyConv1d``.
    """

    cls_to_become = Conv1d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, False, padding_mode,
                         device, dtype)
        self._lazy_conv_init(bias, device, dtype)


class LazyConv2d(_LazyConvMixin, Conv2d):
    """``nn.Conv2d`` con ``in_channels`` deducido de la primera entrada ``(N, C, H, W)`` (o ``(C, H, W)``).

    Args:
        out_channels: número de filtros.
        kernel_size: tamaño del filtro, ``k`` o ``(kh, kw)``.
        stride: paso (``1``).
        padding: relleno (``0``, o ``'same'``/``'valid'``).
        dilation: dilatación (``1``).
        groups: grupos (``1``).
        bias: con sesgo (``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` o ``'circular'``.
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: como ``nn.Conv2d``: ``H_out = ⌊(H + 2·padding − dilation·(kernel_size − 1) − 1)/stride⌋ + 1``.

    Ejemplo (LeNet de d2l):
        >>> conv = nn.LazyConv2d(6, kernel_size=5, padding=2)
        >>> conv(torch.rand(1, 3, 28, 28)).shape, conv.weight.shape
        (torch.Size([1, 6, 28, 28]), torch.Size([6, 3, 5, 5]))

    En PyTorch: ``torch.nn.LazyConv2d``.
    """

    cls_to_become = Conv2d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, False, padding_mode,
                         device, dtype)
        self._lazy_conv_init(bias, device, dtype)


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """``nn.ConvTranspose2d`` con ``in_channels`` deducido de la primera entrada.

    Args:
        out_channels: canales de la salida.
        kernel_size: tamaño del filtro.
        stride: paso (``1``).
        padding: relleno que se recorta (``0``).
        output_padding: tamaño extra en un lado de la salida (``0``).
        groups: grupos (``1``).
        bias: con sesgo (``True``).
        dilation: dilatación (``1``).
        padding_mode: sólo ``'zeros'``.
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: como ``nn.ConvTranspose2d``: ``H_out = (H − 1)·stride − 2·padding + dilation·(kernel_size − 1)
    + output_padding + 1``.

    Ejemplo:
        >>> up = nn.LazyConvTranspose2d(4, 2, stride=2)
        >>> up(torch.rand(1, 3, 5, 5)).shape, up.weight.shape
        (torch.Size([1, 4, 10, 10]), torch.Size([3, 4, 2, 2]))

    En PyTorch: ``torch.nn.LazyConvTranspose2d``.
    """

    cls_to_become = ConvTranspose2d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups, False, dilation,
                         padding_mode, device, dtype)
        self._lazy_conv_init(bias, device, dtype)


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """``nn.ConvTranspose1d`` con ``in_channels`` deducido de la primera entrada ``(N, C, L)`` (o ``(C, L)``).

    Args:
        out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode,
        device, dtype: como en ``nn.ConvTranspose1d``.

    Forma: ``L_out = (L − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1``.

    Ejemplo:
        >>> up = nn.LazyConvTranspose1d(4, 2, stride=2)
        >>> up(torch.rand(1, 3, 5)).shape, up.weight.shape
        (torch.Size([1, 4, 10]), torch.Size([3, 4, 2]))

    En PyTorch: ``torch.nn.LazyConvTranspose1d``.
    """

    cls_to_become = ConvTranspose1d

    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups, False, dilation,
                         padding_mode, device, dtype)
        self._lazy_conv_init(bias, device, dtype)


class _LazyNormMixin(LazyModuleMixin):
    """``num_features`` sale del eje 1 de la primera entrada."""

    def _lazy_norm_init(self, bias, device, dtype):
        if self.affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
        self._lazy_setup()

    def initialize_parameters(self, input, *args):
        if input.ndim not in self._ranks:
            raise ValueError(f"{type(self).__name__}: se esperaba una entrada "
                             f"{' o '.join(f'{r}-D' for r in self._ranks)}; llegó forma {tuple(input.shape)}")
        if not self.num_features:  # también sin parámetros (affine=False, sin estadísticas)
            self.num_features = int(input.shape[1])
        if not self.has_uninitialized_params():
            return
        for name in ("weight", "bias", "running_mean", "running_var"):
            t = getattr(self, name)
            if _uninitialized(t):
                t.materialize((self.num_features,))
        self.reset_parameters()


def _lazy_batchnorm(base, doc):
    class LazyBN(_LazyNormMixin, base):
        __doc__ = doc
        cls_to_become = base

        def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None,
                     *, bias=True):
            """Véase el docstring de la clase."""
            super().__init__(0, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
            self._lazy_norm_init(bias, device, dtype)

    LazyBN.__name__ = LazyBN.__qualname__ = "Lazy" + base.__name__
    return LazyBN


LazyBatchNorm1d = _lazy_batchnorm(BatchNorm1d, """``nn.BatchNorm1d`` con ``num_features`` deducido del eje 1 de
la primera entrada.

Args:
    eps: se suma a la varianza (``1e-5``).
    momentum: peso del lote en las estadísticas acumuladas (``0.1``; ``None``: media simple).
    affine: aprende γ y β (``True``).
    track_running_stats: acumula las estadísticas para ``eval()`` (``True``).
    device: ``"cpu"`` o ``None``.
    dtype: dtype de parámetros y buffers (``float32``).
    bias: (sólo con nombre) si es ``False``, sin β (``True``).

Forma: entrada ``(N, C)`` o ``(N, C, L)``; salida, la misma. Tras la primera pasada, la capa es un ``nn.BatchNorm1d``.

Ejemplo:
    >>> bn = nn.LazyBatchNorm1d()
    >>> bn(torch.rand(4, 6)).shape, bn.num_features
    (torch.Size([4, 6]), 6)

En PyTorch: ``torch.nn.LazyBatchNorm1d``.
""")
LazyBatchNorm2d = _lazy_batchnorm(BatchNorm2d, """``nn.BatchNorm2d`` con ``num_features`` deducido del eje 1 de
la primera entrada (d2l: ``nn.LazyBatchNorm2d()``).

Args:
    eps: se suma a la varianza (``1e-5``).
    momentum: peso del lote en las estadísticas acumuladas (``0.1``; ``None``: media simple).
    affine: aprende γ y β (``True``).
    track_running_stats: acumula las estadísticas para ``eval()`` (``True``).
    device: ``"cpu"`` o ``None``.
    dtype: dtype de parámetros y buffers (``float32``).
    bias: (sólo con nombre) si es ``False``, sin β (``True``).

Forma: entrada ``(N, C, H, W)``; salida, la misma. Tras la primera pasada, la capa es un ``nn.BatchNorm2d``.

Ejemplo:
    >>> bn = nn.LazyBatchNorm2d()
    >>> bn(torch.rand(2, 5, 3, 3)).shape, bn.num_features
    (torch.Size([2, 5, 3, 3]), 5)

En PyTorch: ``torch.nn.LazyBatchNorm2d``.
""")
LazyBatchNorm3d = _lazy_batchnorm(BatchNorm3d, """``nn.BatchNorm3d`` con ``num_features`` deducido del eje 1 de
la primera entrada.

Args:
    eps: se suma a la varianza (``1e-5``).
    momentum: peso del lote en las estadísticas acumuladas (``0.1``; ``None``: media simple).
    affine: aprende γ y β (``True``).
    track_running_stats: acumula las estadísticas para ``eval()`` (``True``).
    device: ``"cpu"`` o ``None``.
    dtype: dtype de parámetros y buffers (``float32``).
    bias: (sólo con nombre) si es ``False``, sin β (``True``).

Forma: entrada ``(N, C, D, H, W)``; salida, la misma. Tras la primera pasada, la capa es un ``nn.BatchNorm3d``.

Ejemplo:
    >>> bn = nn.LazyBatchNorm3d()
    >>> bn(torch.rand(2, 3, 2, 2, 2)).shape, bn.num_features
    (torch.Size([2, 3, 2, 2, 2]), 3)

En PyTorch: ``torch.nn.LazyBatchNorm3d``.
""")
