"""Ordenación, selección y barridos: valor contra numpy (o una referencia lenta), gradiente en
float64 sobre formas de hypothesis (valores sin empates donde la derivada lo exige), dtype, reglas
de empates y nan de PyTorch."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import tensor
from strategies import arrays, distinct_values, small_shapes
from helpers import check


@st.composite
def shape_dim(draw):
    shape = draw(small_shapes)
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@given(data=st.data(), descending=st.booleans())
def test_sort_argsort_msort(data, descending):
    shape, dim = data.draw(shape_dim())
    a = data.draw(distinct_values(shape))
    v, i = tg.sort(tensor(a), dim=dim, descending=descending)
    ref = np.sort(a, axis=dim)
    ref = np.flip(ref, dim) if descending else ref
    np.testing.assert_array_equal(v.numpy(), ref)
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), dim), ref)
    assert i.dtype == tg.int64 and tg.argsort(tensor(a), dim, descending).tolist() == i.tolist()
    np.testing.assert_array_equal(tg.msort(tensor(a)).numpy(), np.sort(a, axis=0))
    check(lambda x: x.sort(dim, descending).values, a)


@given(data=st.data(), largest=st.booleans())
def test_topk(data, largest):
    shape, dim = data.draw(shape_dim())
    a = data.draw(distinct_values(shape))
    k = data.draw(st.integers(0, shape[dim]))
    v, i = tensor(a).topk(k, dim=dim, largest=largest)
    s = np.sort(a, axis=dim)
    ref = np.take(np.flip(s, dim) if largest else s, np.arange(k), axis=dim)
    np.testing.assert_array_equal(v.numpy(), ref)
    np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), dim), ref)
    check(lambda x: x.topk(k, dim, largest).values, a)


@given(data=st.data(), keepdim=st.booleans())
def test_kthvalue_median_mode(data, keepdim):
    shape, dim = data.draw(shape_dim())
    a = data.draw(distinct_values(shape))
    n = shape[dim]
    k = data.draw(st.integers(1, n))
    s = np.sort(a, axis=dim)
    for out, pos in ((tensor(a).kthvalue(k, dim, keepdim), k - 1), (tensor(a).median(dim, keepdim), (n - 1) // 2)):
        ref = np.take(s, [pos], axis=dim)
        np.testing.assert_array_equal(out.values.numpy(), ref if keepdim else ref.squeeze(dim))
        idx = out.indices.numpy() if keepdim else np.expand_dims(out.indices.numpy(), dim)
        np.testing.assert_array_equal(np.take_along_axis(a, idx, dim), ref)
    assert tensor(a).median().item() == np.sort(a.reshape(-1))[(a.size - 1) // 2]
    check(lambda x: x.kthvalue(k, dim, keepdim).values, a)
    check(lambda x: x.median(dim, keepdim).values, a)
    check(lambda x: x.median(), a)
    m = np.round(a * 2) / 2  # con repeticiones
    vals, idx = tensor(m).mode(dim, keepdim)
    ref = np.apply_along_axis(lambda r: sorted(set(r), key=lambda v: (-list(r).count(v), v))[0], dim, m)
    np.testing.assert_array_equal(vals.numpy(), np.expand_dims(ref, dim) if keepdim else ref)
    # con empates no hay derivada por diferencias finitas: el gradiente va al índice devuelto
    x = tensor(m, requires_grad=True)
    x.mode(dim, keepdim).values.sum().backward()
    onehot = np.zeros_like(m)
    np.put_along_axis(onehot, idx.numpy() if keepdim else np.expand_dims(idx.numpy(), dim), 1.0, dim)
    np.testing.assert_array_equal(x.grad.numpy(), onehot)


def test_tie_rules_like_pytorch():
    x = tensor([3.0, 1.0, 3.0, 2.0, 1.0, 3.0])
    assert x.sort(stable=True).indices.tolist() == [1, 4, 3, 0, 2, 5]
    assert x.sort(descending=True).indices.tolist() == [0, 2, 5, 3, 1, 4]
    assert x.kthvalue(2).indices.item() == 4 and x.kthvalue(4).indices.item() == 2  # quickselect de PyTorch
    assert tensor([1.0, 2.0, 3.0, 4.0]).median().item() == 2.0  # mediana inferior
    assert tensor([[1.0, 3.0, 3.0, 1.0]]).median(1).indices.tolist() == [3]
    m = tensor([2, 3, 3, 1, 2, 1])
    assert m.mode().values.item() == 1 and m.mode().indices.item() == 5  # el menor, su última aparición
    assert tensor([1.0, 3.0, 3.0, 1.0, 3.0]).cummax(0).indices.tolist() == [0, 1, 2, 2, 4]
    assert tensor([1.0, 3.0, 1.0, 0.0, 0.0]).cummin(0).indices.tolist() == [0, 0, 2, 3, 4]
    t = tensor([1.0, 2.0, 2.0, 3.0], requires_grad=True)
    t.median().backward()
    assert t.grad.tolist() == [0.0, 0.5, 0.5, 0.0]  # empates: el gradiente se reparte


def test_large_tie_indices_match_the_cpp_algorithms():
    # con más de 16 elementos PyTorch usa introsort/partial_sort: reproducidos paso a paso
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, 40).astype(np.float64)
    order = tensor(x).sort().indices.numpy()
    assert np.array_equal(np.sort(x), x[order]) and not np.array_equal(order, np.argsort(x, kind="stable"))
    assert tensor(x).sort(stable=True).indices.tolist() == np.argsort(x, kind="stable").tolist()
    big = tensor(rng.integers(0, 5, 300).astype(np.float64))
    v, i = big.topk(3)
    assert v.tolist() == [4.0, 4.0, 4.0] and len(set(i.tolist())) == 3


def test_nan_rules():
    x = tensor([1.0, np.nan, 2.0, np.nan, 0.0])
    assert x.sort().indices.tolist() == [4, 0, 2, 1, 3]
    assert x.sort(descending=True).indices.tolist() == [1, 3, 2, 0, 4]
    assert np.isnan(x.median().item()) and x.median(0).indices.item() == 1
    assert x.nanmedian().item() == 1.0 and x.nanmedian(0).values.item() == 1.0
    assert np.isnan(x.topk(1).values.item()) and x.kthvalue(5).indices.item() == 3
    c = x.cummax(0)
    assert c.indices.tolist() == [0, 1, 1, 3, 3] and np.isnan(c.values.numpy()[1:]).all()


def test_unique():
    x = tensor([3, 1, 2, 1, 3, 3])
    u, inv, cnt = tg.unique(x, return_inverse=True, return_counts=True)
    assert u.tolist() == [1, 2, 3] and inv.tolist() == [2, 0, 1, 0, 2, 2] and cnt.tolist() == [2, 1, 3]
    assert u.dtype == tg.int64 and not u.requires_grad
    rows, inv = tg.unique(tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True)
    assert rows.tolist() == [[0, 5], [1, 2]] and inv.tolist() == [1, 1, 0]
    assert tg.unique(tensor([2.0, np.nan, 1.0, np.nan])).numpy().tolist()[:2] == [1.0, 2.0]
    assert len(tg.unique(tensor([np.nan, np.nan]))) == 2  # cada nan es distinto (como PyTorch)
    assert tg.unique_consecutive(tensor([1, 1, 2, 1])).tolist() == [1, 2, 1]


# ---- barridos -----------------------------------------------------------------------------------
@given(data=st.data())
def test_cumsum_cumprod_logcumsumexp(data):
    shape, dim = data.draw(shape_dim())
    a = data.draw(arrays(shape))
    np.testing.assert_allclose(tg.cumsum(tensor(a), dim).numpy(), np.cumsum(a, axis=dim), atol=1e-12)
    np.testing.assert_allclose(tensor(a).cumprod(dim).numpy(), np.cumprod(a, axis=dim), atol=1e-12)
    lcse = np.log(np.cumsum(np.exp(a), axis=dim))
    np.testing.assert_allclose(tensor(a).logcumsumexp(dim).numpy(), lcse, rtol=1e-12, atol=1e-12)
    check(lambda x: x.cumsum(dim), a)
    check(lambda x: x.cumprod(dim), a)
    check(lambda x: x.logcumsumexp(dim), a)


@given(data=st.data())
def test_cumprod_grad_with_zeros(data):
    shape, dim = data.draw(shape_dim())
    a = data.draw(arrays(shape, st.sampled_from([0.0, 0.5, -1.5, 2.0])))
    check(lambda x: x.cumprod(dim), a)


@given(data=st.data())
def test_cummax_cummin(data):
    shape, dim = data.draw(shape_dim())
    a = data.draw(distinct_values(shape))
    for name, acc in (("cummax", np.maximum), ("cummin", np.minimum)):
        v, i = getattr(tensor(a), name)(dim)
        np.testing.assert_array_equal(v.numpy(), acc.accumulate(a, axis=dim))
        np.testing.assert_array_equal(np.take_along_axis(a, i.numpy(), dim), v.numpy())
        check(lambda x: getattr(x, name)(dim).values, a)


@given(data=st.data(), n=st.integers(0, 3))
def test_diff(data, n):
    shape, dim = data.draw(shape_dim())
    a = data.draw(arrays(shape))
    pre = data.draw(arrays(shape[:dim % len(shape)] + (2,) + shape[dim % len(shape) + 1:]))
    np.testing.assert_allclose(tensor(a).diff(n, dim).numpy(), np.diff(a, n, axis=dim), atol=1e-12)
    np.testing.assert_allclose(tg.diff(tensor(a), n, dim, prepend=tensor(pre)).numpy(),
                               np.diff(a, n, axis=dim, prepend=pre), atol=1e-12)
    check(lambda x, p: x.diff(n, dim, prepend=p), a, pre)


def test_scan_dtypes_and_errors():
    assert tensor(np.array([1, 2, 3], np.int32)).cumsum(0).dtype == tg.int64
    assert tensor([True, True]).cumsum(0).tolist() == [1, 2]
    assert tensor([1, 2]).cumsum(0, dtype=tg.float64).dtype == tg.float64
    assert tensor([1, 2, 3]).cumprod(0).tolist() == [1, 2, 6]
    assert tensor([True, False, False]).diff().tolist() == [True, False]
    with pytest.raises(IndexError):
        tensor([1.0]).cumsum(1)
    with pytest.raises(RuntimeError, match="k"):
        tensor([3.0, 1.0]).topk(3)
    with pytest.raises(RuntimeError, match="k"):
        tensor([3.0, 1.0]).kthvalue(0)
    with pytest.raises(IndexError, match="vacío"):
        tg.zeros(0).mode()
    assert np.isnan(tg.zeros(0).median().item())
