"""Las capas perezosas (``nn.LazyLinear``, ``LazyConv2d``, ``LazyBatchNorm2d``...): el estilo de d2l."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn


def test_lazy_linear_infers_in_features_and_becomes_linear():
    capa = nn.LazyLinear(3)
    assert isinstance(capa.weight, nn.UninitializedParameter)
    with pytest.raises(RuntimeError, match="sin inicializar"):
        capa.weight.shape
    assert repr(capa) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    y = capa(tg.rand(5, 4))
    assert y.shape == (5, 3)
    assert type(capa) is nn.Linear and type(capa.weight) is nn.Parameter
    assert capa.weight.shape == (3, 4) and capa.bias.shape == (3,) and capa.in_features == 4
    # inicializado como Linear: U(±1/√4)
    assert np.abs(capa.weight.detach().numpy()).max() <= 0.5 and capa.weight.detach().numpy().std() > 0
    assert len(capa._forward_pre_hooks) == 0  # el gancho se quita
    assert nn.LazyLinear(2, bias=False)(tg.rand(1, 3)).shape == (1, 2)


def test_lazy_sequential_trains_with_optimizer_created_before_first_pass():
    tg.manual_seed(0)
    net = nn.Sequential(nn.LazyConv2d(4, 3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(),
                        nn.LazyLinear(2))
    opt = tg.optim.SGD(net.parameters(), lr=0.1)  # d2l crea el optimizador antes de la primera pasada
    params = list(net.parameters())
    x, y = tg.rand(8, 3, 5, 5), tg.tensor([0, 1] * 4)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert [tuple(p.shape) for p in params] == [(4, 3, 3, 3), (4,), (4,), (4,), (2, 100), (2,)]
    assert all(a is b for a, b in zip(params, net.parameters()))  # los mismos objetos
    assert type(net[0]) is nn.Conv2d and type(net[1]) is nn.BatchNorm2d and net[1].num_features == 4
    assert net[1].running_mean.shape == (4,) and float(net[1].num_batches_tracked.item()) == 5


def test_lazy_conv_unbatched_groups_and_transposed():
    c = nn.LazyConv1d(4, 3, groups=2)
    assert c(tg.rand(6, 10)).shape == (4, 8)  # sin lote: canales en el eje 0
    assert c.weight.shape == (4, 3, 3)
    with pytest.raises(ValueError, match="divisibles por groups"):
        nn.LazyConv2d(4, 3, groups=2)(tg.rand(1, 3, 5, 5))
    t = nn.LazyConvTranspose2d(2, 2, stride=2)
    assert t(tg.rand(1, 3, 4, 4)).shape == (1, 2, 8, 8) and t.weight.shape == (3, 2, 2, 2)


def test_lazy_batchnorm_variants():
    bn = nn.LazyBatchNorm1d(affine=False, track_running_stats=False)
    out = bn(tg.rand(4, 3))
    assert out.shape == (4, 3) and bn.weight is None and bn.running_mean is None
    with pytest.raises(ValueError, match="entrada"):
        nn.LazyBatchNorm2d()(tg.rand(4, 3))


def test_uninitialized_parameter_materialize_and_state_dict():
    p = nn.UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>"
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.requires_grad
    b = nn.UninitializedBuffer()
    b.materialize(4)
    assert type(b) is tg.Tensor and b.shape == (4,)
    src = nn.Linear(3, 2)
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict(src.state_dict())  # como PyTorch: la carga da forma a los parámetros
    assert np.array_equal(lazy.weight.detach().numpy(), src.weight.detach().numpy())
    x = tg.rand(1, 3)
    assert np.allclose(lazy(x).detach().numpy(), src(x).detach().numpy())
    assert type(lazy) is nn.Linear and lazy.in_features == 3


def test_lazy_matches_pytorch_shapes_and_types():
    torch = pytest.importorskip("torch")
    for ours, theirs, shape in [(nn.LazyLinear(5), torch.nn.LazyLinear(5), (2, 7)),
                                (nn.LazyConv2d(3, 2, stride=2), torch.nn.LazyConv2d(3, 2, stride=2), (1, 4, 6, 6)),
                                (nn.LazyBatchNorm1d(), torch.nn.LazyBatchNorm1d(), (3, 5, 2)),
                                (nn.LazyBatchNorm2d(bias=False), torch.nn.LazyBatchNorm2d(bias=False), (2, 3, 4, 4))]:
        assert repr(ours) == repr(theirs)
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        yo, yt = ours(tg.tensor(x)), theirs(torch.tensor(x))
        assert tuple(yo.shape) == tuple(yt.shape)
        assert type(ours).__name__ == type(theirs).__name__
        assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert repr(ours) == repr(theirs)
