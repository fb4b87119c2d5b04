"""``torch.nn.grad`` (``F.grad``): gradientes de conv1d/2d/3d respecto de la entrada y de los pesos, contra
PyTorch y contra el backward de nuestra propia convolución."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F

CASES = [  # (n, N, C_in, C_out, tamaño, k, stride, padding, dilation, groups)
    (1, 2, 4, 6, 9, 3, 2, 1, 1, 2),
    (1, 1, 3, 2, 7, 2, 3, 0, 2, 1),
    (2, 2, 2, 4, 7, 3, 2, 1, 1, 1),
    (2, 1, 4, 4, 6, 2, 1, 0, 2, 4),
    (3, 1, 2, 2, 5, 2, 2, 1, 1, 1),
]
CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _data(case, seed=0):
    n, N, ci, co, size, k, s, p, d, g = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, ci) + (size,) * n)
    w = rng.standard_normal((co, ci // g) + (k,) * n)
    y = CONV[n](tg.tensor(x), tg.tensor(w), stride=s, padding=p, dilation=d, groups=g)
    go = rng.standard_normal(tuple(y.shape))
    return x, w, go, dict(stride=s, padding=p, dilation=d, groups=g)


@pytest.mark.parametrize("case", CASES)
def test_matches_our_conv_backward(case):
    n = case[0]
    x, w, go, kw = _data(case)
    xt, wt = tg.tensor(x, requires_grad=True), tg.tensor(w, requires_grad=True)
    CONV[n](xt, wt, **kw).backward(tg.tensor(go))
    gi = getattr(nn.grad, f"conv{n}d_input")(x.shape, tg.tensor(w), tg.tensor(go), **kw)
    gw = getattr(F.grad, f"conv{n}d_weight")(tg.tensor(x), w.shape, tg.tensor(go), **kw)
    np.testing.assert_allclose(gi.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw.numpy(), wt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES)
def test_matches_torch(case):
    torch = pytest.importorskip("torch")
    n = case[0]
    x, w, go, kw = _data(case, seed=1)
    x32, w32, go32 = (a.astype(np.float32) for a in (x, w, go))
    for name in ("input", "weight"):
        f_t, f_o = getattr(torch.nn.grad, f"conv{n}d_{name}"), getattr(nn.grad, f"conv{n}d_{name}")
        if name == "input":
            a, b = f_t(x.shape, torch.tensor(w32), torch.tensor(go32), **kw), f_o(x.shape, tg.tensor(w32),
                                                                                 tg.tensor(go32), **kw)
        else:
            a, b = f_t(torch.tensor(x32), w.shape, torch.tensor(go32), **kw), f_o(tg.tensor(x32), w.shape,
                                                                                  tg.tensor(go32), **kw)
        assert b.dtype == tg.float32 and tuple(b.shape) == tuple(a.shape)
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-4, atol=1e-4)


def test_results_are_differentiable():
    """Ambos son lineales: derivar ⟨resultado, r⟩ respecto del otro argumento se compara con diferencias finitas."""
    x, w, go, kw = _data(CASES[2], seed=2)
    gt = tg.tensor(go, requires_grad=True)
    wt = tg.tensor(w, requires_grad=True)
    tg.autograd.gradcheck(lambda g, ww: nn.grad.conv2d_input(x.shape, ww, g, **kw), (gt, wt))
    xt = tg.tensor(x, requires_grad=True)
    tg.autograd.gradcheck(lambda g, xx: nn.grad.conv2d_weight(xx, w.shape, g, **kw), (gt, xt))


def test_bad_input():
    x, w, go, kw = _data(CASES[2])
    with pytest.raises(ValueError, match="input_size"):
        nn.grad.conv2d_input((2, 2, 30, 30), tg.tensor(w), tg.tensor(go), **kw)
    with pytest.raises(ValueError, match="dimensiones"):
        nn.grad.conv2d_input((7, 7), tg.tensor(w), tg.tensor(go), **kw)
    with pytest.raises(TypeError, match="input_size"):
        nn.grad.conv2d_input(7, tg.tensor(w), tg.tensor(go), **kw)
    with pytest.raises(RuntimeError, match="grad_output"):
        nn.grad.conv2d_weight(tg.tensor(x), w.shape, tg.tensor(go[:, :, :2]), **kw)
    with pytest.raises(RuntimeError):
        nn.grad.conv2d_weight(tg.tensor(x), (4, 3, 3, 3), tg.tensor(go), **kw)  # C_in no cuadra con la entrada
