"""Los ajustes de color sobre imágenes-tensor ``[..., C, H, W]``, con las fórmulas de torchvision
(``_blend``: ``ratio·img1 + (1 − ratio)·img2`` acotado y convertido al tipo de ``img1``; gris
``0.2989·R + 0.587·G + 0.114·B``; el tono, en HSV). Se calcula con numpy en float32 y devuelve
tensores nuevos, sin grafo."""
from __future__ import annotations

import numpy as np

from .._tensors import Tensor
from ._functional_tensor import (_INT_KINDS, _assert_channels, _assert_image_tensor, _max_value, _np, _wrap,
                                 convert_image_dtype, get_dimensions)

__all__ = []  # uso interno: la API pública es transforms.functional


def _gray(a: np.ndarray) -> np.ndarray:
    r, g, b = (a[..., i, :, :].astype(np.float32) if a.dtype.kind in _INT_KINDS else a[..., i, :, :] for i in range(3))
    f = (lambda v: np.float32(v)) if a.dtype != np.float64 else (lambda v: np.float64(v))
    return (f(0.2989) * r + f(0.587) * g) + f(0.114) * b


def rgb_to_grayscale(img, num_output_channels: int = 1) -> Tensor:
    if img.ndim < 3:
        raise TypeError(f"la imagen-tensor debe tener al menos 3 dimensiones (…, C, H, W); tiene {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels debe ser 1 o 3, no {num_output_channels}")
    a = _np(img)
    l_img = (_gray(a).astype(a.dtype)[..., None, :, :] if a.shape[-3] == 3 else a.copy())
    if num_output_channels == 3:
        l_img = np.broadcast_to(l_img, a.shape)
    return _wrap(l_img)


def _blend(a1: np.ndarray, a2: np.ndarray, ratio: float) -> np.ndarray:
    ft = np.float64 if a1.dtype == np.float64 else np.float32
    bound = _max_value(a1.dtype)
    out = ft(ratio) * a1.astype(ft) + ft(1.0 - ratio) * np.asarray(a2).astype(ft)
    return np.clip(out, 0, bound).astype(a1.dtype)


def _check_factor(value, name):
    if value < 0:
        raise ValueError(f"{name} ({value}) debe ser ≥ 0")


def adjust_brightness(img, brightness_factor: float) -> Tensor:
    _check_factor(brightness_factor, "brightness_factor")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _np(img)
    return _wrap(_blend(a, np.zeros_like(a), brightness_factor))


def adjust_contrast(img, contrast_factor: float) -> Tensor:
    _check_factor(contrast_factor, "contrast_factor")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _np(img)
    ft = a.dtype if a.dtype.kind == "f" else np.float32
    g = _gray(a).astype(a.dtype).astype(ft) if a.shape[-3] == 3 else a.astype(ft)
    mean = np.mean(g, axis=(-2, -1) if a.shape[-3] == 3 else (-3, -2, -1), keepdims=True, dtype=ft)
    if a.shape[-3] == 3:
        mean = mean[..., None, :, :]
    return _wrap(_blend(a, mean, contrast_factor))


def adjust_saturation(img, saturation_factor: float) -> Tensor:
    _check_factor(saturation_factor, "saturation_factor")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _np(img)
    if a.shape[-3] == 1:
        return img
    return _wrap(_blend(a, _gray(a).astype(a.dtype)[..., None, :, :], saturation_factor))


def _rgb2hsv(a: np.ndarray) -> np.ndarray:
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc, minc = a.max(axis=-3), a.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    one = np.ones_like(maxc)
    s = cr / np.where(eqc, one, maxc)
    crd = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0).astype(a.dtype)
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(a: np.ndarray) -> np.ndarray:
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = np.zeros(a.shape, dtype=a.dtype)
    for k, (rr, gg, bb) in enumerate(table):
        m = i == k
        out[..., 0, :, :] += np.where(m, rr, 0)
        out[..., 1, :, :] += np.where(m, gg, 0)
        out[..., 2, :, :] += np.where(m, bb, 0)
    return out


def adjust_hue(img, hue_factor: float) -> Tensor:
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) debe estar en [-0.5, 0.5]")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig = img.dtype
    a = _np(convert_image_dtype(img, np.float32))
    hsv = _rgb2hsv(a)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1.0))
    return convert_image_dtype(_wrap(_hsv2rgb(hsv)), orig)


def adjust_gamma(img, gamma: float, gain: float = 1) -> Tensor:
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError(f"gamma ({gamma}) debe ser un número real ≥ 0")
    dtype = img.dtype
    res = img if img.is_floating_point() else convert_image_dtype(img, np.float32)
    a = _np(res)
    out = np.clip(a.dtype.type(gain) * a ** a.dtype.type(gamma), 0, 1).astype(a.dtype)
    return convert_image_dtype(_wrap(out), dtype)


def invert(img) -> Tensor:
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"la imagen-tensor debe tener al menos 3 dimensiones, no {img.ndim}")
    _assert_channels(img, [1, 3])
    a = _np(img)
    return _wrap((a.dtype.type(_max_value(a.dtype)) - a).astype(a.dtype))


def solarize(img, threshold: float) -> Tensor:
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _np(img)
    if threshold > _max_value(a.dtype):
        raise TypeError(f"el umbral ({threshold}) debe ser menor que el máximo de la imagen ({_max_value(a.dtype)})")
    return _wrap(np.where(a >= threshold, _np(invert(img)), a))


def posterize(img, bits: int) -> Tensor:
    _assert_image_tensor(img)
    if img.dtype != np.uint8:
        raise TypeError(f"posterize sólo admite imágenes uint8, no {img.dtype}")
    _assert_channels(img, [1, 3])
    return _wrap(_np(img) & np.uint8((0xFF << (8 - bits)) & 0xFF))


def _blurred_degenerate(a: np.ndarray) -> np.ndarray:
    """El suavizado 3×3 de Pillow (núcleo 1 1 1 / 1 5 1 / 1 1 1, /13) en el interior; los bordes quedan igual."""
    ft = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    k = np.ones((3, 3), dtype=ft)
    k[1, 1] = 5.0
    k /= k.sum()
    x = a.astype(ft)
    H, W = a.shape[-2:]
    inner = sum(k[i, j] * x[..., i:i + H - 2, j:j + W - 2] for i in range(3) for j in range(3))
    if a.dtype.kind in _INT_KINDS:
        inner = np.round(inner)
    out = a.copy()
    out[..., 1:-1, 1:-1] = inner.astype(a.dtype)
    return out


def adjust_sharpness(img, sharpness_factor: float) -> Tensor:
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) debe ser ≥ 0")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    a = _np(img)
    return _wrap(_blend(a, _blurred_degenerate(a), sharpness_factor))


def autocontrast(img) -> Tensor:
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"la imagen-tensor debe tener al menos 3 dimensiones, no {img.ndim}")
    _assert_channels(img, [1, 3])
    a = _np(img)
    bound = _max_value(a.dtype)
    ft = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    lo = a.min(axis=(-2, -1), keepdims=True).astype(ft)
    hi = a.max(axis=(-2, -1), keepdims=True).astype(ft)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = ft.type(bound) / (hi - lo)
    same = ~np.isfinite(scale)
    lo = np.where(same, ft.type(0), lo)
    scale = np.where(same, ft.type(1), scale)
    return _wrap(np.clip((a - lo) * scale, 0, bound).astype(a.dtype))


def _equalize_channel(c: np.ndarray) -> np.ndarray:
    hist = np.bincount(c.reshape(-1), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return c
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)
    return lut[c.astype(np.int64)].astype(np.uint8)


def equalize(img) -> Tensor:
    _assert_image_tensor(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"equalize espera un tensor de 3 o 4 dimensiones, no {img.ndim}")
    if img.dtype != np.uint8:
        raise TypeError(f"equalize sólo admite imágenes uint8, no {img.dtype}")
    _assert_channels(img, [1, 3])
    a = _np(img)
    flat = a.reshape((-1,) + a.shape[-2:])
    return _wrap(np.stack([_equalize_channel(ch) for ch in flat]).reshape(a.shape))
