"""Gráficas de los apuntes con matplotlib (extra ``viz``). Cada función devuelve una
``Figure`` y, con ``path=``, la guarda. Funcionan sin pantalla (backend Agg)."""
from __future__ import annotations

import numpy as np

from .interpret import feature_maps, grad_cam, saliency_map

__all__ = ["gradient_descent_1d", "gradient_descent_2d", "learning_curves", "lr_comparison", "conv_filters",
           "feature_map_grid", "activations_per_class", "saliency_plot", "grad_cam_plot",
           "confusion_matrix_plot", "roc_curves"]


def _plt():
    import matplotlib
    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg")
        except Exception:  # pragma: no cover
            pass
    import matplotlib.pyplot as plt
    return plt


def _done(fig, path):
    fig.tight_layout()
    if path:
        fig.savefig(path, dpi=120)
    return fig


def gradient_descent_1d(x0: float = 4.0, lr: float = 0.3, steps: int = 10, path=None):
    """Descenso del gradiente en f(x) = ½x² (f'(x) = x) desde ``x0``."""
    plt = _plt()
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * xs[-1])
    xs = np.array(xs)
    grid = np.linspace(-abs(x0) * 1.2, abs(x0) * 1.2, 200)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(grid, 0.5 * grid ** 2, label="f(x) = ½x²")
    ax.plot(xs, 0.5 * xs ** 2, "o-", color="C3", label=f"pasos (η = {lr})")
    ax.set_xlabel("x"); ax.set_ylabel("f(x)"); ax.legend()
    ax.set_title("Descenso del gradiente en 1-D")
    return _done(fig, path)


def gradient_descent_2d(start=(-1.5, 2.0), lr: float = 0.2, steps: int = 15, path=None):
    """Descenso del gradiente en f(x, y) = ½((x − 1)² + y²) sobre sus curvas de nivel."""
    plt = _plt()
    p = np.array(start, dtype=float)
    path_pts = [p.copy()]
    for _ in range(steps):
        p = p - lr * np.array([p[0] - 1, p[1]])
        path_pts.append(p.copy())
    pts = np.array(path_pts)
    X, Y = np.meshgrid(np.linspace(-2.5, 3, 200), np.linspace(-2.5, 2.5, 200))
    Z = 0.5 * ((X - 1) ** 2 + Y ** 2)
    fig, ax = plt.subplots(figsize=(6, 5))
    cs = ax.contour(X, Y, Z, levels=15, cmap="viridis")
    ax.clabel(cs, fontsize=7)
    ax.plot(pts[:, 0], pts[:, 1], "o-", color="C3", label=f"pasos (η = {lr})")
    ax.plot([1], [0], "k*", ms=12, label="mínimo (1, 0)")
    ax.set_xlabel("x"); ax.set_ylabel("y"); ax.legend()
    ax.set_title("Descenso del gradiente en 2-D")
    return _done(fig, path)


def learning_curves(history: dict, path=None, title="Curvas de aprendizaje"):
    """Pérdida y exactitud por época (entrenamiento y validación) de un ``History``."""
    plt = _plt()
    has_acc = any(v is not None for v in history.get("acc", []))
    fig, axes = plt.subplots(1, 2 if has_acc else 1, figsize=(10 if has_acc else 5, 4))
    axes = np.atleast_1d(axes)
    ep = np.arange(1, len(history["loss"]) + 1)
    axes[0].plot(ep, history["loss"], label="entrenamiento")
    if history.get("val_loss"):
        axes[0].plot(ep, history["val_loss"], label="validación")
    axes[0].set_xlabel("época"); axes[0].set_ylabel("pérdida"); axes[0].legend()
    if has_acc:
        axes[1].plot(ep, [100 * a for a in history["acc"]], label="entrenamiento")
        if history.get("val_acc"):
            axes[1].plot(ep, [100 * a for a in history["val_acc"]], label="validación")
        axes[1].set_xlabel("época"); axes[1].set_ylabel("exactitud (%)"); axes[1].legend()
    fig.suptitle(title)
    return _done(fig, path)


def lr_comparison(curves: dict, path=None, ylabel="error (MSE)", title="Tasa de aprendizaje"):
    """Curvas de error por tasa de aprendizaje: ``{"η = 10": [...], "η = 0.5": [...]}``."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    for k, v in curves.items():
        ax.plot(np.arange(1, len(v) + 1), v, label=str(k))
    ax.set_xlabel("época"); ax.set_ylabel(ylabel); ax.set_title(title); ax.legend()
    return _done(fig, path)


def _grid(maps, n, title, cmap="viridis"):
    plt = _plt()
    n = min(n, len(maps))
    cols = min(8, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.6 * cols, 1.6 * rows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(maps[i], cmap=cmap)
            ax.set_title(str(i), fontsize=7)
    fig.suptitle(title)
    return fig


def conv_filters(layer, n: int = 16, path=None):
    """Los primeros ``n`` filtros de una ``Conv2d`` (primer canal de entrada) como mapas de calor."""
    w = layer.weight._data
    return _done(_grid(w[:, 0], n, f"Filtros de {type(layer).__name__} {tuple(w.shape)}", cmap="coolwarm"), path)


def feature_map_grid(model, x, n: int = 16, path=None, layers=None):
    """Mapas de activación de cada capa convolucional (primeros ``n`` canales) para una imagen.
    Devuelve una figura por capa (lista) y, con ``path`` = "mapas.png", guarda ``mapas_<capa>.png``."""
    maps = feature_maps(model, x[:1] if np.asarray(getattr(x, "data", x)).ndim == 4 else x, layers)
    figs = []
    for name, a in maps.items():
        fig = _grid(a[0], n, f"Mapas de activación: {name} {tuple(a.shape[1:])}")
        figs.append(fig)
        if path:
            root, ext = str(path).rsplit(".", 1)
            _done(fig, f"{root}_{name}.{ext}")
    return figs


def activations_per_class(model, X, y, layer, n_classes=10, path=None):
    """Activación media de ``layer`` (media espacial por canal) para cada clase."""
    plt = _plt()
    maps = feature_maps(model, X, {"capa": layer})["capa"]
    per = maps.reshape(len(maps), maps.shape[1], -1).mean(-1)
    y = np.asarray(y)
    M = np.stack([per[y == c].mean(0) if np.any(y == c) else np.zeros(per.shape[1]) for c in range(n_classes)])
    fig, ax = plt.subplots(figsize=(8, 4))
    im = ax.imshow(M, aspect="auto", cmap="magma")
    ax.set_xlabel("canal"); ax.set_ylabel("clase")
    ax.set_title("Activación media por clase")
    fig.colorbar(im, ax=ax)
    return _done(fig, path)


def saliency_plot(model, x, target=None, path=None):
    """Imagen y su mapa de saliencia |∂S_c/∂I| lado a lado."""
    plt = _plt()
    img = np.asarray(getattr(x, "data", x))
    sal = saliency_map(model, img[:1] if img.ndim == 4 else img, target)[0]
    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    axes[0].imshow(img.reshape(-1, *img.shape[-2:])[0], cmap="gray"); axes[0].set_title("entrada")
    axes[1].imshow(sal, cmap="hot"); axes[1].set_title("saliencia |∂S_c/∂I|")
    for a in axes:
        a.axis("off")
    return _done(fig, path)


def grad_cam_plot(model, x, target=None, layer=None, path=None, alpha=0.5):
    """Grad-CAM de la última capa convolucional superpuesto a la entrada."""
    plt = _plt()
    img = np.asarray(getattr(x, "data", x))
    cam = grad_cam(model, img[:1] if img.ndim == 4 else img, target, layer)[0]
    base = img.reshape(-1, *img.shape[-2:])[0]
    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    axes[0].imshow(base, cmap="gray"); axes[0].set_title("entrada")
    axes[1].imshow(base, cmap="gray"); axes[1].imshow(cam, cmap="jet", alpha=alpha)
    axes[1].set_title("Grad-CAM")
    for a in axes:
        a.axis("off")
    return _done(fig, path)


def confusion_matrix_plot(cm, labels=None, path=None, normalize=False, title="Matriz de confusión"):
    plt = _plt()
    cm = np.asarray(cm, dtype=float)
    if normalize:
        cm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6, 5))
    im = ax.imshow(cm, cmap="Blues")
    n = len(cm)
    labels = labels if labels is not None else list(range(n))
    ax.set_xticks(range(n), labels); ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicha"); ax.set_ylabel("real"); ax.set_title(title)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}", ha="center", va="center",
                    fontsize=7, color="white" if cm[i, j] > cm.max() / 2 else "black")
    fig.colorbar(im, ax=ax)
    return _done(fig, path)


def roc_curves(y_true, scores, path=None, labels=None):
    """Curvas ROC uno-contra-resto por clase, con su AUC."""
    from ..metrics import roc_auc_ovr
    plt = _plt()
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    aucs = roc_auc_ovr(y_true, scores, average=None)
    fig, ax = plt.subplots(figsize=(6, 5))
    for c in range(scores.shape[1]):
        pos = y_true == c
        if not pos.any() or pos.all():
            continue
        order = np.argsort(-scores[:, c], kind="mergesort")
        tp = np.cumsum(pos[order]) / pos.sum()
        fp = np.cumsum(~pos[order]) / (~pos).sum()
        name = labels[c] if labels is not None else c
        ax.plot(np.r_[0, fp], np.r_[0, tp], label=f"{name} (AUC {aucs[c]:.3f})")
    ax.plot([0, 1], [0, 1], "k--", lw=0.8)
    ax.set_xlabel("tasa de falsos positivos"); ax.set_ylabel("tasa de verdaderos positivos")
    ax.set_title("Curvas ROC (uno contra resto)"); ax.legend(fontsize=7)
    return _done(fig, path)
