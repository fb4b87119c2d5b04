"""``F.affine_grid`` y ``F.grid_sample`` (2-D): valores y gradientes (imagen, rejilla y ``theta``) contra
PyTorch (si está) en todos los modos, rellenos y ``align_corners``; gradiente float64 contra diferencias
centrales; avisos y errores."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from tinygrad_es.nn import functional as F
from helpers import check, leaf

rng = np.random.default_rng(0)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_like_torch(mode, padding_mode, align_corners):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 5, 4))
    g = rng.uniform(-1.6, 1.6, (2, 6, 7, 2))
    a, b = leaf(x, grad=True), torch.tensor(x, requires_grad=True)
    ga, gb = leaf(g, grad=True), torch.tensor(g, requires_grad=True)
    y = F.grid_sample(a, ga, mode, padding_mode, align_corners)
    r = torch.nn.functional.grid_sample(b, gb, mode, padding_mode, align_corners)
    np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-12, atol=1e-14)
    G = rng.standard_normal(tuple(r.shape))
    y.backward(leaf(G)), r.backward(torch.tensor(G))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ga.grad.numpy(), gb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_and_spatial_transformer_like_torch(align_corners):
    torch = pytest.importorskip("torch")
    th = rng.standard_normal((2, 2, 3)) * 0.7
    x = rng.standard_normal((2, 1, 6, 6)).astype(np.float32)
    ta, tb = leaf(th.astype(np.float32), grad=True), torch.tensor(th.astype(np.float32), requires_grad=True)
    y = F.grid_sample(leaf(x), F.affine_grid(ta, (2, 1, 4, 5), align_corners), align_corners=align_corners)
    r = torch.nn.functional.grid_sample(torch.tensor(x), torch.nn.functional.affine_grid(tb, (2, 1, 4, 5),
                                                                                         align_corners),
                                        align_corners=align_corners)
    assert str(y.dtype) == str(r.dtype) == "torch.float32"
    np.testing.assert_allclose(y.detach().numpy(), r.detach().numpy(), rtol=1e-5, atol=1e-6)
    y.sum().backward(), r.sum().backward()
    np.testing.assert_allclose(ta.grad.numpy(), tb.grad.numpy(), rtol=1e-4, atol=1e-5)


@given(h=st.integers(2, 4), w=st.integers(2, 4), pm=st.sampled_from(["zeros", "border", "reflection"]),
       ac=st.booleans())
def test_gradcheck_float64(h, w, pm, ac):
    x = rng.standard_normal((1, 2, h, w))
    g = rng.uniform(-0.9, 0.9, (1, 2, 3, 2))
    check(lambda t, gg: F.grid_sample(t, gg, "bilinear", pm, ac), x, g)
    check(lambda t, gg: F.grid_sample(t, gg, "bicubic", pm, ac), x, g)
    check(lambda th: F.affine_grid(th, (1, 2, h, w), ac), rng.standard_normal((1, 2, 3)))


def test_identity_theta_reproduces_the_image():
    x = rng.standard_normal((1, 2, 4, 5))
    theta = leaf(np.array([[[1.0, 0, 0], [0, 1.0, 0]]]))
    for ac in (False, True):
        y = F.grid_sample(leaf(x), F.affine_grid(theta, (1, 2, 4, 5), ac), align_corners=ac)
        np.testing.assert_allclose(y.numpy(), x, atol=1e-12)


def test_warnings_and_errors():
    x, g = leaf(np.ones((1, 1, 3, 3))), leaf(np.zeros((1, 2, 2, 2)))
    with pytest.warns(UserWarning, match="align_corners"):
        F.grid_sample(x, g)
    with pytest.warns(UserWarning, match="align_corners"):
        F.affine_grid(leaf(np.zeros((1, 2, 3))), (1, 1, 2, 2))
    with pytest.raises(ValueError, match="mode"):
        F.grid_sample(x, g, mode="cubic", align_corners=False)
    with pytest.raises(ValueError, match="padding_mode"):
        F.grid_sample(x, g, padding_mode="wrap", align_corners=False)
    for bad in ((3, 0), (0, -1), (True, 0)):  # PyTorch no los comprueba (un resultado sin sentido)
        with pytest.raises(RuntimeError, match="debe ser 0, 1 o 2"):
            tg.grid_sampler_2d(x, g, *bad, False)
    with pytest.raises(NotImplementedError, match="3-D"):
        F.grid_sample(leaf(np.ones((1, 1, 2, 2, 2))), leaf(np.zeros((1, 1, 1, 1, 3))), align_corners=False)
    with pytest.raises(RuntimeError, match="grid"):
        F.grid_sample(x, leaf(np.zeros((1, 2, 2, 3))), align_corners=False)
    with pytest.raises(ValueError, match="coma flotante"):
        F.affine_grid(leaf(np.zeros((1, 2, 3), dtype=np.int64)), (1, 1, 2, 2), False)
    with pytest.raises(ValueError, match="\\(N, 2, 3\\)"):
        F.affine_grid(leaf(np.zeros((1, 3, 3))), (1, 1, 2, 2), False)
    with pytest.raises(ValueError, match="positivo"):
        F.affine_grid(leaf(np.zeros((1, 2, 3))), (1, 1, 0, 2), False)


@pytest.mark.parametrize("mode,padding", [(0, 2), (1, 1), (2, 0)])
def test_grid_sampler_2d_is_grid_sample_with_aten_integer_modes(mode, padding):
    x, g = leaf(rng.standard_normal((1, 2, 4, 3))), leaf(rng.uniform(-1.3, 1.3, (1, 3, 2, 2)))
    names = (("bilinear", "nearest", "bicubic")[mode], ("zeros", "border", "reflection")[padding])
    np.testing.assert_array_equal(tg.grid_sampler_2d(x, g, mode, padding, True).numpy(),
                                  F.grid_sample(x, g, *names, align_corners=True).numpy())
