"""Tablas de reproductores "lo que da PyTorch": cada caso es una función ``caso(L)`` que recibe la
biblioteca (``tinygrad_es`` o ``torch``) y devuelve valores de Python; ``outcome`` los normaliza
(tensores → ``(dtype, forma, valores)``, excepciones → ``Raises("Clase")``) y ``same`` los compara
(nan = nan, tolerancia relativa 1e-5).

Cada tabla se comprueba dos veces: contra la expectativa escrita a mano (lo que documenta y da
PyTorch 2.13; corre sin torch) y, si torch está instalado, contra torch mismo (así la expectativa
no puede ser una invención).

    CASES = {"nombre": (caso, EXPECTED)}
    test_ours, test_torch = parity_tests(CASES)
"""
import math

import numpy as np
import pytest

import tinygrad_es as tg

__all__ = ["Raises", "outcome", "same", "parity_tests", "tensor_outcome"]


class Raises(tuple):
    """El caso lanzó una excepción de esta clase (se compara por nombre: ``Raises("RuntimeError")``)."""

    def __new__(cls, name):
        return super().__new__(cls, ("raises", name))


def _name(dtype) -> str:
    return str(dtype).split(".")[-1]


def tensor_outcome(t):
    if type(t).__module__.startswith("torch"):  # force: un gradiente de torch puede ser un ZeroTensor
        a = np.asarray(t.detach().cpu().numpy(force=True))
    else:
        a = np.asarray(t.detach().numpy())
    return (_name(t.dtype), tuple(t.shape), a.reshape(-1).tolist())


def outcome(case, L):
    """``case(L)`` normalizado (o ``Raises``)."""
    try:
        r = case(L)
    except Exception as e:  # noqa: BLE001 - la clase es el resultado que se compara
        return Raises(_torch_class(e))
    return _norm(r, L)


def _torch_class(e) -> str:
    """La primera clase de Python de la jerarquía (las propias de torch o nuestras heredan de ellas)."""
    for k in type(e).__mro__:
        if k.__module__ == "builtins":
            return k.__name__
    return type(e).__name__


def _norm(r, L):
    if isinstance(r, L.Tensor):
        return tensor_outcome(r)
    if isinstance(r, (list, tuple)):
        return tuple(_norm(x, L) for x in r)
    if isinstance(r, (np.floating, np.integer, np.bool_)):
        return r.item()
    if r is None or isinstance(r, (bool, int, float, str)):
        return r
    if type(r).__name__ in ("dtype",):
        return _name(r)
    return str(r)


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool) != isinstance(b, bool):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= 1e-5 * max(1.0, abs(a), abs(b))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def parity_tests(cases: dict):
    """Dos tests parametrizados por caso: tinygrad_es contra la expectativa y torch contra ella."""
    names = sorted(cases)

    @pytest.mark.parametrize("name", names)
    def test_ours(name):
        case, expected = cases[name]
        got = outcome(case, tg)
        assert same(got, expected), f"{name}: tinygrad_es da {got!r}; PyTorch da {expected!r}"

    @pytest.mark.parametrize("name", names)
    def test_torch(name):
        torch = pytest.importorskip("torch")
        case, expected = cases[name]
        got = outcome(case, torch)
        assert same(got, expected), f"{name}: la expectativa escrita {expected!r} no es lo que da torch {got!r}"

    return test_ours, test_torch
