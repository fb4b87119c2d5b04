import math
import warnings

import numpy as np
import pytest
from hypothesis import given

from tinygrad_es import Tensor, Value
from strategies import floats, positive


def fd(f, xs, eps=1e-6):
    """Diferencias centrales sobre una función de floats."""
    out = []
    for i in range(len(xs)):
        p = list(xs); m = list(xs)
        p[i] += eps; m[i] -= eps
        out.append((f(*p) - f(*m)) / (2 * eps))
    return out


def grads_of(expr, xs):
    vs = [Value(x) for x in xs]
    out = expr(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def test_canonical_example():
    x, y, z = Value(2.0, "x"), Value(3.0, "y"), Value(4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    assert f.data == 20.0
    assert (x.grad, y.grad, z.grad, q.grad) == (4.0, 4.0, 5.0, 4.0)


def test_parents_recorded_in_order_with_repeats():
    x = Value(3.0)
    y = x + x
    assert y._prev == (x, x) and y._op == "+"
    z = Value(2.0) - x
    assert z._prev[1] is x and z._op == "-"


@pytest.mark.parametrize("expr, xs", [
    (lambda x: x * x, [3.0]),
    (lambda x: x + x, [3.0]),
    (lambda a: a + a + a, [1.5]),
    (lambda x: (x * 2) * (x + 1), [0.7]),                  # diamante
    (lambda x, y: (x * y + y) * (x - y) / (y + 3), [1.2, -0.4]),
    (lambda x: 2 * x + 1 - x / 4 - 3 / x + 2 ** x, [1.3]),  # formas reflejadas
    (lambda x, y: x ** y, [1.7, 2.3]),                       # exponente Value
    (lambda x: x ** 3 - x ** -1.5, [1.1]),
    (lambda x: (-x).exp() + x.log() + x.tanh() + x.sigmoid(), [0.8]),
    (lambda x: x.relu() * 3 + (-x).relu() + x.leaky_relu(0.1) + (-x).leaky_relu(0.2), [0.9]),
])
def test_gradients_against_fd(expr, xs):
    _, g = grads_of(expr, xs)
    num = fd(lambda *a: expr(*[Value(v) for v in a]).data, xs)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-7)


def test_known_path_counts():
    x = Value(3.0)
    (x * x).backward(); assert x.grad == 6.0
    x = Value(3.0)
    (x + x).backward(); assert x.grad == 2.0
    a = Value(1.0)
    (a + a + a).backward(); assert a.grad == 3.0


@given(floats, floats, positive)
def test_random_expression_fd(a, b, c):
    def expr(x, y, z):
        return ((x * y).tanh() + (z.log() * x).sigmoid() - y.exp() / (z + 1)) * (x - 0.5) ** 2
    _, g = grads_of(expr, [a, b, c])
    num = fd(lambda *v: expr(*[Value(t) for t in v]).data, [a, b, c])
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)


def test_each_local_rule_runs_once_and_repeated_backward():
    x = Value(2.0)
    h = x * 3          # intermedio
    y = h * h
    y.backward()
    assert x.grad == pytest.approx(36)  # dy/dx = 2h·3 = 36 con h = 6
    y.backward()  # hojas acumulan (como PyTorch); intermedios se recalculan
    assert x.grad == pytest.approx(72)
    assert h.grad == pytest.approx(12)  # no 24: el gradiente viejo no se suma


def test_stale_intermediate_not_double_counted():
    x = Value(1.5)
    h = x * x
    a = h + 1
    a.backward()                # h.grad = 1
    b = h * 2
    b.backward()                # h.grad debe ser 2, no 3
    assert h.grad == 2.0
    assert x.grad == pytest.approx(2 * 1.5 + 2 * 2 * 1.5)


def test_backward_on_leaf():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_million_node_chain_no_recursion_error():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == 1_000_001.0
    del y  # liberar la cadena tampoco debe desbordar la pila de C


def test_numerically_safe():
    assert Value(1000.0).tanh().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    e = Value(1000.0).exp()
    assert math.isinf(e.data)
    with pytest.warns(RuntimeWarning, match="log"):
        assert Value(0.0).log().data == -math.inf
    with pytest.warns(RuntimeWarning, match="log"):
        assert math.isnan(Value(-1.0).log().data)
    with pytest.warns(RuntimeWarning, match="base negativa"):
        assert math.isnan((Value(-2.0) ** 0.5).data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (Value(-2.0) ** 2).data == 4.0
    big = Value(10.0) ** 400
    assert math.isinf(big.data)
    s = Value(-800.0).sigmoid()
    s.backward()
    assert s.data == pytest.approx(0.0) and not math.isnan(Value(0).grad)


def test_bad_data_message():
    with pytest.raises(TypeError, match="número"):
        Value("hola")


def test_value_and_tensor_agree():
    xs = [0.3, -1.2, 2.0]

    def expr(x, y, z):
        return ((x + y) * z).tanh() + (x * z).sigmoid() * (y * y + 1).log() - (z / (x + 3)).exp()

    vout, vg = grads_of(expr, xs)
    ts = [Tensor(np.array(v), requires_grad=True, dtype=np.float64) for v in xs]
    tout = expr(*ts)
    tout.backward()
    assert tout.item() == pytest.approx(vout, rel=1e-12)
    np.testing.assert_allclose([t.grad for t in ts], vg, rtol=1e-12)
