"""Operadores de PyTorch que la tarjeta OpInfo daba como ausentes: su derivada en float64 contra
diferencias centrales (formas de hypothesis), sus variantes in situ y de función, y sus errores.
Que coinciden con PyTorch en todas las muestras de su OpInfo lo comprueba ``tests/test_compat_opinfo.py``."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check, leaf
from strategies import arrays, small_shapes

LONG = tg.int64


def _idx(v):
    return tg.tensor(np.asarray(v, np.int64))


@given(data=st.data())
def test_index_copy_gradient(data):
    shape = data.draw(small_shapes)
    d = data.draw(st.integers(0, len(shape) - 1))
    perm = data.draw(st.permutations(range(shape[d])))
    k = data.draw(st.integers(0, shape[d]))
    idx = _idx(perm[:k])
    src_shape = shape[:d] + (k,) + shape[d + 1:]
    check(lambda x, s: x.index_copy(d, idx, s), data.draw(arrays(shape)), data.draw(arrays(src_shape)))


@given(data=st.data(), accumulate=st.booleans())
def test_index_put_and_put_gradient(data, accumulate):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    n = data.draw(st.integers(1, 5))
    rows = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=n, max_size=n))
    if not accumulate:
        rows = list(dict.fromkeys(r % shape[0] for r in rows))  # sin repetidos: PyTorch no fija cuál gana
    i = _idx(rows)
    check(lambda x, v: x.index_put((i,), v, accumulate=accumulate), data.draw(arrays(shape)),
          data.draw(arrays((len(rows), shape[1]))))
    check(lambda x, v: x.index_put((i,), v, accumulate), data.draw(arrays(shape)), data.draw(arrays((shape[1],))))
    flat = data.draw(st.lists(st.integers(0, shape[0] * shape[1] - 1), min_size=1, max_size=4, unique=True))
    check(lambda x, v: tg.put(x, _idx(flat), v, accumulate), data.draw(arrays(shape)), data.draw(arrays((len(flat),))))


def test_index_put_values_and_inplace():
    x = tg.zeros(2, 3)
    y = x.index_put((_idx([0, 0, 1]), _idx([1, 1, -1])), tg.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert y.tolist() == [[0, 3, 0], [0, 0, 3]] and x.tolist() == [[0] * 3] * 2
    m = tg.tensor([[True, False, True], [False, False, True]])
    assert tg.zeros(2, 3).index_put((m,), tg.tensor(7.0)).tolist() == [[7, 0, 7], [0, 0, 7]]
    z = tg.zeros(4)
    assert z.put_(_idx([-1, 0]), tg.tensor([5.0, 6.0])) is z and z.tolist() == [6, 0, 0, 5]
    w = tg.zeros(3, 2)
    w.index_copy_(0, _idx([2]), tg.ones(1, 2))
    assert w.tolist() == [[0, 0], [0, 0], [1, 1]]
    w.index_put_((_idx([0]),), tg.tensor([4.0, 4.0]), accumulate=True)
    assert w[0].tolist() == [4, 4]
    with pytest.raises(IndexError):
        x.index_put((_idx([2]),), tg.tensor(1.0))
    with pytest.raises(RuntimeError):
        x.index_put((_idx([0]),), tg.ones(2))
    with pytest.raises(RuntimeError):
        x.index_copy(0, _idx([0]), tg.ones(1, 3, dtype=tg.float64))
    with pytest.raises(RuntimeError):
        tg.put(x, _idx([0, 1]), tg.ones(3))


@given(data=st.data())
def test_shape_helpers_gradient(data):
    shape = data.draw(small_shapes)
    a = data.draw(arrays(shape))
    check(lambda x: x.ravel() * tg.arange(a.size, dtype=tg.float64), a)
    target = tuple(1 if data.draw(st.booleans()) else n for n in shape)[data.draw(st.integers(0, len(shape) - 1)):]
    check(lambda x: x.sum_to_size(target) ** 2, a)
    cut = data.draw(st.integers(0, shape[0]))
    check(lambda x: x.split_with_sizes([cut, shape[0] - cut])[1] * 3, a)


def test_shape_helpers_values_and_errors():
    assert tg.ones(2, 3).sum_to_size(1, 3).tolist() == [[2, 2, 2]]
    assert tg.ones(2, 3).sum_to_size((3,)).tolist() == [2, 2, 2]
    assert tg.tensor(True).sum_to_size(()).dtype == LONG  # como PyTorch: a () siempre se suma
    assert tg.tensor([[True, False]]).sum_to_size(1, 2).dtype == tg.bool
    with pytest.raises(RuntimeError):
        tg.ones(2, 3).sum_to_size(2)
    assert [t.tolist() for t in tg.split_with_sizes(tg.arange(5), [2, 3])] == [[0, 1], [2, 3, 4]]
    with pytest.raises(RuntimeError):
        tg.arange(5).split_with_sizes([2, 2])
    assert tg.ravel(tg.tensor([[1, 2], [3, 4]])).tolist() == [1, 2, 3, 4]
    assert [t.tolist() for t in tg.unravel_index(_idx([5, 7, 9, -1]), (2, 4))] == [[1, 1, 0, 1], [1, 3, 1, 3]]
    with pytest.raises(TypeError):
        tg.unravel_index(tg.tensor([1.0]), (2, 2))


@given(data=st.data())
def test_rsub_fill_renorm_gradient(data):
    shape = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 4)))
    a, b = data.draw(arrays(shape)), data.draw(arrays(shape))
    check(lambda x, y: tg.rsub(x, y, alpha=2.5), a, b)
    check(lambda x, v: tg.fill(x, v) * x, a, np.array(1.5))
    # lejos del umbral: la norma de cada fila no se acerca a maxnorm
    rows = np.linalg.norm(a, axis=1)
    maxnorm = data.draw(st.floats(0.1, 3.0))
    if np.all(np.abs(rows - maxnorm) > 0.05):
        check(lambda x: x.renorm(2, 0, maxnorm), a)
        check(lambda x: x.renorm(1.5, 1, maxnorm), a)


def test_rsub_fill_renorm_values():
    assert tg.rsub(tg.tensor([1, 2]), 3, alpha=2).tolist() == [1, -1]
    assert tg.rsub(tg.tensor([1.0, 2.0]), tg.tensor(3)).tolist() == [2.0, 1.0]
    f = tg.fill(tg.tensor([1, 2]), 2.7)
    assert f.tolist() == [2, 2] and f.dtype == LONG
    x = tg.tensor([[3.0, 4.0], [0.3, 0.4]])
    np.testing.assert_allclose(x.renorm(2, 0, 1.0).numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    x.renorm_(2, 0, 1.0)
    np.testing.assert_allclose(x.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    with pytest.raises(RuntimeError):
        x.renorm(-1, 0, 1.0)
    with pytest.raises(RuntimeError):
        tg.ones(3).renorm(2, 0, 1.0)


@given(data=st.data())
def test_trapezoid_gradient(data):
    shape = data.draw(small_shapes)
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    y = data.draw(arrays(shape))
    xs = np.cumsum(data.draw(arrays((shape[d],), st.floats(0.2, 2.0))))
    check(lambda t: tg.trapezoid(t, dim=d), y)
    check(lambda t: tg.trapz(t, dx=0.7, dim=d), y)
    check(lambda t, x: tg.trapezoid(t, x, dim=d), y, xs)
    check(lambda t, x: tg.cumulative_trapezoid(t, x, dim=d), y, xs)
    check(lambda t: tg.cumulative_trapezoid(t, dx=2.0, dim=d), y)


def test_trapezoid_values():
    y = tg.tensor([1, 2, 4])
    assert tg.trapezoid(y).item() == 4.5 and tg.trapezoid(y, dx=2).item() == 9
    assert tg.trapezoid(y, tg.tensor([1, 2, 4])).item() == 7.5
    assert tg.cumulative_trapezoid(y).tolist() == [1.5, 4.5]
    with pytest.raises(RuntimeError):
        tg.trapezoid(y, tg.tensor([1.0, 2.0]))
    with pytest.raises(IndexError):
        tg.trapezoid(tg.tensor(1.0))
