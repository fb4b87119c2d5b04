"""``F.local_response_norm`` / ``nn.LocalResponseNorm`` (AlexNet)."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check


def _reference(x, size, alpha, beta, k):
    c = x.shape[1]
    sq = x ** 2
    out = np.empty_like(x)
    for i in range(c):
        lo, hi = max(0, i - size // 2), min(c, i + (size - 1) // 2 + 1)
        out[:, i] = x[:, i] / (k + alpha * sq[:, lo:hi].sum(1) / size) ** beta
    return out


def test_values_and_module():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 7, 3, 4))
    for size in (1, 2, 5):
        got = F.local_response_norm(tg.tensor(x), size, alpha=0.1, beta=0.75, k=2.0).numpy()
        assert np.allclose(got, _reference(x, size, 0.1, 0.75, 2.0))
    lrn = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)  # la de AlexNet
    assert repr(lrn) == "LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=2.0)"
    assert lrn(tg.tensor(x)).shape == x.shape
    assert F.local_response_norm(tg.ones(1, 3, 4), 2).shape == (1, 3, 4)  # 3-D
    with pytest.raises(ValueError, match="3 o más ejes"):
        F.local_response_norm(tg.ones(3, 4), 2)


def test_gradient():
    x = np.random.default_rng(1).standard_normal((1, 5, 2, 2))
    check(lambda t: F.local_response_norm(t, 3, alpha=0.5, beta=0.75, k=1.0), x)


def test_same_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((2, 6, 3, 3)).astype(np.float32)
    a, b = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya = F.local_response_norm(a, 4, alpha=0.2, beta=0.6, k=1.5)
    yb = torch.nn.functional.local_response_norm(b, 4, alpha=0.2, beta=0.6, k=1.5)
    assert np.allclose(ya.detach().numpy(), yb.detach().numpy(), atol=1e-6)
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    assert np.allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-5)
