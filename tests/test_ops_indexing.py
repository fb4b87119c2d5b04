"""Indexado con tensores: valor contra una referencia lenta (bucles de Python), gradiente en float64
con índices generados por hypothesis (todas las posiciones, repetidas incluidas) y errores."""
import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_es as tg
from tinygrad_es import tensor
from strategies import arrays, distinct_values, floats, small_shapes
from helpers import check


@st.composite
def gather_case(draw, for_scatter=False):
    """Entrada, eje e índice (no mayor que la entrada fuera del eje; valores en rango)."""
    shape = draw(small_shapes)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    ishape = tuple(draw(st.integers(1, n)) if i != d else draw(st.integers(1, 5)) for i, n in enumerate(shape))
    index = draw(arrays(ishape, st.integers(0, shape[d] - 1))).astype(np.int64)
    if for_scatter:  # sin repetidos en cada "fila": scatter deja un valor determinado
        index = np.moveaxis(np.argsort(draw(arrays(np.moveaxis(np.zeros(ishape), d, -1).shape[:-1] + (shape[d],),
                                                     st.floats(0, 1))), axis=-1)[..., :min(ishape[d], shape[d])], -1, d)
        index = np.ascontiguousarray(index[tuple(slice(0, n) for n in ishape)])
    return shape, dim, index


def positions(index):
    return itertools.product(*[range(n) for n in index.shape])


@given(data=st.data())
def test_gather(data):
    shape, dim, index = data.draw(gather_case())
    a = data.draw(arrays(shape))
    ref = np.empty(index.shape)
    for p in positions(index):
        q = list(p)
        q[dim % len(shape)] = index[p]
        ref[p] = a[tuple(q)]
    out = tg.gather(tensor(a), dim, tensor(index))
    np.testing.assert_array_equal(out.numpy(), ref)
    check(lambda x: x.gather(dim, tensor(index)), a)


@pytest.mark.parametrize("kind", ["scatter", "scatter_value", "scatter_add"])
@given(data=st.data())
def test_scatter_family(kind, data):
    shape, dim, index = data.draw(gather_case(for_scatter=kind != "scatter_add"))
    a, src = data.draw(arrays(shape)), data.draw(arrays(index.shape))
    d = dim % len(shape)
    ref = a.copy()
    for p in positions(index):
        q = list(p)
        q[d] = index[p]
        v = 2.5 if kind == "scatter_value" else src[p]
        ref[tuple(q)] = ref[tuple(q)] + v if kind == "scatter_add" else v
    if kind == "scatter_value":
        np.testing.assert_allclose(tensor(a).scatter(dim, tensor(index), 2.5).numpy(), ref)
        check(lambda x: x.scatter(dim, tensor(index), value=2.5), a)
        return
    fn = getattr(tg, kind)
    np.testing.assert_allclose(fn(tensor(a), dim, tensor(index), tensor(src)).numpy(), ref)
    check(lambda x, s: fn(x, dim, tensor(index), s), a, src)


REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@given(data=st.data())
def test_scatter_reduce(reduce, include_self, data):
    shape, dim, index = data.draw(gather_case())
    d = dim % len(shape)
    smooth = reduce in ("amax", "amin")
    # prod: ceros exactos (para probar el gradiente exacto) o valores lejos de 0 (sin subnormales)
    el = st.just(0.0) | st.floats(0.1, 3.0) | st.floats(-3.0, -0.1) if reduce == "prod" else floats
    a = data.draw(distinct_values(shape)) if smooth else data.draw(arrays(shape, el))
    src = data.draw(distinct_values(index.shape)) + 0.0071 if smooth else data.draw(arrays(index.shape, el))
    groups = {}
    for p in positions(index):
        q = list(p)
        q[d] = index[p]
        groups.setdefault(tuple(q), []).append(src[p])
    ref = a.copy()
    for q, vals in groups.items():
        vals = ([a[q]] if include_self else []) + vals
        ref[q] = np.mean(vals) if reduce == "mean" else REDUCERS[reduce].reduce(vals)
    out = tensor(a).scatter_reduce(dim, tensor(index), tensor(src), reduce, include_self=include_self)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)
    check(lambda x, s: x.scatter_reduce(dim, tensor(index), s, reduce, include_self=include_self), a, src)


def test_scatter_reduce_prod_grad_with_zeros_and_amax_ties():
    x = tensor(np.array([[1.0, 2.0, 0.0]]), requires_grad=True)
    s = tensor(np.array([[0.0, 3.0, 4.0], [5.0, 0.0, 0.0]]), requires_grad=True)
    i = tensor(np.zeros((2, 3), dtype=np.int64))
    x.scatter_reduce(0, i, s, "prod").sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0]] and s.grad.tolist() == [[5.0, 0.0, 0.0], [0.0, 6.0, 0.0]]
    y = tensor(np.array([[2.0, 0.0]]), requires_grad=True)
    t = tensor(np.array([[2.0, 1.0], [2.0, 0.0]]), requires_grad=True)
    y.scatter_reduce(0, tensor(np.zeros((2, 2), np.int64)), t, "amax").sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [[1 / 3, 0.0]])  # el empate a 2 se reparte entre 3
    np.testing.assert_allclose(t.grad.numpy(), [[1 / 3, 1.0], [1 / 3, 0.0]])


@given(data=st.data())
def test_index_select_add_fill_and_take(data):
    shape = data.draw(small_shapes)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    idx = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6)), dtype=np.int64)
    a = data.draw(arrays(shape))
    np.testing.assert_array_equal(tg.index_select(tensor(a), dim, tensor(idx)).numpy(), np.take(a, idx, axis=dim))
    check(lambda x: x.index_select(dim, tensor(idx)), a)
    src_shape = list(shape)
    src_shape[dim] = idx.size
    src = data.draw(arrays(tuple(src_shape)))
    ref = a.copy()
    np.add.at(ref, (slice(None),) * (dim % len(shape)) + (idx,), 2 * src)
    np.testing.assert_allclose(tensor(a).index_add(dim, tensor(idx), tensor(src), alpha=2).numpy(), ref)
    check(lambda x, s: x.index_add(dim, tensor(idx), s, alpha=2), a, src)
    filled = a.copy()
    filled[(slice(None),) * (dim % len(shape)) + (idx,)] = -1.0
    np.testing.assert_array_equal(tensor(a).index_fill(dim, tensor(idx), -1.0).numpy(), filled)
    flat = np.array(data.draw(st.lists(st.integers(-a.size, a.size - 1), min_size=1, max_size=6)))
    np.testing.assert_array_equal(tg.take(tensor(a), tensor(flat)).numpy(), a.reshape(-1)[flat])
    check(lambda x: x.take(tensor(flat)), a)


@given(data=st.data())
def test_masked_fill_and_select(data):
    shape = data.draw(small_shapes)
    a = data.draw(arrays(shape))
    mask = data.draw(hnp.arrays(bool, shape[data.draw(st.integers(0, len(shape))):]))
    m = tensor(mask)
    np.testing.assert_array_equal(tensor(a).masked_fill(m, -9.0).numpy(), np.where(mask, -9.0, a))
    check(lambda x: x.masked_fill(m, -9.0), a)
    check(lambda x, v: x.masked_fill(m, v), a, np.array(0.5))
    np.testing.assert_array_equal(tg.masked_select(tensor(a), m).numpy(), np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape))[np.broadcast_to(mask, a.shape)])
    check(lambda x: x.masked_select(m), a)


def test_causal_mask_idiom_and_inplace():
    scores = tensor(np.zeros((3, 3)), requires_grad=True)
    mask = tg.ones(3, 3).tril() == 0
    p = (scores * 1).masked_fill(mask, float("-inf")).softmax(-1)
    np.testing.assert_allclose(p.detach().numpy(), np.tril(np.ones((3, 3))) / np.arange(1, 4)[:, None])
    p[:, 0].sum().backward()
    assert np.all(np.isfinite(scores.grad.numpy()))
    x = tensor([1.0, 2.0, 3.0])
    assert x.masked_fill_(x > 1, 0.0) is x and x.tolist() == [1.0, 0.0, 0.0]
    y = tg.zeros(2, 3).scatter_(1, tensor([[2], [0]]), 1.0)
    assert y.tolist() == [[0, 0, 1], [1, 0, 0]]
    z = tg.zeros(4).index_add_(0, tensor([1, 1]), tensor([1.0, 2.0]))
    assert z.tolist() == [0, 3, 0, 0]


def test_nonzero_where_and_count():
    a = tensor([[0, 1], [2, 0]])
    assert a.nonzero().tolist() == [[0, 1], [1, 0]] and a.nonzero().dtype == tg.int64
    r, c = tg.nonzero(a, as_tuple=True)
    assert r.tolist() == [0, 1] and c.tolist() == [1, 0]
    assert [t.tolist() for t in tg.where(a > 0)] == [[0, 1], [1, 0]]
    assert tensor(3).nonzero().shape == (1, 0) and tensor(0).nonzero(as_tuple=True)[0].tolist() == []
    assert a.count_nonzero().item() == 2 and tg.count_nonzero(a, dim=0).tolist() == [1, 1]
    x = tensor([1.0, -2.0])
    assert x.where(x > 0, 0.0).tolist() == [1.0, 0.0]


def test_index_errors_like_pytorch():
    x = tensor(np.arange(12.0).reshape(3, 4))
    i = tensor([[0, 1], [2, 0]])
    with pytest.raises(RuntimeError, match="fuera de rango"):
        x.gather(1, i + 3)
    with pytest.raises(RuntimeError, match="fuera de rango"):
        x.gather(1, -i - 1)
    with pytest.raises(RuntimeError, match="dimensiones"):
        x.gather(1, tensor([0, 1]))
    with pytest.raises(RuntimeError, match="entero"):
        x.gather(1, tensor([[0.0]]))
    with pytest.raises(IndexError):
        x.gather(2, i)
    with pytest.raises(RuntimeError, match="dtype"):
        x.scatter(1, i, tensor(np.ones((2, 2), np.float32)))
    with pytest.raises(RuntimeError, match="reduce"):
        x.scatter_reduce(1, i, x[:2, :2], "max_")
    with pytest.raises(IndexError, match="vector"):
        x.index_select(1, tensor([[1]]))
    with pytest.raises(RuntimeError, match="fuera de rango"):
        x.index_select(1, tensor([-1]))
    with pytest.raises(IndexError, match="fuera de rango"):
        x.index_select(0, tensor([3]))
    with pytest.raises(RuntimeError, match="bool"):
        x.masked_fill(tensor([1, 0, 1, 0]), 0.0)
    with pytest.raises(RuntimeError, match="0-D"):
        x.masked_fill(x > 1, tensor([1.0]))
    with pytest.raises(IndexError, match="fuera de rango"):
        x.take(tensor([12]))
    with pytest.raises(RuntimeError, match="forma"):
        tg.zeros(4).masked_fill_(tg.ones(2, 4) > 0, 1.0)
