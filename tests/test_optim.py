"""Optimizadores frente a pasos calculados a mano con la fórmula publicada."""
import math

import numpy as np
import pytest

from tinygrad_es import tensor
from tinygrad_es import Tensor, Value, optim


def param(vals, grad):
    p = tensor(np.array(vals, dtype=np.float64), requires_grad=True)
    p.grad = np.array(grad, dtype=np.float64)
    return p


def test_sgd_plain_and_weight_decay():
    p = param([1.0, -2.0], [0.5, 0.25])
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, -2.025])
    p = param([1.0, -2.0], [0.5, 0.25])
    optim.SGD([p], lr=0.1, weight_decay=0.1).step()
    np.testing.assert_allclose(p.data, [1 - 0.1 * 0.6, -2 - 0.1 * (0.25 - 0.2)])


def test_sgd_momentum_and_nesterov_two_steps():
    p = param([1.0], [1.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.step()                       # b = 1          -> p = 0.9
    p.grad = np.array([2.0])
    opt.step()                       # b = 0.9 + 2    -> p = 0.9 - 0.29
    np.testing.assert_allclose(p.data, [0.9 - 0.29])
    q = param([1.0], [1.0])
    opt = optim.SGD([q], lr=0.1, momentum=0.9, nesterov=True)
    opt.step()                       # b = 1, g = 1 + 0.9 = 1.9 -> 0.81
    q.grad = np.array([2.0])
    opt.step()                       # b = 2.9, g = 2 + 2.61 = 4.61
    np.testing.assert_allclose(q.data, [0.81 - 0.461])
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([q], lr=0.1, nesterov=True)


def test_adam_first_step_moves_by_lr_sign():
    g = np.array([3.0, -0.05, 0.02, -50.0])  # |g| ≫ eps
    p = param([0.0, 0.0, 1.0, 2.0], g)
    optim.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, np.array([0.0, 0.0, 1.0, 2.0]) - 0.01 * np.sign(g), rtol=1e-6, atol=1e-8)


def test_adam_two_steps_hand_computed():
    p = param([1.0], [0.5])
    opt = optim.Adam([p], lr=0.1, betas=(0.9, 0.99), eps=1e-8)
    opt.step()
    p.grad = np.array([-1.0])
    opt.step()
    m = 0.9 * (0.1 * 0.5) + 0.1 * (-1.0)
    v = 0.99 * (0.01 * 0.25) + 0.01 * 1.0
    mh, vh = m / (1 - 0.81), v / (1 - 0.99 ** 2)
    first = 0.1 * 0.5 / (0.5 + 1e-8)
    np.testing.assert_allclose(p.data, [1.0 - first - 0.1 * mh / (math.sqrt(vh) + 1e-8)], rtol=1e-12)
    assert opt.state_dict()["state"][0]["step"] == 2


def test_adamw_decoupled_vs_adam_l2():
    p = param([2.0], [0.0])
    optim.AdamW([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [2.0 * (1 - 0.05)])   # gradiente nulo: sólo el decaimiento
    q = param([2.0], [0.0])
    optim.Adam([q], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(q.data, [2.0 - 0.1])           # L2 entra en g: primer paso = lr·signo


def test_rmsprop_hand_computed():
    p = param([1.0], [2.0])
    opt = optim.RMSprop([p], lr=0.01, alpha=0.9, eps=1e-8)
    opt.step()
    v = 0.1 * 4.0
    np.testing.assert_allclose(p.data, [1.0 - 0.01 * 2.0 / (math.sqrt(v) + 1e-8)])
    q = param([1.0], [2.0])
    optim.RMSprop([q], lr=0.01, alpha=0.9, momentum=0.5).step()
    np.testing.assert_allclose(q.data, [1.0 - 0.01 * 2.0 / (math.sqrt(v) + 1e-8)])


def test_zero_grad_and_skip_none():
    p = param([1.0], [1.0])
    q = tensor(np.array([5.0]), requires_grad=True)  # sin gradiente: no se toca
    opt = optim.SGD([p, q], lr=1.0)
    opt.step()
    np.testing.assert_allclose(q.data, [5.0])
    opt.zero_grad()
    assert p.grad is None


def test_schedulers():
    p = param([1.0], [1.0])
    opt = optim.SGD([p], lr=1.0)
    s = optim.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr()[0])
    assert lrs == [1.0, 0.5, 0.5, 0.25, 0.25]
    opt2 = optim.SGD([param([1.0], [1.0])], lr=2.0)
    e = optim.ExponentialLR(opt2, gamma=0.9)
    e.step(); e.step()
    assert opt2.param_groups[0]["lr"] == pytest.approx(2.0 * 0.81)


def test_state_dict_resume_gives_same_trajectory():
    def run(split):
        p = tensor(np.array([1.0, -1.0]), requires_grad=True)
        opt = optim.Adam([p], lr=0.1)
        for i in range(6):
            if i == split:
                sd = opt.state_dict()
                data = p.detach().numpy().copy()
                p = tensor(data, requires_grad=True)
                opt = optim.Adam([p], lr=0.5)  # hiperparámetros distintos: se restauran
                opt.load_state_dict(sd)
            p.grad = 2 * p.data
            opt.step()
        return p.data
    np.testing.assert_allclose(run(split=3), run(split=99))


def test_optimizer_on_scalar_values():
    w = Value(2.0)
    opt = optim.Adam([w], lr=0.1)
    for _ in range(200):
        loss = (w - 0.5) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert w.data == pytest.approx(0.5, abs=0.02)


def test_optimizer_errors():
    with pytest.raises(ValueError, match="vacía"):
        optim.SGD([], lr=0.1)
    # como PyTorch: un parámetro congelado (requires_grad=False) se acepta y no se toca
    frozen = Tensor([1.0])
    optim.SGD([frozen], lr=0.1).step()
    assert frozen.tolist() == [1.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls, kw", [("Adam", {}), ("Adam", dict(weight_decay=0.1, betas=(0.3, 0.99))),
                                     ("AdamW", dict(weight_decay=0.05)), ("Adam", dict(maximize=True, eps=1e-3)),
                                     ("Adam", dict(decoupled_weight_decay=True, weight_decay=0.2))])
def test_fused_adam_is_bit_identical_to_numpy_version(monkeypatch, dtype, cls, kw):
    """El paso de Adam en una pasada (kernels/adam.py) da los mismos bits que las
    operaciones de numpy que sustituye."""
    import tinygrad_es as tg
    from tinygrad_es import optim as O
    from tinygrad_es.optim import adam as OM
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(dtype) for s in [(7, 5), (5,), (300,)]]
    grads = [[rng.standard_normal(a.shape).astype(dtype) for a in init] for _ in range(4)]
    results = []
    calls = []
    real = OM.adam_step
    monkeypatch.setattr(OM, "adam_step", lambda *a: calls.append(1) or real(*a))
    for fused in (True, False):
        if not fused:
            assert len(calls) == 12  # 3 parámetros × 4 pasos por la versión en una pasada
            monkeypatch.setattr(OM, "fused_ok", lambda *a: False)
        ps = [tg.tensor(a.copy(), requires_grad=True) for a in init]
        opt = getattr(O, cls)(ps, lr=0.01, **kw)
        for gs in grads:
            for p, gr in zip(ps, gs):
                p.grad = tg.tensor(gr)
            opt.step()
        results.append([p.detach().numpy().copy() for p in ps] +
                       [opt.state[p]["exp_avg_sq"].numpy().copy() for p in ps])
    for a, b in zip(*results):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)


def test_optimizers_see_only_the_parameter_protocol():
    """``optim`` sólo usa ``param_data``/``param_grad``/``set_param``/``zero_param_grad``
    (``autograd.protocol.ParamNode``), que cumplen ``Tensor`` y ``Value``; lo demás se rechaza."""
    import tinygrad_es as tg
    from tinygrad_es.autograd.protocol import ParamNode
    w, v = tg.tensor([1.0, 2.0], requires_grad=True), tg.Value(3.0)
    assert isinstance(w, ParamNode) and isinstance(v, ParamNode)
    (w * w).sum().backward()
    (v * v).backward()
    tg.optim.SGD([w], lr=0.5).step()
    tg.optim.SGD([v], lr=0.5).step()
    assert w.tolist() == [0.0, 0.0] and v.data == 0.0
    with pytest.raises(TypeError):
        tg.optim.SGD([np.ones(2)], lr=0.1)


def test_plain_sgd_shortcut_is_the_general_step():
    # SGD sin momento ni decaimiento va por un atajo (optim/sgd.py): mismos bits, mismas versiones y el
    # mismo estado que el recorrido general de Optimizer.step, con grupos mezclados, un parámetro sin
    # gradiente, float64, una vista no contigua (camino general) y un Value
    def build():
        r = np.random.default_rng(4)
        ps = [tensor(r.standard_normal((5, 3)).astype(np.float32), requires_grad=True),
              tensor(r.standard_normal(7), requires_grad=True),
              tensor(r.standard_normal(2).astype(np.float32), requires_grad=True),
              tensor(r.standard_normal((4, 6)).astype(np.float32)[:, ::2].copy().T, requires_grad=True),
              tensor(r.standard_normal(3).astype(np.float32), requires_grad=True)]
        ps[3]._data = np.asfortranarray(ps[3]._data)  # no contiguo en C
        v = Value(1.5)
        opt = optim.SGD([{"params": ps[:4] + [v], "lr": 0.1}, {"params": ps[4:], "momentum": 0.9}], lr=0.01)
        return ps, v, opt

    runs = []
    for general in (False, True):
        ps, v, opt = build()
        for _ in range(3):
            opt.zero_grad()
            sum((p * p * (i + 1)).sum() for i, p in enumerate(ps) if i != 2).backward()
            (v * v * 3).backward()
            (optim.Optimizer.step if general else optim.SGD.step)(opt)
        runs.append(([p.detach().numpy().copy() for p in ps], v.data, [p._version for p in ps],
                     sorted(len(s) for s in opt.state.values())))
    (a, va, vera, sta), (b, vb, verb, stb) = runs
    assert all(np.array_equal(x, y) for x, y in zip(a, b)) and va == vb and vera == verb and sta == stb
    assert vera[2] == 0 and vera[0] == 3  # sin gradiente, no se toca
