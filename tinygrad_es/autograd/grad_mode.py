"""Modo de gradiente (por hilo, como en PyTorch): ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode`` e ``is_grad_enabled``."""
from __future__ import annotations

import contextlib
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]

class _State(threading.local):
    grad_enabled = True  # el valor de cada hilo nuevo (atributo de clase: sin excepción al leerlo)
    inference = False    # dentro de inference_mode()


_state = _State()


def is_grad_enabled() -> bool:
    """``True`` si las operaciones nuevas se registran en el grafo."""
    # se consulta en cada operación: con getattr(local, ..., True) y el atributo sin fijar
    # costaba ~0,8 µs (una AttributeError por dentro), ahora ~0,05 µs
    return _state.grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Activa o desactiva el registro del grafo; vale como función, contexto o decorador."""

    def __init__(self, mode: bool):
        self.prev = is_grad_enabled()
        self.mode = bool(mode)
        _state.grad_enabled = self.mode

    def __enter__(self):
        _state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class _GradMode(contextlib.ContextDecorator):
    enabled = True

    def __new__(cls, *args):
        # @no_grad sin paréntesis también decora (como en PyTorch)
        if len(args) == 1 and callable(args[0]) and cls is not inference_mode:
            return object.__new__(cls)(args[0])
        return object.__new__(cls)

    def __enter__(self):
        self.prev = is_grad_enabled()
        _state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class no_grad(_GradMode):
    """Contexto (o decorador) en el que no se registra ninguna operación.

    >>> with no_grad():
    ...     w -= lr * w.grad      # descenso de gradiente a mano, in situ
    """
    enabled = False


class enable_grad(_GradMode):
    """Vuelve a registrar el grafo dentro de un ``no_grad``."""
    enabled = True


def is_inference_mode_enabled() -> bool:
    """``True`` dentro de ``inference_mode()`` (``torch.is_inference_mode_enabled``)."""
    return _state.inference


class inference_mode(_GradMode):
    """Como ``no_grad`` (aquí no hay más optimizaciones que hacer)."""

    def __init__(self, mode: bool = True):
        self.enabled = not mode
        self.mode = bool(mode)

    def __enter__(self):
        self.prev_inference = _state.inference
        _state.inference = self.mode
        return super().__enter__()

    def __exit__(self, *exc):
        _state.inference = self.prev_inference
        return super().__exit__(*exc)
