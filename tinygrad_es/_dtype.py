"""Tipos de dato (``tinygrad_es.float32``...) y las reglas de promoción de PyTorch.

Cada ``dtype`` envuelve un ``numpy.dtype`` (numpy lo entiende a través de ``.dtype``) y se compara
igual con él: ``x.dtype == tinygrad_es.float32 == np.float32``.

Promoción (``result_type``), como en PyTorch: las categorías son bool < entero < coma flotante.
Mandan los tensores con dimensiones; un tensor 0-D sólo cuenta si es de una categoría superior, y un
número de Python igual, llevando a su tipo por defecto (``float`` → float32, ``int`` → int64). Así,
``int64 + 0.5`` es float32, ``float32 + tensor(1., float64 0-D)`` sigue en float32 y ``int/int`` es
float32.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["dtype", "as_dtype", "result_type", "get_default_dtype", "set_default_dtype", "finfo", "iinfo",
           "promote_types", "can_cast"]


class dtype:
    """Tipo de dato de un tensor (como ``torch.dtype``)."""

    __slots__ = ("np", "name")

    def __init__(self, np_dtype, name):
        self.np = np.dtype(np_dtype)
        self.name = name

    @property
    def dtype(self):  # numpy acepta cualquier objeto con .dtype donde espera un dtype
        return self.np

    # para trabajar con numpy: x.dtype.kind, x.dtype.type(1.5)
    @property
    def kind(self) -> str:
        return self.np.kind

    @property
    def type(self):
        return self.np.type

    @property
    def is_floating_point(self) -> bool:
        return self.np.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.np.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.np.kind in "if"

    @property
    def itemsize(self) -> int:
        return self.np.itemsize

    def __repr__(self):  # como PyTorch (print(x.dtype) → torch.float32): el espacio de nombres es el de torch
        return f"torch.{self.name}"

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self.np == other.np
        try:
            return self.np == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self.np)

    def __reduce__(self):
        return (as_dtype, (self.name,))


_NAMES = {"float32": "float32", "float64": "float64", "float16": "float16", "int64": "int64",
          "int32": "int32", "int16": "int16", "int8": "int8", "uint8": "uint8", "bool": "bool",
          "complex64": "complex64", "complex128": "complex128"}  # complejos: sólo los de _tensor_complex.py
_BY_NP = {np.dtype(k): dtype(k, v) for k, v in _NAMES.items()}
float32, float64, float16 = (_BY_NP[np.dtype(n)] for n in ("float32", "float64", "float16"))
int64, int32, int16, int8, uint8 = (_BY_NP[np.dtype(n)] for n in ("int64", "int32", "int16", "int8", "uint8"))
bool_ = _BY_NP[np.dtype("bool")]
complex64, complex128 = _BY_NP[np.dtype("complex64")], _BY_NP[np.dtype("complex128")]
_ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
            "short": int16, "bool": bool_, "cfloat": complex64, "cdouble": complex128}

# Los nombres de «tipo de tensor» de PyTorch (``x.type()`` → ``'torch.FloatTensor'``); también se aceptan
# como dtype (``x.type('torch.DoubleTensor')``).
_TENSOR_TYPES = {float32: "FloatTensor", float64: "DoubleTensor", float16: "HalfTensor", int64: "LongTensor",
                 int32: "IntTensor", int16: "ShortTensor", int8: "CharTensor", uint8: "ByteTensor",
                 bool_: "BoolTensor", complex64: "ComplexFloatTensor", complex128: "ComplexDoubleTensor"}
_BY_TENSOR_TYPE = {"torch." + v: k for k, v in _TENSOR_TYPES.items()}


def tensor_type_name(d) -> str:
    """``'torch.FloatTensor'`` para float32, etc.: lo que devuelven ``x.type()`` y ``torch.typename(x)``."""
    return "torch." + _TENSOR_TYPES[as_dtype(d)]


_default = {"float": float32}


def get_default_dtype():
    """El dtype de coma flotante por defecto (float32)."""
    return _default["float"]


def set_default_dtype(d) -> None:
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"el dtype por defecto debe ser de coma flotante, no {d}")
    _default["float"] = d


def as_dtype(d) -> dtype:
    """Convierte un ``dtype``, un dtype de numpy, un tipo de Python o un nombre en ``dtype``."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return get_default_dtype()
    if d is int:
        return int64
    if d is bool:
        return bool_
    if isinstance(d, str) and d in _ALIASES:
        return _ALIASES[d]
    if isinstance(d, str) and d in _BY_TENSOR_TYPE:
        return _BY_TENSOR_TYPE[d]
    try:
        npd = np.dtype(d)
    except TypeError:
        raise TypeError(f"dtype no válido: {d!r} (usa p. ej. tinygrad_es.float32 o tinygrad_es.int64)") from None
    found = _BY_NP.get(npd)
    if found is None:
        raise TypeError(f"dtype no admitido: {npd} (se admiten {', '.join(_NAMES)})")
    return found


def np_dtype(d) -> np.dtype:
    return as_dtype(d).np


def category(npd: np.dtype) -> int:
    """0 bool, 1 entero, 2 coma flotante, 3 complejo."""
    k = npd.kind
    return 0 if k == "b" else 2 if k == "f" else 3 if k == "c" else 1


def _promote_level(dts):
    if not dts:
        return None
    top = max(category(d) for d in dts)
    return np.result_type(*[d for d in dts if category(d) == top])


def result_type(*operands) -> np.dtype:
    """dtype del resultado de una operación con ``operands`` (ndarrays, tensores o números)."""
    dims, zeros, scalars = [], [], []
    for o in operands:
        if isinstance(o, (bool, np.bool_)):
            scalars.append(np.dtype(bool))
        elif isinstance(o, numbers.Integral) and not isinstance(o, np.ndarray):
            scalars.append(np.dtype(np.int64))
        elif isinstance(o, numbers.Real) and not isinstance(o, np.ndarray):
            scalars.append(get_default_dtype().np)
        else:
            a = o._data if hasattr(o, "_data") else o
            (dims if a.ndim else zeros).append(a.dtype)
    res = _promote_level(dims)
    for level in (zeros, scalars):
        p = _promote_level(level)
        if p is None:
            continue
        if res is None:
            res = p
        elif category(p) > category(res):
            res = p if level is zeros else (get_default_dtype().np if category(p) == 2 else p)
    return res


def float_result(npd: np.dtype) -> np.dtype:
    """dtype de ``exp``, ``log``, ``/``...: los enteros y bool pasan al flotante por defecto."""
    return npd if npd.kind == "f" else get_default_dtype().np


def infer_dtype(data) -> np.dtype:
    """dtype que ``tensor(data)`` deduce: bool, int64, float32 (o el del ndarray)."""
    if isinstance(data, np.ndarray):
        return data.dtype
    if isinstance(data, (bool, np.bool_)):
        return np.dtype(bool)
    if isinstance(data, np.generic):
        return data.dtype
    if isinstance(data, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(data, numbers.Real):
        return get_default_dtype().np
    return None


class finfo:
    """Límites de un tipo de coma flotante (como ``torch.finfo``): ``bits``, ``eps``, ``max``, ``min``,
    ``tiny`` (= ``smallest_normal``), ``resolution`` y ``dtype``.

    >>> torch.finfo(torch.float32).eps   # 1.1920928955078125e-07
    """

    def __init__(self, type=None):
        d = get_default_dtype() if type is None else as_dtype(type)
        if d.np.kind not in "fc":
            raise TypeError(f"torch.finfo() necesita un tipo de coma flotante, y {d} no lo es (usa torch.iinfo)")
        fi = np.finfo(d.np)
        self.bits, self.eps, self.max, self.min = int(fi.bits), float(fi.eps), float(fi.max), float(fi.min)
        self.tiny = self.smallest_normal = float(fi.smallest_normal)
        self.resolution = 10.0 ** -int(fi.precision)
        self.dtype = d.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Límites de un tipo entero (como ``torch.iinfo``): ``bits``, ``max``, ``min`` y ``dtype``.

    >>> torch.iinfo(torch.uint8).max   # 255
    """

    def __init__(self, type):
        d = as_dtype(type)
        if d.np.kind not in "iu":
            raise TypeError(f"torch.iinfo() necesita un tipo entero, y {d} no lo es (usa torch.finfo)")
        ii = np.iinfo(d.np)
        self.bits, self.max, self.min = int(ii.bits), int(ii.max), int(ii.min)
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def promote_types(type1, type2) -> dtype:
    """El dtype más pequeño al que se pueden convertir los dos (como ``torch.promote_types``).

    >>> torch.promote_types(torch.int32, torch.float32)   # torch.float32
    """
    a, b = as_dtype(type1).np, as_dtype(type2).np
    ca, cb = category(a), category(b)
    if ca != cb:
        return _BY_NP[a if ca > cb else b]
    return _BY_NP[np.result_type(a, b)]


def can_cast(from_, to) -> bool:
    """¿Permite PyTorch convertir ``from_`` en ``to`` en una operación (sin bajar de categoría:
    coma flotante → entero o entero → bool no)? Como ``torch.can_cast``.

    >>> torch.can_cast(torch.float32, torch.int32)   # False
    """
    return category(as_dtype(from_).np) <= category(as_dtype(to).np)
