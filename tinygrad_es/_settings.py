"""Interruptores globales de PyTorch que un programa del curso llama al principio: determinismo,
precisión de ``matmul`` en float32, ``torch.compile``, avisos y números subnormales.

En tinygrad_es todos los núcleos son deterministas (el mismo resultado, bit a bit, con 1 o 2 hilos) y
las GEMM float32 son siempre las de precisión completa; estas funciones guardan lo que se pide, lo
validan como PyTorch y lo devuelven, sin cambiar ningún cálculo.
"""
from __future__ import annotations

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision", "get_float32_matmul_precision",
           "compile", "set_warn_always", "is_warn_always_enabled", "set_flush_denormal"]

_STATE = {"deterministic": False, "warn_only": False, "matmul": "highest", "warn_always": False}
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def use_deterministic_algorithms(mode, *, warn_only=False) -> None:
    """Pide algoritmos deterministas (``torch.use_deterministic_algorithms``). Aquí todos lo son ya: sólo
    se recuerda el valor.

    >>> torch.use_deterministic_algorithms(True)
    """
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): mode debe ser True o False, no {mode!r}")
    _STATE["deterministic"], _STATE["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """¿Se pidió ``use_deterministic_algorithms(True)``?"""
    return _STATE["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """¿Se pidió con ``warn_only=True``?"""
    return _STATE["warn_only"]


def set_deterministic_debug_mode(debug_mode) -> None:
    """``"default"``/0, ``"warn"``/1 o ``"error"``/2, como ``torch.set_deterministic_debug_mode``."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"set_deterministic_debug_mode(): el modo debe ser 'default', 'warn' o 'error', y "
                               f"es {debug_mode!r}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"set_deterministic_debug_mode(): el modo debe ser 0, 1 o 2, y es {debug_mode!r}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0, 1 o 2 (véase ``set_deterministic_debug_mode``)."""
    return 0 if not _STATE["deterministic"] else 1 if _STATE["warn_only"] else 2


def set_float32_matmul_precision(precision) -> None:
    """``"highest"``, ``"high"`` o ``"medium"`` (``torch.set_float32_matmul_precision``). Sin GPU ni TF32,
    PyTorch en CPU calcula igual con las tres; aquí también.

    >>> torch.set_float32_matmul_precision("high")
    """
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"set_float32_matmul_precision(): la precisión debe ser 'highest', 'high' o 'medium', y "
                           f"es {precision!r}")
    _STATE["matmul"] = precision


def get_float32_matmul_precision() -> str:
    """La precisión pedida con ``set_float32_matmul_precision`` (por defecto ``"highest"``)."""
    return _STATE["matmul"]


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """``torch.compile``: en tinygrad_es no hay compilador de grafos (los núcleos ya están compilados con
    numba), así que devuelve el modelo o la función tal cual; sin ``model``, un decorador que hace lo mismo.
    El programa se ejecuta igual, con la misma semántica.

    >>> modelo = torch.compile(modelo)   # el mismo objeto
    """
    if model is None:
        return lambda m: m
    if not callable(model):
        raise RuntimeError(f"torch.compile(): se esperaba un módulo o una función, no {type(model).__name__}")
    return model


def set_warn_always(b) -> None:
    """Avisar siempre (no sólo la primera vez); se recuerda el valor."""
    _STATE["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _STATE["warn_always"]


def set_flush_denormal(mode) -> bool:
    """Tratar los subnormales como 0: numpy no lo permite, así que devuelve ``False`` (no admitido), como
    PyTorch en una CPU sin esa opción."""
    return False
