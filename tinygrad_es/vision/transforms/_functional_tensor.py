"""Las transformaciones sobre imágenes-tensor ``[..., C, H, W]`` (``torchvision.transforms._functional_tensor``).

Voltear, recortar, rellenar, normalizar y borrar se hacen con operaciones de ``Tensor`` (conservan
el grafo, como en PyTorch). Reescalar, girar, las transformaciones afines, el desenfoque y los
ajustes de color se calculan con numpy (``_resample.py``) en float32 con las fórmulas de
torchvision, y devuelven un tensor nuevo sin grafo. Los enteros (uint8) se convierten a float32
para calcular y se redondean al volver, como en torchvision (``_cast_squeeze_in``/``_out``).
"""
from __future__ import annotations

import numpy as np

from .._tensors import Tensor, as_tensor, from_numpy
from ...nn import functional as NF
from . import _resample as R

__all__ = []  # uso interno: la API pública es transforms.functional

_INT_KINDS = "iu"


def _assert_image_tensor(img) -> None:
    if not isinstance(img, Tensor):
        raise TypeError(f"se esperaba una imagen-tensor, no {type(img).__name__}")
    if img.ndim < 2:
        raise TypeError(f"el tensor no es una imagen: necesita al menos 2 dimensiones (…, alto, ancho) y tiene "
                        f"forma {tuple(img.shape)}")


def get_dimensions(img) -> list:
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    height, width = img.shape[-2:]
    return [channels, height, width]


def get_image_size(img) -> list:
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img) -> int:
    _assert_image_tensor(img)
    return 1 if img.ndim == 2 else img.shape[-3]


def _assert_channels(img, permitted) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"la imagen-tensor debe tener {' o '.join(str(p) for p in permitted)} canales, y tiene {c}")


def _np(img) -> np.ndarray:
    return np.asarray(img.detach().numpy())


def _wrap(a: np.ndarray) -> Tensor:
    return from_numpy(np.ascontiguousarray(a))


def _max_value(dt: np.dtype):
    dt = np.dtype(dt)
    return int(np.iinfo(dt).max) if dt.kind in _INT_KINDS else 1


# -- tipos ------------------------------------------------------------------------------------------
def convert_image_dtype(image, dtype) -> Tensor:
    src, dst = np.dtype(image.dtype), np.dtype(dtype)
    if src == dst:
        return image
    a = _np(image)
    if src.kind == "f":
        if dst.kind == "f":
            return _wrap(a.astype(dst))
        if (src == np.float32 and dst in (np.int32, np.int64)) or (src == np.float64 and dst == np.int64):
            raise RuntimeError(f"la conversión de {image.dtype} a {dtype} no se puede hacer con seguridad "
                               "(el tipo de coma flotante no representa todos los enteros del destino)")
        eps = 1e-3
        return _wrap((a * src.type(_max_value(dst) + 1.0 - eps)).astype(dst))
    in_max = _max_value(src)
    if dst.kind == "f":
        return _wrap(a.astype(dst) / dst.type(in_max))
    out_max = _max_value(dst)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return _wrap((a // factor).astype(dst))
    factor = (out_max + 1) // (in_max + 1)
    return _wrap(a.astype(dst) * dst.type(factor))


def _cast_in(img, req=(np.float32, np.float64)):
    a = _np(img)
    lead = a.shape[:-3] if a.ndim >= 3 else ()
    x = a.reshape((-1,) + a.shape[-3:]) if a.ndim >= 3 else a[None, None]
    out_dtype = a.dtype
    if a.dtype not in [np.dtype(r) for r in req]:
        x = x.astype(req[0])
    return x, out_dtype, lead, a.ndim


def _cast_out(x, out_dtype, lead, ndim) -> Tensor:
    if np.dtype(out_dtype).kind in _INT_KINDS and x.dtype != out_dtype:
        x = np.round(x)   # como torch.round: mitades al par
    x = x.astype(out_dtype) if x.dtype != out_dtype else x
    x = x.reshape(lead + x.shape[-3:]) if ndim >= 3 else x[0, 0]
    return _wrap(x)


# -- geometría con Tensor (conservan el grafo) ---------------------------------------------------
def vflip(img) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img, top: int, left: int, height: int, width: int) -> Tensor:
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _parse_pad_padding(padding) -> list:
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]   # izq, der, arriba, abajo


def pad(img, padding, fill=0, padding_mode: str = "constant") -> Tensor:
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError(f"padding debe ser un entero o una secuencia de 1, 2 o 4 enteros, no {type(padding).__name__}")
    if not isinstance(fill, (int, float)):
        raise TypeError(f"con tensores, fill debe ser un número, no {type(fill).__name__}")
    if not isinstance(padding_mode, str):
        raise TypeError(f"padding_mode debe ser un texto, no {type(padding_mode).__name__}")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"padding debe ser un entero o una secuencia de 1, 2 o 4 elementos, no de {len(padding)}")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(f"padding_mode debe ser 'constant', 'edge', 'reflect' o 'symmetric', no {padding_mode!r}")
    p = _parse_pad_padding(padding)
    if padding_mode == "symmetric":
        return _pad_symmetric(img, p)
    squeeze = img.ndim < 3
    x = img.unsqueeze(0) if squeeze else img
    if padding_mode == "constant":
        out = NF.pad(x, p, mode="constant", value=float(fill))
    else:
        if padding_mode == "reflect":
            for n, (a, b) in ((x.shape[-1], p[:2]), (x.shape[-2], p[2:])):
                if a >= n or b >= n:
                    raise RuntimeError(f"pad: con padding_mode='reflect' el relleno ({a}, {b}) debe ser menor que el "
                                       f"tamaño de la imagen ({n})")
        out = NF.pad(x, p, mode="replicate" if padding_mode == "edge" else "reflect")
    return out.squeeze(0) if squeeze else out


def _pad_symmetric(img, padding) -> Tensor:
    if min(padding) < 0:
        cl, cr, ct, cb = [-min(v, 0) for v in padding]
        img = img[..., ct:img.shape[-2] - cb, cl:img.shape[-1] - cr]
        padding = [max(v, 0) for v in padding]

    def idx(n, before, after):
        i = np.arange(-before, n + after)
        period = 2 * n
        m = np.mod(i, period)
        return np.where(m < n, m, period - 1 - m)
    ys = idx(img.shape[-2], padding[2], padding[3])
    xs = idx(img.shape[-1], padding[0], padding[1])
    return img[..., as_tensor(ys)[:, None], as_tensor(xs)[None, :]]


def erase(img, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def normalize(tensor, mean, std, inplace: bool = False) -> Tensor:
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Normalize necesita un tensor de coma flotante y recibió {tensor.dtype}: convierte antes la "
                        "imagen con ToTensor() o ConvertImageDtype(torch.float)")
    if tensor.ndim < 3:
        raise ValueError(f"Normalize espera una imagen-tensor (…, C, H, W) y recibió forma {tuple(tensor.shape)}")
    if not (tensor.requires_grad or inplace):   # sin grafo: numpy directamente (mismas operaciones en float32)
        return _normalize_array(tensor, mean, std)
    if not inplace:
        tensor = tensor.clone()
    dt = tensor.dtype
    mean = as_tensor(mean, dtype=dt)
    std = as_tensor(std, dtype=dt)
    if bool((std == 0).any()):
        raise ValueError(f"std vale cero tras convertirla a {dt}: la división por cero no está definida")
    c = tensor.shape[-3]
    for name, t in (("mean", mean), ("std", std)):
        if t.ndim == 1 and t.shape[0] not in (1, c):
            raise RuntimeError(f"Normalize: {name} tiene {t.shape[0]} valores y la imagen tiene {c} canales "
                               f"(forma {tuple(tensor.shape)})")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def _normalize_array(tensor, mean, std) -> Tensor:
    a = tensor.numpy()
    m = np.asarray(mean, dtype=a.dtype)
    s = np.asarray(std, dtype=a.dtype)
    if (s == 0).any():
        raise ValueError(f"std vale cero tras convertirla a {tensor.dtype}: la división por cero no está definida")
    c = a.shape[-3]
    for name, t in (("mean", m), ("std", s)):
        if t.ndim == 1 and t.shape[0] not in (1, c):
            raise RuntimeError(f"Normalize: {name} tiene {t.shape[0]} valores y la imagen tiene {c} canales "
                               f"(forma {tuple(a.shape)})")
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    return _wrap((a - m) / s)


# -- remuestreo (numpy) --------------------------------------------------------------------------
def resize(img, size, interpolation: str = "bilinear", antialias=True) -> Tensor:
    _assert_image_tensor(img)
    if antialias is None:
        antialias = False
    if antialias and interpolation not in ("bilinear", "bicubic"):
        antialias = False
    x, out_dtype, lead, ndim = _cast_in(img)
    y = R.interpolate(x, size, interpolation, antialias)
    if interpolation == "bicubic" and out_dtype == np.uint8:
        y = np.clip(y, 0, 255)
    return _cast_out(y, out_dtype, lead, ndim)


def _check_grid_inputs(img, matrix, interpolation, fill):
    _assert_image_tensor(img)
    if matrix is not None and (not isinstance(matrix, list) or len(matrix) != 6):
        raise ValueError("la matriz afín debe ser una lista de 6 números")
    c = get_dimensions(img)[0]
    if fill is not None and isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != c:
        raise ValueError(f"fill tiene {len(fill)} valores y la imagen {c} canales: no se pueden emparejar")
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"con tensores sólo se admite interpolación nearest o bilinear, no '{interpolation}'")


def _apply_grid(img, grid: np.ndarray, mode: str, fill) -> Tensor:
    x, out_dtype, lead, ndim = _cast_in(img, (grid.dtype.type,))
    g = np.broadcast_to(grid, (x.shape[0],) + grid.shape[1:])
    if fill is not None:
        x = np.concatenate([x, np.ones((x.shape[0], 1) + x.shape[2:], dtype=x.dtype)], axis=1)
    y = R.grid_sample(x, g, mode)
    if fill is not None:
        mask, y = y[:, -1:], y[:, :-1]
        fv = np.asarray(list(fill) if isinstance(fill, (tuple, list)) else [float(fill)], dtype=y.dtype)
        fill_img = np.broadcast_to(fv.reshape(1, -1, 1, 1), y.shape)
        mask = np.broadcast_to(mask, y.shape)
        if mode == "nearest":
            y = np.where(mask < 0.5, fill_img, y)
        else:
            y = y * mask + (y.dtype.type(1) - mask) * fill_img
    return _cast_out(y, out_dtype, lead, ndim)


def affine(img, matrix, interpolation: str = "nearest", fill=None) -> Tensor:
    _check_grid_inputs(img, matrix, interpolation, fill)
    dt = np.dtype(img.dtype) if img.is_floating_point() else np.dtype(np.float32)
    theta = np.asarray(matrix, dtype=dt).reshape(2, 3)
    h, w = img.shape[-2:]
    return _apply_grid(img, R.affine_grid(theta, w, h, w, h), interpolation, fill)


def rotate(img, matrix, interpolation: str = "nearest", expand: bool = False, fill=None) -> Tensor:
    _check_grid_inputs(img, matrix, interpolation, fill)
    h, w = img.shape[-2:]
    ow, oh = R.affine_output_size(matrix, w, h) if expand else (w, h)
    dt = np.dtype(img.dtype) if img.is_floating_point() else np.dtype(np.float32)
    theta = np.asarray(matrix, dtype=dt).reshape(2, 3)
    return _apply_grid(img, R.affine_grid(theta, w, h, ow, oh), interpolation, fill)


def gaussian_blur(img, kernel_size, sigma) -> Tensor:
    _assert_image_tensor(img)
    x, out_dtype, lead, ndim = _cast_in(img)
    kx = R.gaussian_kernel1d(kernel_size[0], sigma[0], x.dtype.type)
    ky = R.gaussian_kernel1d(kernel_size[1], sigma[1], x.dtype.type)
    k2 = np.outer(ky, kx).astype(x.dtype)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    H, W = x.shape[-2:]
    if px >= W or py >= H:
        raise RuntimeError(f"gaussian_blur: el núcleo {tuple(kernel_size)} es demasiado grande para una imagen de "
                           f"{W}×{H} (el relleno reflect debe ser menor que el tamaño)")
    xp = np.pad(x, ((0, 0), (0, 0), (py, py), (px, px)), mode="reflect")
    out = np.zeros_like(x)
    for dy in range(k2.shape[0]):
        for dx in range(k2.shape[1]):
            out += k2[dy, dx] * xp[..., dy:dy + H, dx:dx + W]
    return _cast_out(out, out_dtype, lead, ndim)
