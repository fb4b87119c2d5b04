"""Nombres de PyTorch que un programa del curso usa al margen de las capas: ``finfo``/``iinfo``, la
promoción de tipos, el estado del generador, los interruptores globales (determinismo, ``compile``...),
las operaciones in situ que faltaban (``addcmul_``, ``eq_``, ``torch.exp_``...), ``masked_scatter``,
``mvlgamma`` y cómo está guardado un tensor (``stride``, ``storage_offset``, ``data_ptr``)."""
import numpy as np
import pytest

import tinygrad_es as tg
from helpers import check

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None


def test_rng_state_roundtrip_and_bad_state():
    s = tg.get_rng_state()
    a = tg.rand(5)
    tg.set_rng_state(s)
    assert tg.equal(tg.rand(5), a) and s.dtype == tg.uint8
    with pytest.raises(RuntimeError, match="get_rng_state"):
        tg.set_rng_state(tg.tensor([1, 2, 3], dtype=tg.uint8))
    with pytest.raises(TypeError):
        tg.set_rng_state([1, 2])


def test_settings_are_remembered_and_validated():
    tg.use_deterministic_algorithms(True, warn_only=True)
    assert tg.are_deterministic_algorithms_enabled() and tg.is_deterministic_algorithms_warn_only_enabled()
    assert tg.get_deterministic_debug_mode() == 1
    tg.set_deterministic_debug_mode("default")
    assert not tg.are_deterministic_algorithms_enabled()
    with pytest.raises(RuntimeError):
        tg.set_deterministic_debug_mode("x")
    tg.set_float32_matmul_precision("high")
    assert tg.get_float32_matmul_precision() == "high"
    tg.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="precisión"):
        tg.set_float32_matmul_precision("baja")
    m = tg.nn.Linear(2, 2)
    assert tg.compile(m) is m and tg.compile()(m) is m and tg.compile(mode="max-autotune")(m) is m


def test_inplace_extras_record_the_graph():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y.addcmul_(x, x, value=0.5)           # y = x + x²/2
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 3.0, 4.0]
    z = tg.tensor([1.0, 2.0, 3.0])
    z.lt_(2.5)
    assert z.tolist() == [1.0, 1.0, 0.0] and z.dtype == tg.float32
    w = tg.tensor([1.0, 4.0])
    assert tg.log_(w) is w and w.tolist() == [0.0, float(np.float32(np.log(4.0)))]
    assert tg.exp_(tg.zeros(2)).tolist() == [1.0, 1.0]


def test_masked_scatter_and_mvlgamma_gradients():
    m = tg.tensor([[True, False, True], [False, True, True]])
    check(lambda a, b: a.masked_scatter(m, b), np.zeros((2, 3)), np.arange(6.0))
    check(lambda a: a.mvlgamma(3), np.array([2.1, 3.5, 4.0]))
    with pytest.raises(RuntimeError, match="mayores que"):
        tg.tensor([0.4]).mvlgamma(2)
    with pytest.raises(RuntimeError, match="sólo tiene"):
        tg.zeros(3).masked_scatter(tg.tensor([True, True, True]), tg.ones(2))


def test_storage_views():
    x = tg.arange(12.0).reshape(3, 4)
    assert x.stride() == (4, 1) and x.t().stride() == (1, 4) and x.stride(0) == 4 and x.stride(-1) == 1
    assert x[1].storage_offset() == 4 and x[:, 1].storage_offset() == 1 and x.storage_offset() == 0
    assert x.t().data_ptr() == x.data_ptr() and x.clone().data_ptr() != x.data_ptr()
    assert x.nbytes == 48 and x.itemsize == 4 and x.ndimension() == 2 and x.get_device() == -1 and x.is_cpu
    assert not x.is_sparse and not x.is_quantized and str(x.layout) == "torch.strided"
    assert x.expand(2, 3, 4).stride() == (0, 4, 1)
    assert x.H.shape == (4, 3) and x.adjoint().shape == (4, 3)
    with pytest.raises(IndexError):
        x.stride(2)


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
def test_match_pytorch():
    for d in ("float16", "float32", "float64"):
        a, b = tg.finfo(getattr(tg, d)), torch.finfo(getattr(torch, d))
        assert (a.bits, a.eps, a.max, a.min, a.tiny, a.resolution, a.dtype) == \
            (b.bits, b.eps, b.max, b.min, b.tiny, b.resolution, b.dtype)
    for d in ("uint8", "int8", "int16", "int32", "int64"):
        a, b = tg.iinfo(getattr(tg, d)), torch.iinfo(getattr(torch, d))
        assert (a.bits, a.max, a.min, a.dtype) == (b.bits, b.max, b.min, b.dtype)
    with pytest.raises(TypeError):
        torch.iinfo(torch.bool)
    with pytest.raises(TypeError):
        tg.iinfo(tg.bool)
    names = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
    for p in names:
        for q in names:
            assert str(tg.promote_types(getattr(tg, p), getattr(tg, q))) == \
                str(torch.promote_types(getattr(torch, p), getattr(torch, q))), (p, q)
            assert tg.can_cast(getattr(tg, p), getattr(tg, q)) == torch.can_cast(getattr(torch, p), getattr(torch, q))
    for a, b in (([1, 2], 1.0), ([1, 2], 1), ([True], 2), ([1.0], 2.0)):
        assert str(tg.result_type(tg.tensor(a), b)) == str(torch.result_type(torch.tensor(a), b))
    x, xt = tg.arange(24.0).reshape(2, 3, 4), torch.arange(24.0).reshape(2, 3, 4)
    for f in (lambda t: t, lambda t: t.transpose(0, 2), lambda t: t[1], lambda t: t[:, 1:, ::2],
              lambda t: t.permute(1, 0, 2)[0], lambda t: t.unsqueeze(1)):
        assert f(x).stride() == f(xt).stride() and f(x).storage_offset() == f(xt).storage_offset()
    ops = {"eq_": (2.0,), "ge_": (2.0,), "multiply_": (3.0,), "divide_": (2.0,), "copysign_": (-1.0,),
           "clamp_min_": (1.5,), "deg2rad_": (), "logit_": (), "sinc_": (), "float_power_": (2.0,)}
    for name, args in ops.items():
        a = np.array([0.25, 0.5, 0.75]) if name == "logit_" else np.array([1.0, 2.0, 3.0])
        ours, theirs = tg.tensor(a), torch.tensor(a)
        getattr(ours, name)(*args)
        getattr(theirs, name)(*args)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=name)


def test_copy_variants_own_their_memory():
    x = tg.arange(12.0).reshape(3, 4)
    for y in (tg.transpose_copy(x, 0, 1), tg.view_copy(x, 4, 3), tg.alias_copy(x), tg.select_copy(x, 0, 1),
              tg.slice_copy(x, 1, 1, 3), *tg.split_copy(x, 2)):
        assert y.is_contiguous() and y.data_ptr() != x.data_ptr()
    assert tg.slice_copy(tg.arange(10), 0, 2, 8, 2).tolist() == [2, 4, 6]
    assert [t.shape[1] for t in tg.unsafe_split(x, 3, 1)] == [3, 1]


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
def test_signal_windows_match_pytorch():
    for name in tg.signal.windows.__all__:
        kw = {"a": [0.3, 0.5, 0.2]} if name == "general_cosine" else {}
        for M in (0, 1, 2, 5, 8):
            for sym in (True, False):
                ours = getattr(tg.signal.windows, name)(M, sym=sym, **kw)
                ref = getattr(torch.signal.windows, name)(M, sym=sym, **kw)
                exact = getattr(torch.signal.windows, name)(M, sym=sym, dtype=torch.float64, **kw)
                assert ours.dtype == tg.float32 and ours.shape == tuple(ref.shape)
                # se calcula en float64 y se redondea una vez: es el float64 de PyTorch redondeado, y a la
                # distancia del error float32 de PyTorch (que calcula en float32: kaiser, 5·10⁻⁷)
                np.testing.assert_allclose(ours.numpy(), exact.numpy().astype(np.float32), rtol=0, atol=0)
                np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6, atol=2e-7, err_msg=f"{name} {M} {sym}")
    np.testing.assert_allclose(tg.signal.windows.exponential(6, center=1.0, sym=False, dtype=tg.float64).numpy(),
                               torch.signal.windows.exponential(6, center=1.0, sym=False, dtype=torch.float64).numpy())
    for f in (lambda W: W.hann(-1), lambda W: W.gaussian(4, std=0), lambda W: W.exponential(4, center=1.0),
              lambda W: W.hann(4, dtype=getattr(W, "_i64")), lambda W: W.kaiser(4, beta=-1.0)):
        for W, i64 in ((torch.signal.windows, torch.int64), (tg.signal.windows, tg.int64)):
            W._i64 = i64
            with pytest.raises(ValueError):
                f(W)


def test_random_fills_and_legacy_methods():
    tg.manual_seed(0)
    x = tg.zeros(1000).random_(3)
    assert set(x.tolist()) == {0.0, 1.0, 2.0}
    y = tg.zeros(1000).random_(2, 5)
    assert set(y.tolist()) == {2.0, 3.0, 4.0}
    u = tg.zeros(100, dtype=tg.uint8).random_()
    assert u.dtype == tg.uint8 and int(u.max()) > 100
    f = tg.zeros(100).random_()
    assert float(f.min()) >= 0 and float(f.max()) <= 2 ** 24 and (f == f.round()).all()
    g = tg.zeros(2000).geometric_(0.5)
    assert float(g.min()) >= 1 and abs(float(g.mean()) - 2.0) < 0.2
    assert float(tg.zeros(1000).log_normal_(0.0, 0.5).min()) > 0
    for bad in (lambda: tg.zeros(3).random_(5, 2), lambda: tg.zeros(3).geometric_(0), lambda: tg.zeros(3).log_normal_(1, 0),
                lambda: tg.zeros(3).cauchy_(0, -1), lambda: tg.zeros(3, 3, 2).fill_diagonal_(1)):
        with pytest.raises(RuntimeError):
            bad()
    a = tg.zeros(5, 3)
    a.fill_diagonal_(1, wrap=True)
    assert a.tolist()[4] == [1.0, 0.0, 0.0] and float(a.sum()) == 4.0
    w = tg.ones(3, 3, requires_grad=True)
    v = w * 2
    v.fill_diagonal_(0.0)
    v.sum().backward()
    assert w.grad.tolist() == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]
    o = tg.ones(2, 3)
    assert o.new(2, 3).shape == (2, 3) and o.new([1, 2]).tolist() == [1.0, 2.0] and o.new().shape == (0,)
    r = tg.arange(6.0)
    r.resize_(3, 3)
    assert r.tolist() == [[0, 1, 2], [3, 4, 5], [0, 0, 0]]
    with pytest.raises(RuntimeError, match="gradiente"):
        tg.ones(2, requires_grad=True).resize_(3)
    z = tg.tensor([1.0, 2.0])
    z.apply_(lambda t: t * 10)
    z.map_(tg.tensor([1.0, 1.0]), lambda p, q: p + q)
    assert z.tolist() == [11.0, 21.0]
    assert tg.zeros(2, 3).t().dim_order() == (1, 0)


def test_as_strided_views_share_memory_and_gradients():
    base = tg.arange(20.0)
    part = base[5:15]
    v = part.as_strided((2, 2), (1, 2))                 # empieza donde empieza la vista, como PyTorch
    assert v.tolist() == [[5.0, 7.0], [6.0, 8.0]] and v.storage_offset() == 5
    assert part.as_strided((2,), (1,), 0).tolist() == [0.0, 1.0]   # storage_offset cuenta desde la base
    with pytest.raises(RuntimeError, match="memoria"):
        part.as_strided((2, 2), (1, 2), 18)
    z = tg.zeros(3, 3)
    z.as_strided((3,), (4,)).fill_(1.0)                  # escribir en la vista cambia el original
    assert z.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    check(lambda a: a.as_strided((3, 2), (1, 1)), np.arange(4.0))          # posiciones repetidas: suman
    check(lambda a, s: tg.as_strided_scatter(a, s, (3,), (4,)), np.zeros((3, 3)), np.arange(3.0))


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
def test_torch_level_nn_functions_use_aten_argument_order():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 6)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3)).astype(np.float32)
    emb = rng.standard_normal((6, 3)).astype(np.float32)
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    target = (logits > 0).astype(np.float32)
    cases = {
        "conv1d": lambda L, T: L.conv1d(T(x), T(w), None, 1, 1),
        "batch_norm": lambda L, T: L.batch_norm(T(x), L.ones(3), L.zeros(3), None, None, True, 0.1, 1e-5, False),
        "instance_norm": lambda L, T: L.instance_norm(T(x), None, None, None, None, True, 0.1, 1e-5, False),
        "layer_norm": lambda L, T: L.layer_norm(T(x), (6,)),
        "embedding": lambda L, T: L.embedding(T(emb), L.tensor([0, 5, 2])),
        "bce_none": lambda L, T: L.binary_cross_entropy_with_logits(T(logits), T(target), None, None, 0),
        "bce_sum": lambda L, T: L.binary_cross_entropy_with_logits(T(logits), T(target), None, None, 2),
        "kl_div": lambda L, T: L.kl_div(T(logits).log_softmax(1), T(logits).softmax(1), 1),
        "kl_default": lambda L, T: L.kl_div(T(logits).log_softmax(1), T(logits).softmax(1)),   # sin reducir
        "hinge_default": lambda L, T: L.hinge_embedding_loss(T(logits[:, 0]), T(target[:, 0] * 2 - 1)),
        "margin_ranking": lambda L, T: L.margin_ranking_loss(T(logits[:, 0]), T(logits[:, 1]), T(target[:, 0] * 2 - 1)),
        "dropout_eval": lambda L, T: L.dropout(T(x), 0.5, False),
        "amp1d": lambda L, T: L.adaptive_max_pool1d(T(x), 2)[1],
        "nuclear": lambda L, T: L.nuclear_norm(T(x[0])),
        "frobenius": lambda L, T: L.frobenius_norm(T(x), (1, 2)),
    }
    with np.errstate():
        for name, f in cases.items():
            ours = f(tg, tg.tensor)
            ref = f(torch, torch.tensor)
            np.testing.assert_allclose(ours.numpy().astype(np.float64), ref.numpy().astype(np.float64), rtol=2e-5,
                                       atol=2e-6, err_msg=name)
    with pytest.raises(RuntimeError, match="reduction"):
        tg.kl_div(tg.zeros(2), tg.zeros(2), 5)


def test_interop_constructors_and_control_flow():
    buf = bytearray(b"\x01\x02\x03\x04")
    t = tg.frombuffer(buf, dtype=tg.uint8)
    buf[0] = 9                                   # comparte memoria con el buffer
    assert t.tolist() == [9, 2, 3, 4] and tg.frombuffer(buf, dtype=tg.int16, count=1, offset=2).tolist() == [1027]
    for bad in (lambda: tg.frombuffer(bytearray(), dtype=tg.uint8), lambda: tg.frombuffer(bytearray(3), dtype=tg.int16)):
        with pytest.raises(ValueError):
            bad()
    a = np.arange(3.0)
    x = tg.asarray(a)
    a[0] = 7.0
    assert x.tolist() == [7.0, 1.0, 2.0] and x.dtype == tg.float64
    assert tg.asarray(a, copy=True).data_ptr() != x.data_ptr()
    with pytest.raises(ValueError):
        tg.asarray(a, dtype=tg.float32, copy=False)
    with pytest.warns(UserWarning, match="arange"):
        assert tg.range(1, 4).tolist() == [1.0, 2.0, 3.0, 4.0]
    assert tg.empty_strided((2, 3), (1, 2)).stride() == (1, 2) and tg.scalar_tensor(3).dtype == tg.float32
    assert tg.cond(tg.tensor(False), lambda v: v + 1, lambda v: v - 1, (tg.ones(2),)).tolist() == [0.0, 0.0]
    assert tg.while_loop(lambda i: i < 5, lambda i: i + 2, (tg.tensor(0),))[0].item() == 6


def test_detect_anomaly_names_the_operation():
    x = tg.zeros(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="SqrtBackward0"):
        with tg.autograd.detect_anomaly():
            (x.sqrt() * 0).sum().backward()
    assert not tg.is_anomaly_enabled()
    (x.sqrt() * 0).sum().backward()                  # sin el modo, nan sin error (como PyTorch)
    assert np.isnan(x.grad.item())

    @tg.autograd.detect_anomaly()
    def step():
        y = tg.tensor([1.0, 2.0], requires_grad=True)
        (y * 2).sum().backward()
        return tg.is_anomaly_enabled()
    assert step() and not tg.is_anomaly_enabled()
    with tg.autograd.set_detect_anomaly(True):
        assert tg.is_anomaly_enabled() and tg.is_anomaly_check_nan_enabled()
    assert not tg.is_anomaly_enabled()
    with tg.inference_mode():
        assert tg.is_inference_mode_enabled() and not tg.is_grad_enabled()
    assert not tg.is_inference_mode_enabled()


def test_amp_grad_scaler_scales_skips_and_grows():
    m = tg.nn.Linear(3, 1)
    opt = tg.optim.SGD(m.parameters(), lr=0.1)
    s = tg.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    x = tg.ones(2, 3)
    for _ in range(2):
        opt.zero_grad()
        s.scale(m(x).sum()).backward()
        s.unscale_(opt)
        assert m.bias.grad.item() == 2.0          # sin la escala
        s.step(opt)
        s.update()
    assert s.get_scale() == 8.0
    before = m.bias.item()
    opt.zero_grad()
    s.scale(m(x).sum() * float("inf")).backward()   # gradientes no finitos: se salta el paso
    s.step(opt)
    s.update()
    assert m.bias.item() == before and s.get_scale() == 4.0
    assert s.state_dict()["scale"] == 4.0
    with pytest.warns(UserWarning, match="GPU"):
        off = tg.cuda.amp.GradScaler()
    assert not off.is_enabled() and off.scale(x) is x
    with pytest.warns(UserWarning, match="GPU"):
        with tg.autocast("cuda"):
            pass
    with tg.autocast("cpu", dtype=tg.float16):
        assert m(x).dtype == tg.float32            # aquí se calcula en float32


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
def test_torch_level_forms_of_the_newer_nn_functions():
    lp = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=(5, 2))).astype(np.float32)
    targets, lens, tlens = [[1, 2], [1, 1]], [5, 5], [2, 2]
    ours = tg.ctc_loss(tg.tensor(lp), tg.tensor(targets), tg.tensor(lens), tg.tensor(tlens))
    ref = torch.ctc_loss(torch.tensor(lp), torch.tensor(targets), torch.tensor(lens), torch.tensor(tlens))
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-5)      # sin reducir, como torch.ctc_loss
    x = np.array([-1.0, 2.0], dtype=np.float32)
    np.testing.assert_allclose(tg.rrelu(tg.tensor(x)).numpy(), torch.rrelu(torch.tensor(x)).numpy())
    np.testing.assert_allclose(tg.pdist(tg.eye(3)).numpy(), torch.pdist(torch.eye(3)).numpy())
    a, b = tg.tensor(x), torch.tensor(x)
    tg.selu_(a)
    torch.selu_(b)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
