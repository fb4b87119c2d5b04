"""optim.lr_scheduler: la misma secuencia de tasas que PyTorch (30 pasos, error ≤ 1e-12), fórmulas
cerradas, state_dict (también a través de un .pt) y errores."""
import io
import math
import warnings

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import optim
from tinygrad_es.optim import lr_scheduler as L

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def _params():
    return [tg.Tensor(np.ones(2), requires_grad=True), tg.Tensor(np.ones(3), requires_grad=True)]


def make_opt(lib, kind="sgd"):
    """Dos grupos de parámetros con tasas distintas, en tinygrad_es o en PyTorch."""
    if lib == "ours":
        a, b = _params()
        mod = optim
    else:
        a, b = (torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True))
        mod = torch.optim
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "sgd":
        return mod.SGD(groups, lr=0.1, momentum=0.9)
    return mod.Adam(groups, lr=0.1)


CASES = {
    "StepLR": (lambda m, o: m.StepLR(o, step_size=4, gamma=0.5), "sgd"),
    "MultiStepLR": (lambda m, o: m.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3), "sgd"),
    "ExponentialLR": (lambda m, o: m.ExponentialLR(o, gamma=0.93), "sgd"),
    "CosineAnnealingLR": (lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.001), "sgd"),
    "LambdaLR": (lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 0.95 ** e, lambda e: 1 / (1 + e)]), "sgd"),
    "MultiplicativeLR": (lambda m, o: m.MultiplicativeLR(o, lr_lambda=lambda e: 0.97), "sgd"),
    "LinearLR": (lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=6), "sgd"),
    "ConstantLR": (lambda m, o: m.ConstantLR(o, factor=0.4, total_iters=5), "sgd"),
    "PolynomialLR": (lambda m, o: m.PolynomialLR(o, total_iters=12, power=2.0), "sgd"),
    "CyclicLR": (lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=4, step_size_down=3,
                                         mode="triangular2"), "sgd"),
    "CyclicLR_exp": (lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range",
                                             gamma=0.97), "sgd"),
    "OneCycleLR": (lambda m, o: m.OneCycleLR(o, max_lr=[0.1, 0.3], total_steps=31), "adam"),
    "OneCycleLR_linear3": (lambda m, o: m.OneCycleLR(o, max_lr=0.2, epochs=3, steps_per_epoch=11,
                                                     anneal_strategy="linear", three_phase=True), "sgd"),
    "CosineAnnealingWarmRestarts": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.002),
                                    "sgd"),
    "SequentialLR": (lambda m, o: m.SequentialLR(o, [m.LinearLR(o, 0.1, total_iters=5),
                                                     m.ExponentialLR(o, 0.9)], milestones=[5]), "sgd"),
    "ChainedScheduler": (lambda m, o: m.ChainedScheduler([m.ConstantLR(o, 0.5, total_iters=4),
                                                          m.ExponentialLR(o, 0.9)]), "sgd"),
}


def run(lib, name, steps=30, metrics=None):
    make, kind = CASES[name] if name in CASES else (None, "sgd")
    opt = make_opt(lib, kind)
    mod = L if lib == "ours" else torch.optim.lr_scheduler
    sched = make(mod, opt) if make else mod.ReduceLROnPlateau(opt, **metrics[0])
    seq = []
    for i in range(steps):
        opt.step()
        if make:
            sched.step()
        else:
            sched.step(metrics[1][i])
        g = opt.param_groups
        seq.append((list(sched.get_last_lr()), [x["lr"] for x in g],
                    [x.get("momentum", x.get("betas", (None,))[0]) for x in g]))
    return seq, sched, opt


def assert_same(a, b):
    for (la, ga, ma), (lb, gb, mb) in zip(a, b):
        for x, y in zip(la + ga + ma, lb + gb + mb):
            assert abs(float(x) - float(y)) <= 1e-12 * max(1.0, abs(float(y))), (a, b)


@pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")
@pytest.mark.parametrize("name", list(CASES))
def test_same_sequence_as_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, s, _ = run("ours", name)
        ref, ts, _ = run("torch", name)
    assert_same(ours, ref)
    mine_keys = set(s.state_dict())
    assert mine_keys == set(ts.state_dict()), mine_keys ^ set(ts.state_dict())


PLATEAU = [
    (dict(mode="min", factor=0.5, patience=2), [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8] * 3),
    (dict(mode="max", factor=0.3, patience=1, threshold=0.01, threshold_mode="abs", cooldown=2, min_lr=[0.01, 0.001]),
     [0.1, 0.2, 0.2, 0.205, 0.3, 0.3, 0.3, 0.3, 0.3, 0.31] * 3),
]


@pytest.mark.parametrize("cfg", PLATEAU, ids=["min-rel", "max-abs-cooldown"])
def test_reduce_on_plateau(cfg):
    ours, s, _ = run("ours", "plateau", metrics=cfg)
    lrs = [x[0][0] for x in ours]
    assert lrs[0] == 0.1 and min(lrs) < 0.1 and all(a >= b for a, b in zip(lrs, lrs[1:]))
    if torch is not None:
        ref, ts, _ = run("torch", "plateau", metrics=cfg)
        assert_same(ours, ref)
        assert set(s.state_dict()) == set(ts.state_dict())


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                                  "ConstantLR", "PolynomialLR"])
def test_chainable_form_matches_closed_form(name):
    """Sin PyTorch: la forma encadenable (paso a paso) coincide con la fórmula cerrada."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seq, s, _ = run("ours", name, steps=25)
        for epoch, (lrs, _, _) in enumerate(seq, start=1):
            s.last_epoch = epoch
            closed = s._get_closed_form_lr()
            for a, b in zip(lrs, closed):
                assert abs(a - b) <= 1e-12 * max(1.0, abs(b))


def test_step_lr_hand_values_and_initial_lr():
    opt = make_opt("ours")
    s = L.StepLR(opt, step_size=2, gamma=0.1)
    assert opt.param_groups[0]["initial_lr"] == 0.1 and s.last_epoch == 0 and s.get_last_lr() == [0.1, 0.05]
    got = []
    for _ in range(5):
        opt.step()
        s.step()
        got.append(s.get_last_lr()[0])
    assert got == pytest.approx([0.1, 0.01, 0.01, 0.001, 0.001], rel=1e-12) and s.last_epoch == 5


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "CyclicLR", "SequentialLR",
                                  "LambdaLR", "CosineAnnealingWarmRestarts"])
def test_state_dict_resume_through_pt_file(name):
    """Parar a mitad, guardar optimizador y planificador en un .pt, cargarlo en objetos nuevos y
    seguir: la misma secuencia que sin parar."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full, _, _ = run("ours", name, steps=20)
        part, s, opt = run("ours", name, steps=8)
        buf = io.BytesIO()
        tg.save({"opt": opt.state_dict(), "sched": s.state_dict()}, buf)
        buf.seek(0)
        ck = tg.load(buf)
        make, kind = CASES[name]
        opt2 = make_opt("ours", kind)
        s2 = make(L, opt2)
        opt2.load_state_dict(ck["opt"])
        s2.load_state_dict(ck["sched"])
        rest = []
        for _ in range(12):
            opt2.step()
            s2.step()
            g = opt2.param_groups
            rest.append((list(s2.get_last_lr()), [x["lr"] for x in g],
                         [x.get("momentum", x.get("betas", (None,))[0]) for x in g]))
    assert_same(part + rest, full)


def test_errors_and_warnings():
    opt = make_opt("ours")
    with pytest.raises(TypeError, match="no es un Optimizer"):
        L.StepLR([1, 2], step_size=1)
    with pytest.raises(ValueError, match=r"ConstantLR: factor debe estar en \[0\.0, 1\.0\], no 2"):
        L.ConstantLR(opt, factor=2)
    with pytest.raises(ValueError, match="start_factor"):
        L.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="se esperaban 2 funciones"):
        L.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: factor debe estar en \[0\.0, 1\.0\), no 1\.5"):
        L.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="mode='mayor' no es válido; usa 'min' o 'max'"):
        L.ReduceLROnPlateau(opt, mode="mayor")
    with pytest.raises(ValueError, match="no admite ReduceLROnPlateau"):
        L.SequentialLR(opt, [L.ReduceLROnPlateau(opt), L.StepLR(opt, 2)], milestones=[2])
    with pytest.raises(ValueError, match="hacen falta 1 hitos"):
        L.SequentialLR(opt, [L.StepLR(opt, 2), L.StepLR(opt, 2)], milestones=[])
    with pytest.raises(ValueError, match="total_steps, o bien epochs"):
        L.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="momentum o betas"):
        L.CyclicLR(optim.Optimizer(_params(), {"lr": 0.1}), 0.01, 0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(make_opt("ours"), step_size=2, last_epoch=3)
    one = L.OneCycleLR(make_opt("ours"), max_lr=0.1, total_steps=2)
    one.optimizer.step()
    one.step()
    with pytest.raises(ValueError, match="total_steps es 2"):
        one.step()
        one.step()
    s = L.ExponentialLR(make_opt("ours"), 0.5)
    with pytest.warns(UserWarning, match="antes que a optimizer.step"):
        s.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()
    assert math.isclose(s.get_last_lr()[0], 0.05)
