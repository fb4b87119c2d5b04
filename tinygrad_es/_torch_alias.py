"""El alias ``torch`` → tinygrad_es y el ejecutor de ``tinygrad-es ejecutar`` (lo activa ``como_torch``).

Programas de PyTorch sin cambiar ni una línea: ``import torch`` da tinygrad_es, si se pide.

Se activa a propósito, de una de estas dos formas:

* ``tinygrad-es ejecutar programa.py [args...]`` (o ``python -m tinygrad_es ejecutar ...``): ejecuta
  el programa como ``python programa.py [args...]`` (mismos ``sys.argv``, ``__name__ == "__main__"``,
  ``__file__``, carpeta del programa en ``sys.path[0]``, código de salida y traceback);
* en un cuaderno o en un script, una primera línea ``import tinygrad_es.como_torch``.

Qué pasa exactamente al activarlo:

* Se pone un buscador al principio de ``sys.meta_path`` que resuelve ``torch`` → ``tinygrad_es``,
  ``torch.X`` → ``tinygrad_es.X`` (``torch.nn.functional``, ``torch.utils.data``, ``torch.optim``...),
  ``torchvision[.X]`` → ``tinygrad_es.vision[.X]`` y ``torchaudio[.X]`` → ``tinygrad_es.audio[.X]``.
  Es el mismo objeto, no una copia: ``torch.nn is tinygrad_es.nn``.
* Lo que tinygrad_es no tiene (``import torch.distributed``...) da ``ModuleNotFoundError`` con un
  mensaje en español que dice qué se buscó; nunca se carga en su lugar el PyTorch instalado.
* Mientras está activo, el PyTorch de verdad no se puede importar en ese proceso aunque esté
  instalado. ``desactivar()`` quita el buscador y los alias (lo ya importado sigue siendo tinygrad_es).
* Si el PyTorch de verdad ya está importado, se niega con ``ImportError`` (en español): dos ``torch``
  en un proceso mezclarían tensores de las dos bibliotecas. En un cuaderno: reinicia el núcleo y pon
  ``import tinygrad_es.como_torch`` en la primera celda.
* Sin activarlo, importar tinygrad_es no toca el nombre ``torch``: un PyTorch instalado se sigue
  importando como siempre.
* Los procesos hijos creados con ``fork`` (los *workers* de ``DataLoader`` en Linux) lo heredan; un
  proceso nuevo (``spawn``) no.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import traceback
import types

import tinygrad_es

__all__ = ["ALIAS", "activar", "desactivar", "activo", "ejecutar"]

# nombre de PyTorch → módulo de tinygrad_es (los submódulos siguen el mismo camino)
ALIAS = {"torch": "tinygrad_es", "torchvision": "tinygrad_es.vision", "torchaudio": "tinygrad_es.audio"}
_WHAT = {"torch": "PyTorch", "torchvision": "torchvision", "torchaudio": "torchaudio"}


def _target(fullname: str):
    top, _, rest = fullname.partition(".")
    base = ALIAS.get(top)
    if base is None:
        return None
    return base + ("." + rest if rest else "")


def _is_ours(module) -> bool:
    name = getattr(module, "__name__", None)
    return module is tinygrad_es or (isinstance(name, str) and name.startswith("tinygrad_es")) \
        or type(module).__module__.startswith("tinygrad_es")


def _real_torch_loaded():
    """El módulo de PyTorch de verdad ya importado (``torch``, ``torchvision``... o uno de sus
    submódulos) como ``(nombre, módulo)``, o ``None``."""
    loaded = [(n, m) for n, m in list(sys.modules.items())
              if m is not None and n.partition(".")[0] in ALIAS and not _is_ours(m)]
    loaded.sort(key=lambda nm: (nm[0].count("."), nm[0]))  # ``torch`` antes que ``torch._utils``
    return loaded[0] if loaded else None


class _AliasLoader(importlib.abc.Loader):
    """Devuelve el módulo de tinygrad_es ya importado (el mismo objeto) bajo el nombre de PyTorch."""

    def __init__(self, module):
        self.module = module
        self.real_spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        # el sistema de importación acaba de poner el spec del alias: el módulo conserva el suyo
        if self.real_spec is not None:
            try:
                module.__spec__ = self.real_spec
            except AttributeError:  # pragma: no cover - objetos que no admiten atributos
                pass


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Buscador de ``sys.meta_path`` para ``torch``, ``torchvision`` y ``torchaudio``."""

    def find_spec(self, fullname, path=None, target=None):
        real = _target(fullname)
        if real is None:
            return None
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name is None or not (real == e.name or real.startswith(e.name + ".")):
                raise  # falta otra cosa (una dependencia opcional): su propio mensaje
            # ``torch.cuda`` y parecidos: atributos del paquete que no son ficheros
            parent, _, attr = real.rpartition(".")
            module = getattr(sys.modules.get(parent), attr, None) if parent in sys.modules else None
            if module is None or isinstance(module, (type, types.FunctionType)):
                raise ModuleNotFoundError(_missing(fullname, real, e.name), name=fullname) from None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module),
                                              is_package=hasattr(module, "__path__"))


def _missing(fullname: str, real: str, absent: str) -> str:
    top = fullname.partition(".")[0]
    if top != "torch" and absent == ALIAS[top]:
        return (f"'{fullname}' no está disponible: con tinygrad_es en lugar de PyTorch, {top} es "
                f"'{ALIAS[top]}', y esta instalación de tinygrad_es no lo trae")
    return (f"tinygrad_es no tiene '{fullname}' (se buscó '{real}'): el programa se ejecuta con tinygrad_es en "
            f"lugar de {_WHAT[top]} (tinygrad-es ejecutar o import tinygrad_es.como_torch) y esa parte de "
            f"{_WHAT[top]} no está")


_FINDER = _AliasFinder()


def activo() -> bool:
    """¿Está activo el alias (``import torch`` da tinygrad_es)?"""
    return _FINDER in sys.meta_path


def activar() -> None:
    """Activa el alias (véase el docstring del módulo). Se niega, con ``ImportError``, si el PyTorch de
    verdad ya está importado en este proceso. Llamarlo dos veces no hace nada."""
    found = _real_torch_loaded()
    if found is not None:
        name, module = found
        where = getattr(module, "__file__", None) or "?"
        raise ImportError(
            f"'{name}' (el de verdad, {where}) ya está importado en este proceso, así que no se puede hacer "
            f"que 'import torch' dé tinygrad_es: se mezclarían tensores de las dos bibliotecas. "
            f"Pon 'import tinygrad_es.como_torch' antes de cualquier 'import torch' (en un cuaderno, "
            f"reinicia el núcleo y ponlo en la primera celda) o usa 'tinygrad-es ejecutar programa.py'")
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    sys.modules.setdefault("torch", tinygrad_es)


def desactivar() -> None:
    """Quita el alias: ``import torch`` vuelve a buscar PyTorch. Los módulos ya importados con el
    nombre de PyTorch siguen siendo los de tinygrad_es."""
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n, m in sys.modules.items() if n.partition(".")[0] in ALIAS and _is_ours(m)]:
        del sys.modules[name]


# ---- tinygrad-es ejecutar ------------------------------------------------------------------------
def _error(msg: str) -> None:
    print(f"tinygrad-es ejecutar: {msg}", file=sys.stderr)


def ejecutar(programa: str, args=()) -> int:
    """Ejecuta ``programa`` como ``python programa args...`` con ``torch`` = tinygrad_es y devuelve el
    código de salida (0 si termina bien, el de ``sys.exit``, 1 con una excepción, 2 si el fichero no
    se puede abrir). La excepción se imprime como lo haría Python, sin las líneas de este ejecutor."""
    programa = os.fspath(programa)
    if not os.path.exists(programa):
        _error(f"no se puede abrir '{programa}': no existe ese fichero")
        return 2
    if os.path.isdir(programa):
        _error(f"'{programa}' es una carpeta, no un programa de Python (.py)")
        return 2
    try:
        with open(programa, "rb") as f:
            source = f.read()
    except OSError as e:
        _error(f"no se puede abrir '{programa}': {e.strerror or e}")
        return 2
    try:
        code = compile(source, programa, "exec", dont_inherit=True)
    except SyntaxError as e:
        sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
        _error(f"'{programa}' tiene un error de sintaxis en la línea {e.lineno} ({e.msg}); no se ha ejecutado "
               f"nada")
        return 1
    except ValueError as e:  # bytes nulos en el fichero
        _error(f"'{programa}' no es un programa de Python: {e}")
        return 1
    try:
        activar()
    except ImportError as e:
        _error(str(e))
        return 1
    main = types.ModuleType("__main__")
    main.__dict__.update(__file__=programa, __builtins__=__builtins__, __cached__=None, __spec__=None,
                         __loader__=None, __package__=None)
    saved = sys.argv[:], sys.path[:], sys.modules.get("__main__")
    # como ``python programa.py``: sys.argv[0] es el programa y sys.path[0] su carpeta (sin enlaces)
    sys.argv[:] = [programa, *args]
    sys.path[:1] = [os.path.dirname(os.path.realpath(programa))]
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    except SystemExit as e:
        return _exit_code(e.code)
    except KeyboardInterrupt as e:
        _print_exception(e)
        return 130
    except BaseException as e:  # noqa: BLE001 - como Python: el traceback y código 1
        _print_exception(e)
        return 1
    finally:
        sys.argv[:], sys.path[:] = saved[0], saved[1]
        if saved[2] is not None:
            sys.modules["__main__"] = saved[2]
    return 0


def _print_exception(exc: BaseException) -> None:
    """Como Python al acabar con una excepción, pero sin los marcos de este fichero (el ``exec`` del
    ejecutor y el buscador del alias): el traceback empieza en el programa, como con ``python``."""
    e, seen = exc, set()
    while e is not None and id(e) not in seen:  # también las excepciones encadenadas
        seen.add(id(e))
        kept = []
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename != __file__:
                kept.append(tb)
            tb = tb.tb_next
        for a, b in zip(kept, kept[1:] + [None]):
            a.tb_next = b
        e.__traceback__ = kept[0] if kept else None
        e = e.__cause__ or e.__context__
    sys.excepthook(type(exc), exc, exc.__traceback__)


def _exit_code(code) -> int:
    """Como Python con ``sys.exit(code)``: None → 0, un entero → él mismo, otra cosa → se imprime y 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1

