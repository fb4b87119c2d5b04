"""``torch.testing.assert_close`` y ``torch.set_num_threads``/``get_num_threads``."""
import numpy as np
import pytest

import tinygrad_es as tg

CASES = [  # (actual, esperado, kwargs) en listas de Python: se construyen con cada biblioteca
    ([1.0, 2.0], [1.0, 2.0000001], {}),
    ([1.0, 2.0], [1.0, 2.1], {}),
    ([1.0, 2.0], [1.0, 2.1], {"rtol": 0.1, "atol": 0.0}),
    ([1, 2], [1, 3], {}),
    ([float("nan")], [float("nan")], {}),
    ([float("nan")], [float("nan")], {"equal_nan": True}),
    ([1.0, 2.0], [1.0, 2.0, 3.0], {}),
    ([float("inf")], [float("inf")], {}),
]


def _passes(lib, a, e, kw):
    try:
        lib.testing.assert_close(lib.tensor(a), lib.tensor(e), **kw)
        return True
    except AssertionError:
        return False


@pytest.mark.parametrize("a,e,kw", CASES)
def test_assert_close_verdicts(a, e, kw):
    expected = {0: True, 1: False, 2: True, 3: False, 4: False, 5: True, 6: False, 7: True}[CASES.index((a, e, kw))]
    assert _passes(tg, a, e, kw) is expected


def test_assert_close_same_verdicts_as_pytorch():
    torch = pytest.importorskip("torch")
    for a, e, kw in CASES:
        assert _passes(tg, a, e, kw) == _passes(torch, a, e, kw), (a, e, kw)


def test_assert_close_messages_and_structures():
    with pytest.raises(AssertionError, match="dtype"):
        tg.testing.assert_close(tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64))
    tg.testing.assert_close(tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64), check_dtype=False)
    with pytest.raises(AssertionError, match=r"Elementos distintos: 1 / 3 .*\n.*índice \(1,\)"):
        tg.testing.assert_close(tg.tensor([1.0, 2.0, 3.0]), tg.tensor([1.0, 2.5, 3.0]))
    with pytest.raises(AssertionError, match=r"\['b'\]\[1\]"):  # la ruta dentro de la estructura
        tg.testing.assert_close({"b": [tg.ones(2), tg.zeros(2)]}, {"b": [tg.ones(2), tg.ones(2)]})
    with pytest.raises(ValueError, match="rtol y atol"):
        tg.testing.assert_close(tg.ones(1), tg.ones(1), rtol=1e-3)
    with pytest.raises(AssertionError, match="otro mensaje"):
        tg.testing.assert_close(tg.ones(1), tg.zeros(1), msg="otro mensaje")
    with pytest.raises(TypeError):
        tg.testing.assert_close(tg.ones(1), "uno")
    tg.testing.assert_close(np.ones(3), np.ones(3))
    tg.testing.assert_close(2.0, 2.0 + 1e-9)


def test_num_threads():
    before = tg.get_num_threads()
    try:
        tg.set_num_threads(1)
        assert tg.get_num_threads() == 1
        x = tg.rand(1, 1, 8, 8)
        assert tg.nn.functional.conv2d(x, tg.ones(1, 1, 3, 3)).shape == (1, 1, 6, 6)  # sigue calculando
        for bad in (0, -2, 1.5, True):
            with pytest.raises(RuntimeError, match="entero positivo"):
                tg.set_num_threads(bad)
    finally:
        tg.set_num_threads(before)
    tg.set_num_interop_threads(2)
    assert tg.get_num_interop_threads() == 2
