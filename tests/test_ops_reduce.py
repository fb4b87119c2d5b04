"""Reducciones (prod, normas) y álgebra lineal: valor contra numpy, gradiente en float64
sobre formas de hypothesis, dtype del resultado y reglas de PyTorch (enteros → int64, empates,
normas en 0, matrices singulares)."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import tinygrad_es as tg
from tinygrad_es import tensor
from strategies import arrays, distinct_values, small_shapes
from helpers import check


@st.composite
def shape_dims(draw):
    shape = draw(small_shapes)
    dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    return shape, tuple(dims), draw(st.booleans())


@given(data=st.data())
def test_prod(data):
    shape, dims, keepdim = data.draw(shape_dims())
    a = data.draw(arrays(shape, st.sampled_from([0.0, 0.5, -1.5, 2.0, 1.25])))
    d = dims[0]
    np.testing.assert_allclose(tg.prod(tensor(a)).numpy(), np.prod(a))
    np.testing.assert_allclose(tensor(a).prod(d, keepdim).numpy(), np.prod(a, axis=d, keepdims=keepdim))
    check(lambda x: x.prod(), a)  # con ceros: el gradiente exacto (producto de los demás)
    check(lambda x: x.prod(d, keepdim=keepdim), a)


def test_prod_dtypes_and_zero_grads():
    assert tensor([1, 2, 3]).prod().dtype == tg.int64 and tensor([True, True]).prod().item() == 1
    assert tensor([1, 2], dtype=tg.int32).prod(dtype=tg.float64).dtype == tg.float64
    x = tensor([0.0, 3.0, 2.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [6.0, 0.0, 0.0]
    y = tensor([0.0, 3.0, 0.0], requires_grad=True)
    y.prod().backward()
    assert y.grad.tolist() == [0.0, 0.0, 0.0]


@given(data=st.data())
def test_aminmax_std_mean_var_mean(data):
    shape, dims, keepdim = data.draw(shape_dims())
    a = data.draw(distinct_values(shape))
    d = dims[0]
    mn, mx = tg.aminmax(tensor(a), dim=d, keepdim=keepdim)
    np.testing.assert_array_equal(mn.numpy(), a.min(axis=d, keepdims=keepdim))
    np.testing.assert_array_equal(mx.numpy(), a.max(axis=d, keepdims=keepdim))
    check(lambda x: tg.aminmax(x, dim=d, keepdim=keepdim).max, a)
    s, m = tg.std_mean(tensor(a), dims, keepdim=keepdim)
    n = np.prod([shape[i] for i in dims])
    if n > 1:
        np.testing.assert_allclose(s.numpy(), a.std(axis=dims, ddof=1, keepdims=keepdim), rtol=1e-12)
        check(lambda x: tg.std_mean(x, dims, keepdim=keepdim)[0], a)
    np.testing.assert_allclose(m.numpy(), a.mean(axis=dims, keepdims=keepdim), atol=1e-14)
    v, m = tg.var_mean(tensor(a), dims, correction=0, keepdim=keepdim)
    np.testing.assert_allclose(v.numpy(), a.var(axis=dims, keepdims=keepdim), atol=1e-14)
    check(lambda x: tg.var_mean(x, dims, correction=0)[0] + tg.var_mean(x, dims)[1], a)


def test_reduction_dtypes():
    i = tensor([[1, 2], [3, 4]], dtype=tg.int32)
    assert i.sum().dtype == tg.int64 and i.sum(dtype=tg.float64).dtype == tg.float64
    assert i.mean(dtype=tg.float32).item() == 2.5
    with pytest.raises(RuntimeError, match="coma flotante"):
        i.mean()
    assert tg.count_nonzero(tensor([[0, 1], [2, 0]])).item() == 2 and tg.count_nonzero(i, dim=1).dtype == tg.int64
    r = tg.aminmax(tensor([1.0, 3.0, 3.0]))
    assert r.min.item() == 1.0 and r.max.item() == 3.0 and r._fields == ("min", "max")


# ---- normas ---------------------------------------------------------------------------------
ORDS = [2, 1, 3, 0.5, -1, float("inf"), -float("inf"), 0]


def _ref_norm(a, p, axes, keepdim):
    ab = np.abs(a)
    if p == float("inf"):
        r = ab.max(axis=axes, keepdims=keepdim)
    elif p == -float("inf"):
        r = ab.min(axis=axes, keepdims=keepdim)
    elif p == 0:
        r = (a != 0).sum(axis=axes, keepdims=keepdim).astype(float)
    else:
        r = (ab ** p).sum(axis=axes, keepdims=keepdim) ** (1 / p)
    return r


@pytest.mark.parametrize("p", ORDS)
@given(data=st.data())
def test_vector_norm(p, data):
    shape, dims, keepdim = data.draw(shape_dims())
    a = data.draw(distinct_values(shape))
    signs = data.draw(arrays(shape, st.sampled_from([-1.0, 1.0])))
    a = (a - a.min() + 0.3) * signs  # |x| distintos y lejos de 0 (donde |x| no es derivable)
    out = tg.linalg.vector_norm(tensor(a), ord=p, dim=dims, keepdim=keepdim)
    np.testing.assert_allclose(out.numpy(), _ref_norm(a, p, dims, keepdim), rtol=1e-12)
    if p != 0:
        check(lambda x: tg.linalg.vector_norm(x, p, dims, keepdim), a)
        check(lambda x: x.norm(p), a)


def test_norm_gradients_at_zero_and_ties_like_pytorch():
    def grad(f, xs):
        x = tensor(np.array(xs), requires_grad=True)
        f(x).backward()
        return None if x.grad is None else x.grad.tolist()
    assert grad(lambda x: x.norm(), [0.0, 0.0]) == [0.0, 0.0]
    assert grad(lambda x: x.norm(p=1), [0.0, 1.0, -2.0]) == [0.0, 1.0, -1.0]
    assert grad(lambda x: x.norm(p=float("inf")), [3.0, 1.0, -3.0]) == [0.5, 0.0, -0.5]
    assert grad(lambda x: tg.linalg.vector_norm(x, 0.5), [0.0, 1.0, 4.0]) == [0.0, 3.0, 1.5]
    assert grad(lambda x: tg.linalg.vector_norm(x, 3), [0.0, 0.0]) == [0.0, 0.0]
    assert grad(lambda x: tg.linalg.vector_norm(x, 0), [3.0, 0.0]) is None  # sin gradiente, como PyTorch
    with pytest.raises(RuntimeError, match="coma flotante"):
        tg.linalg.vector_norm(tensor([1, 2]))
    with pytest.raises(RuntimeError, match="vacío"):
        tg.linalg.vector_norm(tg.zeros(0), float("inf"))


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf")])
@given(data=st.data())
def test_matrix_norm(ord, data):
    m, n = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    batch = data.draw(st.sampled_from([(), (2,)]))
    a = data.draw(distinct_values(batch + (m, n)))
    a = (a - a.min() + 0.3) * data.draw(arrays(a.shape, st.sampled_from([-1.0, 1.0])))
    ref = np.linalg.norm(a, ord=ord, axis=(-2, -1))
    np.testing.assert_allclose(tg.linalg.matrix_norm(tensor(a), ord).numpy(), ref, rtol=1e-10, atol=1e-12)
    if not batch:
        np.testing.assert_allclose(tg.linalg.norm(tensor(a), ord).numpy(), ref, rtol=1e-10, atol=1e-12)
    # sólo donde la norma es derivable: valores singulares distintos y no nulos, sumas sin empates
    s = np.linalg.svd(a, compute_uv=False)
    sums = np.abs(a).sum(axis=-2 if ord in (1, -1) else -1)
    assume(ord == "fro" or (ord in ("nuc", 2, -2) and s.min() > 1e-2 and _gap(s) > 1e-3)
           or (ord not in ("nuc", 2, -2) and _gap(np.sort(sums, axis=-1)) > 1e-3))
    check(lambda x: tg.linalg.matrix_norm(x, ord), a)


def _gap(s):
    return np.min(np.abs(np.diff(s, axis=-1))) if s.shape[-1] > 1 else 1.0


def test_linalg_norm_dispatch():
    a = np.arange(24.0).reshape(2, 3, 4) - 10
    np.testing.assert_allclose(tg.linalg.norm(tensor(a)).numpy(), np.linalg.norm(a.reshape(-1)))
    np.testing.assert_allclose(tg.linalg.norm(tensor(a), dim=1).numpy(), np.linalg.norm(a, axis=1))
    np.testing.assert_allclose(tg.linalg.norm(tensor(a), ord=1, dim=(0, 2)).numpy(),
                               np.linalg.norm(np.moveaxis(a, 1, 0), ord=1, axis=(1, 2)))
    np.testing.assert_allclose(tensor(a).norm(dim=(1, 2)).numpy(), np.sqrt((a ** 2).sum(axis=(1, 2))))
    with pytest.raises(RuntimeError, match="1-D o 2-D"):
        tg.linalg.norm(tensor(a), ord=2)


# ---- inv, det, solve ---------------------------------------------------------------------------
@st.composite
def well_conditioned(draw, batch=True):
    n = draw(st.integers(1, 4))
    b = draw(st.sampled_from([(), (2,)])) if batch else ()
    # diagonal estrictamente dominante: invertible y bien condicionada
    return draw(arrays(b + (n, n), st.floats(-1, 1))) + (n + 1) * np.eye(n)


@given(data=st.data())
def test_inv_det_solve(data):
    a = data.draw(well_conditioned())
    n = a.shape[-1]
    np.testing.assert_allclose(tg.linalg.inv(tensor(a)).numpy(), np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(tg.linalg.det(tensor(a)).numpy(), np.linalg.det(a), rtol=1e-10)
    check(tg.linalg.inv, a)
    check(tg.linalg.det, a)
    b = data.draw(arrays(a.shape[:-2] + (n, data.draw(st.integers(1, 3)))))
    np.testing.assert_allclose(tg.linalg.solve(tensor(a), tensor(b)).numpy(), np.linalg.solve(a, b), rtol=1e-10, atol=1e-12)
    check(tg.linalg.solve, a, b)
    v = data.draw(arrays(a.shape[:-1]))
    np.testing.assert_allclose(tg.linalg.solve(tensor(a), tensor(v)).numpy(),
                               np.linalg.solve(a, v[..., None])[..., 0], rtol=1e-10, atol=1e-12)
    check(tg.linalg.solve, a, v)
    check(lambda x, y: tg.linalg.solve(x, y, left=False), a, np.swapaxes(b, -1, -2))


def test_linalg_errors_and_singular():
    s = tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    with pytest.raises(tg.linalg.LinAlgError, match="singular"):
        tg.linalg.inv(s)
    with pytest.raises(RuntimeError, match="singular"):
        tg.linalg.solve(s, tensor([1.0, 1.0]))
    d = tg.linalg.det(s)
    d.backward()
    assert d.item() == 0.0 and s.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]  # como PyTorch
    with pytest.raises(RuntimeError, match="cuadradas"):
        tg.linalg.det(tg.ones(2, 3))
    with pytest.raises(RuntimeError, match="coma flotante"):
        tg.linalg.inv(tensor([[1, 0], [0, 1]]))
    with pytest.raises(RuntimeError, match="no encaja"):
        tg.linalg.solve(tg.eye(3), tg.ones(2))
    x = tg.eye(2) * 2
    assert x.det().item() == 4.0 and x.inverse().tolist() == [[0.5, 0.0], [0.0, 0.5]]
