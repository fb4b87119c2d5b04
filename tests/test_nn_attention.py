"""Atención y Transformer sin PyTorch: la definición (softmax(QKᵀ/√d)·V) a mano con numpy,
las máscaras, gradcheck en float64 con formas de hypothesis, parámetros y errores."""
import copy
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygrad_es as tg
import tinygrad_es.nn.functional as F
from tinygrad_es import nn
from tinygrad_es.gradcheck import gradcheck

rng = np.random.default_rng(0)


def np_attention(q, k, v, allowed=None, scale=None):
    s = q @ np.swapaxes(k, -1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if allowed is not None:
        s = np.where(allowed, s, -np.inf)
    s = s - s.max(-1, keepdims=True)
    w = np.exp(s)
    return (w / w.sum(-1, keepdims=True)) @ v


def test_sdpa_is_the_formula():
    q, k, v = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 6, 7))
    T = tg.tensor
    np.testing.assert_allclose(F.scaled_dot_product_attention(T(q), T(k), T(v)).numpy(), np_attention(q, k, v))
    causal = np.tril(np.ones((4, 6), bool))
    np.testing.assert_allclose(F.scaled_dot_product_attention(T(q), T(k), T(v), is_causal=True).numpy(),
                               np_attention(q, k, v, causal))
    m = rng.random((4, 6)) > 0.4
    m[:, 2] = True
    np.testing.assert_allclose(F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=T(m)).numpy(),
                               np_attention(q, k, v, m))
    fm = np.where(m, 0.0, -np.inf)
    np.testing.assert_allclose(F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=T(fm), scale=0.2).numpy(),
                               np_attention(q, k, v, m, 0.2))
    # sin lote ni cabezas: (L, E)
    np.testing.assert_allclose(F.scaled_dot_product_attention(T(q[0, 0]), T(k[0, 0]), T(v[0, 0])).numpy(),
                               np_attention(q[0, 0], k[0, 0], v[0, 0]))


def test_fully_masked_row_gives_zero_output_and_gradient():
    q = tg.tensor(rng.standard_normal((1, 3, 4)), requires_grad=True)
    k = tg.tensor(rng.standard_normal((1, 5, 4)), requires_grad=True)
    m = np.ones((3, 5), bool)
    m[1] = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.scaled_dot_product_attention(q, k, k, attn_mask=tg.tensor(m))
        out.sum().backward()
    assert np.all(out.detach().numpy()[0, 1] == 0) and np.all(np.isfinite(out.detach().numpy()))
    assert np.all(q.grad.numpy()[0, 1] == 0) and np.all(np.isfinite(k.grad.numpy()))


def test_gqa_repeats_key_heads():
    q, k = rng.standard_normal((2, 4, 3, 8)), rng.standard_normal((2, 2, 5, 8))
    out = F.scaled_dot_product_attention(tg.tensor(q), tg.tensor(k), tg.tensor(k), enable_gqa=True).numpy()
    kr = np.repeat(k, 2, axis=1)
    np.testing.assert_allclose(out, np_attention(q, kr, kr))


def test_dropout_in_sdpa_is_always_on_and_rescales():
    tg.manual_seed(0)
    q = tg.ones(1, 1, 200, 4)
    v = tg.tensor(np.ones((1, 1, 200, 1)))
    out = F.scaled_dot_product_attention(q, q, v.float(), dropout_p=0.5).numpy()
    assert 0.8 < out.mean() < 1.2 and out.std() > 0.01  # pesos 1/200 anulados o ×2: la media se conserva


@settings(max_examples=10)
@given(L=st.integers(1, 3), S=st.integers(1, 4), E=st.integers(1, 3), causal=st.booleans(), seed=st.integers(0, 99))
def test_sdpa_gradcheck(L, S, E, causal, seed):
    r = np.random.default_rng(seed)
    q, k, v = r.standard_normal((2, L, E)), r.standard_normal((2, S, E)), r.standard_normal((2, S, 2))
    fm = r.standard_normal((L, S))
    gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=None if causal else m,
                                                                 is_causal=causal),
              [tg.tensor(a) for a in (q, k, v, fm)], atol=1e-6, rtol=1e-5)


@settings(max_examples=5)
@given(L=st.integers(1, 3), N=st.integers(1, 2), seed=st.integers(0, 99), kv=st.booleans())
def test_multihead_attention_gradcheck(L, N, seed, kv):
    r = np.random.default_rng(seed)
    x = r.standard_normal((L, N, 4))
    w_in, b_in, w_out, b_out = (r.standard_normal(s) for s in ((12, 4), (12,), (4, 4), (4,)))
    bk, bv = r.standard_normal((1, 1, 4)), r.standard_normal((1, 1, 4))

    def f(x, w_in, b_in, w_out, b_out, bk, bv):
        out, w = F.multi_head_attention_forward(x, x, x, 4, 2, w_in, b_in, bk if kv else None, bv if kv else None,
                                                kv, 0.0, w_out, b_out)
        return (out * out).sum() + (w * w).sum()

    gradcheck(f, [tg.tensor(a) for a in (x, w_in, b_in, w_out, b_out, bk, bv)], atol=1e-6, rtol=1e-5)


def test_transformer_encoder_layer_gradcheck():
    tg.manual_seed(1)
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, dtype=tg.float64, norm_first=True)
    x = tg.tensor(np.random.default_rng(1).standard_normal((3, 2, 4)))
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=tg.float64)
    gradcheck(lambda x: (layer(x, src_mask=mask) ** 2).sum(), [x], atol=1e-6, rtol=1e-5)


def test_multihead_attention_weights_and_parameters():
    m = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    assert [n for n, _ in m.named_parameters()] == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias",
                                                    "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"]
    assert m.in_proj_weight is None and tuple(m.k_proj_weight.shape) == (8, 3)
    m2 = nn.MultiheadAttention(8, 4, batch_first=True)
    assert [n for n, _ in m2.named_parameters()] == ["in_proj_weight", "in_proj_bias", "out_proj.weight",
                                                     "out_proj.bias"]
    assert np.all(m2.in_proj_bias.detach().numpy() == 0) and np.all(m2.out_proj.bias.detach().numpy() == 0)
    bound = math.sqrt(6 / (8 + 24))  # xavier uniforme de (24, 8)
    assert np.abs(m2.in_proj_weight.detach().numpy()).max() <= bound
    x = tg.randn(3, 5, 8)
    out, w = m2(x, x, x)
    assert tuple(out.shape) == (3, 5, 8) and tuple(w.shape) == (3, 5, 5)
    np.testing.assert_allclose(w.detach().numpy().sum(-1), 1, rtol=1e-5)
    _, w = m2(x, x, x, average_attn_weights=False)
    assert tuple(w.shape) == (3, 4, 5, 5)
    assert m2(x, x, x, need_weights=False)[1] is None
    out, w = m2(x[0], x[0], x[0])  # sin lote
    assert tuple(out.shape) == (5, 8) and tuple(w.shape) == (5, 5)
    # key_padding_mask: las claves marcadas reciben peso 0
    kpm = np.zeros((3, 5), bool)
    kpm[:, 3:] = True
    _, w = m2(x, x, x, key_padding_mask=tg.tensor(kpm))
    assert np.all(w.detach().numpy()[:, :, 3:] == 0)


def test_transformer_shapes_masks_and_clones():
    t = nn.Transformer(16, 2, 2, 1, 32, dropout=0.0, batch_first=True)
    assert len(t.encoder.layers) == 2 and t.encoder.layers[0].linear1.weight is not t.encoder.layers[1].linear1.weight
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.dtype == tg.float32 and mask[0, 1].item() == -math.inf and mask[1, 0].item() == 0
    out = t(tg.randn(2, 6, 16), tg.randn(2, 4, 16), tgt_mask=mask)
    assert tuple(out.shape) == (2, 4, 16)
    # causalidad: cambiar el último paso de tgt no cambia las salidas anteriores
    src, tgt = tg.randn(2, 6, 16), tg.randn(2, 4, 16)
    a = t(src, tgt, tgt_mask=mask).detach().numpy()
    tgt2 = tgt.clone()
    tgt2[:, 3] = 5.0
    b = t(src, tgt2, tgt_mask=mask).detach().numpy()
    np.testing.assert_allclose(a[:, :3], b[:, :3], rtol=1e-5, atol=1e-6)
    assert not np.allclose(a[:, 3], b[:, 3])
    with pytest.raises(RuntimeError, match="lote"):
        t(tg.randn(2, 6, 16), tg.randn(3, 4, 16))
    with pytest.raises(RuntimeError, match="d_model"):
        t(tg.randn(2, 6, 8), tg.randn(2, 4, 8))
    with pytest.raises(RuntimeError, match="relu"):
        nn.TransformerEncoderLayer(16, 2, activation="tanh")
    layer = nn.TransformerEncoderLayer(16, 2, activation="gelu", batch_first=True)
    assert layer.activation is F.gelu and layer.activation_relu_or_gelu == 2
    assert copy.deepcopy(layer).self_attn.in_proj_weight is not layer.self_attn.in_proj_weight


def test_encoder_nested_tensor_warning_and_zero_padding():
    with pytest.warns(UserWarning, match="batch_first"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), 1)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)
    x = tg.randn(2, 4, 8)
    kpm = tg.tensor([[False, False, True, True], [False, False, False, False]])
    enc.eval()
    with tg.no_grad():
        out = enc(x, src_key_padding_mask=kpm).numpy()
    assert np.all(out[0, 2:] == 0) and np.all(out[1] != 0)  # como los tensores anidados de PyTorch
    out = enc(x, src_key_padding_mask=kpm).detach().numpy()  # con gradiente: sin camino rápido
    assert np.all(out[0, 2:] != 0)


def test_rms_norm_formula_and_default_eps():
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    m = nn.RMSNorm(4)
    expect = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + np.finfo(np.float32).eps)
    np.testing.assert_allclose(m(tg.tensor(x)).detach().numpy(), expect, rtol=1e-6)
    assert repr(m) == "RMSNorm((4,), eps=None, elementwise_affine=True)"
    gradcheck(lambda x, w: F.rms_norm(x, (3, 4), w, 1e-3), [tg.tensor(rng.standard_normal((2, 3, 4))),
                                                           tg.tensor(rng.standard_normal((3, 4)))])
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.rms_norm(tg.tensor(x), (3,))


@pytest.mark.parametrize("call, exc, words", [
    (lambda: F.scaled_dot_product_attention(tg.randn(2, 3, 4), tg.randn(2, 5, 3), tg.randn(2, 5, 3)),
     RuntimeError, "dimensión E"),
    (lambda: F.scaled_dot_product_attention(tg.randn(2, 3, 4), tg.randn(2, 5, 4), tg.randn(2, 4, 4)),
     RuntimeError, "pasos S"),
    (lambda: F.scaled_dot_product_attention(tg.randn(3, 4), tg.randn(5, 4), tg.randn(5, 4), dropout_p=1.5),
     RuntimeError, "dropout_p"),
    (lambda: F.scaled_dot_product_attention(tg.randn(3, 4).double(), tg.randn(5, 4), tg.randn(5, 4)),
     RuntimeError, "dtype"),
    (lambda: F.scaled_dot_product_attention(tg.randn(3, 4), tg.randn(5, 4), tg.randn(5, 4),
                                            attn_mask=tg.ones(3, 5, dtype=tg.bool), is_causal=True),
     RuntimeError, "is_causal"),
    (lambda: F.scaled_dot_product_attention(tg.randn(3, 4), tg.randn(5, 4), tg.randn(5, 4),
                                            attn_mask=tg.ones(3, 5, dtype=tg.int64)), RuntimeError, "bool"),
    (lambda: nn.MultiheadAttention(10, 3), AssertionError, "divisible"),
    (lambda: nn.MultiheadAttention(0, 3), ValueError, "mayores que 0"),
    (lambda: nn.MultiheadAttention(8, 2)(tg.randn(1, 2, 3, 8), tg.randn(1, 2, 3, 8), tg.randn(1, 2, 3, 8)),
     AssertionError, "4-D"),
    (lambda: nn.MultiheadAttention(8, 2)(tg.randn(3, 2, 8), tg.randn(3, 2, 8), tg.randn(3, 2, 8),
                                         attn_mask=tg.zeros(4, 3)), RuntimeError, "(3, 3)"),
    (lambda: nn.MultiheadAttention(8, 2)(tg.randn(3, 2, 8), tg.randn(3, 2, 8), tg.randn(3, 2, 8), is_causal=True),
     RuntimeError, "attn_mask"),
])
def test_errors(call, exc, words):
    with pytest.raises(exc) as e:
        call()
    assert words in str(e.value)


def test_fused_attention_node_equals_the_composed_operations():
    """El nodo único (ops/attention.py) y las operaciones compuestas dan lo mismo, gradientes incluidos."""
    from tinygrad_es.nn.functional import attention as FA
    r = np.random.default_rng(5)
    q, k, v = r.standard_normal((2, 3, 4, 5)), r.standard_normal((2, 3, 6, 5)), r.standard_normal((2, 3, 6, 2))
    m = r.random((4, 6)) > 0.3
    m[2] = False  # una fila sin claves
    outs = []
    for fused in (True, False):
        ts = [tg.tensor(a, requires_grad=True) for a in (q, k, v)]
        if fused:
            out = FA._fused_attention(*ts, tg.tensor(m), 0.0, False, 0.4)
        else:
            out = FA._attention_weights(ts[0], ts[1], tg.tensor(m), False, 0.4) @ ts[2]
        (out ** 2).sum().backward()
        outs.append([out.detach().numpy()] + [t.grad.numpy() for t in ts])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert np.all(outs[0][0][:, :, 2] == 0)


@pytest.mark.parametrize("mask", ["causal", "LS", "batch", None])
def test_attention_same_bits_with_one_or_two_threads(mask):
    """softmax y su backward van partidos por el lote entre los hilos: fila a fila, el mismo resultado."""
    numba = pytest.importorskip("numba")
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("hacen falta 2 hilos de numba")
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((8, 4, 64, 32)).astype(np.float32) for _ in range(3))
    m = {"LS": np.triu(np.full((64, 64), -np.inf, np.float32), 1),
         "batch": rng.standard_normal((8, 4, 64, 64)).astype(np.float32)}.get(mask)
    old = numba.get_num_threads()
    out = []
    try:
        for n in (1, 2):
            numba.set_num_threads(n)
            ts = [tg.tensor(a, requires_grad=True) for a in (q, k, v)]
            y = F.scaled_dot_product_attention(*ts, attn_mask=None if m is None else tg.tensor(m),
                                               is_causal=mask == "causal")
            y.backward(tg.ones_like(y) * 0.5)
            out.append([y.detach().numpy()] + [t.grad.numpy() for t in ts])
    finally:
        numba.set_num_threads(old)
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("mask", ["causal", "pad", "batch", None])
def test_float32_softmax_kernels_against_float64(mask):
    """float32: el softmax de la atención y su backward en núcleos por fila (``kernels/attention.py``, sin
    las colas −∞ de la máscara) quedan tan cerca de float64 como el camino de numpy, o más; una fila sin
    claves da 0 y un NaN en una fila la vuelve NaN (como numpy), sin tocar las demás."""
    from tinygrad_es.ops import attention as OA
    r = np.random.default_rng(3)
    q, k, v, g = (r.standard_normal((2, 3, 64, 16)) for _ in range(4))
    m = {"pad": np.ones((64, 64), bool), "batch": r.standard_normal((2, 3, 64, 64))}.get(mask)
    if mask == "pad":
        m[:, 40:] = False
        m[7] = False  # una fila sin claves
    if mask == "batch":
        m[..., -5:] = -np.inf

    def run(dt, fused=True):
        old = OA._kernel_bias
        if not fused:
            OA._kernel_bias = lambda *a: None
        try:
            ts = [tg.tensor(a.astype(dt), requires_grad=True) for a in (q, k, v)]
            am = None if m is None else tg.tensor(m if m.dtype == bool else m.astype(dt))
            y = F.scaled_dot_product_attention(*ts, attn_mask=am, is_causal=mask == "causal")
            y.backward(tg.tensor(g.astype(dt)))
            return [y.detach().numpy()] + [t.grad.numpy() for t in ts]
        finally:
            OA._kernel_bias = old

    ref, fused, plain = run(np.float64), run(np.float32), run(np.float32, fused=False)
    for a, b, c in zip(fused, plain, ref):
        d_fused, d_plain = np.linalg.norm(a - c) / np.linalg.norm(c), np.linalg.norm(b - c) / np.linalg.norm(c)
        assert d_fused <= 1.1 * d_plain + 1e-9, (d_fused, d_plain)
        assert np.all(np.isfinite(a))
    if mask == "pad":
        assert np.all(fused[0][:, :, 7] == 0) and np.all(fused[1][:, :, 7] == 0)
        assert np.all(fused[2][:, :, 40:] == 0) and np.all(fused[3][:, :, 40:] == 0)  # claves prohibidas
    qn = q.astype(np.float32)
    qn[0, 0, 5, 0] = np.nan
    y = F.scaled_dot_product_attention(tg.tensor(qn), tg.tensor(k.astype(np.float32)),
                                       tg.tensor(v.astype(np.float32)), is_causal=mask == "causal").numpy()
    assert np.all(np.isnan(y[0, 0, 5])) and np.all(np.isfinite(np.delete(y[0, 0], 5, axis=0)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("causal,dropout", [(True, 0.0), (False, 0.0), (True, 0.3)])
def test_packed_self_attention_matches_the_separate_projections(dtype, causal, dropout):
    """Autoatención (query, key y value el mismo tensor) en el nodo empaquetado (``ops.attention.
    PackedSelfAttention``) frente al camino general (key y value copias: otro tensor, los mismos datos, tres
    proyecciones): la misma salida y los mismos gradientes, también con dropout (la misma máscara sorteada)."""
    L, N, E, H = 9, 3, 16, 4
    r = np.random.default_rng(5)
    x0 = r.standard_normal((L, N, E)).astype(dtype)
    mask = nn.Transformer.generate_square_subsequent_mask(L, dtype=tg.float32 if dtype == np.float32 else tg.float64)
    res = []
    for packed in (True, False):
        tg.manual_seed(7)
        mha = nn.MultiheadAttention(E, H, dropout=dropout)
        if dtype == np.float64:
            mha = mha.double()
        x = tg.tensor(x0, requires_grad=True)
        k = x if packed else x * 1.0
        v = x if packed else x * 1.0
        out, w = mha(x, k, v, need_weights=False, attn_mask=mask if causal else None, is_causal=causal)
        assert w is None
        out.backward(tg.tensor(np.cos(np.arange(out.numel())).reshape(out.shape).astype(dtype)))
        res.append([out.detach().numpy(), x.grad.numpy(), mha.in_proj_weight.grad.numpy(),
                    mha.in_proj_bias.grad.numpy(), mha.out_proj.weight.grad.numpy()])
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * np.abs(b).max())


def test_packed_self_attention_gradcheck():
    from tinygrad_es.ops.attention import PackedSelfAttention
    r = np.random.default_rng(6)
    qkv = tg.tensor(r.standard_normal((5, 2, 12)), requires_grad=True)
    bias = np.where(np.tril(np.ones((5, 5), bool)), 0, -np.inf)
    assert gradcheck(lambda t: PackedSelfAttention.apply(t, heads=2, scale=0.4, bias=bias), (qkv,))
    assert gradcheck(lambda t: PackedSelfAttention.apply(t, heads=4, scale=0.7), (qkv,))
