"""Factorizaciones de ``torch.linalg`` (cholesky, qr, eigh, svd, pinv, lstsq, matrix_rank, cond, slogdet):
gradientes en float64 contra diferencias centrales sobre matrices generadas por hypothesis (con valores
propios / singulares separados, donde la derivada está definida), valores contra numpy y, con PyTorch
instalado, valores, gradientes y errores contra PyTorch."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
from helpers import check, leaf
from strategies import arrays

try:
    import torch
except ImportError:  # pragma: no cover - la parte de PyTorch se salta
    torch = None


@st.composite
def separated(draw, m=None, n=None, batch=True):
    """Una matriz m×n (y a veces un lote de 2) con valores singulares separados ≥ 0,5: U·diag(s)·Vᵀ."""
    m = draw(st.integers(1, 4)) if m is None else m
    n = draw(st.integers(1, 4)) if n is None else n
    b = draw(st.sampled_from([(), (2,)])) if batch else ()
    k = min(m, n)
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    s = 1.0 + 0.6 * np.arange(k)[::-1] + rng.uniform(0, 0.1, k)
    u = np.linalg.qr(rng.standard_normal(b + (m, m)))[0][..., :k]
    v = np.linalg.qr(rng.standard_normal(b + (n, n)))[0][..., :k]
    return (u * s) @ np.swapaxes(v, -1, -2)


@st.composite
def spd(draw):
    """Simétrica definida positiva (a veces un lote de 2) con valores propios separados ≥ 0,5."""
    n = draw(st.integers(1, 4))
    b = draw(st.sampled_from([(), (2,)]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    q = np.linalg.qr(rng.standard_normal(b + (n, n)))[0]
    lam = 0.5 + 0.7 * np.arange(n) + rng.uniform(0, 0.1, n)
    return (q * lam) @ np.swapaxes(q, -1, -2)


def weights(shape, seed=0):
    return tg.tensor(np.random.default_rng(seed).standard_normal(shape))


# ---- gradientes contra diferencias centrales ------------------------------------------------------------
def sym(x):
    """Como en los gradcheck de PyTorch: la entrada se simetriza, porque cholesky/eigh sólo leen un
    triángulo y su gradiente (el de PyTorch) es la matriz simétrica."""
    return (x + x.mT) / 2


@given(a=spd())
def test_cholesky_eigh_gradients(a):
    check(lambda x: tg.linalg.cholesky(sym(x)) * weights(x.shape), a)
    check(lambda x: tg.linalg.cholesky(sym(x), upper=True) * weights(x.shape, 1), a)
    check(lambda x: tg.linalg.eigvalsh(sym(x)) * weights(x.shape[:-1]), a)
    # V sólo está definida salvo el signo de cada columna: se usan V·diag(w)·Vᵀ y λ, que no dependen de él
    w = weights(a.shape[-1:], 2)

    def eig(x):
        lam, v = tg.linalg.eigh(sym(x))
        return (v * w) @ v.mT + lam.unsqueeze(-1) * 0.3
    check(eig, a)
    check(lambda x: tg.linalg.slogdet(x).logabsdet + tg.logdet(x), a)


@given(a=separated())
def test_svd_qr_pinv_gradients(a):
    m, n = a.shape[-2:]
    k = min(m, n)
    wk = weights((k,), 3)

    def svd_inv(x, full):
        u, s, vh = tg.linalg.svd(x, full_matrices=full)
        u, vh = u[..., :, :k], vh[..., :k, :]
        return (u * wk) @ vh + (s * wk).sum(-1, keepdim=True).unsqueeze(-1) + (u * u).sum(-1, keepdim=True) * 0.1
    check(lambda x: svd_inv(x, False), a)
    check(lambda x: svd_inv(x, True), a)
    check(lambda x: tg.linalg.svdvals(x) * wk, a)
    check(lambda x: tg.linalg.pinv(x) * weights((n, m), 4), a)
    q_shape, r_shape = (m, k), (k, n)
    check(lambda x: (tg.linalg.qr(x).Q * weights(q_shape, 5)).sum((-1, -2)) +
          (tg.linalg.qr(x).R * weights(r_shape, 6)).sum((-1, -2)), a)
    if m <= n:
        check(lambda x: tg.linalg.qr(x, mode="complete").R * weights((m, n), 7), a)


@given(a=separated(batch=False), k=st.integers(1, 3), data=st.data())
def test_lstsq_gradient_and_values(a, k, data):
    m, n = a.shape
    b = data.draw(arrays((m, k)))
    check(lambda x, y: tg.linalg.lstsq(x, y).solution, a, b)
    sol = tg.linalg.lstsq(tg.tensor(a), tg.tensor(b)).solution.numpy()
    np.testing.assert_allclose(sol, np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-9, atol=1e-10)


# ---- valores y casos límite sin PyTorch ----------------------------------------------------------------
def test_values_against_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 4, 3))
    u, s, vh = tg.linalg.svd(tg.tensor(a), full_matrices=False)
    np.testing.assert_allclose((u.numpy() * s.numpy()[..., None, :]) @ vh.numpy(), a, atol=1e-12)
    assert tg.linalg.svd(tg.tensor(a)).U.shape == (2, 4, 4) and tg.linalg.svd(tg.tensor(a)).Vh.shape == (2, 3, 3)
    q, r = tg.linalg.qr(tg.tensor(a))
    np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-12)
    assert np.allclose(np.tril(r.numpy(), -1), 0)
    sym = a[0].T @ a[0] + np.eye(3)
    lam, v = tg.linalg.eigh(tg.tensor(sym))
    np.testing.assert_allclose(lam.numpy(), np.linalg.eigvalsh(sym), rtol=1e-12)
    np.testing.assert_allclose(tg.linalg.cholesky(tg.tensor(sym)).numpy(), np.linalg.cholesky(sym), rtol=1e-12)
    np.testing.assert_allclose(tg.linalg.pinv(tg.tensor(a)).numpy(), np.linalg.pinv(a), rtol=1e-10, atol=1e-12)
    assert tg.linalg.matrix_rank(tg.ones(3, 3)).item() == 1 and tg.linalg.matrix_rank(tg.ones(3, 3)).dtype == tg.int64
    assert tg.linalg.cond(tg.tensor([[1.0, 0.0], [0.0, 4.0]])).item() == 4.0
    # sólo el triángulo inferior cuenta (como PyTorch): lo de arriba se ignora
    upper_junk = np.triu(np.full((3, 3), 99.0), 1) + np.tril(sym)
    np.testing.assert_allclose(tg.linalg.cholesky(tg.tensor(upper_junk)).numpy(), np.linalg.cholesky(sym), rtol=1e-12)
    np.testing.assert_allclose(tg.linalg.eigvalsh(tg.tensor(upper_junk)).numpy(), np.linalg.eigvalsh(sym), rtol=1e-12)


def test_slogdet_does_not_overflow():
    big = tg.eye(300, dtype=tg.float64) * 10
    sign, lad = tg.linalg.slogdet(big)
    assert sign.item() == 1.0 and abs(lad.item() - 300 * np.log(10)) < 1e-9
    assert abs(tg.logdet(big).item() - 300 * np.log(10)) < 1e-9
    assert np.isnan(tg.logdet(tg.tensor([[-1.0]])).item())
    x = leaf(np.array([[1.0, 2.0], [2.0, 4.0]]), grad=True)
    s, l2 = tg.linalg.slogdet(x)
    l2.backward()
    assert s.item() == 0.0 and l2.item() == -np.inf and x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert type(x.slogdet()).__name__ == "slogdet" and type(tg.linalg.slogdet(x)).__name__ == "linalg_slogdet"


def test_errors_are_spanish_and_pytorch_classes():
    with pytest.raises(tg.linalg.LinAlgError, match="orden 2 no es definido positivo"):
        tg.linalg.cholesky(tg.tensor([[1.0, 2.0], [2.0, 1.0]]))
    info = tg.linalg.cholesky_ex(tg.tensor([[1.0, 2.0], [2.0, 1.0]])).info
    assert info.item() == 2 and info.dtype == tg.int32
    with pytest.raises(RuntimeError, match="al menos 2 dimensiones"):
        tg.linalg.svd(tg.ones(3))
    with pytest.raises(RuntimeError, match="coma flotante"):
        tg.linalg.cholesky(tg.tensor([[1, 0], [0, 1]]))
    with pytest.raises(RuntimeError, match="mode"):
        tg.linalg.qr(tg.ones(2, 2), mode="x")
    x = tg.ones(3, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='complete'"):
        tg.linalg.qr(x + tg.eye(3, 2), mode="complete").Q.sum().backward()
    q, r = tg.linalg.qr(x, mode="r")
    assert q.shape == (0,) and r.shape == (2, 2)
    with pytest.raises(RuntimeError, match="mode='r'"):
        r.sum().backward()


def test_old_torch_names():
    a = tg.tensor(np.random.default_rng(1).standard_normal((4, 3)))
    u, s, v = tg.svd(a)
    assert u.shape == (4, 3) and v.shape == (3, 3)
    np.testing.assert_allclose((u.numpy() * s.numpy()) @ v.numpy().T, a.numpy(), atol=1e-12)
    assert tg.svd(a, some=False).U.shape == (4, 4)
    assert float(tg.svd(a, compute_uv=False).U.abs().sum()) == 0.0
    assert tg.qr(a).Q.shape == (4, 3) and tg.qr(a, some=False).Q.shape == (4, 4)
    np.testing.assert_allclose(tg.pinverse(a).numpy(), np.linalg.pinv(a), atol=1e-12)
    spd_m = a.mT @ a
    np.testing.assert_allclose(tg.cholesky(spd_m).numpy(), np.linalg.cholesky(spd_m.numpy()), rtol=1e-12)


# ---- contra PyTorch ------------------------------------------------------------------------------------
def _both(a):
    return tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


GAUGE_FREE = {  # funciones escalares que no dependen del signo de los vectores singulares/propios
    "svd": lambda L, x: (lambda u, s, vh: ((u[..., :, :2] * s[..., None, :2]) @ vh[..., :2, :]).sum()
                         + (u * u)[..., 0].sum() + s.pow(3).sum())(*L.linalg.svd(x, full_matrices=False)),
    "svd_full": lambda L, x: (lambda u, s, vh: (u[..., :, :1] @ vh[..., :1, :]).sin().sum() + s.sum())(
        *L.linalg.svd(x)),
    "svdvals": lambda L, x: L.linalg.svdvals(x).exp().sum(),
    "qr": lambda L, x: (lambda q, r: q.sin().sum() + r.cos().sum())(*L.linalg.qr(x)),
    "pinv": lambda L, x: L.linalg.pinv(x).sin().sum(),
    "lstsq": lambda L, x: L.linalg.lstsq(x, x[..., :, :1].cos()).solution.sum(),
    "cond": lambda L, x: L.linalg.cond(x).sum(),
}
SYMMETRIC = {
    "cholesky": lambda L, x: L.linalg.cholesky(x).sin().sum(),
    "eigh": lambda L, x: (lambda w, v: (v * v * w.unsqueeze(-2)).sin().sum() + w.pow(2).sum())(*L.linalg.eigh(x)),
    "eigvalsh": lambda L, x: L.linalg.eigvalsh(x).exp().sum(),
    "slogdet": lambda L, x: L.linalg.slogdet(x).logabsdet.sum(),
}


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
@pytest.mark.parametrize("name", sorted(GAUGE_FREE))
def test_matches_pytorch_values_and_gradients(name, shape):
    rng = np.random.default_rng(7)
    a = rng.standard_normal(shape)
    ours, theirs = _both(a)
    lo, lt = GAUGE_FREE[name](tg, ours), GAUGE_FREE[name](torch, theirs)
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-9)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
@pytest.mark.parametrize("name", sorted(SYMMETRIC))
def test_symmetric_match_pytorch(name):
    rng = np.random.default_rng(3)
    b = rng.standard_normal((2, 4, 4))
    a = b @ np.swapaxes(b, -1, -2) + np.eye(4)
    a = a + np.triu(rng.standard_normal((4, 4)), 1)  # basura arriba: ambos leen sólo el triángulo inferior
    ours, theirs = _both(a)
    lo, lt = SYMMETRIC[name](tg, ours), SYMMETRIC[name](torch, theirs)
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-9)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.skipif(torch is None, reason="sin PyTorch")
def test_lstsq_fields_rank_and_errors_like_pytorch():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    for driver in (None, "gels", "gelsd", "gelss"):
        o = tg.linalg.lstsq(tg.tensor(a), tg.tensor(b), driver=driver)
        t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        np.testing.assert_allclose(o.solution.numpy(), t.solution.numpy(), rtol=1e-9)
        for f in ("residuals", "rank", "singular_values"):
            assert tuple(getattr(o, f).shape) == tuple(getattr(t, f).shape), (driver, f)
            np.testing.assert_allclose(getattr(o, f).numpy(), getattr(t, f).numpy(), rtol=1e-9)
    for m in (np.ones((3, 3)), np.diag([1.0, 1e-20, 1.0]), rng.standard_normal((2, 4, 3))):
        assert tg.linalg.matrix_rank(tg.tensor(m)).tolist() == torch.linalg.matrix_rank(torch.tensor(m)).tolist()
    bad = [[1.0, 2.0], [2.0, 1.0]]
    with pytest.raises(torch.linalg.LinAlgError):
        torch.linalg.cholesky(torch.tensor(bad))
    with pytest.raises(tg.linalg.LinAlgError):
        tg.linalg.cholesky(tg.tensor(bad))
    assert issubclass(tg.linalg.LinAlgError, RuntimeError)
    for f in (lambda L: L.linalg.svd(L.ones(3)), lambda L: L.linalg.qr(L.ones(2, 2), mode="x"),
              lambda L: L.linalg.eigh(L.ones(2, 3))):
        with pytest.raises(RuntimeError):
            f(torch)
        with pytest.raises(RuntimeError):
            f(tg)


def test_svd_and_pca_lowrank_reconstruct():
    tg.manual_seed(0)
    a = tg.randn(60, 20, dtype=tg.float64)
    u, s, v = tg.svd_lowrank(a, q=20)
    np.testing.assert_allclose((u @ tg.diag(s) @ v.mT).numpy(), a.numpy(), atol=1e-12)
    low = tg.tensor(np.random.default_rng(1).standard_normal((40, 3)) @ np.random.default_rng(2).standard_normal((3, 50)))
    u, s, v = tg.svd_lowrank(low, q=3)      # ancha (40×50): se calcula sobre Aᵀ
    assert u.shape == (40, 3) and v.shape == (50, 3)
    np.testing.assert_allclose((u @ tg.diag(s) @ v.mT).numpy(), low.numpy(), atol=1e-10)
    x = tg.randn(100, 5, dtype=tg.float64) * tg.tensor([5.0, 1.0, 0.1, 0.1, 0.1], dtype=tg.float64) + 3.0
    _, s, v = tg.pca_lowrank(x, q=2)
    assert abs(abs(v[0, 0].item()) - 1.0) < 0.05 and s[0].item() > s[1].item()
    with pytest.raises(ValueError):
        tg.pca_lowrank(x, q=9)

    def seeded(t):  # la misma proyección aleatoria en cada evaluación de las diferencias finitas
        tg.manual_seed(0)
        return tg.svd_lowrank(t, q=2, niter=1)[1]
    check(seeded, np.random.default_rng(3).standard_normal((6, 4)))
