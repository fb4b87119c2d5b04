"""``optim.swa_utils`` contra ``torch.optim.swa_utils``: SWA y EMA (``AveragedModel`` con ``avg_fn``,
``multi_avg_fn`` y ``use_buffers``), ``update_bn``, ``SWALR``; y los optimizadores nuevos desde un programa
de PyTorch sin cambiar (el alias ``torch`` → tinygrad_es)."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn, optim
from tinygrad_es.optim import swa_utils

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch no está instalado")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _model(N, dtype):
    m = N.Sequential(N.Linear(3, 4), N.BatchNorm1d(4), N.ReLU(), N.Linear(4, 2))
    return m.double() if dtype == np.float64 else m


def _set(model, arrays, T):
    with T.no_grad():
        for p, a in zip(model.parameters(), arrays):
            p.copy_(T.from_numpy(a))


def averaged(lib, dtype, make_avg, updates=5, seed=0):
    """Los parámetros y buffers del modelo promediado tras ``updates`` llamadas a ``update_parameters``
    (entre una y otra, pesos aleatorios y un lote por el modelo en modo train para mover los buffers)."""
    T, N, su = (tg, nn, swa_utils) if lib == "ours" else (torch, torch.nn, torch.optim.swa_utils)
    model = _model(N, dtype)
    avg = make_avg(su, model)
    rng = np.random.default_rng(seed)
    for _ in range(updates):
        _set(model, [rng.standard_normal(tuple(p.shape)).astype(dtype) for p in model.parameters()], T)
        with T.no_grad():
            model(T.from_numpy(rng.standard_normal((8, 3)).astype(dtype)))
        avg.update_parameters(model)
    return avg


CASES = {
    "swa": lambda su, m: su.AveragedModel(m),
    "swa_buffers": lambda su, m: su.AveragedModel(m, use_buffers=True),
    "ema_multi": lambda su, m: su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(0.9)),
    "ema_multi_buffers": lambda su, m: su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(0.7),
                                                        use_buffers=True),
    "ema_fn": lambda su, m: su.AveragedModel(m, avg_fn=su.get_ema_avg_fn(0.8)),
    "swa_multi": lambda su, m: su.AveragedModel(m, multi_avg_fn=su.get_swa_multi_avg_fn()),
    "swa_fn": lambda su, m: su.AveragedModel(m, avg_fn=su.get_swa_avg_fn()),
}


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_averaged_model_like_torch(name, dtype):
    ours, ref = averaged("ours", dtype, CASES[name]), averaged("torch", dtype, CASES[name])
    so, st = ours.state_dict(), ref.state_dict()
    assert list(so) == list(st)  # mismas claves, mismo orden (module.*, n_averaged)
    tol = dict(rtol=1e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-14, atol=1e-15)
    for k in st:
        a, b = so[k].numpy(), st[k].numpy()
        assert a.dtype == b.dtype, k
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, err_msg=k, **tol)
        else:
            np.testing.assert_array_equal(a, b, err_msg=k)
    assert int(ours.n_averaged) == 5
    x = np.random.default_rng(3).standard_normal((5, 3)).astype(dtype)
    ours.eval(), ref.eval()
    np.testing.assert_allclose(ours(tg.from_numpy(x)).detach().numpy(), ref(torch.from_numpy(x)).detach().numpy(),
                               **tol)


def test_swa_is_the_mean_and_ema_the_exponential_average():
    lin = nn.Linear(2, 1, bias=False)
    swa = swa_utils.AveragedModel(lin)
    ema = swa_utils.AveragedModel(lin, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.5))
    ws = [1.0, 2.0, 6.0, -1.0]
    for w in ws:
        with tg.no_grad():
            lin.weight.fill_(w)
        swa.update_parameters(lin)
        ema.update_parameters(lin)
    np.testing.assert_allclose(swa.module.weight.detach().numpy(), np.mean(ws))
    e = ws[0]
    for w in ws[1:]:
        e = 0.5 * e + 0.5 * w
    np.testing.assert_allclose(ema.module.weight.detach().numpy(), e)
    assert lin.weight.requires_grad and swa.module.weight is not lin.weight
    assert list(dict(swa.named_buffers())) == ["n_averaged"]


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_update_bn_like_torch(dtype):
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((6, 3)).astype(dtype) * (i + 1) for i in range(4)]
    w = None
    out = []
    for T, N, su in ((tg, nn, swa_utils), (torch, torch.nn, torch.optim.swa_utils)):
        model = _model(N, dtype)
        model[1].momentum = 0.3
        if w is None:
            w = [np.random.default_rng(1).standard_normal(tuple(p.shape)).astype(dtype) for p in model.parameters()]
        _set(model, w, T)
        model.eval()
        loader = [(T.from_numpy(b), T.zeros(6)) for b in batches]  # (entrada, etiqueta): usa la entrada
        su.update_bn(loader, model)
        assert not model.training and model[1].momentum == 0.3
        bn = model[1]
        out.append([bn.running_mean.detach().numpy(), bn.running_var.detach().numpy(),
                    int(bn.num_batches_tracked)])
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(out[0][0], out[1][0], **tol)
    np.testing.assert_allclose(out[0][1], out[1][1], **tol)
    assert out[0][2] == out[1][2] == 4


def test_update_bn_without_batchnorm_does_nothing():
    model = nn.Linear(2, 2)
    swa_utils.update_bn([tg.ones(1, 2)], model)  # ni siquiera recorre el loader
    model.train()
    calls = []
    swa_utils.update_bn(iter(lambda: calls.append(1), 0), model)
    assert calls == []


@needs_torch
@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("epochs", [0, 1, 3])
def test_swalr_like_torch(strategy, epochs):
    res = []
    for T, mod in ((tg, optim), (torch, torch.optim)):
        p = T.zeros(1, requires_grad=True)
        opt = mod.SGD([{"params": [p]}, {"params": [T.zeros(1, requires_grad=True)], "lr": 0.5}], lr=1.0)
        first = mod.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        swa = mod.swa_utils.SWALR(opt, swa_lr=[0.05, 0.2], anneal_epochs=epochs, anneal_strategy=strategy)
        lrs = []
        for i in range(7):
            opt.step()
            (first if i < 2 else swa).step()
            lrs.append([g["lr"] for g in opt.param_groups])
        sd = swa.state_dict()
        assert "anneal_func" not in sd and "optimizer" not in sd
        res.append((lrs, swa.get_last_lr(), sorted(sd)))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-15)
    assert res[0][1] == pytest.approx(res[1][1]) and res[0][2] == res[1][2]


def test_swalr_state_dict_round_trip():
    def make():
        opt = optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
        return opt, swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy="linear")
    opt, s = make()
    for _ in range(2):
        opt.step()
        s.step()
    opt2, s2 = make()
    s2.load_state_dict(s.state_dict())
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    for _ in range(3):
        opt.step(), s.step(), opt2.step(), s2.step()
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    assert s2.anneal_func(0.5) == 0.5  # la función de la transición se restaura ("linear")


def test_errors_are_clear():
    with pytest.raises(AssertionError, match="avg_fn o multi_avg_fn"):
        swa_utils.AveragedModel(nn.Linear(1, 1), avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(ValueError, match="decay"):
            swa_utils.get_ema_multi_avg_fn(bad)
        with pytest.raises(ValueError, match="decay"):
            swa_utils.get_ema_avg_fn(bad)
    opt = optim.SGD([tg.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr"):
        swa_utils.SWALR(opt, swa_lr=[0.1, 0.2])


PROGRAM = """
import torch
import torch.nn as nn
from torch.optim.swa_utils import AveragedModel, SWALR, update_bn, get_ema_multi_avg_fn

torch.manual_seed(0)
x = torch.linspace(-1, 1, 32).reshape(-1, 1)
y = 3 * x + 0.5
model = nn.Sequential(nn.Linear(1, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 1))
opt = torch.optim.LBFGS(model.parameters(), lr=0.5, line_search_fn="strong_wolfe")
def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    return loss
for _ in range(5):
    opt.step(closure)
print("lbfgs", float(closure()) < 1e-3)
swa = AveragedModel(model)
ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9))
sgd = torch.optim.SGD(model.parameters(), lr=0.01)
sched = SWALR(sgd, swa_lr=0.005, anneal_epochs=2)
for _ in range(3):
    sgd.zero_grad(); nn.functional.mse_loss(model(x), y).backward(); sgd.step(); sched.step()
    swa.update_parameters(model); ema.update_parameters(model)
update_bn([(x, y)], swa)
print("swa", int(swa.n_averaged), round(sched.get_last_lr()[0], 4))
for name, make in [("Rprop", lambda p: torch.optim.Rprop(p)), ("ASGD", lambda p: torch.optim.ASGD(p, lr=0.05)),
                   ("Adafactor", lambda p: torch.optim.Adafactor(p, lr=0.05))]:
    w = torch.full((3, 2), 0.5, requires_grad=True)
    o = make([w])
    for _ in range(60):
        o.zero_grad(); ((w - 1) ** 2).sum().backward(); o.step()
    print(name, bool(((w - 1).abs() < 0.2).all()))
"""


def test_pytorch_program_runs_unmodified(tmp_path):
    (tmp_path / "prog.py").write_text(textwrap.dedent(PROGRAM), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONIOENCODING="utf-8")
    r = subprocess.run([sys.executable, "-m", "tinygrad_es", "ejecutar", "prog.py"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["lbfgs", "True", "swa", "3", "0.005", "Rprop", "True", "ASGD", "True",
                                "Adafactor", "True"], r.stdout


@needs_torch
def test_averaged_model_state_dict_from_torch_continues_like_torch():
    """El ``state_dict`` de un ``AveragedModel`` de PyTorch (torch.save → tg.load) se carga aquí y los
    promedios siguientes coinciden."""
    import io
    ref = averaged("torch", np.float64, CASES["ema_multi_buffers"], updates=3)
    buf = io.BytesIO()
    torch.save(ref.state_dict(), buf)
    buf.seek(0)
    ours = CASES["ema_multi_buffers"](swa_utils, _model(nn, np.float64))
    ours.load_state_dict(tg.load(buf))
    assert int(ours.n_averaged) == 3
    rng = np.random.default_rng(5)
    for _ in range(2):
        ws = [rng.standard_normal(tuple(p.shape)) for p in ref.module.parameters()]
        for avg, T, N in ((ours, tg, nn), (ref, torch, torch.nn)):
            model = _model(N, np.float64)
            _set(model, ws, T)
            avg.update_parameters(model)
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-14, atol=1e-15, err_msg=k)
