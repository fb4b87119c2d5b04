"""Capas recurrentes sin PyTorch: el nodo fusionado (ops/rnn.py) da lo mismo que las celdas
compuestas paso a paso, los gradientes coinciden con diferencias finitas (float64,
formas de hypothesis), lo empaquetado es lo rellenado sin el relleno, y las formas,
nombres, inicialización y errores son los de PyTorch."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.gradcheck import gradcheck
from tinygrad_es.kernels import rnn as KR
from tinygrad_es.nn.functional import rnn as FR
from tinygrad_es.nn.utils import rnn as U

rng = np.random.default_rng(0)

CONFIGS = [
    ("RNN", {}), ("RNN", dict(nonlinearity="relu", num_layers=2)), ("RNN", dict(bias=False, bidirectional=True)),
    ("LSTM", {}), ("LSTM", dict(num_layers=2, bidirectional=True)), ("LSTM", dict(proj_size=2, num_layers=2)),
    ("LSTM", dict(bias=False, proj_size=3, bidirectional=True)),
    ("GRU", {}), ("GRU", dict(num_layers=2, bidirectional=True)), ("GRU", dict(bias=False)),
]


def make(name, kw, I=3, H=4, dtype=tg.float64):
    tg.manual_seed(0)
    return getattr(nn, name)(I, H, dtype=dtype, **kw)


def states(m, B, dt=np.float64):
    D = 2 if m.bidirectional else 1
    P = m.proj_size or m.hidden_size
    h = tg.tensor(rng.standard_normal((D * m.num_layers, B, P)).astype(dt), requires_grad=True)
    if m.mode != "LSTM":
        return h
    return h, tg.tensor(rng.standard_normal((D * m.num_layers, B, m.hidden_size)).astype(dt), requires_grad=True)


def outputs_and_grads(m, x, hx, fused):
    """Salida, estados y todos los gradientes tras una pérdida con pesos aleatorios fijos."""
    m.zero_grad()
    for t in [x] + list(hx if isinstance(hx, tuple) else [hx]):
        t.grad = None
    y, hn, cn = m._run(x, hx, fused=fused)
    outs = [y, hn] + ([cn] if cn is not None else [])
    r = np.random.default_rng(7)
    loss = sum((o * tg.tensor(r.standard_normal(tuple(o.shape)))).sum() for o in outs)
    loss.backward()
    grads = [x.grad] + [t.grad for t in (hx if isinstance(hx, tuple) else [hx])] + [p.grad for p in m.parameters()]
    return [o.detach().numpy() for o in outs], [g.numpy() for g in grads]


@pytest.mark.parametrize("name, kw", CONFIGS)
def test_fused_layer_equals_composed_cells(name, kw):
    m = make(name, kw)
    x = tg.tensor(rng.standard_normal((5, 2, 3)), requires_grad=True)
    hx = states(m, 2)
    o1, g1 = outputs_and_grads(m, x, hx, True)
    o2, g2 = outputs_and_grads(m, x, hx, False)
    for a, b in zip(o1 + g1, o2 + g2):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def _layers_fn(name, kw, shapes):
    """f(x, h0[, c0], *pesos) con la función de la pila, para gradcheck."""
    m = make(name, kw, I=shapes[0], H=shapes[1])
    D = 2 if m.bidirectional else 1
    n_per = len(m._all_weights_names[0])
    has = {k: k in "".join(m._all_weights_names[0]) for k in ("bias_ih", "weight_hr")}

    def unpack(ws):
        out = []
        for k in range(m.num_layers * D):
            chunk = list(ws[k * n_per:(k + 1) * n_per])
            w_ih, w_hh = chunk[:2]
            b_ih, b_hh = (chunk[2], chunk[3]) if has["bias_ih"] else (None, None)
            w_hr = chunk[-1] if has["weight_hr"] else None
            out.append((w_ih, w_hh, b_ih, b_hh, w_hr))
        return out

    def f(x, h0, c0, *ws):
        y, hn, cn = FR.rnn_layers(m.mode, x, h0, c0 if m.mode == "LSTM" else None, unpack(ws), m.num_layers,
                                  m.bidirectional, 0.0, False)
        total = (y * y).sum() + hn.sum() * 0.5
        return total + (cn * cn).sum() * 0.3 if cn is not None else total

    return m, f


@settings(max_examples=6)
@given(T=st.integers(1, 3), B=st.integers(1, 2), I=st.integers(1, 3), H=st.integers(2, 3),
       cfg=st.sampled_from(CONFIGS), seed=st.integers(0, 100))
def test_gradcheck_float64(T, B, I, H, cfg, seed):
    name, kw = cfg
    if kw.get("proj_size", 0) >= H:
        kw = dict(kw, proj_size=H - 1)
    m, f = _layers_fn(name, kw, (I, H))
    r = np.random.default_rng(seed)
    D = 2 if m.bidirectional else 1
    P = m.proj_size or H
    x = r.standard_normal((T, B, I))
    h0 = r.standard_normal((D * m.num_layers, B, P))
    c0 = r.standard_normal((D * m.num_layers, B, H))
    ws = [p.detach().numpy() * 2 for p in m._flat_weights]  # pesos mayores: puertas lejos de la saturación lineal
    gradcheck(f, [tg.tensor(a) for a in [x, h0, c0] + ws], atol=1e-6, rtol=1e-5)


@settings(max_examples=4)
@given(lens=st.lists(st.integers(1, 4), min_size=1, max_size=3), cfg=st.sampled_from(CONFIGS))
def test_gradcheck_packed(lens, cfg):
    name, kw = cfg
    m = make(name, kw, I=2, H=4)  # H > proj_size (3) en todas las configuraciones
    r = np.random.default_rng(len(lens))
    x = tg.tensor(r.standard_normal((max(lens), len(lens), 2)))

    def f(x):
        y, hn, cn = m._run(U.pack_padded_sequence(x, lens, enforce_sorted=False), None)
        out = (y.data * y.data).sum() + hn.sum()
        return out + (cn * cn).sum() if cn is not None else out

    # respecto de la entrada (los pesos ya los cubre test_gradcheck_float64)
    gradcheck(f, [x], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name, kw", CONFIGS)
def test_packed_equals_each_sequence_alone(name, kw):
    """h_n y la salida de cada secuencia del lote empaquetado son los de procesarla sola, sin relleno."""
    m = make(name, kw)
    lens = [2, 5, 3, 5]
    x = rng.standard_normal((5, 4, 3))
    xt = tg.tensor(x, requires_grad=True)
    y, hx = m(U.pack_padded_sequence(xt, lens, enforce_sorted=False))
    hn = hx[0] if isinstance(hx, tuple) else hx
    yp, out_lens = U.pad_packed_sequence(y)
    assert out_lens.tolist() == lens
    (yp.sum() + hn.sum()).backward()
    for b, n in enumerate(lens):
        xb = tg.tensor(x[:n, b:b + 1], requires_grad=True)
        yb, hb = m(xb)
        hb = hb[0] if isinstance(hb, tuple) else hb
        np.testing.assert_allclose(yp[:n, b:b + 1].detach().numpy(), yb.detach().numpy(), atol=1e-12)
        np.testing.assert_array_equal(yp[n:, b].detach().numpy(), 0)
        np.testing.assert_allclose(hn[:, b:b + 1].detach().numpy(), hb.detach().numpy(), atol=1e-12)
        (yb.sum() + hb.sum()).backward()
        np.testing.assert_allclose(xt.grad.numpy()[:n, b:b + 1], xb.grad.numpy(), atol=1e-12)
        np.testing.assert_array_equal(xt.grad.numpy()[n:, b], 0)


def test_cells_equal_one_step_of_the_layer():
    for name, cell_cls in (("RNN", nn.RNNCell), ("LSTM", nn.LSTMCell), ("GRU", nn.GRUCell)):
        layer = make(name, {})
        cell = cell_cls(3, 4, dtype=tg.float64)
        cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
        x = tg.tensor(rng.standard_normal((1, 2, 3)))
        hx = states(layer, 2)
        y, s = layer(x, hx)
        if name == "LSTM":
            h, c = cell(x[0], (hx[0][0], hx[1][0]))
            np.testing.assert_allclose(c.detach().numpy(), s[1][0].detach().numpy(), atol=1e-14)
        else:
            h = cell(x[0], hx[0])
        np.testing.assert_allclose(h.detach().numpy(), y[0].detach().numpy(), atol=1e-14)
        # sin lote: (I,) -> (H,)
        hu = cell(x[0, 0])
        assert tuple((hu[0] if name == "LSTM" else hu).shape) == (4,)


def test_shapes_batch_first_unbatched_and_defaults():
    m = nn.LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True, proj_size=2)
    y, (h, c) = m(tg.randn(4, 7, 3))
    assert tuple(y.shape) == (4, 7, 4) and tuple(h.shape) == (4, 4, 2) and tuple(c.shape) == (4, 4, 5)
    y, (h, c) = m(tg.randn(7, 3))  # sin lote: batch_first no se aplica
    assert tuple(y.shape) == (7, 4) and tuple(h.shape) == (4, 2) and tuple(c.shape) == (4, 5)
    g = nn.GRU(3, 5)
    y, h = g(tg.randn(6, 2, 3))
    np.testing.assert_allclose(h[0].detach().numpy(), y[-1].detach().numpy())  # h_n es el último paso
    assert y.dtype == tg.float32


def test_parameter_names_init_and_repr():
    tg.manual_seed(3)
    m = nn.LSTM(4, 6, 2, bidirectional=True, proj_size=3)
    names = [n for n, _ in m.named_parameters()]
    assert names[:6] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
                         "weight_ih_l0_reverse"]
    assert list(m.state_dict()) == names and len(names) == 20
    assert tuple(m.weight_ih_l1.shape) == (24, 6) and tuple(m.weight_hh_l0.shape) == (24, 3)
    assert tuple(m.weight_hr_l0_reverse.shape) == (3, 6)
    bound = 1 / math.sqrt(6)
    allw = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.abs(allw).max() <= bound and np.abs(allw).max() > 0.9 * bound
    assert repr(m) == "LSTM(4, 6, proj_size=3, num_layers=2, bidirectional=True)"
    assert repr(nn.RNN(2, 3, nonlinearity="relu", bias=False, batch_first=True)) == \
        "RNN(2, 3, bias=False, batch_first=True, nonlinearity=relu)"
    assert repr(nn.GRUCell(4, 3, bias=False)) == "GRUCell(4, 3, bias=False)"
    assert [n for n, _ in nn.LSTMCell(2, 3).named_parameters()] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert len(m.all_weights) == 4 and m.all_weights[1][0] is m.weight_ih_l0_reverse
    assert len(m._flat_weights) == 20


def test_dropout_between_layers_only_in_training():
    tg.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=tg.float64)
    x = tg.tensor(rng.standard_normal((4, 2, 3)))
    m.eval()
    a = m(x)[0].detach().numpy()
    np.testing.assert_allclose(a, m._run(x, None, fused=False)[0].detach().numpy(), atol=1e-14)
    m.train()
    b = m(x)[0].detach().numpy()
    assert not np.allclose(a, b)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        nn.LSTM(3, 4, dropout=0.2)
    assert any("num_layers" in str(x.message) for x in w)


@pytest.mark.parametrize("make_call, exc, words", [
    (lambda: nn.LSTM(4, 6)(tg.randn(3, 2, 5)), RuntimeError, "input_size=4"),
    (lambda: nn.LSTM(4, 6)(tg.randn(1, 3, 2, 4)), ValueError, "4 dimensiones"),
    (lambda: nn.LSTM(4, 6)(tg.randn(3, 2, 4).double()), ValueError, "float64"),
    (lambda: nn.LSTM(4, 6, 2)(tg.randn(3, 2, 4), (tg.zeros(1, 2, 6), tg.zeros(2, 2, 6))), RuntimeError, "(2, 2, 6)"),
    (lambda: nn.LSTM(4, 6)(tg.randn(3, 4), (tg.zeros(1, 2, 6), tg.zeros(1, 2, 6))), RuntimeError, "2-D"),
    (lambda: nn.LSTM(4, 6)(tg.randn(3, 2, 4), tg.zeros(1, 2, 6)), TypeError, "tupla"),
    (lambda: nn.GRU(4, 6)(tg.randn(0, 2, 4)), RuntimeError, "longitud 0"),
    (lambda: nn.LSTM(4, 0), ValueError, "hidden_size"),
    (lambda: nn.LSTM(4, 3, num_layers=0), ValueError, "num_layers"),
    (lambda: nn.LSTM(4, 3, dropout=1.5), ValueError, "dropout"),
    (lambda: nn.GRU(4, 3, proj_size=2), ValueError, "proj_size"),
    (lambda: nn.LSTM(4, 3, proj_size=3), ValueError, "proj_size"),
    (lambda: nn.LSTM(4, 3.0), TypeError, "hidden_size"),
    (lambda: nn.RNN(4, 3, nonlinearity="sig"), ValueError, "sig"),
    (lambda: nn.LSTMCell(4, 6)(tg.randn(2, 5)), RuntimeError, "input_size=4"),
    (lambda: nn.LSTMCell(4, 6)(tg.randn(2, 3, 4)), ValueError, "3 dimensiones"),
    (lambda: nn.GRUCell(4, 6)(tg.randn(4), tg.zeros(2, 6)), RuntimeError, "(6,)"),
    (lambda: nn.RNNCell(4, 3, nonlinearity="sig")(tg.randn(4)), RuntimeError, "sig"),
])
def test_errors_are_clear_and_pytorch_classes(make_call, exc, words):
    with pytest.raises(exc, match=None) as e:
        make_call()
    assert words in str(e.value)


def test_packing_utilities():
    a, b, c = tg.ones(3, 2), tg.ones(1, 2) * 2, tg.ones(2, 2) * 3
    x = U.pad_sequence([a, b, c])
    assert tuple(x.shape) == (3, 3, 2) and float(x[2, 1, 0]) == 0
    xl = U.pad_sequence([a, b], batch_first=True, padding_value=-1, padding_side="left")
    assert xl[1, :, 0].tolist() == [-1, -1, 2]
    p = U.pack_sequence([a, b, c], enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 2, 1] and p.sorted_indices.tolist() == [0, 2, 1]
    assert p.unsorted_indices.tolist() == [0, 2, 1]
    assert [s.shape[0] for s in U.unpack_sequence(p)] == [3, 1, 2]
    pad, lens = U.pad_packed_sequence(p, batch_first=True, padding_value=9.0, total_length=4)
    assert tuple(pad.shape) == (3, 4, 2) and lens.tolist() == [3, 1, 2] and float(pad[1, 1, 0]) == 9
    with pytest.raises(RuntimeError, match="mayor a menor"):
        U.pack_sequence([b, a])
    with pytest.raises(RuntimeError, match="> 0"):
        U.pack_padded_sequence(x, [3, 0, 0])
    with pytest.raises(RuntimeError, match="lote"):
        U.pack_padded_sequence(x, [3, 2])
    with pytest.raises(RuntimeError, match="mayor que el número de pasos"):
        U.pack_padded_sequence(x, [5, 3, 1])
    with pytest.raises(ValueError, match="total_length"):
        U.pad_packed_sequence(p, total_length=2)
    with pytest.raises(RuntimeError, match="vacía"):
        U.pad_sequence([])
    assert isinstance(p, tuple) and p._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert p.double().data.dtype == tg.float64


def test_no_grad_forward_saves_nothing_and_matches():
    m = make("LSTM", dict(num_layers=2))
    x = tg.tensor(rng.standard_normal((6, 2, 3)))
    with tg.no_grad():
        y0, (h0, c0) = m(x)
    y1, (h1, c1) = m(x)
    assert not y0.requires_grad and y1.requires_grad
    np.testing.assert_array_equal(y0.numpy(), y1.detach().numpy())
    np.testing.assert_array_equal(c0.numpy(), c1.detach().numpy())


def test_inplace_weight_change_before_backward_is_refused():
    m = make("GRU", {})
    y, _ = m(tg.randn(3, 2, 3, dtype=tg.float64))
    with tg.no_grad():
        m.weight_hh_l0.mul_(2)
    with pytest.raises(RuntimeError, match="in situ"):
        y.sum().backward()


def test_kernels_equal_their_python_versions():
    """Sin exp ni tanh dentro (las hace numpy): en float64 el núcleo y su py_func coinciden bit a bit."""
    r = np.random.default_rng(1)
    n, h = 3, 4
    gx, gh = r.standard_normal((n, 4 * h)), r.standard_normal((n, 4 * h))
    outs = []
    for fn in (lambda k: k, lambda k: k.py_func):
        e = np.empty((n, 4 * h))
        fn(KR.lstm_pre)(gx, gh, e, 700.0)
        np.exp(e, out=e)
        e[:, 2 * h:3 * h] = np.tanh(gx[:, 2 * h:3 * h] + gh[:, 2 * h:3 * h])
        c, act, cp, tc = np.ones((n, h)), np.empty((n, 4 * h)), np.empty((n, h)), np.empty((n, h))
        fn(KR.lstm_cell)(e, c, act, cp, tc)
        np.tanh(tc, out=tc)
        m = np.empty((n, h))
        fn(KR.lstm_out)(tc, act, m)
        dc, dg = np.ones((n, h)), np.empty((n, 4 * h))
        fn(KR.lstm_backward)(m, act, cp, tc, dc, dg)
        outs.append([act, c, m, dc, dg])
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
    # el recorte del argumento de exp: sin avisos de desbordamiento, tanh → ±1 y un NaN pasa
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = tg.tensor([[[1e4], [-1e4], [np.nan]]], dtype=tg.float32)
        rnn = nn.RNN(1, 1, bias=False)
        with tg.no_grad():
            rnn.weight_ih_l0.fill_(1.0)
            rnn.weight_hh_l0.fill_(0.0)
        y = rnn(x)[0].detach().numpy().ravel()
    assert y[0] == 1 and y[1] == -1 and np.isnan(y[2])


def test_fused_float32_cell_is_within_one_ulp_of_float64():
    """La celda float32 en un núcleo (exp propia) da las puertas, c, tanh(c) y m redondeados bien
    (≤ 1 ulp del valor exacto; np.exp/np.tanh en float32 llegan a ~10 ulp en σ), incluidos valores
    diminutos (donde tanh cancelaría), enormes (saturan sin avisos) y NaN (pasa, como en PyTorch)."""
    r = np.random.default_rng(2)
    n, h = 3, 40
    gx = (r.standard_normal((n, 4 * h)) * np.array([3.0, 1e-3, 1e-7])[:, None]).astype(np.float32)
    gh = (r.standard_normal((n, 4 * h)) * 0.5).astype(np.float32)
    gh[1:] = 0
    gx[0, :4] = gx[0, 2 * h:2 * h + 4] = [np.inf, -np.inf, 1e4, -1e4]
    gx[2, 0] = gx[2, 2 * h] = np.nan
    c0 = (r.standard_normal((n, h)) * np.array([2.0, 1e-3, 1e-8])[:, None]).astype(np.float32)
    c, act, cp, tc, m = c0.copy(), *(np.empty((n, k), np.float32) for k in (4 * h, h, h, h))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KR.lstm_step_f32(gx, gh, c, act, cp, tc, m, np.empty(5 * h), np.empty(4 * h, np.int64))
    v = gx.astype(np.float64) + gh
    with np.errstate(over="ignore", invalid="ignore"):
        sig = 1 / (1 + np.exp(-v))
        want = np.concatenate([sig[:, :2 * h], np.tanh(v[:, 2 * h:3 * h]), sig[:, 3 * h:]], 1)
        cn = want[:, h:2 * h] * c0 + want[:, :h] * want[:, 2 * h:3 * h]

    def ulps(got, exact):
        return np.abs(got - exact) / np.spacing(np.abs(exact).astype(np.float32))

    ok = ~np.isnan(want)
    assert np.isnan(act[~ok]).all() and ok.sum() == want.size - 2
    assert ulps(act[ok], want[ok]).max() <= 1
    assert np.isnan(c[2, 0]) and np.isnan(m[2, 0])
    fin = ~np.isnan(cn)
    assert ulps(c[fin], cn[fin]).max() <= 1
    assert ulps(tc[fin], np.tanh(c[fin].astype(np.float64))).max() <= 1
    np.testing.assert_array_equal(cp, c0)
    np.testing.assert_array_equal(m[fin], act[:, 3 * h:][fin] * tc[fin])
    assert act[0, 0] == 1 and act[0, 1] < 1e-30 and act[0, 2 * h] == 1 and act[0, 2 * h + 1] == -1
