"""Métricas (casos calculados a mano y, si está, contra scikit-learn) y bucle de entrenamiento."""
import json
import math
import os

import numpy as np
import pytest

import tinygrad_es.nn.functional as F
from tinygrad_es import Generator, manual_seed, metrics as M, nn, optim
from tinygrad_es.data import load_iris, standardize
from tinygrad_es.utils.data import DataLoader, TensorDataset, random_split
from tinygrad_es.train import EarlyStopping, ModelCheckpoint, evaluate, fit, load_state, predict

Y = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
P = np.array([0, 1, 0, 1, 1, 2, 0, 2, 2, 2])


def test_hand_computed_metrics():
    assert M.accuracy(Y, P) == 0.7
    cm = M.confusion_matrix(Y, P)
    np.testing.assert_array_equal(cm, [[2, 1, 0], [0, 2, 1], [1, 0, 3]])
    np.testing.assert_allclose(M.confusion_matrix(Y, P, normalize="true"), cm / cm.sum(1, keepdims=True))
    # precisión por clase: 2/3, 2/3, 3/4; exhaustividad: 2/3, 2/3, 3/4
    np.testing.assert_allclose(M.precision(Y, P, average=None), [2 / 3, 2 / 3, 3 / 4])
    np.testing.assert_allclose(M.recall(Y, P, average=None), [2 / 3, 2 / 3, 3 / 4])
    assert M.f1_score(Y, P) == pytest.approx(np.mean([2 / 3, 2 / 3, 3 / 4]))
    assert M.per_class_error_rate(Y, P) == pytest.approx({0: 1 / 3, 1: 1 / 3, 2: 1 / 4})
    assert M.top_k_confusions(Y, P, 2) == [(0, 1, 1), (1, 2, 1)]
    rep = M.classification_report(Y, P, target_names=["cero", "uno", "dos"])
    assert "precisión" in rep and "media macro" in rep and "cero" in rep


def test_roc_auc_hand_case():
    y = np.array([0, 0, 1, 1])
    s = np.array([[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]])
    # clase 1: positivos 0.35, 0.8 frente a negativos 0.1, 0.4 -> 3 de 4 pares bien ordenados
    np.testing.assert_allclose(M.roc_auc_ovr(y, s, average=None), [0.75, 0.75])
    ties = np.array([[0.5, 0.5]] * 4)
    assert M.roc_auc_ovr(y, ties) == 0.5


def test_mcnemar_hand_case():
    y = np.zeros(30, int)
    a = np.zeros(30, int); a[:10] = 1          # A falla 10
    b = np.zeros(30, int); b[8:10] = 1; b[20:22] = 1  # B falla 4: 2 compartidos
    # b (B acierta, A falla) = 8; c (A acierta, B falla) = 2 -> (|8-2|-1)²/10 = 2.5
    chi2, p = M.mcnemar(y, a, b)
    assert chi2 == pytest.approx(2.5)
    assert p == pytest.approx(math.erfc(math.sqrt(1.25)))
    assert M.mcnemar(y, a, a) == (0.0, 1.0)


def test_mcnemar_explain_says_who_is_better_only_when_significant():
    y = np.zeros(200, int)
    a = np.zeros(200, int); a[:40] = 1                  # A falla 40
    b = np.zeros(200, int); b[:5] = 1; b[100:102] = 1   # B falla 7: b = 35, c = 2
    text = M.mcnemar_explain(y, a, b, "el MLP", "la CNN")
    assert text.startswith("McNemar, la CNN frente al MLP en las mismas 200 muestras")
    assert "la CNN acierta 35 que el MLP falla y el MLP acierta 2" in text
    assert "es significativa" in text and "la CNN es mejor que el MLP" in text and "96.5 %" in text
    # con los papeles cambiados, el mismo veredicto
    assert "la CNN es mejor que el MLP" in M.mcnemar_explain(y, b, a, "la CNN", "el MLP")
    # 6 frente a 4: no significativo, y no lo presenta como prueba de igualdad ni de mejora
    b2 = np.zeros(200, int); b2[:34] = 1; b2[100:104] = 1  # b = 6, c = 4
    text = M.mcnemar_explain(y, a, b2, "el MLP", "la CNN")
    assert "no es significativa" in text and "es mejor que" not in text and "tampoco que sean iguales" in text
    assert "nada que comparar" in M.mcnemar_explain(y, a, a)


def test_against_sklearn_if_available():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 300)
    p = np.where(rng.random(300) < 0.6, y, rng.integers(0, 5, 300))
    s = rng.random((300, 5)) + np.eye(5)[y]
    s /= s.sum(1, keepdims=True)
    assert M.precision(y, p) == pytest.approx(sk.precision_score(y, p, average="macro"))
    assert M.recall(y, p) == pytest.approx(sk.recall_score(y, p, average="macro"))
    assert M.f1_score(y, p, average="weighted") == pytest.approx(sk.f1_score(y, p, average="weighted"))
    assert M.roc_auc_ovr(y, s) == pytest.approx(sk.roc_auc_score(y, s, multi_class="ovr"))
    np.testing.assert_array_equal(M.confusion_matrix(y, p), sk.confusion_matrix(y, p))


def test_metric_errors():
    with pytest.raises(ValueError, match="deben coincidir"):
        M.accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="forma"):
        M.roc_auc_ovr([0, 1], [0.2, 0.3])


def _iris_loaders():
    X, y = load_iris()
    ds = TensorDataset(X, y)
    g = Generator().manual_seed(0)
    tr, va = random_split(ds, [0.8, 0.2], generator=g)
    (Xtr, Xva), _ = standardize(X[tr.indices], X[va.indices])
    return (DataLoader(TensorDataset(Xtr, y[tr.indices]), 16, shuffle=True, generator=g),
            DataLoader(TensorDataset(Xva, y[va.indices]), 64), Xva, y[va.indices])


def test_fit_iris_history_log_and_checkpoint(tmp_path):
    manual_seed(0)
    tr, va, Xva, yva = _iris_loaders()
    model = nn.Sequential(nn.Linear(4, 10), nn.Sigmoid(), nn.Linear(10, 3))
    opt = optim.Adam(model.parameters(), lr=0.05)
    ck = ModelCheckpoint(str(tmp_path / "best.npz"), monitor="val_acc")
    log = str(tmp_path / "run.json")
    hist = fit(model, F.cross_entropy, opt, tr, va, epochs=30, callbacks=[ck], log_path=log,
               progress=False, verbose=False)
    assert len(hist["loss"]) == 30 and hist["loss"][-1] < hist["loss"][0] / 3
    assert hist["val_acc"][-1] >= 0.9
    saved = json.load(open(log))
    assert saved["val_acc"] == hist["val_acc"]
    assert os.path.exists(tmp_path / "best.npz") and ck.saved_epochs
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")]
    st = load_state(str(tmp_path / "best.npz"))
    assert set(st) == set(model.state_dict())
    ev = evaluate(model, va, F.cross_entropy)
    assert ev["acc"] == pytest.approx(hist["val_acc"][-1])
    out = predict(model, Xva, batch_size=7)
    assert out.shape == (len(Xva), 3) and M.accuracy(yva, out.argmax(1)) == pytest.approx(ev["acc"])
    assert model.training  # predict/evaluate restauran el modo
    hist.to_csv(str(tmp_path / "run.csv"))
    assert open(tmp_path / "run.csv").readline().startswith("epoch,loss,acc")


def test_early_stopping_restores_best():
    manual_seed(0)
    tr, va, _, _ = _iris_loaders()
    model = nn.Sequential(nn.Linear(4, 3))
    opt = optim.SGD(model.parameters(), lr=0.0)  # no aprende: la pérdida no mejora nunca
    es = EarlyStopping(patience=2)
    hist = fit(model, F.cross_entropy, opt, tr, va, epochs=20, callbacks=[es], progress=False, verbose=False)
    assert len(hist["loss"]) == 3 and es.stopped_epoch == 3 and es.best_epoch == 1
    with pytest.raises(KeyError, match="val_loss"):
        fit(model, F.cross_entropy, opt, tr, None, epochs=1, callbacks=[EarlyStopping()], progress=False,
            verbose=False)


def test_fit_detects_divergence():
    X = np.random.default_rng(0).normal(0, 1, (32, 2)).astype(np.float32)
    yv = (X @ np.array([3.0, -2.0], np.float32))[:, None] * 1e3
    model = nn.Linear(2, 1)
    with pytest.raises(FloatingPointError, match="tasa de aprendizaje"):
        fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=10.0), (X, yv), epochs=50,
            progress=False, verbose=False)


def test_inference_time():
    model = nn.Linear(4, 2)
    t = M.inference_time_per_sample(model, np.zeros((100, 4), np.float32))
    assert 0 < t < 0.01
