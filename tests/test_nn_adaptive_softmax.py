"""``nn.AdaptiveLogSoftmaxWithLoss``: salida, pérdida, gradientes, ``log_prob`` y ``predict`` contra PyTorch."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn


def _pair(torch, **kw):
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, **kw)
    o = nn.AdaptiveLogSoftmaxWithLoss(16, 20, **kw)
    assert list(o.state_dict()) == list(t.state_dict())
    o.load_state_dict({k: v.detach().numpy().copy() for k, v in t.state_dict().items()})
    return t, o


@pytest.mark.torch
@pytest.mark.parametrize("kw", [dict(cutoffs=[5, 10]), dict(cutoffs=[3], div_value=2.0, head_bias=True),
                                dict(cutoffs=[2, 7, 15], div_value=1.5)])
def test_forward_backward_log_prob_predict_like_torch(kw):
    torch = pytest.importorskip("torch")
    t, o = _pair(torch, **kw)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 16)).astype(np.float32)
    y = np.array([0, 6, 12, 19, 4, 10, 6])
    ot, lt = t(torch.tensor(x), torch.tensor(y))
    oo, lo = o(tg.tensor(x), tg.tensor(y))
    np.testing.assert_allclose(oo.detach().numpy(), ot.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-5)
    lt.backward(), lo.backward()
    for (n, pt), (_, po) in zip(t.named_parameters(), o.named_parameters()):
        np.testing.assert_allclose(po.grad.numpy(), pt.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=n)
    np.testing.assert_allclose(o.log_prob(tg.tensor(x)).detach().numpy(), t.log_prob(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    xs = rng.standard_normal((50, 16)).astype(np.float32) * 3
    assert o.predict(tg.tensor(xs)).tolist() == t.predict(torch.tensor(xs)).tolist()
    # sin lote: target 0-D
    o1, l1 = o(tg.tensor(x[0]), tg.tensor(y[1]))
    t1, m1 = t(torch.tensor(x[0]), torch.tensor(y[1]))
    assert tuple(o1.shape) == tuple(t1.shape) == ()
    np.testing.assert_allclose(o1.item(), t1.item(), rtol=1e-5)
    for lib, m, v in ((tg, o, x[0]), (torch, t, x[0])):
        with pytest.raises(IndexError):
            m.predict(lib.tensor(v))
        with pytest.raises(IndexError):
            m.log_prob(lib.tensor(v))
    assert type(o(tg.tensor(x), tg.tensor(y))).__name__ == "_ASMoutput"
    assert repr(o) == repr(t)


@pytest.mark.parametrize("cutoffs", [[], [5, 3], [0, 4], [4, 20], [4, 4], [2.5]])
def test_bad_cutoffs(cutoffs):
    with pytest.raises(ValueError, match="cutoffs"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs)


def test_bad_targets_and_shapes():
    asm = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])
    with pytest.raises(RuntimeError, match=r"\[0, 9\]"):
        asm(tg.randn(2, 4), tg.tensor([1, 10]))
    with pytest.raises(RuntimeError, match="lote"):
        asm(tg.randn(3, 4), tg.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="0-D o 1-D"):
        asm(tg.randn(2, 4), tg.tensor([[1, 2]]))
    with pytest.raises(RuntimeError, match="1-D"):
        asm(tg.randn(2, 4), tg.tensor(1))
