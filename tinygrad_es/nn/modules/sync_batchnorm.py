"""``SyncBatchNorm``: BatchNorm que, con varios procesos (``torch.distributed``), sincroniza las
estadísticas del lote entre ellos. tinygrad_es corre en un solo proceso de CPU, como PyTorch en la CPU
sin ``torch.distributed`` iniciado: entonces hace exactamente lo mismo que ``BatchNorm`` (estadísticas
del lote en ``train()``, las acumuladas en ``eval()``) para entradas de 2 o más dimensiones.
"""
from __future__ import annotations

from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Normalización por lotes ``y = (x − μ_c)/√(σ²_c + eps)·γ_c + β_c`` sobre el eje 1 de una entrada
    ``(N, C, ...)`` de cualquier número de dimensiones ≥ 2 (véase ``BatchNorm2d``). En PyTorch sincroniza
    μ y σ² entre procesos de GPU; en un solo proceso (aquí siempre) es ``BatchNorm``.

    Args:
        num_features: C, los canales de la entrada.
        eps, momentum, affine, track_running_stats, device, dtype, bias: como en ``BatchNorm2d``.
        process_group: el grupo de procesos de PyTorch; se guarda y no se usa.

    Forma: entrada ``(N, C, *)``; salida, la misma.

    Ejemplo:
        >>> modelo = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4))
        >>> modelo = nn.SyncBatchNorm.convert_sync_batchnorm(modelo)   # cada BatchNorm*d → SyncBatchNorm
        >>> type(modelo[1]).__name__
        'SyncBatchNorm'
        >>> nn.SyncBatchNorm(3)(torch.randn(4, 3, 5)).shape
        torch.Size([4, 3, 5])

    En PyTorch: ``torch.nn.SyncBatchNorm``.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, x):
        if x.ndim < 2:
            raise ValueError(f"SyncBatchNorm: se esperaba una entrada de al menos 2 dimensiones (N, C, ...); "
                             f"llegó una de {x.ndim}-D con forma {tuple(x.shape)}")
        if x.shape[1] == 0:
            raise ValueError("SyncBatchNorm: la entrada no tiene canales (el eje 1 mide 0)")

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Cambia cada ``BatchNorm1d/2d/3d`` de ``module`` (in situ en sus padres) por un ``SyncBatchNorm``
        que comparte sus parámetros y buffers (los mismos objetos) y su modo; devuelve ``module``, o el
        nuevo ``SyncBatchNorm`` si ``module`` era una BatchNorm."""
        out = module
        if isinstance(module, _BatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats,
                      process_group, bias=module.bias is not None)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, "qconfig"):
                out.qconfig = module.qconfig
        for name, child in list(module.named_children()):
            new = cls.convert_sync_batchnorm(child, process_group)
            if new is not child:
                _replace_child(out, name, new)
        return out


def _replace_child(parent, name, new):
    """``parent.<name> = new``; ``name`` puede ser ``capas.0`` si el hijo está en una lista o un dict."""
    first, *rest = name.split(".")
    if not rest:
        return parent.add_module(name, new)
    box = getattr(parent, first)
    for part in rest[:-1]:
        box = box[int(part)] if isinstance(box, (list, tuple)) else box[part]
    key = int(rest[-1]) if isinstance(box, (list, tuple)) else rest[-1]
    box[key] = new  # una tupla no se puede cambiar: TypeError, como al asignar en ella
