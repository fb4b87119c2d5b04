"""Capas recurrentes frente a PyTorch con los mismos pesos: salidas, estados finales y el
gradiente de la entrada, de los estados iniciales y de cada parámetro (float64 y float32),
secuencias empaquetadas y ``state_dict`` en los dos sentidos."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.nn.utils import rnn as TU  # noqa: E402

import tinygrad_es as tg  # noqa: E402
from tinygrad_es import nn  # noqa: E402
from tinygrad_es.nn.utils import rnn as U  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*oneDNN")

CONFIGS = [
    ("RNN", {}), ("RNN", dict(nonlinearity="relu", num_layers=2, bidirectional=True)), ("RNN", dict(bias=False)),
    ("LSTM", {}), ("LSTM", dict(num_layers=2, bidirectional=True)), ("LSTM", dict(proj_size=3, num_layers=2)),
    ("LSTM", dict(bias=False, proj_size=2, bidirectional=True)),
    ("GRU", {}), ("GRU", dict(num_layers=3, bidirectional=True)), ("GRU", dict(bias=False)),
]
TOL = {np.float64: 1e-10, np.float32: 3e-5}


def pair(name, kw, dt, I=4, H=6, batch_first=False):
    ours = getattr(nn, name)(I, H, batch_first=batch_first, dtype=tg.float64 if dt == np.float64 else tg.float32,
                             **kw)
    theirs = getattr(torch.nn, name)(I, H, batch_first=batch_first, **kw).to(
        torch.float64 if dt == np.float64 else torch.float32)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def both(a):
    return tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def compare(outs, Outs, tol, r):
    loss, Loss = 0, 0
    for o, O in zip(outs, Outs):
        np.testing.assert_allclose(o.detach().numpy(), O.detach().numpy(), rtol=tol, atol=tol)
        g = r.standard_normal(tuple(O.shape)).astype(O.detach().numpy().dtype)
        loss = loss + (o * tg.tensor(g)).sum()
        Loss = Loss + (O * torch.tensor(g)).sum()
    loss.backward()
    Loss.backward()


@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("name, kw", CONFIGS)
def test_layer_matches_pytorch(name, kw, dt):
    r = np.random.default_rng(0)
    batch_first = dt == np.float32
    m, M = pair(name, kw, dt, batch_first=batch_first)
    T, B = 5, 3
    x, X = both(r.standard_normal((B, T, 4) if batch_first else (T, B, 4)).astype(dt))
    D, L, P = 2 if kw.get("bidirectional") else 1, kw.get("num_layers", 1), kw.get("proj_size", 0) or 6
    h, Hh = both(r.standard_normal((D * L, B, P)).astype(dt))
    if name == "LSTM":
        c, C = both(r.standard_normal((D * L, B, 6)).astype(dt))
        y, (hn, cn) = m(x, (h, c))
        Y, (HN, CN) = M(X, (Hh, C))
        compare([y, hn, cn], [Y, HN, CN], TOL[dt], r)
        np.testing.assert_allclose(c.grad.numpy(), C.grad.numpy(), rtol=TOL[dt], atol=TOL[dt])
    else:
        y, hn = m(x, h)
        Y, HN = M(X, Hh)
        compare([y, hn], [Y, HN], TOL[dt], r)
    np.testing.assert_allclose(x.grad.numpy(), X.grad.numpy(), rtol=TOL[dt], atol=TOL[dt])
    np.testing.assert_allclose(h.grad.numpy(), Hh.grad.numpy(), rtol=TOL[dt], atol=TOL[dt])
    for (n, p), (N, Q) in zip(m.named_parameters(), M.named_parameters()):
        assert n == N
        np.testing.assert_allclose(p.grad.numpy(), Q.grad.numpy(), rtol=TOL[dt], atol=TOL[dt], err_msg=n)


@pytest.mark.parametrize("name, kw", [c for c in CONFIGS if c[1]])
def test_packed_matches_pytorch(name, kw):
    r = np.random.default_rng(1)
    m, M = pair(name, kw, np.float64)
    lens = [3, 6, 1, 4, 6]
    x, X = both(r.standard_normal((6, 5, 4)))
    p = U.pack_padded_sequence(x, lens, enforce_sorted=False)
    P = TU.pack_padded_sequence(X, lens, enforce_sorted=False)
    np.testing.assert_array_equal(p.batch_sizes.numpy(), P.batch_sizes.numpy())
    np.testing.assert_array_equal(p.sorted_indices.numpy(), P.sorted_indices.numpy())
    np.testing.assert_allclose(p.data.detach().numpy(), P.data.detach().numpy())
    # estado inicial en el orden original del lote (PyTorch lo permuta con sorted_indices)
    D, L, Pj = 2 if kw.get("bidirectional") else 1, kw.get("num_layers", 1), kw.get("proj_size", 0) or 6
    h, Hh = both(r.standard_normal((D * L, 5, Pj)))
    if name == "LSTM":
        c, C = both(r.standard_normal((D * L, 5, 6)))
        y, s = m(p, (h, c))
        Y, S = M(P, (Hh, C))
    else:
        y, s = m(p, h)
        Y, S = M(P, Hh)
    yp, lp = U.pad_packed_sequence(y, batch_first=True, padding_value=-1.0)
    Yp, LP = TU.pad_packed_sequence(Y, batch_first=True, padding_value=-1.0)
    np.testing.assert_array_equal(lp.numpy(), LP.numpy())
    outs = [yp] + (list(s) if name == "LSTM" else [s])
    Outs = [Yp] + (list(S) if name == "LSTM" else [S])
    compare(outs, Outs, 1e-10, r)
    np.testing.assert_allclose(x.grad.numpy(), X.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(h.grad.numpy(), Hh.grad.numpy(), atol=1e-10)
    for (n, q), (_, Q) in zip(m.named_parameters(), M.named_parameters()):
        np.testing.assert_allclose(q.grad.numpy(), Q.grad.numpy(), atol=1e-10, err_msg=n)


@pytest.mark.parametrize("dt", [np.float64, np.float32])
@pytest.mark.parametrize("ours, theirs", [(nn.RNNCell, torch.nn.RNNCell), (nn.LSTMCell, torch.nn.LSTMCell),
                                          (nn.GRUCell, torch.nn.GRUCell)])
def test_cells_match_pytorch(ours, theirs, dt):
    r = np.random.default_rng(2)
    m = ours(4, 5, dtype=tg.float64 if dt == np.float64 else tg.float32)
    M = theirs(4, 5).to(torch.float64 if dt == np.float64 else torch.float32)
    M.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
    x, X = both(r.standard_normal((3, 4)).astype(dt))
    h, Hh = both(r.standard_normal((3, 5)).astype(dt))
    if ours is nn.LSTMCell:
        c, C = both(r.standard_normal((3, 5)).astype(dt))
        compare(list(m(x, (h, c))), list(M(X, (Hh, C))), TOL[dt], r)
    else:
        compare([m(x, h)], [M(X, Hh)], TOL[dt], r)
    np.testing.assert_allclose(x.grad.numpy(), X.grad.numpy(), rtol=TOL[dt], atol=TOL[dt])
    for (n, p), (_, Q) in zip(m.named_parameters(), M.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), Q.grad.numpy(), rtol=TOL[dt], atol=TOL[dt], err_msg=n)
    # sin lote
    xu = r.standard_normal(4).astype(dt)
    a = m(tg.tensor(xu))
    A = M(torch.tensor(xu))
    a, A = (a[0], A[0]) if ours is nn.LSTMCell else (a, A)
    np.testing.assert_allclose(a.detach().numpy(), A.detach().numpy(), rtol=TOL[dt], atol=TOL[dt])


@pytest.mark.parametrize("name, kw", CONFIGS)
def test_state_dict_round_trip_both_ways(name, kw, tmp_path):
    M = getattr(torch.nn, name)(3, 5, **kw)
    m = getattr(nn, name)(3, 5, **kw)
    assert list(m.state_dict()) == list(M.state_dict())
    for k, v in M.state_dict().items():
        assert tuple(m.state_dict()[k].shape) == tuple(v.shape), k
    # PyTorch -> nosotros, a través de un fichero .pt guardado por torch.save
    torch.save(M.state_dict(), tmp_path / "rnn.pt")
    m.load_state_dict(tg.load(str(tmp_path / "rnn.pt")))
    x = np.random.default_rng(3).standard_normal((4, 2, 3)).astype(np.float32)
    y = m(tg.tensor(x))[0].detach().numpy()
    np.testing.assert_allclose(y, M(torch.tensor(x))[0].detach().numpy(), atol=2e-6)
    # nosotros -> PyTorch
    m2 = getattr(nn, name)(3, 5, **kw)
    tg.save(m2.state_dict(), str(tmp_path / "ours.pt"))
    M.load_state_dict(torch.load(tmp_path / "ours.pt"))
    np.testing.assert_allclose(m2(tg.tensor(x))[0].detach().numpy(), M(torch.tensor(x))[0].detach().numpy(),
                               atol=2e-6)


def test_padding_utilities_match_pytorch():
    r = np.random.default_rng(4)
    seqs = [r.standard_normal((n, 2)) for n in (2, 5, 3, 3)]
    for bf in (False, True):
        for side in ("right", "left"):
            a = U.pad_sequence([tg.tensor(s) for s in seqs], batch_first=bf, padding_value=-3, padding_side=side)
            A = TU.pad_sequence([torch.tensor(s) for s in seqs], batch_first=bf, padding_value=-3, padding_side=side)
            np.testing.assert_array_equal(a.numpy(), A.numpy())
    p = U.pack_sequence([tg.tensor(s) for s in seqs], enforce_sorted=False)
    P = TU.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    for f in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        np.testing.assert_array_equal(getattr(p, f).numpy(), getattr(P, f).numpy())
    a, la = U.pad_packed_sequence(p, total_length=7)
    A, LA = TU.pad_packed_sequence(P, total_length=7)
    np.testing.assert_array_equal(a.numpy(), A.numpy())
    np.testing.assert_array_equal(la.numpy(), LA.numpy())
    for u, v in zip(U.unpack_sequence(p), TU.unpack_sequence(P)):
        np.testing.assert_array_equal(u.numpy(), v.numpy())
