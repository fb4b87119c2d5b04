"""La LSTM float32 repartida entre hilos por bloques de unidades (``ops/rnn_parallel.py``) da lo mismo
que el camino de un hilo: salida, estados y todos los gradientes (con el redondeo de float32: no es el
mismo orden de sumas en ∂L/∂h), en una y dos direcciones, con y sin sesgo, con estados iniciales."""
import numba
import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.kernels import blas, gemm
from tinygrad_es.ops import rnn_parallel as RP

pytestmark = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="hacen falta 2 hilos de numba")


@pytest.fixture
def two_threads(monkeypatch):
    old = numba.get_num_threads()
    numba.set_num_threads(2)
    monkeypatch.setattr(gemm, "MIN_SPLIT_FLOPS", 0.0)  # formas pequeñas también por bloques
    yield
    numba.set_num_threads(old)


def _run(kw, blocked, monkeypatch, T=7, B=5, I=6, H=64, grad=True):
    if not blocked:
        monkeypatch.setattr(RP, "lstm_blocks", lambda *a: 1)
    tg.manual_seed(0)
    m = nn.LSTM(I, H, **kw)
    rng = np.random.default_rng(3)
    D = 2 if m.bidirectional else 1
    x = tg.tensor(rng.standard_normal((T, B, I)).astype(np.float32), requires_grad=grad)
    h0 = tg.tensor(rng.standard_normal((D * m.num_layers, B, H)).astype(np.float32), requires_grad=grad)
    c0 = tg.tensor(rng.standard_normal((D * m.num_layers, B, H)).astype(np.float32), requires_grad=grad)
    if not grad:
        with tg.no_grad():
            y, (h, c) = m(x, (h0, c0))
        monkeypatch.undo()
        return [y.numpy(), h.numpy(), c.numpy()]
    y, (h, c) = m(x, (h0, c0))
    w = [tg.tensor(rng.standard_normal(tuple(t.shape)).astype(np.float32)) for t in (y, h, c)]
    ((y * w[0]).sum() + (h * w[1]).sum() + (c * w[2]).sum()).backward()
    monkeypatch.undo()
    return [y.detach().numpy(), h.detach().numpy(), c.detach().numpy(), x.grad.numpy(), h0.grad.numpy(),
            c0.grad.numpy()] + [p.grad.numpy() for p in m.parameters()]


@pytest.mark.parametrize("kw", [{}, dict(num_layers=2, bidirectional=True), dict(bias=False)])
def test_blocks_give_what_one_thread_gives(kw, two_threads, monkeypatch):
    calls = []
    real = RP.lstm_forward_blocks
    monkeypatch.setattr(RP, "lstm_forward_blocks", lambda *a: calls.append(a[-2]) or real(*a))
    new = _run(kw, True, monkeypatch)
    assert calls and set(calls) == {2}  # de verdad por bloques, dos
    ref = _run(kw, False, monkeypatch)
    for a, b in zip(new, ref):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6 * np.abs(b).max())


def test_blocks_without_grad(two_threads, monkeypatch):
    new = _run({}, True, monkeypatch, grad=False)
    ref = _run({}, False, monkeypatch, grad=False)
    for a, b in zip(new, ref):  # hacia delante las mismas operaciones: el mismo resultado
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_inplace_weight_change_before_backward_is_refused(two_threads):
    m = nn.LSTM(4, 64)
    y, _ = m(tg.randn(3, 2, 4))
    with tg.no_grad():
        m.weight_hh_l0.mul_(2)
    with pytest.raises(RuntimeError, match="in situ"):
        y.sum().backward()


def test_when_blocks_are_used(two_threads):
    x32, x64 = np.zeros((3, 8, 4), np.float32), np.zeros((3, 8, 4))
    w = np.zeros((4 * 64, 64), np.float32)
    assert RP.lstm_blocks(x32, w, None, None) == 2
    assert RP.lstm_blocks(x64, w.astype(np.float64), None, None) == 1  # float64: el camino de siempre
    assert RP.lstm_blocks(x32, w, np.zeros((64, 32), np.float32), None) == 1  # proj_size
    assert RP.lstm_blocks(x32, w, None, np.array([8, 8, 4])) == 1  # secuencias empaquetadas
    assert RP.lstm_blocks(x32, np.zeros((4 * 48, 48), np.float32), None, None) == 1  # < 2·32 unidades
    numba.set_num_threads(1)
    assert RP.lstm_blocks(x32, w, None, None) == 2  # con un hilo, los mismos bloques (los mismos bits)


@pytest.mark.parametrize("kw", [{}, dict(bidirectional=True)])
def test_one_or_two_threads_give_the_same_bits(kw, two_threads, monkeypatch):
    # la LSTM entera (salida, estados, todos los gradientes), bit a bit: cada GEMM es la misma con 1 o 2 hilos
    monkeypatch.setattr(gemm, "MIN_SPLIT_FLOPS", 0.0)
    two = _run(kw, True, monkeypatch, T=9, B=6, H=64)
    numba.set_num_threads(1)
    monkeypatch.setattr(gemm, "MIN_SPLIT_FLOPS", 0.0)
    one = _run(kw, True, monkeypatch, T=9, B=6, H=64)
    for a, b in zip(two, one):
        np.testing.assert_array_equal(a, b)


def test_a_failing_block_does_not_hang_the_other_thread(two_threads, monkeypatch):
    # si el núcleo de un hilo falla, el otro no espera para siempre en la barrera: el error llega
    real = RP.RB.lstm_forward_run

    def boom(sgemm, yld, spin, j, nth, *args):
        if j == 1:
            raise ValueError("fallo de prueba")
        return real(sgemm, yld, spin, j, nth, *args)

    monkeypatch.setattr(RP.RB, "lstm_forward_run", boom)
    with pytest.raises(ValueError, match="fallo de prueba"):
        nn.LSTM(4, 64)(tg.randn(5, 3, 4))


def test_block_rows_groups_the_four_gates_of_each_unit_block():
    r = RP.block_rows(4, 2)
    # bloque 0: i0 i1 f0 f1 g0 g1 o0 o1; bloque 1: las unidades 2 y 3
    assert r.tolist() == [0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15]
    assert sorted(r.tolist()) == list(range(16))


@pytest.mark.parametrize("kmax", [None, 48])  # 48: K en trozos (64 → 2 × 32; 128 → 43 + 43 + 42)
def test_packed_recurrent_gemm_gives_what_the_whole_sgemm_gives(kmax, two_threads, monkeypatch):
    # W_k empaquetado una vez con las piezas de OpenBLAS frente a la SGEMM entera en cada paso: otro redondeo
    # (la SGEMM reparte K a su manera), el mismo resultado a la precisión de float32
    a = RP._addresses()
    if not a["packed_n"][2]:
        pytest.skip("sin las piezas de la SGEMM de OpenBLAS para esta CPU")
    for key in ("packed_n", "packed_t"):
        pk = a[key].copy()
        if kmax:
            pk[3] = kmax
        monkeypatch.setitem(a, key, pk)
    packed = _run(dict(bidirectional=True), True, monkeypatch, T=9, B=6, H=64)
    for key in ("packed_n", "packed_t"):
        monkeypatch.setitem(a, key, np.zeros(4, np.int64))
    whole = _run(dict(bidirectional=True), True, monkeypatch, T=9, B=6, H=64)
    for p, w in zip(packed, whole):
        np.testing.assert_allclose(p, w, rtol=2e-5, atol=2e-6 * np.abs(w).max())


def test_packed_pieces_are_checked_before_use():
    pk = blas.sgemm_packed_addresses()
    assert pk == {} or (set(pk) == {"incopy", "itcopy", "oncopy", "kernel"} and all(pk.values()))
    if pk:  # la comprobación de antes de usarlas: el producto de las piezas frente a numpy en float64
        f = blas._openblas()
        assert blas._packed_check({n: getattr(f, f"sgemm_{n}_HASWELL") for n in ("incopy", "itcopy", "oncopy", "kernel")})
