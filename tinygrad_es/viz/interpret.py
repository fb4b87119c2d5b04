"""Interpretabilidad de CNN: mapas de saliencia y Grad-CAM (sin matplotlib).

* Saliencia: |∂S_c/∂I|, el máximo sobre canales del valor absoluto del gradiente
  de la puntuación de la clase c respecto de cada píxel de la entrada.
* Grad-CAM (Selvaraju et al.): pesos α_k = media espacial de ∂S_c/∂A_k sobre el
  mapa A_k de la capa convolucional elegida; CAM = ReLU(Σ_k α_k·A_k),
  reescalado al tamaño de la entrada y normalizado a [0, 1].
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd import no_grad
from ..nn import functional as F
from ..nn.modules.conv import Conv2d

__all__ = ["saliency_map", "grad_cam", "feature_maps", "upsample_bilinear", "class_probabilities"]


def _prep(x):
    a = x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)
    a = a.astype(np.float32) if a.dtype.kind in "ui" else a
    if a.ndim == 2:
        a = a[None, None]
    elif a.ndim == 3:
        a = a[None]
    return a


def _targets(out, target):
    if target is None:
        return out.detach().numpy().argmax(axis=1)
    t = np.asarray(target)
    return np.full(out.shape[0], int(t)) if t.ndim == 0 else t.astype(int)


def class_probabilities(model, x) -> np.ndarray:
    """Probabilidades softmax (N, clases) del modelo para ``x``, en modo eval y sin gradiente."""
    was = getattr(model, "training", False)
    model.eval()
    try:
        with no_grad():
            logits = model(Tensor(_prep(x))).numpy().astype(np.float64)
    finally:
        model.train(was)
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def saliency_map(model, x, target=None) -> np.ndarray:
    """|∂S_c/∂I| para cada imagen (N, H, W); ``target`` = clase (por defecto la predicha)."""
    was = getattr(model, "training", False)
    model.eval()
    xt = Tensor(_prep(x), requires_grad=True)
    out = model(xt)
    t = _targets(out, target)
    mask = np.zeros(out.shape, dtype=out.dtype)
    mask[np.arange(len(t)), t] = 1
    out.backward(mask)
    model.train(was)
    return np.abs(xt.grad.numpy()).max(axis=1)


def upsample_bilinear(m: np.ndarray, size) -> np.ndarray:
    """Reescalado bilineal de (N, h, w) a (N, H, W) alineando los centros de los píxeles: el de
    ``F.interpolate(..., mode="bilinear", align_corners=False)`` sobre arrays."""
    x = Tensor._wrap(np.asarray(m, dtype=np.float64)[:, None])
    with no_grad():
        return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False).numpy()[:, 0]


def _capture(model, layer, x):
    """Forward con un gancho en ``layer`` que guarda su salida y, tras backward, su gradiente."""
    store = {}

    def hook(mod, inp, out):
        store["act"] = out
        out.register_hook(lambda g: store.__setitem__("grad", g))

    h = layer.register_forward_hook(hook)
    try:
        out = model(x)
    finally:
        h.remove()
    return out, store


def _last_conv(model):
    convs = [m for _, m in model.named_modules() if isinstance(m, Conv2d)]
    if not convs:
        raise ValueError("grad_cam: el modelo no tiene capas Conv2d; indica layer=")
    return convs[-1]


def grad_cam(model, x, target=None, layer=None, relu_after: bool = True) -> np.ndarray:
    """Mapa Grad-CAM (N, H, W) en [0, 1] sobre la capa ``layer`` (por defecto la última
    ``Conv2d``; se usa su salida tras ReLU si ``relu_after``)."""
    was = getattr(model, "training", False)
    model.eval()
    layer = layer or _last_conv(model)
    xt = Tensor(_prep(x))
    out, store = _capture(model, layer, xt)
    t = _targets(out, target)
    mask = np.zeros(out.shape, dtype=out.dtype)
    mask[np.arange(len(t)), t] = 1
    out.backward(mask)
    model.train(was)
    A = store["act"].detach().numpy().astype(np.float64)
    G = store.get("grad")
    if G is None:
        raise RuntimeError("grad_cam: la capa elegida no recibió gradiente")
    G = np.asarray(G.numpy() if hasattr(G, "numpy") else G, dtype=np.float64)
    if relu_after:  # el gradiente respecto de ReLU(A) es 0 donde A ≤ 0
        G = G * (A > 0)
        A = np.maximum(A, 0)
    alpha = G.mean(axis=(2, 3), keepdims=True)
    cam = np.maximum((alpha * A).sum(axis=1), 0)
    cam = upsample_bilinear(cam, xt.shape[-2:])
    mx = cam.reshape(len(cam), -1).max(axis=1)[:, None, None]
    return np.where(mx > 0, cam / np.where(mx > 0, mx, 1), 0.0)


def feature_maps(model, x, layers=None) -> dict:
    """Salidas de cada capa convolucional (o de ``layers``, dict nombre→módulo) para ``x``."""
    if layers is None:
        layers = {n: m for n, m in model.named_modules() if isinstance(m, Conv2d)}
    store, handles = {}, []
    for name, mod in layers.items():
        handles.append(mod.register_forward_hook(lambda m, i, o, name=name: store.__setitem__(name, o.detach().numpy())))
    was = getattr(model, "training", False)
    model.eval()
    try:
        with no_grad():
            model(Tensor(_prep(x)))
    finally:
        for h in handles:
            h.remove()
        model.train(was)
    return store
