"""Capas de nn con PyTorch al lado: gradcheck en float64, referencia lenta o PyTorch (mismos pesos),
contenedores y claves de state_dict, init y utils."""
import collections
import io

import numpy as np
import pytest

import tinygrad_es as tg
import tinygrad_es.nn.functional as F
from tinygrad_es import nn
from tinygrad_es.gradcheck import gradcheck
from helpers import leaf

try:
    import torch
    import torch.nn as tnn
except ImportError:  # pragma: no cover
    torch = tnn = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")
rng = np.random.default_rng(0)


def copy_params(ours, ref):
    """Copia los parámetros y buffers de nuestro módulo en el de PyTorch (mismas claves)."""
    sd = ours.state_dict()
    ref.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in sd.items()})


def module_gradcheck(m, x, seed=None):
    """gradcheck respecto de la entrada y de cada parámetro (float64)."""
    m.double()
    names = [n for n, _ in m.named_parameters()]
    params = [p.detach().numpy().copy() for _, p in m.named_parameters()]

    def f(xx, *ps):
        originals = {}
        for n, p in zip(names, ps):
            mod, _, attr = n.rpartition(".")
            owner = m.get_submodule(mod)
            originals[(mod, attr)] = owner.__dict__[attr]
            object.__setattr__(owner, attr, p)
        try:
            if seed is not None:
                tg.manual_seed(seed)
            return m(xx)
        finally:
            for (mod, attr), v in originals.items():
                object.__setattr__(m.get_submodule(mod), attr, v)
    gradcheck(f, [x] + params)


# --------------------------------------------------------------------------------------
# activaciones: un módulo por función, frente a PyTorch
# --------------------------------------------------------------------------------------
ACTS = [("ReLU", {}), ("ReLU6", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {"alpha": 0.7}),
        ("CELU", {"alpha": 1.3}), ("SELU", {}), ("GELU", {}), ("GELU", {"approximate": "tanh"}), ("SiLU", {}),
        ("Mish", {}), ("Sigmoid", {}), ("Tanh", {}), ("Softplus", {"beta": 2.0, "threshold": 5.0}), ("Softsign", {}),
        ("Hardsigmoid", {}), ("Hardswish", {}), ("Hardtanh", {"min_val": -0.5, "max_val": 0.8}), ("LogSigmoid", {}),
        ("Tanhshrink", {}), ("Softshrink", {"lambd": 0.3}), ("Hardshrink", {"lambd": 0.3}),
        ("Threshold", {"threshold": 0.1, "value": -2.0}), ("GLU", {"dim": 1}), ("Softmax", {"dim": 1}),
        ("LogSoftmax", {"dim": 1}), ("Softmin", {"dim": 1}), ("Softmax2d", {}), ("PReLU", {}),
        ("PReLU", {"num_parameters": 4, "init": 0.1})]


def _act_input():
    x = rng.standard_normal((3, 4, 2, 2)) * 2
    kinks = np.array([0.0, -0.5, 0.8, 0.3, -0.3, 0.1, 3.0, -3.0, 6.0])
    for k in kinks:  # lejos de los puntos no derivables de todas las activaciones
        x = np.where(np.abs(x - k) < 0.03, x + 0.07, x)
    return x


@pytest.mark.parametrize("name, kw", ACTS, ids=[f"{n}{kw}" for n, kw in ACTS])
def test_activation_modules(name, kw):
    x = _act_input()
    m = getattr(nn, name)(**kw)
    module_gradcheck(m, x)
    if torch is None:
        return
    ref = getattr(tnn, name)(**kw).double()
    copy_params(m, ref)
    xo, xt = leaf(x, True), torch.tensor(x, requires_grad=True)
    yo, yt = m(xo), ref(xt)
    g = rng.standard_normal(tuple(yt.shape))
    yo.backward(leaf(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    if name != "CELU":  # el backward de CELU en PyTorch usa 1/alpha en float32 (avisado a ops)
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert repr(m) == repr(ref).replace("torch.", "")


def test_inplace_activation_modules():
    x = leaf(np.array([-1.0, 2.0]))
    y = nn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0]
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"


# --------------------------------------------------------------------------------------
# capas con parámetros: gradcheck + PyTorch con los mismos pesos + referencia lenta
# --------------------------------------------------------------------------------------
def slow_layer_norm(x, w, b, k, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    m = x.mean(axes, keepdims=True)
    v = ((x - m) ** 2).mean(axes, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def slow_group_norm(x, g, w, b, eps=1e-5):
    n, c = x.shape[:2]
    out = np.empty_like(x)
    per = c // g
    for i in range(n):
        for j in range(g):
            blk = x[i, j * per:(j + 1) * per]
            out[i, j * per:(j + 1) * per] = (blk - blk.mean()) / np.sqrt(blk.var() + eps)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return out * w.reshape(shape) + b.reshape(shape)


LAYERS = {
    "LayerNorm": (lambda: nn.LayerNorm(4), lambda: tnn.LayerNorm(4), (3, 4)),
    "LayerNorm2d": (lambda: nn.LayerNorm((3, 4)), lambda: tnn.LayerNorm((3, 4)), (2, 3, 4)),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), lambda: tnn.GroupNorm(2, 4), (3, 4, 2, 3)),
    "GroupNorm_1d": (lambda: nn.GroupNorm(3, 3), lambda: tnn.GroupNorm(3, 3), (2, 3, 5)),
    "Linear": (lambda: nn.Linear(4, 3), lambda: tnn.Linear(4, 3), (5, 4)),
    "Linear_nobias": (lambda: nn.Linear(4, 3, bias=False), lambda: tnn.Linear(4, 3, bias=False), (2, 2, 4)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (6, 3)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(2, momentum=None), lambda: tnn.BatchNorm2d(2, momentum=None), (4, 2, 3, 3)),
    "Unflatten": (lambda: nn.Unflatten(1, (2, 3)), lambda: tnn.Unflatten(1, (2, 3)), (4, 6)),
    "Flatten": (lambda: nn.Flatten(0, 1), lambda: tnn.Flatten(0, 1), (2, 3, 4)),
    "Identity": (lambda: nn.Identity(7, x=1), lambda: tnn.Identity(7, x=1), (2, 2)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layers_gradcheck_and_torch(name):
    make, tmake, shape = LAYERS[name]
    x = rng.standard_normal(shape)
    m = make()
    for p in m.parameters():  # pesos no triviales
        p.data = leaf(rng.standard_normal(tuple(p.shape)).astype(np.float32))
    module_gradcheck(m, x)
    if name.startswith("LayerNorm"):
        k = len(m.normalized_shape)
        np.testing.assert_allclose(m(leaf(x)).detach().numpy(),
                                   slow_layer_norm(x, m.weight.detach().numpy(), m.bias.detach().numpy(), k),
                                   rtol=1e-10, atol=1e-12)
    if name.startswith("GroupNorm"):
        np.testing.assert_allclose(m(leaf(x)).detach().numpy(),
                                   slow_group_norm(x, m.num_groups, m.weight.detach().numpy(), m.bias.detach().numpy()),
                                   rtol=1e-10, atol=1e-12)
    if torch is None:
        return
    ref = tmake().double()
    copy_params(m, ref)
    m.train(), ref.train()
    for step in range(2):  # dos pasos: también las estadísticas acumuladas de BatchNorm
        xo, xt = leaf(x + step, True), torch.tensor(x + step, requires_grad=True)
        yo, yt = m(xo), ref(xt)
        g = rng.standard_normal(tuple(yt.shape))
        yo.backward(leaf(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (n, p), (tn, tp) in zip(m.named_parameters(), ref.named_parameters()):
        assert n == tn
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-9, atol=1e-12)
    sd, tsd = m.state_dict(), ref.state_dict()
    assert list(sd) == list(tsd)
    for k in sd:
        np.testing.assert_allclose(sd[k].numpy(), tsd[k].numpy(), rtol=1e-10)
    m.eval(), ref.eval()
    np.testing.assert_allclose(m(leaf(x)).detach().numpy(), ref(torch.tensor(x)).detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    assert repr(m) == repr(ref)


def test_embedding_gradcheck_slow_and_torch():
    emb = nn.Embedding(6, 3, padding_idx=2)
    assert np.all(emb.weight.detach().numpy()[2] == 0)
    idx = np.array([[0, 2, 5], [5, 5, 1]])
    out = emb(leaf(idx))
    np.testing.assert_array_equal(out.detach().numpy(), emb.weight.detach().numpy()[idx])
    g = rng.standard_normal((2, 3, 3))
    out.backward(leaf(g))
    slow = np.zeros((6, 3))
    for (i, j), k in np.ndenumerate(idx):
        if k != 2:
            slow[k] += g[i, j]
    np.testing.assert_allclose(emb.weight.grad.numpy(), slow, rtol=1e-6)
    emb.double()
    # padding_idx y scale_grad_by_freq cambian el gradiente por definición (no es la derivada): sólo
    # la búsqueda simple se compara con diferencias finitas; las otras, con la referencia y PyTorch
    gradcheck(lambda w: F.embedding(leaf(idx), w), [emb.weight.detach().numpy().copy()])
    if torch is not None:
        ref = tnn.Embedding(6, 3, padding_idx=2).double()
        copy_params(emb, ref)
        for kw in ({}, {"scale_grad_by_freq": True}):
            a, b = nn.Embedding.from_pretrained(leaf(ref.weight.detach().numpy().copy()), freeze=False, **kw), \
                tnn.Embedding.from_pretrained(ref.weight.detach().clone(), freeze=False, **kw)
            a(leaf(idx)).backward(leaf(g))
            b(torch.tensor(idx)).backward(torch.tensor(g))
            np.testing.assert_allclose(a.weight.grad.numpy(), b.weight.grad.numpy(), rtol=1e-12)
        assert repr(emb) == repr(ref)
    with pytest.raises(IndexError, match=r"índices fuera de rango \[6\]; la tabla tiene 6 filas"):
        emb(leaf(np.array([6])))
    frozen = nn.Embedding.from_pretrained(leaf(np.eye(3)))
    assert not frozen.weight.requires_grad


def test_dropout_modules():
    x = leaf(np.ones((200, 8, 4, 4), np.float32))
    d2 = nn.Dropout2d(0.25)
    y = d2(x).numpy()
    per_channel = y.reshape(200, 8, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1))  # canales enteros
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.3
    d2.eval()
    assert d2(x) is x
    module_gradcheck(nn.Dropout2d(0.5), rng.standard_normal((2, 3, 2, 2)), seed=1)
    module_gradcheck(nn.Dropout(0.3), rng.standard_normal((4, 5)), seed=2)
    with pytest.warns(UserWarning, match="sin lote"):
        nn.Dropout2d()(leaf(np.ones((3, 2, 2), np.float32)))
    assert repr(nn.Dropout2d(0.1)) == "Dropout2d(p=0.1, inplace=False)"


def test_bilinear_against_torch():
    m = nn.Bilinear(3, 2, 4)
    x1, x2 = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    m.double()
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    np.testing.assert_allclose(m(leaf(x1), leaf(x2)).detach().numpy(), np.einsum("ni,kij,nj->nk", x1, w, x2) + b, rtol=1e-10)
    gradcheck(lambda a, c, ww: F.bilinear(a, c, ww), [x1, x2, w.copy()])


# --------------------------------------------------------------------------------------
# contenedores y claves de state_dict (las de PyTorch)
# --------------------------------------------------------------------------------------
def _pair():
    ours = nn.Sequential(collections.OrderedDict([
        ("conv", nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))), ("act", nn.ReLU()),
        ("blocks", nn.ModuleList([nn.Linear(4, 4), nn.LayerNorm(4)])),
        ("heads", nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 3)})), ("emb", nn.Embedding(3, 4))]))
    ref = tnn.Sequential(collections.OrderedDict([
        ("conv", tnn.Sequential(tnn.Linear(4, 4), tnn.BatchNorm1d(4))), ("act", tnn.ReLU()),
        ("blocks", tnn.ModuleList([tnn.Linear(4, 4), tnn.LayerNorm(4)])),
        ("heads", tnn.ModuleDict({"a": tnn.Linear(4, 2), "b": tnn.Linear(4, 3)})), ("emb", tnn.Embedding(3, 4))]))
    return ours, ref


@needs_torch
def test_containers_state_dict_keys_and_repr_like_torch(tmp_path):
    ours, ref = _pair()
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert repr(ours) == repr(ref)
    assert ours.conv is ours[0] and ours.heads["b"].out_features == 3 and len(ours.blocks) == 2
    tg.save(ours.state_dict(), tmp_path / "m.pt")
    ref.load_state_dict(torch.load(tmp_path / "m.pt", weights_only=True))
    torch.save(ref.state_dict(), tmp_path / "r.pt")
    res = ours.load_state_dict(tg.load(tmp_path / "r.pt"))
    assert res.missing_keys == [] and res.unexpected_keys == [] and "coinciden" in repr(res)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    ours.eval(), ref.eval()
    np.testing.assert_allclose(ours.blocks[1](ours.conv(leaf(x))).detach().numpy(),
                               ref.blocks[1](ref.conv(torch.tensor(x))).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_container_operations():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert isinstance(seq[0:2], nn.Sequential) and len(seq[0:2]) == 2 and seq[-1].out_features == 1
    seq.append(nn.Sigmoid())
    assert [k for k, _ in seq.named_children()] == ["0", "1", "2", "3"]
    del seq[1]
    assert [type(m).__name__ for m in seq] == ["Linear", "Linear", "Sigmoid"] and "1.weight" in seq.state_dict()
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml += [nn.Linear(1, 2)]
    ml.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in ml] == ["Tanh", "Linear", "Linear"] and len(list(ml.parameters())) == 4
    md = nn.ModuleDict({"x": nn.ReLU()})
    md["y"] = nn.Tanh()
    assert list(md.keys()) == ["x", "y"] and "y" in md
    pl = nn.ParameterList([leaf(np.ones(2)), nn.Parameter(leaf(np.zeros(3)))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and list(dict(pl.named_parameters())) == ["0", "1"]
    pdict = nn.ParameterDict({"w": leaf(np.ones(2))})
    assert list(pdict.state_dict()) == ["w"]
    grow = nn.Sequential(nn.Linear(2, 3))
    grow.add_module("act", nn.ReLU())
    grow.fc = nn.Linear(3, 1)  # como PyTorch: también entra en forward
    assert [k for k, _ in grow.named_children()] == ["0", "act", "fc"] and grow(leaf(np.ones((4, 2), np.float32))).shape == (4, 1)
    with pytest.raises(TypeError, match="sólo admite módulos"):
        nn.Sequential(nn.Linear(1, 1), lambda x: x)
    with pytest.raises(IndexError, match="fuera de rango"):
        seq[5]


# --------------------------------------------------------------------------------------
# init y utils
# --------------------------------------------------------------------------------------
def test_init_functions():
    w = nn.Parameter(leaf(np.empty((30, 50), np.float32)))
    nn.init.orthogonal_(w, gain=2.0)
    m = w.detach().numpy().astype(np.float64)
    np.testing.assert_allclose(m @ m.T, 4 * np.eye(30), atol=1e-4)
    nn.init.trunc_normal_(w, mean=0.5, std=1.0, a=-0.5, b=1.0)
    assert w.detach().numpy().min() >= -0.5 and w.detach().numpy().max() <= 1.0
    nn.init.eye_(w)
    np.testing.assert_array_equal(w.detach().numpy(), np.eye(30, 50))
    conv = nn.Parameter(leaf(np.empty((4, 2, 3, 3))))
    nn.init.dirac_(conv, groups=2)
    x = rng.standard_normal((1, 2, 5, 5))
    out = F.conv2d(leaf(x), conv, padding=1).detach().numpy()
    np.testing.assert_allclose(out[0, :2], x[0])
    np.testing.assert_allclose(out[0, 2:], x[0])
    big = nn.Parameter(leaf(np.empty((200, 400, 3), np.float64)))
    nn.init.kaiming_normal_(big, mode="fan_out", nonlinearity="relu")
    assert abs(big.detach().numpy().std() - np.sqrt(2 / (200 * 3))) < 0.01 * np.sqrt(2 / 600)
    nn.init.kaiming_uniform_(big, a=0.1, mode="fan_in", nonlinearity="leaky_relu")
    bound = np.sqrt(3) * np.sqrt(2 / (1 + 0.01)) / np.sqrt(400 * 3)
    assert np.abs(big.detach().numpy()).max() <= bound and np.abs(big.detach().numpy()).max() > 0.99 * bound
    with pytest.raises(ValueError, match="mode=.* no es válido; usa .fan_in. o .fan_out."):
        nn.init.kaiming_normal_(big, mode="fan")
    with pytest.raises(ValueError, match="activación desconocida"):
        nn.init.calculate_gain("swish")
    if torch is not None:
        for name, p in [("linear", None), ("tanh", None), ("relu", None), ("leaky_relu", 0.2), ("selu", None),
                        ("conv2d", None), ("sigmoid", None)]:
            assert nn.init.calculate_gain(name, p) == pytest.approx(tnn.init.calculate_gain(name, p))
    g = tg.Generator().manual_seed(3)
    a = nn.init.normal_(leaf(np.empty(5)), generator=g).numpy().copy()
    b = nn.init.normal_(leaf(np.empty(5)), generator=tg.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
def test_clip_grad_norm_like_torch(norm_type):
    shapes = [(3, 4), (4,), (2, 2)]
    grads = [rng.standard_normal(s) * 3 for s in shapes]
    ps = [nn.Parameter(leaf(np.zeros(s))) for s in shapes]
    for p, g in zip(ps, grads):
        p.grad = leaf(g.copy())
    total = nn.utils.clip_grad_norm_(ps, max_norm=1.5, norm_type=norm_type)
    flat = np.concatenate([g.reshape(-1) for g in grads])
    expect = np.abs(flat).max() if norm_type == float("inf") else (np.abs(flat) ** norm_type).sum() ** (1 / norm_type)
    assert total.item() == pytest.approx(expect, rel=1e-12)
    coef = min(1.0, 1.5 / (expect + 1e-6))
    for p, g in zip(ps, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-12)
    if torch is not None:
        tps = [torch.nn.Parameter(torch.zeros(s, dtype=torch.float64)) for s in shapes]
        for p, g in zip(tps, grads):
            p.grad = torch.tensor(g.copy())
        ttotal = torch.nn.utils.clip_grad_norm_(tps, 1.5, norm_type)
        assert total.item() == pytest.approx(ttotal.item(), rel=1e-12)
        for p, tp in zip(ps, tps):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_clip_value_and_vector_conversion():
    ps = [nn.Parameter(leaf(rng.standard_normal((2, 3)))), nn.Parameter(leaf(rng.standard_normal(4)))]
    for p in ps:
        p.grad = leaf(rng.standard_normal(tuple(p.shape)) * 5)
    nn.utils.clip_grad_value_(ps, 0.5)
    assert all(np.abs(p.grad.numpy()).max() <= 0.5 for p in ps)
    vec = nn.utils.parameters_to_vector(ps)
    assert vec.shape == (10,) and vec.requires_grad
    nn.utils.vector_to_parameters(leaf(np.arange(10.0)), ps)
    np.testing.assert_array_equal(ps[0].detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(ps[1].detach().numpy(), np.arange(6.0, 10.0))
    with pytest.raises(ValueError, match="11 elementos y los parámetros 10"):
        nn.utils.vector_to_parameters(leaf(np.arange(11.0)), ps)


def test_state_dict_roundtrip_through_buffer_io():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    buf = io.BytesIO()
    tg.save(m.state_dict(), buf)
    buf.seek(0)
    m2 = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    m2.load_state_dict(tg.load(buf))
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("shape", [(5, 1), (3, 4)])
def test_layer_norm_float32_constant_rows_give_zero_input_grad(shape):
    # Filas constantes (D = 1, o todas iguales): x̂ = 0 y ∂x = σ̂·(g·w − media(g·w)) = 0 exacto, como PyTorch.
    # Con g·w redondeado a float32 antes de restar la media en float64 salía ~1e-6.
    x = leaf(np.full(shape, 0.7, np.float32), True)
    m = nn.LayerNorm(shape[-1])
    m.weight.data = leaf(np.full(shape[-1], 1.3, np.float32))
    y = m(x)
    y.backward(leaf(np.full(shape, 2.1, np.float32)))
    assert x.grad.dtype == np.float32
    assert np.all(x.grad.numpy() == 0.0)
