"""Los optimizadores con la semántica de PyTorch: mismos pasos que torch.optim (N pasos), validación
de hiperparámetros, add_param_group, zero_grad, state_dict en los dos sentidos y errores típicos."""
import io

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn, optim

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")

CASES = {
    "SGD": lambda m, p: m.SGD(p, lr=0.1),
    "SGD_nesterov": lambda m, p: m.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "SGD_damp_max": lambda m, p: m.SGD(p, lr=0.1, momentum=0.5, dampening=0.3, weight_decay=0.01, maximize=True),
    "Adam": lambda m, p: m.Adam(p, lr=0.01, weight_decay=0.1),
    "Adam_amsgrad": lambda m, p: m.Adam(p, lr=0.01, amsgrad=True, betas=(0.8, 0.9)),
    "AdamW": lambda m, p: m.AdamW(p, lr=0.01),
    "RMSprop": lambda m, p: m.RMSprop(p, lr=0.01),
    "RMSprop_centered": lambda m, p: m.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
    "Adadelta": lambda m, p: m.Adadelta(p, lr=1.0, weight_decay=0.01),
    "Adagrad": lambda m, p: m.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.01),
    "Adamax": lambda m, p: m.Adamax(p, lr=0.01, weight_decay=0.01),
    "NAdam": lambda m, p: m.NAdam(p, lr=0.01, weight_decay=0.01),
    "NAdam_decoupled": lambda m, p: m.NAdam(p, lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
    "RAdam": lambda m, p: m.RAdam(p, lr=0.01, weight_decay=0.01),
    "RAdam_decoupled": lambda m, p: m.RAdam(p, lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
    "Rprop": lambda m, p: m.Rprop(p, lr=0.05, etas=(0.4, 1.3), step_sizes=(1e-3, 0.2)),
    "Rprop_max": lambda m, p: m.Rprop(p, maximize=True),
    "ASGD": lambda m, p: m.ASGD(p, lr=0.05, t0=5, lambd=0.01, weight_decay=0.1),
    "ASGD_default": lambda m, p: m.ASGD(p, maximize=True),
    "Adafactor": lambda m, p: m.Adafactor(p),
    "Adafactor_all": lambda m, p: m.Adafactor(p, lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=1.5,
                                              weight_decay=0.1, maximize=True),
}
# PyTorch funde algunas multiplicaciones y sumas (FMA) en sus núcleos vectoriales: el último bit
# de algunos elementos puede diferir; la fórmula y el orden de las operaciones son los mismos.
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def trajectory(lib, make, dtype, steps=25, seed=0, split=None):
    """Parámetros tras ``steps`` pasos con gradientes aleatorios fijos. Con ``split``, a mitad se
    guarda el estado en un .pt, se crea un optimizador nuevo y se carga."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal((37, 5)).astype(dtype)
    b0 = rng.standard_normal(5).astype(dtype)
    if lib == "ours":
        W, B, mod = nn.Parameter(tg.from_numpy(w0.copy())), nn.Parameter(tg.from_numpy(b0.copy())), optim
        wrap = tg.from_numpy
    else:
        W, B, mod = torch.nn.Parameter(torch.from_numpy(w0.copy())), torch.nn.Parameter(torch.from_numpy(b0.copy())), \
            torch.optim
        wrap = torch.from_numpy
    opt = make(mod, [W, B])
    grng = np.random.default_rng(seed + 1)
    for i in range(steps):
        if i == split:
            buf = io.BytesIO()
            (tg.save if lib == "ours" else torch.save)(opt.state_dict(), buf)
            buf.seek(0)
            sd = tg.load(buf) if lib == "ours" else torch.load(buf, weights_only=True)
            opt = make(mod, [W, B])
            opt.load_state_dict(sd)
        W.grad = wrap(grng.standard_normal(w0.shape).astype(dtype))
        B.grad = wrap(grng.standard_normal(b0.shape).astype(dtype))
        opt.step()
    return opt, W.detach().numpy().copy(), B.detach().numpy().copy()


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_same_steps_as_torch(name, dtype):
    ours, w, b = trajectory("ours", CASES[name], dtype)
    ref, tw, tb = trajectory("torch", CASES[name], dtype)
    np.testing.assert_allclose(w, tw, **TOL[dtype])
    np.testing.assert_allclose(b, tb, **TOL[dtype])
    assert w.dtype == dtype
    sd, tsd = ours.state_dict(), ref.state_dict()
    assert set(sd["param_groups"][0]) == set(tsd["param_groups"][0])
    for i in tsd["state"]:
        assert set(sd["state"][i]) == set(tsd["state"][i])
        for k, v in tsd["state"][i].items():
            if v is not None:
                np.testing.assert_allclose(sd["state"][i][k].numpy(), v.numpy(), rtol=1e-4, atol=1e-6)
                assert sd["state"][i][k].dtype == v.numpy().dtype  # 'step' en float32 como PyTorch


@pytest.mark.parametrize("name", list(CASES))
def test_resume_from_pt_file_gives_same_trajectory(name):
    _, w, b = trajectory("ours", CASES[name], np.float64)
    _, w2, b2 = trajectory("ours", CASES[name], np.float64, split=10)
    np.testing.assert_array_equal(w, w2)
    np.testing.assert_array_equal(b, b2)


@needs_torch
@pytest.mark.parametrize("name", ["Adam", "SGD_nesterov", "Adadelta", "NAdam", "RMSprop_centered", "Rprop", "ASGD",
                                  "Adafactor"])
def test_state_dict_crosses_to_torch_and_back(name):
    """Nuestro estado -> torch.optim (vía .pt) y el de torch -> el nuestro: siguen igual."""
    make = CASES[name]
    ours, w, b = trajectory("ours", make, np.float64, steps=10)
    buf = io.BytesIO()
    tg.save(ours.state_dict(), buf)
    buf.seek(0)
    W, B = torch.nn.Parameter(torch.from_numpy(w.copy())), torch.nn.Parameter(torch.from_numpy(b.copy()))
    t_opt = make(torch.optim, [W, B])
    t_opt.load_state_dict(torch.load(buf, weights_only=True))
    W2, B2 = nn.Parameter(tg.from_numpy(w.copy())), nn.Parameter(tg.from_numpy(b.copy()))
    o_opt = make(optim, [W2, B2])
    buf2 = io.BytesIO()
    torch.save(t_opt.state_dict(), buf2)
    buf2.seek(0)
    o_opt.load_state_dict(tg.load(buf2))
    rng = np.random.default_rng(7)
    for _ in range(5):
        gw, gb = rng.standard_normal(w.shape), rng.standard_normal(b.shape)
        W.grad, B.grad = torch.from_numpy(gw), torch.from_numpy(gb)
        W2.grad, B2.grad = tg.from_numpy(gw), tg.from_numpy(gb)
        t_opt.step()
        o_opt.step()
    np.testing.assert_allclose(W2.detach().numpy(), W.detach().numpy(), rtol=1e-12, atol=1e-13)


def _p():
    return nn.Parameter(tg.zeros(3))


@pytest.mark.parametrize("make, msg", [
    (lambda: optim.SGD([_p()], lr=-0.1), "lr"),
    (lambda: optim.Adam([_p()], lr=float("nan")), "lr"),
    (lambda: optim.SGD([_p()], lr=0.1, momentum=-0.9), "momentum"),
    (lambda: optim.SGD([_p()], lr=0.1, weight_decay=-1), "weight_decay"),
    (lambda: optim.Adam([_p()], eps=-1e-8), "eps"),
    (lambda: optim.Adam([_p()], betas=(1.0, 0.999)), r"betas\[0\]"),
    (lambda: optim.AdamW([_p()], betas=(0.9, -0.1)), r"betas\[1\]"),
    (lambda: optim.RMSprop([_p()], alpha=1.5), "alpha"),
    (lambda: optim.RMSprop([_p()], alpha=-0.1), "alpha"),
    (lambda: optim.Adadelta([_p()], rho=1.1), "rho"),
    (lambda: optim.Adagrad([_p()], lr_decay=-1), "lr_decay"),
    (lambda: optim.NAdam([_p()], momentum_decay=-1), "momentum_decay"),
    (lambda: optim.SGD([_p()], lr=0.1, nesterov=True), "Nesterov"),
    (lambda: optim.SGD([], lr=0.1), "vacía"),
])
def test_hyperparameter_validation(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_common_mistakes_give_clear_type_errors():
    model = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"recibió el modelo \(Linear\).*model.parameters\(\)"):
        optim.SGD(model, lr=0.1)
    with pytest.raises(TypeError, match=r"sin llamarlo.*model.parameters\(\) con paréntesis"):
        optim.Adam(model.parameters, lr=0.1)
    with pytest.raises(TypeError, match="Tensor suelto"):
        optim.SGD(_p(), lr=0.1)
    with pytest.raises(TypeError, match="sólo optimiza tensores"):
        optim.SGD([1.0, 2.0], lr=0.1)
    with pytest.raises(TypeError, match="set"):
        optim.SGD([{"params": {_p()}}], lr=0.1)
    with pytest.raises(ValueError, match="no es hoja"):
        optim.SGD([_p() * 2], lr=0.1)


def test_add_param_group_zero_grad_and_versions():
    a, b = _p(), _p()
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 1.0})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 1.0
    with pytest.raises(ValueError, match="más de un grupo"):
        opt.add_param_group({"params": [a]})
    a.grad, b.grad = tg.ones(3), tg.ones(3)
    v0 = a._vc.value
    opt.step()
    assert a.tolist() == pytest.approx([-0.1] * 3) and b.tolist() == pytest.approx([-1.0] * 3)
    assert a._vc.value == v0 + 1  # la actualización es in situ y cuenta como modificación
    opt.zero_grad(set_to_none=False)
    assert a.grad is not None and a.grad.tolist() == [0.0] * 3
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    assert "Parameter Group 1" in repr(opt) and "momentum: 0.9" in repr(opt)


def test_step_with_closure_and_scalar_values():
    w = nn.Parameter(tg.tensor([3.0]))
    opt = optim.Adadelta([w], lr=1.0)

    def closure():
        opt.zero_grad()
        loss = ((w - 1) ** 2).sum()
        loss.backward()
        return loss
    first = opt.step(closure)
    assert float(first) == pytest.approx(4.0)
    for make in (lambda p: optim.Adagrad(p, lr=0.5), lambda p: optim.Adamax(p, lr=0.1),
                 lambda p: optim.NAdam(p, lr=0.1), lambda p: optim.RAdam(p, lr=0.1), lambda p: optim.Adadelta(p, lr=10),
                 lambda p: optim.Rprop(p, lr=0.1), lambda p: optim.ASGD(p, lr=0.1), lambda p: optim.Adafactor(p, lr=0.1)):
        v = tg.Value(2.0)
        o = make([v])
        for _ in range(300):
            loss = (v - 0.5) ** 2
            o.zero_grad()
            loss.backward()
            o.step()
        assert v.data == pytest.approx(0.5, abs=0.05)


def test_frozen_parameters_are_accepted_like_torch():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    for p in model[0].parameters():
        p.requires_grad_(False)
    before = model[0].weight.detach().numpy().copy()
    opt = optim.SGD(model.parameters(), lr=0.5)
    model(tg.ones(4, 2)).sum().backward()
    opt.step()
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), before)
    assert model[1].weight.grad is not None


def _cpu_has_fma():
    try:
        with open("/proc/cpuinfo") as f:
            return " fma " in f.read()
    except OSError:  # pragma: no cover - sin /proc (otro sistema)
        return False


@needs_torch
@pytest.mark.skipif(not _cpu_has_fma(), reason="sin FMA en la CPU, el paso redondea dos veces (como numpy)")
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", ["SGD", "SGD_nesterov", "SGD_damp_max"])
def test_sgd_steps_are_bit_identical_to_torch(name, dtype):
    """SGD hace ``add_(alpha=)`` con un redondeo por elemento (FMA, ``kernels/sgd.py``), como PyTorch:
    25 pasos dan los mismos bits (con numpy, ``p += −lr·g``, ~2 % de los elementos difieren en el
    último bit desde el primer paso)."""
    _, w, b = trajectory("ours", CASES[name], dtype)
    _, tw, tb = trajectory("torch", CASES[name], dtype)
    np.testing.assert_array_equal(w, tw)
    np.testing.assert_array_equal(b, tb)


BAD_HPARAMS = [
    ("Rprop", dict(lr=-0.1)), ("Rprop", dict(etas=(1.0, 1.2))), ("Rprop", dict(etas=(0.5, 1.0))),
    ("Rprop", dict(etas=(0.0, 1.2))), ("Rprop", dict(etas=(0.5, 1.2), step_sizes=(1e-6, 50))),
    ("ASGD", dict(lr=-1.0)), ("ASGD", dict(weight_decay=-0.1)), ("ASGD", dict(lambd=0.0, alpha=0.0, t0=0)),
    ("Adafactor", dict(lr=-0.1)), ("Adafactor", dict(beta2_decay=0.1)), ("Adafactor", dict(eps=(-1e-30, 1e-3))),
    ("Adafactor", dict(eps=(None, -1e-3))), ("Adafactor", dict(d=0.5)), ("Adafactor", dict(weight_decay=-1.0)),
    ("Adafactor", dict(eps=(1e-30, 0.0), d=1.0, beta2_decay=0.0)),
    ("LBFGS", dict(lr=-1.0)), ("LBFGS", dict(lr=0.5, history_size=5, max_iter=3)),
    ("SparseAdam", dict(lr=0.0)), ("SparseAdam", dict(eps=0.0)), ("SparseAdam", dict(betas=(1.0, 0.9))),
    ("SparseAdam", dict(betas=(0.9, -0.1))), ("SparseAdam", dict(lr=1e-3)),
    ("Muon", dict(lr=-1.0)), ("Muon", dict(momentum=-0.5)), ("Muon", dict(weight_decay=-0.1)),
    ("Muon", dict(adjust_lr_fn="rms")), ("Muon", dict(adjust_lr_fn="match_rms_adamw")),
]


@needs_torch
@pytest.mark.parametrize("name, kw", BAD_HPARAMS, ids=[f"{n}-{kw}" for n, kw in BAD_HPARAMS])
def test_new_optimizers_check_hyperparameters_like_torch(name, kw):
    """La misma condición que PyTorch y la misma clase de excepción (el mensaje, en español)."""
    try:
        getattr(torch.optim, name)([torch.zeros(2, 2, requires_grad=True)], **kw)
        expected = None
    except Exception as e:  # noqa: BLE001 - se compara la clase
        expected = type(e)
    if expected is None:
        getattr(optim, name)([nn.Parameter(tg.zeros(2, 2))], **kw)
    else:
        with pytest.raises(expected) as info:
            getattr(optim, name)([nn.Parameter(tg.zeros(2, 2))], **kw)
        assert not any(w in str(info.value) for w in ("Invalid", "should be")), str(info.value)


@needs_torch
def test_sparse_adam_refuses_dense_gradients_like_torch():
    for T, mod, P in ((tg, optim, nn.Parameter), (torch, torch.optim, torch.nn.Parameter)):
        w = P(T.ones(2))
        opt = mod.SparseAdam([w])
        (w * w).sum().backward()
        with pytest.raises(RuntimeError, match="SparseAdam"):
            opt.step()
        np.testing.assert_array_equal(w.detach().numpy(), [1.0, 1.0])  # nada cambió


def test_optim_has_every_optimizer_of_torch():
    torch_ = pytest.importorskip("torch")
    theirs = {n for n in dir(torch_.optim) if not n.startswith("_") and isinstance(getattr(torch_.optim, n), type)
              and issubclass(getattr(torch_.optim, n), torch_.optim.Optimizer)}
    missing = sorted(n for n in theirs if not hasattr(optim, n))
    assert missing == [], missing
    assert optim.swa_utils.AveragedModel and optim.lr_scheduler.StepLR


MUON = {
    "default": lambda m, p: m.Muon(p),
    "options": lambda m, p: m.Muon(p, lr=0.02, weight_decay=0.01, momentum=0.9, nesterov=False,
                                   adjust_lr_fn="match_rms_adamw", ns_steps=3),
    "coefficients": lambda m, p: m.Muon(p, lr=0.05, ns_coefficients=(2.0, -1.5, 0.5), eps=1e-3, adjust_lr_fn="original"),
}


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(MUON))
def test_muon_same_steps_as_torch(name, dtype):
    """Muon, matrices altas y anchas: la iteración de Newton–Schulz en bfloat16 da los mismos bits que
    PyTorch, y 10 pasos los mismos parámetros (salvo el último bit del paso en float32)."""
    res = []
    for T, mod, P in ((tg, optim, nn.Parameter), (torch, torch.optim, torch.nn.Parameter)):
        rng = np.random.default_rng(1)
        W = [P(T.from_numpy(rng.standard_normal(s).astype(dtype))) for s in ((8, 5), (3, 6))]
        opt = MUON[name](mod, W)
        for _ in range(10):
            for w in W:
                w.grad = T.from_numpy(rng.standard_normal(tuple(w.shape)).astype(dtype))
            opt.step()
        res.append(([w.detach().numpy().copy() for w in W], opt.state_dict()))
    for a, b in zip(res[0][0], res[1][0]):
        np.testing.assert_allclose(a, b, **TOL[dtype])
    assert set(res[0][1]["state"][0]) == set(res[1][1]["state"][0]) == {"momentum_buffer"}


@needs_torch
def test_muon_newton_schulz_in_bfloat16_like_torch():
    from torch.optim._muon import _zeropower_via_newtonschulz
    from tinygrad_es.optim.muon import zeropower_via_newtonschulz
    rng = np.random.default_rng(0)
    for shape in [(4, 6), (6, 4), (16, 16), (37, 5)]:
        g = rng.standard_normal(shape).astype(np.float32)
        ours = zeropower_via_newtonschulz(g, (3.4445, -4.7750, 2.0315), 5, 1e-7)
        ref = _zeropower_via_newtonschulz(torch.from_numpy(g), (3.4445, -4.7750, 2.0315), 5, 1e-7).float().numpy()
        np.testing.assert_array_equal(ours, ref)
        s = np.linalg.svd(ours, compute_uv=False)
        assert 0.5 < s.min() and s.max() < 1.5  # casi ortogonal (valores singulares ~ U(0,5; 1,5))


def test_muon_refuses_non_matrices():
    with pytest.raises(ValueError, match="matrices"):
        optim.Muon([nn.Parameter(tg.zeros(3))])


_UNIT = st.floats(0.05, 0.95)
NEW_OPTIMIZERS = {
    "Rprop": st.fixed_dictionaries(dict(lr=st.floats(1e-4, 0.5), etas=st.tuples(_UNIT, st.floats(1.01, 3.0)),
                                        step_sizes=st.tuples(st.floats(0, 1e-3), st.floats(1e-3, 10)),
                                        maximize=st.booleans())),
    "ASGD": st.fixed_dictionaries(dict(lr=st.floats(1e-4, 0.5), lambd=st.floats(0, 0.1), alpha=st.floats(0, 1),
                                       t0=st.sampled_from([0, 3, 1e6]), weight_decay=st.floats(0, 0.2),
                                       maximize=st.booleans())),
    "Adafactor": st.fixed_dictionaries(dict(lr=st.floats(1e-4, 0.5), beta2_decay=st.floats(-1.5, 0),
                                            eps=st.tuples(st.sampled_from([None, 1e-30, 1e-3]), st.floats(0, 1e-2)),
                                            d=st.floats(1, 3), weight_decay=st.floats(0, 0.2),
                                            maximize=st.booleans())),
}


@needs_torch
@given(data=st.data(), name=st.sampled_from(sorted(NEW_OPTIMIZERS)))
def test_new_optimizers_follow_torch_for_any_options(data, name):
    kw = data.draw(NEW_OPTIMIZERS[name])

    def make(m, p):
        return getattr(m, name)(p, **kw)
    _, w, b = trajectory("ours", make, np.float64, steps=8)
    _, tw, tb = trajectory("torch", make, np.float64, steps=8)
    np.testing.assert_allclose(w, tw, **TOL[np.float64])
    np.testing.assert_allclose(b, tb, **TOL[np.float64])
