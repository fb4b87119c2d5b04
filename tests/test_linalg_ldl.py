"""``linalg.ldl_factor``/``ldl_factor_ex``/``ldl_solve``: A = P·L·D·Lᵀ·Pᵀ con pivoteo de Bunch-Kaufman
(bloques 1×1 y 2×2), la solución de sistemas simétricos indefinidos, los pivotes exactos de PyTorch
(LAPACK), la matriz singular, la vacía y los errores."""
import numpy as np
import pytest

import tinygrad_es as tg


def _sym(rng, n, small_diag=False):
    a = rng.normal(size=(n, n))
    a = a + a.T
    if small_diag:
        a[np.arange(n), np.arange(n)] *= 0.01   # fuerza pivotes 2×2
    return a


def test_solves_symmetric_indefinite_systems():
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 6):
        for small in (False, True):
            A, B = _sym(rng, n, small), rng.normal(size=(n, 3))
            LD, piv = tg.linalg.ldl_factor(tg.tensor(A))
            X = tg.linalg.ldl_solve(LD, piv, tg.tensor(B))
            np.testing.assert_allclose(A @ X.numpy(), B, atol=1e-9)
            assert piv.dtype == tg.int32 and np.allclose(np.triu(LD.numpy(), 1), 0)
    # un bloque 2×2: [[0, 1], [1, 0]] no tiene pivote 1×1 posible
    out = tg.linalg.ldl_factor_ex(tg.tensor([[0.0, 1.0], [1.0, 0.0]]))
    assert out.pivots.tolist() == [-2, -2] and out.info.item() == 0
    A = np.stack([_sym(rng, 4), _sym(rng, 4, True)])   # lotes, y B con broadcasting
    LD, piv = tg.linalg.ldl_factor(tg.tensor(A))
    X = tg.linalg.ldl_solve(LD, piv, tg.tensor(np.ones((4, 1)))).numpy()
    np.testing.assert_allclose(A @ X, np.ones((2, 4, 1)), atol=1e-9)


def test_singular_empty_grad_and_errors():
    ex = tg.linalg.ldl_factor_ex(tg.zeros(3, 3))
    assert ex.info.item() == 1
    with pytest.raises(RuntimeError, match="singular"):
        tg.linalg.ldl_factor(tg.zeros(3, 3))
    LD, piv = tg.linalg.ldl_factor(tg.zeros(0, 0))
    assert tg.linalg.ldl_solve(LD, piv, tg.zeros(0, 5)).shape == (0, 5)
    A = tg.tensor([[2.0, 1.0], [1.0, -3.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match="ldl_factor"):
        tg.linalg.ldl_factor(A).LD.sum().backward()
    with pytest.raises(RuntimeError, match="cuadradas"):
        tg.linalg.ldl_factor(tg.ones(2, 3))
    with pytest.raises(RuntimeError, match="2 dimensiones"):
        tg.linalg.ldl_factor(tg.ones(3))
    with pytest.raises(RuntimeError, match="coma flotante"):
        tg.linalg.ldl_factor(tg.ones(2, 2, dtype=tg.int64))
    LD, piv = tg.linalg.ldl_factor(tg.eye(3))
    with pytest.raises(RuntimeError, match="incompatibles"):
        tg.linalg.ldl_solve(LD, piv, tg.ones(2, 2))
    with pytest.raises(RuntimeError, match="dtype"):
        tg.linalg.ldl_solve(LD, piv, tg.ones(3, 2, dtype=tg.float64))


@pytest.mark.torch
def test_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for t in range(60):
        A = _sym(rng, int(rng.integers(1, 8)), t % 2 == 0)
        ours, ref = tg.linalg.ldl_factor_ex(tg.tensor(A)), torch.linalg.ldl_factor_ex(torch.tensor(A))
        np.testing.assert_array_equal(ours.pivots.numpy(), ref.pivots.numpy())
        np.testing.assert_allclose(ours.LD.numpy(), ref.LD.numpy(), rtol=1e-10, atol=1e-12)
        B = rng.normal(size=(A.shape[0], 2))
        np.testing.assert_allclose(tg.linalg.ldl_solve(ours.LD, ours.pivots, tg.tensor(B)).numpy(),
                                   torch.linalg.ldl_solve(ref.LD, ref.pivots, torch.tensor(B)).numpy(),
                                   rtol=1e-8, atol=1e-10)
