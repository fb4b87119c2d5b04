"""Qué aprendieron los filtros de una convolución: al inicio, tras entrenar y su diferencia.

Con pocos pasos de entrenamiento, los filtros 3×3 de la primera capa se parecen mucho a los del sorteo
inicial; esta figura pone los dos y el cambio uno encima de otro (``demo cnn`` la guarda como
``filtros_conv1_cambio.png``). Necesita matplotlib (extra ``viz``).
"""
from __future__ import annotations

import numpy as np

from .plots import _figure, _plt

__all__ = ["conv_filters_change"]


@_figure
def conv_filters_change(initial, layer, n: int = 12, in_channel: int = 0, title: str | None = None):
    """Los primeros ``n`` filtros de una ``Conv2d`` al inicio (``initial``: los pesos antes de entrenar,
    un array o tensor con la forma de ``layer.weight``), tras entrenar y su diferencia: qué aprendió la
    capa. Las dos primeras filas comparten la escala de color (simétrica, blanco = 0); la del cambio tiene
    la suya. En el título, el cambio relativo ‖W − W₀‖ / ‖W₀‖ de toda la capa.

    Ejemplo::

        w0 = modelo.conv1.weight.detach().clone()
        ...entrenar...
        conv_filters_change(w0, modelo.conv1, path="filtros_conv1.png")
    """
    plt = _plt()
    w0 = np.asarray(initial.detach().numpy() if hasattr(initial, "detach") else initial, dtype=np.float64)
    w1 = layer.weight.detach().numpy().astype(np.float64)
    if w0.shape != w1.shape:
        raise ValueError(f"conv_filters_change: los pesos iniciales tienen forma {tuple(w0.shape)} y los de la capa "
                         f"{tuple(w1.shape)}")
    n = min(n, w1.shape[0])
    rows = {"al inicio": w0[:n, in_channel], "tras entrenar": w1[:n, in_channel],
            "cambio": w1[:n, in_channel] - w0[:n, in_channel]}
    m = float(max(np.abs(rows["al inicio"]).max(), np.abs(rows["tras entrenar"]).max())) or 1.0
    md = float(np.abs(rows["cambio"]).max()) or 1.0
    fig, axes = plt.subplots(3, n, figsize=(1.1 * n + 2.2, 4.4), squeeze=False, layout="constrained")
    ims = []
    for r, (name, ws) in enumerate(rows.items()):
        lim = md if name == "cambio" else m
        for i in range(n):
            ax = axes[r, i]
            im = ax.imshow(ws[i], cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_xticks([]); ax.set_yticks([])
            if r == 0:
                ax.set_title(f"{i}", fontsize=10)
        axes[r, 0].set_ylabel(name, fontsize=11)
        ims.append(im)
    fig.colorbar(ims[1], ax=axes[:2, :], shrink=0.8, label="peso")
    fig.colorbar(ims[2], ax=axes[2:, :], shrink=0.8, label="cambio")
    rel = float(np.linalg.norm(w1 - w0) / (np.linalg.norm(w0) or 1.0))
    k = "×".join(str(s) for s in w1.shape[2:])
    fig.suptitle(title or f"Filtros {k} de la primera capa: al inicio, tras entrenar y lo que cambiaron "
                          f"(‖W − W₀‖ / ‖W₀‖ = {rel:.2f})")
    return fig
