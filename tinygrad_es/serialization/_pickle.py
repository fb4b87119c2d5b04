"""Pickle restringido: lo que ``torch.load(weights_only=True)`` acepta, y nada más.

Un pickle normal es un pequeño programa: sus instrucciones ``GLOBAL`` + ``REDUCE`` pueden llamar
a cualquier función de Python (``os.system``, ``subprocess.Popen``...). Por eso aquí no se usa
``pickle.load``: ``Unpickler`` interpreta una a una las instrucciones del protocolo 2 (el que escribe
``torch.save``) y sólo resuelve los nombres de una lista cerrada (``ALLOWED``). Cualquier otro nombre
se rechaza *al leerlo*, antes de llamar a nada.

``Pickler`` escribe el mismo subconjunto (diccionarios, listas, tuplas, conjuntos, números, textos,
bytes y tensores), con los nombres que espera PyTorch, para que los ficheros se abran en PyTorch.
"""
from __future__ import annotations

import io
import pickle
import struct
from collections import Counter, OrderedDict

__all__ = ["UnpicklingError", "SerializationError", "Unpickler", "Global"]


class UnpicklingError(pickle.UnpicklingError):
    """El pickle contiene algo que no es un peso (y no se ejecuta), o está dañado."""


class SerializationError(RuntimeError):
    """El fichero no es un checkpoint de PyTorch legible (vacío, truncado, otro formato...)."""


class Global:
    """Un nombre ``módulo.nombre`` de la lista permitida; ``fn`` hace el trabajo al llamarlo."""

    __slots__ = ("module", "name", "fn")

    def __init__(self, module, name, fn):
        self.module, self.name, self.fn = module, name, fn

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return f"{self.module}.{self.name}"


def _encode(text, encoding="latin1"):
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnpicklingError("_codecs.encode sólo se admite como (texto, 'latin1'), la forma de guardar bytes")
    return text.encode("latin1")


def _set(items=()):
    return set(items)


def _bytearray(data=b""):
    if not isinstance(data, (bytes, bytearray, str)):
        raise UnpicklingError(f"bytearray recibió {type(data).__name__}")
    return bytearray(data.encode("latin1") if isinstance(data, str) else data)


def _complex(re=0.0, im=0.0):
    if not all(isinstance(x, (int, float)) for x in (re, im)):
        raise UnpicklingError("complex necesita dos números")
    return complex(re, im)


# Python 2 y el protocolo 2 escriben '__builtin__'; Python 3 'builtins'.
_BASE = {("collections", "OrderedDict"): OrderedDict, ("collections", "Counter"): Counter,
         ("builtins", "set"): _set, ("builtins", "bytearray"): _bytearray, ("builtins", "complex"): _complex,
         ("_codecs", "encode"): _encode}
_RENAME = {"__builtin__": "builtins", "copy_reg": "copyreg"}
_NOT_ALLOWED = ("{what} contiene el nombre '{full}', que no es un tensor ni un dato básico: como torch.load "
                "(con weights_only=True por defecto) sólo se aceptan pesos y no se ejecuta nada del fichero. "
                "Si es un modelo entero (torch.save(model)) y confías en quien lo creó, cárgalo con "
                "torch.load(f, weights_only=False) (deshacer un pickle puede ejecutar código) o permite la "
                "clase con torch.serialization.add_safe_globals([{full}]) (o el bloque "
                "with torch.serialization.safe_globals([...]):). Mejor: guarda model.state_dict().")

# opcodes (los del protocolo 2 que escribe torch.save, y algunos inocuos de 3/4)
_OPS = {o.code.encode("latin1"): o.name for o in __import__("pickletools").opcodes}


class Unpickler:
    """Intérprete de pickles que sólo construye datos.

    ``allowed``: ``{(módulo, nombre): invocable}``; ``persistent_load(pid)`` resuelve los
    almacenamientos; ``build(obj, state)`` decide qué instrucciones ``BUILD`` se aceptan.
    """

    def __init__(self, data: bytes, allowed: dict, persistent_load, build=None, what="el fichero"):
        self.f = io.BytesIO(data)
        self.allowed = {**{k: Global(*k, v) for k, v in _BASE.items()}, **allowed}
        self.callables = {id(v) for v in self.allowed.values()}
        self.persistent_load = persistent_load
        self.build = build
        self.what = what

    # -- lectura de bajo nivel -------------------------------------------------------
    def _read(self, n):
        b = self.f.read(n)
        if len(b) != n:
            raise UnpicklingError(f"{self.what} está truncado: el pickle (data.pkl) termina antes de tiempo")
        return b

    def _line(self):
        line = self.f.readline()
        if not line.endswith(b"\n"):
            raise UnpicklingError(f"{self.what} está truncado: nombre GLOBAL incompleto")
        return line[:-1].decode("utf-8", "replace")

    def _global(self, module, name):
        module = _RENAME.get(module, module)
        g = self.allowed.get((module, name))
        if g is None:
            raise UnpicklingError(_NOT_ALLOWED.format(what=self.what, full=f"{module}.{name}"))
        return g

    def _pop_mark(self):
        items = self.stack
        if not self.metastack:
            raise UnpicklingError(f"{self.what} está dañado: falta una marca MARK en el pickle")
        self.stack = self.metastack.pop()
        return items

    def _pop(self):
        if not self.stack:
            raise UnpicklingError(f"{self.what} está dañado: la pila del pickle está vacía")
        return self.stack.pop()

    # -- bucle principal ---------------------------------------------------------------
    def load(self):
        try:
            return self._load()
        except UnpicklingError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, struct.error) as e:
            raise UnpicklingError(f"{self.what} está dañado: pickle no válido ({type(e).__name__}: {e})") from None
        except RecursionError:
            raise UnpicklingError(f"{self.what}: el pickle anida demasiados niveles") from None

    def _load(self):
        self.stack, self.metastack, self.memo = [], [], {}
        rd, st = self._read, self.stack
        while True:
            key = self.f.read(1)
            if not key:
                raise UnpicklingError(f"{self.what} está truncado: el pickle no tiene instrucción STOP")
            op = _OPS.get(key, f"0x{key[0]:02x}")
            st = self.stack
            if op == "PROTO":
                if rd(1)[0] > 5:
                    raise UnpicklingError(f"{self.what}: protocolo de pickle desconocido")
            elif op in ("FRAME",):
                rd(8)
            elif op == "STOP":
                return self._pop()
            elif op in ("GLOBAL", "STACK_GLOBAL"):
                if op == "GLOBAL":
                    mod, name = self._line(), self._line()
                else:
                    name, mod = self._pop(), self._pop()
                    if not (isinstance(mod, str) and isinstance(name, str)):
                        raise UnpicklingError(f"{self.what} está dañado: STACK_GLOBAL sin textos")
                st.append(self._global(mod, name))
            elif op == "REDUCE":
                args, fn = self._pop(), self._pop()
                st.append(self._call(fn, args))
            elif op == "NEWOBJ":
                args, cls = self._pop(), self._pop()
                st.append(self._call(cls, args))
            elif op == "BUILD":
                state = self._pop()
                if not st:
                    raise UnpicklingError(f"{self.what} está dañado: BUILD sin objeto")
                self._build(st[-1], state)
            elif op == "BINPERSID":
                st.append(self.persistent_load(self._pop()))
            elif op == "MARK":
                self.metastack.append(st)
                self.stack = []
            elif op in ("APPEND", "APPENDS", "ADDITEMS"):
                items = [self._pop()] if op == "APPEND" else self._pop_mark()
                target = self.stack[-1] if self.stack else None
                if op == "ADDITEMS" and type(target) is set:
                    target.update(items)
                elif op != "ADDITEMS" and type(target) is list:
                    target.extend(items)
                else:
                    raise UnpicklingError(f"{self.what}: {op} sobre {type(target).__name__} no está permitido")
            elif op in ("SETITEM", "SETITEMS"):
                items = [self._pop(), self._pop()][::-1] if op == "SETITEM" else self._pop_mark()
                target = self.stack[-1] if self.stack else None
                if type(target) not in (dict, OrderedDict, Counter) or len(items) % 2:
                    raise UnpicklingError(f"{self.what}: {op} sobre {type(target).__name__} no está permitido")
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
            elif op == "TUPLE":
                items = self._pop_mark()
                self.stack.append(tuple(items))
            elif op in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(op[-1])
                if len(st) < n:
                    raise UnpicklingError(f"{self.what} está dañado: la pila del pickle está vacía")
                st[-n:] = [tuple(st[-n:])]
            elif op in ("EMPTY_TUPLE", "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "NONE", "NEWTRUE", "NEWFALSE"):
                st.append({"EMPTY_TUPLE": (), "NONE": None, "NEWTRUE": True, "NEWFALSE": False}.get(op)
                          if op in ("EMPTY_TUPLE", "NONE", "NEWTRUE", "NEWFALSE")
                          else {"EMPTY_LIST": list, "EMPTY_DICT": dict, "EMPTY_SET": set}[op]())
            elif op == "BININT":
                st.append(struct.unpack("<i", rd(4))[0])
            elif op == "BININT1":
                st.append(rd(1)[0])
            elif op == "BININT2":
                st.append(struct.unpack("<H", rd(2))[0])
            elif op in ("LONG1", "LONG4"):
                n = rd(1)[0] if op == "LONG1" else struct.unpack("<i", rd(4))[0]
                if n < 0 or n > 1 << 16:
                    raise UnpicklingError(f"{self.what} está dañado: entero de {n} bytes")
                st.append(int.from_bytes(rd(n), "little", signed=True))
            elif op == "BINFLOAT":
                st.append(struct.unpack(">d", rd(8))[0])
            elif op in ("BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8"):
                n = {"BINUNICODE": lambda: struct.unpack("<I", rd(4))[0], "SHORT_BINUNICODE": lambda: rd(1)[0],
                     "BINUNICODE8": lambda: struct.unpack("<Q", rd(8))[0]}[op]()
                st.append(rd(n).decode("utf-8", "surrogatepass"))
            elif op in ("SHORT_BINSTRING", "SHORT_BINBYTES", "BINBYTES", "BINSTRING"):  # *STRING: Python 2
                n = rd(1)[0] if op.startswith("SHORT") else struct.unpack("<I", rd(4))[0]
                raw = rd(n)
                st.append(raw.decode("latin1") if op.endswith("STRING") else raw)
            elif op in ("BINPUT", "LONG_BINPUT", "MEMOIZE"):
                if not st:
                    raise UnpicklingError(f"{self.what} está dañado: la pila del pickle está vacía")
                i = (len(self.memo) if op == "MEMOIZE" else
                     rd(1)[0] if op == "BINPUT" else struct.unpack("<I", rd(4))[0])
                self.memo[i] = st[-1]
            elif op in ("BINGET", "LONG_BINGET"):
                i = rd(1)[0] if op == "BINGET" else struct.unpack("<I", rd(4))[0]
                if i not in self.memo:
                    raise UnpicklingError(f"{self.what} está dañado: referencia {i} inexistente en el pickle")
                st.append(self.memo[i])
            elif op == "POP":
                self._pop()
            elif op == "POP_MARK":
                self._pop_mark()
            else:
                raise UnpicklingError(f"{self.what} usa la instrucción de pickle {op}, que no se admite "
                                      "(torch.load(weights_only=True) tampoco la admite)")

    def _call(self, fn, args):
        if not isinstance(fn, Global) or id(fn) not in self.callables:
            raise UnpicklingError(f"{self.what} intenta llamar a {type(fn).__name__}, que no está permitido")
        if not isinstance(args, tuple):
            raise UnpicklingError(f"{self.what} está dañado: los argumentos de {fn} no son una tupla")
        try:
            return fn(*args)
        except UnpicklingError:
            raise
        except (TypeError, ValueError) as e:
            raise UnpicklingError(f"{self.what} está dañado: argumentos no válidos para {fn}: {e}") from None

    def _build(self, obj, state):
        if type(obj) is OrderedDict and isinstance(state, dict) and all(isinstance(k, str) for k in state):
            obj.__dict__.update(state)  # el '_metadata' de los state_dict de PyTorch
            return
        if self.build is not None and self.build(obj, state):
            return
        raise UnpicklingError(f"{self.what}: no se puede completar un {type(obj).__name__} con BUILD")
