"""Paridad con PyTorch (opcional: se salta si torch no está instalado)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

from tinygrad_es import tensor
import tinygrad_es.nn.functional as F  # noqa: E402
from tinygrad_es import Tensor, nn, optim  # noqa: E402

rng = np.random.default_rng(0)


def both(a):
    return tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def close(a, b, tol=1e-10):
    np.testing.assert_allclose(a, b.detach().numpy() if hasattr(b, "detach") else b, rtol=tol, atol=tol)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((2, 1), (0, 2))])
def test_conv2d_and_grads(stride, padding):
    x, X = both(rng.standard_normal((3, 2, 7, 8)))
    w, W = both(rng.standard_normal((4, 2, 3, 2)))
    b, B = both(rng.standard_normal(4))
    y = F.conv2d(x, w, b, stride, padding)
    Y = TF.conv2d(X, W, B, stride, padding)
    g = rng.standard_normal(Y.shape)
    y.backward(g)
    Y.backward(torch.tensor(g))
    close(y.detach().numpy(), Y)
    close(x.grad, X.grad); close(w.grad, W.grad); close(b.grad, B.grad)


@pytest.mark.parametrize("fn, tfn, args", [
    (F.max_pool2d, TF.max_pool2d, (3, 2, 1)),
    (F.avg_pool2d, TF.avg_pool2d, (3, 2, 1)),
    (F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, ((3, 2),)),
])
def test_pools(fn, tfn, args):
    x, X = both(rng.standard_normal((2, 3, 7, 5)))
    y, Y = fn(x, *args), tfn(X, *args)
    g = rng.standard_normal(Y.shape)
    y.backward(g)
    Y.backward(torch.tensor(g))
    close(y.detach().numpy(), Y)
    close(x.grad, X.grad)


def test_losses():
    z, Z = both(rng.standard_normal((6, 5)))
    y = rng.integers(0, 5, 6)
    for red in ("mean", "sum", "none"):
        close(F.cross_entropy(z, y, reduction=red).detach().numpy(), TF.cross_entropy(Z, torch.tensor(y), reduction=red))
    p = rng.dirichlet(np.ones(5), 6)
    close(F.cross_entropy(z, p).detach().numpy(), TF.cross_entropy(Z, torch.tensor(p)))
    close(F.cross_entropy(z, y, label_smoothing=0.2).detach().numpy(),
          TF.cross_entropy(Z, torch.tensor(y), label_smoothing=0.2))
    lp = rng.standard_normal((6, 5))
    close(F.nll_loss(tensor(lp), y).detach().numpy(), TF.nll_loss(torch.tensor(lp), torch.tensor(y)))
    q = rng.uniform(0.01, 0.99, 7)
    t = (rng.uniform(size=7) > 0.5).astype(np.float64)
    close(F.binary_cross_entropy(tensor(q), tensor(t)).detach().numpy(),
          TF.binary_cross_entropy(torch.tensor(q), torch.tensor(t)))
    lg = rng.standard_normal(7) * 10
    close(F.binary_cross_entropy_with_logits(tensor(lg), tensor(t)).detach().numpy(),
          TF.binary_cross_entropy_with_logits(torch.tensor(lg), torch.tensor(t)))


def test_batchnorm_train_eval_and_running_stats():
    ours = nn.BatchNorm2d(3)
    ref = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    for p in ours.parameters():
        p.data = p.data.astype(np.float64)
    ours.running_mean = ours.running_mean.astype(np.float64)
    ours.running_var = ours.running_var.astype(np.float64)
    for _ in range(3):
        x = rng.standard_normal((4, 3, 5, 5)) * 2 + 1
        close(ours(tensor(x)).detach().numpy(), ref(torch.tensor(x)), 1e-8)
    close(ours.running_mean, ref.running_mean, 1e-12)
    close(ours.running_var, ref.running_var, 1e-12)
    ours.eval(); ref.eval()
    x = rng.standard_normal((2, 3, 4, 4))
    close(ours(tensor(x)).detach().numpy(), ref(torch.tensor(x)), 1e-8)


def test_layers_same_weights():
    lin = nn.Linear(5, 3)
    tl = torch.nn.Linear(5, 3)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(lin.weight.detach().numpy()))
        tl.bias.copy_(torch.tensor(lin.bias.detach().numpy()))
    x = rng.standard_normal((4, 5)).astype(np.float32)
    close(lin(tensor(x)).detach().numpy(), tl(torch.tensor(x)), 1e-5)
    assert list(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)).state_dict()) == \
        list(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1)).state_dict())


@pytest.mark.parametrize("make, tmake", [
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1), lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1)),
    (lambda p: optim.AdamW(p, lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
    (lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
     lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True)),
])
def test_optimizer_steps(make, tmake):
    a = rng.standard_normal(5)
    p, P = both(a)
    opt, topt = make([p]), tmake([P])
    for _ in range(4):
        g = rng.standard_normal(5)
        p.grad = g.copy()
        P.grad = torch.tensor(g)
        opt.step()
        topt.step()
    close(p.data, P, 1e-12)


def test_state_dict_keys_and_order_like_pytorch():
    ours = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3),
                         nn.BatchNorm1d(3))
    ref = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(8, 3), torch.nn.BatchNorm1d(3))
    assert list(ours.state_dict()) == list(ref.state_dict())
    # y se cargan los pesos de PyTorch tal cual
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    ours.eval(); ref.eval()
    x = rng.standard_normal((2, 1, 4, 4)).astype(np.float32)
    close(ours(tensor(x)).detach().numpy(), ref(torch.tensor(x)), 1e-5)
