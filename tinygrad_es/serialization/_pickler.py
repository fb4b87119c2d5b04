"""Escritura de pickles de protocolo 2, el de ``torch.save`` (la lectura restringida está en ``_pickle``)."""
from __future__ import annotations

import io
import pickle
import struct
from collections import Counter, OrderedDict

__all__ = ["Pickler"]


class Pickler:
    """Escribe ``obj`` con las instrucciones del protocolo 2 que entiende ``torch.load(weights_only=True)``.

    ``reduce(obj)`` dice cómo escribir lo que no es un dato básico: ``None`` (no se puede),
    ``("call", (módulo, nombre), args)`` (un tensor: la función que lo reconstruye y sus
    argumentos), ``("global", (módulo, nombre))`` (p. ej. ``torch.float32``),
    ``("persistent", id)`` (un almacenamiento, guardado aparte) o ``("value", número)``.
    """

    def __init__(self, reduce, objects=None):
        self.out = io.BytesIO()
        self.w = self.out.write
        self.memo = {}
        self.reduce = reduce
        self.objects = objects  # objects(pickler, obj, ruta): escribe lo demás (un modelo entero)

    def dumps(self, obj) -> bytes:
        self.w(b"\x80\x02")
        self._save(obj, "obj")
        self.w(b".")
        return self.out.getvalue()

    def _put(self, obj):
        i = len(self.memo)
        self.memo[id(obj)] = (i, obj)  # guardar obj evita que su id se reutilice
        self.w(b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i))

    def _get(self, obj) -> bool:
        hit = self.memo.get(id(obj))
        if hit is None:
            return False
        i = hit[0]
        self.w(b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i))
        return True

    def _global(self, module, name):
        key = ("global", module, name)
        if key in self.memo:
            i = self.memo[key][0]
            self.w(b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i))
            return
        self.w(b"c" + module.encode() + b"\n" + name.encode() + b"\n")
        i = len(self.memo)
        self.memo[key] = (i, None)
        self.w(b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i))

    def _str(self, s):
        b = s.encode("utf-8", "surrogatepass")
        self.w(b"X" + struct.pack("<I", len(b)) + b)

    def _save(self, obj, path):
        w = self.w
        if obj is None:
            w(b"N")
        elif obj is True or obj is False:
            w(b"\x88" if obj else b"\x89")
        elif type(obj) is int:
            if 0 <= obj < 256:
                w(b"K" + bytes([obj]))
            elif 0 <= obj < 65536:
                w(b"M" + struct.pack("<H", obj))
            elif -2**31 <= obj < 2**31:
                w(b"J" + struct.pack("<i", obj))
            else:
                b = pickle.encode_long(obj)
                w(b"\x8a" + bytes([len(b)]) + b)
        elif type(obj) is float:
            w(b"G" + struct.pack(">d", obj))
        elif type(obj) is str:
            self._str(obj)
        elif self._get(obj):
            pass
        elif type(obj) is complex:
            self._global("builtins", "complex")
            self._save(obj.real, path), self._save(obj.imag, path)
            w(b"\x86R")
        elif type(obj) in (bytes, bytearray):
            if type(obj) is bytearray:
                self._global("builtins", "bytearray")
            self._global("_codecs", "encode")
            self._str(bytes(obj).decode("latin1"))
            self._str("latin1")
            w(b"\x86R")
            if type(obj) is bytearray:
                w(b"\x85R")
        elif type(obj) is tuple:
            if not obj:
                w(b")")
                return
            if len(obj) > 3:
                w(b"(")
            for i, x in enumerate(obj):
                self._save(x, f"{path}[{i}]")
            if self._get(obj):  # una tupla que se contiene a sí misma (vía una lista)
                return
            w(b"t" if len(obj) > 3 else b"\x85\x86\x87"[len(obj) - 1:len(obj)])
            self._put(obj)
        elif type(obj) is list:
            w(b"]")
            self._put(obj)
            if obj:
                w(b"(")
                for i, x in enumerate(obj):
                    self._save(x, f"{path}[{i}]")
                w(b"e")
        elif type(obj) in (dict, OrderedDict, Counter):
            if type(obj) is dict:
                w(b"}")
            else:
                self._global("collections", type(obj).__name__)
                w(b")R")
            self._put(obj)
            if obj:
                w(b"(")
                for k, v in obj.items():
                    self._save(k, f"{path}[clave]")
                    self._save(v, f"{path}[{k!r}]")
                w(b"u")
            meta = getattr(obj, "__dict__", None) if type(obj) is OrderedDict else None
            if meta:
                self._save(dict(meta), f"{path}.__dict__")
                w(b"b")
        elif type(obj) is set:
            self._global("builtins", "set")
            self._save(list(obj), path)
            w(b"\x85R")
            self._put(obj)
        else:
            red = self.reduce(obj)
            if red is None and self.objects is not None:
                return self.objects(self, obj, path)
            if red is None:
                raise TypeError(
                    f"tinygrad_es.save no sabe guardar {type(obj).__name__} (en {path}): sólo tensores, "
                    "arrays de numpy, dicts/OrderedDicts, listas, tuplas, conjuntos, números, textos y bytes, "
                    "lo que torch.load(weights_only=True) puede abrir. Para un modelo guarda model.state_dict().")
            kind = red[0]
            if kind == "global":  # p. ej. torch.float32
                self._global(*red[1])
            elif kind == "value":  # un escalar de numpy se guarda como el número de Python
                self._save(red[1], path)
            elif kind == "persistent":
                self._save(red[1], path)
                w(b"Q")
            elif kind == "call":
                self._global(*red[1])
                self._save(tuple(red[2]), path)
                w(b"R")
                self._put(obj)
            else:  # pragma: no cover - error de programación
                raise AssertionError(kind)
