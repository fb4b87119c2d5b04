"""``torch.masked``: reducciones y normalizaciones con ``mask=`` (valores, gradientes, identidades de las
filas del todo enmascaradas, dtypes y errores), contra PyTorch y contra diferencias finitas."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygrad_es as tg
from helpers import check, leaf

REDUCTIONS = ["sum", "prod", "amax", "amin", "mean", "logsumexp", "var", "std"]
ALONG = ["cumsum", "cumprod", "softmax", "log_softmax", "softmin"]


def _data(seed=0, shape=(3, 4, 5)):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    m = rng.random(shape) < 0.6
    m[1] = False          # una fila del todo enmascarada en cada eje que la cruce
    m[(slice(None),) + (0,) * (len(shape) - 1)] = True
    return x, m


# ---------------------------------------------------------------- sin PyTorch: identidades y reglas
def test_fully_masked_rows_give_the_identity_or_nan():
    x = tg.tensor([[1., 2.], [3., 4.]])
    m = tg.tensor([[True, False], [False, False]])
    M = tg.masked
    assert M.sum(x, 1, mask=m).tolist() == [1.0, 0.0]
    assert M.prod(x, 1, mask=m).tolist() == [1.0, 1.0]
    assert M.amax(x, 1, mask=m).tolist() == [1.0, -math.inf]
    assert M.amin(x, 1, mask=m).tolist() == [1.0, math.inf]
    assert M.logsumexp(x, 1, mask=m).tolist() == [1.0, -math.inf]
    assert M.norm(x, 2.0, 1, mask=m).tolist() == [1.0, 0.0]
    assert M.norm(x, -math.inf, 1, mask=m).tolist() == [1.0, math.inf]
    for f in (M.mean, M.median):
        assert math.isnan(f(x, 1, mask=m).tolist()[1])
    assert np.isnan(M.var(x, 1, mask=m).numpy()).all()  # 1 válido con correction=1 → 0/0
    assert M.var(x, 1, mask=m, correction=0).tolist()[0] == 0.0
    sm = M.softmax(x, 1, mask=m).numpy()
    assert sm[0].tolist() == [1.0, 0.0] and np.isnan(sm[1]).all()
    assert M.log_softmax(x, 1, mask=m).numpy()[0].tolist() == [0.0, -math.inf]
    assert M.cumsum(x, 1, mask=m).tolist() == [[1.0, 1.0], [0.0, 0.0]]
    assert M.cumprod(x, 1, mask=m).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert M.normalize(x, 2.0, 1, mask=m).tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_mask_none_is_the_plain_op_and_mask_broadcasts():
    x, _ = _data(1)
    t = tg.tensor(x)
    np.testing.assert_allclose(tg.masked.sum(t, (0, 2)).numpy(), x.sum((0, 2)))
    np.testing.assert_allclose(tg.masked.softmax(t, -1).numpy(), tg.softmax(t, -1).numpy())
    row = tg.tensor([True, False, True, True, False])  # se extiende a (3, 4, 5)
    np.testing.assert_allclose(tg.masked.sum(t, -1, mask=row).numpy(), x[..., [0, 2, 3]].sum(-1))
    np.testing.assert_allclose(tg.masked.amax(t, -1, mask=row, keepdim=True).numpy(),
                               x[..., [0, 2, 3]].max(-1, keepdims=True))


def test_dtypes_follow_pytorch():
    i = tg.tensor([[1, 2, 3]], dtype=tg.int32)
    m = tg.tensor([[True, False, True]])
    assert tg.masked.sum(i, mask=m).dtype == tg.int64
    assert tg.masked.prod(i, mask=m).dtype == tg.int64
    assert tg.masked.cumsum(i, 1, mask=m).dtype == tg.int32  # no sube a int64 (torch.cumsum sí)
    assert tg.masked.amax(i, mask=m).tolist() == 3 and tg.masked.amax(i, mask=m).dtype == tg.int32
    assert tg.masked.amin(i, 1, mask=~m).tolist() == [2]
    x = tg.tensor([1., 9., 3.])
    assert tg.masked.argmax(x, mask=tg.tensor([True, False, True])).dtype == tg.float32  # como torch
    assert tg.masked.argmax(x, 0, dtype=tg.int64).dtype == tg.int64
    assert tg.masked.var(i, 1, mask=m).dtype == tg.float32
    assert tg.masked.median(i, mask=m).dtype == tg.int32
    assert tg.masked.sum(x, dtype=tg.float64).dtype == tg.float64
    assert tg.masked.softmax(x, 0, dtype=tg.float64).dtype == tg.float64


def test_bad_input_raises_pytorchs_classes_in_spanish():
    x = tg.tensor([[1., 2.], [3., 4.]])
    with pytest.raises(IndexError, match="más dimensiones"):
        tg.masked.sum(x, mask=tg.ones(1, 2, 2, dtype=tg.bool))
    with pytest.raises(RuntimeError, match="no se puede extender"):
        tg.masked.sum(x, mask=tg.ones(3, dtype=tg.bool))
    with pytest.raises(IndexError, match="fuera de rango"):
        tg.masked.sum(x, 2)
    with pytest.raises(RuntimeError, match="más de una vez"):
        tg.masked.sum(x, (1, -1))
    with pytest.raises(ValueError, match="coma flotante"):
        tg.masked.mean(tg.tensor([1, 2]))
    with pytest.raises(ValueError, match="enmascaradas"):
        tg.masked.median(tg.tensor([[1, 2], [3, 4]]), 1, mask=tg.tensor([[True, True], [False, False]]))
    with pytest.raises(AssertionError, match="unbiased o correction"):
        tg.masked.var(x, unbiased=True, correction=0)
    with pytest.raises(AttributeError, match="Tensor"):
        tg.masked.sum([1.0, 2.0])
    with pytest.raises(AttributeError, match="mask"):
        tg.masked.sum(x, mask=[[True, False], [True, True]])


# ---------------------------------------------------------------- gradientes contra diferencias finitas
@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(REDUCTIONS + ALONG + ["norm", "normalize"]),
       st.sampled_from([0, 1, -1]))
def test_gradients_match_finite_differences(seed, op, dim):
    x, m = _data(seed, (3, 4))
    x = x + 3.0 * (op in ("prod", "cumprod"))  # lejos de 0: el producto no cambia de signo en el paso
    m[:2, :] = m[:, :2] = True  # al menos dos válidos por fila y por columna (var/std con correction=1)
    mask = leaf(m)
    f = getattr(tg.masked, op)
    args = (3.0, dim) if op in ("norm", "normalize") else (dim,)
    finite = lambda y: tg.where(y.isfinite(), y, 0.0)  # noqa: E731  (log_softmax da −∞ en lo enmascarado)
    check(lambda a: finite(f(a, *args, mask=mask)), x)
    g = leaf(x, grad=True)
    out = f(g, 2.0, dim, mask=mask) if op in ("norm", "normalize") else f(g, dim, mask=mask)
    out[out.isfinite()].sum().backward()
    assert (g.grad.numpy()[~m] == 0).all()  # a lo enmascarado no llega gradiente


def test_median_gradient_goes_to_the_chosen_element():
    g = tg.tensor([[4., 1., 3., 2.]], requires_grad=True)
    tg.masked.median(g, 1, mask=tg.tensor([[True, False, True, True]])).sum().backward()
    assert g.grad.tolist() == [[0.0, 0.0, 1.0, 0.0]]


# ---------------------------------------------------------------- contra PyTorch
def _both(torch, x, m, dtype=None):
    xt = torch.tensor(x, requires_grad=True)
    xg = leaf(x, grad=True)
    return xt, xg, torch.tensor(m), leaf(m)


def _compare(torch, yt, yg, xt, xg):
    assert str(yg.dtype) == str(yt.dtype) and tuple(yg.shape) == tuple(yt.shape)
    np.testing.assert_allclose(yg.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    if yt.requires_grad:
        w = np.random.default_rng(1).standard_normal(tuple(yt.shape))
        finite = torch.isfinite(yt).detach().numpy()
        (torch.where(torch.tensor(finite), yt, 0.0) * torch.tensor(w)).sum().backward()
        (tg.where(leaf(finite), yg, 0.0) * leaf(w)).sum().backward()
        if xt.grad is None:  # la norma 0 no tiene gradiente, tampoco en PyTorch
            assert xg.grad is None
        else:
            np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("op", REDUCTIONS + ["argmax", "argmin"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False), (-1, False)])
def test_reductions_like_torch(op, dim, keepdim):
    torch = pytest.importorskip("torch")
    if op in ("argmax", "argmin") and isinstance(dim, tuple):
        return
    x, m = _data(3)
    xt, xg, mt, mg = _both(torch, x, m)
    yt = getattr(torch.masked, op)(xt, dim, keepdim=keepdim, mask=mt)
    yg = getattr(tg.masked, op)(xg, dim, keepdim=keepdim, mask=mg)
    _compare(torch, yt, yg, xt, xg)


@pytest.mark.torch
@pytest.mark.parametrize("op", ALONG + ["median"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_along_a_dim_like_torch(op, dim):
    torch = pytest.importorskip("torch")
    x, m = _data(4)
    xt, xg, mt, mg = _both(torch, x, m)
    _compare(torch, getattr(torch.masked, op)(xt, dim, mask=mt), getattr(tg.masked, op)(xg, dim, mask=mg), xt, xg)


@pytest.mark.torch
@pytest.mark.parametrize("ord", [2.0, 1.0, 3.5, math.inf, -math.inf, 0.0])
def test_norm_and_normalize_like_torch(ord):
    torch = pytest.importorskip("torch")
    x, m = _data(5)
    xt, xg, mt, mg = _both(torch, x, m)
    _compare(torch, torch.masked.norm(xt, ord, (1, 2), mask=mt), tg.masked.norm(xg, ord, (1, 2), mask=mg), xt, xg)
    xt, xg, mt, mg = _both(torch, x, m)
    _compare(torch, torch.masked.normalize(xt, ord, 1, mask=mt), tg.masked.normalize(xg, ord, 1, mask=mg), xt, xg)


@pytest.mark.torch
def test_var_std_corrections_logaddexp_and_int_inputs_like_torch():
    torch = pytest.importorskip("torch")
    x, m = _data(6)
    for kw in (dict(unbiased=False), dict(correction=2), dict(correction=0, keepdim=True)):
        for op in ("var", "std"):
            xt, xg, mt, mg = _both(torch, x, m)
            _compare(torch, getattr(torch.masked, op)(xt, 1, mask=mt, **kw),
                     getattr(tg.masked, op)(xg, 1, mask=mg, **kw), xt, xg)
    y = np.random.default_rng(7).standard_normal(x.shape)
    xt, xg, mt, mg = _both(torch, x, m)
    _compare(torch, torch.masked.logaddexp(xt, torch.tensor(y), input_mask=mt, other_mask=~mt),
             tg.masked.logaddexp(xg, leaf(y), input_mask=mg, other_mask=~mg), xt, xg)
    i = np.random.default_rng(8).integers(-5, 5, (3, 4))
    im = np.random.default_rng(9).random((3, 4)) < 0.5
    im[:, 0] = True
    for op, args in (("sum", (1,)), ("prod", (1,)), ("amax", (0,)), ("amin", (1,)), ("argmax", (1,)),
                     ("cumsum", (1,)), ("cumprod", (0,)), ("var", (1,)), ("median", (1,)), ("logsumexp", (1,))):
        yt = getattr(torch.masked, op)(torch.tensor(i), *args, mask=torch.tensor(im))
        yg = getattr(tg.masked, op)(leaf(i), *args, mask=leaf(im))
        assert str(yg.dtype) == str(yt.dtype), op
        np.testing.assert_allclose(yg.numpy(), yt.numpy(), rtol=1e-6, err_msg=op)


@pytest.mark.torch
def test_errors_have_torchs_classes():
    torch = pytest.importorskip("torch")
    cases = [("sum", ([[1., 2.]],), dict(mask=lambda L: L.ones(1, 1, 2, dtype=L.bool))),
             ("sum", ([[1., 2.]], 2), {}),
             ("mean", ([1, 2],), {}),
             ("median", ([[1, 2], [3, 4]], 1), dict(mask=lambda L: L.tensor([[True, True], [False, False]])))]
    for op, args, kw in cases:
        classes = []
        for L in (torch, tg):
            a = (L.tensor(args[0]),) + args[1:]
            try:
                getattr(L.masked, op)(*a, **{k: v(L) for k, v in kw.items()})
            except Exception as e:  # noqa: BLE001
                classes.append(type(e))
        assert len(classes) == 2 and classes[0] is classes[1], (op, classes)
