"""La promoción de tipos de PyTorch entre operandos (tensor, número de Python o de numpy, lista,
ndarray): las dos copias que hay (``as_operand``/``dtype_of``, de la aritmética, ``cat`` y
``where``, y ``operand``/``promote``, de las funciones elemento a elemento) dan lo mismo en toda la
tabla salvo en dos casos, que se fijan aquí antes de unirlas:

* un ndarray de un dtype que tinygrad_es no tiene (uint16): la aritmética lo convierte en int64 (la
  regla de ``tensor()``); ``promote`` lo deja en uint16 y crea tensores de un dtype no admitido;
* un complejo de Python: ``promote`` lo rechaza con ``TypeError``; la aritmética falla con un
  ``AttributeError`` de numpy.
"""
import itertools

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import _dtype as D
from tinygrad_es._tensor._args import as_operand, dtype_of, promote

DTYPES = [tg.bool, tg.uint8, tg.int8, tg.int16, tg.int32, tg.int64, tg.float16, tg.float32, tg.float64]
TENSORS = [tg.tensor([1, 0], dtype=d) for d in DTYPES] + [tg.tensor(3.5, dtype=tg.float64), tg.tensor(2)]
OTHERS = [True, 3, -1, 2.5, np.float64(1.5), np.float32(1.5), np.int32(3), np.int64(2), np.bool_(True),
          [1, 2], [1.5, 2.5], [True, False], np.array([1.0, 2.0]), np.array([1, 2], np.int32),
          np.array([1, 2], np.uint8), np.array([1, 2], np.float16), np.array(2.0)]
BAD = ["a", None, [1j], [1, "a"], object()]  # (el complejo suelto: véase el último test)


def _arith_path(a, b, float_out):
    a, b = dtype_of(a), dtype_of(b)
    npd = D.result_type(a, b)
    if float_out:
        npd = D.float_result(npd)
    return [as_operand(a, npd), as_operand(b, npd)]


def _outcome(fn):
    try:
        return [(t._data.dtype, t._data.shape, t._data.tolist()) for t in fn()]
    except Exception as e:  # noqa: BLE001 - se compara la clase del error
        return type(e)


PAIRS = ([(a, b) for a, b in itertools.product(TENSORS, TENSORS)]
         + [(t, o) for t in TENSORS for o in OTHERS] + [(o, t) for t in TENSORS for o in OTHERS])


@pytest.mark.parametrize("float_out", [False, True])
def test_both_promotions_agree_on_the_table(float_out):
    for a, b in PAIRS:
        ours, other = _outcome(lambda: _arith_path(a, b, float_out)), _outcome(lambda: promote(a, b, float_out=float_out))
        assert ours == other, (a, b, ours, other)


@pytest.mark.parametrize("bad", BAD, ids=repr)
def test_both_reject_non_numeric_operands(bad):
    x = tg.tensor([1.0, 2.0])
    for fn in (lambda: _arith_path(x, bad, False), lambda: promote(x, bad)):
        with pytest.raises(TypeError):
            fn()


def test_where_the_two_copies_disagree():
    x = tg.tensor([1, 2], dtype=tg.int8)
    u16 = np.array([1, 2], np.uint16)
    assert [t._data.dtype for t in _arith_path(x, u16, False)] == [np.int64, np.int64]
    assert [t._data.dtype for t in promote(x, u16)] == [np.int32, np.int32]
    assert [t._data.dtype for t in promote(tg.tensor(2), u16)] == [np.uint16, np.uint16]
    with pytest.raises(AttributeError):
        _arith_path(x, 1j, False)
    with pytest.raises(TypeError):
        promote(x, 1j)
