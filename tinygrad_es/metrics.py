"""Métricas de clasificación de los apuntes (§5.2 del TFG), con los nombres y el
orden de argumentos de scikit-learn: ``metrica(y_true, y_pred)``."""
from __future__ import annotations

import math
import time

import numpy as np

from ._tensor import Tensor
from ._validate import choice, integer
from .train import predict

__all__ = ["accuracy", "precision", "recall", "f1_score", "confusion_matrix", "roc_auc_ovr", "mcnemar",
           "mcnemar_explain", "top_k_confusions", "per_class_error_rate", "inference_time_per_sample",
           "classification_report"]


def _a(x):
    x = x._data if isinstance(x, Tensor) else np.asarray(x)
    return x


def _labels(y_true, y_pred, labels=None):
    if labels is not None:
        return np.asarray(labels)
    return np.union1d(np.unique(y_true), np.unique(y_pred))


def _check(y_true, y_pred):
    y_true, y_pred = _a(y_true).ravel(), _a(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true tiene {y_true.size} elementos e y_pred {y_pred.size}; deben coincidir")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """Exactitud = aciertos / total."""
    y_true, y_pred = _check(y_true, y_pred)
    return float(np.mean(y_true == y_pred)) if y_true.size else 0.0


def confusion_matrix(y_true, y_pred, normalize=None, labels=None) -> np.ndarray:
    """Matriz C[i, j] = nº de muestras de clase real i predichas como j.
    ``normalize="true"`` divide cada fila por su total (tasas por clase real)."""
    y_true, y_pred = _check(y_true, y_pred)
    labs = _labels(y_true, y_pred, labels)
    idx = {v: i for i, v in enumerate(labs.tolist())}
    cm = np.zeros((len(labs), len(labs)), dtype=np.int64)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        if t in idx and p in idx:
            cm[idx[t], idx[p]] += 1
    if normalize is None:
        return cm
    if normalize == "true":
        s = cm.sum(axis=1, keepdims=True)
    elif normalize == "pred":
        s = cm.sum(axis=0, keepdims=True)
    elif normalize == "all":
        s = cm.sum()
    else:
        raise ValueError(f"normalize debe ser None, 'true', 'pred' o 'all', no {normalize!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(cm / s)


def _prf(y_true, y_pred, labels):
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    tp = np.diag(cm).astype(float)
    pred_pos = cm.sum(axis=0).astype(float)
    real_pos = cm.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(pred_pos > 0, tp / pred_pos, 0.0)   # 0 si no hay predicciones (como sklearn)
        r = np.where(real_pos > 0, tp / real_pos, 0.0)
        f = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    return p, r, f, real_pos, tp


def _avg(values, average, support, tp=None, totals=None):
    if average is None:
        return values
    if average == "macro":
        return float(np.mean(values))
    if average == "weighted":
        return float(np.average(values, weights=support)) if support.sum() else 0.0
    if average == "micro":
        return float(tp.sum() / totals) if totals else 0.0
    raise ValueError(f"average debe ser 'macro', 'weighted', 'micro' o None, no {average!r}")


def precision(y_true, y_pred, average="macro", labels=None):
    """Precisión = VP / (VP + FP) por clase; ``average="macro"`` es su media simple."""
    y_true, y_pred = _check(y_true, y_pred)
    p, _, _, sup, tp = _prf(y_true, y_pred, labels)
    return _avg(p, average, sup, tp, y_pred.size)


def recall(y_true, y_pred, average="macro", labels=None):
    """Exhaustividad (sensibilidad) = VP / (VP + FN) por clase."""
    y_true, y_pred = _check(y_true, y_pred)
    _, r, _, sup, tp = _prf(y_true, y_pred, labels)
    return _avg(r, average, sup, tp, y_true.size)


def f1_score(y_true, y_pred, average="macro", labels=None):
    """F1 = 2·P·R / (P + R) por clase (media armónica)."""
    y_true, y_pred = _check(y_true, y_pred)
    _, _, f, sup, tp = _prf(y_true, y_pred, labels)
    return _avg(f, average, sup, tp, y_true.size)


def _auc_binary(pos_scores, neg_scores) -> float:
    """AUC = P(score positivo > score negativo), empates cuentan 1/2 (Mann-Whitney)."""
    s = np.concatenate([pos_scores, neg_scores])
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n1, n0 = len(pos_scores), len(neg_scores)
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def roc_auc_ovr(y_true, scores, average="macro"):
    """ROC-AUC uno-contra-resto: AUC de cada clase frente a las demás con su columna de
    ``scores`` (probabilidades o logits, N×C) y su media simple (macro)."""
    if average is not None:
        choice(average, ("macro",), "average", "roc_auc_ovr")  # sólo macro (o None: una por clase)
    y_true, scores = _a(y_true).ravel(), _a(scores)
    if scores.ndim != 2 or len(scores) != len(y_true):
        raise ValueError(f"scores debe tener forma (N, C) con N={len(y_true)}; tiene {tuple(scores.shape)}")
    aucs = []
    for c in range(scores.shape[1]):
        pos = y_true == c
        if pos.all() or not pos.any():
            aucs.append(np.nan)
            continue
        aucs.append(_auc_binary(scores[pos, c], scores[~pos, c]))
    aucs = np.array(aucs)
    if average is None:
        return aucs
    if np.all(np.isnan(aucs)):
        raise ValueError("roc_auc_ovr: ninguna clase tiene a la vez positivos y negativos")
    return float(np.nanmean(aucs))


def mcnemar(y_true, pred_a, pred_b, correction: bool = True):
    """Prueba de McNemar entre dos clasificadores sobre las mismas muestras.

    b = aciertos de B que A falla, c = aciertos de A que B falla;
    χ² = (|b − c| − 1)² / (b + c) (con corrección de continuidad), 1 grado de libertad.
    Devuelve ``(chi2, p_valor)``.
    """
    y_true, pred_a = _check(y_true, pred_a)
    _, pred_b = _check(y_true, pred_b)
    a_ok, b_ok = pred_a == y_true, pred_b == y_true
    b = int(np.sum(~a_ok & b_ok))
    c = int(np.sum(a_ok & ~b_ok))
    if b + c == 0:
        return 0.0, 1.0
    num = (abs(b - c) - (1 if correction else 0)) ** 2
    chi2 = max(num, 0) / (b + c)
    p = math.erfc(math.sqrt(chi2 / 2))  # supervivencia de χ² con 1 g.l.
    return float(chi2), float(p)


def mcnemar_explain(y_true, pred_a, pred_b, name_a: str = "A", name_b: str = "B", alpha: float = 0.05) -> str:
    """La prueba de McNemar contada en dos frases: la tabla de discrepancias (``b``, ``c``), χ², p y qué
    significa, sea cual sea el resultado.

    ``p`` es la probabilidad de ver una diferencia entre ``b`` y ``c`` al menos tan grande si los dos
    clasificadores fallaran igual de a menudo; ``p < alpha`` rechaza esa hipótesis (y entonces el que
    tiene más aciertos propios es mejor en esta población), ``p ≥ alpha`` no la rechaza (no demuestra que
    sean iguales: con estas muestras no se distinguen).

    Ejemplo::

        print(mcnemar_explain(y, pred_mlp, pred_cnn, "el MLP", "la CNN"))
    """
    y_true, pred_a = _check(y_true, pred_a)
    _, pred_b = _check(y_true, pred_b)
    a_ok, b_ok = pred_a == y_true, pred_b == y_true
    b, c = int(np.sum(~a_ok & b_ok)), int(np.sum(a_ok & ~b_ok))
    chi2, p = mcnemar(y_true, pred_a, pred_b)
    acc_a, acc_b = float(a_ok.mean()), float(b_ok.mean())
    pct = lambda v: f"{100 * v:.1f} %"
    versus = f"al {name_a[3:]}" if name_a.startswith("el ") else f"a {name_a}"  # "frente al MLP"
    head = (f"McNemar, {name_b} frente {versus} en las mismas {len(y_true)} muestras: {name_b} acierta {b} que "
            f"{name_a} falla y {name_a} acierta {c} que {name_b} falla (χ² = {chi2:.2f}, p = {p:.3g}).")
    if b + c == 0:
        return head + " Aciertan y fallan exactamente las mismas muestras: no hay nada que comparar."
    best, worst = (name_b, name_a) if b > c else (name_a, name_b)
    acc_best, acc_worst = (acc_b, acc_a) if b > c else (acc_a, acc_b)
    if p < alpha:
        return (head + f" Como p < {alpha}, la diferencia es significativa: si los dos fallaran igual de a menudo, "
                f"un reparto tan desigual saldría por azar con probabilidad {p:.2g}; {best} es mejor que {worst} "
                f"({pct(acc_best)} frente a {pct(acc_worst)} de exactitud).")
    return (head + f" Como p ≥ {alpha}, la diferencia no es significativa: {best} acierta más ({pct(acc_best)} "
            f"frente a {pct(acc_worst)}), pero un reparto así sale por azar con facilidad aunque los dos sean "
            f"igual de buenos; con estas muestras no se puede decir cuál es mejor (tampoco que sean iguales).")


def per_class_error_rate(y_true, y_pred, labels=None) -> dict:
    """Tasa de error por clase real: errores de la clase i / ejemplos de la clase i."""
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    labs = _labels(*_check(y_true, y_pred), labels)
    tot = cm.sum(axis=1)
    return {int(l): (float(1 - cm[i, i] / tot[i]) if tot[i] else 0.0) for i, l in enumerate(labs)}


def top_k_confusions(y_true, y_pred, k: int = 5, labels=None) -> list:
    """Las ``k`` confusiones más frecuentes como ``(clase_real, clase_predicha, veces)``."""
    integer(k, "k", "top_k_confusions", low=1)  # k=-1 recortaría la lista en silencio
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    labs = _labels(*_check(y_true, y_pred), labels)
    off = [(int(labs[i]), int(labs[j]), int(cm[i, j])) for i in range(len(labs)) for j in range(len(labs))
           if i != j and cm[i, j] > 0]
    off.sort(key=lambda t: (-t[2], t[0], t[1]))
    return off[:k]


def inference_time_per_sample(model, X, batch_size: int = 256, repeat: int = 1) -> float:
    """Segundos por muestra de ``predict`` (sin gradiente, modo eval), el mejor de ``repeat``."""
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        predict(model, X, batch_size)
        best = min(best, time.perf_counter() - t)
    return best / max(len(X), 1)


def classification_report(y_true, y_pred, target_names=None, digits: int = 3) -> str:
    """Informe por clase (precisión, exhaustividad, F1, soporte) y medias, en español."""
    y_true, y_pred = _check(y_true, y_pred)
    labs = _labels(y_true, y_pred)
    p, r, f, sup, _ = _prf(y_true, y_pred, None)
    names = [str(target_names[i]) if target_names is not None else str(l) for i, l in enumerate(labs)]
    w = max(12, max(len(n) for n in names) + 2)
    head = f"{'':>{w}} {'precisión':>10} {'exhaustiv.':>10} {'F1':>10} {'soporte':>8}"
    lines = [head, ""]
    for n, a, b, c, s in zip(names, p, r, f, sup):
        lines.append(f"{n:>{w}} {a:>10.{digits}f} {b:>10.{digits}f} {c:>10.{digits}f} {int(s):>8}")
    lines.append("")
    tot = int(sup.sum())
    lines.append(f"{'exactitud':>{w}} {'':>10} {'':>10} {accuracy(y_true, y_pred):>10.{digits}f} {tot:>8}")
    lines.append(f"{'media macro':>{w}} {p.mean():>10.{digits}f} {r.mean():>10.{digits}f} {f.mean():>10.{digits}f} {tot:>8}")
    wp, wr, wf = (float(np.average(v, weights=sup)) if tot else 0.0 for v in (p, r, f))
    lines.append(f"{'media pond.':>{w}} {wp:>10.{digits}f} {wr:>10.{digits}f} {wf:>10.{digits}f} {tot:>8}")
    return "\n".join(lines)
