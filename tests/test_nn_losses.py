"""Pérdidas de nn: gradiente en float64 (gradcheck), una referencia lenta escrita a mano y PyTorch
(valor y gradientes) en cada configuración: formas (C,), (N,C), (N,C,d...), weight, ignore_index,
reducciones, label_smoothing, objetivos con probabilidades, N = 0 y todo ignorado (nan)."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygrad_es as tg
import tinygrad_es.nn.functional as F
from tinygrad_es import nn
from tinygrad_es.gradcheck import gradcheck
from helpers import leaf

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover
    torch = TF = None

rng = np.random.default_rng(0)


def run(fn, arrays, diff):
    """Valor y gradientes (respecto de las posiciones ``diff``) de ``fn`` con nuestros tensores."""
    ts = [leaf(a, i in diff and np.asarray(a).dtype.kind == "f") for i, a in enumerate(arrays)]
    out = fn(*ts)
    g = rng.standard_normal(tuple(out.shape)) if out.ndim else np.array(1.0)
    if np.all(np.isfinite(out.detach().numpy())):
        out.backward(leaf(g))
    else:
        (out * 0).sum().backward() if out.ndim else (out * 0).backward()
    return out.detach().numpy(), [ts[i].grad.numpy() if ts[i].grad is not None else None for i in diff], g


def run_torch(fn, arrays, diff, g):
    ts = [torch.tensor(a, requires_grad=(i in diff and np.asarray(a).dtype.kind == "f")) for i, a in enumerate(arrays)]
    out = fn(*ts)
    if torch.isfinite(out).all():
        out.backward(torch.tensor(g))
    else:
        (out * 0).sum().backward()
    return out.detach().numpy(), [ts[i].grad.numpy() if ts[i].grad is not None else None for i in diff]


def compare(ours_fn, torch_fn, arrays, diff=(0,), slow=None, tol=1e-10):
    val, grads, g = run(ours_fn, arrays, diff)
    if slow is not None:
        np.testing.assert_allclose(val, slow(*arrays), rtol=tol, atol=tol, equal_nan=True)
    if torch is not None:
        tval, tgrads = run_torch(torch_fn, arrays, diff, g)
        np.testing.assert_allclose(val, tval, rtol=tol, atol=tol, equal_nan=True)
        for a, b in zip(grads, tgrads):
            if b is not None:
                np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def gc(fn, arrays, diff=(0,)):
    """gradcheck sobre las entradas ``diff``; el resto (índices, pesos) fijo."""
    def f(*xs):
        full = list(map(leaf, arrays))
        for i, x in zip(diff, xs):
            full[i] = x
        return fn(*full)
    gradcheck(f, [np.array(arrays[i], dtype=np.float64) for i in diff])


# --------------------------------------------------------------------------------------
# referencia lenta (bucles)
# --------------------------------------------------------------------------------------
def _logsoftmax_rows(z):
    m = z.max(-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))


def slow_ce(x, y, w=None, ignore=-100, reduction="mean", eps=0.0):
    cdim = 0 if x.ndim == 1 else 1
    xm = np.moveaxis(x, cdim, -1)
    lp = _logsoftmax_rows(xm)
    c = x.shape[cdim]
    w = np.ones(c) if w is None else w
    if y.ndim == x.ndim:  # probabilidades
        t = np.moveaxis(y, cdim, -1) * (1 - eps) + eps / c
        per = -(lp * t * w).sum(-1)
        if reduction == "none":
            return per
        return per.sum() if reduction == "sum" else (per.sum() / per.size if per.size else math.nan)
    loss, smooth, wsum = np.zeros(y.shape), np.zeros(y.shape), 0.0
    for idx in np.ndindex(*y.shape):
        k = y[idx]
        if k == ignore:
            continue
        loss[idx] = -w[k] * lp[idx][k]
        smooth[idx] = -(lp[idx] * w).sum()
        wsum += w[k]
    if reduction == "none":
        return (1 - eps) * loss + eps / c * smooth
    if reduction == "sum":
        return (1 - eps) * loss.sum() + eps / c * smooth.sum()
    return ((1 - eps) * loss.sum() + eps / c * smooth.sum()) / wsum if wsum else math.nan


CE_CASES = [
    dict(shape=(5,), c_axis=0), dict(shape=(6, 4)), dict(shape=(3, 4, 5)), dict(shape=(2, 3, 2, 3)),
    dict(shape=(6, 4), weight=True), dict(shape=(6, 4), ignore=True), dict(shape=(6, 4), weight=True, ignore=True),
    dict(shape=(3, 4, 5), weight=True, ignore=True, smoothing=0.2), dict(shape=(6, 4), smoothing=0.1),
    dict(shape=(6, 4), weight=True, smoothing=0.3), dict(shape=(6, 4), probs=True),
    dict(shape=(3, 4, 2), probs=True, weight=True, smoothing=0.25), dict(shape=(0, 4)), dict(shape=(4, 3), all_ignored=True),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", CE_CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_cross_entropy_and_nll(case, reduction):
    shape = case["shape"]
    cdim = 0 if len(shape) == 1 else 1
    c = shape[cdim]
    x = rng.standard_normal(shape)
    tshape = shape[:cdim] + shape[cdim + 1:]
    if case.get("probs"):
        y = rng.dirichlet(np.ones(c), size=int(np.prod(tshape))).reshape(tshape + (c,))
        y = np.moveaxis(y, -1, cdim).copy()
    else:
        y = rng.integers(0, c, tshape).astype(np.int64)
        if case.get("ignore") and y.size:
            y.reshape(-1)[::3] = -100
        if case.get("all_ignored"):
            y[...] = 7
    w = rng.uniform(0.5, 2.0, c) if case.get("weight") else None
    eps = case.get("smoothing", 0.0)
    ignore = 7 if case.get("all_ignored") else -100
    kw = dict(reduction=reduction, label_smoothing=eps, ignore_index=ignore)
    ours = lambda a, b, *ww: F.cross_entropy(a, b, weight=ww[0] if ww else None, **kw)  # noqa: E731
    ref = lambda a, b, *ww: TF.cross_entropy(a, b, weight=ww[0] if ww else None, **kw)  # noqa: E731
    arrays = [x, y] + ([w] if w is not None else [])
    diff = (0, 1) if case.get("probs") else (0,)
    compare(ours, ref, arrays, diff, slow=lambda a, b, *ww: slow_ce(a, b, w, ignore, reduction, eps))
    mod = nn.CrossEntropyLoss(weight=leaf(w) if w is not None else None, reduction=reduction, label_smoothing=eps,
                              ignore_index=ignore)
    np.testing.assert_allclose(mod(leaf(x), leaf(y)).detach().numpy(), ours(leaf(x), leaf(y), *map(leaf, arrays[2:])).detach().numpy())
    if x.size and reduction != "none" and not case.get("all_ignored"):
        gc(ours, arrays, diff)
    if not case.get("probs") and not eps:  # nll_loss con log-probabilidades
        lp = x - np.log(np.exp(x).sum(cdim, keepdims=True))
        compare(lambda a, b, *ww: F.nll_loss(a, b, weight=ww[0] if ww else None, reduction=reduction,
                                             ignore_index=ignore),
                lambda a, b, *ww: TF.nll_loss(a, b, weight=ww[0] if ww else None, reduction=reduction,
                                              ignore_index=ignore), [lp, y] + arrays[2:])


def test_cross_entropy_empty_and_ignored_give_nan_like_torch():
    out = F.cross_entropy(leaf(np.zeros((0, 3)), True), leaf(np.zeros(0, np.int64)))
    assert math.isnan(out.item())
    x = leaf(rng.standard_normal((4, 3)), True)
    out = F.cross_entropy(x, leaf(np.full(4, -100)))
    assert math.isnan(out.item())
    out.backward()
    assert np.all(x.grad.numpy() == 0)  # gradiente 0, no nan (como PyTorch)
    assert F.cross_entropy(x, leaf(np.full(4, -100)), reduction="sum").item() == 0


def test_cross_entropy_ignored_row_with_non_finite_logits_adds_nothing_like_torch():
    # PyTorch salta las filas ignoradas: sus logits (aunque sean −inf o NaN) no tocan la pérdida
    x = np.array([[-np.inf, -np.inf, -np.inf], [np.nan, 0.0, 1.0], [1.0, 2.0, 3.0]], np.float32)
    y = np.array([-100, -100, 1])
    for reduction, want in (("none", [0.0, 0.0, 1.4076059]), ("sum", 1.4076059), ("mean", 1.4076059)):
        out = F.cross_entropy(leaf(x, True), leaf(y), reduction=reduction).detach().numpy()
        np.testing.assert_allclose(out, want, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_fast_path_matches_float64_formula(dtype):
    # el camino de los entrenamientos (kernels/loss.py) frente a la fórmula en float64 con numpy
    r = np.random.default_rng(3)
    z = (r.standard_normal((37, 11)) * 8).astype(dtype)
    y = r.integers(0, 11, 37)
    y[::5] = -100
    x = leaf(z, True)
    loss = F.cross_entropy(x, leaf(y))
    loss.backward()
    z64 = z.astype(np.float64)
    lse = np.log(np.exp(z64 - z64.max(1, keepdims=True)).sum(1)) + z64.max(1)
    valid = y != -100
    rows = np.arange(37)[valid]
    want = (lse[valid] - z64[rows, y[valid]]).mean()
    p = np.exp(z64 - lse[:, None])
    onehot = np.zeros_like(p)
    onehot[rows, y[valid]] = 1
    grad = (p - onehot) * valid[:, None] / valid.sum()
    tol = 2 * np.finfo(np.float32).eps if dtype == np.float32 else 1e-12  # float64: el orden de las sumas
    assert loss.dtype == x.dtype and x.grad.dtype == x.dtype
    np.testing.assert_allclose(loss.item(), want, rtol=tol)
    np.testing.assert_allclose(x.grad.numpy(), grad, rtol=tol, atol=tol * np.abs(grad).max())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_training_shortcut_is_the_general_path(reduction):
    # logits (N, C) e índices int64 en [0, C): el atajo de F.cross_entropy da los mismos bits (valor y
    # gradiente) que el camino general (objetivo como array de numpy) y vigila el objetivo igual
    r = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        z = (r.standard_normal((9, 4)) * 3).astype(dtype)
        y = r.integers(0, 4, 9)
        a, b = leaf(z, True), leaf(z, True)
        la = F.cross_entropy(a, leaf(y), reduction=reduction)
        lb = F.cross_entropy(b, y, reduction=reduction)
        assert np.array_equal(la.detach().numpy(), lb.detach().numpy()) and la.dtype == lb.dtype
        la.sum().backward()
        lb.sum().backward()
        assert np.array_equal(a.grad.numpy(), b.grad.numpy())
    t = leaf(np.array([0, 1, 2]))
    loss = F.cross_entropy(leaf(np.zeros((3, 4)), True), t)
    t.add_(1)  # cambiar el objetivo in situ antes del backward es un error, como en PyTorch
    with pytest.raises(RuntimeError, match="in situ"):
        loss.backward()
    with pytest.raises(IndexError, match=r"fuera de rango \[0, 4\): \[4\]"):
        F.cross_entropy(leaf(np.zeros((3, 4))), leaf(np.array([0, 4, 1])))


def test_classification_errors_in_spanish():
    x = leaf(np.zeros((3, 4)))
    with pytest.raises(IndexError, match=r"fuera de rango \[0, 4\): \[5\]"):
        F.cross_entropy(x, leaf(np.array([0, 5, 1])))
    # negativos (también el menor int64) salen del atajo y dan el mismo error; -100 se ignora
    with pytest.raises(IndexError, match=r"fuera de rango \[0, 4\): \[-3\]"):
        F.cross_entropy(x, leaf(np.array([0, -3, 1])))
    with pytest.raises(IndexError, match=r"fuera de rango \[0, 4\): \[-9223372036854775808\]"):
        F.cross_entropy(x, leaf(np.array([0, np.iinfo(np.int64).min, 1])))
    assert np.isclose(F.cross_entropy(x, leaf(np.array([0, -100, 1]))).item(), np.log(4))
    with pytest.raises(ValueError, match=r"forma \(3,\), no \(2,\)"):
        F.nll_loss(x, leaf(np.array([0, 1])))
    with pytest.raises(RuntimeError, match=r"weight debe tener un valor por clase, forma \(4,\)"):
        F.cross_entropy(x, leaf(np.array([0, 1, 2])), weight=leaf(np.ones(3)))
    with pytest.raises(ValueError, match="misma forma|la forma de la entrada"):
        F.cross_entropy(x, leaf(np.zeros((3, 5))))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, leaf(np.array([0, 1, 2])), label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="media")


# --------------------------------------------------------------------------------------
# pérdidas elemento a elemento
# --------------------------------------------------------------------------------------
def _pos(shape):
    return rng.uniform(0.05, 0.95, shape)


ELEMENTWISE = {
    "mse": (lambda a, b: F.mse_loss(a, b), lambda a, b: TF.mse_loss(a, b), lambda a, b: ((a - b) ** 2).mean()),
    "mse_w": (lambda a, b, w: F.mse_loss(a, b, weight=w, reduction="sum"),
              lambda a, b, w: TF.mse_loss(a, b, weight=w, reduction="sum"), lambda a, b, w: (w * (a - b) ** 2).sum()),
    "l1": (lambda a, b: F.l1_loss(a, b, reduction="none"), lambda a, b: TF.l1_loss(a, b, reduction="none"),
           lambda a, b: np.abs(a - b)),
    "smooth_l1": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), lambda a, b: TF.smooth_l1_loss(a, b, beta=0.5),
                  lambda a, b: np.mean(np.where(np.abs(a - b) < 0.5, 0.5 * (a - b) ** 2 / 0.5, np.abs(a - b) - 0.25))),
    "smooth_l1_beta0": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.0), lambda a, b: TF.smooth_l1_loss(a, b, beta=0.0),
                        lambda a, b: np.mean(np.abs(a - b))),
    "huber": (lambda a, b: F.huber_loss(a, b, delta=0.7, reduction="sum"),
              lambda a, b: TF.huber_loss(a, b, delta=0.7, reduction="sum"),
              lambda a, b: np.sum(np.where(np.abs(a - b) < 0.7, 0.5 * (a - b) ** 2, 0.7 * (np.abs(a - b) - 0.35)))),
    "bce": (lambda p, t: F.binary_cross_entropy(p, t), lambda p, t: TF.binary_cross_entropy(p, t),
            lambda p, t: -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))),
    "bce_w": (lambda p, t, w: F.binary_cross_entropy(p, t, weight=w, reduction="none"),
              lambda p, t, w: TF.binary_cross_entropy(p, t, weight=w, reduction="none"),
              lambda p, t, w: -w * (t * np.log(p) + (1 - t) * np.log(1 - p))),
    "bce_logits": (lambda z, t: F.binary_cross_entropy_with_logits(z, t),
                   lambda z, t: TF.binary_cross_entropy_with_logits(z, t),
                   lambda z, t: np.mean(np.log1p(np.exp(-z)) + (1 - t) * z)),
    "bce_logits_pos": (lambda z, t, pw: F.binary_cross_entropy_with_logits(z, t, pos_weight=pw, reduction="sum"),
                       lambda z, t, pw: TF.binary_cross_entropy_with_logits(z, t, pos_weight=pw, reduction="sum"),
                       lambda z, t, pw: np.sum((1 - t) * z + ((pw - 1) * t + 1) * np.log1p(np.exp(-z)))),
    "kl_batchmean": (lambda lp, t: F.kl_div(lp, t, reduction="batchmean"),
                     lambda lp, t: TF.kl_div(lp, t, reduction="batchmean"),
                     lambda lp, t: np.sum(np.where(t > 0, t * (np.log(np.where(t > 0, t, 1)) - lp), 0)) / len(lp)),
    "kl_log_target": (lambda lp, t: F.kl_div(lp, t, reduction="sum", log_target=True),
                      lambda lp, t: TF.kl_div(lp, t, reduction="sum", log_target=True),
                      lambda lp, t: np.sum(np.exp(t) * (t - lp))),
}


def _inputs(name, shape):
    if name.startswith("bce") and "logits" not in name:
        # objetivos dentro de (0, 1): las diferencias finitas respecto del objetivo no salen de [0, 1]
        # (PyTorch, como tinygrad_es, rechaza un objetivo fuera)
        arrays = [_pos(shape), rng.uniform(0.05, 0.95, shape)]
    elif "logits" in name:
        arrays = [rng.standard_normal(shape) * 3, rng.uniform(0, 1, shape)]
    elif name.startswith("kl"):
        p = rng.dirichlet(np.ones(shape[-1]), size=shape[0])
        t = rng.dirichlet(np.ones(shape[-1]), size=shape[0])
        t[0, 0] = 0.0  # 0·log 0 = 0
        arrays = [np.log(p), np.log(t + 1e-3) if "log_target" in name else t]
    else:
        a, b = rng.standard_normal(shape), rng.standard_normal(shape)
        d = a - b
        b = np.where(np.abs(np.abs(d) - 0.5) < 0.05, b + 0.2, b)  # lejos de los puntos no derivables
        b = np.where(np.abs(np.abs(a - b) - 0.7) < 0.05, b + 0.2, b)
        b = np.where(np.abs(a - b) < 0.05, b + 0.2, b)
        arrays = [a, b]
    if name.endswith("_w"):
        arrays.append(rng.uniform(0.5, 2.0, shape))
    if name.endswith("_pos"):
        arrays.append(rng.uniform(0.5, 3.0, shape[-1:]))
    return arrays


@given(st.sampled_from(sorted(ELEMENTWISE)), st.sampled_from([(4,), (3, 5), (2, 3, 4)]))
def test_elementwise_losses(name, shape):
    ours, ref, slow = ELEMENTWISE[name]
    arrays = _inputs(name, shape)
    diff = (0, 1) if not name.startswith("kl") or "log_target" in name else (0,)
    compare(ours, ref, arrays, diff, slow=slow)
    gc(ours, arrays, diff)


def test_loss_modules_and_buffers():
    w = leaf(np.array([1.0, 2.0, 0.5]))
    crit = nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)
    assert "weight" in crit.state_dict() and crit.weight is w
    x, y = leaf(rng.standard_normal((4, 3))), leaf(np.array([0, 2, 1, 2]))
    np.testing.assert_allclose(crit(x, y).item(), F.cross_entropy(x, y, weight=w, label_smoothing=0.1).item())
    bce = nn.BCEWithLogitsLoss(pos_weight=leaf(np.array([2.0, 1.0, 3.0])))
    assert set(bce.state_dict()) == {"pos_weight"}
    assert nn.MSELoss(reduction="sum")(x, x * 0).item() == pytest.approx(float((x.numpy() ** 2).sum()))
    for mod, fn in [(nn.L1Loss(), F.l1_loss), (nn.SmoothL1Loss(beta=0.3), lambda a, b: F.smooth_l1_loss(a, b, beta=0.3)),
                    (nn.HuberLoss(delta=0.4), lambda a, b: F.huber_loss(a, b, delta=0.4)),
                    (nn.KLDivLoss(reduction="batchmean"), lambda a, b: F.kl_div(a, b, reduction="batchmean"))]:
        a, b = leaf(rng.standard_normal((3, 3))), leaf(rng.uniform(0.1, 1, (3, 3)))
        assert mod(a, b).item() == pytest.approx(fn(a, b).item())
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(a, b)
    with pytest.warns(UserWarning, match=r"\(3, 1\) y el objetivo \(3,\)"):  # como PyTorch: avisa y hace broadcasting
        assert nn.MSELoss(reduction="none")(leaf(np.zeros((3, 1))), leaf(np.zeros(3))).shape == (3, 3)
    with pytest.raises(ValueError, match="probabilidad en \\[0, 1\\]"):
        nn.BCELoss()(leaf(np.array([1.5])), leaf(np.array([1.0])))


@pytest.mark.parametrize("dim, shapes", [(1, ((4, 5), (4, 5))), (0, ((3,), (3,))), (-1, ((2, 3, 4), (1, 3, 4))),
                                         (1, ((2, 3), (2, 3)))])
def test_cosine_similarity_and_distance(dim, shapes):
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])

    def slow(x, y):
        x, y = np.broadcast_arrays(x, y)
        n1 = np.maximum(np.sqrt((x * x).sum(dim, keepdims=True)), 1e-8)
        n2 = np.maximum(np.sqrt((y * y).sum(dim, keepdims=True)), 1e-8)
        return ((x / n1) * (y / n2)).sum(dim)
    compare(lambda x, y: F.cosine_similarity(x, y, dim), lambda x, y: TF.cosine_similarity(x, y, dim), [a, b], (0, 1),
            slow=slow)
    gc(lambda x, y: F.cosine_similarity(x, y, dim), [a, b], (0, 1))
    np.testing.assert_allclose(nn.CosineSimilarity(dim)(leaf(a), leaf(b)).numpy(), slow(a, b), rtol=1e-12)
    if a.ndim == 2 and a.shape == b.shape:
        compare(lambda x, y: F.pairwise_distance(x, y), lambda x, y: TF.pairwise_distance(x, y), [a, b], (0, 1),
                slow=lambda x, y: np.sqrt(((x - y + 1e-6) ** 2).sum(-1)))
    z = leaf(np.zeros((2, 3)), True)  # vector nulo: coseno 0 y gradiente finito, como PyTorch
    F.cosine_similarity(z, leaf(np.ones((2, 3)))).sum().backward()
    assert np.all(np.isfinite(z.grad.numpy()))


def test_normalize_uses_linalg_vector_norm_like_torch():
    """La norma L2 de ``F.normalize`` y las distancias es ``linalg.vector_norm``: entero → RuntimeError
    y un nan da gradiente nan en su fila (como PyTorch); dim admite una tupla."""
    with pytest.raises(RuntimeError, match="coma flotante"):
        F.normalize(tg.tensor([1, 2]), dim=0)
    a = np.array([[np.nan, 1.0], [3.0, 4.0], [0.0, 0.0]])
    x = leaf(a, True)
    F.normalize(x, dim=1).sum().backward()
    g = x.grad.numpy()
    assert np.all(np.isnan(g[0])) and np.all(np.isfinite(g[1:]))
    if torch is not None:
        xt = torch.tensor(a, requires_grad=True)
        TF.normalize(xt, dim=1).sum().backward()
        np.testing.assert_allclose(g, xt.grad.numpy(), rtol=1e-12, equal_nan=True)
        b = rng.standard_normal((2, 3, 4))
        np.testing.assert_allclose(F.normalize(leaf(b), dim=(1, 2)).numpy(), TF.normalize(torch.tensor(b), dim=(1, 2)).numpy(),
                                   rtol=1e-12)


def test_cross_entropy_and_nll_refuse_non_long_class_labels_like_torch():
    import tinygrad_es as T
    import tinygrad_es.nn.functional as TF
    x = T.randn(3, 4)
    for bad in (T.tensor([0., 1., 2.]), T.tensor([0, 1, 2], dtype=T.int32), T.tensor([True, False, True]),
                np.array([0., 1., 2.])):
        for fn in (TF.cross_entropy, TF.nll_loss, T.nn.CrossEntropyLoss()):
            with pytest.raises(RuntimeError, match="int64 \\(torch.long\\) o uint8"):
                fn(x, bad)
    with pytest.raises(RuntimeError, match="probabilidades por clase y debe ser de coma flotante"):
        TF.cross_entropy(x, T.tensor([[0, 1, 0, 0]] * 3))
    ok = [TF.cross_entropy(x, t).item() for t in (T.tensor([0, 1, 2]), T.tensor([0, 1, 2], dtype=T.uint8),
                                                   np.array([0, 1, 2], dtype=np.int32), [0, 1, 2])]
    assert max(ok) == min(ok)
