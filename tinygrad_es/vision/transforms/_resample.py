"""Remuestreo de imágenes-tensor con numpy: reescalado (``interpolate``) y muestreo en una malla
(``grid_sample``), con las fórmulas de PyTorch, que son las que usa torchvision con tensores.

Todo trabaja sobre arrays (N, C, H, W) de coma flotante y en su misma precisión (float32 como
PyTorch), sin grafo: estas transformaciones preparan datos, no se derivan.

Reescalado, con ``s = entrada / salida`` (en float32, como ``area_pixel_compute_scale``):

- ``nearest``: origen ``⌊i·s⌋``; ``nearest-exact``: ``⌊(i + ½)·s⌋`` (acotados a la imagen);
- ``bilinear`` sin antialias: origen ``x = (i + ½)·s − ½`` (≥ 0), pesos ``1 − λ`` y ``λ`` entre
  ``⌊x⌋`` y el siguiente píxel;
- ``bicubic`` sin antialias: los 4 vecinos de ``⌊x⌋`` con el núcleo cúbico de Keys, ``A = −0.75``;
- con antialias (como Pillow y ``interpolate(antialias=True)``): cada píxel de salida es una media
  ponderada de los de entrada que caen bajo el filtro (triángulo para bilinear, cúbico ``a = −0.5``
  para bicubic) *ensanchado* por ``s`` al reducir; los pesos se normalizan a suma 1. Se aplica
  primero en horizontal y después en vertical.
"""
from __future__ import annotations

import numpy as np

__all__ = ["interpolate", "grid_sample", "affine_grid", "affine_output_size", "gaussian_kernel1d"]


def _scale(in_size: int, out_size: int):
    return np.float32(in_size) / np.float32(out_size)


def _nearest_index(in_size, out_size, exact: bool):
    s = _scale(in_size, out_size)
    i = np.arange(out_size, dtype=np.float32)
    src = np.floor((i + np.float32(0.5)) * s if exact else i * s).astype(np.int64)
    return np.minimum(src, in_size - 1)


def _linear(in_size, out_size):
    s = _scale(in_size, out_size)
    src = s * (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) - np.float32(0.5)
    src = np.maximum(src, np.float32(0))
    i0 = src.astype(np.int64)
    lam1 = np.clip(src - i0.astype(np.float32), np.float32(0), np.float32(1))
    return [i0, np.minimum(i0 + 1, in_size - 1)], [np.float32(1) - lam1, lam1]


def _cubic_coeffs(t, A):
    def c1(x):  # |x| ≤ 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


def _cubic(in_size, out_size):
    s = _scale(in_size, out_size)
    src = s * (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) - np.float32(0.5)
    i0 = np.floor(src).astype(np.int64)
    t = (src - i0.astype(np.float32)).astype(np.float32)
    w = _cubic_coeffs(t, np.float32(-0.75))
    idx = [np.clip(i0 - 1 + k, 0, in_size - 1) for k in range(4)]
    return idx, [x.astype(np.float32) for x in w]


def _aa_filter(mode):
    """(radio, filtro) con las expresiones de PyTorch, evaluadas en la precisión de ``x``."""
    if mode == "bilinear":
        return 1.0, lambda x: np.where(np.abs(x) < 1, x.dtype.type(1) - np.abs(x), x.dtype.type(0))

    def cubic(x):
        t = x.dtype.type
        A = t(-0.5)
        x = np.abs(x)
        c1 = ((A + t(2)) * x - (A + t(3))) * x * x + t(1)
        c2 = ((A * x - t(5) * A) * x + t(8) * A) * x - t(4) * A
        return np.where(x < 1, c1, np.where(x < 2, c2, t(0)))
    return 2.0, cubic


def _aa_taps(in_size, out_size, mode, dt):
    """Índices y pesos (salida × tomas) del filtro con antialias, calculados como PyTorch en la
    precisión de la imagen (float32): centro ``s·(i + ½)``, soporte ``s·r`` al reducir, pesos
    normalizados a suma 1. Las tomas de más llevan peso 0."""
    support_base, f = _aa_filter(mode)
    scale = dt(in_size) / dt(out_size)
    support = dt(support_base) * scale if scale >= 1 else dt(support_base)
    invscale = dt(1) / scale if scale >= 1 else dt(1)
    rows = []
    for i in range(out_size):
        center = scale * (dt(i) + dt(0.5))
        xmin = max(int(center - support + dt(0.5)), 0)
        xsize = min(int(center + support + dt(0.5)), in_size) - xmin
        x = (np.arange(xsize, dtype=dt) + dt(xmin) - center + dt(0.5)) * invscale
        w = f(x).astype(dt)
        total = dt(0)
        for v in w:   # suma en orden, como PyTorch
            total = dt(total + v)
        rows.append((xmin, w / total if total != 0 else w))
    taps = max(len(w) for _, w in rows)
    idx = np.zeros((out_size, taps), dtype=np.int64)
    wts = np.zeros((out_size, taps), dtype=dt)
    for i, (xmin, w) in enumerate(rows):
        idx[i, :len(w)] = np.arange(xmin, xmin + len(w))
        idx[i, len(w):] = xmin
        wts[i, :len(w)] = w
    return idx, wts


def _fma(a, b, c):
    """``a·b + c`` con un solo redondeo a float32 (como la instrucción FMA que usa PyTorch)."""
    if a.dtype == np.float64:
        return a * b + c
    return (a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64)).astype(np.float32)


def _aa_pass(x, axis, idx, wts):
    x = np.moveaxis(x, axis, -1)
    acc = np.take(x, idx[:, 0], axis=-1) * wts[:, 0]
    for k in range(1, idx.shape[1]):
        acc = _fma(np.take(x, idx[:, k], axis=-1), wts[:, k], acc)
    return np.moveaxis(acc, -1, axis)


def _apply_taps(x, axis, idx, w):
    out = None
    for k, (i, wk) in enumerate(zip(idx, w)):
        shape = [1] * x.ndim
        shape[axis] = -1
        term = np.take(x, i, axis=axis) * wk.reshape(shape)
        out = term if out is None else out + term
    return out


def interpolate(x: np.ndarray, size, mode: str, antialias: bool = False) -> np.ndarray:
    """Reescala ``x`` (N, C, H, W, coma flotante) a ``size = (alto, ancho)``."""
    H, W = x.shape[-2:]
    oh, ow = int(size[0]), int(size[1])
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        return x[..., _nearest_index(H, oh, exact)[:, None], _nearest_index(W, ow, exact)[None, :]]
    if mode not in ("bilinear", "bicubic"):
        raise ValueError(f"modo de interpolación '{mode}' no disponible con tensores (nearest, nearest-exact, "
                         "bilinear, bicubic)")
    if antialias:   # horizontal y después vertical; una dimensión que no cambia no se toca
        dt = x.dtype.type
        y = x if W == ow else _aa_pass(x, x.ndim - 1, *_aa_taps(W, ow, mode, dt))
        return y if H == oh else _aa_pass(y, x.ndim - 2, *_aa_taps(H, oh, mode, dt))
    taps = _linear if mode == "bilinear" else _cubic
    ih, wh = taps(H, oh)
    iw, ww = taps(W, ow)
    wh = [w.astype(x.dtype) for w in wh]
    ww = [w.astype(x.dtype) for w in ww]
    # como PyTorch: la interpolación en ancho dentro, la de alto fuera
    out = None
    for i, w in zip(ih, wh):
        inner = _apply_taps(x[..., i, :], x.ndim - 1, iw, ww)
        term = inner * w[:, None]
        out = term if out is None else out + term
    return out


def grid_sample(x: np.ndarray, grid: np.ndarray, mode: str) -> np.ndarray:
    """``torch.nn.functional.grid_sample(x, grid, mode, padding_mode='zeros', align_corners=False)``
    para ``x`` (N, C, H, W) y una malla (N, Ho, Wo, 2) con coordenadas normalizadas en [−1, 1]."""
    N, C, H, W = x.shape
    gx = ((grid[..., 0] + 1) * W - 1) / 2
    gy = ((grid[..., 1] + 1) * H - 1) / 2
    n = np.arange(N)[:, None, None]
    out = np.zeros((N, C) + grid.shape[1:3], dtype=x.dtype)
    xt = np.moveaxis(x, 1, -1)   # (N, H, W, C): una lectura por punto para todos los canales

    def tap(iy, ix, w):
        ok = (ix >= 0) & (ix < W) & (iy >= 0) & (iy < H)
        v = xt[n, np.clip(iy, 0, H - 1), np.clip(ix, 0, W - 1)]          # (N, Ho, Wo, C)
        return np.moveaxis(v * (w * ok)[..., None], -1, 1)

    if mode == "nearest":
        ix = np.rint(gx).astype(np.int64)
        iy = np.rint(gy).astype(np.int64)
        ok = (ix >= 0) & (ix < W) & (iy >= 0) & (iy < H)
        v = xt[n, np.clip(iy, 0, H - 1), np.clip(ix, 0, W - 1)]
        return np.moveaxis(np.where(ok[..., None], v, 0).astype(x.dtype), -1, 1)
    if mode != "bilinear":
        raise ValueError(f"modo '{mode}' no disponible para tensores: usa nearest o bilinear")
    x0 = np.floor(gx).astype(np.int64)
    y0 = np.floor(gy).astype(np.int64)
    fx = (gx - x0).astype(x.dtype)
    fy = (gy - y0).astype(x.dtype)
    one = x.dtype.type(1)
    out = (tap(y0, x0, (one - fx) * (one - fy)) + tap(y0, x0 + 1, fx * (one - fy)) +
           tap(y0 + 1, x0, (one - fx) * fy) + tap(y0 + 1, x0 + 1, fx * fy))
    return out.astype(x.dtype)


def affine_grid(theta: np.ndarray, w: int, h: int, ow: int, oh: int) -> np.ndarray:
    """La malla de torchvision (``_gen_affine_grid``): centros de píxel de la salida, relativos al
    centro, transformados por ``theta`` (2×3) y normalizados por la mitad del tamaño de entrada."""
    dt = theta.dtype
    base = np.empty((oh, ow, 3), dtype=dt)
    base[..., 0] = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow, dtype=np.float32).astype(dt)
    base[..., 1] = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh, dtype=np.float32).astype(dt)[:, None]
    base[..., 2] = 1
    rescaled = theta.T / np.array([0.5 * w, 0.5 * h], dtype=dt)
    return (base.reshape(-1, 3) @ rescaled).reshape(1, oh, ow, 2)


def affine_output_size(matrix, w: int, h: int) -> tuple:
    """Tamaño (ancho, alto) que contiene la imagen girada entera (``expand=True``), como Pillow."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    new = pts @ theta.T
    mn = new.min(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    mx = new.max(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    tol = 1e-4
    cmax = np.ceil(np.trunc(mx / tol) * tol)
    cmin = np.floor(np.trunc(mn / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def gaussian_kernel1d(ksize: int, sigma: float, dtype) -> np.ndarray:
    half = (ksize - 1) * 0.5
    x = np.linspace(-half, half, ksize, dtype=np.float32).astype(dtype)
    pdf = np.exp(-0.5 * (x / dtype(sigma)) ** 2)
    return pdf / pdf.sum()

