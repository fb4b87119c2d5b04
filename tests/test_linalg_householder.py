"""``torch.geqrf``, ``linalg.householder_product`` (``orgqr``) y ``ormqr``: la QR compacta de LAPACK y
Q a partir de ella; contra ``linalg.qr`` y contra PyTorch, gradientes en float64, y errores."""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import check

RNG = np.random.default_rng(0)
A = RNG.normal(size=(2, 5, 3))


def test_geqrf_gives_the_qr():
    a, tau = tg.geqrf(tg.tensor(A))
    Q = tg.linalg.householder_product(a, tau)
    np.testing.assert_allclose((Q @ a[..., :3, :].triu()).numpy(), A, atol=1e-12)
    np.testing.assert_allclose((Q.mT @ Q).numpy(), np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)
    C = RNG.normal(size=(2, 5, 2))
    Qfull = tg.linalg.householder_product(tg.cat([a, tg.zeros(2, 5, 2, dtype=tg.float64)], -1),
                                          tg.cat([tau, tg.zeros(2, 2, dtype=tg.float64)], -1)).numpy()
    for left, tr, want in ((True, False, Qfull @ C), (True, True, np.swapaxes(Qfull, -1, -2) @ C),
                           (False, False, np.swapaxes(C, -1, -2) @ Qfull),
                           (False, True, np.swapaxes(C, -1, -2) @ np.swapaxes(Qfull, -1, -2))):
        other = tg.tensor(C if left else np.swapaxes(C, -1, -2).copy())
        np.testing.assert_allclose(tg.ormqr(a, tau, other, left=left, transpose=tr).numpy(), want, atol=1e-12)
    assert tg.tensor(A).geqrf().tau.shape == (2, 3) and a.orgqr(tau).shape == (2, 5, 3)


def test_gradients_and_errors():
    a, tau = (t.numpy() for t in tg.geqrf(tg.tensor(A[0])))
    check(tg.linalg.householder_product, a, tau)
    check(lambda x, t, c: tg.ormqr(x, t, c, transpose=True), a, tau, RNG.normal(size=(5, 2)))
    check(lambda x, t, c: tg.ormqr(x, t, c, left=False), a, tau, RNG.normal(size=(2, 5)))
    x = tg.tensor(A[0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="geqrf"):
        tg.geqrf(x).a.sum().backward()
    with pytest.raises(RuntimeError, match="≥"):
        tg.linalg.householder_product(tg.randn(3, 4), tg.randn(2))
    with pytest.raises(RuntimeError, match="tau.shape"):
        tg.linalg.householder_product(tg.randn(4, 3), tg.randn(4))
    with pytest.raises(RuntimeError, match="dimensión menos"):
        tg.linalg.householder_product(tg.randn(4, 3), tg.randn(2, 2))
    with pytest.raises(RuntimeError, match="other.shape"):
        tg.ormqr(tg.randn(4, 3), tg.randn(3), tg.randn(3, 2))
    with pytest.raises(RuntimeError, match="coma flotante"):
        tg.geqrf(tg.tensor([[1, 2], [3, 4]]))


@pytest.mark.torch
def test_match_pytorch():
    torch = pytest.importorskip("torch")
    a, tau = tg.geqrf(tg.tensor(A))
    ra, rtau = torch.geqrf(torch.tensor(A))
    np.testing.assert_allclose(a.numpy(), ra.numpy(), atol=1e-12)
    np.testing.assert_allclose(tau.numpy(), rtau.numpy(), atol=1e-12)
    W = RNG.normal(size=(2, 5, 3))
    x, t = tg.tensor(a.numpy(), requires_grad=True), tg.tensor(tau.numpy(), requires_grad=True)
    (tg.linalg.householder_product(x, t) * tg.tensor(W)).sum().backward()
    y, u = ra.clone().requires_grad_(), rtau.clone().requires_grad_()
    (torch.linalg.householder_product(y, u) * torch.tensor(W)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(t.grad.numpy(), u.grad.numpy(), atol=1e-10)
    C = RNG.normal(size=(2, 5, 4))
    np.testing.assert_allclose(tg.ormqr(a, tau, tg.tensor(C), transpose=True).numpy(),
                               torch.ormqr(ra, rtau, torch.tensor(C), transpose=True).numpy(), atol=1e-12)
