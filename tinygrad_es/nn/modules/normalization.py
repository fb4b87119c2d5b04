"""Normalizaciones: ``BatchNorm1d/2d/3d``, ``LayerNorm`` y ``GroupNorm`` (parámetros, buffers y
claves de ``state_dict`` como en PyTorch)."""
from __future__ import annotations

import numbers

import numpy as np

from ..._tensor import Tensor
from ..._validate import integer, number
from .. import functional as F
from ..module import Module
from ..parameter import Parameter
from ._utils import check_size, factory_dtype

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm"]


def _shape_arg(normalized_shape, owner):
    """``normalized_shape`` de LayerNorm/RMSNorm: enteros ≥ 0 (un texto como '4' es TypeError, no ('4',))."""
    if isinstance(normalized_shape, (str, bytes)) or not hasattr(normalized_shape, "__iter__"):
        raise TypeError(f"{owner}: normalized_shape debe ser un entero o una tupla de enteros, no {normalized_shape!r}")
    return tuple(integer(n, "normalized_shape", owner, low=0, exc=RuntimeError) for n in normalized_shape)


class _NormBase(Module):
    """Lo común a ``BatchNorm*`` e ``InstanceNorm*`` (parámetros, buffers, ``repr``), como ``_NormBase`` de
    PyTorch."""
    _ranks = ()
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        """Crea ``weight``, ``bias`` y los buffers (véase ``BatchNorm2d``)."""
        super().__init__()
        check_size(type(self).__name__, num_features=(num_features, 0))
        number(eps, "eps", type(self).__name__)
        if momentum is not None:  # None: media acumulada simple
            number(momentum, "momentum", type(self).__name__)
        dt = factory_dtype(device, dtype)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(np.ones(num_features, dtype=dt)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dt)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """Pone ``running_mean`` a 0, ``running_var`` a 1 y ``num_batches_tracked`` a 0."""
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self):
        """Reinicia las estadísticas y pone γ = 1 y β = 0."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """Lo común a ``BatchNorm1d/2d/3d``: el ``forward`` con las estadísticas del lote o las acumuladas."""

    def _check_input_dim(self, x):
        if x.ndim not in self._ranks or x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): se esperaba una entrada "
                             f"{' o '.join(f'{r}-D' for r in self._ranks)} con {self.num_features} "
                             f"canales en el eje 1; llegó forma {tuple(x.shape)}")

    def forward(self, input):
        x = input if isinstance(input, Tensor) else Tensor(input)
        self._check_input_dim(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._vc.value += 1
            if self.momentum is None:  # media acumulada
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return F.batch_norm(x, self.running_mean if keep else None, self.running_var if keep else None, self.weight,
                            self.bias, use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Normalización por lotes sobre ``(N, C)`` o ``(N, C, L)``: cada canal c se normaliza con la media y
    la varianza del lote, ``y = (x − μ_c)/√(σ²_c + eps)·γ_c + β_c`` (véase ``BatchNorm2d``, que explica
    el entrenamiento y la evaluación).

    Args:
        num_features: C, los canales (o características) de la entrada.
        eps: se suma a la varianza para no dividir por 0 (``1e-5``).
        momentum: peso del lote en las estadísticas acumuladas (``0.1``); ``None`` hace una media
            acumulada simple.
        affine: si es ``True``, aprende γ (``weight``) y β (``bias``) (``True``).
        track_running_stats: si es ``True``, acumula ``running_mean``/``running_var`` para ``eval()``
            (``True``); si no, usa siempre las del lote.
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de parámetros y buffers (``float32``).
        bias: (sólo con nombre) si es ``False``, sin β (``True``).

    Forma: entrada ``(N, C)`` o ``(N, C, L)``; salida, la misma.

    Ejemplo:
        >>> bn = nn.BatchNorm1d(2)
        >>> bn(torch.tensor([[1., 2.], [3., 6.]]))
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]], grad_fn=<NativeBatchNormBackward0>)
        >>> bn.running_mean, bn.running_var        # 0,9·(0, 1) + 0,1·(media, varianza insesgada)
        (tensor([0.2000, 0.4000]), tensor([1.1000, 1.7000]))

    En PyTorch: ``torch.nn.BatchNorm1d``; como función, ``F.batch_norm``.
    """
    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Normalización por lotes de imágenes ``(N, C, H, W)``: para cada canal c,
    ``y = (x − μ_c)/√(σ²_c + eps)·γ_c + β_c``, con μ_c y σ²_c (sesgada) sobre N, H y W.

    En entrenamiento (``model.train()``) usa las estadísticas del lote y actualiza las acumuladas:
    ``running = (1 − momentum)·running + momentum·del lote`` (con la varianza insesgada, como PyTorch);
    en evaluación (``model.eval()``) usa las acumuladas, así la salida de un ejemplo no depende del lote.
    Gradientes: los de ``(x − μ)/σ`` con μ y σ funciones del lote (véase ``ops/normalization.py``).

    Args:
        num_features: C, los canales de la entrada.
        eps: se suma a la varianza para no dividir por 0 (``1e-5``).
        momentum: peso del lote en las estadísticas acumuladas (``0.1``); ``None`` hace una media
            acumulada simple (``1/num_batches_tracked``).
        affine: si es ``True``, aprende γ (``weight``, unos) y β (``bias``, ceros) (``True``).
        track_running_stats: acumula ``running_mean`` y ``running_var`` (``True``); si es ``False``, usa
            siempre las del lote (también en ``eval()``).
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de parámetros y buffers (``float32``).
        bias: (sólo con nombre) si es ``False``, sin β (``True``).

    Forma: entrada ``(N, C, H, W)``; salida, la misma.

    Atributos: ``weight``, ``bias`` ``(C,)``; buffers ``running_mean``, ``running_var`` ``(C,)`` y
    ``num_batches_tracked`` (entero), que viajan con ``state_dict``.

    Ejemplo (tras una convolución de 16 filtros):
        >>> bn = nn.BatchNorm2d(16)
        >>> bn(torch.randn(8, 16, 5, 5)).shape
        torch.Size([8, 16, 5, 5])

    En PyTorch: ``torch.nn.BatchNorm2d``; como función, ``F.batch_norm``.
    """
    _ranks = (4,)


class BatchNorm3d(_BatchNorm):
    """Normalización por lotes de volúmenes ``(N, C, D, H, W)`` (véase ``BatchNorm2d``).

    Args:
        num_features: C, los canales de la entrada.
        eps: se suma a la varianza (``1e-5``).
        momentum: peso del lote en las estadísticas acumuladas (``0.1``; ``None``: media simple).
        affine: aprende γ y β (``True``).
        track_running_stats: acumula las estadísticas para ``eval()`` (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de parámetros y buffers (``float32``).
        bias: (sólo con nombre) si es ``False``, sin β (``True``).

    Forma: entrada ``(N, C, D, H, W)``; salida, la misma.

    Ejemplo:
        >>> nn.BatchNorm3d(2)(torch.randn(2, 2, 3, 4, 4)).shape
        torch.Size([2, 2, 3, 4, 4])

    En PyTorch: ``torch.nn.BatchNorm3d``; como función, ``F.batch_norm``.
    """
    _ranks = (5,)


class LayerNorm(Module):
    """Normalización de capa: cada muestra se normaliza sobre sus últimos ejes ``normalized_shape``,
    ``y = (x − μ)/√(σ² + eps)·γ + β`` (μ y σ² sesgada de esa muestra), igual en entrenamiento y en
    evaluación (la de los Transformers).

    Args:
        normalized_shape: los últimos ejes que se normalizan, ``D`` o ``(…, D)``.
        eps: se suma a la varianza (``1e-5``).
        elementwise_affine: si es ``True``, aprende γ (``weight``) y β (``bias``) con forma
            ``normalized_shape`` (``True``).
        bias: si es ``False``, sin β (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(*, *normalized_shape)``; salida, la misma.

    Ejemplo:
        >>> nn.LayerNorm(2)(torch.tensor([[1., 2.], [3., 6.]]))
        tensor([[-1.0000,  1.0000],
                [-1.0000,  1.0000]], grad_fn=<NativeLayerNormBackward0>)

    En PyTorch: ``torch.nn.LayerNorm``; como función, ``F.layer_norm``.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__()
        dt = factory_dtype(device, dtype)
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = _shape_arg(normalized_shape, type(self).__name__)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dt)) if elementwise_affine and bias else None

    def reset_parameters(self):
        """Pone γ = 1 y β = 0."""
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalización por grupos: los C canales se reparten en ``num_groups`` grupos y cada muestra se
    normaliza dentro de cada grupo (no depende del lote); luego γ y β por canal. Con un grupo es como
    ``LayerNorm`` sobre (C, H, W); con C grupos, ``InstanceNorm``.

    Args:
        num_groups: número de grupos (divide a ``num_channels``).
        num_channels: C, los canales de la entrada.
        eps: se suma a la varianza (``1e-5``).
        affine: aprende γ (``weight``) y β (``bias``) ``(C,)`` (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los parámetros (``float32``).
        bias: (sólo con nombre) si es ``False``, sin β (``True``).

    Forma: entrada ``(N, C, *)``; salida, la misma.

    Ejemplo:
        >>> nn.GroupNorm(2, 4)(torch.randn(3, 4, 5, 5)).shape
        torch.Size([3, 4, 5, 5])

    En PyTorch: ``torch.nn.GroupNorm``; como función, ``F.group_norm``.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        """Véase el docstring de la clase."""
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) debe ser divisible por num_groups "
                             f"({num_groups})")
        dt = factory_dtype(device, dtype)
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self.weight = Parameter(np.ones(num_channels, dtype=dt)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype=dt)) if affine and bias else None

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"


class RMSNorm(Module):
    """Normalización RMS: ``y = x / √(media(x²) + eps) · γ`` sobre los últimos ejes ``normalized_shape``
    (sin restar la media ni sesgo, a diferencia de ``LayerNorm``).

    Args:
        normalized_shape: los últimos ejes que se normalizan, ``D`` o ``(…, D)``.
        eps: se suma a la media de los cuadrados (``None``: el épsilon del dtype, ``torch.finfo(dtype).eps``).
        elementwise_affine: aprende γ (``weight``) con forma ``normalized_shape`` (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de los parámetros (``float32``).

    Forma: entrada ``(*, *normalized_shape)``; salida, la misma.

    Ejemplo:
        >>> nn.RMSNorm(2)(torch.tensor([[3., 4.]]))            # RMS = √12,5
        tensor([[0.8485, 1.1314]], grad_fn=<MulBackward0>)

    En PyTorch: ``torch.nn.RMSNorm``; como función, ``F.rms_norm``.
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        """Véase el docstring de la clase."""
        super().__init__()
        dt = factory_dtype(device, dtype)
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = _shape_arg(normalized_shape, type(self).__name__)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt)) if elementwise_affine else None

    def reset_parameters(self):
        """Pone γ = 1."""
        if self.weight is not None:
            self.weight._data[...] = 1

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """Normalización de respuesta local entre canales vecinos (la de AlexNet): cada canal se divide entre
    ``(k + alpha · media de x² en los size canales vecinos)^beta``.

    Args:
        size: cuántos canales vecinos entran en la media.
        alpha: factor de escala (``1e-4``).
        beta: exponente (``0.75``).
        k: constante aditiva (``1.0``; AlexNet usa ``nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)``).

    Forma: entrada ``(N, C, *)``; salida, la misma.

    Ejemplo:
        >>> nn.LocalResponseNorm(5, k=2.0)(torch.randn(2, 8, 4, 4)).shape
        torch.Size([2, 8, 4, 4])

    En PyTorch: ``torch.nn.LocalResponseNorm``; como función, ``F.local_response_norm``.
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        """Véase el docstring de la clase."""
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
