"""Cada operación de Tensor, comprobada en float64 contra diferencias centrales
sobre formas y valores generados por hypothesis (con gradiente de arriba
aleatorio si la salida no es escalar)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_es import cat, maximum, minimum, stack, tensor, where
from strategies import (arrays, away_from_kinks, broadcastable_pair, distinct_values, floats,
                        positive, small_shapes)
from helpers import check

# ---- binarias con broadcasting ---------------------------------------------------
BINARY = {
    "add": (lambda a, b: a + b, floats, floats),
    "sub": (lambda a, b: a - b, floats, floats),
    "mul": (lambda a, b: a * b, floats, floats),
    "div": (lambda a, b: a / b, floats, positive),
    "pow": (lambda a, b: a ** b, positive, floats),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_broadcast(name, data):
    f, ea, eb = BINARY[name]
    sa, sb = data.draw(broadcastable_pair())
    a = data.draw(arrays(sa, ea))
    b = data.draw(arrays(sb, eb))
    check(f, a, b)


MAXMIN = ("maximum", "minimum")


@pytest.mark.parametrize("name", MAXMIN)
@given(data=st.data())
def test_maximum_minimum(name, data):
    shape = data.draw(small_shapes)
    a = data.draw(distinct_values(shape))
    b = a[::-1].copy() + 0.013  # sin empates con a
    fn = maximum if name == "maximum" else minimum
    check(lambda x, y: fn(x, y), a, np.flip(b).copy())


def test_maximum_tie_splits_gradient():
    a = tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = tensor(np.array([1.0, 5.0, 0.0]), requires_grad=True)
    maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad, [0.5, 0, 1])
    np.testing.assert_allclose(b.grad, [0.5, 1, 0])


# ---- unarias ------------------------------------------------------------------------
UNARY = {
    "neg": (lambda x: -x, floats, None),
    "exp": (lambda x: x.exp(), floats, None),
    "log": (lambda x: x.log(), positive, None),
    "sqrt": (lambda x: x.sqrt(), positive, None),
    "abs": (lambda x: x.abs(), None, 0.0),
    "tanh": (lambda x: x.tanh(), floats, None),
    "sigmoid": (lambda x: x.sigmoid(), floats, None),
    "relu": (lambda x: x.relu(), None, 0.0),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), None, 0.0),
    "clip": (lambda x: x.clip(-1.0, 1.5), None, 1.0),
    "pow_scalar": (lambda x: x ** 3 + x ** 2.5, positive, None),
    "rsub_rdiv_rpow": (lambda x: 1 - x + 2 / x + 2 ** x, positive, None),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary(name, data):
    f, elems, kink = UNARY[name]
    shape = data.draw(small_shapes)
    if kink is None:
        a = data.draw(arrays(shape, elems))
    else:
        a = data.draw(away_from_kinks(shape, kink=kink))
        if name == "clip":
            a = data.draw(away_from_kinks(shape, kink=-1.0))
            a = np.where(np.abs(a - 1.5) < 0.05, a + 0.1, a)
    check(f, a)


@given(data=st.data())
def test_where(data):
    sa, sb = data.draw(broadcastable_pair())
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    cond = data.draw(hnp.arrays(bool, np.broadcast_shapes(sa, sb)))
    check(lambda x, y: where(cond, x, y), a, b)


# ---- matmul -----------------------------------------------------------------------------
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2), st.data())
def test_matmul_shapes(n, k, m, case, data):
    shapes = {0: ((n, k), (k, m)), 1: ((k,), (k, m)), 2: ((2, n, k), (k,))}[case]
    a, b = data.draw(arrays(shapes[0])), data.draw(arrays(shapes[1]))
    check(lambda x, y: x @ y, a, b)


@given(st.data())
def test_matmul_batched_broadcast(data):
    a = data.draw(arrays((2, 1, 3, 4)))
    b = data.draw(arrays((3, 4, 2)))
    check(lambda x, y: x @ y, a, b)
    v = data.draw(arrays((4,)))
    check(lambda x, y: x @ y, v, v.copy())


# ---- reducciones ----------------------------------------------------------------------
@st.composite
def shape_and_axis(draw):
    shape = draw(small_shapes)
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1),
                          st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape),
                                   unique=True).map(tuple)))
    return shape, axis, draw(st.booleans())


REDUCE = {
    "sum": lambda x, ax, kd: x.sum(axis=ax, keepdims=kd),
    "mean": lambda x, ax, kd: x.mean(axis=ax, keepdims=kd),
    "var": lambda x, ax, kd: x.var(axis=ax, keepdims=kd, correction=0),
    "logsumexp": lambda x, ax, kd: x.logsumexp(axis=ax, keepdims=kd),
    "amax": lambda x, ax, kd: x.amax(() if ax is None else ax, kd),
    "amin": lambda x, ax, kd: x.amin(() if ax is None else ax, kd),
    "max_dim": lambda x, ax, kd: x.max() if ax is None else x.max(ax if isinstance(ax, int) else ax[0], kd).values,
    "min_dim": lambda x, ax, kd: x.min() if ax is None else x.min(ax if isinstance(ax, int) else ax[0], kd).values,
}


@pytest.mark.parametrize("name", sorted(REDUCE))
@given(data=st.data())
def test_reductions(name, data):
    shape, axis, keepdims = data.draw(shape_and_axis())
    a = data.draw(distinct_values(shape)) if name.startswith(("amax", "amin", "max", "min")) else data.draw(arrays(shape))
    check(lambda x: REDUCE[name](x, axis, keepdims), a)


def test_var_unbiased_default_matches_numpy():
    a = np.random.default_rng(0).standard_normal((4, 5))
    np.testing.assert_allclose(tensor(a).var(axis=1).detach().numpy(), a.var(axis=1, ddof=1))
    np.testing.assert_allclose(tensor(a).var().detach().numpy(), a.var(ddof=1))


SOFTMAX = ("softmax", "log_softmax")


@pytest.mark.parametrize("name", SOFTMAX)
@given(data=st.data())
def test_softmax_family(name, data):
    shape = data.draw(small_shapes)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = data.draw(arrays(shape))
    check(lambda x: getattr(x, name)(axis=axis), a)


def test_max_tie_rules_like_pytorch():
    # max(dim): el gradiente va al índice devuelto (el primero)
    a = tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), requires_grad=True)
    values, indices = a.max(dim=1)
    assert indices.tolist() == [1, 0] and indices.dtype == np.int64
    values.sum().backward()
    np.testing.assert_array_equal(a.grad, [[0, 1, 0], [1, 0, 0]])
    # max() total y amax: los empates se reparten el gradiente por igual
    b = tensor(np.array([[5.0, 1.0], [5.0, 5.0]]), requires_grad=True)
    b.max().backward()
    np.testing.assert_allclose(b.grad, [[1 / 3, 0], [1 / 3, 1 / 3]])
    b.grad = None
    b.amax(dim=1).sum().backward()
    np.testing.assert_allclose(b.grad, [[1, 0], [0.5, 0.5]])
    c = tensor(np.array([[0.0, -1.0], [-1.0, 0.0]]), requires_grad=True)
    c.min(dim=0).values.sum().backward()
    np.testing.assert_array_equal(c.grad, [[0, 1], [1, 0]])


def test_softmax_stable_at_extreme_logits():
    z = tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=np.float32), requires_grad=True)
    p = z.softmax(axis=1)
    lp = z.log_softmax(axis=1)
    lse = z.logsumexp(axis=1)
    assert np.all(np.isfinite(p.detach().numpy())) and np.all(np.isfinite(lse.detach().numpy()))
    np.testing.assert_allclose(p.detach().numpy()[0], [1, 0, 0])
    np.testing.assert_allclose(p.detach().numpy()[1], [1 / 3] * 3, rtol=1e-6)
    assert lp.detach().numpy()[0, 1] == pytest.approx(-2e4)
    (lp[:, 0].sum() + lse.sum()).backward()
    assert np.all(np.isfinite(z.grad))


# ---- movimiento -----------------------------------------------------------------------
MOVEMENT = {
    "reshape": lambda x: x.reshape(4, 6) * np.arange(24).reshape(4, 6),
    "view": lambda x: x.view(-1, 2),
    "transpose": lambda x: x.transpose(0, 2),
    "permute": lambda x: x.permute(2, 0, 1),
    "T": lambda x: x.T,
    "flatten": lambda x: x.flatten(1),
    "squeeze_unsqueeze": lambda x: x.unsqueeze(1).unsqueeze(-1).squeeze(),
    "expand": lambda x: x[:, :1, :].expand(2, 5, 4),
    "getitem_slice": lambda x: x[1:, ::2, -1],
    "getitem_intarray": lambda x: x[np.array([0, 1, 0]), :, np.array([3, 3, 0])],
    "getitem_bool": lambda x: x[x.data > 0.1],
    "getitem_repeated": lambda x: x[[0, 0, 1]],
    "pad": lambda x: x.pad(((0, 0), (1, 2), (2, 0)), value=0.5),
}


def test_movement_ops_grad():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3, 4))
    for f in MOVEMENT.values():
        check(f, a)
    b = rng.standard_normal((2, 1, 4))
    check(lambda x, y: cat([x, y], axis=1), a, b)
    check(lambda x, y: stack([x, y * 2], axis=1), a, a.copy())


@given(data=st.data())
def test_getitem_random_masks(data):
    shape = data.draw(small_shapes)
    a = data.draw(arrays(shape))
    mask = data.draw(hnp.arrays(bool, shape))
    check(lambda x: x[mask] * 2, a)


def test_repeated_index_accumulates():
    x = tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3, 0, 1])


def test_count_ops_checked():
    """Las tablas de este fichero comprueban con gradcheck al menos 40 operaciones distintas (además
    de where, matmul, cat y stack, con su propio test)."""
    ops = set(BINARY) | set(UNARY) | set(REDUCE) | set(MOVEMENT) | set(MAXMIN) | set(SOFTMAX)
    assert len(ops) >= 40, sorted(ops)
