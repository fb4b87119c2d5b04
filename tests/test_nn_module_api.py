"""La API de nn.Module como PyTorch: hooks (forward, pre, backward completos), apply, to/double,
requires_grad_, buffers, load_state_dict(strict=False), state_dict que comparte memoria."""
import copy

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn, optim
from helpers import leaf

try:
    import torch
    import torch.nn as tnn
except ImportError:  # pragma: no cover
    torch = tnn = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")
rng = np.random.default_rng(0)


def _np(x):
    return None if x is None else (x.detach().numpy() if hasattr(x, "detach") else np.asarray(x))


def _hooked(lib, input_requires_grad, replace=False):
    """Linear → ReLU → Linear con un hook de backward completo en la primera capa."""
    mod = nn if lib == "ours" else tnn
    torch.manual_seed(0)
    net = mod.Sequential(mod.Linear(3, 4), mod.ReLU(), mod.Linear(4, 2)).double()
    seen = []

    def hook(m, gin, gout):
        seen.append(([_np(g) for g in gin], [_np(g) for g in gout]))
        if replace:
            return tuple(None if g is None else g * 3 for g in gin)
    net[0].register_full_backward_hook(hook)
    return net, seen


@needs_torch
@pytest.mark.parametrize("input_grad", [True, False])
@pytest.mark.parametrize("replace", [False, True])
def test_full_backward_hook_like_torch(input_grad, replace):
    x = rng.standard_normal((5, 3))
    ref, tseen = _hooked("torch", input_grad, replace)
    ours, seen = _hooked("ours", input_grad, replace)
    ours.load_state_dict({k: leaf(v.numpy()) for k, v in ref.state_dict().items()})
    xt, xo = torch.tensor(x, requires_grad=input_grad), leaf(x, input_grad)
    ref(xt).pow(2).sum().backward()
    ours(xo).pow(2).sum().backward()
    assert len(seen) == len(tseen) == 1
    (gin, gout), (tgin, tgout) = seen[0], tseen[0]
    assert len(gin) == len(tgin) and len(gout) == len(tgout)
    for a, b in zip(gin + gout, tgin + tgout):
        assert (a is None) == (b is None)
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12)
    if input_grad:  # el grad_input devuelto por el hook (×3) es el que llega a x
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
    for p, tp in zip(ours.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_backward_pre_hook_changes_grad_output_and_remove():
    lin = nn.Linear(2, 2).double()
    x = leaf(rng.standard_normal((3, 2)), True)
    h = lin.register_full_backward_pre_hook(lambda m, gout: (gout[0] * 0,))
    lin(x).sum().backward()
    assert np.all(x.grad.numpy() == 0) and np.all(lin.weight.grad.numpy() == 0)
    h.remove()
    x.grad = None
    lin(x).sum().backward()
    assert np.any(x.grad.numpy() != 0)


@needs_torch
def test_grad_cam_with_hooks_matches_torch():
    """Grad-CAM: activación (forward hook) y gradiente (backward hook) de la última convolución."""
    def build(mod):
        return mod.Sequential(mod.Conv2d(1, 3, 3), mod.ReLU(), mod.Conv2d(3, 4, 3), mod.ReLU(), mod.Flatten(),
                              mod.Linear(4 * 4 * 4, 5)).double()
    ref, ours = build(tnn), build(nn)
    ours.load_state_dict({k: leaf(v.detach().numpy()) for k, v in ref.state_dict().items()})
    x = rng.standard_normal((1, 1, 8, 8))
    cams = []
    for net, wrap in ((ours, lambda a: leaf(a)), (ref, torch.tensor)):
        store = {}
        net[2].register_forward_hook(lambda m, i, o: store.__setitem__("act", o))
        net[2].register_full_backward_hook(lambda m, gi, go: store.__setitem__("grad", go[0]))
        out = net(wrap(x))
        out[0, int(_np(out).argmax())].backward()
        w = _np(store["grad"]).mean(axis=(2, 3), keepdims=True)
        cams.append(np.maximum((w * _np(store["act"])).sum(1), 0))
    np.testing.assert_allclose(cams[0], cams[1], rtol=1e-10, atol=1e-12)
    assert cams[0].shape == (1, 4, 4) and cams[0].max() > 0


def test_forward_pre_hook_and_hook_ordering():
    lin = nn.Linear(2, 1)
    calls = []
    lin.register_forward_pre_hook(lambda m, args: calls.append("a") or (args[0] * 0,))
    lin.register_forward_pre_hook(lambda m, args: calls.append("b"), prepend=True)
    h = lin.register_forward_hook(lambda m, args, out: out + 100)
    out = lin(leaf(np.ones((1, 2), np.float32)))
    assert calls == ["b", "a"] and out.item() == pytest.approx(lin.bias.item() + 100)
    h.remove()
    with lin.register_forward_hook(lambda m, args, kwargs, out: out * 0, with_kwargs=True):
        assert lin(leaf(np.ones((1, 2), np.float32))).item() == 0
    assert lin(leaf(np.ones((1, 2), np.float32))).item() != 0  # el asa como contexto lo quitó


@needs_torch
def test_apply_order_and_initialisation_like_torch():
    def build(mod):
        return mod.Sequential(mod.Linear(2, 3), mod.Sequential(mod.Conv2d(1, 1, 1), mod.ReLU()), mod.BatchNorm1d(3))
    order, torder = [], []
    build(nn).apply(lambda m: order.append(type(m).__name__))
    build(tnn).apply(lambda m: torder.append(type(m).__name__))
    assert order == torder

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)
    net = build(nn).apply(init)
    assert np.all(net[0].weight.detach().numpy() == 0.5) and net[0].weight._vc.value > 0


def test_to_double_keeps_parameter_objects_for_optimizer():
    net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    params = list(net.parameters())
    opt = optim.SGD(net.parameters(), lr=0.1)
    assert net.double() is net
    assert all(p is q for p, q in zip(params, net.parameters()))
    assert all(p.dtype == tg.float64 for p in net.parameters()) and net[1].running_mean.dtype == tg.float64
    assert net[1].num_batches_tracked.dtype == tg.int64  # los enteros no cambian
    (net(leaf(rng.standard_normal((4, 3)))) ** 3).sum().backward()  # (con sum() a secas el gradiente tras BN es 0)
    before = net[0].weight.detach().numpy().copy()
    opt.step()
    assert not np.array_equal(before, net[0].weight.detach().numpy())
    assert net.float() is net and net[0].weight.dtype == tg.float32
    assert net.to("cpu") is net and net.to(tg.device("cpu"), dtype=tg.float64) is net and net.cpu() is net
    with pytest.raises(RuntimeError, match="GPU"):
        net.to("cuda")
    with pytest.raises(TypeError, match="coma flotante"):
        net.to(tg.int64)


def test_requires_grad_buffers_and_registration():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)
            self.register_buffer("stat", leaf(np.zeros(2)))
            self.register_buffer("tmp", leaf(np.ones(1)), persistent=False)
            self.register_parameter("extra", nn.Parameter(leaf(np.ones(3))))

        def forward(self, x):
            return self.lin(x)
    m = M()
    assert [n for n, _ in m.named_buffers()] == ["stat", "tmp"] and len(list(m.buffers())) == 2
    # orden de PyTorch: parámetros y buffers propios del módulo, después los de cada hijo
    assert list(m.state_dict()) == ["extra", "stat", "lin.weight", "lin.bias"]  # tmp no persiste
    assert [n for n, _ in m.named_parameters()] == ["extra", "lin.weight", "lin.bias"]
    if torch is not None:
        class TM(tnn.Module):
            def __init__(self):
                super().__init__()
                self.lin = tnn.Linear(2, 2)
                self.register_buffer("stat", torch.zeros(2))
                self.register_buffer("tmp", torch.ones(1), persistent=False)
                self.register_parameter("extra", tnn.Parameter(torch.ones(3)))
        assert list(TM().state_dict()) == list(m.state_dict())
        assert [n for n, _ in TM().named_parameters()] == [n for n, _ in m.named_parameters()]
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    with pytest.raises(TypeError, match="parámetro 'extra'"):
        m.extra = leaf(np.zeros(3))
    with pytest.raises(KeyError, match="ya existe"):
        m.register_buffer("lin", leaf(np.zeros(1)))
    with pytest.raises(KeyError, match="no puede estar vacío ni contener"):
        m.register_buffer("a.b", None)
    with pytest.raises(TypeError, match="se espera un Tensor o None"):
        m.register_buffer("z", [1, 2])
    assert m.get_submodule("lin") is m.lin and m.get_parameter("lin.bias") is m.lin.bias
    assert m.get_buffer("stat") is m.stat
    m.extra = None  # como PyTorch: None borra el parámetro
    assert "extra" not in dict(m.named_parameters())
    import types
    assert isinstance(m.parameters(), types.GeneratorType) and isinstance(m.children(), types.GeneratorType)


def test_load_state_dict_strict_false_and_errors():
    a = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    sd = a.state_dict()
    b = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1), nn.Linear(1, 1))
    sd_extra = dict(sd)
    sd_extra["zz"] = leaf(np.zeros(1))
    res = b.load_state_dict(sd_extra, strict=False)
    assert res.missing_keys == ["2.weight", "2.bias"] and res.unexpected_keys == ["zz"]
    missing, unexpected = res  # es una tupla con nombre, como en PyTorch
    np.testing.assert_array_equal(b[0].weight.detach().numpy(), a[0].weight.detach().numpy())
    with pytest.raises(RuntimeError, match=r"faltan claves.*'2.weight'"):
        b.load_state_dict(sd)
    bad = dict(sd)
    bad["0.weight"] = leaf(np.zeros((4, 2)))
    with pytest.raises(RuntimeError, match=r"0\.weight.*\(4, 2\).*\(3, 2\)"):
        a.load_state_dict(bad, strict=False)  # una forma distinta es error incluso sin strict


def test_state_dict_shares_memory_and_deepcopy_copies():
    lin = nn.Linear(2, 2)
    sd = lin.state_dict()
    snap = copy.deepcopy(lin.state_dict())
    with tg.no_grad():
        lin.weight.mul_(0)
    assert np.all(sd["weight"].numpy() == 0)  # como PyTorch: es una vista de los pesos
    assert np.any(snap["weight"].numpy() != 0)
    assert not sd["weight"].requires_grad and lin.state_dict(keep_vars=True)["weight"] is lin.weight
    assert sd._metadata[""]["version"] == 1


def test_zero_grad_and_parameter_memory():
    lin = nn.Linear(2, 2)
    lin(leaf(np.ones((1, 2), np.float32))).sum().backward()
    lin.zero_grad(set_to_none=False)
    assert np.all(lin.weight.grad.numpy() == 0)
    lin.zero_grad()
    assert lin.weight.grad is None
    base = leaf(np.ones(3, np.float32))
    p = nn.Parameter(base)
    with tg.no_grad():
        p.add_(1)
    assert base.tolist() == [2.0, 2.0, 2.0]  # Parameter(t) comparte memoria con t
    with pytest.raises(RuntimeError, match="coma flotante"):
        nn.Parameter(leaf(np.array([1, 2])))
    assert repr(nn.Parameter(leaf(np.zeros(1, np.float32)))).startswith("Parameter containing:")


def test_tensor_and_module_hooks_return_the_same_removable_handle():
    """Un solo ``RemovableHandle`` (como ``torch.utils.hooks.RemovableHandle``): con ``.id`` distinto en
    cada registro, ``.remove()`` y gestor de contexto, en ``Tensor.register_hook`` y en ``Module``."""
    from tinygrad_es.utils.hooks import RemovableHandle
    x = tg.ones(2, requires_grad=True)
    calls = []
    h1 = x.register_hook(lambda g: calls.append("t") or None)
    h2 = tg.nn.Linear(2, 2).register_forward_hook(lambda m, i, o: None)
    assert isinstance(h1, RemovableHandle) and isinstance(h2, RemovableHandle) and h1.id != h2.id
    (x * 2).sum().backward()
    with h1:
        pass  # al salir del bloque se quita
    (x * 2).sum().backward()
    assert calls == ["t"]
    h1.remove()  # quitarlo dos veces no falla
