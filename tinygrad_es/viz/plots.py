"""Gráficas de los apuntes con matplotlib (extra ``viz``), pensadas para proyectar en clase:
letra grande, escalas de color compartidas y con barra de color, y rótulos en español.

Cada función devuelve una ``Figure`` y, con ``path=``, la guarda (``dpi=`` elige la
resolución del PNG; 150 por defecto). Funcionan sin pantalla (backend Agg).
"""
from __future__ import annotations

import contextlib
import functools

import numpy as np

from ..metrics import roc_auc_ovr
from .interpret import class_probabilities, feature_maps, grad_cam, saliency_map

__all__ = ["gradient_descent_1d", "gradient_descent_2d", "learning_curves", "lr_comparison", "conv_filters",
           "feature_map_grid", "activations_per_class", "saliency_plot", "grad_cam_plot",
           "confusion_matrix_plot", "roc_curves", "image_rows", "projector_style", "DPI", "attention_map"]

DPI = 150  # un PNG de 10×4 pulgadas sale de 1500×600 px: nítido en un proyector

# tamaños de letra legibles desde el fondo del aula
_STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "xtick.labelsize": 11,
          "ytick.labelsize": 11, "legend.fontsize": 11, "figure.titlesize": 15}


def _plt():
    import matplotlib
    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg")
        except Exception:  # pragma: no cover
            pass
    import matplotlib.pyplot as plt
    return plt


@contextlib.contextmanager
def projector_style():
    """Letra grande para el aula mientras dura el bloque (``matplotlib.rc_context``)."""
    import matplotlib
    _plt()
    interactive = matplotlib.is_interactive()
    try:
        with matplotlib.rc_context(_STYLE):
            yield
            # en Jupyter la primera figura activa el modo interactivo (así se muestran solas);
            # rc_context lo desharía al salir y las figuras siguientes ya no se verían
            interactive = matplotlib.is_interactive()
    finally:
        matplotlib.interactive(interactive)


def _figure(fn):
    """Crea la figura con el estilo de proyección y la guarda si se pasa ``path``."""

    @functools.wraps(fn)
    def wrapper(*args, path=None, dpi: int = DPI, **kwargs):
        with projector_style():
            out = fn(*args, **kwargs)
            for i, fig in enumerate(out if isinstance(out, list) else [out]):
                if path:
                    target = str(path)
                    if isinstance(out, list):  # una figura por capa: mapas.png -> mapas_conv1.png
                        root, ext = target.rsplit(".", 1)
                        target = f"{root}_{fig.get_label()}.{ext}"
                    fig.savefig(target, dpi=dpi)
        return out

    return wrapper


def _integer_epochs(ax, n: int):
    """Épocas enteras en el eje x (nunca 1.25, 1.5...) y margen para que un único punto se vea."""
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    if n <= 10:
        ax.set_xlim(0.5, n + 0.5)


def _markevery(n: int):
    return 1 if n <= 30 else max(1, n // 15)


@_figure
def gradient_descent_1d(x0: float = 4.0, lr: float = 0.3, steps: int = 10):
    """Descenso del gradiente en f(x) = ½x² (f'(x) = x) desde ``x0``."""
    plt = _plt()
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * xs[-1])
    xs = np.array(xs)
    r = float(np.abs(xs).max()) * 1.15  # también si diverge: la parábola cubre todos los pasos
    grid = np.linspace(-r, r, 200)
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    ax.plot(grid, 0.5 * grid ** 2, label="f(x) = ½x²")
    ax.plot(xs, 0.5 * xs ** 2, "o-", color="C3", label=f"pasos (η = {lr})")
    ax.set_xlabel("x"); ax.set_ylabel("f(x)"); ax.legend()
    ax.set_title("Descenso del gradiente en 1-D")
    return fig


@_figure
def gradient_descent_2d(start=(-1.5, 2.0), lr: float = 0.2, steps: int = 15):
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
    fig, ax = plt.subplots(figsize=(7, 5.5), layout="constrained")
    cs = ax.contour(X, Y, Z, levels=15, cmap="viridis")
    ax.clabel(cs, fontsize=9)
    ax.plot(pts[:, 0], pts[:, 1], "o-", color="C3", label=f"pasos (η = {lr})")
    ax.plot([1], [0], "k*", ms=14, label="mínimo (1, 0)")
    ax.set_xlabel("x"); ax.set_ylabel("y"); ax.legend()
    ax.set_title("Descenso del gradiente en 2-D")
    return fig


@_figure
def learning_curves(history: dict, title="Curvas de aprendizaje", val_label="validación"):
    """Pérdida y exactitud por época (entrenamiento y validación) de un ``History``.
    Cada época es un punto marcado, así que una curva de una sola época también se ve.
    ``val_label`` nombra la segunda curva (p. ej. "test" si se evaluó en el conjunto de test)."""
    plt = _plt()
    has_acc = any(v is not None for v in history.get("acc", []))
    fig, axes = plt.subplots(1, 2 if has_acc else 1, figsize=(11 if has_acc else 6, 4.5), layout="constrained")
    axes = np.atleast_1d(axes)
    n = len(history["loss"])
    ep = np.arange(1, n + 1)
    me = _markevery(n)
    axes[0].plot(ep, history["loss"], "o-", markevery=me, label="entrenamiento")
    if history.get("val_loss"):
        axes[0].plot(ep, history["val_loss"], "s--", markevery=me, label=val_label)
    axes[0].set_xlabel("época"); axes[0].set_ylabel("pérdida"); axes[0].legend()
    if has_acc:
        axes[1].plot(ep, [100 * a for a in history["acc"]], "o-", markevery=me, label="entrenamiento")
        if history.get("val_acc") and any(a is not None for a in history["val_acc"]):
            axes[1].plot(ep, [100 * a for a in history["val_acc"]], "s--", markevery=me, label=val_label)
        axes[1].set_xlabel("época"); axes[1].set_ylabel("exactitud (%)"); axes[1].legend()
    for ax in axes:
        _integer_epochs(ax, n)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig


@_figure
def lr_comparison(curves: dict, ylabel="error (MSE)", title="Tasa de aprendizaje", xlabel="época"):
    """Curvas de error por tasa de aprendizaje: ``{"η = 10": [...], "η = 0.5": [...]}``."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    markers = "osd^v<>p"
    n = max((len(v) for v in curves.values()), default=1)
    for i, (k, v) in enumerate(curves.items()):
        ax.plot(np.arange(1, len(v) + 1), v, marker=markers[i % len(markers)], markevery=_markevery(len(v)),
                label=str(k))
    _integer_epochs(ax, n)
    ax.set_xlabel(xlabel); ax.set_ylabel(ylabel); ax.set_title(title); ax.legend(); ax.grid(alpha=0.3)
    return fig


def _grid_axes(n, cols=8, size=1.7, extra_h=0.9):
    plt = _plt()
    cols = min(cols, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols + 1.2, size * rows + extra_h), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    return fig, axes


@_figure
def conv_filters(layer, n: int = 16, in_channel: int = 0, title: str | None = None):
    """Los primeros ``n`` filtros de una ``Conv2d`` (canal de entrada ``in_channel``) en una
    escala de color simétrica centrada en cero y común a todos (blanco = 0, rojo > 0,
    azul < 0), con su barra de color."""
    w = layer.weight.detach().numpy().astype(np.float64)
    n = min(n, w.shape[0])
    ws = w[:n, in_channel]
    m = float(np.abs(ws).max()) or 1.0
    fig, axes = _grid_axes(n)
    im = None
    for i, ax in enumerate(axes.flat[:n]):
        im = ax.imshow(ws[i], cmap="RdBu_r", vmin=-m, vmax=m)
        ax.set_title(f"filtro {i}", fontsize=10)
    fig.colorbar(im, ax=axes, shrink=0.8, label="peso")
    k = "×".join(str(s) for s in w.shape[2:])
    fig.suptitle(title or f"{n} de los {w.shape[0]} filtros {k} (canal de entrada {in_channel})")
    return fig


@_figure
def feature_map_grid(model, x, n: int = 16, layers=None, activation: str | None = "relu"):
    """Mapas de activación de cada capa convolucional (primeros ``n`` canales) para una imagen,
    tras la ReLU (``activation="relu"``; ``None`` muestra la salida de la convolución) y en
    una escala común a todos los canales de la capa, con su barra de color.
    Devuelve una figura por capa (lista); con ``path="mapas.png"`` guarda ``mapas_<capa>.png``."""
    x1 = x[:1] if np.asarray(getattr(x, "data", x)).ndim == 4 else x
    maps = feature_maps(model, x1, layers)
    figs = []
    for name, a in maps.items():
        a = np.asarray(a[0], dtype=np.float64)
        if activation == "relu":
            a = np.maximum(a, 0.0)
        k = min(n, a.shape[0])
        lo, hi = (0.0, float(a[:k].max()) or 1.0) if activation == "relu" else (float(a[:k].min()),
                                                                                 float(a[:k].max()))
        fig, axes = _grid_axes(k)
        im = None
        for i, ax in enumerate(axes.flat[:k]):
            im = ax.imshow(a[i], cmap="viridis", vmin=lo, vmax=hi)
            ax.set_title(f"canal {i}", fontsize=10)
        fig.colorbar(im, ax=axes, shrink=0.8, label="activación")
        what = "tras ReLU" if activation == "relu" else "salida de la convolución"
        fig.suptitle(f"Mapas de activación de {name} {what} ({k} de {a.shape[0]} canales, "
                     f"{a.shape[1]}×{a.shape[2]})")
        fig.set_label(name)
        figs.append(fig)
    return figs


@_figure
def activations_per_class(model, X, y, layer, n_classes=10, activation: str | None = "relu"):
    """Activación media de ``layer`` (media espacial por canal, tras la ReLU salvo
    ``activation=None``) para cada clase."""
    plt = _plt()
    maps = feature_maps(model, X, {"capa": layer})["capa"]
    if activation == "relu":
        maps = np.maximum(maps, 0)
    per = maps.reshape(len(maps), maps.shape[1], -1).mean(-1)
    y = np.asarray(y)
    M = np.stack([per[y == c].mean(0) if np.any(y == c) else np.zeros(per.shape[1]) for c in range(n_classes)])
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    im = ax.imshow(M, aspect="auto", cmap="magma")
    ax.set_xlabel("canal"); ax.set_ylabel("clase")
    ax.set_yticks(range(n_classes))
    ax.set_title("Activación media por clase" + (" (tras ReLU)" if activation == "relu" else ""))
    fig.colorbar(im, ax=ax, label="activación media")
    return fig


def _one(x):
    img = np.asarray(getattr(x, "data", x))
    return (img[:1] if img.ndim == 4 else img), img.reshape(-1, *img.shape[-2:])[0]


def _prediction_title(model, x1, target, labels):
    p = class_probabilities(model, x1)[0]
    c = int(p.argmax())
    name = (lambda k: str(labels[k]) if labels is not None else str(k))
    txt = f"predicción: {name(c)} (p = {100 * p[c]:.1f} %)"
    if target is not None and int(target) != c:
        txt += f"; se explica la clase {name(int(target))} (p = {100 * p[int(target)]:.1f} %)"
    return txt


@_figure
def saliency_plot(model, x, target=None, labels=None):
    """La imagen y su mapa de saliencia (valor absoluto del gradiente de la puntuación de la
    clase respecto de cada píxel), con la clase predicha y su probabilidad."""
    plt = _plt()
    x1, base = _one(x)
    sal = saliency_map(model, x1, target)[0]
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.2), layout="constrained")
    axes[0].imshow(base, cmap="gray"); axes[0].set_title("entrada")
    im = axes[1].imshow(sal, cmap="hot")
    axes[1].set_title(r"saliencia $|\partial S_c / \partial I|$")
    fig.colorbar(im, ax=axes[1], shrink=0.85)
    for a in axes:
        a.axis("off")
    fig.suptitle(_prediction_title(model, x1, target, labels))
    return fig


@_figure
def grad_cam_plot(model, x, target=None, layer=None, alpha=0.5, labels=None):
    """Grad-CAM (por defecto de la última capa convolucional) superpuesto a la entrada,
    con la clase predicha y su probabilidad."""
    plt = _plt()
    x1, base = _one(x)
    cam = grad_cam(model, x1, target, layer)[0]
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.2), layout="constrained")
    axes[0].imshow(base, cmap="gray"); axes[0].set_title("entrada")
    axes[1].imshow(base, cmap="gray")
    im = axes[1].imshow(cam, cmap="jet", alpha=alpha, vmin=0, vmax=1)
    axes[1].set_title("Grad-CAM")
    fig.colorbar(im, ax=axes[1], shrink=0.85, label="importancia")
    for a in axes:
        a.axis("off")
    fig.suptitle(_prediction_title(model, x1, target, labels))
    return fig


@_figure
def confusion_matrix_plot(cm, labels=None, normalize=False, title="Matriz de confusión"):
    plt = _plt()
    cm = np.asarray(cm, dtype=float)
    if normalize:
        cm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7.5, 6.5), layout="constrained")
    im = ax.imshow(cm, cmap="Blues")
    n = len(cm)
    labels = labels if labels is not None else list(range(n))
    ax.set_xticks(range(n), labels); ax.set_yticks(range(n), labels)
    ax.set_xlabel("clase predicha"); ax.set_ylabel("clase real"); ax.set_title(title)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}", ha="center", va="center",
                    fontsize=9, color="white" if cm[i, j] > cm.max() / 2 else "black")
    fig.colorbar(im, ax=ax, label="fracción de la clase" if normalize else "muestras")
    return fig


@_figure
def roc_curves(y_true, scores, labels=None):
    """Curvas ROC uno-contra-resto por clase, con su AUC."""
    plt = _plt()
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    aucs = roc_auc_ovr(y_true, scores, average=None)
    fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
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
    ax.set_title("Curvas ROC (uno contra resto)"); ax.legend(fontsize=9)
    return fig


@_figure
def image_rows(rows: dict, n: int = 8, title: str | None = None, shape=(28, 28)):
    """Filas de imágenes con su nombre a la izquierda, p. ej. ``{"original": X,
    "con ruido": Xr, "reconstruida": R}`` (cada una (N, 784) o (N, 1, 28, 28))."""
    plt = _plt()
    fig, axes = plt.subplots(len(rows), n, figsize=(1.5 * n + 1.5, 1.6 * len(rows) + 0.6), squeeze=False,
                             layout="constrained")
    for r, (name, imgs) in enumerate(rows.items()):
        imgs = np.asarray(getattr(imgs, "data", imgs))
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(imgs[c].reshape(shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([]); ax.set_yticks([])
            for sp in ax.spines.values():
                sp.set_visible(False)
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    if title:
        fig.suptitle(title)
    return fig


@_figure
def attention_map(weights, rows=None, cols=None, title="Pesos de atención", max_heads: int = 8):
    """Mapa de calor de los pesos de atención: fila i = una consulta (query), columna j = una clave;
    el color es cuánto mira la consulta i a la clave j (cada fila suma 1).

    ``weights`` (L, S), o (cabezas, L, S) para una cuadrícula con una cabeza por panel (hasta
    ``max_heads``); admite un tensor o un array. ``rows``/``cols``: rótulos (p. ej. los caracteres)."""
    plt = _plt()
    w = weights.detach().numpy() if hasattr(weights, "detach") else np.asarray(weights)
    w = w.astype(float)
    if w.ndim == 2:
        w = w[None]
    if w.ndim != 3:
        raise ValueError(f"attention_map espera pesos (L, S) o (cabezas, L, S), no de forma {tuple(w.shape)}")
    n = min(len(w), max_heads)
    cols_n = min(n, 4)
    rows_n = -(-n // cols_n)
    L, S = w.shape[1:]
    cell = max(2.6, min(5.5, 0.28 * max(L, S)))
    fig, axes = plt.subplots(rows_n, cols_n, figsize=(cell * cols_n + 1.2, cell * rows_n + 0.8), layout="constrained",
                             squeeze=False)
    vmax = float(w[:n].max()) if w.size else 1.0
    im = None
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        im = ax.imshow(w[k], cmap="viridis", vmin=0, vmax=vmax, aspect="auto")
        if cols is not None and len(cols) == S and S <= 64:
            ax.set_xticks(range(S), [repr(c)[1:-1] if isinstance(c, str) else str(c) for c in cols], fontsize=8,
                          rotation=90)
        if rows is not None and len(rows) == L and L <= 64:
            ax.set_yticks(range(L), [repr(c)[1:-1] if isinstance(c, str) else str(c) for c in rows], fontsize=8)
        ax.set_xlabel("clave (a qué mira)")
        ax.set_ylabel("consulta (quién mira)")
        if n > 1:
            ax.set_title(f"cabeza {k}")
    fig.colorbar(im, ax=axes, label="peso")
    fig.suptitle(title)
    return fig
