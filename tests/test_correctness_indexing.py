"""Indexado con las reglas de PyTorch (no las de numpy): los enteros quitan su eje antes de mirar los
índices avanzados, así que ``x[0, :, i]`` deja el eje de ``i`` en su sitio; los avanzados separados
por un corte van delante; un ``True`` suelto añade un eje; uint8 es una máscara. Lo mismo al
asignar (``x[...] = v``) y en el gradiente."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from parity import Raises, parity_tests


def _x(L):
    return L.arange(24.).reshape(2, 3, 4)


def _shape(index):
    def case(L):
        i = index(L)
        return tuple(_x(L)[i].shape)
    return case


def _setitem(index, value_shape):
    def case(L):
        x = _x(L)
        i = index(L)
        x[i] = L.ones(*value_shape) * -1
        return x
    return case


def _grad(index):
    def case(L):
        x = L.arange(24., requires_grad=True)
        y = x.reshape(2, 3, 4)[index(L)]
        (y * L.arange(float(y.numel())).reshape(y.shape)).sum().backward()
        return x.grad
    return case


def _t(L, v):
    return L.tensor(v)


def _uint8_mask(L):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _x(L)[L.tensor([1, 0], dtype=L.uint8)]


I = [0, 2]
CASES = {
    "int_corte_tensor": (_shape(lambda L: (0, slice(None), _t(L, I))), (3, 2)),
    "tensor_corte_tensor": (_shape(lambda L: (_t(L, [0, 1]), slice(None), _t(L, I))), (2, 3)),
    "tensor_int_tensor": (_shape(lambda L: (_t(L, [0, 1]), 1, _t(L, I))), (2,)),
    "corte_int_tensor": (_shape(lambda L: (slice(None), 0, _t(L, I))), (2, 2)),
    "corte_tensor_0d_tensor": (_shape(lambda L: (slice(None), _t(L, 0), _t(L, I))), (2, 2)),
    "tensor_0d_corte_tensor": (_shape(lambda L: (_t(L, 0), slice(None), _t(L, I))), (3, 2)),
    "none_int_tensor": (_shape(lambda L: (None, 1, slice(None), _t(L, I))), (1, 3, 2)),
    "tensor_none_tensor": (_shape(lambda L: (_t(L, [0, 1]), None, _t(L, [0, 2]))), (2, 1, 4)),
    "ellipsis_tensor": (_shape(lambda L: (Ellipsis, _t(L, I))), (2, 3, 2)),
    "tensor_ellipsis_tensor": (_shape(lambda L: (_t(L, [0, 1]), Ellipsis, _t(L, I))), (2, 3)),
    "true_suelto": (_shape(lambda L: (0, True, _t(L, [0, 1]))), (2, 4)),
    "tensor_true": (_shape(lambda L: _t(L, True)), (1, 2, 3, 4)),
    "false_suelto": (_shape(lambda L: (False,)), (0, 2, 3, 4)),
    "mascara_2d_corte": (_shape(lambda L: (_x(L)[:, :, 0] > 5, slice(None))), (4, 4)),
    "int_mascara": (_shape(lambda L: (1, _t(L, [True, False, True]))), (2, 4)),
    "mascara_corte_tensor": (_shape(lambda L: (_t(L, [True, False]), slice(None), _t(L, I))), (2, 3)),
    "lista_de_enteros": (_shape(lambda L: [1, 0, 1]), (3, 3, 4)),
    "lista_como_tupla": (_shape(lambda L: [0, slice(None), [1, 2]]), (3, 2)),
    "lista_vacia": (_shape(lambda L: []), (0, 3, 4)),
    "uint8_es_mascara": (lambda L: tuple(_uint8_mask(L).shape), (1, 3, 4)),
    "setitem_int_corte_tensor": (_setitem(lambda L: (0, slice(None), _t(L, I)), (3, 2)),
                                 ("float32", (2, 3, 4), [-1, 1, -1, 3, -1, 5, -1, 7, -1, 9, -1, 11]
                                  + list(range(12, 24)))),
    "setitem_forma_torch_no_numpy": (_setitem(lambda L: (0, slice(None), _t(L, I)), (2, 3)), Raises("RuntimeError")),
    "grad_int_corte_tensor": (_grad(lambda L: (0, slice(None), _t(L, I))),
                              ("float32", (24,), [0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0] + [0] * 12)),
    "grad_repetidos_suman": (_grad(lambda L: (_t(L, [1, 1]), 0, _t(L, [0, 0]))),
                             ("float32", (24,), [0] * 12 + [1] + [0] * 11)),
    "indice_fuera_de_rango": (_shape(lambda L: (5,)), Raises("IndexError")),
    "tensor_fuera_de_rango": (_shape(lambda L: (_t(L, [0, 7]),)), Raises("IndexError")),
    "demasiados_indices": (_shape(lambda L: (0, 0, 0, 0)), Raises("IndexError")),
    "indice_float": (_shape(lambda L: (_t(L, [0.0]),)), Raises("IndexError")),
    "paso_negativo": (_shape(lambda L: (slice(None, None, -1),)), Raises("ValueError")),
    "mascara_de_forma_mala": (_shape(lambda L: (_t(L, [True, False, True]),)), Raises("IndexError")),
}

test_indexing_as_pytorch, test_expectations_are_torchs = parity_tests(CASES)


# -- todas las combinaciones: índices al azar comparados con torch ----------------------------------
def _index_items(draw, shape):
    """Un índice al azar para ``shape`` (enteros, cortes, None, ..., tensores de enteros, máscaras,
    bool sueltos), como los escribe un usuario."""
    items, dim, used_ellipsis = [], 0, False
    n_items = draw(st.integers(1, 4))
    for _ in range(n_items):
        left = len(shape) - dim
        kinds = ["none", "bool"] + (["int", "slice", "tensor", "tensor0d", "mask"] if left else [])
        if not used_ellipsis:
            kinds.append("ellipsis")
        k = draw(st.sampled_from(kinds))
        if k == "none":
            items.append(("none", None))
        elif k == "bool":
            items.append(("bool", draw(st.booleans())))
        elif k == "ellipsis":
            used_ellipsis = True
            items.append(("ellipsis", None))
            dim = len(shape)  # lo que queda lo consume ...
        elif k == "int":
            items.append(("int", draw(st.integers(-shape[dim], shape[dim] - 1))))
            dim += 1
        elif k == "slice":
            a = draw(st.integers(-shape[dim] - 1, shape[dim] + 1))
            b = draw(st.integers(-shape[dim] - 1, shape[dim] + 1))
            items.append(("slice", slice(draw(st.sampled_from([None, a])), draw(st.sampled_from([None, b])),
                                         draw(st.sampled_from([None, 1, 2])))))
            dim += 1
        elif k == "tensor":
            n = draw(st.integers(0, 3))
            items.append(("tensor", [draw(st.integers(-shape[dim], shape[dim] - 1)) for _ in range(n)]))
            dim += 1
        elif k == "tensor0d":
            items.append(("tensor0d", draw(st.integers(-shape[dim], shape[dim] - 1))))
            dim += 1
        else:
            items.append(("mask", [draw(st.booleans()) for _ in range(shape[dim])]))
            dim += 1
    return items


def _build(L, items):
    out = []
    for k, v in items:
        if k in ("none", "ellipsis", "bool", "int", "slice"):
            out.append({"none": None, "ellipsis": Ellipsis}.get(k, v) if k in ("none", "ellipsis") else v)
        elif k == "mask":
            out.append(L.tensor(v, dtype=L.bool))
        elif k == "tensor":
            out.append(L.tensor(v, dtype=L.int64))
        else:
            out.append(L.tensor(v))
    return tuple(out)


@st.composite
def _case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    return shape, _index_items(draw, shape)


def _run(L, shape, items, what):
    x = L.arange(float(np.prod(shape)), requires_grad=True)
    try:
        y = x.reshape(shape)[_build(L, items)]
        if what == "get":
            g = L.arange(float(y.numel())).reshape(y.shape)
            (y * g).sum().backward()
            return ("ok", tuple(y.shape), y.detach().numpy().tolist(), x.grad.numpy().tolist())
        z = L.zeros(shape)
        z[_build(L, items)] = L.arange(float(y.numel())).reshape(y.shape) + 100
        return ("ok", z.numpy().tolist())
    except Exception as e:  # noqa: BLE001
        return ("raises", [k.__name__ for k in type(e).__mro__ if k.__module__ == "builtins"][0])


@given(_case())
def test_random_indices_like_torch(case):
    torch = pytest.importorskip("torch")
    shape, items = case
    for what in ("get", "set"):
        ours, theirs = _run(tg, shape, items, what), _run(torch, shape, items, what)
        assert ours == theirs, f"x{shape}[{items}] ({what}): tinygrad_es {ours} ≠ torch {theirs}"


def test_getitem_of_basic_index_is_view_and_advanced_is_copy():
    x = tg.zeros(3, 4)
    assert x[1, 2]._is_view() and x[:, 1:]._is_view() and x[None, ..., 0]._is_view()
    assert not x[tg.tensor([0, 1])]._is_view() and not x[x > 0]._is_view()
