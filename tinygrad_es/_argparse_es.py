"""``argparse`` con la ayuda y los errores en español (la CLI y las demos lo comparten)."""
import argparse
import sys

__all__ = ["SpanishParser"]

_ARGPARSE_ES = [("the following arguments are required", "faltan los argumentos"),
                ("unrecognized arguments", "argumentos no reconocidos"),
                ("expected one argument", "espera un valor"), ("invalid choice", "valor no válido"),
                ("choose from", "elige entre"), ("invalid float value", "número no válido"),
                ("invalid int value", "entero no válido"), ("ambiguous option", "opción ambigua"),
                ("could match", "puede ser"), ("ignored explicit argument", "sobra el valor"),
                ("argument ", "argumento ")]


class SpanishParser(argparse.ArgumentParser):
    def format_help(self):
        return (super().format_help().replace("usage:", "uso:").replace("positional arguments:", "argumentos:")
                .replace("options:", "opciones:").replace("show this help message and exit",
                                                           "muestra esta ayuda y sale"))

    def format_usage(self):
        return super().format_usage().replace("usage:", "uso:")

    def error(self, message):
        for en, es in _ARGPARSE_ES:
            message = message.replace(en, es)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")
