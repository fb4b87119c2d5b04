"""Transformaciones espaciales (las *Spatial Transformer Networks*): ``affine_grid`` construye la rejilla de
muestreo de una transformación afín y ``grid_sample`` lee la imagen en esos puntos (bilineal, bicúbica o el
vecino más cercano; relleno con ceros, con el borde o reflejando). Sólo 2-D (entrada ``(N, C, H, W)``); las
3-D (``(N, C, D, H, W)``) no están.

Todo se compone de operaciones de ``Tensor`` (``matmul``, ``gather``, ``floor`` constante, ``where``), así
que las derivadas respecto de la imagen, de la rejilla y de ``theta`` salen de esas piezas: con la
bilineal, ``∂/∂x = Σ_esquinas peso·(v_esquina)`` derivando los pesos ``(ix − ix₀)`` respecto de la
coordenada, como PyTorch."""
from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import Tensor
from ..._tensor.joins import where
from ._utils import as_tensor

__all__ = ["affine_grid", "grid_sample"]

_DEFAULT = ("el valor por defecto de align_corners es False desde PyTorch 1.3.0 (antes True); pasa "
            "align_corners=True o False para no ver este aviso")


def _align(align_corners, op):
    if align_corners is None:
        warnings.warn(f"{op}: {_DEFAULT}", UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _linspace(n, align_corners, dtype):
    """Las ``n`` coordenadas normalizadas de los centros (``−1`` a ``1``), como ``linspace_from_neg_one``."""
    if n <= 1:
        return np.zeros(max(n, 0), dtype=dtype)
    r = np.linspace(-1.0, 1.0, n)
    return (r if align_corners else r * (n - 1) / n).astype(dtype)


def affine_grid(theta, size, align_corners=None):
    """La rejilla de muestreo ``(N, H, W, 2)`` de la transformación afín ``theta``: para cada píxel de
    salida ``(x, y)`` (normalizado a ``[−1, 1]``), ``theta·(x, y, 1)``. Derivada respecto de ``theta``:
    ``∂rejilla/∂θ_{ij} = (x, y, 1)_j`` (es lineal).

    Args:
        theta: ``(N, 2, 3)``, las matrices afines (de coma flotante).
        size: la forma de la imagen de salida, ``(N, C, H, W)``.
        align_corners: si es ``True``, ``−1`` y ``1`` son los centros de las esquinas; si es ``False``
            (el valor por defecto, con un aviso si no se da), sus bordes.

    Ejemplo:
        >>> theta = torch.tensor([[[1., 0., 0.], [0., 1., 0.]]])
        >>> F.affine_grid(theta, (1, 1, 2, 2), align_corners=False)[0, 0]
        tensor([[-0.5000, -0.5000],
                [ 0.5000, -0.5000]])

    En PyTorch: ``torch.nn.functional.affine_grid``.
    """
    op = "affine_grid"
    ac = _align(align_corners, op)
    th = as_tensor(theta, op, "theta")
    if th._data.dtype.kind != "f":
        raise ValueError(f"{op}: theta debe ser de coma flotante, no {th.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 5:
        raise NotImplementedError(f"{op}: las rejillas 3-D (size de 5 valores) no están en tinygrad_es; sólo 2-D")
    if len(size) != 4:
        raise NotImplementedError(f"{op}: sólo se admiten tamaños 4-D (N, C, H, W), no {size}")
    if th.ndim != 3 or tuple(th.shape[1:]) != (2, 3):
        raise ValueError(f"{op}: se esperaban matrices afines 2-D de forma (N, 2, 3) para size {size}; theta tiene "
                         f"forma {tuple(th.shape)}")
    n, _, h, w = size
    if ac and min(h, w) == 1:
        warnings.warn(f"{op}: con align_corners=True una rejilla de tamaño 1 no es un uso previsto (como en "
                      f"PyTorch desde 1.3.0)", UserWarning, stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"{op}: el tamaño de salida debe ser positivo, y es {size}")
    if th.shape[0] != n:
        raise ValueError(f"{op}: theta tiene {th.shape[0]} matrices y size pide un lote de {n}")
    dt = th._data.dtype
    xs, ys = _linspace(w, ac, dt), _linspace(h, ac, dt)
    base = np.stack([np.broadcast_to(xs, (h, w)), np.broadcast_to(ys[:, None], (h, w)), np.ones((h, w), dt)], -1)
    return (Tensor._wrap(base.reshape(1, h * w, 3)) @ th.transpose(1, 2)).reshape(n, h, w, 2)


def _unnormalize(c, size, ac):
    return (c + 1) / 2 * (size - 1) if ac else ((c + 1) * size - 1) / 2


def _reflect(c, low2, high2):
    """Refleja ``c`` en ``[low2/2, high2/2]`` (``reflect_coordinates`` de PyTorch), derivable a trozos."""
    if low2 == high2:
        return c * 0
    lo, span = low2 / 2, (high2 - low2) / 2
    a = (c - lo).abs()
    flips = np.floor(a.detach().numpy() / span)
    extra = a - Tensor._wrap((flips * span).astype(a._data.dtype))
    return where(Tensor._wrap(flips % 2 == 0), extra + lo, (span - extra) + lo)


def _pad_coord(c, size, padding_mode, ac):
    """La coordenada (en píxeles) llevada dentro según ``padding_mode`` (``compute_coordinates``)."""
    if padding_mode == "border":
        return c.clamp(0, size - 1)
    if padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if ac else _reflect(c, -1, 2 * size - 1)
        return c.clamp(0, size - 1)
    return c


def _source(c, size, padding_mode, ac):
    return _pad_coord(_unnormalize(c, size, ac), size, padding_mode, ac)


def _cubic_weights(t):
    """Los 4 pesos de la convolución cúbica (A = −0,75, como PyTorch) para la fracción ``t`` ∈ [0, 1)."""
    a = -0.75

    def near(x):  # |x| ≤ 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Lee ``input`` en los puntos de ``grid`` (coordenadas normalizadas: ``(−1, −1)`` es la esquina
    superior izquierda y ``(1, 1)`` la inferior derecha): ``salida[n, c, i, j] = input[n, c](grid[n, i, j])``,
    interpolando. Derivada: respecto de ``input``, cada esquina recibe el gradiente por su peso; respecto de
    ``grid`` (bilineal), la pendiente de la interpolación entre las esquinas (0 con ``'nearest'``).

    Args:
        input: ``(N, C, H_in, W_in)``.
        grid: ``(N, H_out, W_out, 2)`` con ``(x, y)`` en el último eje.
        mode: ``'bilinear'`` (por defecto), ``'nearest'`` o ``'bicubic'`` (convolución cúbica de 4×4 vecinos).
        padding_mode: fuera de la imagen, ``'zeros'`` (por defecto), ``'border'`` (el borde) o
            ``'reflection'`` (reflejando).
        align_corners: como en ``affine_grid`` (``None``: ``False``, con un aviso).

    Forma: salida ``(N, C, H_out, W_out)``.

    Ejemplo:
        >>> img = torch.arange(4.).reshape(1, 1, 2, 2)
        >>> F.grid_sample(img, torch.tensor([[[[0., 0.]]]]), align_corners=False)
        tensor([[[[1.5000]]]])

    En PyTorch: ``torch.nn.functional.grid_sample``.
    """
    op = "grid_sample"
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"{op}: mode debe ser 'bilinear', 'nearest' o 'bicubic', no {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"{op}: padding_mode debe ser 'zeros', 'border' o 'reflection', no {padding_mode!r}")
    ac = _align(align_corners, op)
    x, g = as_tensor(input, op), as_tensor(grid, op, "grid")
    if x.ndim == 5:
        raise NotImplementedError(f"{op}: las entradas 3-D (N, C, D, H, W) no están en tinygrad_es; sólo 4-D")
    if x.ndim != 4 or g.ndim != 4 or g.shape[-1] != 2 or g.shape[0] != x.shape[0]:
        raise RuntimeError(f"{op}: se esperaba input (N, C, H, W) y grid (N, H_out, W_out, 2) con el mismo N; "
                           f"llegaron {tuple(x.shape)} y {tuple(g.shape)}")
    if x._data.dtype != g._data.dtype:
        raise RuntimeError(f"{op}: input y grid deben tener el mismo dtype ({x.dtype} y {g.dtype})")
    n, c, h, w = x.shape
    ho, wo = g.shape[1], g.shape[2]
    if mode == "bicubic":  # 4×4 vecinos sin recortar la coordenada; cada vecino, llevado dentro (o 0)
        ix, iy = _unnormalize(g[..., 0], w, ac), _unnormalize(g[..., 1], h, ac)
    else:
        ix, iy = _source(g[..., 0], w, padding_mode, ac), _source(g[..., 1], h, padding_mode, ac)
    flat = x.reshape(n, c, h * w)
    dt = x._data.dtype

    def corner(px, py):
        """Los valores de ``input`` en las esquinas enteras ``(px, py)`` ``(N, H_out, W_out)``; 0 fuera."""
        inside = (px >= 0) & (px <= w - 1) & (py >= 0) & (py <= h - 1)
        pos = np.where(inside, np.clip(py, 0, h - 1) * w + np.clip(px, 0, w - 1), 0).astype(np.int64)
        idx = Tensor._wrap(np.broadcast_to(pos.reshape(n, 1, ho * wo), (n, c, ho * wo)).copy())
        vals = flat.gather(2, idx).reshape(n, c, ho, wo)
        return vals * Tensor._wrap(inside[:, None].astype(dt))

    if mode == "nearest":
        px = np.rint(ix.detach().numpy()).astype(np.int64)  # a la par más cercana, como nearbyint
        py = np.rint(iy.detach().numpy()).astype(np.int64)
        return corner(px, py) + ((ix + iy) * 0).unsqueeze(1)  # gradiente 0 (no None) para grid, como PyTorch
    x0 = np.floor(ix.detach().numpy()).astype(np.int64)
    y0 = np.floor(iy.detach().numpy()).astype(np.int64)
    if mode == "bicubic":
        def bounded(p, size):  # get_value_bounded: el vecino entero p según padding_mode, truncado
            q = _pad_coord(Tensor._wrap(p.astype(dt)), size, padding_mode, ac).numpy()
            return np.where(np.isfinite(q), q, -1).astype(np.int64)
        wx = _cubic_weights((ix - Tensor._wrap(x0.astype(dt))).unsqueeze(1))
        wy = _cubic_weights((iy - Tensor._wrap(y0.astype(dt))).unsqueeze(1))
        rows = [sum(corner(bounded(x0 - 1 + i, w), bounded(y0 - 1 + j, h)) * wx[i] for i in range(4))
                for j in range(4)]
        return sum(r * wy[j] for j, r in enumerate(rows))
    fx = (ix - Tensor._wrap(x0.astype(dt))).unsqueeze(1)  # peso de la columna derecha
    fy = (iy - Tensor._wrap(y0.astype(dt))).unsqueeze(1)
    return (corner(x0, y0) * (1 - fx) * (1 - fy) + corner(x0 + 1, y0) * fx * (1 - fy)
            + corner(x0, y0 + 1) * (1 - fx) * fy + corner(x0 + 1, y0 + 1) * fx * fy)
