"""Conjuntos de datos de audio con la API de ``torchaudio.datasets``: ``FSDD`` (dígitos hablados;
con una muestra incluida para trabajar sin conexión) y ``SPEECHCOMMANDS`` (Google Speech Commands,
con sus listas de validación y prueba)."""
from .fsdd import FSDD
from .speechcommands import SPEECHCOMMANDS

__all__ = ["FSDD", "SPEECHCOMMANDS"]
