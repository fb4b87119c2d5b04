"""``nn.utils.prune``, ``fuse_*`` y ``skip_init`` sin PyTorch: el esquema ``weight_orig`` +
``weight_mask`` + pre-hook, gradiente nulo en lo podado, poda sucesiva, ``remove`` permanente, poda
global y los errores."""
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn, optim
from tinygrad_es.nn.utils import prune


def test_l1_scheme_grad_and_training_keep_zeros():
    tg.manual_seed(0)
    m = nn.Linear(5, 4)
    w = m.weight
    prune.l1_unstructured(m, "weight", amount=0.5)
    assert m.weight_orig is w and not isinstance(m.weight, nn.Parameter)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight_orig"]
    assert [n for n, _ in m.named_buffers()] == ["weight_mask"]
    mask = m.weight_mask.numpy()
    assert mask.sum() == 10
    a = np.abs(w.detach().numpy())
    assert a[mask == 0].max() <= a[mask == 1].min()                       # se fueron los de menor |w|
    opt = optim.SGD(m.parameters(), lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        m(tg.randn(3, 5)).pow(2).sum().backward()
        assert (m.weight_orig.grad.numpy()[mask == 0] == 0).all()
        opt.step()
    assert (m(tg.eye(5)).detach().numpy() - m.bias.detach().numpy() == 0)[mask.T == 0].all()
    prune.remove(m, "weight")
    assert m.weight is w and isinstance(m.weight, nn.Parameter)
    assert (w.detach().numpy()[mask == 0] == 0).all()
    assert list(m.state_dict()) == ["bias", "weight"] and not prune.is_pruned(m)


def test_repeated_pruning_only_looks_at_what_is_left():
    m = nn.Linear(10, 1)
    m.weight.data = tg.arange(1.0, 11.0).reshape(1, 10)
    prune.l1_unstructured(m, "weight", amount=3)
    prune.l1_unstructured(m, "weight", amount=3)
    assert m.weight_mask.numpy().tolist() == [[0.0] * 6 + [1.0] * 4]
    hook = next(iter(m._forward_pre_hooks.values()))[0]
    assert isinstance(hook, prune.PruningContainer) and len(hook) == 2
    assert len(m._forward_pre_hooks) == 1


def test_structured_prunes_whole_channels():
    c = nn.Conv2d(3, 8, 3)
    prune.ln_structured(c, "weight", amount=0.25, n=2, dim=0)
    per = c.weight_mask.numpy().reshape(8, -1)
    assert sorted(per.min(1)) == sorted(per.max(1)) and int((per.max(1) == 0).sum()) == 2
    norms = np.linalg.norm(c.weight_orig.detach().numpy().reshape(8, -1), axis=1)
    assert norms[per.max(1) == 0].max() <= norms[per.max(1) == 1].min()
    prune.random_structured(c, "weight", amount=2, dim=1)
    cin = c.weight_mask.numpy().transpose(1, 0, 2, 3).reshape(3, -1)
    assert int((cin.max(1) == 0).sum()) == 2


def test_global_unstructured_threshold_is_shared():
    a, b = nn.Linear(4, 4), nn.Linear(4, 4)
    a.weight.data = tg.full((4, 4), 0.1)
    b.weight.data = tg.full((4, 4), 5.0)
    prune.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=prune.L1Unstructured, amount=0.5)
    assert a.weight_mask.sum().item() == 0 and b.weight_mask.sum().item() == 16
    with pytest.raises(TypeError):
        prune.global_unstructured([(a, "weight")], pruning_method=prune.RandomStructured, amount=1)


def test_errors_and_failed_pruning_leaves_module_intact():
    m = nn.Linear(3, 2)
    with pytest.raises(ValueError, match="amount=7"):
        prune.l1_unstructured(m, "weight", amount=7)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]           # como PyTorch: vuelve al final
    assert isinstance(m.weight, nn.Parameter) and not prune.is_pruned(m)
    with pytest.raises(AssertionError, match="forma"):
        prune.l1_unstructured(m, "weight", amount=1, importance_scores=tg.ones(3))
    with pytest.raises(IndexError):
        prune.ln_structured(nn.Linear(3, 2), "weight", amount=1, n=1, dim=2)
    with pytest.raises(ValueError, match="podado"):
        prune.remove(nn.Linear(2, 2), "weight")
    assert prune.identity(nn.Linear(2, 2), "bias").bias_mask.numpy().tolist() == [1.0, 1.0]
    x = tg.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(prune.L1Unstructured(amount=2).prune(x).numpy(), [[0, 0, 2], [3, 4, 5]])


def test_fuse_conv_bn_equals_conv_then_bn_in_eval():
    tg.manual_seed(0)
    conv, bn = nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4)
    bn.running_mean.normal_()
    bn.running_var.uniform_(0.5, 2.0)
    bn.weight.data.normal_()
    conv.eval(), bn.eval()
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    x = tg.randn(2, 3, 6, 6)
    np.testing.assert_allclose(fused(x).detach().numpy(), bn(conv(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
    assert conv.bias is None and isinstance(fused.bias, nn.Parameter)              # el original no cambia
    with pytest.raises(AssertionError, match="eval"):
        nn.utils.fuse_conv_bn_eval(conv.train(), bn)
