"""Lectura de los pickles oficiales de CIFAR sin ``pickle.load``.

Los ficheros ``data_batch_1``... de CIFAR son pickles de Python 2: un dict con ``data`` (un array
de numpy uint8 10000×3072), ``labels`` (lista de enteros), ``batch_label`` y ``filenames``. Un
pickle puede llamar a cualquier función al leerse, así que aquí se interpreta con el ``Unpickler``
restringido de ``tinygrad_es.serialization`` y sólo se aceptan los tres nombres que necesita un
array de numpy, con un comportamiento acotado:

- ``numpy.dtype(código)``: sólo tipos numéricos simples (``u1``, ``i8``, ``f4``...), nunca ``O``;
- ``numpy.core.multiarray._reconstruct(numpy.ndarray, ...)``: crea un array *vacío*;
- la instrucción ``BUILD`` del array: su forma × tamaño del tipo debe coincidir con los bytes que
  trae el fichero *antes* de crear nada (``np.frombuffer``, sin copiar).

Cualquier otro nombre (``os.system``, ``subprocess.Popen``...) se rechaza al leerlo, sin llamar a
nada, con ``pickle.UnpicklingError`` (la clase que da ``torch.load(weights_only=True)``).
"""
from __future__ import annotations

import math

import numpy as np

from ...serialization._pickle import Global, Unpickler, UnpicklingError

__all__ = ["load_numpy_pickle", "UnpicklingError"]

_CODES = {"b1", "u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8", "f2", "f4", "f8"}
_MAX_DEPTH = 50


class _DType:
    """``numpy.dtype(código)`` a medio construir (el orden de bytes llega después, con BUILD)."""

    def __init__(self, code):
        self.code, self.order = code, "|"

    def resolve(self) -> np.dtype:
        order = self.order if self.order in "<>" else "="
        return np.dtype(self.code).newbyteorder(order) if np.dtype(self.code).itemsize > 1 else np.dtype(self.code)


class _Array:
    """Un array pendiente de su BUILD."""

    array = None


def _make_dtype(code, align=False, copy=True):
    if not isinstance(code, str) or code.lstrip("<>|=") not in _CODES:
        raise UnpicklingError(f"tipo de numpy {code!r} no admitido (sólo números: {', '.join(sorted(_CODES))})")
    return _DType(code.lstrip("<>|="))


def _fail_ndarray(*args):
    raise UnpicklingError("numpy.ndarray sólo puede aparecer como argumento de _reconstruct")


_NDARRAY = Global("numpy", "ndarray", _fail_ndarray)


def _reconstruct(cls, shape, typecode):
    if cls is not _NDARRAY:
        raise UnpicklingError(f"_reconstruct sólo construye numpy.ndarray, no {cls!r}")
    return _Array()


def _allowed() -> dict:
    out = {("numpy", "ndarray"): _NDARRAY, ("numpy", "dtype"): Global("numpy", "dtype", _make_dtype)}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        out[(mod, "_reconstruct")] = Global(mod, "_reconstruct", _reconstruct)
    return out


def _build(obj, state) -> bool:
    if isinstance(obj, _DType):
        if not (isinstance(state, tuple) and len(state) >= 2 and state[1] in ("<", ">", "|", "=")):
            raise UnpicklingError("estado de numpy.dtype no válido")
        obj.order = state[1]
        return True
    if isinstance(obj, _Array):
        if not (isinstance(state, tuple) and len(state) == 5):
            raise UnpicklingError("estado de numpy.ndarray no válido")
        _, shape, dtype, fortran, raw = state
        if not (isinstance(shape, tuple) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                  for s in shape)):
            raise UnpicklingError(f"forma de array no válida: {shape!r}")
        if not isinstance(dtype, _DType):
            raise UnpicklingError("el array no trae un numpy.dtype numérico")
        if isinstance(raw, str):
            raw = raw.encode("latin1")   # Python 2 guardaba los bytes como texto
        if not isinstance(raw, (bytes, bytearray)):
            raise UnpicklingError("los datos del array no son bytes (¿un array de objetos?)")
        dt = dtype.resolve()
        need = math.prod(shape) * dt.itemsize
        if need != len(raw):
            raise UnpicklingError(f"el array dice tener forma {shape} ({need} bytes de {dt}) y trae {len(raw)} bytes")
        arr = np.frombuffer(raw, dtype=dt).reshape(shape, order="F" if fortran else "C")
        obj.array = arr if dt.isnative else arr.astype(dt.newbyteorder("="))
        return True
    return False


def _finish(x, depth=0):
    if depth > _MAX_DEPTH:
        raise UnpicklingError("el pickle anida demasiados niveles")
    if isinstance(x, _Array):
        if x.array is None:
            raise UnpicklingError("array de numpy sin datos (falta su BUILD)")
        return x.array
    if isinstance(x, _DType):
        return x.resolve()
    if type(x) is dict:
        return {k: _finish(v, depth + 1) for k, v in x.items()}
    if type(x) is list:
        return [_finish(v, depth + 1) for v in x]
    if type(x) is tuple:
        return tuple(_finish(v, depth + 1) for v in x)
    return x


class _NumpyUnpickler(Unpickler):
    def _global(self, module, name):
        try:
            return super()._global(module, name)
        except UnpicklingError:
            raise UnpicklingError(
                f"{self.what} contiene el nombre '{module}.{name}', que no es un array de numpy ni un dato básico: "
                "un lote de CIFAR sólo tiene arrays, listas, textos y números. No se ha ejecutado nada de él; "
                "¿es de verdad un fichero de CIFAR?") from None


def _no_persistent(pid):
    raise UnpicklingError("el pickle hace referencia a un almacenamiento externo (persistent_id), que no se admite")


def load_numpy_pickle(path: str, what: str | None = None):
    """Lee ``path`` (un pickle de dicts/listas/arrays de numpy) sin ejecutar nada de él."""
    with open(path, "rb") as f:
        data = f.read()
    what = what or f"'{path}'"
    obj = _NumpyUnpickler(data, _allowed(), _no_persistent, build=_build, what=what).load()
    return _finish(obj)
