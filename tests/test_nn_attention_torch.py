"""Atención, MultiheadAttention, capas Transformer y RMSNorm frente a PyTorch con los mismos pesos
(dropout 0): salidas, pesos de atención y todos los gradientes, en float64 y float32."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import tinygrad_es as tg  # noqa: E402
import tinygrad_es.nn.functional as F  # noqa: E402
from tinygrad_es import nn  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor", "ignore:.*nested tensors", "ignore:.*invalid value")


def both(a):
    return tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def close(a, A, tol=1e-10):
    np.testing.assert_allclose(a.detach().numpy(), A.detach().numpy(), rtol=tol, atol=tol)


def sync(m, M):
    assert list(m.state_dict()) == list(M.state_dict())
    M.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})


def same_param_grads(m, M, tol=1e-10):
    for (n, p), (N, P) in zip(m.named_parameters(), M.named_parameters()):
        assert n == N
        close(p.grad, P.grad, tol)


@pytest.mark.parametrize("case", ["plain", "causal", "scale", "bool", "float", "dead_row", "broadcast", "gqa"])
def test_sdpa_matches_pytorch(case):
    r = np.random.default_rng(0)
    hk = 2 if case == "gqa" else 3
    q, Q = both(r.standard_normal((2, 3, 4, 5)))
    k, K = both(r.standard_normal((2, hk, 6, 5)))
    v, V = both(r.standard_normal((2, hk, 6, 7)))
    if case == "gqa":
        q, Q = both(r.standard_normal((2, 4, 4, 5)))
    kw, m, M = {}, None, None
    if case == "causal":
        kw["is_causal"] = True
    if case == "scale":
        kw["scale"] = 0.3
    if case == "gqa":
        kw["enable_gqa"] = True
    if case in ("bool", "dead_row"):
        b = r.random((4, 6)) > 0.3
        b[:, 0] = case == "bool"
        if case == "dead_row":
            b[2] = False
        m, M = tg.tensor(b), torch.tensor(b)
    if case in ("float", "broadcast"):
        m, M = both(r.standard_normal((2, 1, 4, 6) if case == "float" else (6,)))
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw)
    O = TF.scaled_dot_product_attention(Q, K, V, attn_mask=M, **kw)
    close(o, O)
    g = r.standard_normal(tuple(O.shape))
    o.backward(g)
    O.backward(torch.tensor(g))
    for a, A in [(q, Q), (k, K), (v, V)] + ([(m, M)] if case in ("float", "broadcast") else []):
        close(a.grad, A.grad)


MHA_CASES = [({}, {}), (dict(batch_first=True), {}), (dict(kdim=3, vdim=5), {}),
             (dict(add_bias_kv=True, add_zero_attn=True), dict(mask=True, kpm=True)), ({}, dict(need_weights=False)),
             ({}, dict(average_attn_weights=False)), (dict(bias=False), dict(mask=True)),
             ({}, dict(kpm=True, mask=True)), ({}, dict(kpm=True, need_weights=False)),
             ({}, dict(causal=True, need_weights=False)), ({}, dict(float_kpm=True)), ({}, dict(unbatched=True))]


@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("kw, fkw", MHA_CASES)
def test_multihead_attention_matches_pytorch(kw, fkw, dt):
    r = np.random.default_rng(1)
    tol = 1e-10 if dt == np.float64 else 2e-5
    m = nn.MultiheadAttention(8, 2, dtype=tg.float64 if dt == np.float64 else tg.float32, **kw)
    M = torch.nn.MultiheadAttention(8, 2, **kw).to(torch.float64 if dt == np.float64 else torch.float32)
    sync(m, M)
    L, S, N = 4, 5, 3
    bf = kw.get("batch_first")

    def shape(T, d):
        return (T, d) if fkw.get("unbatched") else ((N, T, d) if bf else (T, N, d))

    q, Q = both(r.standard_normal(shape(L, 8)).astype(dt))
    k, K = both(r.standard_normal(shape(S, kw.get("kdim", 8))).astype(dt))
    v, V = both(r.standard_normal(shape(S, kw.get("vdim", 8))).astype(dt))
    a = dict(need_weights=fkw.get("need_weights", True), average_attn_weights=fkw.get("average_attn_weights", True))
    A = dict(a)
    if fkw.get("mask"):
        b = r.random((L, S)) > 0.5
        b[:, 0] = False
        a["attn_mask"], A["attn_mask"] = tg.tensor(b), torch.tensor(b)
    if fkw.get("kpm"):
        b = r.random((N, S)) > 0.6
        b[:, 1] = False
        a["key_padding_mask"], A["key_padding_mask"] = tg.tensor(b), torch.tensor(b)
    if fkw.get("float_kpm"):
        f = r.standard_normal((N, S)).astype(dt)
        a["key_padding_mask"], A["key_padding_mask"] = tg.tensor(f), torch.tensor(f)
    if fkw.get("causal"):
        q, Q = both(r.standard_normal((L, N, 8)).astype(dt))
        k, K, v, V = q, Q, q, Q
        cm = np.triu(np.full((L, L), -np.inf, dtype=dt), 1)
        a["attn_mask"], A["attn_mask"] = tg.tensor(cm), torch.tensor(cm)
        a["is_causal"] = A["is_causal"] = True
    o, w = m(q, k, v, **a)
    O, W = M(Q, K, V, **A)
    close(o, O, tol)
    if W is None:
        assert w is None
    else:
        close(w, W, tol)
    g = r.standard_normal(tuple(O.shape)).astype(dt)
    (o * tg.tensor(g)).sum().backward()
    (O * torch.tensor(g)).sum().backward()
    close(q.grad, Q.grad, tol)
    same_param_grads(m, M, tol)


ACTS = {"relu": ("relu", "relu"), "gelu": ("gelu", "gelu"), "silu": (F.silu, TF.silu)}


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("act", ["relu", "gelu", "silu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_layers_match_pytorch(norm_first, act, batch_first):
    r = np.random.default_rng(2)
    kw = dict(dropout=0.0, norm_first=norm_first, batch_first=batch_first)
    e = nn.TransformerEncoderLayer(8, 2, 16, activation=ACTS[act][0], dtype=tg.float64, **kw)
    E = torch.nn.TransformerEncoderLayer(8, 2, 16, activation=ACTS[act][1], dtype=torch.float64, **kw)
    sync(e, E)
    x, X = both(r.standard_normal((3, 5, 8) if batch_first else (5, 3, 8)))
    cm = nn.Transformer.generate_square_subsequent_mask(5, dtype=tg.float64)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    kpm = np.where(kpm, -np.inf, 0.0)  # flotante, del mismo tipo que la máscara causal
    o = e(x, src_mask=cm, src_key_padding_mask=tg.tensor(kpm))
    O = E(X, src_mask=torch.tensor(cm.numpy()), src_key_padding_mask=torch.tensor(kpm))
    close(o, O)
    o.sum().backward()
    O.sum().backward()
    close(x.grad, X.grad)
    same_param_grads(e, E)
    d = nn.TransformerDecoderLayer(8, 2, 16, activation=ACTS[act][0], dtype=tg.float64, **kw)
    D = torch.nn.TransformerDecoderLayer(8, 2, 16, activation=ACTS[act][1], dtype=torch.float64, **kw)
    sync(d, D)
    t, T = both(r.standard_normal((3, 4, 8) if batch_first else (4, 3, 8)))
    mem, MEM = both(r.standard_normal((3, 6, 8) if batch_first else (6, 3, 8)))
    tm = nn.Transformer.generate_square_subsequent_mask(4, dtype=tg.float64)
    o = d(t, mem, tgt_mask=tm, tgt_is_causal=True)
    O = D(T, MEM, tgt_mask=torch.tensor(tm.numpy()), tgt_is_causal=True)
    close(o, O)
    o.sum().backward()
    O.sum().backward()
    close(t.grad, T.grad)
    close(mem.grad, MEM.grad)
    same_param_grads(d, D)


@pytest.mark.parametrize("batch_first", [False, True])
def test_full_transformer_matches_pytorch(batch_first):
    r = np.random.default_rng(3)
    m = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=batch_first, dtype=tg.float64)
    M = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=batch_first, dtype=torch.float64)
    sync(m, M)
    s, S = both(r.standard_normal((2, 6, 8) if batch_first else (6, 2, 8)))
    t, T = both(r.standard_normal((2, 4, 8) if batch_first else (4, 2, 8)))
    tm = nn.Transformer.generate_square_subsequent_mask(4, dtype=tg.float64)
    skp = np.zeros((2, 6), bool)
    skp[1, 4:] = True
    o = m(s, t, tgt_mask=tm, src_key_padding_mask=tg.tensor(skp), memory_key_padding_mask=tg.tensor(skp))
    O = M(S, T, tgt_mask=torch.tensor(tm.numpy()), src_key_padding_mask=torch.tensor(skp),
          memory_key_padding_mask=torch.tensor(skp))
    close(o, O)
    o.sum().backward()
    O.sum().backward()
    close(s.grad, S.grad)
    same_param_grads(m, M)
    m.eval()
    M.eval()
    with tg.no_grad(), torch.no_grad():  # evaluación: en PyTorch, camino rápido (y tensores anidados)
        close(m.encoder(s, src_key_padding_mask=tg.tensor(skp)), M.encoder(S, src_key_padding_mask=torch.tensor(skp)))
        close(m(s, t, tgt_mask=tm), M(S, T, tgt_mask=torch.tensor(tm.numpy())))
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(5).numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(5).numpy())


@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm_matches_pytorch(eps, dt):
    r = np.random.default_rng(4)
    m = nn.RMSNorm((3, 4), eps=eps, dtype=tg.float32 if dt == np.float32 else tg.float64)
    M = torch.nn.RMSNorm((3, 4), eps=eps).to(torch.float32 if dt == np.float32 else torch.float64)
    w = r.random((3, 4)).astype(dt)
    with tg.no_grad(), torch.no_grad():
        m.weight.copy_(tg.tensor(w))
        M.weight.copy_(torch.tensor(w))
    x, X = both(r.standard_normal((2, 3, 4)).astype(dt))
    tol = 1e-12 if dt == np.float64 else 1e-5
    o, O = m(x), M(X)
    close(o, O, tol)
    (o ** 2).sum().backward()
    (O ** 2).sum().backward()
    close(x.grad, X.grad, tol)
    close(m.weight.grad, M.weight.grad, tol)
    assert repr(m) == repr(M)
