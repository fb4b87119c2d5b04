"""``torch.lu`` y ``torch.lu_solve`` (las formas antiguas de ``linalg.lu_factor``/``lu_solve``, con
los argumentos al revés): valores contra PyTorch, ``get_infos``, una matriz singular (no es error),
la matriz vacía y los gradientes en float64."""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import check


def _spd(rng, *shape):
    a = rng.normal(size=shape)
    return a + 3 * np.eye(shape[-1])


def test_lu_and_lu_solve_solve_the_system_and_gradients():
    rng = np.random.default_rng(0)
    A, b = _spd(rng, 2, 3, 3), rng.normal(size=(2, 3, 2))
    LU, piv = tg.lu(tg.tensor(A))
    x = tg.lu_solve(tg.tensor(b), LU, piv)
    np.testing.assert_allclose(A @ x.numpy(), b, atol=1e-12)
    assert piv.dtype == tg.int32 and tg.tensor(b).lu_solve(LU, piv).shape == (2, 3, 2)
    check(lambda a, c: tg.lu_solve(c, *tg.lu(a)), A, b)
    check(lambda a: tg.lu(a)[0], A)


def test_get_infos_singular_empty_and_errors():
    out = tg.tensor([[1.0, 2.0], [2.0, 4.0]]).lu(get_infos=True)
    assert type(out).__name__ == "_lu_with_info" and out.info.item() == 2 and out.pivots.tolist() == [2, 2]
    assert len(tg.lu(tg.tensor([[1.0, 2.0], [2.0, 4.0]]))) == 2   # sin get_infos, una tupla de dos; singular no es error
    LU, piv = tg.lu(tg.zeros(0, 0))
    assert tg.lu_solve(tg.zeros(0, 4), LU, piv).shape == (0, 4)
    with pytest.raises(RuntimeError):
        tg.lu(tg.eye(2), pivot=False)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:torch.lu")   # PyTorch avisa de que torch.lu y lu_solve están obsoletas
def test_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    A, b = rng.normal(size=(3, 4, 4)), rng.normal(size=(3, 4, 1))
    ours, ref = tg.lu(tg.tensor(A), get_infos=True), torch.lu(torch.tensor(A), get_infos=True)
    for o, r in zip(ours, ref):
        np.testing.assert_allclose(o.numpy(), r.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tg.lu_solve(tg.tensor(b), ours.LU, ours.pivots).numpy(),
                               torch.lu_solve(torch.tensor(b), ref.LU, ref.pivots).numpy(), rtol=1e-10, atol=1e-12)
