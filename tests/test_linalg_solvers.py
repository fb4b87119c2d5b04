"""Sistemas con factorizaciones (``_tensor/solvers.py``): la LU con pivoteo parcial y su derivada (cuadrada,
ancha y alta), ``lu_solve``, ``solve_triangular``, ``cholesky_solve``/``cholesky_inverse``, ``inv_ex``/
``solve_ex``, ``matrix_exp``, ``tensorinv``/``tensorsolve``, ``vander``: gradientes en float64 contra
diferencias centrales (hypothesis) y, con PyTorch, valores, pivotes y gradientes contra PyTorch."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check
from strategies import arrays

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


@st.composite
def matrices(draw, square=False):
    """Una matriz (o un lote de 2) con entradas separadas entre sí: los pivotes no empatan."""
    m = draw(st.integers(1, 4))
    n = m if square else draw(st.integers(1, 4))
    b = draw(st.sampled_from([(), (2,)]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    return rng.standard_normal(b + (m, n)) + 2 * np.eye(m, n)


def weights(shape, seed=0):
    return tg.tensor(np.random.default_rng(seed).standard_normal(shape))


@given(a=matrices())
def test_lu_gradients(a):
    check(lambda x: tg.linalg.lu_factor_ex(x).LU * weights(x.shape), a)
    check(lambda x: sum((t * weights(t.shape, i)).sum() for i, t in enumerate(tg.linalg.lu(x)[1:])), a)


@given(a=matrices(square=True), k=st.integers(1, 3), data=st.data())
def test_solvers_gradients(a, k, data):
    n = a.shape[-1]
    b = data.draw(arrays(a.shape[:-2] + (n, k)))
    check(lambda x, y: tg.linalg.lu_solve(*tg.linalg.lu_factor(x), y), a, b)
    check(lambda x, y: tg.linalg.lu_solve(*tg.linalg.lu_factor(x), y, adjoint=True), a, b)
    tri = np.tril(a) + 3 * np.eye(n)
    check(lambda x, y: tg.linalg.solve_triangular(x, y, upper=False), tri, b)
    check(lambda x, y: tg.linalg.solve_triangular(x, y, upper=True, left=False, unitriangular=True),
          np.swapaxes(tri, -1, -2), np.swapaxes(b, -1, -2))
    check(lambda x, y: tg.cholesky_solve(y, x), tri, b)
    check(lambda x: tg.cholesky_inverse(x, upper=True), np.swapaxes(tri, -1, -2))
    check(tg.linalg.matrix_exp, a * 0.5)


def test_lu_values_and_pivots_by_hand():
    a = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    LU, piv = tg.linalg.lu_factor(a)
    assert piv.tolist() == [2, 2] and piv.dtype == tg.int32
    np.testing.assert_allclose(LU.numpy(), [[3.0, 4.0], [1 / 3, 2 - 4 / 3]])
    P, L, U = tg.linalg.lu(a)
    np.testing.assert_allclose((P @ L @ U).numpy(), a.numpy())
    assert tg.linalg.lu_factor_ex(tg.tensor([[1.0, 2.0], [2.0, 4.0]])).info.item() == 2
    with pytest.raises(RuntimeError, match=r"U\[2,2\] es 0"):
        tg.linalg.lu_factor(tg.tensor([[1.0, 2.0], [2.0, 4.0]]))
    inv, info = tg.linalg.inv_ex(tg.tensor([[1.0, 2.0], [2.0, 4.0]]))
    assert info.item() == 2 and np.isnan(inv.numpy()).all()
    with pytest.raises(tg.linalg.LinAlgError):
        tg.linalg.inv_ex(tg.tensor([[1.0, 2.0], [2.0, 4.0]]), check_errors=True)
    res, info = tg.linalg.solve_ex(tg.eye(2) * 2, tg.ones(2))
    assert info.item() == 0 and res.tolist() == [0.5, 0.5]
    np.testing.assert_allclose(tg.linalg.matrix_exp(tg.tensor([[0.0, 1.0], [-1.0, 0.0]], dtype=tg.float64)).numpy(),
                               [[np.cos(1), np.sin(1)], [-np.sin(1), np.cos(1)]], rtol=1e-15, atol=1e-16)
    assert tg.linalg.vander(tg.tensor([1, 2, 3])).tolist() == [[1, 1, 1], [1, 2, 4], [1, 3, 9]]
    assert tg.linalg.tensorinv(tg.eye(4).reshape(4, 2, 2), ind=1).shape == (2, 2, 4)
    assert tg.linalg.tensorsolve(tg.eye(6).reshape(2, 3, 6), tg.ones(2, 3)).tolist() == [1.0] * 6
    with pytest.raises(RuntimeError, match="producto"):
        tg.linalg.tensorinv(tg.ones(2, 3), ind=1)


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (3, 5), (5, 3), (2, 3, 5), (2, 5, 3)])
def test_lu_matches_pytorch(shape):
    rng = np.random.default_rng(sum(shape))
    a = rng.standard_normal(shape)
    o, t = tg.linalg.lu_factor_ex(tg.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
    np.testing.assert_allclose(o.LU.numpy(), t.LU.numpy(), rtol=1e-12, atol=1e-14)
    assert o.pivots.tolist() == t.pivots.tolist() and o.info.tolist() == t.info.tolist()
    x, xt = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    sum(m.sin().sum() for m in tg.linalg.lu(x)).backward()
    sum(m.sin().sum() for m in torch.linalg.lu(xt)).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    P, L, U = tg.lu_unpack(o.LU, o.pivots)
    Pt, Lt, Ut = torch.lu_unpack(t.LU, t.pivots)
    assert np.array_equal(P.numpy(), Pt.numpy())


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
def test_solvers_match_pytorch():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3, 2))
    for left in (True, False):
        for adjoint in (True, False):
            bb = b if left else np.swapaxes(b, -1, -2)
            got = tg.linalg.lu_solve(*tg.linalg.lu_factor(tg.tensor(a)), tg.tensor(bb), left=left, adjoint=adjoint)
            ref = torch.linalg.lu_solve(*torch.linalg.lu_factor(torch.tensor(a)), torch.tensor(bb), left=left,
                                        adjoint=adjoint)
            np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-10)
    L = np.tril(rng.standard_normal((3, 3))) + 3 * np.eye(3)
    cases = {"cholesky_solve": lambda M, x: M.cholesky_solve(M.tensor(b[0]), x),
             "cholesky_inverse": lambda M, x: M.cholesky_inverse(x),
             "matrix_exp": lambda M, x: M.linalg.matrix_exp(x),
             "solve_triangular": lambda M, x: M.linalg.solve_triangular(x, M.tensor(b[0]), upper=False)}
    for name, f in cases.items():
        x, xt = tg.tensor(L, requires_grad=True), torch.tensor(L, requires_grad=True)
        f(tg, x).sin().sum().backward()
        f(torch, xt).sin().sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
