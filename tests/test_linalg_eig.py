"""``linalg.eig``/``eigvals`` de matrices no simétricas: A·V = V·diag(λ) con λ y V complejos, el orden
y la normalización de LAPACK (los de PyTorch), gradientes contra PyTorch (pérdidas que no dependen de
la fase de V) y contra diferencias centrales, y el error de una pérdida que sí depende de ella."""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import check

RNG = np.random.default_rng(0)
A = RNG.normal(size=(2, 4, 4))


def test_decomposition_and_gradients():
    w, V = tg.linalg.eig(tg.tensor(A))
    assert w.dtype == tg.complex128 and V.shape == (2, 4, 4)
    Vn = tg.view_as_real(V).numpy()
    Vc, wc = Vn[..., 0] + 1j * Vn[..., 1], tg.view_as_real(w).numpy()
    wc = wc[..., 0] + 1j * wc[..., 1]
    np.testing.assert_allclose(A @ Vc, Vc * wc[..., None, :], atol=1e-12)
    assert tg.linalg.eigvals(tg.tensor(A, dtype=tg.float32)).dtype == tg.complex64
    check(lambda a: tg.view_as_real(tg.linalg.eigvals(a)), A[0])
    check(lambda a: tg.linalg.eig(a).eigenvectors.abs(), A[0])   # |V| no depende de la fase


def test_phase_dependent_loss_and_bad_input():
    a = tg.tensor(A[0], requires_grad=True)
    V = tg.linalg.eig(a).eigenvectors
    with pytest.raises(RuntimeError, match="fase|e\\^"):
        tg.view_as_real(V)[..., 1].sum().backward()   # Im V depende de la fase elegida
    with pytest.raises(RuntimeError, match="cuadrada|square"):
        tg.linalg.eigvals(tg.ones(2, 3))
    with pytest.raises(RuntimeError, match="inf"):
        tg.linalg.eig(tg.tensor([[np.inf, 0.0], [0.0, 1.0]]))


@pytest.mark.torch
def test_match_pytorch():
    torch = pytest.importorskip("torch")
    W = RNG.normal(size=(2, 4, 4))
    a, t = tg.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    w, V = tg.linalg.eig(a)
    rw, rV = torch.linalg.eig(t)
    np.testing.assert_allclose(tg.view_as_real(w).detach().numpy(), torch.view_as_real(rw).detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(tg.view_as_real(V).detach().numpy(), torch.view_as_real(rV).detach().numpy(), atol=1e-12)
    ((V.abs() * tg.tensor(W)).sum() + tg.view_as_real(w).sum()).backward()
    ((rV.abs() * torch.tensor(W)).sum() + torch.view_as_real(rw).sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), atol=1e-10)


def test_cfloat_cdouble_have_gradient():
    x = tg.tensor([1.0, -2.0], requires_grad=True)
    z = x.cfloat()
    assert z.dtype == tg.complex64 and x.double().cdouble().dtype == tg.complex128
    (tg.view_as_real(z * tg.complex(tg.tensor([0.0, 1.0]), tg.tensor([1.0, 0.0])))).sum().backward()
    # z·(i, 1) = (i·x₀, x₁): ∂/∂x de la suma de partes reales e imaginarias = (1, 1)
    assert x.grad.tolist() == [1.0, 1.0]
    assert tg.tensor([1, 2]).cfloat().dtype == tg.complex64   # enteros: sin grafo, como PyTorch
