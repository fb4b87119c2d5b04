"""``nn.LinearCrossEntropyOptions``: las opciones del camino «por trozos» de
``F.linear_cross_entropy`` (los mismos campos, valores por defecto y validación que PyTorch)."""
from __future__ import annotations

import dataclasses

from ..._dtype import float16, float32

__all__ = ["LinearCrossEntropyOptions"]

_ACC_POLICIES = ("auto", "accurate", "balanced", "compact")
# lo que «auto» elige en CPU según el dtype de la entrada (la tabla de PyTorch; bfloat16 no existe aquí)
_AUTO_CPU = {float16: ("accurate", "aspect_ratio")}
_AUTO_FALLBACK = ("compact", "aspect_ratio:2")


def _ceil_div(a, b):
    return -(-a // b)


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """Opciones del camino por trozos de :func:`F.linear_cross_entropy` (pasa ``options=None`` para el
    camino de referencia). Inmutable (``dataclass`` congelada), como en PyTorch.

    Args:
        allow_retain_graph: permitir ``retain_graph=True`` en el backward (``False``). En PyTorch, con
            ``False`` un segundo ``backward`` lanza; aquí el grafo es el de siempre y no cambia nada.
        batch_chunk_size: filas del lote por trozo (entero positivo o ``None``: un solo trozo). No se
            combina con un ``chunking_method`` que dé otro tamaño (``ValueError``).
        chunking_method: ``"auto"``, ``"aspect_ratio"``, ``"aspect_ratio:N"`` (N ≥ 1) o ``None``:
            heurística para el tamaño del trozo, ``next_pow2(ceil(N / ceil(C / in_features))) // N``.
        acc_policy: ``"auto"``, ``"accurate"``, ``"balanced"`` o ``"compact"`` (precisión/memoria en
            PyTorch; aquí se valida y no cambia el resultado).
        acc_dtype: dtype de acumulación: ``None``, ``float16``, ``bfloat16``, ``float32`` o ``float64``.

    Ejemplo:
        >>> opciones = nn.LinearCrossEntropyOptions(batch_chunk_size=2)
        >>> F.linear_cross_entropy(torch.ones(4, 3), torch.zeros(5, 3), torch.tensor([0, 1, 2, 3]),
        ...                        options=opciones)
        tensor(1.6094)

    En PyTorch: ``torch.nn.LinearCrossEntropyOptions``.
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __getstate__(self):
        """Los valores de los campos, para pickle (la clase tiene ``__slots__`` y es inmutable)."""
        return [getattr(self, f.name) for f in dataclasses.fields(self)]

    def __setstate__(self, state):
        """Restaura los campos desde pickle."""
        for f, value in zip(dataclasses.fields(self), state):
            object.__setattr__(self, f.name, value)

    def __post_init__(self):
        """Valida los campos (``ValueError`` en castellano, como PyTorch)."""
        if self.acc_policy not in _ACC_POLICIES:
            raise ValueError(f"acc_policy no válida: {self.acc_policy!r} (una de {', '.join(_ACC_POLICIES)})")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = str(self.chunking_method).partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"chunking_method no válido: {self.chunking_method!r} (\"auto\", "
                                 "\"aspect_ratio\", \"aspect_ratio:N\" con N ≥ 1 o None)")
        if not (self.batch_chunk_size is None or (isinstance(self.batch_chunk_size, int)
                                                  and not isinstance(self.batch_chunk_size, bool)
                                                  and self.batch_chunk_size > 0)):
            raise ValueError(f"batch_chunk_size debe ser un entero positivo o None, no {self.batch_chunk_size!r}")
        if self.acc_dtype is not None and str(self.acc_dtype).split(".")[-1] not in (
                "float16", "bfloat16", "float32", "float64"):
            raise ValueError(f"acc_dtype debe ser None, float16, bfloat16, float32 o float64, no "
                             f"{self.acc_dtype!r}; con acc_dtype=None se elige solo")

    @staticmethod
    def _compute_batch_chunk_size(num_batches, in_features, num_classes, method):
        """Filas por trozo según ``"aspect_ratio[:N]"``: el búfer de logits de un trozo ocupa como la entrada."""
        factor = int(method.split(":", 1)[1]) if ":" in method else 1
        target = _ceil_div(num_batches, _ceil_div(num_classes, in_features))
        return min((1 << (target - 1).bit_length()) // factor, num_batches)

    def _adjust(self, num_batches, in_features, num_classes, dtype, device=None):
        """Las opciones concretas para una llamada: resuelve «auto» y ``None`` como PyTorch (en CPU) y
        lanza ``ValueError`` si ``batch_chunk_size`` y ``chunking_method`` dan trozos distintos."""
        acc_policy, method = self.acc_policy, self.chunking_method
        if method == "auto" and self.batch_chunk_size is not None:
            method = None  # un tamaño explícito apaga la heurística
        auto = _AUTO_CPU.get(dtype, _AUTO_FALLBACK) if device is not None else _AUTO_FALLBACK
        acc_policy = auto[0] if acc_policy == "auto" else acc_policy
        method = auto[1] if method == "auto" else method
        size = num_batches if self.batch_chunk_size is None else min(self.batch_chunk_size, num_batches)
        if method is not None:
            size = self._compute_batch_chunk_size(num_batches, in_features, num_classes, method)
            if self.batch_chunk_size is not None and self.batch_chunk_size != size:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) y chunking_method ('{method}') dan "
                                 f"trozos distintos ({self.batch_chunk_size} y {size}): pasa sólo uno")
        acc_dtype = self.acc_dtype
        if acc_dtype is None:
            acc_dtype = float32 if (self.acc_policy == "auto" and device is not None and dtype == float16) else dtype
        return dataclasses.replace(self, acc_policy=acc_policy, chunking_method=method,
                                   batch_chunk_size=max(1, size), acc_dtype=acc_dtype)




# los métodos que genera dataclass traen docstrings en inglés: en help() se leen en castellano
for _name, _doc in (("__init__", "Crea las opciones (los campos, con nombre o en orden)."),
                    ("__repr__", "LinearCrossEntropyOptions(campo=valor, ...)."),
                    ("__eq__", "Iguales si todos los campos lo son."),
                    ("__hash__", "Hash de los campos (es inmutable)."),
                    ("__setattr__", "Error: las opciones son inmutables (usa dataclasses.replace)."),
                    ("__delattr__", "Error: las opciones son inmutables.")):
    getattr(LinearCrossEntropyOptions, _name).__doc__ = _doc
del _name, _doc
