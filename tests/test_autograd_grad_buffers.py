"""El motor guarda en ``.grad`` el propio array que calculó el backward cuando nadie más lo ve (sin
copiarlo, como PyTorch); cuando está compartido, una copia. Estos tests comprueban que nunca
quedan dos ``.grad`` (o un ``.grad`` y otro tensor) mirando la misma memoria."""
import numpy as np

import tinygrad_es as tg
from tinygrad_es.autograd.accumulate import owned_by_engine


def test_owned_only_for_unshared_fresh_arrays():
    a = np.empty((3, 4), np.float32)
    assert owned_by_engine(a)
    b = a
    assert not owned_by_engine(a)  # otra variable lo ve
    del b
    assert not owned_by_engine(a.T)  # una vista
    ro = np.empty(3)
    ro.flags.writeable = False
    assert not owned_by_engine(ro)


def test_linear_grads_are_independent_and_accumulate():
    rng = np.random.default_rng(0)
    x = tg.from_numpy(rng.standard_normal((5, 4)).astype(np.float32))
    w = tg.from_numpy(rng.standard_normal((3, 4)).astype(np.float32)).requires_grad_(True)
    b = tg.from_numpy(rng.standard_normal(3).astype(np.float32)).requires_grad_(True)
    tg.nn.functional.linear(x, w, b).sum().backward()
    gw = w.grad.numpy().copy()
    np.testing.assert_allclose(gw, np.tile(x.numpy().sum(0), (3, 1)), rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), np.full(3, 5.0))
    assert w.grad.numpy().flags.writeable and not np.shares_memory(w.grad.numpy(), w.detach().numpy())
    tg.nn.functional.linear(x, w, b).sum().backward()  # acumula in situ en el .grad anterior
    np.testing.assert_allclose(w.grad.numpy(), 2 * gw, rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), np.full(3, 10.0))


def test_gradient_sent_to_two_leaves_is_copied():
    a = tg.randn(3, 4, requires_grad=True)
    c = tg.randn(3, 4, requires_grad=True)
    (a * 2 + c * 1).sum().backward()
    (a + c).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), c.grad.numpy())
    a.grad.add_(100.0)
    np.testing.assert_allclose(c.grad.numpy(), np.full((3, 4), 2.0))
    np.testing.assert_allclose(a.grad.numpy(), np.full((3, 4), 103.0))


def test_gradient_kept_by_hook_or_retain_grad_is_not_shared():
    w = tg.randn(3, 4, requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g))
    y = w * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert not np.shares_memory(w.grad.numpy(), seen[0].numpy())
    expected = seen[0].numpy().copy()
    w.grad.zero_()
    np.testing.assert_array_equal(seen[0].numpy(), expected)
    assert not np.shares_memory(y.grad.numpy(), w.grad.numpy())


def test_leaf_grad_is_not_an_input_of_the_graph():
    # d(sum(w))/dw sale de un broadcast: el motor no debe guardar una vista de solo lectura
    w = tg.ones(4, requires_grad=True)
    w.sum().backward()
    w.grad.mul_(3.0)
    np.testing.assert_array_equal(w.grad.numpy(), np.full(4, 3.0))
    np.testing.assert_array_equal(w.detach().numpy(), np.ones(4))


def test_sum_of_two_0d_gradients_reaches_backward_as_an_array():
    """numpy suma dos arrays 0-D en un escalar ``np.float32``; el motor debe seguir dando ndarrays a cada
    ``backward`` (los de orden superior distinguen ndarray de Tensor)."""
    from tinygrad_es.autograd.array_function import ArrayFunction

    seen = []

    class Spy(ArrayFunction):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            seen.append(type(g))
            return g * 2

    x = tg.tensor(1.5, requires_grad=True)
    y = Spy.apply(x)
    (y * 3 + y * 5).backward()  # dos gradientes 0-D llegan a y y se suman
    assert seen == [np.ndarray] and x.grad.item() == 16.0
    a = tg.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=tg.float64, requires_grad=True)
    sign, logabsdet = tg.linalg.slogdet(a)
    (sign + logabsdet).backward()
    assert np.allclose(a.grad.numpy(), np.linalg.inv(a.detach().numpy()).T)
