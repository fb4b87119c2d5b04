"""``torch._chunk_cat``: trozos rellenados con ceros, aplanados y concatenados."""
import numpy as np
import pytest

import tinygrad_es as tg


def test_pads_chunks_and_gradient_skips_the_padding():
    a = tg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    b = tg.tensor([[4.0, 5.0]], requires_grad=True)
    out = tg._chunk_cat([a, b], 1, 2)
    assert out.shape == (1, 2, 3)
    np.testing.assert_array_equal(out.detach().numpy(), [[[1, 2, 4], [3, 0, 5]]])
    (out * tg.arange(6.0).reshape(1, 2, 3)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [[0, 1, 3]])
    np.testing.assert_array_equal(b.grad.numpy(), [[2, 5]])


@pytest.mark.parametrize("tensors,dim,n,match", [
    ([(2, 3), (4,)], -1, 3, "dim no puede ser negativo"),
    ([(2, 3), (4,)], 1, 3, "menor que las dimensiones"),
    ([(2, 3, 4), (4, 3)], 1, 3, "deben medir lo mismo"),
    ([(2,), (3,)], 0, 0, "num_chunks debe ser un entero positivo"),
    ([], 0, 1, "vacía"),
    ([(0,), (3,)], 0, 1, "no pueden estar vacíos"),
])
def test_bad_input_is_runtime_error_in_spanish(tensors, dim, n, match):
    with pytest.raises(RuntimeError, match=match):
        tg._chunk_cat([tg.zeros(*s) for s in tensors], dim, n)


@pytest.mark.torch
def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s) for s in ((2, 3, 3), (2, 3, 1, 2), (2, 3), (2, 3, 7))]
    for dim in (0, 1):
        ours = tg._chunk_cat([tg.tensor(a) for a in arrs], dim, 3)
        ref = torch._chunk_cat([torch.tensor(a) for a in arrs], dim, 3)
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())
