"""``utils.checkpoint``: los mismos gradientes que sin checkpoint, el forward se repite en el backward
(se cuentan las llamadas), las activaciones del tramo no se guardan (el grafo de la salida no tiene
los nodos de dentro y sus arrays se liberan), el azar se repite y los errores de PyTorch."""
import gc
import warnings
import weakref

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.autograd import Context, topo_order
from tinygrad_es.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2 = nn.Linear(4, 6), nn.Linear(6, 4)
        self.calls = 0
        self.inner = []

    def forward(self, x, scale=1.0):
        self.calls += 1
        h = tg.tanh(self.l1(x))
        self.inner.append(weakref.ref(h._data))
        return self.l2(h) * scale


def grads(*ts):
    return [t.grad.numpy().copy() for t in ts]


@pytest.mark.parametrize("reentrant", [True, False])
def test_same_grads_as_without_checkpoint_and_forward_is_repeated(reentrant):
    tg.manual_seed(0)
    b = Block().double()
    x = tg.from_numpy(np.random.default_rng(0).standard_normal((3, 4))).requires_grad_(True)
    y = checkpoint(b, x, use_reentrant=reentrant)
    assert b.calls == 1
    (y ** 2).sum().backward()
    assert b.calls == 2                                    # el backward repitió el forward
    got = grads(x, b.l1.weight, b.l2.bias)
    for t in (x, b.l1.weight, b.l2.bias, b.l1.bias, b.l2.weight):
        t.grad = None
    (b(x) ** 2).sum().backward()
    for a, e in zip(got, grads(x, b.l1.weight, b.l2.bias)):
        np.testing.assert_array_equal(a, e)


@pytest.mark.parametrize("reentrant", [True, False])
def test_activations_are_not_kept(reentrant):
    b = Block()
    x = tg.randn(3, 4, requires_grad=True)
    plain = b(x)
    gc.collect()
    assert b.inner[-1]() is not None                       # sin checkpoint, tanh guarda su salida
    nodes_plain = [n for n in topo_order([plain._ctx]) if isinstance(n, Context)]
    y = checkpoint(b, x, use_reentrant=reentrant)
    gc.collect()
    assert b.inner[-1]() is None                           # con checkpoint, nadie la retiene
    nodes = [n for n in topo_order([y._ctx]) if isinstance(n, Context)]
    assert len(nodes) == 1 < len(nodes_plain)              # un solo nodo: el tramo entero
    y.sum().backward()


def test_non_reentrant_gives_param_grads_without_input_grad_and_kwargs():
    b = Block()
    x = tg.randn(2, 4)
    checkpoint(b, x, scale=3.0, use_reentrant=False).sum().backward()
    g = b.l1.weight.grad.numpy().copy()
    b.zero_grad()
    b(x, scale=3.0).sum().backward()
    np.testing.assert_allclose(g, b.l1.weight.grad.numpy(), rtol=1e-6)


def test_reentrant_rules_like_torch():
    b = Block()
    with pytest.warns(UserWarning, match="requires_grad"):
        y = checkpoint(b, tg.randn(2, 4), use_reentrant=True)
    assert not y.requires_grad and b.l1.weight.grad is None
    with pytest.raises(ValueError, match="scale"):
        checkpoint(b, tg.randn(2, 4), scale=2.0, use_reentrant=True)
    with pytest.warns(UserWarning, match="use_reentrant"):
        checkpoint(b, tg.randn(2, 4, requires_grad=True))


@pytest.mark.parametrize("reentrant", [True, False])
def test_dropout_mask_is_the_same_when_recomputed(reentrant):
    d = nn.Dropout(0.5)
    z = tg.ones(6, 10, requires_grad=True)
    out = checkpoint(d, z, use_reentrant=reentrant)
    out.sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), (out.detach().numpy() != 0) * 2.0)


def test_determinism_check_and_no_grad():
    state = {"n": 3}

    def f(x):
        state["n"] += 1
        return x[: state["n"] % 2 + 1] * 2

    y = checkpoint(f, tg.randn(4, requires_grad=True), use_reentrant=False)
    with pytest.raises(CheckpointError):
        y.sum().backward()
    with tg.no_grad():
        assert not checkpoint(Block(), tg.randn(2, 4), use_reentrant=False).requires_grad


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_sequential_matches_plain(reentrant):
    tg.manual_seed(0)
    seq = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    x = tg.from_numpy(np.random.default_rng(1).standard_normal((4, 3))).requires_grad_(True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = checkpoint_sequential(seq, 2, x, use_reentrant=reentrant)
    (y ** 2).sum().backward()
    got = grads(x, seq[0].weight, seq[4].weight)
    seq.zero_grad()
    x.grad = None
    (seq(x) ** 2).sum().backward()
    for a, e in zip(got, grads(x, seq[0].weight, seq[4].weight)):
        np.testing.assert_allclose(a, e, rtol=1e-12)


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_nested_outputs(reentrant):
    lin = nn.Linear(3, 3)

    def f(x):
        h = lin(x)
        return {"a": h.relu(), "rest": (h.sigmoid(), 7)}

    x = tg.randn(2, 3, requires_grad=True)
    out = checkpoint(f, x, use_reentrant=reentrant)
    assert set(out) == {"a", "rest"} and out["rest"][1] == 7
    (out["a"].sum() + (out["rest"][0] * 2).sum()).backward()
    g = x.grad.numpy().copy()
    x.grad = None
    out = f(x)
    (out["a"].sum() + (out["rest"][0] * 2).sum()).backward()
    np.testing.assert_allclose(g, x.grad.numpy(), rtol=1e-6)


def test_detach_variable_keeps_requires_grad_and_rejects_lists():
    from tinygrad_es.utils.checkpoint import detach_variable
    x = tg.randn(2, requires_grad=True) * 2
    d, k = detach_variable((x, 3))
    assert d.requires_grad and d.grad_fn is None and k == 3
    with pytest.raises(RuntimeError):
        detach_variable([x])


@pytest.mark.parametrize("reentrant", [True, False])
def test_the_node_keeps_inputs_only_as_saved_tensors(reentrant):
    x = tg.randn(3, 4, requires_grad=True)
    h = x * 2
    y = checkpoint(Block(), h, use_reentrant=reentrant)
    ref = weakref.ref(h._data)
    del h
    assert not any(isinstance(a, tg.Tensor) for a in y._ctx.run.args)
    y.sum().backward()                     # tras el backward el nodo suelta lo guardado
    gc.collect()
    assert ref() is None
