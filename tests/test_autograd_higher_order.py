"""El motor de orden superior: ``backward(create_graph=True)``, ``autograd.grad`` completo,
``backward(inputs=...)``, lo guardado reenganchado a su grafo, el error diferido de las operaciones
sin derivada segunda y el motor escalar (``Value.backward(create_graph=True)``)."""
import gc
import math
import weakref

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import Value
from tinygrad_es.autograd import ArrayFunction
from tinygrad_es.autograd.value import local_values


def x64(*v):
    return tg.tensor(list(v), dtype=tg.float64, requires_grad=True)


# ---- Tensor ------------------------------------------------------------------------------------
def test_backward_create_graph_gives_a_grad_with_graph():
    x = x64(1.0, -2.0, 3.0)
    (x * x * x).sum().backward(create_graph=True)
    g = x.grad
    assert g.grad_fn is not None and g.requires_grad
    np.testing.assert_allclose(g.detach().numpy(), 3 * x.detach().numpy() ** 2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy())


def test_grad_of_grad_and_third_derivative():
    x = x64(0.5, 2.0)
    y = (x * x * x * x).sum()                         # x⁴
    (d1,) = tg.autograd.grad(y, x, create_graph=True)     # 4x³
    (d2,) = tg.autograd.grad(d1.sum(), x, create_graph=True)  # 12x²
    (d3,) = tg.autograd.grad(d2.sum(), x)              # 24x
    xs = x.detach().numpy()
    np.testing.assert_allclose(d1.detach().numpy(), 4 * xs ** 3)
    np.testing.assert_allclose(d2.detach().numpy(), 12 * xs ** 2)
    np.testing.assert_allclose(d3.numpy(), 24 * xs)
    assert not d3.requires_grad


def test_grad_several_outputs_share_the_graph_in_one_pass():
    x = x64(1.0, 2.0)
    h = x * x
    a, b = h.sum(), (h * x).sum()
    gx, = tg.autograd.grad([a, b], x)      # sin retain_graph: un solo recorrido
    np.testing.assert_allclose(gx.numpy(), 2 * np.array([1.0, 2.0]) + 3 * np.array([1.0, 4.0]))


def test_grad_outputs_allow_unused_and_materialize():
    x, w = x64(1.0, 2.0), x64(5.0)
    y = x * 3
    (g,) = tg.autograd.grad(y, x, grad_outputs=tg.tensor([1.0, 10.0], dtype=tg.float64))
    np.testing.assert_allclose(g.numpy(), [3.0, 30.0])
    with pytest.raises(RuntimeError, match="no se usó"):
        tg.autograd.grad((x * 3).sum(), [x, w])
    gx, gw = tg.autograd.grad((x * 3).sum(), [x, w], allow_unused=True)
    assert gw is None
    gx, gw = tg.autograd.grad((x * 3).sum(), [x, w], materialize_grads=True)
    np.testing.assert_allclose(gw.numpy(), [0.0])
    with pytest.raises(ValueError, match="materialize_grads"):
        tg.autograd.grad((x * 3).sum(), [x, w], allow_unused=False, materialize_grads=True)
    with pytest.raises(RuntimeError, match=r"forma \(2,\)"):
        tg.autograd.grad(x * 3, x)           # sin grad_outputs, salida no escalar
    with pytest.raises(RuntimeError, match="no requiere gradiente"):
        tg.autograd.grad((x * 3).sum(), tg.tensor([1.0]))


def test_grad_is_grads_batched():
    x = x64(1.0, 2.0, 3.0)
    y = x * x
    vs = tg.eye(3, dtype=tg.float64)
    (jac,) = tg.autograd.grad(y, x, vs, is_grads_batched=True)
    np.testing.assert_allclose(jac.numpy(), np.diag([2.0, 4.0, 6.0]))


def test_backward_inputs_accumulates_only_there_and_prunes():
    x, w = x64(1.0, 2.0), x64(3.0, 4.0)
    h = x * w
    called = []
    w.register_hook(lambda g: called.append(g))
    (h * h).sum().backward(inputs=[x])
    np.testing.assert_allclose(x.grad.numpy(), 2 * (1 * 3) * 3 * np.array([1, 0]) + 2 * (2 * 4) * 4 * np.array([0, 1]))
    assert w.grad is None and not called   # la rama de w ni se recorre
    h2 = x * w
    h2.retain_grad()
    (h2 * h2).sum().backward(inputs=[h2])  # un intermedio: su .grad, y nada más
    np.testing.assert_allclose(h2.grad.numpy(), 2 * np.array([3.0, 8.0]))
    assert w.grad is None


def test_autograd_backward_function():
    x = x64(1.0, 2.0)
    a, b = x * 2, x * x
    tg.autograd.backward([a, b], [tg.ones(2, dtype=tg.float64), tg.ones(2, dtype=tg.float64)])
    np.testing.assert_allclose(x.grad.numpy(), 2 + 2 * np.array([1.0, 2.0]))


def test_saved_input_reattaches_after_its_tensor_is_gone():
    x = x64(0.3, -0.7)
    # x*x es un intermedio que nadie guarda: Mul guarda su dato; en orden superior vuelve con su grafo
    y = ((x * x) * (x * x)).sum()
    (g,) = tg.autograd.grad(y, x, create_graph=True)      # 4x³
    (h,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 12 * x.detach().numpy() ** 2)


def test_first_order_backward_still_releases_and_grad_graph_is_freed():
    x = x64(1.0, 2.0)
    h = x * 3
    y = (h * h).sum()
    node = weakref.ref(h.grad_fn)
    y.backward()
    assert y.grad_fn.freed and h.grad_fn.freed  # primer orden: sin cambios
    del h, y
    gc.collect()
    assert node() is None
    x.grad = None
    y = (x * x).sum()
    y.backward(create_graph=True)
    grad_node = weakref.ref(x.grad.grad_fn)
    x.grad = None
    del y
    gc.collect()
    assert grad_node() is None


class _Square(ArrayFunction):
    """x²: backward sin derivada segunda declarada (ni ``differentiable`` ni ``tangent``)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return 2 * g * a


class _LeakySquare(_Square):
    differentiable = True

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return 2 * g * np.asarray(a)  # ¡pasa un tensor por numpy! perdería el grafo


def test_missing_double_backward_is_a_delayed_error():
    x = x64(1.0, 2.0)
    (g,) = tg.autograd.grad(_Square.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [2.0, 4.0])   # el primer orden, bien
    with pytest.raises(RuntimeError, match="derivada segunda de '_Square' no está implementada"):
        tg.autograd.grad(g.sum(), x)


def test_a_backward_that_loses_the_graph_is_caught():
    x = x64(1.0, 2.0)
    with pytest.raises(RuntimeError, match="ndarray"):
        tg.autograd.grad(_LeakySquare.apply(x).sum(), x, create_graph=True)


def test_hooks_see_tensors_with_graph():
    x = x64(1.0, 2.0)
    seen = []
    x.register_hook(lambda g: seen.append(g.requires_grad) or g * 2)
    (x * x).sum().backward(create_graph=True)
    assert seen == [True]
    np.testing.assert_allclose(x.grad.detach().numpy(), [4.0, 8.0])


# ---- Value -------------------------------------------------------------------------------------
def _fd2(f, x, h=1e-4):
    return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)


SCALAR = {
    "x**3": lambda x: x ** 3,
    "exp(x)*x": lambda x: x.exp() * x if isinstance(x, Value) else math.exp(x) * x,
    "tanh(x)/x": lambda x: x.tanh() / x if isinstance(x, Value) else math.tanh(x) / x,
    "sigmoid(x)-log(x)": lambda x: (x.sigmoid() - x.log()) if isinstance(x, Value)
    else 1 / (1 + math.exp(-x)) - math.log(x),
    "2**x + x**x": lambda x: 2 ** x + x ** x,
    "relu(x)*x - (-x)": lambda x: (x.relu() * x - (-x)) if isinstance(x, Value) else max(x, 0) * x + x,
}


@pytest.mark.parametrize("name", list(SCALAR))
@given(x=st.floats(0.3, 2.5))
def test_value_second_derivative_matches_finite_differences(name, x):
    f = SCALAR[name]
    v = Value(x, "x")
    f(v).backward(create_graph=True)
    d1 = v.grad
    assert isinstance(d1, Value)
    v.grad = 0.0
    d1.backward()
    assert v.grad == pytest.approx(_fd2(f, x), rel=1e-4, abs=1e-4)


@given(a=st.floats(-3, 3), b=st.floats(0.2, 3))
def test_local_values_equal_the_forward_locals(a, b):
    x, y = Value(a), Value(b)
    for n in (x + y, x - y, x * y, x / y, y ** x, -x, x.exp(), y.log(), x.tanh(), x.sigmoid(), x.relu(),
              x.leaky_relu(0.1)):
        want = n._local
        got = tuple(float(v) for v in local_values(n))
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), n._op


def test_value_gradient_graph_can_be_drawn_and_explained():
    from tinygrad_es.viz import draw_graph, explain_backward
    x = Value(2.0, "x")
    (x ** 3).backward(create_graph=True)
    d1 = x.grad
    src = draw_graph(d1).source
    assert "x" in src and "**" in src
    x.grad = 0.0
    text = explain_backward(d1).text
    assert "12" in text  # f''(2) = 6·2
    assert x.grad == pytest.approx(12.0)
