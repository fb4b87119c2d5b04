"""Los rellenos ``ZeroPad``/``ConstantPad``/``ReflectionPad``/``ReplicationPad``/``CircularPad`` 1d/2d/3d:
valores y gradientes contra PyTorch (si está), gradiente float64 contra diferencias centrales, ``repr`` y
errores."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check, leaf

FAMILIES = ("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad")
PADS = {1: (2, 1), 2: (1, 0, 2, 1), 3: (1, 2, 0, 1, 1, 0)}
rng = np.random.default_rng(0)


def _make(lib, fam, n, padding):
    cls = getattr(lib, f"{fam}{n}d")
    return cls(padding, 0.5) if fam == "ConstantPad" else cls(padding)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("fam", FAMILIES)
@pytest.mark.parametrize("batched", [True, False])
def test_values_grads_and_repr_like_torch(fam, n, batched):
    torch = pytest.importorskip("torch")
    shape = (2, 3) + (3, 4, 5)[:n]
    shape = shape if batched else shape[1:]
    x = rng.standard_normal(shape)
    for padding in (1, PADS[n]):
        ours, ref = _make(nn, fam, n, padding), _make(torch.nn, fam, n, padding)
        assert repr(ours) == repr(ref)
        xt = leaf(x, grad=True)
        y = ours(xt)
        rt = torch.tensor(x, requires_grad=True)
        r = ref(rt)
        np.testing.assert_array_equal(y.detach().numpy(), r.detach().numpy())
        g = rng.standard_normal(r.shape)
        y.backward(leaf(g))
        r.backward(torch.tensor(g))
        np.testing.assert_allclose(xt.grad.numpy(), rt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_zero_pad_is_a_constant_pad_and_state_is_empty():
    assert isinstance(nn.ZeroPad1d(1), nn.ConstantPad1d) and isinstance(nn.ZeroPad3d(1), nn.ConstantPad3d)
    assert nn.ZeroPad2d(1).value == 0.0 and nn.ReflectionPad3d(2).padding == (2,) * 6
    assert nn.ConstantPad1d(3, 1.0).state_dict() == {}


@given(n=st.integers(1, 3), fam=st.sampled_from(FAMILIES), sizes=st.lists(st.integers(2, 4), min_size=3, max_size=3),
       p=st.integers(0, 1))
def test_gradcheck_float64(n, fam, sizes, p):
    m = _make(nn, fam, n, p + 1 if fam != "ReflectionPad" else 1)
    x = rng.standard_normal((2, *sizes[:n]))
    check(lambda t: m(t), x)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="2-D o 3-D"):
        nn.CircularPad1d(1)(leaf(np.ones(3)))
    with pytest.raises(ValueError, match="4-D o 5-D"):
        nn.CircularPad3d(1)(leaf(np.ones((2, 3))))
    with pytest.raises(NotImplementedError):
        nn.ReflectionPad1d(1)(leaf(np.ones(3)))
    with pytest.raises(RuntimeError, match="reflect"):
        nn.ReflectionPad1d(3)(leaf(np.ones((1, 3))))
    assert F.pad(leaf(np.ones((1, 2, 2, 2))), (1,) * 6, mode="reflect").shape == (1, 4, 4, 4)
