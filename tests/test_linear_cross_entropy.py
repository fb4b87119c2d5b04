"""``F.linear_cross_entropy`` y ``nn.LinearCrossEntropyOptions``: la composición de ``linear`` y
``cross_entropy`` con la validación de PyTorch."""
import pickle

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F

RNG = np.random.default_rng(0)


def _arr(*shape):
    return RNG.standard_normal(shape)


def test_equals_cross_entropy_of_linear_with_k_dim_weight_and_bias():
    x, w, b = _arr(3, 4), _arr(5, 2, 4), _arr(5, 2)
    t = tg.tensor(RNG.integers(0, 5, (3, 2)))
    xs, ws, bs = (tg.tensor(a, requires_grad=True) for a in (x, w, b))
    out = F.linear_cross_entropy(xs, ws, t, linear_bias=bs, reduction="sum")
    logits = (tg.tensor(x) @ tg.tensor(w.reshape(10, 4)).T + tg.tensor(b.reshape(10))).reshape(3, 5, 2)
    np.testing.assert_allclose(out.item(), F.cross_entropy(logits, t, reduction="sum").item(), rtol=1e-12)
    out.backward()
    assert ws.grad.shape == (5, 2, 4) and bs.grad.shape == (5, 2)


def test_gradient_matches_finite_differences_float64():
    x, w = _arr(3, 4), _arr(5, 4)
    t = tg.tensor([0, 4, 2])
    ws = tg.tensor(w, requires_grad=True)
    F.linear_cross_entropy(tg.tensor(x), ws, t, ignore_index=2).backward()

    def f(wv):
        return F.linear_cross_entropy(tg.tensor(x), tg.tensor(wv), t, ignore_index=2).item()
    num = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        d = np.zeros_like(w)
        d[i] = 1e-6
        num[i] = (f(w + d) - f(w - d)) / 2e-6
    np.testing.assert_allclose(ws.grad.numpy(), num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("x,w,t,bias,kw,match", [
    ((2, 3, 3), (2, 3), None, None, {}, "1 o 2 dimensiones, no de 3"),
    ((2, 3), (2,), None, None, {}, "al menos 2 dimensiones, no de 1"),
    ((2, 3), (2, 4), None, None, {}, "in_features.*3 y 4"),
    ((3,), (2, 4, 3), None, None, {}, "exige una entrada con lote"),
    ((2, 3), (2, 3), None, (3,), {}, r"linear_bias debe tener forma \(2,\), no \(3,\)"),
    ((2, 3), (2, 3), (2, 2), None, {"ignore_index": 0}, "ignore_index no se puede dar"),
])
def test_bad_input_is_runtime_error_in_spanish(x, w, t, bias, kw, match):
    target = tg.zeros(*t) if t else tg.tensor([0, 1])
    with pytest.raises(RuntimeError, match=match):
        F.linear_cross_entropy(tg.zeros(*x), tg.zeros(*w), target,
                               linear_bias=tg.zeros(*bias) if bias else None, **kw)


def test_options_dataclass_fields_defaults_and_validation():
    o = nn.LinearCrossEntropyOptions()
    assert (o.allow_retain_graph, o.batch_chunk_size, o.chunking_method, o.acc_policy, o.acc_dtype) == (
        False, None, "auto", "auto", None)
    with pytest.raises(Exception):
        o.batch_chunk_size = 2  # congelada
    p = nn.LinearCrossEntropyOptions(batch_chunk_size=3, acc_dtype=tg.float64)
    assert pickle.loads(pickle.dumps(p)) == p and hash(p) == hash(nn.LinearCrossEntropyOptions(False, 3,
                                                                                            acc_dtype=tg.float64))
    for bad in (dict(acc_policy="rapida"), dict(chunking_method="aspect_ratio:0"), dict(batch_chunk_size=0),
                dict(acc_dtype=tg.int64)):
        with pytest.raises(ValueError):
            nn.LinearCrossEntropyOptions(**bad)
    # un tamaño de trozo que contradice al método: ValueError al llamar, como en PyTorch
    opts = nn.LinearCrossEntropyOptions(batch_chunk_size=3, chunking_method="aspect_ratio")
    with pytest.raises(ValueError, match="trozos distintos"):
        F.linear_cross_entropy(tg.zeros(8, 4), tg.zeros(6, 4), tg.zeros(8, dtype=tg.int64), options=opts)


def test_options_unsupported_configuration_warns_and_computes_reference():
    x, w, t = tg.tensor(_arr(4, 3)), tg.tensor(_arr(5, 3)), tg.tensor([0, 1, 2, 3])
    with pytest.warns(UserWarning, match="se ignoran las opciones"):
        got = F.linear_cross_entropy(x, w, t, label_smoothing=0.1, options=nn.LinearCrossEntropyOptions())
    assert got.item() == F.linear_cross_entropy(x, w, t, label_smoothing=0.1).item()


@pytest.mark.torch
@pytest.mark.parametrize("case", ["unbatched", "kdim_probs", "bias_weight_none", "chunked"])
def test_matches_torch_value_and_gradients(case):
    torch = pytest.importorskip("torch")
    x, w = _arr(4, 3), _arr(5, 3)
    t = RNG.integers(0, 5, 4)
    kw = {}
    if case == "unbatched":
        x, t = x[0], t[0]
    elif case == "kdim_probs":
        w = _arr(5, 2, 3)
        t = RNG.random((4, 5, 2))
    elif case == "bias_weight_none":
        kw = dict(linear_bias=_arr(5), weight=RNG.random(5) + 0.5, reduction="none", ignore_index=1)
    else:
        kw = dict(reduction="mean", weight=RNG.random(5) + 0.5)
    res = []
    for lib in (torch, tg):
        X, W = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        k = {n: (lib.tensor(v, requires_grad=n == "linear_bias") if isinstance(v, np.ndarray) else v)
             for n, v in kw.items()}
        if case == "chunked":
            k["options"] = (torch.nn if lib is torch else nn).LinearCrossEntropyOptions(batch_chunk_size=2)
        out = lib.nn.functional.linear_cross_entropy(X, W, lib.tensor(t), **k)
        out.sum().backward()
        grads = [X.grad, W.grad] + ([k["linear_bias"].grad] if "linear_bias" in k else [])
        res.append([out.detach().numpy()] + [g.numpy() for g in grads])
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
