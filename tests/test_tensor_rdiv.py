"""``Tensor.__rdiv__``: el alias de ``__rtruediv__`` que PyTorch conserva (``o / t``)."""
import numpy as np
import pytest

import tinygrad_es as tg


def test_rdiv_is_reflected_true_division_with_gradient():
    t = tg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    out = t.__rdiv__(2)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), [2.0, 1.0, 0.5])
    np.testing.assert_allclose(t.grad.numpy(), [-2.0, -0.5, -0.125])  # d(2/t)/dt = −2/t²


def test_rdiv_of_integers_is_float_and_complex_goes_through_complex_division():
    assert tg.tensor([1, 2, 4]).__rdiv__(2).dtype == tg.float32
    z = tg.complex(tg.tensor([1.0, 2.0]), tg.tensor([1.0, 0.0])).__rdiv__(2)
    np.testing.assert_allclose(z.numpy(), [1 - 1j, 1 + 0j])


def test_rdiv_incompatible_shapes_is_runtime_error_in_spanish():
    with pytest.raises(RuntimeError, match="formas incompatibles"):
        tg.tensor([1.0, 2.0]).__rdiv__(tg.ones(3))
    with pytest.raises(TypeError, match="se aplica a un tensor, no a int"):
        tg.Tensor.__rdiv__(2, tg.ones(3))  # PyTorch también lanza (el primer operando no es un tensor)


@pytest.mark.torch
def test_rdiv_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[0.5, -1.5], [3.0, 0.25]], dtype=np.float32)
    for o in (3, 2.5, np.array([1.0, -2.0], dtype=np.float32)):
        ours = tg.tensor(x).__rdiv__(tg.tensor(o) if isinstance(o, np.ndarray) else o)
        ref = torch.tensor(x).__rdiv__(torch.tensor(o) if isinstance(o, np.ndarray) else o)
        assert str(ours.dtype) == str(ref.dtype)
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)
