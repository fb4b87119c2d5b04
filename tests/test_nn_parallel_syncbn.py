"""``nn.DataParallel`` y ``nn.SyncBatchNorm`` en la CPU: lo mismo que PyTorch sin GPU ni ``torch.distributed``."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn


def _both():
    torch = pytest.importorskip("torch")
    return torch


def _copy_into(ours, theirs):
    ours.load_state_dict({k: np.array(v.detach().numpy()) for k, v in theirs.state_dict().items()})


@pytest.mark.torch
def test_data_parallel_calls_the_module_and_prefixes_keys():
    torch = _both()
    rng = np.random.default_rng(0)
    t = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)))
    o = nn.DataParallel(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)))
    assert list(o.state_dict()) == list(t.state_dict())
    assert o.device_ids == t.device_ids == []
    _copy_into(o, t)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(o(tg.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    assert repr(o) == repr(t)
    assert isinstance(o.module, nn.Sequential)


def test_data_parallel_kwargs_training_and_bad_input():
    calls = []

    class M(nn.Module):
        def forward(self, x, escala=1.0):
            calls.append(self.training)
            return x * escala

    d = nn.DataParallel(M(), device_ids=[0, 1], dim=1)
    assert d(tg.ones(2), escala=3.0).tolist() == [3.0, 3.0]
    d.eval()
    d(tg.ones(1))
    assert calls == [True, False]
    inner = nn.Linear(2, 2)
    inner.load_state_dict({k[len("module."):]: v for k, v in nn.DataParallel(nn.Linear(2, 2)).state_dict().items()})
    assert tg.nn.parallel.DataParallel is nn.DataParallel
    with pytest.raises(TypeError, match="DataParallel"):
        nn.DataParallel(3)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 2, 2, 2, 2)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_sync_batchnorm_matches_torch_train_and_eval(shape, momentum):
    torch = _both()
    rng = np.random.default_rng(1)
    t, o = torch.nn.SyncBatchNorm(3, momentum=momentum), nn.SyncBatchNorm(3, momentum=momentum)
    with torch.no_grad():
        t.weight.copy_(torch.tensor([0.5, 2.0, -1.0]))
        t.bias.copy_(torch.tensor([0.1, 0.0, 0.3]))
    _copy_into(o, t)
    for train in (True, True, False):
        t.train(train), o.train(train)
        x = rng.standard_normal(shape).astype(np.float32)
        xt, xo = torch.tensor(x, requires_grad=True), tg.tensor(x, requires_grad=True)
        yt, yo = t(xt), o(xo)
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        g = rng.standard_normal(shape).astype(np.float32)
        yt.backward(torch.tensor(g)), yo.backward(tg.tensor(g))
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(o.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-4, atol=1e-5)
        for k, v in t.state_dict().items():
            np.testing.assert_allclose(o.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6)
    assert repr(o) == repr(t)


@pytest.mark.torch
def test_convert_sync_batchnorm_like_torch():
    torch = _both()

    def build(lib):
        m = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 1), lib.nn.BatchNorm2d(2, momentum=0.3),
                              lib.nn.Sequential(lib.nn.BatchNorm1d(2, affine=False)))
        m[1].eval()
        return m

    t, o = build(torch), build(tg)
    tw, ow = t[1].weight, o[1].weight
    t2, o2 = torch.nn.SyncBatchNorm.convert_sync_batchnorm(t), nn.SyncBatchNorm.convert_sync_batchnorm(o)
    assert t2 is t and o2 is o
    assert repr(o) == repr(t)
    assert o[1].weight is ow and t[1].weight is tw  # los mismos parámetros: el optimizador sigue valiendo
    assert (o[1].training, o[2][0].training) == (t[1].training, t[2][0].training)
    assert list(o.state_dict()) == list(t.state_dict())
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(4))
    assert type(single) is nn.SyncBatchNorm


def test_convert_sync_batchnorm_inside_plain_lists():
    class Red(nn.Module):
        def __init__(self):
            super().__init__()
            self.capas = [nn.BatchNorm1d(2), nn.Linear(2, 2)]

    r = nn.SyncBatchNorm.convert_sync_batchnorm(Red())
    assert type(r.capas[0]) is nn.SyncBatchNorm and type(r.capas[1]) is nn.Linear


def test_sync_batchnorm_bad_input():
    bn = nn.SyncBatchNorm(3)
    with pytest.raises(ValueError, match="2 dimensiones"):
        bn(tg.ones(3))
    with pytest.raises(ValueError, match="canales"):
        nn.SyncBatchNorm(0)(tg.ones(3, 0))
    with pytest.raises(RuntimeError, match="running_mean"):
        bn(tg.ones(3, 4))
