"""``torch.fft.hfft2``/``hfftn``/``ihfft2``/``ihfftn``: contra PyTorch en float64 (formas, ``s``,
``dim``, las tres normalizaciones), ida y vuelta, y gradientes en float64."""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import check


def _complex(re, im):
    return tg.complex(tg.tensor(re), tg.tensor(im))


def test_round_trip_and_gradients():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 6))
    back = tg.fft.hfftn(tg.fft.ihfftn(tg.tensor(x)), s=x.shape)
    np.testing.assert_allclose(back.numpy(), x, atol=1e-12)
    back2 = tg.fft.hfft2(tg.fft.ihfft2(tg.tensor(x), norm="ortho"), s=(4, 6), norm="ortho")
    np.testing.assert_allclose(back2.numpy(), x, atol=1e-12)
    check(lambda t: tg.fft.ihfftn(t).abs(), x)
    check(lambda re, im: tg.fft.hfft2(tg.complex(re, im), s=(4, 6)), rng.normal(size=(2, 4, 4)),
          rng.normal(size=(2, 4, 4)))
    with pytest.raises(RuntimeError, match="ihfftn"):
        tg.fft.ihfftn(_complex(x, x))
    with pytest.raises(RuntimeError, match="norm"):
        tg.fft.hfftn(tg.tensor(x), norm="bad")


@pytest.mark.torch
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_match_pytorch(norm):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    re, im = rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 4, 5))
    zt = torch.complex(torch.tensor(re), torch.tensor(im))
    z = _complex(re, im)
    for kw in ({}, {"s": (4, 8)}, {"dim": (0, 2)}, {"s": (2, 3, 6), "dim": (0, 1, 2)}):
        fn = "hfft2" if "dim" not in kw or len(kw["dim"]) == 2 else "hfftn"
        for name in (fn, "hfftn"):
            if name == "hfft2" and "s" in kw and len(kw["s"]) != 2:
                continue
            np.testing.assert_allclose(getattr(tg.fft, name)(z, norm=norm, **kw).numpy(),
                                       getattr(torch.fft, name)(zt, norm=norm, **kw).numpy(), rtol=1e-12, atol=1e-12)
        for name in ("ihfft2", "ihfftn"):
            if name == "ihfft2" and "s" in kw and len(kw["s"]) != 2:
                continue
            ours = getattr(tg.fft, name)(tg.tensor(re), norm=norm, **kw)
            ref = getattr(torch.fft, name)(torch.tensor(re), norm=norm, **kw)
            np.testing.assert_allclose(tg.view_as_real(ours).numpy(), torch.view_as_real(ref).numpy(),
                                       rtol=1e-12, atol=1e-12)
