"""Pérdidas con margen, de embeddings y de verosimilitud (``nn/functional/margin_loss.py``)."""
import math

import numpy as np
import pytest

import tinygrad_es as tg
from tinygrad_es import nn
from tinygrad_es.nn import functional as F
from helpers import check

rng = np.random.default_rng(0)
X1, X2, X3 = (rng.standard_normal((4, 3)) for _ in range(3))
Y = np.array([1.0, -1.0, 1.0, -1.0])


def test_values_against_formulas():
    T = tg.tensor
    assert np.isclose(F.soft_margin_loss(T(X1), T(np.sign(X2))).item(), np.log1p(np.exp(-X1 * np.sign(X2))).mean())
    a, b = X1[:, 0], X2[:, 0]
    assert np.isclose(F.margin_ranking_loss(T(a), T(b), T(Y), margin=0.3).item(),
                      np.maximum(0, -Y * (a - b) + 0.3).mean())
    d = np.abs(a)
    ref = np.where(Y == 1, d, np.maximum(0, 1.0 - d))
    assert np.allclose(F.hinge_embedding_loss(T(d), T(Y), reduction="none").numpy(), ref)
    cos = (X1 * X2).sum(1) / np.sqrt((X1 ** 2).sum(1) * (X2 ** 2).sum(1))
    assert np.isclose(F.cosine_embedding_loss(T(X1), T(X2), T(Y), margin=0.1).item(),
                      np.where(Y == 1, 1 - cos, np.maximum(0, cos - 0.1)).mean())
    dp = np.linalg.norm(X1 - X2 + 1e-6, axis=1)
    dn = np.linalg.norm(X1 - X3 + 1e-6, axis=1)
    assert np.isclose(F.triplet_margin_loss(T(X1), T(X2), T(X3)).item(), np.maximum(0, 1 + dp - dn).mean())
    y01 = (X2 > 0).astype(float)
    ls = lambda z: -np.log1p(np.exp(-z))  # noqa: E731
    ref = -(y01 * ls(X1) + (1 - y01) * ls(-X1)).mean(1).mean()
    assert np.isclose(F.multilabel_soft_margin_loss(T(X1), T(y01)).item(), ref)
    lam = np.abs(X2) + 0.5
    assert np.isclose(F.poisson_nll_loss(T(X1), T(lam)).item(), (np.exp(X1) - lam * X1).mean())
    var = np.abs(X3) + 0.1
    ref = 0.5 * (np.log(var) + (X1 - X2) ** 2 / var) + 0.5 * math.log(2 * math.pi)
    assert np.isclose(F.gaussian_nll_loss(T(X1), T(X2), T(var), full=True).item(), ref.mean())
    assert F.gaussian_nll_loss(T(X1), T(X2), T(var[:, 0]), reduction="none").shape == (4, 3)  # var sin el último eje


def test_errors_and_modules():
    with pytest.raises(RuntimeError, match="target"):
        F.soft_margin_loss(tg.ones(2), tg.ones(2, requires_grad=True))
    with pytest.raises(ValueError, match="margin"):
        F.triplet_margin_loss(tg.ones(2, 3), tg.ones(2, 3), tg.ones(2, 3), margin=-1.0)
    with pytest.raises(ValueError, match="negativos"):
        F.gaussian_nll_loss(tg.ones(3), tg.ones(3), -tg.ones(3))
    with pytest.raises(ValueError, match="forma incorrecta"):
        F.gaussian_nll_loss(tg.ones(3, 2), tg.ones(3, 2), tg.ones(2))
    with pytest.raises(ValueError, match="reduction"):
        F.soft_margin_loss(tg.ones(2), tg.ones(2), reduction="media")
    x = tg.tensor(X1)
    for crit, args in [(nn.SoftMarginLoss(), (x, tg.tensor(np.sign(X2)))),
                       (nn.MarginRankingLoss(0.1), (x[:, 0], tg.tensor(X2[:, 0]), tg.tensor(Y))),
                       (nn.HingeEmbeddingLoss(), (x.abs()[:, 0], tg.tensor(Y))),
                       (nn.CosineEmbeddingLoss(), (x, tg.tensor(X2), tg.tensor(Y))),
                       (nn.TripletMarginLoss(swap=True), (x, tg.tensor(X2), tg.tensor(X3))),
                       (nn.MultiLabelSoftMarginLoss(), (x, tg.tensor((X2 > 0).astype(float)))),
                       (nn.PoissonNLLLoss(full=True), (x, tg.tensor(np.abs(X2) * 3))),
                       (nn.GaussianNLLLoss(), (x, tg.tensor(X2), tg.ones(4, 3)))]:
        assert crit(*args).ndim == 0


def test_gradients():
    check(lambda a: F.soft_margin_loss(a, tg.tensor(np.sign(X2))), X1)
    check(lambda a, b: F.cosine_embedding_loss(a, b, tg.tensor(Y)), X1, X2)
    check(lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=5.0, swap=True), X1, X2, X3)
    check(lambda a: F.multilabel_soft_margin_loss(a, tg.tensor((X2 > 0).astype(float))), X1)
    check(lambda a, y: F.poisson_nll_loss(a, y, full=True), X1, np.abs(X2) * 3)
    check(lambda a, b, v: F.gaussian_nll_loss(a, b, v), X1, X2, np.abs(X3) + 0.5)


def test_same_as_pytorch():
    torch = pytest.importorskip("torch")
    cases = [("soft_margin_loss", (X1, np.sign(X2)), {}),
             ("margin_ranking_loss", (X1[:, 0], X2[:, 0], Y), {"margin": 0.2}),
             ("hinge_embedding_loss", (np.abs(X1[:, 0]), Y), {"margin": 0.7}),
             ("cosine_embedding_loss", (X1, X2, Y), {"margin": -0.2}),
             ("triplet_margin_loss", (X1, X2, X3), {"p": 1, "swap": True}),
             ("multilabel_soft_margin_loss", (X1, (X2 > 0).astype(float)), {}),
             ("poisson_nll_loss", (X1, np.abs(X2) * 3), {"full": True}),
             ("poisson_nll_loss", (np.abs(X1) + 0.1, np.abs(X2)), {"log_input": False}),
             ("gaussian_nll_loss", (X1, X2, np.abs(X3)), {"full": True, "eps": 0.3})]
    for name, args, kw in cases:
        grad = [not (name == "soft_margin_loss" and i == 1) for i in range(len(args))]  # torch lo prohíbe
        ours = [tg.tensor(a, requires_grad=g) for a, g in zip(args, grad)]
        theirs = [torch.tensor(a, requires_grad=g) for a, g in zip(args, grad)]
        yo = getattr(F, name)(*ours, **kw)
        yt = getattr(torch.nn.functional, name)(*theirs, **kw)
        assert np.isclose(yo.item(), yt.item()), name
        yo.backward()
        yt.backward()
        for a, b in zip(ours, theirs):
            ga = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
            gb = np.zeros(tuple(b.shape)) if b.grad is None else b.grad.numpy()
            assert np.allclose(ga, gb), name
