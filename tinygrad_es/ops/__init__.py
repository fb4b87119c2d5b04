"""Operaciones diferenciables agrupadas por familia (cada una, una ``Function``)."""
from . import elementwise, matmul, movement, reduce  # noqa: F401
