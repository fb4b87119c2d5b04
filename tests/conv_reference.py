"""Referencias lentas y obvias (numpy, float64) de la convolución, la convolución
traspuesta, el pooling y el reescalado, independientes de los núcleos."""
import numpy as np


def pad4(x, ph, pw, value=0.0):
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=np.float64)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def out_size(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """Suma directa tap a tap: out[n, o, y, x] = Σ_{c, i, j} w[o, c, i, j] · xp[n, g·cg + c, y·s + i·d, x·s + j·d]."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = pad4(x, ph, pw)
    oh, ow = out_size(h, kh, sh, ph, dh), out_size(wd, kw, sw, pw, dw)
    og = o // groups
    out = np.zeros((n, o, oh, ow))
    for g in range(groups):
        xs = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * og:(g + 1) * og].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
                out[:, g * og:(g + 1) * og] += np.einsum("ncyx,oc->noyx", patch, wg[:, :, i, j])
    if b is not None:
        out += np.asarray(b, np.float64)[None, :, None, None]
    return out


def conv2d_grads(x, w, gout, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """(dx, dw) por las mismas sumas tap a tap, traspuestas."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, padding, dilation
    xp = pad4(x, ph, pw)
    oh, ow = gout.shape[2:]
    og = o // groups
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    g64 = gout.astype(np.float64)
    for g in range(groups):
        cs, os_ = slice(g * cg, (g + 1) * cg), slice(g * og, (g + 1) * og)
        for i in range(kh):
            for j in range(kw):
                sl = (slice(None), cs, slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                      slice(j * dw_, j * dw_ + sw * (ow - 1) + 1, sw))
                dw[os_, :, i, j] = np.einsum("noyx,ncyx->oc", g64[:, os_], xp[sl])
                dxp[sl] += np.einsum("noyx,oc->ncyx", g64[:, os_], w[os_, :, i, j].astype(np.float64))
    return dxp[:, :, ph:ph + h, pw:pw + wd], dw


def conv_transpose2d(x, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1),
                     groups=1):
    """Definición directa: cada entrada x[n, ci, y, x] reparte x·w[ci, co, i, j] en
    (y·s − p + i·d, x·s − p + j·d) de la salida."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    hout = (h - 1) * sh - 2 * ph + dh * (kh - 1) + output_padding[0] + 1
    wout = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    full = np.zeros((n, cog * groups, hout + 2 * ph + sh + dh * kh, wout + 2 * pw + sw + dw * kw))
    cig = cin // groups
    for g in range(groups):
        xs = x[:, g * cig:(g + 1) * cig].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("ncyx,co->noyx", xs, w[g * cig:(g + 1) * cig, :, i, j].astype(np.float64))
                full[:, g * cog:(g + 1) * cog, i * dh:i * dh + sh * (h - 1) + 1:sh,
                     j * dw:j * dw + sw * (wd - 1) + 1:sw] += contrib
    out = full[:, :, ph:ph + hout, pw:pw + wout]
    if b is not None:
        out = out + np.asarray(b, np.float64)[None, :, None, None]
    return out


def pool_out(size, k, s, p, d, ceil):
    num = size + 2 * p - d * (k - 1) - 1
    o = (num + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= size + p:
        o -= 1
    return o


def max_pool2d(x, k, s, p, d, ceil=False):
    """Máximo por ventana con índices planos del primer máximo (relleno = −inf); un NaN
    gana siempre y, entre varios, el último en orden de filas (regla de PyTorch:
    ``val > maxval || isnan(val)``)."""
    n, c, h, w = x.shape
    oh, ow = pool_out(h, k[0], s[0], p[0], d[0], ceil), pool_out(w, k[1], s[1], p[1], d[1], ceil)
    out = np.full((n, c, oh, ow), -np.inf)
    idx = np.full((n, c, oh, ow), -1, dtype=np.int64)
    for y in range(oh):
        for xo in range(ow):
            for i in range(k[0]):
                for j in range(k[1]):
                    iy, ix = y * s[0] - p[0] + i * d[0], xo * s[1] - p[1] + j * d[1]
                    if 0 <= iy < h and 0 <= ix < w:
                        v = x[:, :, iy, ix]
                        better = (idx[:, :, y, xo] < 0) | (v > out[:, :, y, xo]) | np.isnan(v)
                        out[:, :, y, xo] = np.where(better, v, out[:, :, y, xo])
                        idx[:, :, y, xo] = np.where(better, iy * w + ix, idx[:, :, y, xo])
    return out, idx


def avg_pool2d(x, k, s, p, ceil=False, count_include_pad=True, divisor_override=None):
    """Media con la regla de divisor de PyTorch (ventana recortada a la entrada con relleno)."""
    n, c, h, w = x.shape
    oh, ow = pool_out(h, k[0], s[0], p[0], 1, ceil), pool_out(w, k[1], s[1], p[1], 1, ceil)
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for xo in range(ow):
            a, b = y * s[0] - p[0], xo * s[1] - p[1]
            a1, b1 = min(a + k[0], h + p[0]), min(b + k[1], w + p[1])
            size = (a1 - a) * (b1 - b)
            a0, b0, a1, b1 = max(a, 0), max(b, 0), min(a1, h), min(b1, w)
            if a0 >= a1 or b0 >= b1:
                continue
            div = divisor_override or (size if count_include_pad else (a1 - a0) * (b1 - b0))
            out[:, :, y, xo] = x[:, :, a0:a1, b0:b1].sum(axis=(2, 3)) / div
    return out


def adaptive_windows(size, osize):
    return [((i * size) // osize, -((-(i + 1) * size) // osize)) for i in range(osize)]


def interp_source(in_size, out_size, align_corners, scale=None):
    """Coordenada de origen de cada salida, en float64 (fórmula de la documentación)."""
    dst = np.arange(out_size, dtype=np.float64)
    if align_corners:
        return dst * ((in_size - 1) / (out_size - 1) if out_size > 1 else 0.0)
    r = 1.0 / scale if scale else in_size / out_size
    return np.maximum(r * (dst + 0.5) - 0.5, 0.0)


def bilinear(x, oh, ow, align_corners, scale=None):
    n, c, h, w = x.shape
    sy, sx = interp_source(h, oh, align_corners, scale), interp_source(w, ow, align_corners, scale)
    y0 = np.minimum(np.floor(sy).astype(int), h - 1)
    x0 = np.minimum(np.floor(sx).astype(int), w - 1)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    ly, lx = np.clip(sy - y0, 0, 1)[:, None], np.clip(sx - x0, 0, 1)[None, :]
    x = x.astype(np.float64)
    top = x[:, :, y0][:, :, :, x0] * (1 - lx) + x[:, :, y0][:, :, :, x1] * lx
    bot = x[:, :, y1][:, :, :, x0] * (1 - lx) + x[:, :, y1][:, :, :, x1] * lx
    return top * (1 - ly) + bot * ly
