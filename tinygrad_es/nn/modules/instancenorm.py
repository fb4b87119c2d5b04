"""Normalización por instancia: ``InstanceNorm1d/2d/3d`` y sus perezosas ``LazyInstanceNorm1d/2d/3d``
(parámetros, buffers, ``repr``, entradas sin lote, el aviso y los errores de PyTorch). El cálculo es
``F.instance_norm`` (``nn/functional/normalization.py``)."""
from __future__ import annotations

import warnings

from ..._tensor import Tensor
from .. import functional as F
from .lazy import _LazyNormMixin, _uninitialized
from .normalization import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
           "LazyInstanceNorm3d"]


class _InstanceNorm(_NormBase):
    """Lo común a ``InstanceNorm1d/2d/3d``: ``_n`` ejes espaciales; sin lote la entrada tiene ``_n + 1`` ejes."""
    _n = 1

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        """Crea ``weight``/``bias`` (si ``affine``) y los buffers (si ``track_running_stats``)."""
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, x):
        if x.ndim not in (self._n + 1, self._n + 2):
            raise ValueError(f"{type(self).__name__}: se esperaba una entrada {self._n + 1}-D o {self._n + 2}-D "
                             f"(llegó una {x.ndim}-D de forma {tuple(x.shape)})")

    def forward(self, input):
        x = input if isinstance(input, Tensor) else Tensor(input)
        self._check_input_dim(x)
        dim = x.ndim - self._n - 1
        if x.shape[dim] != self.num_features:
            if self.affine:
                raise ValueError(f"{type(self).__name__}: el eje {dim} de la entrada (forma {tuple(x.shape)}) "
                                 f"debe medir num_features = {self.num_features}, y mide {x.shape[dim]}")
            warnings.warn(f"{type(self).__name__}: el eje {dim} de la entrada mide {x.shape[dim]} y no coincide con "
                          f"num_features = {self.num_features}; con affine=False num_features no se usa (puede "
                          f"omitirse para no ver este aviso)", UserWarning, stacklevel=2)
        unbatched = x.ndim == self._n + 1
        out = F.instance_norm(x.unsqueeze(0) if unbatched else x, self.running_mean, self.running_var, self.weight,
                              self.bias, self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out.squeeze(0) if unbatched else out


_ARGS = """
    Args:
        num_features: C, los canales de la entrada.
        eps: se suma a la varianza para no dividir por 0 (``1e-5``).
        momentum: peso de las estadísticas nuevas en las acumuladas (``0.1``; ``None`` se toma como 0).
        affine: si es ``True``, aprende γ (``weight``) y β (``bias``) por canal (``False``).
        track_running_stats: si es ``True``, acumula ``running_mean``/``running_var`` al entrenar y las
            usa en ``eval()`` (``False``: siempre las de cada muestra).
        device: ``"cpu"`` (el único) o ``None``.
        dtype: dtype de parámetros y buffers (``float32``).
        bias: (sólo con nombre) si es ``False``, sin β (``True``).
"""


class InstanceNorm1d(_InstanceNorm):
    __doc__ = f"""Normalización por instancia de secuencias: cada canal de **cada muestra** se normaliza con su
    propia media y varianza (sesgada) sobre L, ``y = (x − μ_nc)/√(σ²_nc + eps)·γ_c + β_c`` (la de la
    transferencia de estilo). A diferencia de ``BatchNorm1d`` no mezcla muestras del lote.
{_ARGS}
    Forma: entrada ``(N, C, L)`` o ``(C, L)`` (sin lote); salida, la misma. Si el eje de canales no mide
    ``num_features``: ``ValueError`` con ``affine=True``; con ``affine=False``, sólo un aviso.

    Derivada: la de ``F.instance_norm`` (la de ``batch_norm`` sobre cada ``(n, c)`` por separado).

    Ejemplo:
        >>> nn.InstanceNorm1d(2)(torch.tensor([[[1., 3.], [2., 6.]]]))
        tensor([[[-1.0000,  1.0000],
                 [-1.0000,  1.0000]]])

    En PyTorch: ``torch.nn.InstanceNorm1d``; como función, ``F.instance_norm``.
    """


class InstanceNorm2d(_InstanceNorm):
    __doc__ = f"""Normalización por instancia de imágenes: cada canal de cada muestra se normaliza con la media y
    la varianza (sesgada) de sus H·W píxeles, ``y = (x − μ_nc)/√(σ²_nc + eps)·γ_c + β_c``.
{_ARGS}
    Forma: entrada ``(N, C, H, W)`` o ``(C, H, W)`` (sin lote); salida, la misma.

    Derivada: la de ``F.instance_norm``.

    Ejemplo:
        >>> m = nn.InstanceNorm2d(3, affine=True)
        >>> m
        InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=False)
        >>> m(torch.rand(2, 3, 4, 4)).shape
        torch.Size([2, 3, 4, 4])

    En PyTorch: ``torch.nn.InstanceNorm2d``; como función, ``F.instance_norm``.
    """
    _n = 2


class InstanceNorm3d(_InstanceNorm):
    __doc__ = f"""Normalización por instancia de volúmenes: cada canal de cada muestra se normaliza con la media
    y la varianza (sesgada) de sus D·H·W elementos.
{_ARGS}
    Forma: entrada ``(N, C, D, H, W)`` o ``(C, D, H, W)`` (sin lote); salida, la misma.

    Derivada: la de ``F.instance_norm``.

    Ejemplo:
        >>> nn.InstanceNorm3d(2)(torch.rand(1, 2, 2, 3, 3)).shape
        torch.Size([1, 2, 2, 3, 3])

    En PyTorch: ``torch.nn.InstanceNorm3d``; como función, ``F.instance_norm``.
    """
    _n = 3


class _LazyInstanceNorm(_LazyNormMixin):
    """``num_features`` sale del eje de canales de la primera entrada (el 0 sin lote, el 1 con lote)."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, *,
                 bias=True):
        """Véase el docstring de la clase."""
        super().__init__(0, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self._lazy_norm_init(bias, device, dtype)

    def initialize_parameters(self, input, *args):
        self._check_input_dim(input)
        if not self.num_features:
            self.num_features = int(input.shape[input.ndim - self._n - 1])
        for name in ("weight", "bias", "running_mean", "running_var"):
            t = getattr(self, name)
            if _uninitialized(t):
                t.materialize((self.num_features,))
        self.reset_parameters()


def _lazy_doc(n, shape):
    return f"""``nn.InstanceNorm{n}d`` con ``num_features`` deducido del eje de canales de la primera entrada.
    Ojo: como en PyTorch, las perezosas tienen ``affine=True`` y ``track_running_stats=True`` por defecto.

    Args:
        eps: se suma a la varianza (``1e-5``).
        momentum: peso de las estadísticas nuevas en las acumuladas (``0.1``).
        affine: aprende γ y β (``True``).
        track_running_stats: acumula las estadísticas para ``eval()`` (``True``).
        device: ``"cpu"`` o ``None``.
        dtype: dtype de parámetros y buffers (``float32``).
        bias: (sólo con nombre) si es ``False``, sin β (``True``).

    Forma: entrada {shape}; salida, la misma. Tras la primera pasada, la capa es un ``nn.InstanceNorm{n}d``.

    Ejemplo:
        >>> m = nn.LazyInstanceNorm{n}d()
        >>> m(torch.rand(2, 5{', 3' * n})).shape, m.num_features
        (torch.Size([2, 5{', 3' * n}]), 5)

    En PyTorch: ``torch.nn.LazyInstanceNorm{n}d``.
    """


class LazyInstanceNorm1d(_LazyInstanceNorm, InstanceNorm1d):
    __doc__ = _lazy_doc(1, "``(N, C, L)`` o ``(C, L)``")
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm, InstanceNorm2d):
    __doc__ = _lazy_doc(2, "``(N, C, H, W)`` o ``(C, H, W)``")
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm, InstanceNorm3d):
    __doc__ = _lazy_doc(3, "``(N, C, D, H, W)`` o ``(C, D, H, W)``")
    cls_to_become = InstanceNorm3d
