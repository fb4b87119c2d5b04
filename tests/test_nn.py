"""Módulos, capas, pérdidas e inicialización."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinygrad_es import tensor
import tinygrad_es.nn.functional as F
from tinygrad_es import Tensor, Value, manual_seed, nn
from tinygrad_es.gradcheck import gradcheck

rng = np.random.default_rng(0)


def T64(*shape, scale=1.0):
    return tensor(rng.standard_normal(shape) * scale)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.blocks = [nn.Linear(3, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 2))]
        self.extra = {"head": nn.Linear(2, 1)}
        self.bn = nn.BatchNorm1d(3)

    def forward(self, x):
        x = self.bn(self.fc(x))
        for b in self.blocks:
            x = b(x)
        return self.extra["head"](x)


def test_named_parameters_dotted_and_recursive():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["fc.weight", "fc.bias", "blocks.0.weight", "blocks.0.bias", "blocks.1.1.weight",
                     "blocks.1.1.bias", "extra.head.weight", "extra.head.bias", "bn.weight", "bn.bias"]
    net = Net()
    assert len(list(net.parameters())) == 10
    assert [type(c).__name__ for c in net.children()] == ["Linear", "Linear", "Sequential", "Linear", "BatchNorm1d"]


def test_shared_parameter_counted_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2)
            self.b = self.a
    assert len(list(Tied().parameters())) == 2


def test_unknown_attribute_suggests():
    net = Net()
    with pytest.raises(AttributeError, match="fc"):
        net.fcc
    with pytest.raises(AttributeError):
        nn.Linear(2, 2).wieght


def test_train_eval_propagates_and_zero_grad():
    net = Net()
    net.eval()
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    out = net(tensor(rng.standard_normal((5, 4)).astype(np.float32)))
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_and_errors():
    manual_seed(1)
    a, b = Net(), Net()
    x = tensor(rng.standard_normal((6, 4)).astype(np.float32))
    a(x)  # actualiza estadísticas de BN
    a.eval(); b.eval()
    sd = a.state_dict()
    assert "bn.running_mean" in sd and "bn.num_batches_tracked" in sd
    b.load_state_dict(sd)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    bad = dict(sd)
    bad["fc.weight"] = np.zeros((5, 4))
    with pytest.raises(ValueError, match=r"fc\.weight.*\(5, 4\).*\(3, 4\)"):
        b.load_state_dict(bad)
    missing = dict(sd)
    del missing["fc.bias"]
    with pytest.raises(KeyError, match="fc.bias"):
        b.load_state_dict(missing)


def test_repr_like_pytorch():
    r = repr(nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Linear(4, 2)))
    assert r.splitlines()[0] == "Sequential("
    assert "(0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))" in r
    assert "(2): Linear(in_features=4, out_features=2, bias=True)" in r


def test_forward_hook_reads_activation_and_gradient():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    seen = {}

    def hook(mod, inp, out):
        seen["act"] = out
        out.register_hook(lambda g: seen.__setitem__("grad", g))

    h = net[1].register_forward_hook(hook)
    net(Tensor(rng.standard_normal((2, 3)))).sum().backward()
    assert seen["act"].shape == (2, 4) and seen["grad"].shape == (2, 4)
    h.remove()
    seen.clear()
    net(Tensor(rng.standard_normal((2, 3))))
    assert not seen


# ---- capas con gradcheck en float64 ---------------------------------------------------------
def _to64(m):
    for p in m.parameters():
        p.data = p.data.astype(np.float64)
    for _, mod in m.named_modules():
        for b in mod._buffer_names:
            v = getattr(mod, b)
            if isinstance(v, np.ndarray) and v.dtype == np.float32:
                setattr(mod, b, v.astype(np.float64))
    return m


LAYERS = {
    "Linear": (lambda: nn.Linear(4, 3), (5, 4)),
    "Conv1d": (lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1), (2, 2, 7)),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 6, 5)),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), (2, 2, 4, 4)),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, stride=2, padding=1), (2, 2, 5, 5)),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 4, 4)),
    "Flatten": (lambda: nn.Flatten(), (2, 3, 2)),
    "ReLU": (lambda: nn.ReLU(), (3, 4)),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), (3, 4)),
    "Sigmoid": (lambda: nn.Sigmoid(), (3, 4)),
    "Tanh": (lambda: nn.Tanh(), (3, 4)),
    "Softmax": (lambda: nn.Softmax(dim=1), (3, 4)),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=1), (3, 4)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), (5, 3)),
    "BatchNorm1d_3d": (lambda: nn.BatchNorm1d(3), (4, 3, 2)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(2), (3, 2, 2, 2)),
    "Identity": (lambda: nn.Identity(), (2, 2)),
    "Sequential": (lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), (3, 3)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradcheck(name):
    make, shape = LAYERS[name]
    m = _to64(make())
    x = rng.standard_normal(shape)
    if name in ("MaxPool2d", "ReLU", "LeakyReLU"):
        x = rng.permutation(x.size).reshape(shape) * 0.1 + 0.05 - x.size * 0.05  # sin empates ni ceros
    params = list(m.parameters())  # parameters() es un generador, como en PyTorch
    # (módulo, atributo) de cada parámetro, en el orden de parameters()
    slots = [(mod, k) for _, mod in m.named_modules() for k, v in mod._members() if isinstance(v, nn.Parameter)]
    assert all(getattr(mod, k) is p for (mod, k), p in zip(slots, params)) and len(slots) == len(params)

    def f(xx, *ps):
        for (mod, k), v in zip(slots, ps):
            object.__setattr__(mod, k, v)  # el gradiente va a los tensores de gradcheck
        try:
            return m(xx)
        finally:
            for (mod, k), p in zip(slots, params):
                object.__setattr__(mod, k, p)

    gradcheck(lambda xx, *ps: f(xx, *ps), [tensor(x)] + [tensor(p.detach().numpy().copy()) for p in params])
    # y el gradiente llega de verdad a los parámetros del módulo
    if not params:
        return
    for p in params:
        p.grad = None
    out = m(tensor(x))
    out.backward(np.ones(out.shape))
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params)


def test_batchnorm_train_vs_eval():
    bn = nn.BatchNorm2d(2, momentum=0.5)
    x = rng.standard_normal((8, 2, 3, 3)).astype(np.float32) * 3 + 5
    y = bn(tensor(x)).detach().numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)
    m = x.mean(axis=(0, 2, 3))
    v = x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(bn.running_mean, 0.5 * m, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var, 0.5 + 0.5 * v, rtol=1e-5)
    bn.eval()
    ye = bn(tensor(x)).detach().numpy()
    expected = (x - bn.running_mean[None, :, None, None]) / np.sqrt(bn.running_var[None, :, None, None] + 1e-5)
    np.testing.assert_allclose(ye, expected, rtol=1e-4, atol=1e-5)
    assert int(bn.num_batches_tracked) == 1
    with pytest.raises(ValueError, match="canales"):
        bn(tensor(np.ones((2, 3, 2, 2))))


def test_dropout_expectation_eval_and_seed():
    x = tensor(np.ones((200, 500), np.float32))
    d = nn.Dropout(0.3, seed=0)
    y = d(x).detach().numpy()
    assert abs(y.mean() - 1.0) < 0.01
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
    np.testing.assert_array_equal(nn.Dropout(0.3, seed=0)(x).detach().numpy(), y)
    d.eval()
    assert d(x) is x
    # el gradiente pasa sólo por las unidades conservadas
    xg = tensor(np.ones((4, 5)), requires_grad=True)
    out = nn.Dropout(0.5, seed=3)(xg)
    out.sum().backward()
    np.testing.assert_array_equal(xg.grad, out.detach().numpy())


def test_default_init_like_pytorch():
    manual_seed(0)
    lin = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    assert lin.weight.shape == (50, 100) and lin.weight.dtype == np.float32
    assert np.abs(lin.weight.detach().numpy()).max() <= bound and np.abs(lin.weight.detach().numpy()).max() > 0.9 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    conv = nn.Conv2d(3, 8, 5)
    b = 1 / math.sqrt(3 * 25)
    assert np.abs(conv.weight.detach().numpy()).max() <= b and conv.bias.shape == (8,)


def test_init_functions_statistics():
    w = nn.Parameter(np.empty((400, 300), np.float32))
    nn.init.xavier_uniform_(w)
    a = math.sqrt(6 / 700)
    assert np.abs(w.detach().numpy()).max() <= a and abs(w.detach().numpy().std() - a / math.sqrt(3)) < 0.01 * a
    nn.init.xavier_normal_(w)
    assert abs(w.detach().numpy().std() - math.sqrt(2 / 700)) < 0.02 * math.sqrt(2 / 700)
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(w.detach().numpy()).max() <= math.sqrt(6 / 300)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w.detach().numpy().std() - math.sqrt(2 / 300)) < 0.02 * math.sqrt(2 / 300)
    nn.init.zeros_(w)
    assert not w.detach().numpy().any()
    nn.init.ones_(w)
    assert (w.detach().numpy() == 1).all()


# ---- pérdidas -------------------------------------------------------------------------------
def test_losses_gradcheck():
    z = T64(5, 4)
    y = np.array([0, 3, 1, 1, 2])
    probs = np.abs(rng.standard_normal((5, 4)))
    probs /= probs.sum(1, keepdims=True)
    for red in ("mean", "sum", "none"):
        gradcheck(lambda a: F.cross_entropy(a, y, reduction=red), [z])
        gradcheck(lambda a: F.nll_loss(a.log_softmax(1), y, reduction=red), [z])
        gradcheck(lambda a, b: F.mse_loss(a, b, reduction=red), [z, T64(5, 4)])
    gradcheck(lambda a: F.cross_entropy(a, probs), [z])
    gradcheck(lambda a: F.cross_entropy(a, y, label_smoothing=0.1), [z])
    p = tensor(rng.uniform(0.05, 0.95, (6,)))
    t = tensor((rng.uniform(size=6) > 0.5).astype(np.float64))
    gradcheck(lambda a: F.binary_cross_entropy(a, t), [p])
    gradcheck(lambda a: F.binary_cross_entropy_with_logits(a, t), [T64(6)])
    gradcheck(lambda a, b: F.l1_penalty([a, b], 0.1) + F.l2_penalty([a, b], 0.01),
              [tensor(rng.uniform(0.1, 1, (3,))), tensor(-rng.uniform(0.1, 1, (2, 2)))])


def test_loss_values():
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    y = np.array([0, 1])
    ref = np.mean([-np.log(np.exp(z[i, y[i]]) / np.exp(z[i]).sum()) for i in range(2)])
    assert F.cross_entropy(tensor(z), y).item() == pytest.approx(ref)
    assert F.cross_entropy(tensor(z), F.one_hot(y, 3).float()).item() == pytest.approx(ref)
    with pytest.raises(RuntimeError, match="coma flotante"):  # como PyTorch: probabilidades enteras → error
        F.cross_entropy(tensor(z), F.one_hot(y, 3))
    with pytest.raises(RuntimeError, match="deben ser enteros"):  # como PyTorch: índices de clase float → error
        F.cross_entropy(tensor(z), tensor(y.astype(np.float32)))
    assert F.nll_loss(tensor(z).log_softmax(1), y).item() == pytest.approx(ref)
    # estable con logits enormes
    big = tensor(np.array([[1e4, -1e4], [-1e4, 1e4]], np.float32))
    assert F.cross_entropy(big, np.array([0, 1])).item() == 0.0
    assert F.cross_entropy(big, np.array([1, 1])).item() == pytest.approx(1e4, rel=1e-6)
    assert F.binary_cross_entropy(Tensor([0.0, 1.0]), Tensor([1.0, 0.0])).item() == pytest.approx(100)
    lg = tensor(np.array([1000.0, -1000.0]))
    assert F.binary_cross_entropy_with_logits(lg, tensor(np.array([0.0, 1.0]))).item() == pytest.approx(1000)
    assert F.mse_loss(Tensor([1.0, 3.0]), Tensor([0.0, 0.0])).item() == pytest.approx(5.0)
    w = [tensor(np.array([1.0, -2.0]))]
    assert F.l1_penalty(w, 0.5).item() == pytest.approx(1.5)
    assert F.l2_penalty(w, 0.5).item() == pytest.approx(2.5)


def test_loss_errors():
    z = tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="fuera de rango"):
        F.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        F.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(RuntimeError, match=r"\(3, 4\).*\(3, 3\)"):
        F.mse_loss(z, tensor(np.zeros((3, 3))))
    with pytest.raises(ValueError, match="probabilidad"):
        F.binary_cross_entropy(Tensor([1.5]), Tensor([1.0]))
    with pytest.raises(RuntimeError, match="4 características"):
        nn.Linear(3, 2)(z)


# ---- gemelo escalar ---------------------------------------------------------------------------
def test_scalar_mlp_shares_module_interface_and_learns_xor():
    from tinygrad_es import optim
    net = nn.MLP(2, [2, 1], activation="sigmoid", seed=3)
    assert len(list(net.parameters())) == 9
    assert [n for n, _ in net.named_parameters()][:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                                                          "layers.0.neurons.0.b"]
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    Y = [0, 1, 1, 0]
    opt = optim.SGD(net.parameters(), lr=2.0)
    for _ in range(3000):
        loss = sum(((net(x) - y) ** 2 for x, y in zip(X, Y)), Value(0.0)) * 0.25
        opt.zero_grad()
        loss.backward()
        opt.step()
    preds = [round(net(x).data) for x in X]
    assert preds == Y, (preds, loss.data)
    sd = net.state_dict()
    net2 = nn.MLP(2, [2, 1], activation="sigmoid", seed=99)
    net2.load_state_dict(sd)
    assert [net2(x).data for x in X] == [net(x).data for x in X]


@given(st.integers(1, 4), st.integers(1, 4))
def test_linear_shapes(n_in, n_out):
    lin = nn.Linear(n_in, n_out)
    assert lin(Tensor(np.ones((3, n_in)))).shape == (3, n_out)
    assert lin(Tensor(np.ones((2, 5, n_in)))).shape == (2, 5, n_out)


def test_forgot_super_init_message():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(x)

    with pytest.raises(AttributeError, match="super"):
        Bad().state_dict()
