"""Tensores <-> almacenamientos del formato de ``torch.save`` (escritura y lectura).

Sólo este módulo de ``serialization`` sabe cómo es un ``Tensor`` de tinygrad_es (``_tensor_array``
y ``_make_tensor`` son el adaptador); ``_pickle.py`` no sabe nada de tensores.
"""
from __future__ import annotations

import zipfile
from collections import OrderedDict

import numpy as np

from .. import _dtype as D
from .._bounded_read import read_zip_member
from .._tensor import Tensor
from .._tensor.creation import from_numpy
from ..device import device
from ..nn.parameter import Parameter
from ._pickle import Global, SerializationError, UnpicklingError

_STORAGES = {"FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
             "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
             "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool"}
_NP_TO_STORAGE = {np.dtype(v): k for k, v in _STORAGES.items() if v != "bfloat16"}
_TORCH_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
                 "complex64", "complex128", "uint16", "uint32", "uint64")

# ----------------------------------------------------------------------------------------
# adaptador con Tensor: lo único de este paquete que sabe cómo es un tensor de tinygrad_es
# ----------------------------------------------------------------------------------------
def _tensor_array(obj):
    """El ndarray de un tensor de tinygrad_es (compartido, sin copiar), o ``None``."""
    if isinstance(obj, Tensor):
        a = getattr(obj, "_data", None)
        if not isinstance(a, np.ndarray):
            a = obj.numpy()
        return np.asarray(a)
    return None


def _is_parameter(obj) -> bool:
    return isinstance(obj, Parameter)


def _make_tensor(arr: np.ndarray, requires_grad: bool = False, parameter: bool = False):
    if parameter:
        return Parameter(_make_tensor(arr), requires_grad=bool(requires_grad))
    t = from_numpy(arr)
    if requires_grad and arr.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def _make_dtype(name: str):
    """El dtype de tinygrad_es llamado ``name`` (``tinygrad_es.float32``...) o, si no existe, el de numpy."""
    npd = np.dtype(name)
    return D._BY_NP.get(npd, npd)


def _dtype_name(obj):
    """'float32'... si ``obj`` es un dtype de tinygrad_es o de numpy admitido; si no, ``None``."""
    if type(obj).__name__ == "dtype" and type(obj).__module__.startswith("tinygrad_es"):
        return str(np.dtype(obj.np).name)
    if isinstance(obj, np.dtype) and obj in _NP_TO_STORAGE:
        return obj.name
    return None


# ----------------------------------------------------------------------------------------
# escritura
# ----------------------------------------------------------------------------------------
class _Ref:
    """Marcadores que ``Pickler`` escribe como GLOBAL o como identificador persistente."""

    def __init__(self, kind, value):
        self.kind, self.value = kind, value


def _contiguous_strides(shape):
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


class _Writer:
    def __init__(self):
        self.storages: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self.keys = {}

    def _storage(self, arr: np.ndarray):
        """(clave, desplazamiento, strides) en elementos; las vistas de un mismo array comparten
        almacenamiento, como en PyTorch."""
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        item = arr.itemsize
        if arr.size and (root.dtype == arr.dtype and root.flags.c_contiguous
                and all(s >= 0 and s % item == 0 for s in arr.strides)):
            off = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            stride = tuple(s // item for s in arr.strides)
            if off >= 0 and off % item == 0:
                off //= item
                end = off + sum((n - 1) * s for n, s in zip(arr.shape, stride))
                if end < root.size:
                    return self._key(root), off, stride
        flat = np.ascontiguousarray(arr)  # copia propia (o tensor vacío): strides de PyTorch
        return self._key(flat), 0, _contiguous_strides(arr.shape)

    def _key(self, root):
        k = (id(root), root.dtype.str)
        if k not in self.keys:
            self.keys[k] = str(len(self.storages))
            self.storages[self.keys[k]] = root
        return self.keys[k]

    def reduce(self, obj):
        if isinstance(obj, _Ref):
            return (obj.kind, *obj.value) if obj.kind == "call" else (obj.kind, obj.value)
        if isinstance(obj, np.generic) and not isinstance(obj, np.ndarray):
            if obj.dtype.kind in "biufc":
                return ("value", obj.item())
            return None
        name = _dtype_name(obj)
        if name is not None:
            return ("global", ("torch", name))
        arr = obj if isinstance(obj, np.ndarray) else _tensor_array(obj)
        if arr is None:
            return None
        if arr.dtype not in _NP_TO_STORAGE:
            raise TypeError(f"tinygrad_es.save: PyTorch no tiene un tipo equivalente a {arr.dtype} "
                            f"(se admiten {', '.join(str(d) for d in _NP_TO_STORAGE)})")
        key, off, stride = self._storage(arr)
        storage = self.storages[key]
        pid = _Ref("persistent", ("storage", _Ref("global", ("torch", _NP_TO_STORAGE[arr.dtype])), key, "cpu",
                                  int(storage.size)))
        requires_grad = bool(getattr(obj, "requires_grad", False))
        args = (pid, off, tuple(int(n) for n in arr.shape), stride, requires_grad if not _is_parameter(obj)
                else False, OrderedDict())
        if _is_parameter(obj):
            inner = _Ref("call", (("torch._utils", "_rebuild_tensor_v2"), args))
            return ("call", ("torch._utils", "_rebuild_parameter"), (inner, requires_grad, OrderedDict()))
        return ("call", ("torch._utils", "_rebuild_tensor_v2"), args)


# ----------------------------------------------------------------------------------------
# lectura
# ----------------------------------------------------------------------------------------
class _StorageType:
    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype


class _Storage:
    """Un almacenamiento del fichero (se lee del zip la primera vez que se usa)."""

    def __init__(self, reader, key, stype, numel, location):
        self.reader, self.key, self.stype, self.numel, self.location = reader, key, stype, numel, location
        self.array = None

    def get(self) -> np.ndarray:
        if self.array is None:
            self.array = self.reader.read_storage(self)
        return self.array


def _check_ints(xs, what):
    if not isinstance(xs, tuple) or not all(type(x) is int and x >= 0 for x in xs):
        raise UnpicklingError(f"el fichero está dañado: {what} de un tensor no válido: {xs!r}")
    return xs


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, prefix: str, name: str, map_location):
        self.zf, self.prefix, self.name, self.map_location = zf, prefix, name, map_location
        self.storages = {}
        order = prefix + "byteorder"
        self.big = zf.read(order) == b"big" if order in zf.namelist() else False

    def allowed(self):
        a = {("torch._utils", "_rebuild_tensor_v2"): self.rebuild_tensor,
             ("torch._utils", "_rebuild_tensor"): self.rebuild_tensor,
             ("torch._utils", "_rebuild_tensor_v3"): self.rebuild_tensor_v3,
             ("torch._utils", "_rebuild_parameter"): self.rebuild_parameter,
             ("torch._utils", "_rebuild_parameter_with_state"): self.rebuild_parameter,
             ("torch._tensor", "_rebuild_from_type_v2"): self.rebuild_from_type,
             ("torch", "Size"): lambda dims=(): tuple(_check_ints(tuple(dims), "la forma")),
             ("torch", "device"): self.device}
        g = {k: Global(*k, v) for k, v in a.items()}
        for s, dt in _STORAGES.items():
            g[("torch", s)] = _StorageType(s, dt)
        g[("torch.storage", "UntypedStorage")] = _StorageType("UntypedStorage", None)
        for name in _TORCH_DTYPES:
            g[("torch", name)] = _make_dtype(name) if name != "bfloat16" else _StorageType("bfloat16", "bfloat16")
        self.tensor_cls = g[("torch", "Tensor")] = Global("torch", "Tensor", self.new_tensor)
        self.param_cls = g[("torch.nn.parameter", "Parameter")] = Global("torch.nn.parameter", "Parameter",
                                                                            self.new_parameter)
        return g

    # -- almacenamientos ---------------------------------------------------------------
    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str) and isinstance(pid[3], str)
                and type(pid[4]) is int and pid[4] >= 0):
            raise UnpicklingError(f"{self.name}: identificador persistente no admitido: {pid!r} "
                                  "(sólo almacenamientos de tensores)")
        _, stype, key, location, numel = pid
        if key not in self.storages:
            self.storages[key] = _Storage(self, key, stype, numel, self._location(location))
        return self.storages[key]

    def _location(self, loc):
        m = self.map_location
        target = loc
        if isinstance(m, dict):
            target = m.get(loc, loc)
        elif m is not None and not callable(m):
            target = str(m)
        elif callable(m) and not isinstance(m, (str, dict)):
            target = "cpu"  # se llama a map_location(array, loc) al leer el almacenamiento
        target = str(target)
        if target.split(":")[0] != "cpu":
            if m is None:
                raise RuntimeError(
                    f"{self.name} se guardó con tensores en el dispositivo '{loc}', y tinygrad_es sólo "
                    "trabaja en la CPU. Cárgalo con map_location='cpu' (como harías en PyTorch en una "
                    "máquina sin GPU): torch.load(f, map_location='cpu')")
            raise RuntimeError(f"map_location='{target}': tinygrad_es no tiene soporte de GPU; usa 'cpu'")
        return loc

    def _typed(self, raw: np.ndarray, dt) -> np.ndarray:
        """Bytes (de un almacenamiento sin tipo) -> array del dtype pedido."""
        if dt == "bfloat16":
            if raw.size % 2:
                raise SerializationError(f"{self.name} está dañado: un almacenamiento bfloat16 con bytes impares")
            u = (raw.view(">u2").astype(np.uint16) if self.big else raw.view(np.uint16)).astype(np.uint32) << 16
            return u.view(np.float32)
        dt = np.dtype(dt)
        if dt not in _NP_TO_STORAGE:
            raise UnpicklingError(f"{self.name}: tensores de tipo {dt} no se admiten en tinygrad_es")
        if raw.size % dt.itemsize:
            raise SerializationError(f"{self.name} está dañado: un almacenamiento tiene {raw.size} bytes, "
                                     f"no un múltiplo de {dt.itemsize} ({dt})")
        return raw.view(dt.newbyteorder(">")).astype(dt) if self.big else raw.view(dt)

    def read_storage(self, s: _Storage):
        name = f"{self.prefix}data/{s.key}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise SerializationError(f"{self.name} está dañado: falta el almacenamiento {name}") from None
        dt = s.stype.dtype
        try:
            item = None if dt is None else 2 if dt == "bfloat16" else np.dtype(dt).itemsize
        except TypeError:
            item = None
        expect = s.numel * item if item and isinstance(s.numel, int) and not isinstance(s.numel, bool) else None
        # tamaños comprobados contra los bytes del fichero ANTES de leer (nada reserva lo que el zip sólo dice)
        raw = read_zip_member(self.zf, info, self.name, SerializationError, expect)
        arr = np.frombuffer(raw, dtype=np.uint8).copy()  # copy(): escribible
        if s.stype.dtype is not None:
            arr = self._typed(arr, s.stype.dtype)
        if arr.size != s.numel:
            raise SerializationError(f"{self.name} está dañado: {name} tiene {arr.size} elementos y "
                                     f"el índice dice {s.numel}")
        if callable(self.map_location) and not isinstance(self.map_location, dict):
            out = self.map_location(arr, s.location)
            if out is not None and isinstance(out, np.ndarray):
                arr = out
        return arr

    # -- reconstrucción de tensores ----------------------------------------------------------
    def rebuild_tensor(self, storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None,
                       dtype=None):
        if not isinstance(storage, _Storage):
            raise UnpicklingError(f"{self.name} está dañado: un tensor sin almacenamiento")
        _check_ints((offset,), "el desplazamiento")
        size, stride = _check_ints(tuple(size), "la forma"), _check_ints(tuple(stride), "los strides")
        if len(size) != len(stride):
            raise UnpicklingError(f"{self.name} está dañado: forma {size} y strides {stride} de distinta longitud")
        base = storage.get()
        if storage.stype.dtype is None:  # almacenamiento sin tipo (_rebuild_tensor_v3): bytes
            base = self._typed(base, dtype or "uint8")
        numel = int(np.prod(size)) if size else 1
        end = offset + sum((n - 1) * s for n, s in zip(size, stride)) if numel else offset
        if numel and end >= base.size:
            raise UnpicklingError(f"{self.name} está dañado: un tensor de forma {size} se sale de su "
                                  f"almacenamiento ({base.size} elementos)")
        item = base.itemsize
        arr = np.lib.stride_tricks.as_strided(base[offset:] if numel else base[:0], shape=size,
                                              strides=tuple(s * item for s in stride), writeable=True)
        return _make_tensor(arr, bool(requires_grad))

    def rebuild_tensor_v3(self, storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None):
        name = str(getattr(dtype, "name", dtype))
        return self.rebuild_tensor(storage, offset, size, stride, requires_grad, hooks, metadata, name)

    def rebuild_parameter(self, data, requires_grad, hooks=None, state=None):
        if state:
            raise UnpicklingError(f"{self.name}: un Parameter con atributos extra ({list(state)}) no se admite")
        return _make_tensor(self._array(data), bool(requires_grad), parameter=True)

    def new_tensor(self, *args):
        raise UnpicklingError(f"{self.name}: construir torch.Tensor directamente no se admite")

    def new_parameter(self, data=None, requires_grad=True):
        return _make_tensor(self._array(data), bool(requires_grad), parameter=True)

    def rebuild_from_type(self, func, new_type, args, state):
        if not isinstance(func, Global) or func.module != "torch._utils" or not isinstance(args, tuple):
            raise UnpicklingError(f"{self.name}: _rebuild_from_type_v2 con {func!r} no se admite")
        t = func(*args)
        if new_type is self.param_cls:
            return _make_tensor(self._array(t), getattr(t, "requires_grad", False), parameter=True)
        if new_type is not self.tensor_cls:
            raise UnpicklingError(f"{self.name}: subclase de tensor {new_type!r} no admitida")
        return t

    def device(self, spec="cpu", index=None):
        s = str(spec) + (f":{index}" if index is not None else "")
        return device(s) if s.startswith("cpu") else s

    def _array(self, t):
        a = _tensor_array(t)
        if a is None:
            raise UnpicklingError(f"{self.name} está dañado: se esperaba un tensor, no {type(t).__name__}")
        return a

    def build(self, obj, state):
        # torch escribe BUILD con estado vacío en algunos tensores; nada que hacer
        return isinstance(obj, Tensor) and (not state or state == (None, {}) or state == {})
