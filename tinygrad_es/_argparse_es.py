"""``argparse`` en español para la línea de órdenes y las demos.

``ArgumentParser`` es el de la biblioteca estándar con sus textos traducidos (``uso:``,
``muestra este mensaje de ayuda y sale``, los mensajes de error...). argparse toma sus
textos de ``gettext`` a través de las funciones ``_`` y ``ngettext`` de su módulo; aquí se
sustituyen sólo mientras trabaja uno de estos analizadores, así que el resto del programa
(p. ej. pytest, que también usa argparse) no cambia.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import threading

__all__ = ["ArgumentParser", "SpanishParser", "spanish"]

_ES = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos posicionales",
    "options": "opciones",
    "optional arguments": "opciones",
    "show this help message and exit": "muestra este mensaje de ayuda y sale",
    "show program's version number and exit": "muestra la versión del programa y sale",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "the following arguments are required: %s": "faltan argumentos obligatorios: %s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "valor no válido: %(value)r (elige entre %(choices)s)",
    "invalid %(type)s value: %(value)r": "%(type)s no válido: %(value)r",
    "expected one argument": "falta su valor",
    "expected at most one argument": "admite como mucho un valor",
    "expected at least one argument": "necesita al menos un valor",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "opción ambigua: %(option)s puede ser %(matches)s",
    "not allowed with argument %s": "no se puede usar junto con %s",
    "one of the arguments %s is required": "hace falta uno de los argumentos %s",
    "ignored explicit argument %r": "sobra el valor %r",
    "can't open '%(filename)s': %(error)s": "no se puede abrir '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "orden desconocida %(parser_name)r (opciones: %(choices)s)",
    "unexpected option string: %s": "opción inesperada: %s",
    "subcommands": "órdenes",
}
_ES_PLURAL = {
    ("expected %s argument", "expected %s arguments"): ("necesita %s valor", "necesita %s valores"),
    ("conflicting option string: %s", "conflicting option strings: %s"):
        ("opción repetida: %s", "opciones repetidas: %s"),
}

_lock = threading.RLock()
_depth = 0
_orig = None


def _tr(msg):
    return _ES.get(msg, msg)


def _ntr(singular, plural, n):
    s, p = _ES_PLURAL.get((singular, plural), (singular, plural))
    return s if n == 1 else p


@contextlib.contextmanager
def spanish():
    """Mientras dura, argparse escribe en español (reentrante)."""
    global _depth, _orig
    with _lock:
        if _depth == 0:
            _orig = (argparse._, argparse.ngettext)
            argparse._, argparse.ngettext = _tr, _ntr
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                argparse._, argparse.ngettext = _orig


def _in_spanish(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with spanish():
            return method(*args, **kwargs)
    return wrapper


def entero(texto: str) -> int:
    return int(texto)


def número(texto: str) -> float:
    return float(texto)


entero.__name__, número.__name__ = "entero", "número"
_TYPES = {int: entero, float: número}


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` con la ayuda y los errores en español.

    Los tipos ``int`` y ``float`` se nombran en los errores como "entero" y "número":
    ``error: argumento --epochs: entero no válido: 'tres'``.
    """

    __init__ = _in_spanish(argparse.ArgumentParser.__init__)
    parse_known_args = _in_spanish(argparse.ArgumentParser.parse_known_args)
    parse_args = _in_spanish(argparse.ArgumentParser.parse_args)
    format_usage = _in_spanish(argparse.ArgumentParser.format_usage)
    format_help = _in_spanish(argparse.ArgumentParser.format_help)
    error = _in_spanish(argparse.ArgumentParser.error)
    add_subparsers = _in_spanish(argparse.ArgumentParser.add_subparsers)

    @_in_spanish
    def add_argument(self, *args, **kwargs):
        t = kwargs.get("type")
        if t in _TYPES:
            kwargs["type"] = _TYPES[t]
        return super().add_argument(*args, **kwargs)


SpanishParser = ArgumentParser  # el nombre con el que lo usan la CLI y las demos
