"""``F.interpolate`` con todos los modos de PyTorch (``nearest``, ``nearest-exact``, ``area``,
``linear``, ``bilinear``, ``bicubic``, ``trilinear``), con gradiente, y sus errores."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check
from parity import Raises, parity_tests


def _fg(f, x):
    def case(L):
        t = L.tensor(x, requires_grad=True)
        y = f(L.nn.functional, t)
        y.backward(L.arange(float(y.numel())).reshape(y.shape))
        return y, t.grad
    return case


CASES = {
    "nearest_exact": (_fg(lambda F, x: F.interpolate(x, scale_factor=1.5, mode="nearest-exact"), [[[1., 2., 4., 8.]]]),
                      (("float32", (1, 1, 6), [1, 2, 2, 4, 8, 8]), ("float32", (1, 1, 4), [0, 3, 3, 9]))),
    "area_1d": (_fg(lambda F, x: F.interpolate(x, size=3, mode="area"), [[[1., 2., 4., 8., 16.]]]),
                (("float32", (1, 1, 3), [1.5, 14 / 3, 12]), ("float32", (1, 1, 5), [0, 1 / 3, 1 / 3, 4 / 3, 1]))),
    "bicubic": (_fg(lambda F, x: F.interpolate(x, size=(3, 2), mode="bicubic"), [[[[1., 2.], [4., 8.]]]]),
                (("float32", (1, 1, 3, 2), [0.739583, 1.479167, 2.5, 5.0, 4.260417, 8.520833]),
                 ("float32", (1, 1, 2, 2), [0.652778, 2.152778, 5.347222, 6.847222]))),
    "linear_align_corners": (_fg(lambda F, x: F.interpolate(x, size=5, mode="linear", align_corners=True),
                                 [[[1., 2., 4.]]]),
                             (("float32", (1, 1, 5), [1, 1.5, 2, 3, 4]), ("float32", (1, 1, 3), [0.5, 4, 5.5]))),
    "trilinear": (_fg(lambda F, x: F.interpolate(x, scale_factor=2, mode="trilinear", align_corners=True)[..., 0, 0, :],
                      np.arange(8.0, dtype=np.float32).reshape(1, 1, 2, 2, 2)),
                  (("float32", (1, 1, 4), [0, 1 / 3, 2 / 3, 1]), ("float32", (1, 1, 2, 2, 2), [4 / 3, 14 / 3, 0, 0, 0, 0, 0, 0]))),
    "modo_desconocido": (lambda L: L.nn.functional.interpolate(L.ones(1, 1, 2), scale_factor=2, mode="foo"),
                         Raises("NotImplementedError")),
    "bilinear_con_3d": (lambda L: L.nn.functional.interpolate(L.ones(1, 1, 2), scale_factor=2, mode="bilinear"),
                        Raises("NotImplementedError")),
    "trilinear_con_4d": (lambda L: L.nn.functional.interpolate(L.ones(1, 1, 2, 2), scale_factor=2, mode="trilinear"),
                         Raises("NotImplementedError")),
    "align_corners_con_area": (lambda L: L.nn.functional.interpolate(L.ones(1, 1, 2), scale_factor=2, mode="area",
                                                                     align_corners=True), Raises("ValueError")),
    "uint8_trilinear": (lambda L: L.nn.functional.interpolate(L.ones(1, 1, 2, 2, 2, dtype=L.uint8), scale_factor=2,
                                                              mode="trilinear"), Raises("NotImplementedError")),
    # Los nombres antiguos: upsample_bilinear es bilineal con align_corners=True; los tres avisan.
    "upsample_bilinear": (_fg(lambda F, x: _warns(F.upsample_bilinear, x, size=(1, 4)), [[[[0., 3.]]]]),
                          (("float32", (1, 1, 1, 4), [0, 1, 2, 3]), ("float32", (1, 1, 1, 2), [4 / 3, 14 / 3]))),
    "upsample_nearest": (_fg(lambda F, x: _warns(F.upsample_nearest, x, scale_factor=2), [[[1., 2.]]]),
                         (("float32", (1, 1, 4), [1, 1, 2, 2]), ("float32", (1, 1, 2), [1, 5]))),
    "upsample": (_fg(lambda F, x: _warns(F.upsample, x, size=3, mode="linear"), [[[1., 2.]]]),
                 (("float32", (1, 1, 3), [1, 1.5, 2]), ("float32", (1, 1, 2), [0.5, 2.5]))),
}


def _warns(f, *args, **kw):
    """``f(*args, **kw)``, comprobando que avisa con un UserWarning que nombra la función (como PyTorch)."""
    with pytest.warns(UserWarning, match=f"nn.functional.{f.__name__}`"):
        return f(*args, **kw)


test_interpolate_as_pytorch, test_expectations_are_torchs = parity_tests(CASES)


@pytest.mark.parametrize("mode,nd", [("linear", 1), ("bicubic", 2), ("trilinear", 3), ("area", 3),
                                     ("nearest-exact", 2), ("nearest", 3)])
def test_gradcheck(mode, nd):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2) + (3, 4, 2)[:nd])
    kw = {} if mode in ("area", "nearest", "nearest-exact") else {"align_corners": False}
    check(lambda t: tg.nn.functional.interpolate(t, scale_factor=1.5, mode=mode, **kw), x)


_MODES = {1: ["nearest", "nearest-exact", "area", "linear"], 2: ["nearest", "nearest-exact", "area", "bilinear", "bicubic"],
          3: ["nearest", "nearest-exact", "area", "trilinear"]}


@st.composite
def _interp_case(draw):
    nd = draw(st.integers(1, 3))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + tuple(draw(st.integers(1, 5)) for _ in range(nd))
    mode = draw(st.sampled_from(_MODES[nd]))
    ac = draw(st.sampled_from([None, True, False])) if mode in ("linear", "bilinear", "bicubic", "trilinear") else None
    if draw(st.booleans()):
        spec = {"size": tuple(draw(st.integers(1, 7)) for _ in range(nd))}
    else:
        spec = {"scale_factor": draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.7])),
                "recompute_scale_factor": draw(st.sampled_from([None, True]))}
    return shape, mode, ac, spec, draw(st.integers(0, 2 ** 16))


def _run(L, shape, mode, ac, spec, seed):
    if "scale_factor" in spec and min(int(n * spec["scale_factor"]) for n in shape[2:]) == 0:
        return "salida vacía (known_differences.md)", None, None
    x0 = np.random.default_rng(seed).standard_normal(shape)
    x = L.tensor(x0, requires_grad=True)
    try:
        y = L.nn.functional.interpolate(x, mode=mode, align_corners=ac, **spec)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, None, None
    g = np.random.default_rng(seed + 1).standard_normal(tuple(y.shape))
    y.backward(L.tensor(g))
    return tuple(y.shape), y.detach().numpy(), x.grad.numpy()


@given(_interp_case())
def test_random_interpolations_like_torch(case):
    torch = pytest.importorskip("torch")
    ours, theirs = _run(tg, *case), _run(torch, *case)
    assert ours[0] == theirs[0], f"{case}: {ours[0]} ≠ {theirs[0]}"
    if ours[1] is not None:
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-10, atol=1e-12)
